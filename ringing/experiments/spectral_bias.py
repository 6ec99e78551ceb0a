"""Seed 001 beyond Experiment 1: perturbation robustness, data manifolds, image data.

Rahaman, Baratin, Arpit, Draxler, Lin, Hamprecht, Bengio & Courville, *On the
spectral bias of neural networks* (ICML 2019):

* §3 (Fig 3): the lower-frequency Fourier coefficients of a trained ReLU network
  are more robust to random parameter perturbations (:func:`perturbation`); the
  coefficients are the exact closed form of Theorem 1 in one dimension
  (:func:`ringing.theory.fourier.cpwl_fourier`), batched over every perturbed
  network; Fig 1's per-layer spectral norms and the Lipschitz chain of eq 7
  (:func:`ringing.theory.fourier.lipschitz_bounds_batched`) along the run, next to
  the exact Lipschitz constant (largest slope of the exact pieces).
* §4, Experiments 5 and 6 (Fig 8, 9): a target ``λ(z)`` on the flower curve
  ``γ_L`` (:func:`ringing.theory.fourier.flower_curve`) is learned faster the more
  petals ``L`` the curve has (:func:`manifold_regression`,
  :func:`manifold_classification`), with the stationary-phase reach of App. C.7
  (:func:`ringing.theory.fourier.manifold_input_frequency`) beside it.
* §3.2, Experiment 3 (Fig 4): two classes of image data with radial-wave noise
  ``β sin(k‖x‖)`` added to the regression target; the validation loss against the
  clean target dips early for high ``k`` and not for low ``k``
  (:func:`digits_noise`).  The paper used MNIST; nothing is downloaded here, so
  scikit-learn's 8×8 digits (pixels / 16, in [0, 1]) stand in, and say so.

Every sweep trains all its networks (seeds × petals × frequencies × noise
settings) as one batched model (:class:`ringing.simulate.training.BatchedMLP`,
:func:`ringing.simulate.training.train_full_batch`): no Python loop over seeds,
samples or frequencies.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ringing.checks import positive_float, positive_int
from ringing.simulate.training import BatchedMLP, train_full_batch, validate_steps
from ringing.spectral import check_nyquist, nonuniform_dft, relative_error, sine_mixture
from ringing.stats import jackknife_ci
from ringing.theory.fourier import (
    cpwl_fourier,
    cpwl_slopes,
    flower_curve,
    lipschitz_bounds_batched,
    manifold_input_frequency,
    relu_network_pieces_batched,
)

__all__ = [
    "make_seed_list",
    "mean_interval",
    "mean_ci",
    "spearman_rows",
    "PERTURBATION_MEASURES",
    "PerturbationResult",
    "perturbation_statistics",
    "perturbation",
    "ManifoldResult",
    "manifold_regression",
    "ManifoldClassificationResult",
    "manifold_classification",
    "digits_pixels",
    "graph_dirichlet_ratio",
    "DigitsNoiseResult",
    "digits_noise",
]


# ----------------------------------------------------------------------------
# statistics shared by the studies


#: the range of a (rank) correlation: its intervals are clipped to it
CORRELATION_RANGE = (-1.0, 1.0)


def mean_interval(values: np.ndarray, confidence: float = 0.95,
                  bounds: tuple[float, float] | None = None) -> dict[str, Any]:
    """Mean over axis 0 (seeds) with a Student-t interval and the min/max.

    The interval is the delete-one jackknife of the mean
    (:func:`ringing.stats.jackknife_ci`), which for a mean equals the
    t-interval ``mean ± t_{S−1} s/√S``.  ``bounds``: the range the mean cannot leave (e.g.
    :data:`CORRELATION_RANGE` for a mean of rank correlations); the interval is clipped to it,
    which keeps its coverage (with 2 seeds the t-interval of a correlation is otherwise
    ±12.7 wide).
    """
    v = np.asarray(values, dtype=np.float64)
    if v.shape[0] < 2:
        m = v.mean(axis=0)
        return {"mean": m, "lo": None, "hi": None, "min": v.min(axis=0), "max": v.max(axis=0)}
    est, lo, hi = jackknife_ci(lambda m: m, v, confidence)
    if bounds is not None:
        lo, hi = np.clip(lo, *bounds), np.clip(hi, *bounds)
    return {"mean": est, "lo": lo, "hi": hi, "min": v.min(axis=0), "max": v.max(axis=0)}


def mean_ci(values: np.ndarray, bounds: tuple[float, float] | None = None
            ) -> tuple[float, float, float]:
    """``(mean, lo, hi)`` of a 1-D array of per-seed values (:func:`mean_interval`)."""
    st = mean_interval(np.asarray(values, dtype=np.float64)[:, None], bounds=bounds)
    if st["lo"] is None:
        raise ValueError("an interval needs at least 2 seeds")
    return float(st["mean"][0]), float(st["lo"][0]), float(st["hi"][0])


def spearman_rows(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Spearman rank correlation of ``x`` ``(K,)`` with each row of ``values`` ``(..., K)``.

    Vectorised over rows; tied values get their average rank (as
    :func:`scipy.stats.spearmanr`).  ``nan`` where a row is constant.
    """
    from scipy.stats import rankdata

    v = np.asarray(values, dtype=np.float64)
    rx = rankdata(np.asarray(x, dtype=np.float64))
    rv = rankdata(v, axis=-1)
    rx = rx - rx.mean()
    rv = rv - rv.mean(axis=-1, keepdims=True)
    den = np.sqrt((rx**2).sum() * (rv**2).sum(axis=-1))
    num = (rv * rx).sum(axis=-1)
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def make_seed_list(seeds: int, seed: int) -> list[int]:
    """``seeds`` consecutive seeds from ``seed`` (checked): ``[seed, seed + 1, …]``."""
    n = positive_int(seeds, "seeds")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer ≥ 0, got {seed!r}")
    return [int(seed) + i for i in range(n)]


def _stacked_numpy(model: BatchedMLP) -> list[tuple[np.ndarray, np.ndarray]]:
    """All networks of ``model`` as ``[(W_l (S, out, in), b_l (S, out))]`` in float64."""
    return [(w.detach().double().cpu().numpy().transpose(0, 2, 1),
             b.detach().double().cpu().numpy()[:, 0, :])
            for w, b in zip(model.weights, model.biases, strict=True)]


def _flat(model: torch.nn.Module) -> torch.Tensor:
    """Every parameter of a :class:`BatchedMLP`, flattened per network: ``(S, P)``."""
    bm: Any = model
    s = int(bm.n_models)
    return torch.cat([p.reshape(s, -1) for p in list(bm.weights) + list(bm.biases)], dim=1)


