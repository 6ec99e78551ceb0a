"""The fast numeric engine for C[φ|ρ] where no exact family applies.

For each (function, σ, derivative) one interpolant is built and cached for the
process; evaluating it costs an arccos and a Clenshaw sum (or a Horner sum) per ρ.

* **Hermite series** (smooth φ, no kinks within ±40 standard deviations):
  ĥ_0..ĥ_K from one composite Gauss–Legendre rule (three-term recurrence),
  C[φ|ρ] = Σ_{k≤K} ĥ_k² ρ^k (Mehler; seed 002 §2.1).  K is the smallest degree whose
  tail ‖φ‖² − Σ_{k≤K} ĥ_k² (Parseval) is below the tolerance; that tail bounds the
  truncation error for every |ρ| ≤ 1 since |ρ^k| ≤ 1.
* **Chebyshev in θ = arccos ρ** (everything else, kinks included): C as a function of
  θ ∈ [0, π] is smooth even for kinked φ (the polar form integrates over a rotating
  angle), so it is interpolated at 2nd-kind Chebyshev points n = 16, 32, …, 512
  (nested: each doubling reuses the previous values), values from the split polar
  Gauss–Legendre rule (:func:`ringing.theory.gaussian.polar_covariance`), and the
  series is chopped where the trailing coefficients fall below the tolerance (the
  way chebfun chooses its degree).  The error estimate is the chopped tail plus the
  polar rule's own error, measured at two angles against a rule with three times
  as many t-panels and twice as many r-panels.

``gap`` returns C[φ|1] − C[φ|1 − δ] without subtracting nearly equal numbers:
Price's/Stein's identity dC/dρ = C[φ'|ρ] gives
C[φ|1] − C[φ|cos θ] = ∫_0^θ C[φ'|cos t] sin t dt, computed by Gauss–Legendre in t on the
derivative's interpolant.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Interpolant", "build_interpolant", "cached_interpolant", "TOL", "clear_cache",
           "gap_from_derivative"]

#: Target absolute error, relative to max(1, C[φ|1]).
TOL = 2e-14
_KINK_RANGE = 40.0
_MAX_HERMITE = 400
_CHEB_N = (16, 32, 64, 128, 256, 512)

_CACHE: dict[Any, Interpolant] = {}


def clear_cache() -> None:
    """Forget every cached interpolant."""
    _CACHE.clear()


@dataclass
class Interpolant:
    """A cached representation of ρ ↦ C[φ|ρ] on [−1, 1] with its error estimate."""

    kind: str  # "hermite" or "chebyshev"
    coef: np.ndarray
    error: float
    c_one: float
    method: str

    def __call__(self, rho: np.ndarray) -> np.ndarray:
        r = np.clip(np.asarray(rho, dtype=float), -1.0, 1.0)
        if self.kind == "hermite":
            out = np.full(r.shape, self.coef[-1])
            for c in self.coef[-2::-1]:
                out = out * r + c
            return out
        return self.at_theta(np.arccos(r))

    def at_theta(self, theta: np.ndarray) -> np.ndarray:
        """C at ρ = cos θ, θ ∈ [0, π] (no rounding of θ through cos and arccos)."""
        th = np.asarray(theta, dtype=float)
        if self.kind == "hermite":
            return self(np.cos(th))
        return _clenshaw(self.coef, 2.0 * th / math.pi - 1.0)


def _clenshaw(c: np.ndarray, s: np.ndarray) -> np.ndarray:
    b1 = np.zeros_like(s)
    b2 = np.zeros_like(s)
    s2 = 2.0 * s
    for ck in c[:0:-1]:
        b1, b2 = ck + s2 * b1 - b2, b1
    return c[0] + s * b1 - b2


def _cheb_coeffs(vals: np.ndarray) -> np.ndarray:
    """Chebyshev coefficients from values at s_j = cos(πj/n), j = 0..n (DCT-I by FFT)."""
    n = vals.size - 1
    v = np.concatenate([vals, vals[-2:0:-1]])
    c = np.real(np.fft.fft(v))[: n + 1] / n
    c[0] /= 2.0
    c[-1] /= 2.0
    return c


def _hermite_try(fn: Callable[[np.ndarray], np.ndarray], scale_tol: float
                 ) -> Interpolant | None:
    from ringing.theory.gaussian import gauss_rule
    from ringing.theory.hermite import hermite_matrix

    half = 12.0 + 2.0 * math.sqrt(_MAX_HERMITE + 1)
    z, w = gauss_rule((), half_width=half)
    f = np.asarray(fn(z), dtype=float)
    if not np.all(np.isfinite(f)):
        return None
    h = hermite_matrix(z, _MAX_HERMITE) @ (w * f)
    norm = float(np.sum(w * f * f))
    z2, w2 = gauss_rule((), half_width=half, order=14)
    f2 = np.asarray(fn(z2), dtype=float)
    qerr = abs(norm - float(np.sum(w2 * f2 * f2)))
    tail = norm - np.cumsum(h * h)
    tol = scale_tol * max(1.0, norm)
    ok = np.nonzero(tail <= tol)[0]
    if ok.size == 0:
        return None
    k = int(ok[0])
    err = max(float(tail[k]), 0.0) + qerr + 1e-16 * max(1.0, norm) * math.sqrt(k + 1)
    return Interpolant("hermite", h[: k + 1] ** 2, err, norm,
                       f"numeric (Hermite series to degree {k}, Gauss-Legendre "
                       f"coefficients; tail {max(float(tail[k]), 0.0):.1e})")


def _chebyshev(fn: Callable[[np.ndarray], np.ndarray], kinks: tuple[float, ...],
               scale_tol: float, pieces: tuple[np.ndarray, np.ndarray] | None = None
               ) -> Interpolant:
    from ringing.theory.gaussian import polar_covariance, polar_covariance_pieces

    def values(rho: np.ndarray) -> np.ndarray:
        if pieces is not None:
            return polar_covariance_pieces(pieces[0], pieces[1], rho)
        return polar_covariance(fn, kinks, rho)

    vals: np.ndarray | None = None
    coef = np.zeros(1)
    n_used = 0
    tail = math.inf
    converged = False
    for n in _CHEB_N:
        s = np.cos(math.pi * np.arange(n + 1) / n)
        rho = np.cos((s + 1.0) * math.pi / 2.0)
        if vals is None:
            vals = values(rho)
        else:
            new = np.empty(n + 1)
            new[::2] = vals
            new[1::2] = values(rho[1::2])
            vals = new
        coef = _cheb_coeffs(vals)
        scale = max(1.0, float(np.max(np.abs(vals))))
        tol = scale_tol * scale
        big = np.nonzero(np.abs(coef) > tol)[0]
        last = int(big[-1]) if big.size else 0
        n_used = n
        tail = float(np.sum(np.abs(coef[last + 1:])))
        if last < n - max(4, n // 8):
            coef = coef[: last + 1]
            converged = True
            break
    # the values' own error at two angles: the 2-D Gauss–Legendre rule against one with 48 t-
    # and 16 r-panels (3x and 2x the default's); the exact-in-r values against the default
    # 2-D rule (an independent check, itself good to ~3e-16 for polynomial pieces)
    th = np.array([0.0, math.pi - 1e-3])
    r3 = np.cos(th)
    a = values(r3)
    b = (polar_covariance(fn, kinks, r3) if pieces is not None else
         polar_covariance(fn, kinks, r3, t_panels=48, r_panels=16))
    qerr = float(np.max(np.abs(a - b)))
    c_one = float(_clenshaw(coef, np.array([-1.0]))[0])
    err = tail + qerr + 1e-16 * max(1.0, abs(c_one)) * math.sqrt(coef.size)
    conv = "" if converged else f", NOT converged at n={n_used}"
    how = ("polar rule, Gauss-Legendre in t split at kinks and exact in r (polynomial "
           "pieces: truncated Gaussian moments)" if pieces is not None else
           "polar Gauss-Legendre split at kinks")
    return Interpolant("chebyshev", coef, err, c_one,
                       f"numeric (Chebyshev interpolant in theta=arccos(rho), degree "
                       f"{coef.size - 1} of {n_used}{conv}, values by {how})")


def build_interpolant(fn: Callable[[np.ndarray], np.ndarray], kinks: tuple[float, ...], *,
                      tol: float = TOL, pieces: tuple[np.ndarray, np.ndarray] | None = None
                      ) -> Interpolant:
    """An interpolant of C[f|ρ] for a vectorised f (already applied to σz) with kinks in z.

    ``pieces`` = (lows, coef): f is a polynomial on every piece,
    f(z) = Σ_k coef[i, k] z^k for lows[i] ≤ z < lows[i+1] (read off the expression's
    structure by the caller); the polar values then integrate r exactly
    (:func:`ringing.theory.gaussian.polar_covariance_pieces`, ~5x fewer operations).
    """
    near = tuple(k for k in kinks if abs(k) < _KINK_RANGE)
    if not near:
        got = _hermite_try(fn, tol)
        if got is not None:
            return got
    return _chebyshev(fn, near, tol, pieces)


def cached_interpolant(key: Any, fn: Callable[[np.ndarray], np.ndarray],
                       kinks: tuple[float, ...], *,
                       pieces: tuple[np.ndarray, np.ndarray] | None = None) -> Interpolant:
    """:func:`build_interpolant`, cached for the process under ``key``."""
    got = _CACHE.get(key)
    if got is None:
        got = build_interpolant(fn, kinks, pieces=pieces)
        if len(_CACHE) > 512:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = got
    return got


_GL_T, _GL_W = np.polynomial.legendre.leggauss(24)


def gap_from_derivative(dkernel_theta: Callable[[np.ndarray], np.ndarray],
                        delta: np.ndarray) -> np.ndarray:
    """C[φ|1] − C[φ|1 − δ] = ∫_0^θ C[φ'|cos t] sin t dt (Price/Stein), θ = arccos(1 − δ).

    ``dkernel_theta`` is C[φ'|cos t] as a function of t; 24-point Gauss–Legendre on [0, θ]
    (used for δ ≤ 1/4, where the direct difference would cancel).
    """
    d = np.clip(np.asarray(delta, dtype=float), 0.0, 2.0)
    th = 2.0 * np.arcsin(np.sqrt(d / 2.0))
    t = (th[..., None] / 2.0) * (_GL_T + 1.0)
    vals = dkernel_theta(t) * np.sin(t)
    return (th / 2.0) * np.sum(vals * _GL_W, axis=-1)
