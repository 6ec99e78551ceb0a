"""Harmonic distortion, spectral summaries and the blueshift-through-depth prediction.

Seed 000 (Ringing ReLUs) §3.1–3.4 and Appendices B.1–B.4.

Conventions (shared with the weight-space walk simulation, ``ringing.simulate.walks``)
---------------------------------------------------------------------------------------
* A *power spectrum* is an array whose last axis is frequency ``k = 1..K`` (the DC term
  ``k = 0`` removed, seed 000 §3.1: "excluded in all experiments"), one-sided: ``P_k`` is
  ``E|z_k|^2`` (the conjugate ``z_{-k}`` is not added).  :func:`normalise_power` divides by
  the sum over that axis.
* The fractal exponent ``h`` follows seed 000 eq 3, ``sigma_k ~ k^-h`` for the *amplitude*
  ``sigma_k = sqrt(E|z_k|^2)``; hence the power falls as ``E|z_k|^2 ~ k^(-2h)`` and a
  least-squares line through ``(log k, log P_k)`` has slope ``-2h``.  Under this convention the
  first ReLU layer on an open segment (seed 000 B.2, eq 14: ``|z_k| in O(1/k)``) has ``h = 1``.
  (§3.4 of the paper writes ``|z_k|^2 ~ k^-h`` instead, which would give ``h = 2`` there.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# the spectral summaries are defined below theory and simulation; re-exported here
from ringing.spectral import (
    FractalFit,
    _as_power,
    _freqs,
    default_kmax,
    fractal_exponent,
    normalise_power,
    spectral_bandwidth,
    spectral_centroid,
)

__all__ = [
    "normalise_power",
    "spectral_centroid",
    "spectral_bandwidth",
    "FractalFit",
    "fractal_exponent",
    "gradient_norm",
    "autoconvolve",
    "distort",
    "check_hermitian",
    "WalkSpectra",
    "predict_walk_spectra",
    "default_weight_scale",
    "relative_radius",
    "hermite_tail",
    "erfc_outside",
]


def gradient_norm(power: Any, k: Any = None) -> float | np.ndarray:
    """``||p'||_{L2[0,1]} = 2 pi sqrt(sum_{k in Z} k^2 |z_k|^2)`` from a one-sided power spectrum
    (seed 000 §3.4).  For a real path ``|z_-k| = |z_k|``, so the two-sided sum is twice the
    one-sided one: ``2 pi sqrt(2 sum_{k>=1} k^2 P_k)``.  With ``P_k = E|z_k|^2`` this is the
    root-mean-square gradient norm ``sqrt(E ||p'||^2)``."""
    p = _as_power(power)
    kk = _freqs(p, k)
    g = 2.0 * np.pi * np.sqrt(2.0 * (p * kk**2).sum(axis=-1))
    return float(g) if np.ndim(g) == 0 else np.asarray(g)


# ----------------------------------------------------------------------------
# harmonic distortion: auto-convolutions and polynomials of a Fourier series (eq 5, 6, 10)


def _as_spectrum(z: Any, name: str = "z") -> np.ndarray:
    arr = np.asarray(z)
    if arr.ndim != 1 or arr.size % 2 == 0:
        raise ValueError(f"{name} must be a 1-D array of odd length 2K+1 (indices -K..K), "
                         f"got shape {arr.shape}")
    arr = arr.astype(complex if np.iscomplexobj(arr) else float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values")
    return arr


def check_hermitian(z: Any, *, rtol: float = 1e-12, name: str = "z") -> np.ndarray:
    """Check ``z_k = conj(z_-k)`` (the spectrum of a real function, seed 000 §3.1) for ``z``
    indexed ``-K..K``; return ``z`` symmetrised exactly, or raise a one-line ``ValueError``."""
    arr = _as_spectrum(z, name)
    mirror = np.conj(arr[::-1])
    dev = float(np.max(np.abs(arr - mirror))) if arr.size else 0.0
    scale = float(np.max(np.abs(arr))) if arr.size else 0.0
    if dev > rtol * max(scale, np.finfo(float).tiny):
        k = int(np.argmax(np.abs(arr - mirror))) - arr.size // 2
        raise ValueError(f"{name} is not Hermitian (z_k != conj(z_-k) at k={k}, deviation "
                         f"{dev:.3g}); a real p needs a Hermitian spectrum")
    return np.asarray(0.5 * (arr + mirror))


def _fft_len(n: int) -> int:
    from scipy.fft import next_fast_len

    return int(next_fast_len(n))


def autoconvolve(z: Any, j: int) -> np.ndarray:
    """The ``j``-fold auto-convolution ``z ⊗ ... ⊗ z`` (seed 000 eq 10; B.4), exact support.

    Parameters
    ----------
    z
        Fourier coefficients indexed ``-K..K`` (length ``2K+1``), real or complex.
    j
        Number of factors, ``j >= 0`` (``j = 0`` gives the unit impulse ``[1]``).

    Returns
    -------
    np.ndarray
        Coefficients indexed ``-jK..jK`` (length ``2jK+1``): the zero-padded FFT product, so
        nothing aliases.  Real input gives real output.
    """
    arr = _as_spectrum(z)
    if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or j < 0:
        raise ValueError(f"j={j!r} must be a non-negative integer")
    if j == 0:
        return np.ones(1, dtype=arr.dtype)
    k_half = arr.size // 2
    n_out = 2 * int(j) * k_half + 1
    n = _fft_len(n_out)
    if np.iscomplexobj(arr):
        out = np.fft.ifft(np.fft.fft(arr, n) ** j)[:n_out]
        return np.asarray(out)
    return np.asarray(np.fft.irfft(np.fft.rfft(arr, n) ** j, n)[:n_out])


def distort(a: Any, z: Any, *, real: bool = False, rtol: float = 1e-12) -> np.ndarray:
    """Harmonic distortion ``z' = sum_j a_j z^{⊗j}`` (seed 000 eq 5, 6): the Fourier
    coefficients of ``phi(p(t))`` for ``phi(x) = sum_j a_j x^j`` and ``p(t) = sum_k z_k
    e^{2 pi i k t}``.

    Computed exactly up to round-off and without aliasing: ``p`` is sampled on ``N >= 2DK+1``
    points by one inverse FFT, ``phi`` is applied pointwise (Horner), one FFT returns the
    coefficients (cost ``O(DK log(DK))``, versus ``O(D^2 K^2)`` for nested convolutions).
    The absolute round-off is ``~ eps * max_t |phi(p(t))|`` per coefficient.

    Parameters
    ----------
    a
        Monomial coefficients ``a_0..a_D`` (real or complex).
    z
        Coefficients indexed ``-K..K`` (length ``2K+1``).
    real
        Ask for a real ``p``: ``z`` must be Hermitian (``z_k = conj(z_-k)``) or a ``ValueError``
        is raised; the result is then Hermitian too.
    rtol
        Tolerance of the Hermitian check.

    Returns
    -------
    np.ndarray
        Coefficients indexed ``-DK..DK`` (length ``2DK+1``; ``D`` the degree of ``a`` after
        trailing zeros are dropped).
    """
    coef = np.asarray(a)
    if coef.ndim != 1 or coef.size == 0:
        raise ValueError(f"a must be a non-empty 1-D array of coefficients, got shape "
                         f"{coef.shape}")
    if not np.all(np.isfinite(coef)):
        raise ValueError("a contains non-finite coefficients")
    nz = np.flatnonzero(coef)
    coef = coef[: (int(nz[-1]) + 1 if nz.size else 1)]
    arr = check_hermitian(z, rtol=rtol) if real else _as_spectrum(z)
    deg = coef.size - 1
    k_half = arr.size // 2
    n_out = 2 * deg * k_half + 1
    n = _fft_len(max(n_out, arr.size))
    # lay out z_k at index k mod n and sample p(t_m), t_m = m / n
    buf = np.zeros(n, dtype=complex)
    buf[: k_half + 1] = arr[k_half:]
    if k_half:
        buf[-k_half:] = arr[:k_half]
    samples: np.ndarray = np.fft.ifft(buf) * n
    if real:
        samples = np.asarray(samples.real)
    acc = np.full(samples.shape, coef[-1], dtype=np.result_type(samples, coef))
    for cj in coef[-2::-1]:
        acc = acc * samples + cj
    spec = np.fft.fft(acc) / n
    half = deg * k_half
    out = np.concatenate([spec[n - half:] if half else spec[:0], spec[: half + 1]])
    if not np.iscomplexobj(arr) and not np.iscomplexobj(coef):
        out = out.real  # real coefficients in, real coefficients out (sums of real products)
    elif real:
        out = 0.5 * (out + np.conj(out[::-1]))  # Hermitian in, Hermitian out
    return np.asarray(out)


# ----------------------------------------------------------------------------
# blueshift through depth: expected power spectra along a weight-space walk (seed 000 eq 1,
# B.2, B.3), in the wide-network (Gaussian-process) limit with a polynomial activation


def default_weight_scale(act: Any) -> float:
    """``sigma_w = 1 / sqrt(E[phi(z)^2])``, z ~ N(0, 1): the weight scale that keeps the
    pre-activation second moment at 1 from layer to layer (the default of
    :func:`predict_walk_spectra`; the walk simulation should use the same value)."""
    from ringing.theory.hermite import norm_sq

    n = float(norm_sq(act, 1.0))
    if not n > 0:
        raise ValueError(f"E[phi(z)^2] = {n} for {act!r}: no default weight scale")
    return float(1.0 / np.sqrt(n))


def relative_radius(radius: float, widths: Any, weight_scale: float) -> np.ndarray:
    """Convert an absolute radius to the per-layer relative radii of
    :func:`predict_walk_spectra`.

    For a direction ``D`` drawn uniformly on the unit sphere of *all* ``P = sum_l n_l n_{l-1}``
    weights and moved by ``radius`` (seed 000 eq 1 with ``alpha^-1 = radius``), layer ``l``'s
    entries have variance ``radius^2 / P``, against ``sigma_w^2 / n_{l-1}`` for ``W``; the
    relative radius is ``R_l = radius * sqrt(n_{l-1} / P) / sigma_w``.

    Parameters
    ----------
    radius
        Absolute radius ``>= 0``.
    widths
        ``n_0 (input), n_1, ..., n_L``.
    weight_scale
        ``sigma_w`` (entries of ``W^l`` have variance ``sigma_w^2 / n_{l-1}``).
    """
    n = np.asarray(widths, dtype=float)
    if n.ndim != 1 or n.size < 2 or np.any(n < 1):
        raise ValueError(f"widths={widths!r} must list n_0..n_L (at least two positive ints)")
    if not (np.isfinite(radius) and radius >= 0):
        raise ValueError(f"radius={radius!r} must be a non-negative number")
    if not (np.isfinite(weight_scale) and weight_scale > 0):
        raise ValueError(f"weight_scale={weight_scale!r} must be positive")
    total = float((n[1:] * n[:-1]).sum())
    return np.asarray(radius * np.sqrt(n[:-1] / total) / weight_scale)


def _poly_hermite(t: np.ndarray, interval: float, q: np.ndarray) -> np.ndarray:
    """Normalised Hermite coefficients ``ĥ_m(q) = E[P(sqrt(q) z) h_m(z)]``, ``m = 0..D``, of the
    Chebyshev polynomial ``P = sum t_j T_j(x / A)`` applied to N(0, q): exact (Gauss-Hermite
    with ``D + 1`` nodes integrates degree ``2D + 1``), shape ``q.shape + (D + 1,)``.  Same
    normalisation as :func:`ringing.theory.hermite.hermite_coefficients` (seed 002 §2.1)."""
    from numpy.polynomial import chebyshev as npcheb
    from numpy.polynomial import hermite_e as npherme

    from ringing.theory.hermite import hermite_matrix

    deg = t.size - 1
    z, w = npherme.hermegauss(deg + 1)
    w = w / np.sqrt(2.0 * np.pi)
    with np.errstate(over="ignore", invalid="ignore"):  # far outside: caught by the caller
        vals = npcheb.chebval(np.sqrt(q)[..., None] * z / interval, t)
        return np.asarray((vals * w) @ hermite_matrix(z, deg).T)


@dataclass
class WalkSpectra:
    """Predicted expected power spectra of each layer along a weight-space walk.

    ``power[l-1, k-1] = E|z_k|^2`` of a neuron's output ``phi(h^l(t))`` at layer ``l`` as a DFT
    of the ``points`` path samples measures it (``z_k = (1/T) sum_n p(t_n) e^{-2 pi i k n/T}``,
    one-sided, ``k = 1..T//2``, DC removed, *not* centred: the mean along the path is part of
    ``E|z_k|^2``).  ``power_pre`` is the same for the pre-activation ``h^l``.
    ``power_continuous`` is the un-aliased spectrum of the continuous path (Fourier series over
    ``t in [0, 1]``) at the same ``k``; ``None`` if not computed.  The fractal exponent uses the
    amplitude convention of :func:`fractal_exponent` (``None`` for a layer whose spectrum has
    fewer than 3 non-negligible frequencies, e.g. a band-limited one).
    """

    activation: str
    path: str
    depth: int
    points: int
    radius: np.ndarray
    weight_scale: float
    bias_scale: float
    input_scale: float
    degree: int
    effective_degree: int
    interval: float
    k: np.ndarray
    power: np.ndarray
    power_pre: np.ndarray
    power_continuous: np.ndarray | None
    tail_mass: np.ndarray | None
    variance: np.ndarray
    fit_range: tuple[int, int | None]
    method: str
    normalise: bool = False
    approximation: str = "exact"
    hermite_tail: np.ndarray | None = None

    @property
    def outside_interval(self) -> np.ndarray:
        """``P(|h^l| > A)`` at the mean pre-activation variance of each layer: the probability
        mass where the polynomial model leaves its interval (keep it small)."""
        return erfc_outside(self.interval, self.variance)

    @property
    def normalised(self) -> np.ndarray:
        """``power`` normalised per layer (seed 000 Fig. 3: "normalized by function norm")."""
        return normalise_power(self.power)

    @property
    def spectral_centroid(self) -> np.ndarray:
        return np.asarray(spectral_centroid(self.power, self.k))

    @property
    def spectral_bandwidth(self) -> np.ndarray:
        return np.asarray(spectral_bandwidth(self.power, self.k))

    @property
    def gradient_norm(self) -> np.ndarray:
        """``sqrt(E||p'||^2)`` per layer from the DFT-resolved spectrum (§3.4)."""
        return np.asarray(gradient_norm(self.power, self.k))

    def _fits(self) -> list[FractalFit | None]:
        out: list[FractalFit | None] = []
        kmin, kmax = self.fit_range
        for row in self.power:
            try:
                out.append(fractal_exponent(row, self.k, kmin=kmin, kmax=kmax))
            except ValueError:
                out.append(None)
        return out

    @property
    def fractal_exponent(self) -> list[float | None]:
        return [None if f is None else float(f.h) for f in self._fits()]

    @property
    def fractal_exponent_ci(self) -> list[tuple[float, float] | None]:
        return [None if f is None else (float(f.h_ci[0]), float(f.h_ci[1]))
                for f in self._fits()]

    def as_dict(self) -> dict[str, Any]:
        fits = self._fits()
        return {
            "activation": self.activation, "path": self.path, "depth": self.depth,
            "points": self.points, "radius": self.radius, "weight_scale": self.weight_scale,
            "bias_scale": self.bias_scale, "input_scale": self.input_scale,
            "degree": self.degree, "effective_degree": self.effective_degree,
            "interval": self.interval, "k": self.k, "power": self.power,
            "normalised": self.normalised, "power_pre": self.power_pre,
            "power_continuous": self.power_continuous, "tail_mass": self.tail_mass,
            "variance": self.variance, "outside_interval": self.outside_interval,
            "normalise": self.normalise, "approximation": self.approximation,
            "hermite_tail": self.hermite_tail,
            "spectral_centroid": self.spectral_centroid,
            "spectral_bandwidth": self.spectral_bandwidth,
            "fractal_exponent": [None if f is None else float(f.h) for f in fits],
            "fractal_exponent_ci": [None if f is None else [float(f.h_ci[0]), float(f.h_ci[1])]
                                    for f in fits],
            "gradient_norm": self.gradient_norm, "fit_range": list(self.fit_range),
            "method": self.method,
        }


def _act_hermite(f: Any, kinks: tuple[float, ...], degree: int, q: np.ndarray,
                 panel: float = 0.25, order: int = 16) -> np.ndarray:
    """Normalised Hermite coefficients ``ĥ_m(q) = E[phi(sqrt(q) z) h_m(z)]``, ``m = 0..D``, of the
    activation itself, vectorised over the variances ``q`` (shape ``q.shape + (D + 1,)``).

    One composite Gauss-Legendre rule in ``x = sqrt(q) z`` space, split at the kinks, panels at
    most ``panel * sqrt(min q)`` wide on ``|x| <= (12 + 2 sqrt(D+1)) sqrt(max q)``; the
    activation is evaluated once and the Gaussian density of each ``q`` enters the weights.
    The truncation at degree ``D`` is the ``L^2(N(0, q))``-best polynomial of degree ``D``
    (seed 002 §2.1 normalisation, as :func:`ringing.theory.hermite.hermite_coefficients`)."""
    from ringing.theory.gaussian import legendre_panels
    from ringing.theory.hermite import hermite_matrix

    qf = np.asarray(q, dtype=float).reshape(-1)
    smin, smax = float(np.sqrt(qf.min())), float(np.sqrt(qf.max()))
    half = (12.0 + 2.0 * np.sqrt(degree + 1)) * smax
    width = panel * smin
    xs, ws = legendre_panels(kinks, -half, half, panel=width, order=order)
    fx = np.asarray(f(xs), dtype=float)
    if not np.all(np.isfinite(fx)):
        raise ValueError("the activation is not finite where the Gaussian inputs reach")
    out = np.empty((qf.size, degree + 1))
    block = max(1, int(4_000_000 // (xs.size * (degree + 1))))
    for start in range(0, qf.size, block):  # batches of variances, bounded memory
        si = np.sqrt(qf[start: start + block])[:, None]
        zz = xs[None, :] / si
        dens = np.exp(-0.5 * zz * zz) / (np.sqrt(2 * np.pi) * si)
        hmat = hermite_matrix(zz.ravel(), degree).reshape(degree + 1, *zz.shape)
        out[start: start + block] = (hmat * (ws * dens * fx)[None]).sum(axis=-1).T
    return out.reshape(np.shape(q) + (degree + 1,))


def _act_hermite_smooth(f: Any, kinks: tuple[float, ...], degree: int, q: np.ndarray,
                        nodes: int = 24) -> np.ndarray:
    """:func:`_act_hermite` for many variances: computed directly at ``nodes`` Chebyshev points
    in ``s = sqrt(q)`` over ``[min s, max s]`` and interpolated there (``ĥ_m`` is a smooth
    function of ``s > 0``; relative agreement with the direct values ~1e-12 in the tests)."""
    from numpy.polynomial import chebyshev as npcheb

    qf = np.asarray(q, dtype=float).reshape(-1)
    smin, smax = float(np.sqrt(qf.min())), float(np.sqrt(qf.max()))
    if qf.size <= nodes or smax - smin <= 1e-12 * smax:
        return _act_hermite(f, kinks, degree, q)
    u = np.cos(np.pi * (np.arange(nodes) + 0.5) / nodes)
    s_nodes = 0.5 * (smin + smax) + 0.5 * (smax - smin) * u
    h_nodes = _act_hermite(f, kinks, degree, s_nodes**2)  # (nodes, D+1)
    coef = npcheb.chebfit(u, h_nodes, nodes - 1)  # interpolation through the nodes
    uq = (2 * np.sqrt(qf) - smin - smax) / (smax - smin)
    out = npcheb.chebval(uq, coef).T  # (Q, D+1)
    return np.asarray(out.reshape(np.shape(q) + (degree + 1,)))


def _checked_hermite(t: np.ndarray, interval: float, q: np.ndarray, layer: int) -> np.ndarray:
    hm = _poly_hermite(t, interval, q)
    if not np.all(np.isfinite(hm)) or float(np.max(q)) > 1e4 * interval**2:
        raise ValueError(f"pre-activation variance q={float(np.max(q)):.3g} at layer "
                         f"{layer + 1} is far outside the polynomial's interval [-{interval:g}, "
                         f"{interval:g}]; use a smaller radius or weight_scale, or normalise=True")
    return hm


def _horner_kernel(hm: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """``sum_m hm[..., m] rho^m`` (stationary) -- Mehler's formula C(rho) = sum ĥ_m^2 rho^m."""
    acc = np.full(rho.shape, hm[-1])
    for c in hm[-2::-1]:
        acc = acc * rho + c
    return acc


def _loop_dft(kern: np.ndarray, n_freq: int) -> np.ndarray:
    """One-sided ``E|z_k|^2 = (1/T) sum_d K(d/T) e^{-2 pi i k d / T}``, ``k = 1..n_freq``."""
    spec = np.fft.rfft(kern, axis=-1).real / kern.shape[-1]
    return np.asarray(np.maximum(spec[..., 1: n_freq + 1], 0.0))


def _segment_dft(kern: np.ndarray, n_freq: int) -> np.ndarray:
    """One-sided ``E|z_k|^2 = (1/T^2) sum_{n,m} K_nm e^{-2 pi i k (n - m) / T}``."""
    tn = kern.shape[-1]
    b = np.fft.fft(kern, axis=0)[1: n_freq + 1]  # (k, m)
    kk = np.arange(1, n_freq + 1)[:, None]
    e = np.exp(2j * np.pi * kk * np.arange(tn)[None, :] / tn)
    return np.asarray(np.maximum((b * e).sum(axis=1).real / tn**2, 0.0))


_HFun = Callable[[np.ndarray, int], np.ndarray]


def _run_loop(hfun: _HFun, radii: np.ndarray, sw2: float, sb2: float,
              q0: float, tn: int, n_freq: int, kc: int | None, normalise: bool = False,
              exact_phi: Callable[[np.ndarray, float], np.ndarray] | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The loop's kernel recursion on the ``T``-point lag grid.  ``exact_phi(rho, q)``, when
    given, is the exact map ``E[phi(u) phi(v)]`` for ``N(0, q)`` pairs of correlation ``rho``
    (used on the grid in place of the truncated Mehler series; the continuous spectrum still
    comes from ``hfun``'s Hermite coefficients)."""
    tau = np.arange(tn) / tn
    g = np.cos(2 * np.pi * tau)
    depth = radii.size
    post = np.empty((depth, n_freq))
    pre = np.empty((depth, n_freq))
    var = np.empty(depth)
    cont = np.empty((depth, n_freq)) if kc is not None else None
    tail = np.empty(depth) if kc is not None else None
    kern = sw2 * q0 * (1 + radii[0] ** 2 * g) + sb2
    spec_k: np.ndarray | None = None
    if kc is not None:  # two-sided coefficients of the pre-activation kernel, -kc..kc
        spec_k = np.zeros(2 * kc + 1)
        spec_k[kc] = sw2 * q0 + sb2
        spec_k[kc - 1] = spec_k[kc + 1] = sw2 * q0 * radii[0] ** 2 / 2
    for layer in range(depth):
        if normalise:  # static batch normalisation: unit pre-activation variance
            if spec_k is not None:
                spec_k = spec_k / float(kern[0])
            kern = kern / float(kern[0])
        q = float(kern[0])
        var[layer] = q
        pre[layer] = _loop_dft(kern, n_freq)
        rho = np.clip(kern / q, -1.0, 1.0)
        c = None
        if exact_phi is None or kc is not None:
            hm = hfun(np.array(q), layer)
            c = hm**2  # Mehler: C(rho) = sum_m ĥ_m(q)^2 rho^m
        if exact_phi is not None:  # rho(lag) = rho(T - lag): evaluate each value once
            half = exact_phi(rho[: tn // 2 + 1], q)
            phi = np.concatenate([half, half[1: tn - tn // 2][::-1]])
        else:
            assert c is not None
            phi = _horner_kernel(c, rho)
        post[layer] = _loop_dft(phi, n_freq)
        r_next = radii[layer + 1] if layer + 1 < depth else 0.0
        if spec_k is not None and cont is not None and tail is not None and kc is not None \
                and c is not None:
            # eq 6 on the expected power: rho^m <-> m-fold auto-convolution of its spectrum
            full = distort(c, spec_k / q)
            mid = full.size // 2
            sp_phi = np.maximum(full[mid - kc: mid + kc + 1], 0.0)
            cont[layer] = sp_phi[kc + 1: kc + 1 + n_freq]
            total = float(c.sum())  # the truncated kernel at lag 0 (exact phi: hermite_tail)
            tail[layer] = max(total - float(sp_phi.sum()), 0.0) / max(total, 1e-300)
            shifted = np.zeros_like(sp_phi)
            shifted[1:] += sp_phi[:-1]
            shifted[:-1] += sp_phi[1:]
            spec_k = sw2 * (sp_phi + r_next**2 / 2 * shifted)
            spec_k[kc] += sb2
        kern = sw2 * (1 + r_next**2 * g) * phi + sb2
    return post, pre, var, cont, tail


def _run_segment(hfun: _HFun, radii: np.ndarray, sw2: float, sb2: float,
                 q0: float, grid: np.ndarray, n_freq: int, normalise: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g = np.outer(grid, grid)
    depth = radii.size
    post = np.empty((depth, n_freq))
    pre = np.empty((depth, n_freq))
    var = np.empty(depth)
    kern = sw2 * q0 * (1 + radii[0] ** 2 * g) + sb2
    for layer in range(depth):
        if normalise:  # static batch normalisation: unit mean pre-activation variance
            kern = kern / float(np.diag(kern).mean())
        q = np.diag(kern).copy()
        var[layer] = float(q.mean())
        pre[layer] = _segment_dft(kern, n_freq)
        hm = hfun(q, layer)  # (T, D+1)
        sq = np.sqrt(q)
        rho = np.clip(kern / np.outer(sq, sq), -1.0, 1.0)
        phi = np.outer(hm[:, -1], hm[:, -1])
        for m in range(hm.shape[1] - 2, -1, -1):
            phi = phi * rho + np.outer(hm[:, m], hm[:, m])
        post[layer] = _segment_dft(phi, n_freq)
        r_next = radii[layer + 1] if layer + 1 < depth else 0.0
        kern = sw2 * (1 + r_next**2 * g) * phi + sb2
    return post, pre, var


def predict_walk_spectra(act: Any, depth: int, *, path: str = "loop", points: int = 100,
                         radius: Any = 0.5, degree: int = 25, interval: float = 5.0,
                         weight_scale: float | None = None, bias_scale: float = 0.0,
                         input_scale: float = 1.0, fit: str = "interpolate",
                         kmin: int = 1, kmax: int | None = None,
                         continuous: bool = True, oversample: int = 4,
                         normalise: bool = False, approximation: str | None = None
                         ) -> WalkSpectra:
    """Predict the expected power spectrum of every layer along a weight-space walk (seed 000
    eq 1, §3.2-3.4, B.2-B.3): blueshift through depth.

    Network and walk (the walk simulation, ``ringing simulate walk``, uses the same
    conventions): input ``x`` fixed with ``|x|^2 / n_0 = input_scale``; layer ``l = 1..L``
    computes ``h^l = W^l(t) x^{l-1} + b^l`` and ``x^l = phi(h^l)``; ``W^l`` has i.i.d.
    ``N(0, sigma_w^2 / n_{l-1})`` entries, ``b^l`` i.i.d. ``N(0, sigma_b^2)`` (not moved).

    * ``path="loop"``: ``W^l(t) = W^l + R_l (cos(2 pi t) D1^l + sin(2 pi t) D2^l)``, samples
      ``t_n = n / T``, ``n = 0..T-1`` (a closed loop: no jump, eq 5-6 apply exactly).
    * ``path="segment"``: ``W^l(t) = W^l + t R_l D^l`` (seed 000 eq 1 with ``alpha^-1 = R``),
      samples ``t_n = n / (T - 1)`` (``numpy.linspace(0, 1, T)``): the jump ``p(1) -> p(0)`` of
      the periodic extension adds a ``1/k`` amplitude tail to every layer (B.2).

    ``D, D1, D2`` have the same distribution as ``W``, so ``R_l`` is the *relative* radius
    ``||R D^l|| / ||W^l||`` (see :func:`relative_radius` for an absolute radius).

    Method: in the wide limit the pre-activation path of a neuron is a Gaussian process with
    kernel ``K^l(t, t') = sigma_w^2 (1 + R_l^2 g(t, t')) Phi^{l-1}(t, t') + sigma_b^2``,
    ``g = cos 2 pi (t - t')`` (loop) or ``t t'`` (segment), ``Phi^0 = input_scale``, and
    ``Phi^l(t, t') = sum_m ĥ_m(q_t) ĥ_m(q_t') rho^m`` (Mehler) where ``ĥ_m(q)`` are the
    normalised Hermite coefficients, ``m <= D``, of the activation's degree-``D`` polynomial
    approximation applied to ``N(0, q)``:

    * ``approximation="exact"`` (the default on loops): no polynomial at all -- the exact
      kernel map ``E[phi(u) phi(v)]`` (:func:`ringing.theory.gauss_kernel.gaussian_covariance`:
      closed forms, else the split polar rule) on the loop's lag grid.  This is what a wide
      network measures (``ringing simulate walk`` agrees with it within its interval, see
      ``tests/test_blueshift_defaults.py``); the continuous spectrum still uses degree ``D``;
    * ``approximation="hermite"`` (the default on segments, where the exact map is not
      available because the variance varies along the path): the ``L^2(N(0, q))``-best
      polynomial, i.e. the Hermite expansion of ``phi`` truncated at degree ``D`` (``D`` = the
      effective degree of the Chebyshev fit, 25 by default).  For a kinked activation the
      Hermite tail beyond degree ``D`` carries the highest harmonics (relu: ``ĥ_m^2 ~
      m^{-5/2}``), so truncation distorts the spectrum (relu, depth 4, ``R = 0.3``: centroid
      1.160 at ``D = 25``, 1.179 at ``D = 200``, exact 1.18x; relu, depth 10, ``R = 0.5``:
      layer-1 ``h`` 4.8 truncated against 2.16 exact and measured).  What the truncation
      drops is reported per layer in ``hermite_tail``: ``1 - sum_{m<=D} ĥ_m(q)^2 / E[phi(
      sqrt(q) z)^2]`` at the layer's (mean) variance;
    * ``approximation="chebyshev"``: seed 000's Chebyshev polynomial on ``[-A, A]`` (eq 4),
      exactly (Gauss-Hermite).  Only meaningful while the pre-activations stay well inside
      ``[-A, A]``: a degree-25 Chebyshev fit of ReLU on ``[-5, 5]`` has ``E[P(z)^2] = 33`` for
      ``z ~ N(0, 1)`` against ``E[relu(z)^2] = 0.5`` (the ``|z| > 5`` tail dominates); see
      ``outside_interval`` and ``docs/chebyshev.md``.

    On a loop ``rho`` depends on ``t - t'`` only and the power spectrum of ``Phi`` is
    ``sum_m ĥ_m^2 (rho-hat)^{⊗m}``: eq 6 applied to the expected power (computed with
    :func:`distort`).  The DFT-sampled spectra (``power``) are exact for the polynomial network
    (the recursion is pointwise on the sample grid); ``power_continuous`` is the un-aliased
    spectrum (loop: harmonic distortion truncated at ``|k| <= 4 T``, with the lost fraction in
    ``tail_mass``; segment: midpoint rule on ``oversample * T`` points).

    Parameters
    ----------
    act
        Activation spec; ``degree``, ``interval``, ``fit`` set its polynomial approximation
        (:func:`ringing.theory.chebyshev.chebyshev_approximation`).
    depth
        Number of layers ``L >= 1``.
    path
        ``"loop"`` or ``"segment"``.
    points
        Path samples ``T >= 8``; spectra cover ``k = 1..T//2``.
    radius
        Relative radius ``R >= 0``, a scalar or one value per layer.
    weight_scale
        ``sigma_w``; default :func:`default_weight_scale` (``1/sqrt(E phi(z)^2)``).
    bias_scale, input_scale
        ``sigma_b`` and ``|x|^2 / n_0``.
    kmin, kmax
        Range of the fractal-exponent fit; ``kmax=None`` (default) means
        :func:`ringing.spectral.default_kmax` (``min(25, T//2)``, the walk simulation's default).
    approximation
        ``"exact"`` (loops), ``"hermite"`` or ``"chebyshev"``, see above; ``None`` (default)
        means ``"exact"`` on a loop and ``"hermite"`` on a segment.
    normalise
        Rescale every layer's pre-activation kernel to unit (mean) variance, a static
        batch normalisation (seed 000 App. B.1 treats batch normalisation "statically as a
        fixed scaling"); the walk simulation's ``--normalise`` does the same.
    continuous, oversample
        Also compute the un-aliased spectrum (segment: ``oversample * T`` grid, ``O(T^2
        oversample^2 D L)``).

    Raises
    ------
    ValueError
        Bad depth, path, points, radius, scales, degree or interval.
    """
    from ringing.activations import get_activation
    from ringing.papers import cite
    from ringing.theory.chebyshev import chebyshev_approximation, chop_chebyshev

    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"depth={depth!r} must be a positive integer")
    if path not in ("loop", "segment"):
        raise ValueError(f"path={path!r} must be 'loop' or 'segment'")
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 8:
        raise ValueError(f"points={points!r} must be an integer >= 8")
    radii = np.broadcast_to(np.asarray(radius, dtype=float), (int(depth),)).copy() \
        if np.ndim(radius) == 0 else np.asarray(radius, dtype=float)
    if radii.shape != (depth,) or not np.all(np.isfinite(radii)) or np.any(radii < 0):
        raise ValueError(f"radius={radius!r} must be a non-negative number or one per layer "
                         f"({depth} values)")
    a = get_activation(act)
    sw = default_weight_scale(a) if weight_scale is None else float(weight_scale)
    if not (np.isfinite(sw) and sw > 0):
        raise ValueError(f"weight_scale={weight_scale!r} must be positive")
    if not (np.isfinite(bias_scale) and bias_scale >= 0):
        raise ValueError(f"bias_scale={bias_scale!r} must be non-negative")
    if not (np.isfinite(input_scale) and input_scale > 0):
        raise ValueError(f"input_scale={input_scale!r} must be positive")
    if isinstance(oversample, bool) or not isinstance(oversample, (int, np.integer)) \
            or oversample < 1:
        raise ValueError(f"oversample={oversample!r} must be a positive integer")
    if approximation is None:
        approximation = "exact" if path == "loop" else "hermite"
    if approximation not in ("hermite", "chebyshev", "exact"):
        raise ValueError(f"approximation={approximation!r} must be 'hermite', 'exact' or "
                         "'chebyshev'")
    if approximation == "exact" and path != "loop":
        raise ValueError("approximation='exact' needs path='loop' (a segment's variance varies "
                         "along the path)")
    approx = chebyshev_approximation(a, degree, interval, fit=fit, error_estimate=False)
    t = chop_chebyshev(approx.chebyshev)
    d_eff = t.size - 1
    if d_eff < 1:
        raise ValueError(f"degree={degree}: the polynomial approximation of {a.name!r} on "
                         f"[-{approx.interval:g}, {approx.interval:g}] is constant, so a walk "
                         "through it has no spectrum to predict; use degree >= 1")
    if approximation == "chebyshev":
        def hfun(q: np.ndarray, layer: int) -> np.ndarray:
            return _checked_hermite(t, approx.interval, q, layer)
    else:
        def hfun(q: np.ndarray, layer: int) -> np.ndarray:
            hm = _act_hermite_smooth(a.numpy, a.kinks, d_eff, q)
            if not np.all(np.isfinite(hm)):
                raise ValueError(f"Hermite coefficients of {a.name!r} are not finite at layer "
                                 f"{layer + 1} (variance {float(np.max(q)):.3g})")
            return hm
    sw2, sb2, q0 = sw * sw, float(bias_scale) ** 2, float(input_scale)
    tn = int(points)
    n_freq = tn // 2
    cont: np.ndarray | None = None
    tail: np.ndarray | None = None
    exact_phi: Callable[[np.ndarray, float], np.ndarray] | None = None
    if approximation == "exact":
        from ringing.theory.gauss_kernel import gaussian_covariance

        def exact_phi(rho: np.ndarray, q: float) -> np.ndarray:
            return np.asarray(gaussian_covariance(a, rho, sigma=float(np.sqrt(q))))
    if path == "loop":
        post, pre, var, cont, tail = _run_loop(hfun, radii, sw2, sb2, q0, tn, n_freq,
                                               4 * tn if continuous else None, normalise,
                                               exact_phi)
        how = ("wide-limit kernel recursion, exact on the loop's T-point grid; continuous "
               "spectrum by harmonic distortion of the power spectrum (eq 6), |k| <= 4T")
    else:
        post, pre, var = _run_segment(hfun, radii, sw2, sb2, q0, np.linspace(0.0, 1.0, tn),
                                      n_freq, normalise)
        if continuous and oversample > 1:
            m = oversample * tn
            cont, _, _ = _run_segment(hfun, radii, sw2, sb2, q0, (np.arange(m) + 0.5) / m,
                                      n_freq, normalise)
        how = ("wide-limit kernel recursion on the segment's T x T grid (exact for the "
               "polynomial network)")
    herm_tail: np.ndarray | None = None
    if approximation == "hermite" or (approximation == "exact" and cont is not None):
        herm_tail = hermite_tail(a, d_eff, var)
        worst = int(np.argmax(herm_tail))
        where = ("at every layer" if float(herm_tail.max() - herm_tail.min())
                 <= 1e-3 * float(herm_tail.max()) else f"at layer {worst + 1}, the most")
        dropped = (f"the degree-{d_eff} Hermite truncation drops {_fraction(herm_tail[worst])} "
                   f"of E[phi^2] ({where}; hermite_tail per layer), the highest harmonics")
    if approximation == "chebyshev":
        how += (f"; activation replaced by its degree-{approx.degree} Chebyshev {approx.fit} "
                f"on [-{approx.interval:g}, {approx.interval:g}] ({cite('Ringing ReLUs', 'eq 4')});"
                f" P(|h| > A) up to {_fraction(float(np.max(erfc_outside(approx.interval, var))))}"
                " of the pre-activation mass lies outside that interval")
    elif approximation == "exact":
        how += ("; exact kernel map on the grid (gaussian_covariance: closed form or split "
                "polar rule): nothing truncated")
        if cont is not None:
            how += f"; continuous spectrum from a Hermite truncation: {dropped}"
    else:
        how += (f"; activation replaced by its degree-{d_eff} Hermite truncation at each "
                f"layer's variance (the L2(N(0, q))-best polynomial): {dropped}")
    return WalkSpectra(a.name, path, int(depth), tn, radii, sw, float(bias_scale), q0,
                       approx.degree, t.size - 1, approx.interval,
                       np.arange(1, n_freq + 1, dtype=float), post, pre, cont, tail, var,
                       (int(kmin), default_kmax(tn) if kmax is None else kmax), how,
                       bool(normalise), approximation, herm_tail)


def hermite_tail(act: Any, degree: int, variance: Any) -> np.ndarray:
    """The fraction of ``E[phi(sqrt(q) z)^2]`` that a degree-``degree`` Hermite truncation of
    ``phi`` leaves out, ``1 - sum_{m<=D} ĥ_m(q)^2 / E[phi(sqrt(q) z)^2]`` (Parseval in
    ``L^2(N(0, q))``, normalisation of Anonymous, Gradient explosion, §2.1), for each variance
    ``q``; 0 for a polynomial of degree ``<= D`` (up to quadrature round-off, clipped at 0).

    Parameters
    ----------
    act
        Activation spec.
    degree
        Truncation degree ``D >= 0``.
    variance
        Pre-activation variances ``q > 0`` (any shape).

    Returns
    -------
    numpy.ndarray
        The dropped fractions, shape of ``variance``.
    """
    from ringing.activations import get_activation
    from ringing.theory.hermite import norm_sq

    a = get_activation(act)
    q = np.asarray(variance, dtype=float)
    if q.size == 0 or not np.all(np.isfinite(q)) or np.any(q <= 0):
        raise ValueError(f"variance={variance!r} must be positive numbers")
    kept = (_act_hermite(a.numpy, a.kinks, int(degree), q.reshape(-1)) ** 2).sum(axis=-1)
    total = np.array([norm_sq(a, float(np.sqrt(v))) for v in q.reshape(-1)])
    frac = np.where(total > 0, 1.0 - kept / np.where(total > 0, total, 1.0), 0.0)
    return np.asarray(np.clip(frac, 0.0, 1.0).reshape(q.shape))


def _fraction(x: float) -> str:
    """A dropped fraction in words: below quadrature round-off it is 0."""
    return "0 (to round-off)" if x < 1e-12 else f"{x:.2g}"


def erfc_outside(interval: float, variance: Any) -> np.ndarray:
    """``P(|h| > A)`` for ``h ~ N(0, q)``: the mass outside a polynomial's interval."""
    from scipy.special import erfc

    return np.asarray(erfc(interval / np.sqrt(2.0 * np.asarray(variance, dtype=float))))
