"""Claims of seed 003 (Xu, Zhang, Xiao, "Training behavior of deep neural network in frequency
domain"): the spectrum of the quantised targets (§3, Fig. 3a) and the F-principle ordering of
training (§3.1, Fig. 4)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ringing.validate.core import Claim, Outcome

CLAIMS: list[Claim] = []


def claim_quantized_peaks(n: int = 600, kmax: int = 40) -> Outcome:
    """Seed 003 Fig. 3a: for f0(x) = x, α = 0.5 on 600 points of [−1, 1], the first 40
    components of |F[f]| have 6 peaks and the first coincides with the peak of |F[f0]|."""
    from ringing.theory.fourier import nonuniform_dft, quantized_target, spectrum_peaks

    k = np.arange(1, kmax + 1)
    x = -1 + 2 * np.arange(n) / n
    spec = np.abs(nonuniform_dft(x, quantized_target("x", 0.5, x), k, (-1, 1)))
    spec0 = np.abs(nonuniform_dft(x, x, k, (-1, 1)))
    peaks = spectrum_peaks(spec, k)
    first0 = int(k[int(np.argmax(spec0))])
    ok = peaks.size == 6 and int(peaks[0]) == first0
    return Outcome("pass" if ok else "fail", theory=float(peaks.size), paper=6.0,
                   tolerance="exact count; first peak index equal to that of |F[f0]|",
                   reason="" if ok else f"peaks {peaks.tolist()}, |F[f0]| peak at {first0}",
                   details={"peaks": peaks.tolist(), "f0_peak": first0})


CLAIMS.append(Claim("seed003/fig3a/peaks", "|F[f]| of the quantised f0 = x (α = 0.5) has 6 "
                    "peaks in its first 40 components", "seed 003 §3, Fig. 3a",
                    claim_quantized_peaks))


def claim_fprinciple_ordering(target: str, widths: Sequence[int] | None, steps: int,
                              seeds: int, lr: float, threshold: float,
                              record_every: int, device: str = "cpu") -> Outcome:
    """Seed 003 §3.1 (F-principle, Fig. 4): a tanh network fitting the quantised target
    captures the low-frequency peaks of |F[f]| first — the step at which Δ_F at a peak (eq 1)
    first falls below ``threshold`` increases with the peak's frequency: Spearman > 0 over
    seeds.  The quick mode reduces the widths and steps and raises the learning rate
    (docs/training.md has the paper-size runs)."""
    from ringing.simulate.training import fprinciple
    from ringing.validate.claims.seed001 import _ordering_outcome

    r = fprinciple(target, widths=None if widths is None else tuple(widths), steps=steps,
                   seeds=seeds, lr=lr, threshold=threshold, record_every=record_every,
                   device=device)
    return _ordering_outcome(r.rank_correlations(), "F-principle",
                             {"learned_step_per_seed": r.learned.tolist(),
                              "peaks": np.asarray(r.peaks).tolist(), "steps": steps})


CLAIMS.append(Claim("seed003/sim/fprinciple_ordering",
                    "the F-principle: low-frequency peaks are captured first (Spearman > 0)",
                    "seed 003 §3.1, Fig. 4", claim_fprinciple_ordering,
                    {"target": "sines", "widths": None, "steps": 8000, "seeds": 3, "lr": 2e-5,
                     "threshold": 0.3, "record_every": 50},
                    {"widths": [32, 32, 16], "steps": 1200, "lr": 2e-3, "record_every": 25},
                    kind="simulation", cost=200.0, requires=("torch",)))
