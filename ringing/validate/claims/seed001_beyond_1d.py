"""Claims of seed 001 (Rahaman et al., "On the spectral bias of neural networks") beyond
Experiment 1: robustness to parameter perturbations (§3), the flower manifolds (§4,
Experiment 5, App. C.7) and radial-wave noise on image data (Experiment 3, on scikit-learn's
digits).  The studies are :mod:`ringing.experiments.spectral_bias`; measured numbers at the
documented settings are in docs/training_beyond_1d.md."""

from __future__ import annotations

import numpy as np

from ringing.validate.core import Claim, Outcome

CLAIMS: list[Claim] = []


def _ci(values: np.ndarray) -> tuple[float, float, float]:
    from ringing.experiments.spectral_bias import mean_ci

    return mean_ci(values)


def claim_stationary_phase_reach(petals: tuple[int, ...] = (0, 4, 10, 16)) -> Outcome:
    """App. C.7: a plane wave exp(2πi k·x) restricted to γ_L carries manifold frequencies only up
    to ‖k‖ max_z‖γ_L'(z)‖ (the stationary-phase edge; the closed-form maximum speed of
    :func:`ringing.theory.fourier.flower_max_speed`).  Checked by a 16384-point FFT along z:
    beyond 1.5× the edge the coefficients are < 1e-6 (exponentially small), within 0.8–1× of
    it they are > 1e-3."""
    from ringing.theory.fourier import flower_curve, manifold_frequency_reach

    kvec = np.array([8.0, 6.0])
    n = 16384
    z = np.arange(n) / n
    freq = np.abs(np.fft.fftfreq(n, 1 / n))
    worst_out, worst_in = 0.0, np.inf
    for p in petals:  # four curves
        c = np.abs(np.fft.fft(np.exp(2j * np.pi * flower_curve(z, p) @ kvec))) / n
        reach = float(manifold_frequency_reach(10.0, p))
        worst_out = max(worst_out, float(c[freq > 1.5 * reach].max()))
        worst_in = min(worst_in, float(c[(freq > 0.8 * reach) & (freq <= reach)].max()))
    ok = worst_out < 1e-6 and worst_in > 1e-3
    return Outcome("pass" if ok else "fail", theory=1e-6, simulation=worst_out,
                   tolerance="beyond 1.5x the edge < 1e-6; just inside > 1e-3",
                   details={"max_beyond_edge": worst_out, "min_inside_edge": worst_in,
                            "petals": list(petals)})


CLAIMS.append(Claim("seed001/manifold/stationary_phase_reach",
                    "a plane wave of input frequency |k| reaches manifold frequencies up to "
                    "|k| max|γ_L'| on the flower curve, and no further",
                    "seed 001 §4, App. C.7", claim_stationary_phase_reach))


def claim_perturbation_high_frequencies_decay(steps: int, seeds: int, width: int,
                                              draws: int, device: str = "cpu") -> Outcome:
    """§3 / Fig 3: under isotropic parameter noise N(0, δ²) the perturbed networks keep less of
    the higher frequencies: the magnitude lost, 1 − E|c_k(θ+δθ)|/|c_k(θ)| (Fig 3's normalised
    spectrum, exact CPWL transform, mean over antithetic draws θ ± δθ), has a Spearman
    correlation with k whose 95% t-interval over seeds is above 0 at *every* size of the grid
    δ = 0.0003 … 0.1.

    This is the paper's measure.  The issue's paraphrase, the complex relative change
    |c_k(θ+δθ) − c_k(θ)|/|c_k(θ)|, and the size of the magnitude change
    ||c_k(θ+δθ)| − |c_k(θ)||/|c_k(θ)| both *fall* with k (the perturbation adds a random smooth
    function whose own spectrum decays with k; the systematic loss at high k is second order
    in δ); their rank correlations are in the details, not in the verdict."""
    from ringing.experiments.spectral_bias import perturbation

    res = perturbation(steps=steps, seeds=seeds, width=width, draws=draws, device=device)
    dec = res.rank_correlation_summary("magnitude_decay")
    worst = min(dec, key=lambda r: r["lo"])
    ok = all(res.grows_with_frequency("magnitude_decay"))
    return Outcome("pass" if ok else "fail", simulation=worst["mean"],
                   simulation_ci=(worst["lo"], worst["hi"]),
                   tolerance="95% t-interval over seeds above 0 at every δ (the weakest δ shown)",
                   reason="" if ok else "the magnitude decay is not ordered by frequency at "
                                        "every perturbation size",
                   details={"weakest_size": worst["size"],
                            "magnitude_decay": dec,
                            "relative_change_rank_correlation": res.rank_correlation_summary(),
                            "magnitude_change_rank_correlation":
                                res.rank_correlation_summary("magnitude_change"),
                            "signal_to_noise_paired": res.resolution()["paired"].tolist(),
                            "signal_to_noise_independent":
                                res.resolution()["independent"].tolist()})


