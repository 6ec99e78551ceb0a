"""Chebyshev approximations of activations and their monomial coefficients (seed 000 §3.3, F.1).

Seed 000 replaces the activation by a polynomial ``phi(x) ~ sum_j a_j x^j`` (eq 4) obtained by
a "Chebyshev approximation of degree 25 within [-5, 5]" (Figures 2, 18, 19; Table 1).  This
module builds such approximations for any registry activation:

* ``fit="interpolate"`` (default): interpolation at the ``D + 1`` Chebyshev points of the first
  kind, :func:`numpy.polynomial.chebyshev.chebinterpolate` (near-best in the sup norm: the
  error is at most ``(2 + (2/pi) log(D+1))`` times the best possible).
* ``fit="lstsq"``: least squares in the Chebyshev basis on a uniform grid of ``grid`` points,
  :meth:`numpy.polynomial.Chebyshev.fit`.
* The preset ``"ringing-relus-table1"`` is the recipe that reproduces seed 000 Table 1:
  least squares on ``numpy.linspace(-5, 5, 1000)`` at degree 25 (see ``docs/chebyshev.md``).

Chebyshev coefficients ``t_j`` refer to ``T_j(x / A)`` on ``[-A, A]``.  Monomial coefficients
``a_j`` of ``x^j`` are converted *exactly*: every float ``t_j`` is a dyadic rational, ``T_j`` has
integer coefficients (:func:`sympy.chebyshevt_poly`) and ``A`` is a float, so
``a_j = sum_n t_n [x^j] T_n(x/A)`` is summed in rational arithmetic and rounded once.  The float
conversion :func:`numpy.polynomial.chebyshev.cheb2poly` loses ``~2^D`` relative digits in the
small coefficients (the ``T_n`` coefficients grow like ``2^n`` and cancel).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
from numpy.polynomial import Chebyshev
from numpy.polynomial import chebyshev as npcheb

from ringing.activations import Activation, get_activation
from ringing.checks import non_negative_int

__all__ = [
    "ChebyshevApprox",
    "DecayFit",
    "PRESETS",
    "TABLE1_SPECS",
    "chebyshev_approximation",
    "cheb_to_monomial",
    "chop_chebyshev",
    "sup_error",
    "decay_rate",
    "table1_coefficients",
    "validate_interval",
    "validate_cheb_degree",
]

_MAX_DEGREE = 400

#: Named fitting recipes (``ringing chebyshev ACT --preset NAME``).
PRESETS: dict[str, dict[str, Any]] = {
    "ringing-relus-table1": {
        "degree": 25,
        "interval": 5.0,
        "fit": "lstsq",
        "grid": 1000,
        "description": "seed 000 Table 1: least squares in the Chebyshev basis on "
                       "numpy.linspace(-5, 5, 1000), degree 25, monomial coefficients",
    },
}

#: Seed 000 Table 1 row names -> registry specs (the row definitions in the reference JSON).
TABLE1_SPECS: dict[str, str] = {
    "relu": "relu",
    "tanh": "tanh",
    "softplus": "softplus",
    "elu": "elu",
    "gelu": "gelu",
    "htanh": "htanh",
    "lrelu": "lrelu(slope=0.01)",
    "selu": "selu",
    "sigmoid": "sigmoid",
    "lrelu -0.25": "lrelu(slope=0.25)",
    "lrelu -0.75": "lrelu(slope=0.75)",
}


# ----------------------------------------------------------------------------
# validation


def validate_cheb_degree(degree: Any, name: str = "degree") -> int:
    """A non-negative integer degree (at most 400), or a one-line ``ValueError``."""
    if isinstance(degree, str):
        raise ValueError(f"{name}={degree!r} must be a non-negative integer")
    return non_negative_int(degree, name, maximum=_MAX_DEGREE)


def validate_interval(interval: Any, name: str = "interval") -> float:
    """The half-width ``A > 0`` of the symmetric interval ``[-A, A]``, or a ``ValueError``."""
    try:
        a = float(interval)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={interval!r} must be a positive number (the half-width A "
                         "of [-A, A])") from None
    if not math.isfinite(a) or a <= 0:
        raise ValueError(f"{name}={interval!r} must be a positive finite half-width A > 0")
    return a


# ----------------------------------------------------------------------------
# exact Chebyshev -> monomial conversion


@cache
def _cheb_int_coeffs(n: int) -> tuple[int, ...]:
    """Integer monomial coefficients of T_n, lowest degree first (sympy)."""
    import sympy as sp

    poly = sp.chebyshevt_poly(n, polys=True)
    c = [int(v) for v in reversed(poly.all_coeffs())]
    return tuple(c)


def cheb_to_monomial(cheb: Any, interval: float = 1.0, *, exact: bool = True) -> np.ndarray:
    """Monomial coefficients ``a_j`` of ``sum_n t_n T_n(x / A)`` (seed 000 eq 4).

    Parameters
    ----------
    cheb
        Chebyshev coefficients ``t_0..t_D`` (float).
    interval
        Half-width ``A`` of the interval the basis is scaled to.
    exact
        Convert in rational arithmetic (each float is an exact dyadic rational) and round once
        (default); otherwise use float64 :func:`numpy.polynomial.chebyshev.cheb2poly`.

    Returns
    -------
    np.ndarray
        ``a_0..a_D`` (float64, correctly rounded when ``exact``).
    """
    t = np.asarray(cheb, dtype=float)
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"cheb must be a non-empty 1-D array, got shape {t.shape}")
    a_half = validate_interval(interval)
    if not np.all(np.isfinite(t)):
        raise ValueError("cheb contains non-finite coefficients")
    if not exact:
        return np.asarray(npcheb.cheb2poly(t) / a_half ** np.arange(t.size))
    deg = t.size - 1
    acc = [Fraction(0)] * (deg + 1)
    for n, tn in enumerate(t.tolist()):
        if tn == 0.0:
            continue
        fn = Fraction(tn)
        for j, cj in enumerate(_cheb_int_coeffs(n)):
            if cj:
                acc[j] += fn * cj
    a_frac = Fraction(a_half)
    out = np.array([float(acc[j] / a_frac**j) for j in range(deg + 1)])
    return out


def chop_chebyshev(t: Any) -> np.ndarray:
    """Zero the Chebyshev coefficients below ``2 (D+1) eps max|t|`` (the round-off level of
    interpolation: exact zeros of a polynomial activation come out at ``~1e-14``) and drop
    trailing zeros: the effective degree."""
    t = np.asarray(t, dtype=float).copy()
    scale = float(np.abs(t).max()) if t.size else 0.0
    t[np.abs(t) <= 2 * t.size * np.finfo(float).eps * scale] = 0.0
    out = npcheb.chebtrim(t, 0)
    return np.asarray(out if out.size else np.zeros(1))


# ----------------------------------------------------------------------------
# error estimate and decay


def _dense_grid(a_half: float, degree: int, kinks: tuple[float, ...], n: int | None) -> np.ndarray:
    m = n if n is not None else max(4000, 40 * (degree + 1))
    u = np.cos(np.pi * (np.arange(m) + 0.5) / m)  # clusters at the ends like the error does
    pts = np.concatenate([a_half * u, np.linspace(-a_half, a_half, m),
                          [k for k in kinks if -a_half <= k <= a_half], [-a_half, a_half]])
    return np.unique(pts)


def sup_error(func: Callable[[np.ndarray], np.ndarray], poly: Callable[[np.ndarray], Any],
              interval: float, *, kinks: tuple[float, ...] = (), degree: int = 25,
              n: int | None = None, refine: int = 6) -> tuple[float, float]:
    """Estimate ``max_{|x| <= A} |f(x) - p(x)|``.

    The error is sampled on a grid of ``~max(4000, 40(D+1))`` Chebyshev and uniform points plus
    the kinks and end points, then the ``refine`` largest local maxima are polished with a
    bounded scalar maximisation (:func:`scipy.optimize.minimize_scalar`) between neighbouring
    grid points.  The result is a lower bound of the true maximum that is tight to the
    polishing tolerance; the grid alone is within ``(1 - O(D^2 / m^2))`` of it for a smooth
    error, and the kinks are on the grid.

    Returns
    -------
    (float, float)
        The estimate and the location where it is attained.
    """
    from scipy.optimize import minimize_scalar

    xs = _dense_grid(interval, degree, kinks, n)
    err = np.abs(func(xs) - np.asarray(poly(xs)))
    if not np.all(np.isfinite(err)):
        raise ValueError("the activation is not finite on the interval")
    # local maxima of the sampled error
    interior = np.flatnonzero((err[1:-1] >= err[:-2]) & (err[1:-1] >= err[2:])) + 1
    cand = np.concatenate([interior, [0, xs.size - 1]])
    best = cand[np.argsort(err[cand])[::-1][:refine]]
    e_best, x_best = float(err.max()), float(xs[int(np.argmax(err))])
    for i in best.tolist():
        lo, hi = xs[max(i - 1, 0)], xs[min(i + 1, xs.size - 1)]
        if hi <= lo:
            continue
        res = minimize_scalar(lambda v: -float(np.abs(func(np.array([v]))[0]
                                                     - np.asarray(poly(np.array([v])))[0])),
                              bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-12 * max(1.0, interval)})
        if -res.fun > e_best:
            e_best, x_best = float(-res.fun), float(res.x)
    return e_best, x_best


@dataclass(frozen=True)
class DecayFit:
    """Decay of coefficient magnitudes ``|c_j|`` over ``j`` (seed 000 Fig. 2, 19).

    ``geometric_rate`` is ``r`` in ``|c_j| ~ C r^-j`` (a least-squares line through
    ``log|c_j|``; ``r > 1`` means decay), ``algebraic_rate`` is ``s`` in ``|c_j| ~ C j^-s``;
    ``kind`` names the model with the larger R².  Coefficients that are zero by symmetry
    (``|c_j| <= 1e-12 max|c|``) and ``j = 0`` are left out.
    """

    kind: str
    geometric_rate: float
    geometric_r2: float
    algebraic_rate: float
    algebraic_r2: float
    n: int


def decay_rate(coefficients: Any, *, rel_floor: float = 1e-12) -> DecayFit:
    """Fit geometric and algebraic decay laws to ``|c_j|``, ``j >= 1`` (see :class:`DecayFit`).

    Raises
    ------
    ValueError
        If fewer than 3 coefficients are above the floor.
    """
    c = np.abs(np.asarray(coefficients, dtype=float))
    j = np.arange(c.size, dtype=float)
    m = (j >= 1) & (c > rel_floor * (c.max() if c.size else 0.0))
    if m.sum() < 3:
        raise ValueError(f"need at least 3 non-negligible coefficients to fit a decay, "
                         f"got {int(m.sum())}")
    y = np.log(c[m])

    def _line(xv: np.ndarray) -> tuple[float, float]:
        sl, ic = np.polyfit(xv, y, 1)
        r = y - (sl * xv + ic)
        sst = float(((y - y.mean()) ** 2).sum())
        return float(sl), (1.0 - float((r ** 2).sum()) / sst) if sst > 0 else 1.0

    gs, gr2 = _line(j[m])
    as_, ar2 = _line(np.log(j[m]))
    kind = "geometric" if gr2 >= ar2 else "algebraic"
    return DecayFit(kind, float(math.exp(-gs)), gr2, -as_, ar2, int(m.sum()))


# ----------------------------------------------------------------------------
# the approximation


@dataclass
class ChebyshevApprox:
    """A polynomial approximation of an activation on ``[-A, A]`` (seed 000 eq 4, §3.3).

    Attributes
    ----------
    activation
        Canonical spec of the activation.
    degree, interval, fit, grid
        The recipe (``grid`` is the number of least-squares points, ``None`` for interpolation).
    chebyshev
        ``t_0..t_D``: coefficients of ``T_j(x / A)``.
    monomial
        ``a_0..a_D``: coefficients of ``x^j`` (exact rational conversion, rounded once).
    sup_error
        Estimate of ``max_{|x|<=A} |phi(x) - p(x)|`` (see :func:`sup_error`), with
        ``sup_error_at`` its location.
    tail_bound
        ``sum_{j>D} |c_j|`` of a degree-``4D+8`` interpolant: the classical bound
        ``|phi - p_D| <= 2 sum_{j>D}|c_j|`` for interpolation is ``2 * tail_bound`` (a
        heuristic, not rigorous: the coefficients above ``4D+8`` are not counted).
    chebyshev_decay, monomial_decay
        :class:`DecayFit` of ``|t_j|`` and ``|a_j|`` (``None`` when fewer than 3 coefficients
        are above the floor, e.g. for a polynomial activation of low degree).
    method
        How the numbers were obtained.
    """

    activation: str
    degree: int
    interval: float
    fit: str
    grid: int | None
    chebyshev: np.ndarray
    monomial: np.ndarray
    sup_error: float | None
    sup_error_at: float | None
    tail_bound: float | None
    chebyshev_decay: DecayFit | None
    monomial_decay: DecayFit | None
    method: str
    preset: str | None = field(default=None)

    @property
    def polynomial(self) -> Chebyshev:
        """The approximation as a :class:`numpy.polynomial.Chebyshev` on ``[-A, A]``."""
        return Chebyshev(self.chebyshev, domain=[-self.interval, self.interval])

    def __call__(self, v: Any) -> np.ndarray:
        """Evaluate the polynomial (Clenshaw recurrence in the Chebyshev basis: stable)."""
        return np.asarray(self.polynomial(np.asarray(v, dtype=float)))


def _fit(f: Callable[[np.ndarray], np.ndarray], degree: int, a_half: float, fit: str,
         grid: int | None) -> tuple[np.ndarray, int | None]:
    if fit == "interpolate":
        t = npcheb.chebinterpolate(lambda u: f(a_half * np.asarray(u)), degree)  # type: ignore
        return np.asarray(t, dtype=float), None
    if fit == "lstsq":
        n = 1000 if grid is None else int(grid)
        if n < degree + 1:
            raise ValueError(f"grid={n} must have at least degree + 1 = {degree + 1} points "
                             "for a least-squares fit")
        xs = np.linspace(-a_half, a_half, n)
        c = Chebyshev.fit(xs, f(xs), degree, domain=[-a_half, a_half])
        tt = np.zeros(degree + 1)
        tt[: c.coef.size] = c.coef
        return tt, n
    raise ValueError(f"fit={fit!r} must be 'interpolate' or 'lstsq'")


def chebyshev_approximation(act: Activation | str | Any, degree: int = 25, interval: float = 5.0,
                            *, fit: str = "interpolate", grid: int | None = None,
                            preset: str | None = None, exact_monomial: bool = True,
                            error_estimate: bool = True) -> ChebyshevApprox:
    """Chebyshev approximation of an activation on ``[-A, A]`` (seed 000 §3.3, F.1).

    Parameters
    ----------
    act
        Spec string, :class:`~ringing.activations.Activation` or callable.
    degree
        Polynomial degree ``D >= 0``.
    interval
        Half-width ``A > 0`` of the interval.
    fit
        ``"interpolate"`` (Chebyshev points of the first kind) or ``"lstsq"`` (uniform grid).
    grid
        Number of uniform least-squares points (``fit="lstsq"``; default 1000).
    preset
        A name in :data:`PRESETS`; it sets ``degree``, ``interval``, ``fit`` and ``grid``.
    exact_monomial
        Convert to monomials in rational arithmetic (default) or with float64 ``cheb2poly``.
    error_estimate
        Compute :attr:`ChebyshevApprox.sup_error` and ``tail_bound`` (a few ms).

    Raises
    ------
    ValueError
        Negative degree, ``A <= 0``, an unknown fit or preset, or an activation that is not
        finite on the interval.
    """
    if preset is not None:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
        pr = PRESETS[preset]
        degree, interval, fit, grid = pr["degree"], pr["interval"], pr["fit"], pr["grid"]
    d = validate_cheb_degree(degree)
    a_half = validate_interval(interval)
    a = get_activation(act)
    f = a.numpy
    probe = f(np.linspace(-a_half, a_half, 257))
    if not np.all(np.isfinite(probe)):
        raise ValueError(f"activation {a.name!r} is not finite on [-{a_half:g}, {a_half:g}]")
    t, n_grid = _fit(f, d, a_half, fit, grid)
    mono = cheb_to_monomial(t, a_half, exact=exact_monomial)
    poly = Chebyshev(t, domain=[-a_half, a_half])
    err: float | None = None
    at: float | None = None
    tail: float | None = None
    if error_estimate:
        err, at = sup_error(f, poly, a_half, kinks=a.kinks, degree=d)
        hi = npcheb.chebinterpolate(lambda u: f(a_half * np.asarray(u)),  # type: ignore
                                    4 * d + 8)
        tail = float(np.abs(hi[d + 1:]).sum())

    def _decay(c: np.ndarray) -> DecayFit | None:
        try:
            return decay_rate(c)
        except ValueError:
            return None

    how = ("interpolation at Chebyshev points of the first kind (numpy chebinterpolate)"
           if fit == "interpolate" else
           f"least squares in the Chebyshev basis on {n_grid} uniform points (numpy "
           "Chebyshev.fit)")
    how += "; monomials by " + ("exact rational conversion" if exact_monomial
                                else "float64 cheb2poly")
    return ChebyshevApprox(a.name, d, a_half, fit, n_grid, t, mono, err, at, tail,
                           _decay(t), _decay(mono), how, preset)


def table1_coefficients(row: str) -> np.ndarray:
    """Our reproduction of one row of seed 000 Table 1 (``a_0..a_25``, preset
    ``ringing-relus-table1``); ``row`` is a Table 1 row name (see :data:`TABLE1_SPECS`)."""
    if row not in TABLE1_SPECS:
        raise ValueError(f"unknown Table 1 row {row!r}; known: {', '.join(TABLE1_SPECS)}")
    return chebyshev_approximation(TABLE1_SPECS[row], preset="ringing-relus-table1",
                                   error_estimate=False).monomial