def _unflat(flat: np.ndarray, widths: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Inverse of :func:`_flat`: ``(..., P)`` → ``[(W (..., out, in), b (..., out))]``."""
    lead = flat.shape[:-1]
    pairs = list(zip(widths[:-1], widths[1:], strict=True))
    ws: list[np.ndarray] = []
    pos = 0
    for fi, fo in pairs:
        ws.append(np.swapaxes(flat[..., pos:pos + fi * fo].reshape(*lead, fi, fo), -1, -2))
        pos += fi * fo
    bs: list[np.ndarray] = []
    for _fi, fo in pairs:
        bs.append(flat[..., pos:pos + fo].reshape(*lead, fo))
        pos += fo
    return list(zip(ws, bs, strict=True))


# ----------------------------------------------------------------------------
# §3: robustness to parameter perturbations


#: the statistics of :func:`perturbation`, per (size, seed, frequency); see its docstring
PERTURBATION_MEASURES = ("relative_change", "magnitude_change", "magnitude_decay")


@dataclass
class PerturbationResult:
    """Seed 001 §3 / Fig 3 and Fig 1: perturbation robustness, spectral norms, eq 7.

    Attributes
    ----------
    frequencies : np.ndarray
        ``k`` (cycles on [0, 1)), ``(K,)``.
    sizes : np.ndarray
        Perturbation standard deviations ``δ``, ``(P,)``.
    coefficients : np.ndarray
        Exact Fourier coefficients of the trained networks, ``(S, K)`` complex.
    relative_change : np.ndarray
        ``E_draws |c_k(θ + δθ) − c_k(θ)| / |c_k(θ)|`` (the *complex* difference; the
        issue's paraphrase), ``(P, S, K)``.
    magnitude_change : np.ndarray
        ``E_draws ||c_k(θ + δθ)| − |c_k(θ)|| / |c_k(θ)|`` (the size of the change of the
        magnitude, either sign), ``(P, S, K)``.
    magnitude_ratio : np.ndarray
        ``E_draws |c_k(θ + δθ)| / |c_k(θ)|`` — the normalised spectrum of Fig 3 (which the
        paper clips to [0, 1]); ``1 − magnitude_ratio`` is the magnitude the perturbed
        networks lose at ``k`` (the *magnitude decay*), ``(P, S, K)``.
    magnitude_ratio_se : np.ndarray
        Standard error of ``magnitude_ratio`` over the antithetic pairs, ``(P, S, K)``.
    magnitude_ratio_se_independent : np.ndarray
        The standard error the same number of *independent* draws would give
        (std of single draws / √draws), ``(P, S, K)``: the noise floor without pairing.
    coherent_ratio : np.ndarray
        ``Re(E_draws c_k(θ + δθ) · conj c_k(θ)) / |c_k(θ)|²``: the part of the mean perturbed
        coefficient along the unperturbed one (1: kept, < 1: systematically shrunk),
        ``(P, S, K)``.
    rank_correlation, magnitude_change_rank_correlation, decay_rank_correlation : np.ndarray
        Spearman with ``k`` of ``relative_change``, ``magnitude_change`` and
        ``1 − magnitude_ratio``, per size and seed, ``(P, S)``.
    steps, layer_spectral, lipschitz_measured, bound_spectral, bound_theta : np.ndarray
        Along the run: recorded steps ``(R,)``, per-layer ``‖W_l‖_2`` ``(R, S, L)``,
        the exact Lipschitz constant on [0, 1] ``(R, S)`` and the eq 7 bounds
        ``Π‖W_l‖_2`` and ``‖θ‖_∞^L √d Π n_l`` ``(R, S)``.
    """

    frequencies: np.ndarray
    sizes: np.ndarray
    seeds: list[int]
    coefficients: np.ndarray
    relative_change: np.ndarray
    magnitude_change: np.ndarray
    magnitude_ratio: np.ndarray
    magnitude_ratio_se: np.ndarray
    magnitude_ratio_se_independent: np.ndarray
    coherent_ratio: np.ndarray
    rank_correlation: np.ndarray
    magnitude_change_rank_correlation: np.ndarray
    decay_rank_correlation: np.ndarray
    learned_fraction: np.ndarray
    steps: np.ndarray
    layer_spectral: np.ndarray
    lipschitz_measured: np.ndarray
    bound_spectral: np.ndarray
    bound_theta: np.ndarray
    bound_max_norm: np.ndarray
    train_loss: np.ndarray
    parameter_rms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    config: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def rank_correlation_summary(self, which: str = "relative_change",
                                 ) -> list[dict[str, Any]]:
        """Per perturbation size: mean rank correlation over seeds, its t-interval, min, max.

        ``which``: one of :data:`PERTURBATION_MEASURES`.
        """
        rhos = {"relative_change": self.rank_correlation,
                "magnitude_change": self.magnitude_change_rank_correlation,
                "magnitude_decay": self.decay_rank_correlation}
        if which not in rhos:
            raise ValueError(f"unknown statistic {which!r}; known: "
                             + ", ".join(PERTURBATION_MEASURES))
        rho = rhos[which]
        out = []
        for i, d in enumerate(self.sizes):
            st = mean_interval(rho[i], bounds=CORRELATION_RANGE)
            out.append({"size": float(d), **{k: None if v is None else float(v)
                                             for k, v in st.items()}})
        return out

    def grows_with_frequency(self, which: str) -> list[bool]:
        """Per size: is the 95% interval of Spearman(k, ``which``) over seeds above 0?"""
        return [r["lo"] is not None and r["lo"] > 0 for r in self.rank_correlation_summary(which)]

    def resolution(self) -> dict[str, np.ndarray]:
        """Per size: median over (seed, k) of ``|1 − magnitude ratio|`` over its standard error,
        with the antithetic pairs used here and with as many independent draws (``(P,)``;
        ``nan`` where every standard error is 0, e.g. δ so small that nothing changes)."""
        sig = np.abs(1.0 - self.magnitude_ratio)

        def ratio(se: np.ndarray) -> np.ndarray:
            r = np.divide(sig, se, out=np.full(sig.shape, np.nan), where=se > 0)
            flat = r.reshape(r.shape[0], -1)
            ok = np.isfinite(flat).any(axis=1)
            out = np.full(r.shape[0], np.nan)
            out[ok] = np.nanmedian(flat[ok], axis=1)
            return out

        return {"paired": ratio(self.magnitude_ratio_se),
                "independent": ratio(self.magnitude_ratio_se_independent)}

    def payload(self) -> dict[str, Any]:
        """JSON payload of ``ringing simulate perturbation``."""
        rc = self.rank_correlation_summary()
        mc = self.rank_correlation_summary("magnitude_change")
        dc = self.rank_correlation_summary("magnitude_decay")
        res = self.resolution()
        return {
            "frequencies": self.frequencies, "sizes": self.sizes, "seeds": self.seeds,
            "relative_change_mean": self.relative_change.mean(axis=1),
            "magnitude_change_mean": self.magnitude_change.mean(axis=1),
            "magnitude_ratio_mean": self.magnitude_ratio.mean(axis=1),
            "coherent_ratio_mean": self.coherent_ratio.mean(axis=1),
            "absolute_change_mean": (self.relative_change
                                     * np.abs(self.coefficients)[None]).mean(axis=1),
            "coefficient_magnitude_mean": np.abs(self.coefficients).mean(axis=0),
            "rank_correlation": rc,
            "rank_correlation_per_seed": self.rank_correlation,
            "relative_change_grows_with_frequency_at_every_size": bool(all(
                self.grows_with_frequency("relative_change"))),
            "magnitude_change_rank_correlation": mc,
            "magnitude_change_grows_with_frequency_at_every_size": bool(all(
                self.grows_with_frequency("magnitude_change"))),
            "magnitude_decay_rank_correlation": dc,
            "magnitude_decay_grows_with_frequency_at_every_size": bool(all(
                self.grows_with_frequency("magnitude_decay"))),
            "signal_to_noise_paired": [None if not np.isfinite(v) else float(v)
                                       for v in res["paired"]],
            "signal_to_noise_independent": [None if not np.isfinite(v) else float(v)
                                            for v in res["independent"]],
            "parameter_rms": self.parameter_rms,
            "learned_fraction": self.learned_fraction,
            "steps": self.steps,
            "layer_spectral_norm_mean": self.layer_spectral.mean(axis=1),
            "lipschitz_measured_mean": self.lipschitz_measured.mean(axis=1),
            "bound_spectral_mean": self.bound_spectral.mean(axis=1),
            "bound_max_norm_mean": self.bound_max_norm.mean(axis=1),
            "bound_theta_mean": self.bound_theta.mean(axis=1),
            "bound_holds": bool(np.all(self.lipschitz_measured
                                       <= self.bound_spectral * (1 + 1e-9))),
            "final_train_loss": mean_interval(self.train_loss[-1][:, None])["mean"][0],
            "config": self.config, "seconds": self.seconds,
        }


def perturbation_statistics(c0: np.ndarray, cp: np.ndarray) -> dict[str, np.ndarray]:
    """The statistics of :func:`perturbation` from the coefficients.

    Parameters
    ----------
    c0 : np.ndarray
        Unperturbed coefficients ``(S, K)``.
    cp : np.ndarray
        Perturbed coefficients ``(P, 2, H, S, K)``: axis 1 is the sign of an antithetic
        pair ``θ ± δθ``, axis 2 the pair.

    Returns
    -------
    dict
        ``relative_change``, ``magnitude_change``, ``magnitude_ratio``, ``magnitude_ratio_se``,
        ``magnitude_ratio_se_independent``, ``coherent_ratio``, each ``(P, S, K)``, means over
        all ``2H`` draws (see :class:`PerturbationResult`).
    """
    a0 = np.abs(c0)
    h = cp.shape[2]
    if h < 2:
        raise ValueError("need at least 2 antithetic pairs for a standard error")
    ap = np.abs(cp) / a0
    single = ap.reshape(ap.shape[0], -1, *ap.shape[3:])  # (P, 2H, S, K)
    pair = ap.mean(axis=1)  # (P, H, S, K): the pair means are independent
    return {
        "relative_change": (np.abs(cp - c0) / a0).mean(axis=(1, 2)),
        "magnitude_change": np.abs(ap - 1.0).mean(axis=(1, 2)),
        "magnitude_ratio": pair.mean(axis=1),
        "magnitude_ratio_se": pair.std(axis=1, ddof=1) / np.sqrt(h),
        "magnitude_ratio_se_independent": single.std(axis=1, ddof=1) / np.sqrt(2 * h),
        "coherent_ratio": (cp.mean(axis=(1, 2)) * np.conj(c0)).real / a0**2,
    }


def perturbation(*, frequencies: Sequence[float] = (1, 2, 3, 4, 5, 6, 7, 8),
                 sizes: Sequence[float] = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1),
                 draws: int = 64, n_samples: int = 200, depth: int = 4, width: int = 64,
                 steps: int = 3000, lr: float = 1e-3, seeds: int = 5, seed: int = 0,
                 record_every: int = 300, device: str = "cpu",
                 dtype: str = "float32") -> PerturbationResult:
    """Seed 001 §3 (Fig 3): perturb trained ReLU networks and compare each Fourier coefficient.

    ``seeds`` networks (``depth`` hidden ReLU layers of ``width`` units, PyTorch
    default initialisation, full-batch Adam) fit ``λ(x) = Σ_k sin(2πkx + φ_k)`` on
    ``n_samples`` points of [0, 1) (Experiment 1's target, equal amplitudes,
    phases drawn per seed).  Each trained parameter vector ``θ`` then gets
    isotropic Gaussian noise ``δθ ~ N(0, δ² I)`` on every weight and bias,
    ``draws`` times per size ``δ``, as ``draws/2`` antithetic pairs ``θ ± δθ`` (both
    members have the law of ``θ + δθ``; the pair cancels the first-order term, so the
    standard error of the mean magnitude is O(δ²) like the effect, not O(δ/√draws)); the
    same directions serve every ``δ`` (common random numbers, so that the rows of Fig 3
    differ by the size only).
    The Fourier coefficients ``c_k`` of the trained and of every perturbed network
    on [0, 1] are the exact CPWL closed form (seed 001 Theorem 1), all networks in
    one batch.  Per seed and size three statistics (means over draws,
    :func:`perturbation_statistics`) and their Spearman correlation with ``k``:

    * ``|c_k(θ+δθ) − c_k(θ)| / |c_k(θ)|`` — the complex relative change (the issue's
      wording);
    * ``||c_k(θ+δθ)| − |c_k(θ)|| / |c_k(θ)|`` — the size of the magnitude change;
    * ``1 − |c_k(θ+δθ)| / |c_k(θ)|`` — the magnitude lost, from the normalised spectrum
      that Fig 3 shows (clipped there to [0, 1]): the paper's measure.

    Along the run the per-layer spectral norms (Fig 1), the exact Lipschitz
    constant and the bounds of eq 7 are recorded every ``record_every`` steps.
    """
    steps = validate_steps(steps)
    n_samples = positive_int(n_samples, "n_samples")
    k = check_nyquist(frequencies, n_samples)
    if k.size < 3:
        raise ValueError("need at least 3 frequencies for a rank correlation")
    if np.any(k <= 0):
        raise ValueError("frequencies must be positive (k = 0 is the mean)")
    deltas = np.array([positive_float(d, "perturbation size") for d in sizes])
    draws = positive_int(draws, "draws")
    if draws % 2 or draws < 4:
        raise ValueError(f"draws must be even and at least 4 (antithetic pairs θ ± δθ), "
                         f"got {draws}")
    depth = positive_int(depth, "depth")
    width = positive_int(width, "width")
    seed_list = make_seed_list(seeds, seed)
    s = len(seed_list)
    x = np.arange(n_samples) / n_samples
    phases = np.stack([np.random.default_rng(v).uniform(0, 2 * np.pi, k.size) for v in seed_list])
    y = sine_mixture(x, k, np.ones(k.size), phases)
    widths = [1] + [width] * depth + [1]
    model = BatchedMLP(widths, "relu", seed_list, init="torch", device=device, dtype=dtype)
    t0 = time.perf_counter()
    rec = train_full_batch(model, x, y, steps=steps, lr=lr, record_every=record_every,
                           record=False, monitor=_flat, desc="perturbation: training")
    assert rec.monitor is not None
    interval = (0.0, 1.0)
    # along the run: eq 7 and Fig 1, all (step, seed) networks in one batch
    snaps = _unflat(rec.monitor.reshape(-1, rec.monitor.shape[-1]), widths)
    bounds = lipschitz_bounds_batched(snaps)
    knots, values = relu_network_pieces_batched(snaps, interval)
    lip = np.abs(cpwl_slopes(knots, values)).max(axis=-1)
    r_shape = (rec.steps.size, s)
    # the trained networks and their perturbations: (P, ±, H, S) networks in one batch
    trained = _stacked_numpy(model)
    h = draws // 2
    # one set of directions z for every size (common random numbers): δθ = ±δ z
    gen = np.random.default_rng([int(seed), 1_001])
    sign = np.array([1.0, -1.0])[None, :, None]
    scale = (deltas[:, None, None] * sign)[..., None, None, None]  # (P, 2, 1, 1, 1, 1)
    pert = [(w + scale * gen.standard_normal((h,) + w.shape),
             b + scale[..., 0] * gen.standard_normal((h,) + b.shape)) for w, b in trained]
    batch = [(w.reshape((-1,) + w.shape[4:]), b.reshape((-1,) + b.shape[4:])) for w, b in pert]
    del pert
    all_w = [(np.concatenate([w0, w1]), np.concatenate([b0, b1]))
             for (w0, b0), (w1, b1) in zip(trained, batch, strict=True)]
    del batch
    kn, va = relu_network_pieces_batched(all_w, interval)
    del all_w
    coef = cpwl_fourier(kn, va, k)  # (S + P*2*H*S, K)
    c0 = coef[:s]
    st = perturbation_statistics(c0, coef[s:].reshape(deltas.size, 2, h, s, k.size))
    # how much of each target coefficient the trained network has: |c_k| vs 1/2
    learned = 1.0 - np.abs(2.0 * c0 * 1j * np.exp(-1j * phases) - 1.0)  # sin → (e^{iφ}/2i)
    rms = np.array([np.sqrt(np.mean(w**2)) for w, _ in trained])
    seconds = time.perf_counter() - t0
    cfg = {"n_samples": n_samples, "depth": depth, "width": width, "steps": steps, "lr": lr,
           "draws": draws, "record_every": record_every, "device": device, "dtype": dtype,
           "noise": "isotropic Gaussian N(0, δ²) on every weight and bias, antithetic "
                    "pairs θ ± δθ"}
    return PerturbationResult(
        frequencies=k, sizes=deltas, seeds=seed_list, coefficients=c0,
        relative_change=st["relative_change"], magnitude_change=st["magnitude_change"],
        magnitude_ratio=st["magnitude_ratio"], magnitude_ratio_se=st["magnitude_ratio_se"],
        magnitude_ratio_se_independent=st["magnitude_ratio_se_independent"],
        coherent_ratio=st["coherent_ratio"],
        rank_correlation=spearman_rows(k, st["relative_change"]),
        magnitude_change_rank_correlation=spearman_rows(k, st["magnitude_change"]),
        decay_rank_correlation=spearman_rows(k, 1.0 - st["magnitude_ratio"]),
        learned_fraction=learned.mean(axis=0), steps=rec.steps,
        layer_spectral=bounds["layer_spectral"].reshape(r_shape + (-1,)),
        lipschitz_measured=lip.reshape(r_shape),
        bound_spectral=bounds["spectral"].reshape(r_shape),
        bound_theta=bounds["theta_inf"].reshape(r_shape),
        bound_max_norm=bounds["max_norm"].reshape(r_shape),
        train_loss=rec.train_loss, parameter_rms=rms, config=cfg, seconds=seconds)


# ----------------------------------------------------------------------------
# §4: the flower manifolds, Experiments 5 and 6


def _petal_list(petals: Sequence[int]) -> np.ndarray:
    out = []
    for p in petals:
        if isinstance(p, bool) or int(p) != p or p < 0:
            raise ValueError(f"petals must be integers ≥ 0, got {p!r}")
        out.append(int(p))
    if len(out) < 2:
        raise ValueError("need at least two petal counts to compare")
    return np.array(out, dtype=np.int64)


@dataclass
class ManifoldResult:
    """Seed 001 Experiment 5 (Fig 8): spectra along the flower curve during training.

    Attributes
    ----------
    petals : np.ndarray
        ``L`` values ``(M,)``.
    delta : np.ndarray
        Δ_F (seed 003 eq 1) of the network along the curve at each ``k``,
        ``(R, M, S, K)``.
    magnitude : np.ndarray
        ``|f̂(k)|/A`` (single-sided DFT over the 1-D grid of ``z``, as Fig 8),
        ``(R, M, S, K)``.
    mse : np.ndarray
        Training loss ``(steps + 1, M, S)``.
    input_frequency : np.ndarray
        Theory: the smallest input frequency whose plane wave reaches manifold
        frequency ``k`` on ``γ_L`` (App. C.7), ``(M, K)``.
    input_radius : np.ndarray
        Measured: the input-space frequency (cycles per unit of x) below which 90 % of the
        non-constant power of the trained network lies, from its 2-D FFT on a 64 × 64 grid
        over [−1.75, 1.75]² (the curves lie in the disc of radius 1.5), ``(M, S)``.
    """

    frequencies: np.ndarray
    petals: np.ndarray
    seeds: list[int]
    steps: np.ndarray
    delta: np.ndarray
    magnitude: np.ndarray
    mse: np.ndarray
    input_frequency: np.ndarray
    input_radius: np.ndarray | None = None
    config: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def final_error(self) -> dict[str, Any]:
        """Δ_F after the last step per (L, k): mean over seeds with its interval."""
        return mean_interval(np.moveaxis(self.delta[-1], 1, 0))  # seeds first: (S, M, K)

    def petal_rank_correlation(self) -> np.ndarray:
        """Spearman(L, final Δ_F) per seed and frequency, ``(S, K)`` (negative: falls with L)."""
        d = np.moveaxis(self.delta[-1], 0, -1)  # (S, K, M)
        return spearman_rows(self.petals, d)

    def payload(self) -> dict[str, Any]:
        """JSON payload of ``ringing simulate manifold``."""
        fe = self.final_error()
        rc = self.petal_rank_correlation()
        rcs = mean_interval(rc, bounds=CORRELATION_RANGE)
        mse = mean_interval(self.mse[-1].T)
        return {
            "frequencies": self.frequencies, "petals": self.petals, "seeds": self.seeds,
            "steps": self.steps,
            "final_delta_mean": fe["mean"], "final_delta_lo": fe["lo"], "final_delta_hi": fe["hi"],
            "petal_rank_correlation_mean": rcs["mean"], "petal_rank_correlation_lo": rcs["lo"],
            "petal_rank_correlation_hi": rcs["hi"],
            "error_falls_with_petals": [bool(h is not None and h < 0) for h in
                                        (rcs["hi"] if rcs["hi"] is not None
                                         else [None] * self.frequencies.size)],
            "final_mse_mean": mse["mean"], "final_mse_lo": mse["lo"], "final_mse_hi": mse["hi"],
            "input_frequency_needed": self.input_frequency,
            "input_radius_90": None if self.input_radius is None else mean_interval(
                self.input_radius.T),
            "magnitude_curves": self.magnitude.mean(axis=2),
            "config": self.config, "seconds": self.seconds,
        }


def _flower_inputs(petals: np.ndarray, z: np.ndarray, copies: int) -> np.ndarray:
    """``(M·copies, n, 2)`` inputs: each ``γ_L(z)`` repeated for ``copies`` networks."""
    pts = np.stack([flower_curve(z, int(p)) for p in petals])  # M is a handful of curves
    return np.repeat(pts, copies, axis=0)


def manifold_regression(*, petals: Sequence[int] = (0, 4, 10, 16),
                        frequencies: Sequence[float] = (4, 8, 12, 16, 20, 24, 28, 32, 36, 40),
                        n_samples: int = 300, depth: int = 4, width: int = 64,
                        steps: int = 1500, lr: float = 1e-3, seeds: int = 5, seed: int = 0,
                        record_every: int = 50, device: str = "cpu",
                        dtype: str = "float32") -> ManifoldResult:
    """Seed 001 Experiment 5 (§4, App. A.2): regress ``λ(z)`` given on the flower ``γ_L``.

    ``λ(z) = Σ_k sin(2πkz + φ_k)`` (equal amplitudes, phases per seed), sampled at
    ``n_samples`` evenly spaced ``z`` in [0, 1) and mapped to the plane by
    ``γ_L``; a ReLU MLP ``2 → width^depth → 1`` (PyTorch default initialisation,
    full-batch Adam) is trained on ``(γ_L(z_j), λ(z_j))``.  The paper: 6 × 256,
    ``k = 20, 40, …, 200``, 1000 points, 50000 steps, 10 runs; the defaults here
    are a reduced version that runs in minutes on two CPU cores.  Every
    ``(L, seed)`` network is in one batch; the same seed gives the same
    initialisation and phases for every ``L``.
    """
    steps = validate_steps(steps)
    n_samples = positive_int(n_samples, "n_samples")
    k = check_nyquist(frequencies, n_samples)
    if np.any(k <= 0):
        raise ValueError("frequencies must be positive")
    pet = _petal_list(petals)
    seed_list = make_seed_list(seeds, seed)
    s, m = len(seed_list), pet.size
    z = np.arange(n_samples) / n_samples
    phases = np.stack([np.random.default_rng(v).uniform(0, 2 * np.pi, k.size) for v in seed_list])
    y1 = sine_mixture(z, k, np.ones(k.size), phases)  # (S, n)
    y = np.tile(y1, (m, 1))  # network index = petal * S + seed
    x = _flower_inputs(pet, z, s)
    widths = [2] + [positive_int(width, "width")] * positive_int(depth, "depth") + [1]
    model = BatchedMLP(widths, "relu", seed_list * m, init="torch", device=device, dtype=dtype)
    t0 = time.perf_counter()
    rec = train_full_batch(model, x, y, steps=steps, lr=lr, record_every=record_every,
                           desc="manifold (Exp. 5)")
    assert rec.train_outputs is not None
    f_t = nonuniform_dft(z, y, k, (0.0, 1.0))  # (M*S, K)
    f_m = nonuniform_dft(z, rec.train_outputs, k, (0.0, 1.0))  # (R, M*S, K)
    r = rec.steps.size
    delta = relative_error(f_t[None], f_m).reshape(r, m, s, k.size)
    mag = (2.0 * np.abs(f_m) / n_samples).reshape(r, m, s, k.size)
    need = np.stack([np.asarray(manifold_input_frequency(k, int(p))) for p in pet])
    radius = _input_power_radius(model).reshape(m, s)
    cfg = {"n_samples": n_samples, "widths": widths, "steps": steps, "lr": lr,
           "record_every": record_every, "device": device, "dtype": dtype}
    return ManifoldResult(frequencies=k, petals=pet, seeds=seed_list, steps=rec.steps,
                          delta=delta, magnitude=mag,
                          mse=rec.train_loss.reshape(-1, m, s), input_frequency=need,
                          input_radius=radius, config=cfg, seconds=time.perf_counter() - t0)


def _input_power_radius(model: BatchedMLP, grid: int = 64, half_width: float = 1.75,
                        fraction: float = 0.9) -> np.ndarray:
    """Input-space frequency below which ``fraction`` of each 2-D network's power lies.

    The networks are evaluated on a ``grid × grid`` lattice over ``[−h, h]²`` (one batched
    forward pass), their mean removed, a Hann-windowed 2-D FFT taken per network, and the
    power accumulated in order of radial frequency ``‖ν‖`` (cycles per unit of x).
    """
    t = np.linspace(-half_width, half_width, grid, endpoint=False)
    pts = np.stack(np.meshgrid(t, t, indexing="ij"), axis=-1).reshape(-1, 2)
    p0 = next(model.parameters())
    with torch.no_grad():
        out = model(torch.as_tensor(pts, dtype=p0.dtype, device=p0.device))
    f = out.double().cpu().numpy().reshape(-1, grid, grid)
    f = f - f.mean(axis=(1, 2), keepdims=True)
    win = np.hanning(grid)
    power = np.abs(np.fft.fft2(f * win[:, None] * win[None, :])) ** 2
    nu = np.fft.fftfreq(grid, d=t[1] - t[0])
    rad = np.sqrt(nu[:, None] ** 2 + nu[None, :] ** 2).reshape(-1)
    order = np.argsort(rad, kind="stable")
    cum = np.cumsum(power.reshape(power.shape[0], -1)[:, order], axis=1)
    idx = np.argmax(cum >= fraction * cum[:, -1:], axis=1)
    return np.asarray(rad[order][idx])


@dataclass
class ManifoldClassificationResult:
    """Seed 001 Experiment 6 (Fig 9): accuracy over (frequency, petals) after fixed steps.

    ``accuracy`` ``(K, M, S)`` on held-out points of the curve (the midpoints
    between training samples); ``train_accuracy`` the same on the training points.
    """

    frequencies: np.ndarray
    petals: np.ndarray
    seeds: list[int]
    accuracy: np.ndarray
    train_accuracy: np.ndarray
    input_frequency: np.ndarray
    config: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def petal_rank_correlation(self) -> np.ndarray:
        """Spearman(L, accuracy) per seed and frequency, ``(S, K)`` (positive: rises with L)."""
        return spearman_rows(self.petals, np.moveaxis(self.accuracy, 2, 0))

    def payload(self) -> dict[str, Any]:
        """JSON payload of ``ringing simulate manifold-classify``."""
        acc = mean_interval(np.moveaxis(self.accuracy, 2, 0))
        rc = self.petal_rank_correlation()
        # frequencies where some L is not yet perfect: there the order means something
        open_k = np.any(self.accuracy.mean(axis=2) < 0.999, axis=1)
        rcm = np.nanmean(rc[:, open_k], axis=1) if open_k.any() else np.full(rc.shape[0], np.nan)
        pooled = (mean_interval(rcm[:, None], bounds=CORRELATION_RANGE)
                  if np.all(np.isfinite(rcm)) else None)
        return {
            "frequencies": self.frequencies, "petals": self.petals, "seeds": self.seeds,
            "accuracy_mean": acc["mean"], "accuracy_lo": acc["lo"], "accuracy_hi": acc["hi"],
            "train_accuracy_mean": self.train_accuracy.mean(axis=2),
            # undefined (null) where a seed's accuracies are all equal: no order to rank
            "petal_rank_correlation_per_seed": [[float(v) if np.isfinite(v) else None
                                                 for v in row] for row in rc],
            "petal_rank_correlation_pooled": None if pooled is None else {
                k: None if v is None else float(np.asarray(v)[0]) for k, v in pooled.items()},
            "input_frequency_needed": self.input_frequency,
            "config": self.config, "seconds": self.seconds,
        }


def _bce(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-network binary cross-entropy on logits (PyTorch's BCEWithLogitsLoss, seed 001)."""
    return torch.nn.functional.binary_cross_entropy_with_logits(
        out, target, reduction="none").mean(dim=1)


def manifold_classification(*, petals: Sequence[int] = (0, 2, 4, 8, 16),
                            frequencies: Sequence[float] = (4, 8, 12, 16, 20, 24, 28, 32),
                            n_samples: int = 256, depth: int = 4, width: int = 32,
                            steps: int = 400, lr: float = 1e-3, seeds: int = 3, seed: int = 0,
                            device: str = "cpu", dtype: str = "float32",
                            ) -> ManifoldClassificationResult:
    """Seed 001 Experiment 6 (§4, Fig 9): classify ``1[sin(2πkz) > 0]`` on ``γ_L``.

    Experiment 5 with a single frequency and the target thresholded at 0, trained
    with binary cross-entropy on logits for ``steps`` full-batch Adam steps; the
    heat map is the accuracy on the midpoints ``z_j + 1/(2n)`` (never trained on)
    for each ``(k, L)``.  All ``K × M × S`` networks are one batch.
    """
    steps = validate_steps(steps)
    n_samples = positive_int(n_samples, "n_samples")
    k = check_nyquist(frequencies, n_samples)
    pet = _petal_list(petals)
    seed_list = make_seed_list(seeds, seed)
    s, m = len(seed_list), pet.size
    z = (np.arange(n_samples) + 0.25) / n_samples  # away from the sign changes at j/(2k)
    z_test = z + 0.5 / n_samples
    lab = (np.sin(2 * np.pi * k[:, None] * z[None]) > 0).astype(np.float64)  # (K, n)
    lab_test = (np.sin(2 * np.pi * k[:, None] * z_test[None]) > 0).astype(np.float64)
    # network index = (k, L, seed) in C order
    y = np.repeat(lab, m * s, axis=0)
    x = np.tile(_flower_inputs(pet, z, s), (k.size, 1, 1))
    x_test = np.tile(_flower_inputs(pet, z_test, s), (k.size, 1, 1))
    widths = [2] + [positive_int(width, "width")] * positive_int(depth, "depth") + [1]
    model = BatchedMLP(widths, "relu", seed_list * (m * k.size), init="torch", device=device,
                       dtype=dtype)
    t0 = time.perf_counter()
    rec = train_full_batch(model, x, y, steps=steps, lr=lr, record_every=steps,
                           loss_fn=_bce, desc="manifold (Exp. 6)")
    assert rec.train_outputs is not None
    with torch.no_grad():
        p0 = next(model.parameters())
        out_test = model(torch.as_tensor(x_test, dtype=p0.dtype, device=p0.device))
    pred_test = out_test.double().cpu().numpy() > 0
    pred_train = rec.train_outputs[-1] > 0
    shape = (k.size, m, s)
    acc = (pred_test == np.repeat(lab_test, m * s, axis=0).astype(bool)).mean(axis=1)
    acc_train = (pred_train == y.astype(bool)).mean(axis=1)
    need = np.stack([np.asarray(manifold_input_frequency(k, int(p))) for p in pet], axis=1)
    cfg = {"n_samples": n_samples, "widths": widths, "steps": steps, "lr": lr,
           "device": device, "dtype": dtype, "loss": "BCE with logits"}
    return ManifoldClassificationResult(
        frequencies=k, petals=pet, seeds=seed_list, accuracy=acc.reshape(shape),
        train_accuracy=acc_train.reshape(shape), input_frequency=need, config=cfg,
        seconds=time.perf_counter() - t0)


# ----------------------------------------------------------------------------
# §3.2 Experiment 3 on image data


def digits_pixels(classes: Sequence[int] = (0, 1)) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8×8 digits of two ``classes``: pixels / 16 in [0, 1] and labels 0/1.

    Raw intensities (not standardised) so that ``‖x‖`` is a pixel-space radius as
    for seed 001's MNIST; the label is 1 for the second class.  Ships with
    scikit-learn; nothing is downloaded.
    """
    from sklearn.datasets import load_digits

    c = [int(v) for v in classes]
    if len(c) != 2 or c[0] == c[1] or not all(0 <= v <= 9 for v in c):
        raise ValueError(f"classes must be two different digits 0-9, got {list(classes)!r}")
    raw = load_digits()
    keep = np.isin(raw.target, c)
    x = np.asarray(raw.data[keep], dtype=np.float64) / 16.0
    y = (raw.target[keep] == c[1]).astype(np.float64)
    return x, y


def graph_dirichlet_ratio(x: np.ndarray, values: np.ndarray, neighbours: int = 10) -> np.ndarray:
    """How fast functions vary *along the data*: the Dirichlet energy on the ``neighbours``-
    nearest-neighbour graph of the points ``x`` ``(n, d)`` over twice the variance,

    ``E(f) = mean_{i, j ∈ N(i)} (f_i − f_j)² / (2 · mean_i (f_i − f̄)²)``,

    for each row of ``values`` ``(..., n)``.  0 for a function constant on every
    neighbourhood (a label of well-separated classes), about 1 for values independent of
    their neighbours (white noise), in between for smooth functions: the data-relative
    frequency of seed 001 Experiment 3's noise and label (a graph-Laplacian Rayleigh
    quotient; the radial count ``k·spread(‖x‖)/2π`` ignores how the data sit in space).
    Vectorised over rows; the neighbour lists come from one distance matrix.
    """
    pts = np.asarray(x, dtype=np.float64)
    f = np.asarray(values, dtype=np.float64)
    n = pts.shape[0]
    m = positive_int(neighbours, "neighbours")
    if pts.ndim != 2 or f.shape[-1] != n or not 1 <= m < n:
        raise ValueError(f"need x (n, d), values (..., n) and 1 ≤ neighbours < n; got "
                         f"x {pts.shape}, values {f.shape}, neighbours {m}")
    sq = (pts**2).sum(axis=1)
    d2 = sq[:, None] + sq[None] - 2.0 * pts @ pts.T
    np.fill_diagonal(d2, np.inf)
    nn = np.argpartition(d2, m - 1, axis=1)[:, :m]  # (n, m)
    fc = f - f.mean(axis=-1, keepdims=True)
    num = ((fc[..., :, None] - fc[..., nn]) ** 2).mean(axis=(-2, -1))
    den = 2.0 * (fc**2).mean(axis=-1)
    return np.divide(num, den, out=np.zeros(num.shape), where=den > 0)


@dataclass
class DigitsNoiseResult:
    """Seed 001 Experiment 3 (Fig 4): validation curves with radial-wave noise.

    ``val_loss`` ``(R, F, A, S)``: MSE against the clean labels on the held-out
    half, for noise frequencies ``k`` (F) and amplitudes ``β`` (A).  Two measures of the
    dip: ``dip`` = ``final − min`` (how far the curve climbs back after its best point)
    and ``dip_depth`` = the depth of the valley relative to its lower rim,
    ``(min(v_0, v_T) − min_t v_t) / min(v_0, v_T)`` — 0 when the curve falls or rises
    monotonically (no dip), 1 when it touches 0 in between.  ``oscillations``: radial
    oscillations of the noise across the data, ``k·(max‖x‖ − min‖x‖)/2π``;
    ``noise_energy`` / ``label_energy``: their data-relative frequency
    (:func:`graph_dirichlet_ratio` on the images; the mean is removed first, so the
    same for the raw and the standardised wave); ``noise_offset_share``: the part of the
    raw wave's mean square that is its mean over the images, ``mean² / mean(sin²)``,
    ``(F,)`` (the constant offset a raw low-``k`` wave adds to the target).
    """

    noise_frequencies: np.ndarray
    amplitudes: np.ndarray
    seeds: list[int]
    steps: np.ndarray
    val_loss: np.ndarray
    train_loss: np.ndarray
    norm_range: tuple[float, float]
    noise_energy: np.ndarray = field(default_factory=lambda: np.zeros(0))
    label_energy: float = 0.0
    noise_offset_share: np.ndarray = field(default_factory=lambda: np.zeros(0))
    config: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def oscillations(self) -> np.ndarray:
        """Radial oscillations of ``sin(k‖x‖)`` across the data, ``k·spread(‖x‖)/2π``, ``(F,)``."""
        return self.noise_frequencies * (self.norm_range[1] - self.norm_range[0]) / (2 * np.pi)

    @property
    def dip(self) -> np.ndarray:
        """``final − min`` of each validation curve, ``(F, A, S)``."""
        return self.val_loss[-1] - self.val_loss.min(axis=0)

    @property
    def dip_depth(self) -> np.ndarray:
        """Valley depth relative to its lower rim, ``(min(v_0, v_T) − min v)/min(v_0, v_T)``,
        ``(F, A, S)``: 0 without a dip, 1 at most."""
        rim = np.minimum(self.val_loss[0], self.val_loss[-1])
        drop = rim - self.val_loss.min(axis=0)
        return np.divide(drop, rim, out=np.zeros(drop.shape), where=rim > 0)

    @property
    def best(self) -> np.ndarray:
        """Best validation loss ``(F, A, S)``."""
        return self.val_loss.min(axis=0)

    @property
    def half_rise_step(self) -> np.ndarray:
        """First recorded step after the minimum where the validation loss has climbed half way
        back, ``best + (final − best)/2``: how long the early-stopping window stays open
        (the time the network takes to fit the noise), ``(F, A, S)``; the last step if never.
        """
        v = self.val_loss
        r = np.arange(v.shape[0]).reshape((-1,) + (1,) * (v.ndim - 1))
        after = r > v.argmin(axis=0)[None]
        above = after & (v >= (self.best + self.dip / 2)[None])
        first = np.where(above.any(axis=0), above.argmax(axis=0), v.shape[0] - 1)
        return self.steps[first]

    def depth_rank_correlation(self) -> list[dict[str, Any] | None]:
        """Spearman(k, dip depth) per amplitude: mean over seeds with its interval; ``None`` for
        an amplitude where some seed's depths are all equal (no ranking, e.g. no dip at all)."""
        rho = spearman_rows(self.noise_frequencies, np.moveaxis(self.dip_depth, 0, -1))  # (A, S)
        out: list[dict[str, Any] | None] = []
        for row in rho:
            if not np.all(np.isfinite(row)) or row.size < 2:
                out.append(None)
                continue
            m, lo, hi = mean_ci(row, bounds=CORRELATION_RANGE)
            out.append({"mean": m, "lo": lo, "hi": hi})
        return out

    def payload(self) -> dict[str, Any]:
        """JSON payload of ``ringing simulate digits-noise``."""
        dip = mean_interval(np.moveaxis(self.dip, 2, 0))
        depth = mean_interval(np.moveaxis(self.dip_depth, 2, 0))
        rel = mean_interval(np.moveaxis(self.dip / self.best, 2, 0))
        best = mean_interval(np.moveaxis(self.best, 2, 0))
        rise = mean_interval(np.moveaxis(self.half_rise_step.astype(np.float64), 2, 0))
        dr = (self.depth_rank_correlation() if self.noise_frequencies.size >= 3 else None)
        lowest = (None if depth["lo"] is None
                  else [bool(lo <= 0 <= hi) for lo, hi in zip(depth["lo"][0], depth["hi"][0],
                                                              strict=True)])
        return {
            "noise_frequencies": self.noise_frequencies, "amplitudes": self.amplitudes,
            "seeds": self.seeds, "steps": self.steps,
            "norm_range": list(self.norm_range),
            "phase_span": self.noise_frequencies * (self.norm_range[1] - self.norm_range[0]),
            "oscillations": self.oscillations,
            "noise_graph_energy": self.noise_energy, "label_graph_energy": self.label_energy,
            "noise_offset_share": self.noise_offset_share,
            "dip_mean": dip["mean"], "dip_lo": dip["lo"], "dip_hi": dip["hi"],
            "dip_relative_mean": rel["mean"],
            "dip_depth_mean": depth["mean"], "dip_depth_lo": depth["lo"],
            "dip_depth_hi": depth["hi"],
            "no_dip_at_lowest_frequency": lowest,
            "depth_rank_correlation": dr,
            "best_val_mean": best["mean"], "best_val_lo": best["lo"], "best_val_hi": best["hi"],
            "final_val_mean": self.val_loss[-1].mean(axis=-1),
            "half_rise_step_mean": rise["mean"], "half_rise_step_lo": rise["lo"],
            "half_rise_step_hi": rise["hi"],
            "val_curves": self.val_loss.mean(axis=-1),
            "config": self.config, "seconds": self.seconds,
        }


def digits_noise(*, noise_frequencies: Sequence[float] = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0),
                 amplitudes: Sequence[float] = (0.5, 1.0), classes: Sequence[int] = (0, 1),
                 standardize: bool = False, depth: int = 3, width: int = 64, steps: int = 1000,
                 lr: float = 2e-4, seeds: int = 5, seed: int = 0, record_every: int = 10,
                 device: str = "cpu", dtype: str = "float32") -> DigitsNoiseResult:
    """Seed 001 Experiment 3 (§3.2, Fig 4) on scikit-learn's digits.

    Target ``τ(x) + β sin(k‖x‖)`` with ``τ`` the 0/1 label of two classes
    (:func:`digits_pixels`), ``‖x‖`` the Euclidean norm of the pixel vector (the
    radial wave of the paper, as is by default); a ReLU MLP (``depth × width``,
    PyTorch default initialisation) is trained by full-batch Adam with MSE on a
    random half of the images, and the validation loss is the MSE against the
    *clean* ``τ`` on the other half.

    ``standardize`` (an ablation, not the paper's set-up) subtracts the wave's mean
    over the images — its zero-frequency part, a constant offset: over digits 0/1
    (norms in [2.9, 4.8]) the raw wave at ``k = 0.1`` is 99 % offset
    (``noise_offset_share``), which the network fits with the mean of the label —
    and divides by its RMS, so that ``β`` is the same noise power at every ``k``.
    The default ``k`` run from 0.03 to 9 radial oscillations across digits 0/1
    (``k = 0.1 … 30``); the noise's and the label's frequency along the data are
    measured beside the curves (:func:`graph_dirichlet_ratio`).  The paper used
    MNIST and a 6 × 256 network; the defaults here are reduced.  Every
    ``(k, β, seed)`` network is one batch; seed ``s`` draws the same split and
    initialisation for every ``(k, β)``.
    """
    steps = validate_steps(steps)
    kf = np.array([positive_float(v, "noise frequency") for v in noise_frequencies])
    amp = np.array([positive_float(v, "noise amplitude") for v in amplitudes])
    seed_list = make_seed_list(seeds, seed)
    s = len(seed_list)
    x, lab = digits_pixels(classes)
    n = x.shape[0]
    split = np.stack([np.random.default_rng([v, 3]).permutation(n) for v in seed_list])
    n_tr = n // 2
    tr, va = split[:, :n_tr], split[:, n_tr:]
    norms = np.linalg.norm(x, axis=1)
    noise = np.sin(kf[:, None] * norms[None])  # (F, n)
    offset_share = noise.mean(axis=1) ** 2 / (noise**2).mean(axis=1)
    if standardize:  # zero mean, unit RMS over the images: β is the noise's RMS amplitude
        noise = noise - noise.mean(axis=1, keepdims=True)
        noise = noise / np.sqrt((noise**2).mean(axis=1, keepdims=True))
    target = lab[None, None] + amp[None, :, None] * noise[:, None, :]  # (F, A, n)
    nf, na = kf.size, amp.size
    # network index = (k, β, seed); per-network training/validation points
    tr_b = np.tile(tr, (nf * na, 1))
    va_b = np.tile(va, (nf * na, 1))
    y = np.take_along_axis(np.repeat(target.reshape(nf * na, n), s, axis=0), tr_b, axis=1)
    widths = [x.shape[1]] + [positive_int(width, "width")] * positive_int(depth, "depth") + [1]
    model = BatchedMLP(widths, "relu", seed_list * (nf * na), init="torch", device=device,
                       dtype=dtype)
    t0 = time.perf_counter()
    rec = train_full_batch(model, x[tr_b], y, steps=steps, lr=lr, record_every=record_every,
                           eval_x=x[va_b], desc="digits noise (Exp. 3)")
    assert rec.eval_outputs is not None
    val = ((rec.eval_outputs - lab[va_b][None]) ** 2).mean(axis=2)  # (R, B)
    energy = graph_dirichlet_ratio(x, np.concatenate([noise, lab[None]]))
    r = rec.steps.size
    cfg = {"classes": list(classes), "n_train": int(n_tr), "n_val": int(n - n_tr),
           "standardize": bool(standardize),
           "widths": widths, "steps": steps, "lr": lr, "record_every": record_every,
           "device": device, "dtype": dtype,
           "data": "scikit-learn digits 8x8 (stand-in for MNIST; pixels/16)"}
    return DigitsNoiseResult(
        noise_frequencies=kf, amplitudes=amp, seeds=seed_list, steps=rec.steps,
        val_loss=val.reshape(r, nf, na, s),
        train_loss=rec.train_loss.reshape(-1, nf, na, s),
        norm_range=(float(norms.min()), float(norms.max())), noise_energy=energy[:-1],
        label_energy=float(energy[-1]), noise_offset_share=offset_share, config=cfg,
        seconds=time.perf_counter() - t0)