CLAIMS.append(Claim("seed001/perturbation/high_frequencies_decay_first",
                    "random parameter perturbations remove the higher Fourier components of a "
                    "trained ReLU network first (Fig 3's normalised spectrum falls with k at "
                    "every perturbation size)",
                    "seed 001 §3, Fig 3", claim_perturbation_high_frequencies_decay,
                    {"steps": 3000, "seeds": 5, "width": 64, "draws": 64},
                    {"steps": 1000, "seeds": 5, "width": 48, "draws": 16},
                    kind="simulation", cost=60.0, requires=("torch",)))


def claim_manifold_error_falls(steps: int, seeds: int, n_samples: int,
                               device: str = "cpu") -> Outcome:
    """Experiment 5: after a fixed number of steps, Δ_F of the highest target frequencies along
    the curve is smaller on the 10-petal flower than on the circle (L = 0); the difference of the
    per-seed means over the upper half of the frequencies has a 95% t-interval below 0."""
    from ringing.experiments.spectral_bias import manifold_regression

    res = manifold_regression(petals=(0, 10), frequencies=(4, 8, 12, 16, 20, 24), steps=steps,
                              seeds=seeds, n_samples=n_samples, record_every=steps, device=device)
    upper = res.delta[-1][..., 3:].mean(axis=-1)  # (M, S)
    m, lo, hi = _ci(upper[1] - upper[0])
    ok = hi < 0
    return Outcome("pass" if ok else "fail", simulation=m, simulation_ci=(lo, hi),
                   tolerance="95% t-interval over seeds of Δ_F(L=10) − Δ_F(L=0) below 0",
                   details={"delta_L0": upper[0].tolist(), "delta_L10": upper[1].tolist()})


CLAIMS.append(Claim("seed001/manifold/error_falls_with_petals",
                    "the same target on a flower with more petals is learned faster",
                    "seed 001 §4, Experiment 5, Fig 8", claim_manifold_error_falls,
                    {"steps": 1500, "seeds": 5, "n_samples": 300},
                    {"steps": 400, "seeds": 4, "n_samples": 128},
                    kind="simulation", cost=60.0, requires=("torch",)))


def claim_digits_high_frequency_noise_fitted_later(steps: int, seeds: int,
                                                   device: str = "cpu") -> Outcome:
    """Experiment 3 (Fig 4) on digits: radial-wave noise of high frequency (k = 20) is fitted later
    than of low frequency (k = 0.3), at the same noise power (the wave standardised over the
    images, β = 1 its RMS): the step at which the
    validation loss (clean labels) has climbed half way back from its early minimum to its final
    value is later; the per-seed difference has a 95% t-interval above 0."""
    from ringing.experiments.spectral_bias import digits_noise

    res = digits_noise(noise_frequencies=(0.3, 20.0), amplitudes=(1.0,), steps=steps,
                       seeds=seeds, standardize=True, device=device)
    rise = res.half_rise_step[:, 0, :].astype(np.float64)  # (F, S)
    m, lo, hi = _ci(rise[1] - rise[0])
    ok = lo > 0
    best = res.best[:, 0, :]
    return Outcome("pass" if ok else "fail", simulation=m, simulation_ci=(lo, hi),
                   tolerance="95% t-interval over seeds above 0",
                   details={"half_rise_low_k": rise[0].tolist(),
                            "half_rise_high_k": rise[1].tolist(),
                            "best_low_k": best[0].tolist(), "best_high_k": best[1].tolist(),
                            "dip_low_k": res.dip[0, 0].tolist(),
                            "dip_high_k": res.dip[1, 0].tolist(),
                            "data": "scikit-learn digits 0/1 (no MNIST here)"})


