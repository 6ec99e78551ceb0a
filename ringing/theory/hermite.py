"""Hermite expansions and Gaussian norms of activations (seed 002 §2.1 and App. B).

Convention (seed 002 §2.1): h_k = He_k / √(k!) are the normalised probabilists'
Hermite polynomials, so E[h_k(u) h_k'(v)] = δ_kk' ρ^k for standard normal u, v
with correlation ρ, and φ = Σ_k ĥ_k h_k with ĥ_k = E[φ(z) h_k(z)].  An input
variance σ² means φ is applied to N(0, σ²): the coefficients are those of
z ↦ φ(σz).  Then ‖φ‖²_N = Σ ĥ_k² (Parseval), C[φ|ρ] = Σ ĥ_k² ρ^k (Mehler), the
best affine approximation in L²(N) is φ̄(z) = ĥ_0 + ĥ_1 z, and
‖φ − φ̄‖²_N = ‖φ‖²_N − ĥ_0² − ĥ_1².

Methods, in order of preference:

* exact: sympy — truncated Gaussian moments for piecewise polynomials (relu,
  lrelu, abs, htanh, square, odd_square, polynomials, Hermite polynomials),
  Stein's identity ĥ_k = E[φ^{(k)}(z)] / √(k!) for smooth expressions (erf,
  gaussian, sin, cos, gelu), ``sympy.integrate`` under a time limit otherwise;
* quadrature: composite Gauss–Legendre split at the kinks (see
  :mod:`ringing.theory.gaussian`), float64, with an error estimate from a
  lower-order rule; all K+1 coefficients from one set of nodes through the
  three-term recurrence h_{k+1} = (z h_k − √k h_{k−1}) / √(k+1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ringing.activations import Activation, x
from ringing.checks import non_negative_int
from ringing.theory.families import PolynomialFamily, polynomial_hermite, recognise
from ringing.theory.gaussian import (
    ExactTimeout,
    adaptive_gauss_rule,
    as_activation,
    check_square_integrable,
    evaluate,
    exact_covariance,
    exact_gauss_expectation,
    gauss_rule,
    validate_sigma,
)

__all__ = [
    "HermiteResult",
    "GaussSummary",
    "hermite_coefficients",
    "hermite_matrix",
    "gaussian_summary",
    "norm_sq",
    "derivative_norm_sq",
    "validate_degree",
]

_MAX_DEGREE = 400


def validate_degree(degree: Any, name: str = "degree") -> int:
    """A non-negative integer degree (at most 400), or a one-line ``ValueError``."""
    if isinstance(degree, str):
        raise ValueError(f"{name}={degree!r} must be a non-negative integer")
    return non_negative_int(degree, name, maximum=_MAX_DEGREE)


def hermite_matrix(z: np.ndarray, degree: int) -> np.ndarray:
    """h_0(z)..h_K(z) (normalised probabilists' Hermite) as a (K+1, n) array."""
    z = np.asarray(z, dtype=float)
    out = np.empty((degree + 1, z.size))
    out[0] = 1.0
    if degree >= 1:
        out[1] = z
    for k in range(1, degree):
        out[k + 1] = (z * out[k] - math.sqrt(k) * out[k - 1]) / math.sqrt(k + 1)
    return out


def _sigma_expr(sigma: float | sp.Expr) -> sp.Expr:
    if isinstance(sigma, sp.Basic):
        return sigma
    return sp.Integer(1) if sigma == 1 else sp.Rational(repr(float(sigma)))


def _smooth(expr: sp.Expr) -> bool:
    return not expr.has(sp.Piecewise, sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside)


def _exact_coefficients(act: Activation, degree: int, sigma: float | sp.Expr,
                        timeout: float) -> list[sp.Expr]:
    expr = act.expr
    assert expr is not None
    e = expr.subs(x, _sigma_expr(sigma) * x) if sigma != 1 else expr
    out: list[sp.Expr | None] = []
    for k in range(degree + 1):
        try:
            if _smooth(e) and not e.is_polynomial(x):
                if k == 0 and sp.simplify(e.subs(x, -x) + e) == 0:
                    val = sp.Integer(0)  # odd function
                else:
                    val = exact_gauss_expectation(sp.diff(e, x, k), timeout=timeout)  # Stein
            else:
                val = exact_gauss_expectation(e * sp.hermite_prob(k, x), timeout=timeout)
        except ExactTimeout:
            out.extend([None] * (degree + 1 - k))  # higher degrees only get harder
            break
        out.append(sp.simplify(val / sp.sqrt(sp.factorial(k))))
    return out


def _exact_norm_sq(e: sp.Expr, timeout: float) -> sp.Expr:
    """E[e(z)^2] exactly: truncated moments / sympy, else C[e|1] from a derived kernel."""
    try:
        return sp.simplify(exact_gauss_expectation(e**2, timeout=timeout))
    except ExactTimeout:
        cov = exact_covariance(e, sp.Integer(1), timeout=timeout)
        if cov is None:
            raise
        return sp.simplify(cov)


@dataclass
class HermiteResult:
    """Normalised Hermite coefficients ĥ_0..ĥ_K of z ↦ φ(σz).

    Attributes
    ----------
    coefficients
        Float64 values ĥ_0..ĥ_K.
    exact
        Sympy expressions where the exact path finished (``None`` otherwise).
    method
        How the numbers were obtained.
    error
        Absolute error estimate per coefficient (0 where exact).
    norm_sq
        ‖φ‖²_N (same method as the coefficients).
    tail
        ‖φ‖²_N − Σ_{k≤K} ĥ_k²: the exact energy of the truncated tail (Parseval),
        non-negative up to the quadrature error.
    variance
        Var φ(σz) = ‖φ‖²_N − ĥ_0², computed without that subtraction where it would cancel.
    """

    activation: str
    sigma: float
    coefficients: np.ndarray
    exact: list[sp.Expr | None]
    method: str
    error: np.ndarray
    norm_sq: float
    tail: float = field(default=0.0)
    variance: float = field(default=float("nan"))

    def exact_strings(self) -> list[str | None]:
        return [None if e is None else str(e) for e in self.exact]


def hermite_coefficients(act: Activation | str | Any, degree: int, *, sigma: float = 1.0,
                         exact: bool = False, timeout: float = 20.0) -> HermiteResult:
    """Normalised Hermite coefficients ĥ_0..ĥ_K of φ applied to N(0, σ²) (seed 002 §2.1).

    Parameters
    ----------
    act
        Spec string, :class:`~ringing.activations.Activation` or callable.
    degree
        K ≥ 0.
    sigma
        Input standard deviation σ > 0 (may be a sympy symbol with ``exact``).
    exact
        Also derive exact sympy expressions (see the module docstring); where
        sympy does not finish within ``timeout`` seconds the entries are ``None``
        and the numbers come from quadrature.

    Raises
    ------
    ValueError
        Negative degree, σ ≤ 0, or φ not square-integrable under N(0, σ²).
    """
    a = as_activation(act)
    k_max = validate_degree(degree)
    symbolic_sigma = isinstance(sigma, sp.Basic) and bool(sigma.free_symbols)
    symbolic = a.expr is not None and bool(a.expr.free_symbols - {x})
    if symbolic or symbolic_sigma:
        if not exact:
            raise ValueError("symbolic parameters need exact=True")
        ex = _exact_coefficients(a, k_max, sigma, timeout)
        return HermiteResult(a.name, float("nan"), np.full(k_max + 1, np.nan), list(ex),
                             "exact (sympy, symbolic)", np.zeros(k_max + 1),
                             float("nan"), float("nan"))
    s = validate_sigma(sigma)
    check_square_integrable(a, s)
    fam = recognise(a.expr) if a.expr is not None else None
    if isinstance(fam, PolynomialFamily):
        hp, perr = polynomial_hermite(fam.expr, s)
        coef = np.zeros(k_max + 1)
        n = min(hp.size, k_max + 1)
        coef[:n] = hp[:n]
        err = np.full(k_max + 1, perr)
        nsq = float(np.sum(hp * hp))
        err_n = 2 * perr * float(np.sum(np.abs(hp)))
        variance = float(np.sum(hp[1:] ** 2))
        method = ("exact (finite Hermite series of a polynomial, converted in mpmath; "
                  f"error {perr:.1e})")
    else:
        coef, err, nsq, err_n, variance, method = _numeric_coefficients(a, s, k_max)
    exact_list: list[sp.Expr | None] = [None] * (k_max + 1)
    if exact and a.expr is not None:
        exact_list = _exact_coefficients(a, k_max, s, timeout)
        done = [i for i, e in enumerate(exact_list) if e is not None]
        for i in done:
            coef[i] = float(sp.N(exact_list[i], 30))
            err[i] = 0.0
        if len(done) == k_max + 1:
            method = "exact (sympy)"
        elif done:
            method = (f"exact (sympy) for degrees 0..{done[-1]}, " + method
                      + " above (sympy did not finish)")
        else:
            method += "; exact path unavailable (sympy did not finish)"
        try:
            nsq = float(sp.N(_exact_norm_sq(a.expr.subs(x, _sigma_expr(s) * x), timeout), 30))
            err_n = 0.0
        except ExactTimeout:
            pass
    tail = nsq - float(np.sum(coef**2))
    if tail < 0 and abs(tail) <= 10 * (err_n + float(np.sum(2 * np.abs(coef) * err))) + \
            1e-14 * max(1.0, nsq):
        tail = 0.0
    if err_n == 0.0 and method.startswith("exact (sympy)"):
        variance = nsq - float(coef[0]) ** 2
    return HermiteResult(a.name, s, coef, exact_list, method, err, nsq, tail, variance)


#: Below this σ the deviations φ(σz) − φ(0) are evaluated in mpmath (they are ~σ, far
#: below φ(0)'s float64 rounding otherwise).
_SMALL_SIGMA = 1e-3


def _numeric_coefficients(a: Activation, s: float, k_max: int
                          ) -> tuple[np.ndarray, np.ndarray, float, float, float, str]:
    """ĥ_0..ĥ_K, their error, ‖φ‖², its error, Var φ(σz), method: adaptive Gauss–Legendre.

    Panels at the integrand's scale (:func:`ringing.theory.gaussian.adaptive_gauss_rule`);
    the error is the difference between the 20- and 13-point rules on the final panels.
    For σ < 1e-3 the integrand is the deviation d(z) = φ(σz) − φ(0), evaluated in mpmath
    at 20 + |log10 σ| digits, so that ĥ_k (k ≥ 1) and Var φ = E[d²] − E[d]² keep their
    relative accuracy (ĥ_0 = φ(0) + E[d]).
    """
    kinks = tuple(k / s for k in a.kinks)
    half = 12.0 + 2.0 * math.sqrt(k_max + 1)
    f0 = 0.0
    if s < _SMALL_SIGMA and a.expr is not None:
        dps = 20 + int(math.ceil(-math.log10(s)))
        with mpmath.workdps(dps):
            m0 = a.mpmath(0)
            f0 = float(m0)

        def fn(z: np.ndarray) -> np.ndarray:
            with mpmath.workdps(dps):
                ms = mpmath.mpf(s)
                return np.array([float(a.mpmath(ms * mpmath.mpf(float(v))) - m0)
                                 for v in np.ravel(z)])
        how = (f"adaptive Gauss-Legendre at the integrand's scale; deviations from phi(0) in "
               f"mpmath ({dps} digits), float64 sums")
    else:
        def fn(z: np.ndarray) -> np.ndarray:
            return evaluate(a, s * np.asarray(z))
        how = "adaptive Gauss-Legendre at the integrand's scale, split at kinks, float64"
    z, w, z2, w2, _ = adaptive_gauss_rule(fn, kinks, scale=s, half_width=half)
    f, f2 = fn(z), fn(z2)
    coef = hermite_matrix(z, k_max) @ (w * f)
    err = np.abs(coef - hermite_matrix(z2, k_max) @ (w2 * f2))
    m1, m2 = float(np.sum(w * f)), float(np.sum(w * f * f))
    var = max(m2 - m1 * m1, 0.0) if f0 != 0.0 else float(np.sum(w * (f - m1) ** 2))
    coef[0] += f0
    nsq = (f0 + m1) ** 2 + var if f0 != 0.0 else m2
    err_n = abs(nsq - float(np.sum(w2 * (f2 + f0) ** 2)))
    return coef, err, nsq, err_n, var, f"quadrature ({how})"


@dataclass
class GaussSummary:
    """Gaussian norms and linearisation of φ applied to N(0, σ²) (seed 002 App. B).

    ``linear`` is (ĥ_0, ĥ_1): φ̄(z) = ĥ_0 + ĥ_1 z in the standardised input z
    (= ĥ_0 + (ĥ_1/σ) s in the pre-activation s = σz).  ``exact`` holds sympy
    expressions for the same keys where the exact path finished.
    """

    activation: str
    sigma: float
    norm_sq: float
    derivative_norm_sq: float
    mean: float
    variance: float
    linear: tuple[float, float]
    linearization_error_sq: float
    method: str
    exact: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "norm_sq": self.norm_sq,
            "derivative_norm_sq": self.derivative_norm_sq,
            "mean": self.mean,
            "variance": self.variance,
            "linear": list(self.linear),
            "linearization_error_sq": self.linearization_error_sq,
        }