# ----------------------------------------------------------------------------
# figures (matplotlib through ringing.validate.plotting; experiments may use validate)


def _fig(ncols: int, width: float = 4.2, height: float = 3.2) -> tuple[Any, Any]:
    from ringing.validate.plotting import pyplot

    fig, axes = pyplot().subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    return fig, axes[0]


def _save(fig: Any, path: str) -> str:
    from ringing.validate.plotting import save_figure

    return str(save_figure(fig, path, dpi=80))


def figure_perturbation(res: PerturbationResult, path: str) -> str:
    """Seed 001 Fig 3 / Fig 1 analogue: magnitude ratio per (δ, k); the perturbation's own
    spectrum; spectral norms; eq 7."""
    fig, ax = _fig(4)
    im = ax[0].imshow(res.magnitude_ratio.mean(axis=1), aspect="auto", origin="lower",
                      cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    ax[0].set_xticks(range(res.frequencies.size), [f"{k:g}" for k in res.frequencies])
    ax[0].set_yticks(range(res.sizes.size), [f"{d:g}" for d in res.sizes])
    ax[0].set_xlabel("frequency k")
    ax[0].set_ylabel("perturbation std δ")
    ax[0].set_title("|c_k(θ+δθ)|/|c_k(θ)| (clipped to [0,1])")
    fig.colorbar(im, ax=ax[0])
    absolute = res.relative_change * np.abs(res.coefficients)[None]
    for i, d in enumerate(res.sizes):
        ax[1].semilogy(res.frequencies, absolute[i].mean(axis=0) / d, "o-", ms=3,
                       label=f"δ = {d:g}")
    ax[1].set_xlabel("frequency k")
    ax[1].set_ylabel("E|c_k(θ+δθ) − c_k(θ)| / δ")
    ax[1].set_title("the perturbation's own spectrum")
    ax[1].legend(fontsize=6)
    for li in range(res.layer_spectral.shape[-1]):
        ax[2].plot(res.steps, res.layer_spectral[:, :, li].mean(axis=1), label=f"layer {li + 1}")
    ax[2].set_xlabel("step")
    ax[2].set_ylabel("‖W_l‖₂ (mean over seeds)")
    ax[2].set_title("spectral norms (Fig 1)")
    ax[2].legend(fontsize=6)
    ax[3].semilogy(res.steps, res.lipschitz_measured.mean(axis=1), "k-", label="exact Lipschitz")
    ax[3].semilogy(res.steps, res.bound_spectral.mean(axis=1), "b--", label="Π‖W_l‖₂")
    ax[3].semilogy(res.steps, res.bound_max_norm.mean(axis=1), "r:", label="Π√(n n')‖W‖max")
    ax[3].set_xlabel("step")
    ax[3].set_title("eq 7 along the run")
    ax[3].legend(fontsize=6)
    return _save(fig, path)


def figure_manifold(res: ManifoldResult, path: str) -> str:
    """Seed 001 Fig 8 analogue: final Δ_F per k for each L, and the loss curves."""
    fig, ax = _fig(2)
    fe = res.final_error()
    for j, p in enumerate(res.petals):
        err = (None if fe["lo"] is None or fe["hi"] is None
               else np.stack([fe["mean"][j] - fe["lo"][j], fe["hi"][j] - fe["mean"][j]]))
        ax[0].errorbar(res.frequencies, fe["mean"][j], yerr=err, capsize=2,
                       label=f"L = {int(p)}")
        ax[1].semilogy(np.arange(res.mse.shape[0]), res.mse[:, j].mean(axis=1),
                       label=f"L = {int(p)}")
    ax[0].set_xlabel("frequency k on the curve")
    ax[0].set_ylabel(f"Δ_F after {res.config.get('steps')} steps")
    ax[0].set_title("Experiment 5: error falls with petals L")
    ax[0].legend(fontsize=7)
    ax[1].set_xlabel("step")
    ax[1].set_ylabel("training MSE")
    ax[1].legend(fontsize=7)
    return _save(fig, path)


def figure_manifold_classification(res: ManifoldClassificationResult, path: str) -> str:
    """Seed 001 Fig 9 analogue: held-out accuracy over (L, k)."""
    fig, ax = _fig(1, 5.0, 3.6)
    acc = res.accuracy.mean(axis=2).T  # (M, K)
    im = ax[0].imshow(acc, aspect="auto", origin="lower", cmap="magma", vmin=0.5, vmax=1.0,
                      interpolation="nearest")
    ax[0].set_xticks(range(res.frequencies.size), [f"{k:g}" for k in res.frequencies])
    ax[0].set_yticks(range(res.petals.size), [str(int(p)) for p in res.petals])
    ax[0].set_xlabel("frequency k")
    ax[0].set_ylabel("petals L")
    ax[0].set_title("Experiment 6: held-out accuracy")
    fig.colorbar(im, ax=ax[0])
    return _save(fig, path)


def figure_digits_noise(res: DigitsNoiseResult, path: str) -> str:
    """Seed 001 Fig 4 analogue: validation loss against the clean labels, per (k, β); the dip
    depth against the noise's radial oscillations across the data."""
    fig, ax = _fig(res.amplitudes.size + 1)
    for j, b in enumerate(res.amplitudes):
        for i, k in enumerate(res.noise_frequencies):
            ax[j].semilogy(res.steps, res.val_loss[:, i, j].mean(axis=-1), label=f"k = {k:g}")
        ax[j].set_xlabel("step")
        ax[j].set_ylabel("validation MSE (clean labels)")
        ax[j].set_title(f"β = {b:g}")
        ax[j].legend(fontsize=7)
    st = mean_interval(np.moveaxis(res.dip_depth, 2, 0))
    osc = res.oscillations
    for j, b in enumerate(res.amplitudes):
        err = (None if st["lo"] is None or st["hi"] is None
               else np.stack([st["mean"][:, j] - st["lo"][:, j],
                              st["hi"][:, j] - st["mean"][:, j]]))
        ax[-1].errorbar(osc, st["mean"][:, j], yerr=err, capsize=2, marker="o", ms=3,
                        label=f"β = {b:g}")
    ax[-1].set_xscale("log")
    ax[-1].axhline(0.0, color="k", lw=0.5)
    ax[-1].set_xlabel("radial oscillations across the data, k·spread‖x‖/2π")
    ax[-1].set_ylabel("dip depth (valley / lower rim)")
    ax[-1].set_title("dip depth against noise frequency")
    ax[-1].legend(fontsize=7)
    return _save(fig, path)