CLAIMS.append(Claim("seed001/digits/high_frequency_noise_fitted_later",
                    "high-frequency target noise is fitted later than low-frequency noise, so "
                    "the validation loss stays near its early minimum longer",
                    "seed 001 §3.2, Experiment 3, Fig 4",
                    claim_digits_high_frequency_noise_fitted_later,
                    {"steps": 1000, "seeds": 3}, {"steps": 600, "seeds": 3},
                    kind="simulation", cost=40.0, requires=("torch",)))


def claim_digits_no_dip_for_low_frequency_noise(steps: int, seeds: int,
                                                device: str = "cpu") -> Outcome:
    """Experiment 3 (Fig 4a–d) on digits 0/1 with the paper's raw radial wave sin(k‖x‖), β = 1:
    the validation loss (clean labels) has no dip for low-frequency noise (k = 0.1, 0.03
    radial oscillations across the data) — the dip depth (min(v_0, v_T) − min v)/min(v_0, v_T)
    has a 95% t-interval over seeds containing 0 — and a dip for high-frequency noise (k = 30,
    9 oscillations): the per-seed depth difference high − low has an interval above 0.

    Why, measured (details): the raw low-k wave is almost all constant offset over the images
    (mean²/mean-square 0.99), fitted with the label's mean at once, so the best validation loss
    is raised by it (β² × offset) and never recovered.  With the offset removed (the
    ``standardize`` ablation) the dip returns at every k, because no radial wave is as slow
    along the data as the label (kNN Dirichlet ratio ≥ 0.26 against 0.00; docs)."""
    from ringing.experiments.spectral_bias import digits_noise

    res = digits_noise(noise_frequencies=(0.1, 30.0), amplitudes=(1.0,), steps=steps,
                       seeds=seeds, device=device)
    depth = res.dip_depth[:, 0, :]  # (F, S)
    m0, lo0, hi0 = _ci(depth[0])
    m, lo, hi = _ci(depth[1] - depth[0])
    ok = lo0 <= 0 <= hi0 and lo > 0
    return Outcome("pass" if ok else "fail", simulation=m0, simulation_ci=(lo0, hi0),
                   tolerance="95% t-intervals over seeds: low-k depth contains 0, "
                             "high − low above 0",
                   reason="" if ok else "the dip is not absent at low k and present at high k",
                   details={"depth_low_k": depth[0].tolist(), "depth_high_k": depth[1].tolist(),
                            "depth_difference": [m, lo, hi],
                            "offset_share": res.noise_offset_share.tolist(),
                            "noise_graph_energy": res.noise_energy.tolist(),
                            "label_graph_energy": res.label_energy,
                            "best_val": res.best[:, 0, :].mean(axis=-1).tolist(),
                            "data": "scikit-learn digits 0/1 (no MNIST here)"})


CLAIMS.append(Claim("seed001/digits/no_dip_for_low_frequency_noise",
                    "with low-frequency radial-wave noise the validation loss has no early dip "
                    "(the noise is fitted at once), with high-frequency noise it has one",
                    "seed 001 §3.2, Experiment 3, Fig 4",
                    claim_digits_no_dip_for_low_frequency_noise,
                    {"steps": 1000, "seeds": 5}, {"steps": 400, "seeds": 5},
                    kind="simulation", cost=20.0, requires=("torch",)))