def _exact_summary(a: Activation, sigma: float | sp.Expr, timeout: float) -> dict[str, Any]:
    assert a.expr is not None
    sx = _sigma_expr(sigma)
    e = a.expr.subs(x, sx * x)
    h0, h1 = _exact_coefficients(a, 1, sigma, timeout)
    if h0 is None or h1 is None:
        raise ExactTimeout("sympy did not finish the linearisation")
    nsq = _exact_norm_sq(e, timeout)
    d = a.diff_expr(1).subs(x, sx * x)
    dsq = _exact_norm_sq(d, timeout)
    return {
        "norm_sq": nsq,
        "derivative_norm_sq": dsq,
        "mean": h0,
        "variance": sp.simplify(nsq - h0**2),
        "linear": (h0, h1),
        "linearization_error_sq": sp.simplify(nsq - h0**2 - h1**2),
    }


def gaussian_summary(act: Activation | str | Any, sigma: float = 1.0, *, exact: bool = False,
                     timeout: float = 20.0) -> GaussSummary:
    """‖φ‖²_N, ‖φ'‖²_N, mean, variance, φ̄ = ĥ_0 + ĥ_1 z and ‖φ − φ̄‖²_N (seed 002 §2.1, App. B).

    All under z ~ N(0, 1) with φ applied to σz.  With ``exact`` the sympy
    expressions are in ``.exact`` (and a symbolic activation, e.g.
    ``get_activation("lrelu", slope=Symbol("a"))``, is allowed).
    """
    a = as_activation(act)
    symbolic = (a.expr is not None and bool(a.expr.free_symbols - {x})) or (
        isinstance(sigma, sp.Basic) and bool(sigma.free_symbols))
    if symbolic:
        if not exact:
            raise ValueError("symbolic parameters need exact=True")
        nan = float("nan")
        return GaussSummary(a.name, nan, nan, nan, nan, nan, (nan, nan), nan,
                            "exact (sympy, symbolic)", _exact_summary(a, sigma, timeout))
    s = validate_sigma(sigma)
    res = hermite_coefficients(a, 1, sigma=s)
    dn = derivative_norm_sq(a, s)
    h0, h1 = float(res.coefficients[0]), float(res.coefficients[1])
    nsq = res.norm_sq
    var = res.variance if math.isfinite(res.variance) else max(nsq - h0**2, 0.0)
    method = res.method
    ex: dict[str, Any] = {}
    if exact and a.expr is not None:
        try:
            ex = _exact_summary(a, s, timeout)
            nsq = float(sp.N(ex["norm_sq"], 30))
            dn = float(sp.N(ex["derivative_norm_sq"], 30))
            h0, h1 = (float(sp.N(v, 30)) for v in ex["linear"])
            var = float(sp.N(ex["variance"], 30))
            method = "exact (sympy)"
        except ExactTimeout as why:
            method += f"; exact path unavailable ({why})"
    lin_err = max(var - h1**2, 0.0)
    return GaussSummary(a.name, s, nsq, dn, h0, max(var, 0.0), (h0, h1), lin_err, method, ex)


def norm_sq(act: Activation | str | Any, sigma: float = 1.0) -> float:
    """‖φ‖²_N = E[φ(σz)²] (seed 002 §2.1), by split Gauss–Legendre quadrature.

    Parameters
    ----------
    act
        Activation spec (registry name or expression) or an
        :class:`~ringing.activations.Activation`.
    sigma
        Standard deviation ``σ > 0``.

    Returns
    -------
    float
        ``E[φ(σz)²]``.
    """
    return hermite_coefficients(act, 0, sigma=sigma).norm_sq


def derivative_norm_sq(act: Activation | str | Any, sigma: float = 1.0) -> float:
    """‖φ'‖²_N = E[φ'(σz)²] (the a.e. derivative; seed 002 §2.1)."""
    a = as_activation(act)
    s = validate_sigma(sigma)
    if a.expr is None:
        z, w = gauss_rule(tuple(k / s for k in a.kinks))
        d = a.numpy_derivative(s * z)
        if not np.all(np.isfinite(d)):
            raise ValueError(f"derivative of {a.name!r} is not finite")
        return float(np.sum(w * d * d))
    return hermite_coefficients(a.derivative(), 0, sigma=s).norm_sq
