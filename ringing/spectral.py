"""Spectra and signals shared by theory and simulation (below both; numpy only, never torch).

* Spectral summaries of a power spectrum (seed 000 §3.1–3.4; conventions in
  :mod:`ringing.theory.harmonics`): :func:`normalise_power`, :func:`spectral_centroid`,
  :func:`spectral_bandwidth`, :func:`fractal_exponent` (seed 000 eq 3).
* The frequency-principle targets and their spectra (seed 003, Xu, Zhang & Xiao, §2.1, §3;
  seed 001, Rahaman et al., §3): :func:`quantized_target` (eq 2), :func:`sine_mixture`,
  :func:`nonuniform_dft`, :func:`spectrum_peaks`, :func:`relative_error` (eq 1),
  :func:`check_nyquist`.

The theory (:mod:`ringing.theory.harmonics`, :mod:`ringing.theory.fourier`, which re-export
these names) and the simulation (:mod:`ringing.simulate.walks`, :mod:`ringing.simulate.training`)
measure and predict with the same definitions; neither imports the other for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ringing.activations import Activation, get_activation
from ringing.checks import positive_float

__all__ = [
    "default_kmax",
    "normalise_power",
    "spectral_centroid",
    "spectral_bandwidth",
    "FractalFit",
    "fractal_exponent",
    "validate_interval",
    "validate_alpha",
    "round_half_away",
    "quantized_target",
    "nyquist_limit",
    "check_nyquist",
    "nonuniform_dft",
    "sine_mixture",
    "spectrum_peaks",
    "relative_error",
]


# ----------------------------------------------------------------------------
# spectral summaries


def _as_power(power: Any) -> np.ndarray:
    p = np.asarray(power, dtype=float)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"power must have a non-empty frequency axis, got shape {p.shape}")
    if not np.all(np.isfinite(p)):
        raise ValueError("power contains non-finite values")
    if np.any(p < 0):
        raise ValueError(f"power must be non-negative (min {p.min():.3g})")
    return p


def _freqs(p: np.ndarray, k: Any) -> np.ndarray:
    if k is None:
        return np.arange(1, p.shape[-1] + 1, dtype=float)
    kk = np.asarray(k, dtype=float)
    if kk.shape != (p.shape[-1],):
        raise ValueError(f"k has shape {kk.shape}, expected ({p.shape[-1]},) to match power")
    return kk


def normalise_power(power: Any) -> np.ndarray:
    """Divide a power spectrum by its total over the last (frequency) axis.

    Parameters
    ----------
    power
        Non-negative array, last axis = frequency ``k = 1..K`` (DC removed).

    Returns
    -------
    np.ndarray
        ``P / sum(P)`` along the last axis; a spectrum that is identically zero stays zero
        (no NaN is returned).
    """
    p = _as_power(power)
    tot = p.sum(axis=-1, keepdims=True)
    safe = np.where(tot > 0, tot, 1.0)
    return np.asarray(p / safe)


def spectral_centroid(power: Any, k: Any = None) -> float | np.ndarray:
    """Spectral centroid ``sum_k k P_k / sum_k P_k`` over the last axis (seed 000 §3.3's
    "bump that travels towards higher frequencies", summarised by its mean frequency).

    Parameters
    ----------
    power
        Non-negative array, last axis = frequency; frequencies ``k`` default to ``1..K``.
    k
        Optional frequencies of the last axis.

    Returns
    -------
    float or np.ndarray
        A float for a 1-D spectrum, an array over the leading axes otherwise.  A spectrum that
        is identically zero has centroid 0.
    """
    p = normalise_power(power)
    kk = _freqs(p, k)
    c = (p * kk).sum(axis=-1)
    return float(c) if np.ndim(c) == 0 else np.asarray(c)


def spectral_bandwidth(power: Any, k: Any = None) -> float | np.ndarray:
    """Spectral bandwidth: the standard deviation of ``k`` under the normalised spectrum,
    ``sqrt(sum_k (k - c)^2 P_k / sum_k P_k)`` with ``c`` the :func:`spectral_centroid`."""
    p = normalise_power(power)
    kk = _freqs(p, k)
    c = (p * kk).sum(axis=-1, keepdims=True)
    var = (p * (kk - c) ** 2).sum(axis=-1)
    b = np.sqrt(np.maximum(var, 0.0))
    return float(b) if np.ndim(b) == 0 else np.asarray(b)


@dataclass(frozen=True)
class FractalFit:
    """A power-law fit ``E|z_k|^2 ~ C k^(-2h)`` (amplitude ``~ k^-h``, seed 000 eq 3).

    Attributes
    ----------
    h
        Fractal exponent (amplitude convention, see the module docstring).
    h_ci
        95 % confidence interval ``(lo, hi)`` of ``h`` from the least-squares fit (Student t on
        the slope's standard error; the residuals' scatter, i.e. the misfit of the power law,
        is what it measures).
    h_se
        Standard error of ``h``.
    log_amplitude
        Intercept ``log C`` of the fit of ``log P_k``.
    kmin, kmax
        The fitted frequency range (inclusive).
    r_squared
        Coefficient of determination of the log-log line (1 = an exact power law).
    n
        Number of frequencies used (those with ``P_k > 0`` in range).
    """

    h: float | np.ndarray
    h_ci: tuple[Any, Any]
    h_se: float | np.ndarray
    log_amplitude: float | np.ndarray
    kmin: int
    kmax: int
    r_squared: float | np.ndarray
    n: int
    convention: str = field(default="amplitude: sqrt(E|z_k|^2) ~ k^-h, power ~ k^(-2h)")


def default_kmax(points: int) -> int:
    """Top of the default fractal-exponent fit range for a walk of ``points`` samples:
    ``min(25, points // 2)`` (the walk simulation and the prediction use the same range, so
    their ``h`` compare like with like)."""
    return min(25, int(points) // 2)


def fractal_exponent(power: Any, k: Any = None, kmin: int = 1, kmax: int | None = None,
                     confidence: float = 0.95, floor: float = 1e-12) -> FractalFit:
    """Fit the fractal exponent ``h`` of seed 000 eq 3 to a power spectrum.

    Least squares of ``log P_k`` on ``log k`` over ``kmin <= k <= kmax``; ``h = -slope / 2``
    (amplitude convention: ``sqrt(P_k) ~ k^-h``, so B.2's first ReLU layer on a segment has
    ``h = 1``).  Leading axes of ``power`` are fitted independently (vectorised); in each
    spectrum the frequencies with ``P_k <= floor * max_k P_k`` (zeros, round-off) are left out.

    Parameters
    ----------
    power
        Non-negative array, last axis = frequency (default ``k = 1..K``, DC removed).
    k
        Optional frequencies of the last axis.
    kmin, kmax
        Inclusive frequency range of the fit; ``kmax=None`` means the largest ``k``.
    confidence
        Level of the interval ``h_ci`` (default 0.95).
    floor
        Relative floor below which a frequency is not fitted (default ``1e-12``).

    Returns
    -------
    FractalFit
        ``h``, ``h_ci=(lo, hi)``, ``h_se``, intercept, range, ``r_squared``, ``n`` (the smallest
        number of fitted frequencies over the spectra).

    Raises
    ------
    ValueError
        If a spectrum has fewer than 3 frequencies above the floor in range (the fit would have
        no error estimate), or a bad range.
    """
    from scipy import stats

    p = _as_power(power)
    kk = _freqs(p, k)
    kmax_v = int(kk.max()) if kmax is None else int(kmax)
    if kmin < 1 or kmax_v < kmin:
        raise ValueError(f"bad fit range kmin={kmin}, kmax={kmax}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence} must be in (0, 1)")
    sel = (kk >= kmin) & (kk <= kmax_v)
    flat = p.reshape(-1, p.shape[-1])
    top = flat.max(axis=-1, keepdims=True)
    flat = flat[:, sel]
    ks = kk[sel]
    w = (flat > floor * top) & (flat > 0)  # per-spectrum mask of fitted frequencies
    n_row = w.sum(axis=-1)
    if n_row.size == 0 or int(n_row.min()) < 3:
        raise ValueError(f"need at least 3 frequencies with positive power in [{kmin}, "
                         f"{kmax_v}] for a power-law fit, got {int(n_row.min(initial=0))}")
    wf = w.astype(float)
    xl = np.broadcast_to(np.log(ks), flat.shape)
    yl = np.log(np.where(w, flat, 1.0))
    xm = (wf * xl).sum(-1) / n_row
    ym = (wf * yl).sum(-1) / n_row
    dx = (xl - xm[:, None]) * wf
    dy = (yl - ym[:, None]) * wf
    sxx = (dx * dx).sum(-1)
    slope = (dx * dy).sum(-1) / sxx
    icpt = ym - slope * xm
    resid = dy - slope[:, None] * dx
    sse = (resid ** 2).sum(-1)
    sst = (dy ** 2).sum(-1)
    r2 = np.where(sst > 0, 1.0 - sse / np.where(sst > 0, sst, 1.0), 1.0)
    se_slope = np.sqrt(sse / (n_row - 2) / sxx)
    tq = stats.t.ppf(0.5 + confidence / 2, n_row - 2)
    h = -slope / 2.0
    h_se = se_slope / 2.0
    lo, hi = h - tq * h_se, h + tq * h_se
    shape = p.shape[:-1]

    def _out(a: np.ndarray) -> float | np.ndarray:
        return float(a[0]) if shape == () else np.asarray(a).reshape(shape)

    return FractalFit(h=_out(h), h_ci=(_out(lo), _out(hi)), h_se=_out(h_se),
                      log_amplitude=_out(icpt), kmin=int(kmin), kmax=kmax_v,
                      r_squared=_out(r2), n=int(n_row.min()))


# ----------------------------------------------------------------------------
# targets and their spectra


def validate_interval(interval: Sequence[float]) -> tuple[float, float]:
    """``(a, b)`` with finite ``a < b``, or a one-line ``ValueError``."""
    try:
        a, b = (float(v) for v in interval)
    except (TypeError, ValueError):
        raise ValueError(f"interval must be two numbers (a, b), got {interval!r}") from None
    if not (np.isfinite(a) and np.isfinite(b) and a < b):
        raise ValueError(f"interval must have finite a < b, got ({a}, {b})")
    return a, b


def validate_alpha(alpha: float) -> float:
    """The quantisation step α of seed 003 eq 2: a finite number > 0."""
    return positive_float(alpha, "alpha")


def round_half_away(v: np.ndarray) -> np.ndarray:
    """Nearest integer, halves away from zero (keeps odd ``f0`` odd after quantising)."""
    v = np.asarray(v, dtype=np.float64)
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def _as_function(f0: str | Activation | Callable[[np.ndarray], np.ndarray],
                 ) -> Callable[[np.ndarray], np.ndarray]:
    if isinstance(f0, (str, Activation)):
        act = get_activation(f0)
        return act.numpy
    if callable(f0):
        return f0
    raise ValueError(f"f0 must be a registry spec or a callable, got {f0!r}")


def quantized_target(f0: str | Activation | Callable[[np.ndarray], np.ndarray], alpha: float,
                     x: np.ndarray, noise: np.ndarray | None = None) -> np.ndarray:
    """``f(x) = α Round((f0(x) + ε)/α)`` (seed 003 eq 2; ε = ``noise``, §4).

    ``f0`` is a registry spec in ``x`` (``"x"``, ``"sin(x)+2*sin(3*x)+3*sin(5*x)"``)
    or a numpy callable.  Rounding is to the nearest integer with halves away
    from zero (the paper does not say how halves go; they are a null set).
    The noise of §4 is added to ``f0(x)`` before quantising, as the paper words
    it ("we add a noise ε on f0(x)").
    """
    a = validate_alpha(alpha)
    xs = np.asarray(x, dtype=np.float64)
    y = np.asarray(_as_function(f0)(xs), dtype=np.float64) * np.ones_like(xs)
    if noise is not None:
        y = y + np.asarray(noise, dtype=np.float64)
    if not np.all(np.isfinite(y)):
        raise ValueError("f0 is not finite on the sample points")
    return a * round_half_away(y / a)


def nyquist_limit(n_samples: int) -> float:
    """Highest frequency index resolved by ``n`` (mean-)uniform samples: ``n/2``."""
    if isinstance(n_samples, bool) or int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"need at least 2 samples, got {n_samples!r}")
    return n_samples / 2.0


def check_nyquist(frequencies: np.ndarray | Sequence[float], n_samples: int) -> np.ndarray:
    """Frequencies as an array, or ``ValueError`` if one is negative or ≥ the Nyquist index.

    A sine at exactly ``n/2`` is sampled at its zeros (up to phase), so ``n/2``
    itself is refused.
    """
    k = np.asarray(frequencies, dtype=np.float64).reshape(-1)
    if k.size == 0:
        raise ValueError("no frequencies given")
    lim = nyquist_limit(n_samples)
    bad = k[(k < 0) | (k >= lim) | ~np.isfinite(k)]
    if bad.size:
        raise ValueError(f"frequency {bad[0]:g} is outside [0, {lim:g}) for {n_samples} "
                         f"samples (Nyquist limit {lim:g})")
    return k


def nonuniform_dft(x: np.ndarray, y: np.ndarray, frequencies: np.ndarray | Sequence[float],
                   interval: Sequence[float]) -> np.ndarray:
    """``F[y](k) = Σ_j y_j exp(−2πi k (x_j − a)/(b − a))`` (seed 003 §2.1), exact direct sum.

    For ``x_j = a + j (b − a)/n`` this is the DFT (``numpy.fft.fft``) at index
    ``k``.  ``y`` has shape ``(..., n)`` and ``x`` shape ``(n,)`` or ``(..., n)``
    (broadcast against ``y``'s batch dimensions: one set of points per network);
    the result is ``(..., m)``.  Cost O(n·m) per row, one batched complex matrix
    product.
    """
    a, b = validate_interval(interval)
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    if xs.ndim == 0 or ys.ndim == 0 or ys.shape[-1] != xs.shape[-1]:
        raise ValueError(f"y has shape {ys.shape} but x has shape {xs.shape}: the last axes "
                         "(samples) must match")
    k = np.asarray(frequencies, dtype=np.float64).reshape(-1)
    u = (xs - a) / (b - a)
    kern = np.exp(-2j * np.pi * u[..., :, None] * k)  # (..., n, m)
    if xs.ndim == 1:
        return ys @ kern
    out: np.ndarray = np.matmul(ys[..., None, :], kern)[..., 0, :]
    return out


def sine_mixture(x: np.ndarray, frequencies: np.ndarray | Sequence[float],
                 amplitudes: np.ndarray | Sequence[float], phases: np.ndarray) -> np.ndarray:
    """``λ(x) = Σ_i A_i sin(2π k_i x + φ_i)`` (seed 001 Experiment 1 / App. A.1).

    ``phases`` may have leading batch dimensions ``(..., K)``; the result is
    ``(..., n)``.
    """
    k = np.asarray(frequencies, dtype=np.float64)
    amp = np.asarray(amplitudes, dtype=np.float64)
    ph = np.asarray(phases, dtype=np.float64)
    xs = np.asarray(x, dtype=np.float64).reshape(-1)
    arg = 2 * np.pi * xs[:, None] * k[None, :]  # (n, K)
    return np.sum(amp * np.sin(arg + ph[..., None, :]), axis=-1)


def spectrum_peaks(magnitude: np.ndarray, frequencies: np.ndarray | Sequence[float], *,
                   n_peaks: int | None = None, min_rise: float = 0.2) -> np.ndarray:
    """Frequencies of the peaks of ``|F[f]|`` (the black dots of seed 003 Fig 3a, 4b).

    A peak is a component at least ``1 + min_rise`` times each of its two
    neighbours (the ends are compared with their single neighbour).  Plain
    local maxima are not enough: for ``f0 = x``, ``α = 0.5`` the spectrum is
    zero at every 8th index and the index just after each zero is a local
    maximum that only echoes ``|F[f0]|`` (1.12–1.15 times its neighbours),
    whereas the paper's 6 peaks among the first 40 components, 1, 4, 12, 20,
    28, 36, stand 1.5–2 times above theirs.  Returns the first ``n_peaks`` in
    ascending frequency.
    """
    m = np.asarray(magnitude, dtype=np.float64).reshape(-1)
    k = np.asarray(frequencies, dtype=np.float64).reshape(-1)
    if m.size != k.size or m.size < 2:
        raise ValueError(f"need matching magnitude/frequency arrays of size ≥ 2, got "
                         f"{m.size} and {k.size}")
    if not (np.isfinite(min_rise) and min_rise >= 0):
        raise ValueError(f"min_rise must be a number ≥ 0, got {min_rise!r}")
    left = np.concatenate([[0.0], m[:-1]])
    right = np.concatenate([m[1:], [0.0]])
    is_peak = (m >= (1.0 + min_rise) * np.maximum(left, right)) & (m > 0)
    peaks = k[is_peak]
    if n_peaks is not None:
        peaks = peaks[:n_peaks]
    if peaks.size == 0:
        raise ValueError("the spectrum has no peak")
    return peaks


def relative_error(f_target: np.ndarray, f_model: np.ndarray, kind: str = "complex",
                   ) -> np.ndarray:
    """``Δ_F(γ) = |F[f](γ) − F[T](γ)| / |F[f](γ)|`` (seed 003 eq 1).

    ``kind="complex"`` is the paper's definition (phase errors count);
    ``kind="magnitude"`` is the variant ``||F[f]| − |F[T]|| / |F[f]|`` used in
    some re-implementations, which is never larger.  Broadcasts.
    """
    ft = np.asarray(f_target)
    fm = np.asarray(f_model)
    den = np.abs(ft)
    if np.any(den == 0):
        raise ValueError("the target spectrum is zero at a requested frequency; Δ_F is "
                         "undefined there (choose peaks of |F[f]|)")
    if kind == "complex":
        num = np.abs(ft - fm)
    elif kind == "magnitude":
        num = np.abs(np.abs(ft) - np.abs(fm))
    else:
        raise ValueError(f"unknown kind {kind!r}; known: complex, magnitude")
    result: Any = num / den
    return np.asarray(result, dtype=np.float64)
