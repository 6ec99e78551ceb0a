"""C[φ|ρ] and C[φ'|ρ]: the one entry point of the Gaussian kernel engine (seed 002 §2.1, eq 2.3).

Exact families are read off the structure of the expression
(:mod:`ringing.theory.families`); everything else goes to the cached numeric interpolant
(:mod:`ringing.theory.engine`), built on the quadrature rules of
:mod:`ringing.theory.gaussian`.  Every result says how it was obtained and its error.  This
module sits above ``gaussian``, ``families``, ``hermite`` and ``engine`` so that the theory
layer has no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ringing.activations import Activation
from ringing.theory.gaussian import (
    as_activation,
    check_square_integrable,
    evaluate,
    validate_rho,
    validate_sigma,
)

__all__ = [
    "gaussian_covariance",
    "closed_form_covariance",
    "covariance_result",
    "covariance_gap",
    "numeric_interpolant",
    "CovarianceResult",
]


def closed_form_covariance(act: Activation, rho: np.ndarray, sigma: float,
                           derivative: bool) -> tuple[np.ndarray, str] | None:
    """C[φ|ρ] or C[φ'|ρ] from an exact family recognised in the expression, else ``None``.

    The family is read off the structure of the canonical sympy expression of φ
    (or of φ') by :func:`ringing.theory.families.recognise` — never from the
    activation's name — so every spelling of a function gives the same numbers.
    """
    fam = _family(act, derivative)
    if fam is None:
        return None
    return fam.covariance(rho, sigma), fam.method


_FAMILIES: dict[tuple[int, bool], tuple[Activation, Any]] = {}


def _family(act: Activation, derivative: bool) -> Any:
    """The exact family of φ (or φ'), cached per activation object (the object is kept)."""
    from ringing.theory.families import recognise

    if act.expr is None:
        return None
    key = (id(act), derivative)
    got = _FAMILIES.get(key)
    if got is not None and got[0] is act:
        return got[1]
    fam = recognise(act.diff_expr(1) if derivative else act.expr)
    if len(_FAMILIES) > 4096:
        _FAMILIES.clear()
    _FAMILIES[key] = (act, fam)
    return fam


@dataclass
class CovarianceResult:
    """C[φ|ρ] (or C[φ'|ρ]) with how it was obtained and an absolute error estimate."""

    value: np.ndarray
    method: str
    error: float


_CHECKED: dict[Any, Activation] = {}


def _check_once(act: Activation, sigma: float, derivative: bool) -> None:
    key = (id(act), sigma, derivative) if act.expr is not None else None
    if key is not None and key in _CHECKED and _CHECKED[key] is act:
        return
    check_square_integrable(act, sigma)
    if derivative:
        check_square_integrable(_derivative_of(act) if act.expr is not None else act, sigma)
    if key is not None:
        if len(_CHECKED) > 4096:
            _CHECKED.clear()
        _CHECKED[key] = act


_DERIVS: dict[int, tuple[Activation, Activation]] = {}


def _derivative_of(a: Activation) -> Activation:
    """``a.derivative()``, cached per activation object (sympy diff is slow)."""
    got = _DERIVS.get(id(a))
    if got is not None and got[0] is a:
        return got[1]
    d = a.derivative()
    if len(_DERIVS) > 4096:
        _DERIVS.clear()
    _DERIVS[id(a)] = (a, d)
    return d


def _numeric_target(a: Activation, sigma: float, derivative: bool
                    ) -> tuple[Any, Callable[[np.ndarray], np.ndarray], tuple[float, ...]]:
    """(cache key, z ↦ f(σz), kinks in z) for the numeric engine."""
    if a.expr is None:
        f0 = a._np_d if derivative else a._np

        def fs(v: np.ndarray) -> np.ndarray:
            with np.errstate(all="ignore"):
                return np.asarray(f0(sigma * v), dtype=float) * np.ones_like(v)

        return (("callable", id(a._callable), a.kinks), sigma, derivative, a._callable), fs, \
            tuple(k / sigma for k in a.kinks)
    target = _derivative_of(a) if derivative else a

    def ft(v: np.ndarray) -> np.ndarray:
        return evaluate(target, sigma * v)

    return (target.expr, sigma), ft, tuple(k / sigma for k in target.kinks)


def numeric_interpolant(act: Activation | str | Any, *, sigma: float = 1.0,
                        derivative: bool = False) -> Any:
    """The cached numeric-engine interpolant (:mod:`ringing.theory.engine`) of C[φ|·] or C[φ'|·]."""
    from ringing.theory.engine import cached_interpolant

    a = as_activation(act)
    sigma = validate_sigma(sigma)
    got = _INTERPS.get((id(a), sigma, derivative))
    if got is not None and got[0] is a:
        return got[1]
    key, fn, kinks = _numeric_target(a, sigma, derivative)
    it = cached_interpolant(key, fn, kinks, pieces=_polynomial_pieces(a, sigma, derivative))
    if len(_INTERPS) > 4096:
        _INTERPS.clear()
    _INTERPS[(id(a), sigma, derivative)] = (a, it)
    return it


_INTERPS: dict[tuple[int, float, bool], tuple[Activation, Any]] = {}


def _polynomial_pieces(a: Activation, sigma: float, derivative: bool
                       ) -> tuple[np.ndarray, np.ndarray] | None:
    """(lows, coef) of z ↦ φ(σz) (or φ') when it is a polynomial on every piece, else None."""
    from ringing.theory.families import polynomial_pieces

    if a.expr is None:
        return None
    got = polynomial_pieces(_derivative_of(a).expr if derivative else a.expr)
    if got is None:
        return None
    lows, coef = got
    return np.asarray(lows) / sigma, np.asarray(coef) * sigma ** np.arange(len(coef[0]))


def covariance_result(act: Activation | str | Any, rho: Any, *, sigma: float = 1.0,
                      derivative: bool = False) -> CovarianceResult:
    """C[φ|ρ] = E[φ(σu)φ(σv)] (or C[φ'|ρ]) for an array of ρ ∈ [−1, 1] of any shape (seed 002
    §2.1, eq 2.3).

    An exact family recognised from the expression's structure
    (:mod:`ringing.theory.families`: polynomials, piecewise-linear with one kink at 0,
    Gaussian-analytic sums) where one applies; otherwise the numeric engine
    (:mod:`ringing.theory.engine`: a cached Hermite series or Chebyshev interpolant in
    θ = arccos ρ built from the split polar Gauss–Legendre rule, ≤ ~1e-13).
    """
    a = as_activation(act)
    sigma = validate_sigma(sigma)
    r = validate_rho(rho)
    _check_once(a, sigma, derivative)
    fam = _family(a, derivative)
    if fam is not None:
        val = np.asarray(fam.covariance(r, sigma), dtype=float)
        one = float(np.asarray(fam.covariance(np.ones(1), sigma))[0])
        res = CovarianceResult(val, fam.method, 1e-15 * max(1.0, abs(one)) * 8)
    else:
        it = numeric_interpolant(a, sigma=sigma, derivative=derivative)
        res = CovarianceResult(np.asarray(it(r), dtype=float), it.method, it.error)
    if not np.all(np.isfinite(res.value)):
        raise ValueError(f"covariance of {a.name!r} is not finite")
    return res


def covariance_gap(act: Activation | str | Any, delta: Any, *, sigma: float = 1.0) -> np.ndarray:
    """C[φ|1] − C[φ|1 − δ] for δ = 1 − ρ ∈ [0, 2], without cancellation at small δ.

    Exact families: their closed forms rearranged (1 − cos θ = 2 sin²(θ/2), Taylor
    series of sin θ − θ cos θ, …).  Numeric engine: Price's identity
    ∫_0^θ C[φ'|cos t] sin t dt for δ ≤ 1/4 (:func:`ringing.theory.engine.gap_from_derivative`),
    the plain difference above.
    """
    from ringing.theory.engine import gap_from_derivative

    a = as_activation(act)
    sigma = validate_sigma(sigma)
    d = np.asarray(delta, dtype=float)
    if np.any(~np.isfinite(d) | (d < 0) | (d > 2)):
        raise ValueError("1 - rho must lie in [0, 2]")
    _check_once(a, sigma, False)
    fam = _family(a, False)
    if fam is not None:
        return np.asarray(fam.gap(d, sigma), dtype=float)
    it = numeric_interpolant(a, sigma=sigma)
    out = it.c_one - it(1.0 - d)
    small = d <= 0.25
    if np.any(small) and a.expr is not None:
        dfam = _family(a, True)
        if dfam is not None:
            def dk(t: np.ndarray) -> np.ndarray:
                return np.asarray(dfam.covariance(np.cos(t), sigma))
        else:
            _check_once(a, sigma, True)
            dk = numeric_interpolant(a, sigma=sigma, derivative=True).at_theta
        out = np.array(out, dtype=float)
        out[small] = gap_from_derivative(dk, d[small]) * sigma**2
    return np.asarray(out, dtype=float)


def gaussian_covariance(act: Activation | str | Any, rho: Any, *, sigma: float = 1.0,
                        derivative: bool = False, return_method: bool = False) -> Any:
    """C[φ|ρ] = E[φ(σu)φ(σv)] (or C[φ'|ρ]) for an array of ρ ∈ [−1, 1] (any shape; seed 002
    §2.1, eq 2.3).

    See :func:`covariance_result` (which also returns the error estimate).  With
    ``return_method`` the method string comes back too.

    Parameters
    ----------
    act
        Activation spec (registry name or expression) or an
        :class:`~ringing.activations.Activation`.
    rho
        Correlations in ``[-1, 1]``, any shape.
    sigma
        Standard deviation ``σ > 0``.
    derivative
        Compute ``C[φ'|ρ]`` instead.
    return_method
        Also return how the values were obtained.

    Returns
    -------
    numpy.ndarray or tuple
        ``C[φ|ρ]`` (shape of ``rho``), with the method string if ``return_method``.
    """
    res = covariance_result(act, rho, sigma=sigma, derivative=derivative)
    return (res.value, res.method) if return_method else res.value
