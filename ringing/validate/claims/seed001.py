"""Claims of seed 001 (Rahaman, Baratin, Arpit, Draxler, Lin, Hamprecht, Bengio, Courville, "On
the spectral bias of neural networks"): the Fourier transform of ReLU networks (§2), the
Lipschitz chain (eq 7, App. C.6) and the spectral-bias ordering of Experiment 1 (§3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ringing.validate.core import Claim, Outcome

CLAIMS: list[Claim] = []


def _random_relu_net(seed: int, widths: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, np.sqrt(2.0 / fi), size=(fo, fi)), rng.normal(0, 0.5, size=fo))
            for fi, fo in zip(widths[:-1], widths[1:], strict=True)]


def claim_relu_fourier_exact(seed: int = 0, n: int = 2**15, kmax: int = 40) -> Outcome:
    """Seed 001 §2 (1-D): the closed-form Fourier coefficients of a ReLU network (a CPWL
    function) equal a fine trapezoid DFT of samples, within the O(h²) quadrature bound."""
    from ringing.theory.fourier import (
        relu_network_forward,
        relu_network_fourier,
        relu_network_pieces,
    )

    ws = _random_relu_net(seed, (1, 12, 12, 12, 1))
    a, b = -2.0, 2.0
    length, h = b - a, (b - a) / n
    xs = a + h * np.arange(n)
    f = relu_network_forward(ws, xs)
    fb = relu_network_forward(ws, np.array([b]))[0]
    k = np.arange(kmax)
    dft = (np.fft.fft(f)[:kmax] + (fb - f[0]) / 2) / n
    pwl = relu_network_pieces(ws, (a, b))
    exact = relu_network_fourier(ws, k, (a, b))
    omega = 2 * np.pi * k / length
    s = pwl.slopes
    bound = (h**2 / 12 * (omega**2 * np.abs(f).sum() * h
                          + 2 * omega * np.abs(s * np.diff(pwl.knots)).sum()) / length
             + h**2 / 4 * np.abs(np.diff(s)).sum() / length)
    diff = np.abs(exact - dft)
    ok = bool(np.all(diff <= 2 * bound + 1e-13))
    j = int(np.argmax(diff / (2 * bound + 1e-13)))
    return Outcome("pass" if ok else "fail", theory=float(abs(exact[1])),
                   simulation=float(abs(dft[1])),
                   tolerance="|exact − DFT| <= 2 × the trapezoid error bound, every k < 40",
                   reason="" if ok else f"k={j}: differs by {diff[j]:.3g}",
                   details={"max_abs_diff": float(diff.max()), "worst_k": j})


CLAIMS.append(Claim("seed001/fourier/exact_vs_dft",
                    "the closed-form Fourier coefficients of a ReLU network equal its DFT",
                    "seed 001 §2", claim_relu_fourier_exact))


def claim_lipschitz_chain(seed: int = 0) -> Outcome:
    """Seed 001 eq 7 / App. C.6: Lip(f) <= Π‖W_l‖₂ <= Π √(n n') max|W_l| <= ‖θ‖_∞^L √d Π n_l."""
    from ringing.theory.fourier import lipschitz_bounds, measured_lipschitz, relu_network_pieces

    ws = _random_relu_net(seed, (1, 8, 16, 8, 1))
    lip = measured_lipschitz(relu_network_pieces(ws, (-5.0, 5.0)))
    lb = lipschitz_bounds(ws)
    chain = [lip, lb.spectral, lb.max_norm, lb.theta_inf]
    ok = all(u <= v * (1 + 1e-12) for u, v in zip(chain[:-1], chain[1:], strict=True))
    return Outcome("pass" if ok else "fail", theory=lb.spectral, simulation=lip,
                   tolerance="each inequality of the chain (relative 1e-12)",
                   reason="" if ok else f"chain violated: {chain}",
                   details={"measured": lip, "spectral": lb.spectral, "max_norm": lb.max_norm,
                            "theta_inf": lb.theta_inf})


CLAIMS.append(Claim("seed001/eq7/lipschitz_chain",
                    "Lip(f) <= Π‖W‖₂ <= Π √(n n') max|W| <= ‖θ‖_∞^L √d Π n_l",
                    "seed 001 eq 7, App. C.6", claim_lipschitz_chain))


def _ordering_outcome(rhos: list[float | None], what: str, details: dict[str, Any]) -> Outcome:
    """Inequality over seeds: the 95% t-interval of the mean Spearman(frequency, learned step)
    lies above 0 (margin: its lower end); a seed that learned fewer than two frequencies has no
    correlation and makes the claim fail (report the margin as −1)."""
    from ringing.stats import t_quantile

    vals = np.array([np.nan if r is None else r for r in rhos], dtype=float)
    details = dict(details, rank_correlation_per_seed=[None if r is None else float(r)
                                                       for r in rhos])
    if vals.size < 2 or not np.all(np.isfinite(vals)):
        return Outcome("fail", tolerance="lower end of the 95% t-interval of the mean > 0",
                       reason=f"{what}: a seed has no rank correlation ({rhos})",
                       details=dict(details, margin=-1.0))
    mean = float(vals.mean())
    se = float(vals.std(ddof=1) / np.sqrt(vals.size))
    lo = mean - t_quantile(vals.size) * se
    hi = mean + t_quantile(vals.size) * se
    ok = lo > 0
    return Outcome("pass" if ok else "fail", simulation=mean, simulation_ci=(lo, hi),
                   tolerance="inequality: lower end of the 95% t-interval of the mean Spearman "
                             "correlation over seeds > 0 (margin = that lower end)",
                   reason="" if ok else f"{what}: lower end {lo:.3g} <= 0",
                   details=dict(details, margin=lo))


def claim_spectral_bias_ordering(frequencies: Sequence[float], n_samples: int, depth: int,
                                 width: int, steps: int, seeds: int, lr: float,
                                 threshold: float, record_every: int,
                                 device: str = "cpu") -> Outcome:
    """Seed 001 §3, Experiment 1 (Fig. 1): a ReLU network fitting a sum of equal-amplitude
    sines learns the low frequencies first — the step at which Δ_F(k) (seed 003 eq 1) first
    falls below ``threshold`` increases with k: Spearman(k, learned step) > 0 over seeds
    (frequencies not learned by the end tie at ``steps + record_every``).  The quick mode
    reduces the network, the frequencies and the steps (docs/training.md has the paper-size
    runs)."""
    from ringing.simulate.training import spectral_bias

    r = spectral_bias(frequencies=tuple(frequencies), n_samples=n_samples, depth=depth,
                      width=width, steps=steps, seeds=seeds, lr=lr, threshold=threshold,
                      record_every=record_every, device=device)
    return _ordering_outcome(r.rank_correlations(), "spectral bias",
                             {"learned_step_per_seed": r.learned.tolist(),
                              "frequencies": list(frequencies), "steps": steps})


CLAIMS.append(Claim("seed001/sim/spectral_bias_ordering",
                    "low frequencies are learned first: Spearman(frequency, learned step) > 0",
                    "seed 001 §3, Experiment 1, Fig. 1", claim_spectral_bias_ordering,
                    {"frequencies": [5, 10, 15, 20, 25], "n_samples": 200, "depth": 6,
                     "width": 256, "steps": 8000, "seeds": 3, "lr": 3e-4, "threshold": 0.3,
                     "record_every": 100},
                    {"frequencies": [2, 4, 6, 8], "n_samples": 64, "depth": 4, "width": 64,
                     "steps": 1000, "lr": 2e-3, "record_every": 25},
                    kind="simulation", cost=120.0, requires=("torch",)))
