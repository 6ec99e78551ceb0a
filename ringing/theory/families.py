"""Exact Gaussian kernels chosen by the structure of the canonical sympy expression.

A name is a label, never a switch: :func:`recognise` looks only at the sympy
expression of φ (or of φ'), so ``relu(2*x)``, ``2*relu(x)``, ``max(2*x, 0)`` and
``x + abs(x)`` all land in the same family with the same numbers.  The families
(seed 002 §2.1 and App. B; Cho & Saul 2009, "Kernel methods for deep learning";
Williams 1997, "Computing with infinite networks"):

* **polynomials** — an exact finite Hermite series (:func:`polynomial_hermite`),
  C[φ|ρ] = Σ_k ĥ_k² ρ^k (Mehler), the monomial-to-Hermite conversion done in
  mpmath at a working precision chosen from the size of the cancellation;
* **piecewise-linear with one kink at 0** — φ(x) = a_L + b_L x (x < 0),
  a_R + b_R x (x > 0), i.e. any combination of a constant, x, relu(x),
  relu(−x), the step H(x) (relu, lrelu, abs, identity, abs(x)+1, their
  derivatives).  With f_0 = H, f_1 = relu and the arc-cosine kernels
  K_00 = (π − θ)/2π, K_11 = (sin θ + (π − θ) cos θ)/2π (θ = arccos ρ) and the
  mixed kernel K_01 = E[H(u) relu(v)] = (1 + ρ)/(2√(2π)) (Gaussian integration
  by parts), C = rᵀK(ρ)r + lᵀK(ρ)l + 2 rᵀK(−ρ)l with r = (a_R, σb_R),
  l = (a_L, −σb_L);
* **Gaussian-analytic sums** — c_0 + m x + Σ c_i erf(a_i x) + Σ d_j exp(−p_j x²)
  (erf and its scalings, the registry's gaussian, erf's derivative): every pair
  has a closed form, E[erf(bu) erf(b'v)] = (2/π) arcsin(2bb'ρ/√((1+2b²)(1+2b'²)))
  (Williams 1997), E[e^{−Pu²} e^{−Qv²}] = ((1+2P)(1+2Q) − 4PQρ²)^{−1/2}
  (Gaussian determinant), E[u erf(bv)] = ρ (2b/√π)/√(1+2b²) (Stein).

An inner scale is absorbed into σ automatically: the families are stated for
φ(σ·), and the piece values / arguments of φ already carry any inner factor.
Everything else goes to the numeric engine (:mod:`ringing.theory.engine`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ringing.activations import x

__all__ = [
    "ExactFamily",
    "PolynomialFamily",
    "PiecewiseLinearFamily",
    "GaussianAnalyticFamily",
    "recognise",
    "polynomial_pieces",
    "polynomial_hermite",
    "arccos_k0",
    "arccos_k1",
    "one_minus_cos",
    "sin_minus_theta_cos",
]

_TWO_PI = 2.0 * math.pi
_SQRT_2PI = math.sqrt(_TWO_PI)


# ----------------------------------------------------------------------------
# cancellation-free pieces of the arc-cosine kernels


def one_minus_cos(theta: np.ndarray) -> np.ndarray:
    """1 − cos θ = 2 sin²(θ/2), without cancellation at small θ."""
    return 2.0 * np.sin(np.asarray(theta, dtype=float) / 2.0) ** 2


def sin_minus_theta_cos(theta: np.ndarray) -> np.ndarray:
    """sin θ − θ cos θ, by its Taylor series θ³/3 − θ⁵/30 + … where θ < 0.5."""
    t = np.asarray(theta, dtype=float)
    out = np.asarray(np.sin(t) - t * np.cos(t))  # 0-d input stays an array (assignable)
    small = t < 0.5
    if np.any(small):
        ts = t[small]
        t2 = ts * ts
        # sum_{n>=1} (-1)^(n+1) 2n θ^(2n+1) / (2n+1)!
        term = ts * t2 / 3.0
        acc = term.copy()
        for n in range(2, 12):
            term = -term * t2 * (2 * n) / ((2 * n - 2) * (2 * n) * (2 * n + 1))
            acc = acc + term
        out[small] = acc
    return out


def arccos_k0(theta: np.ndarray) -> np.ndarray:
    """K_00 = E[H(u)H(v)] = (π − θ)/2π (Cho & Saul 2009, order 0)."""
    return (math.pi - theta) / _TWO_PI


def arccos_k1(theta: np.ndarray) -> np.ndarray:
    """K_11 = E[relu(u) relu(v)] = (sin θ + (π − θ) cos θ)/2π (Cho & Saul 2009, order 1)."""
    return (np.sin(theta) + (math.pi - theta) * np.cos(theta)) / _TWO_PI


def _theta_from_gap(delta: np.ndarray) -> np.ndarray:
    """θ = arccos(1 − δ) = 2 arcsin(√(δ/2)), accurate for tiny δ."""
    return 2.0 * np.arcsin(np.sqrt(np.clip(delta, 0.0, 2.0) / 2.0))


# ----------------------------------------------------------------------------
# the families


@dataclass(frozen=True)
class ExactFamily:
    """Base class: an exact kernel C[φ|ρ] for φ applied to N(0, σ²)."""

    label: str

    def covariance(self, rho: np.ndarray, sigma: float) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def gap(self, delta: np.ndarray, sigma: float) -> np.ndarray:
        """C[φ|1] − C[φ|1 − δ]; subclasses avoid the subtraction."""
        d = np.asarray(delta, dtype=float)
        one = self.covariance(np.ones(1), sigma)[0]
        return one - self.covariance(1.0 - d, sigma)

    @property
    def method(self) -> str:
        return f"exact ({self.label})"


@dataclass(frozen=True)
class PolynomialFamily(ExactFamily):
    """A polynomial: the exact finite Hermite series (Mehler)."""

    expr: Any = None

    def squares(self, sigma: float) -> np.ndarray:
        h, _ = polynomial_hermite(self.expr, sigma)
        return h * h

    def covariance(self, rho: np.ndarray, sigma: float) -> np.ndarray:
        r = np.asarray(rho, dtype=float)
        return np.polynomial.polynomial.polyval(r, self.squares(sigma))

    def gap(self, delta: np.ndarray, sigma: float) -> np.ndarray:
        # 1 − ρ^k = δ Σ_{j<k} ρ^j: no subtraction of nearly equal numbers
        d = np.asarray(delta, dtype=float)
        sq = self.squares(sigma)
        rho = 1.0 - d
        acc = np.zeros_like(d)
        geo = np.zeros_like(d)  # Σ_{j<k} ρ^j
        pw = np.ones_like(d)
        for k in range(1, sq.size):
            geo = geo + pw
            pw = pw * rho
            acc = acc + sq[k] * geo
        return d * acc


@dataclass(frozen=True)
class PiecewiseLinearFamily(ExactFamily):
    """φ = a_L + b_L x (x < 0), a_R + b_R x (x > 0): arc-cosine kernels of order 0 and 1."""

    a_left: float = 0.0
    b_left: float = 0.0
    a_right: float = 0.0
    b_right: float = 0.0

    def _vectors(self, sigma: float) -> tuple[np.ndarray, np.ndarray]:
        r = np.array([self.a_right, sigma * self.b_right])
        lft = np.array([self.a_left, -sigma * self.b_left])
        return r, lft

    @staticmethod
    def _kmat(theta: np.ndarray, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return arccos_k0(theta), (1.0 + rho) / (2.0 * _SQRT_2PI), arccos_k1(theta)

    def covariance(self, rho: np.ndarray, sigma: float) -> np.ndarray:
        r_ = np.clip(np.asarray(rho, dtype=float), -1.0, 1.0)
        th = np.arccos(r_)
        r, lf = self._vectors(sigma)
        k00, k01, k11 = self._kmat(th, r_)
        m00, m01, m11 = self._kmat(math.pi - th, -r_)

        def quad(p: np.ndarray, q: np.ndarray, a: Any, b: Any, c: Any) -> Any:
            return p[0] * q[0] * a + (p[0] * q[1] + p[1] * q[0]) * b + p[1] * q[1] * c

        return (quad(r, r, k00, k01, k11) + quad(lf, lf, k00, k01, k11)
                + 2.0 * quad(r, lf, m00, m01, m11))

    def gap(self, delta: np.ndarray, sigma: float) -> np.ndarray:
        d = np.clip(np.asarray(delta, dtype=float), 0.0, 2.0)
        th = _theta_from_gap(d)
        r, lf = self._vectors(sigma)
        # K(1) − K(ρ) per entry, each without cancellation:
        g00 = th / _TWO_PI
        g01 = d / (2.0 * _SQRT_2PI)
        g11 = (math.pi * d - sin_minus_theta_cos(th)) / _TWO_PI
        # K(−1) − K(−ρ): K00(−1) = 0, K01(−1) = 0, K11(−1) = 0
        m00 = -th / _TWO_PI
        m01 = -d / (2.0 * _SQRT_2PI)  # K01(−ρ) = (1 − ρ)/(2√2π) = δ/(2√2π); K01(−1) = 0
        m11 = -sin_minus_theta_cos(th) / _TWO_PI  # K11(−ρ) = (sin θ − θ cos θ)/2π

        def quad(p: np.ndarray, q: np.ndarray, a: Any, b: Any, c: Any) -> Any:
            return p[0] * q[0] * a + (p[0] * q[1] + p[1] * q[0]) * b + p[1] * q[1] * c

        return (quad(r, r, g00, g01, g11) + quad(lf, lf, g00, g01, g11)
                + 2.0 * quad(r, lf, m00, m01, m11))


@dataclass(frozen=True)
class GaussianAnalyticFamily(ExactFamily):
    """c_0 + m x + Σ c_i erf(a_i x) + Σ d_j exp(−p_j x²): pairwise closed forms."""

    const: float = 0.0
    lin: float = 0.0
    erfs: tuple[tuple[float, float], ...] = ()  # (c_i, a_i)
    gausses: tuple[tuple[float, float], ...] = ()  # (d_j, p_j), p_j > 0

    def covariance(self, rho: np.ndarray, sigma: float) -> np.ndarray:
        r = np.clip(np.asarray(rho, dtype=float), -1.0, 1.0)
        s2 = sigma * sigma
        out = np.full(r.shape, 0.0)
        g0 = self.const + sum(d / math.sqrt(1.0 + 2.0 * p * s2) for d, p in self.gausses)
        out = out + g0 * g0  # the even, constant-mean part: E[g]² from the constant pairings
        # gauss-gauss and const-gauss pairs: covariance beyond the product of means
        for d1, p1 in self.gausses:
            for d2, p2 in self.gausses:
                pp, qq = p1 * s2, p2 * s2
                full = 1.0 / np.sqrt((1 + 2 * pp) * (1 + 2 * qq) - 4 * pp * qq * r * r)
                out = out + d1 * d2 * (full - 1.0 / math.sqrt((1 + 2 * pp) * (1 + 2 * qq)))
        out = out + (self.lin**2 * s2 + self._x_erf(sigma)) * r
        for w, k in self._erf_pairs(sigma):
            out = out + w * (2.0 / math.pi) * np.arcsin(np.clip(k * r, -1.0, 1.0))
        return out

    def _x_erf(self, sigma: float) -> float:
        """The ρ-coefficient of the x–erf pairs: 2 m σ Σ c_i E[u erf(b_i v)]/ρ, b_i = a_i σ."""
        return sum(2.0 * self.lin * sigma * c * (2.0 * a * sigma / math.sqrt(math.pi)) /
                   math.sqrt(1.0 + 2.0 * (a * sigma) ** 2) for c, a in self.erfs)

    def _erf_pairs(self, sigma: float) -> list[tuple[float, float]]:
        """(c_i c_j, k_ij): E[erf(b_i u) erf(b_j v)] = (2/π) arcsin(k_ij ρ) (Williams 1997)."""
        out = []
        for c1, a1 in self.erfs:
            for c2, a2 in self.erfs:
                b1, b2 = a1 * sigma, a2 * sigma
                out.append((c1 * c2, 2.0 * b1 * b2 / math.sqrt((1 + 2 * b1 * b1) *
                                                                 (1 + 2 * b2 * b2))))
        return out

    def gap(self, delta: np.ndarray, sigma: float) -> np.ndarray:
        d = np.clip(np.asarray(delta, dtype=float), 0.0, 2.0)
        r = 1.0 - d
        one_minus_r2 = d * (2.0 - d)
        s2 = sigma * sigma
        out = self.lin**2 * s2 * d
        for d1, p1 in self.gausses:
            for d2, p2 in self.gausses:
                pp, qq = p1 * s2, p2 * s2
                a_, b_ = (1 + 2 * pp) * (1 + 2 * qq), 4 * pp * qq
                lo, hi = a_ - b_, a_ - b_ * r * r
                num = b_ * one_minus_r2 / (np.sqrt(hi) + math.sqrt(lo))
                out = out + d1 * d2 * num / np.sqrt(lo * hi)
        out = out + self._x_erf(sigma) * d
        for w, k in self._erf_pairs(sigma):
            y = k * r
            s_k = math.sqrt(1.0 - k * k)
            diff_sqrt = k * k * one_minus_r2 / (np.sqrt(1.0 - y * y) + s_k)
            # arcsin(k) − arcsin(k ρ) = arcsin(k√(1−y²) − y√(1−k²)), y = kρ
            out = out + w * (2.0 / math.pi) * np.arcsin(k * (diff_sqrt + d * s_k))
        # the arcsine difference formula holds for ρ ≥ 0; below, the plain difference has
        # no cancellation to fear
        far = d > 0.5
        if np.any(far):
            one = self.covariance(np.ones(1), sigma)[0]
            out = np.where(far, one - self.covariance(np.where(far, r, 1.0), sigma), out)
        return out


# ----------------------------------------------------------------------------
# exact Hermite series of a polynomial


@lru_cache(maxsize=256)
def polynomial_hermite(expr: sp.Expr, sigma: float) -> tuple[np.ndarray, float]:
    """Normalised Hermite coefficients ĥ_0..ĥ_n of z ↦ p(σz) for a polynomial p, and their error.

    Horner's scheme in the HermiteE basis (x·He_k = He_{k+1} + k He_{k−1}) in
    mpmath, at a working precision that covers the cancellation (estimated from
    the largest term |c_j| σ^j √(j!)), repeated 20 digits higher; the error is
    the difference (relative to float64 it is nil in practice).  ĥ_k = a_k √(k!).
    """
    poly = sp.Poly(sp.expand(expr), x)
    coeffs = [c for c in reversed(poly.all_coeffs())]  # c_0..c_n
    n = len(coeffs) - 1

    def run(dps: int) -> list[Any]:
        with mpmath.workdps(dps):
            s = mpmath.mpf(sigma)
            cs = [mpmath.mpf(str(sp.N(c, dps + 5))) * s**j for j, c in enumerate(coeffs)]
            a = [cs[n]]
            for j in range(n - 1, -1, -1):
                b = [mpmath.mpf(0)] * (len(a) + 1)
                for k, ak in enumerate(a):
                    b[k + 1] += ak
                    if k >= 1:
                        b[k - 1] += k * ak
                b[0] += cs[j]
                a = b
            return [ak * mpmath.sqrt(mpmath.factorial(k)) for k, ak in enumerate(a)]

    with mpmath.workdps(30):
        big = max((abs(mpmath.mpf(str(sp.N(c, 20)))) * mpmath.mpf(sigma) ** j *
                   mpmath.sqrt(mpmath.factorial(j)) for j, c in enumerate(coeffs)),
                  default=mpmath.mpf(1))
        loss = int(max(0, float(mpmath.log10(big + 1)))) + 1
    dps = 30 + 2 * loss
    h1, h2 = run(dps), run(dps + 20)
    h = np.array([float(v) for v in h2])
    err = max((float(abs(u - v)) for u, v in zip(h1, h2, strict=True)), default=0.0)
    return h, err


# ----------------------------------------------------------------------------
# recognition


def _num(c: sp.Expr) -> float | None:
    if c.free_symbols:
        return None
    try:
        v = complex(sp.N(c, 30))
    except (TypeError, ValueError):
        return None
    if v.imag != 0 or not math.isfinite(v.real):
        return None
    return v.real


def _as_gaussian_analytic(e: sp.Expr) -> GaussianAnalyticFamily | None:
    const = lin = 0.0
    erfs: dict[float, float] = {}
    gs: dict[float, float] = {}
    for term in sp.Add.make_args(sp.expand(e)):
        coeff, rest = term.as_independent(x, as_Add=False)
        c = _num(coeff)
        if c is None:
            return None
        if rest == 1:
            const += c
        elif rest == x:
            lin += c
        elif isinstance(rest, sp.erf):
            a_, lin_part = rest.args[0].as_independent(x, as_Add=False)
            if lin_part != x:
                return None
            a = _num(a_)
            if a is None or a == 0:
                return None
            erfs[a] = erfs.get(a, 0.0) + c
        elif isinstance(rest, sp.exp):
            arg = sp.expand(rest.args[0])
            if not arg.is_polynomial(x):
                return None
            pl = sp.Poly(arg, x)
            if pl.degree() != 2 or any(pl.coeff_monomial(x**k) != 0 for k in (0, 1)):
                return None
            p = _num(-pl.coeff_monomial(x**2))
            if p is None or p <= 0:
                return None
            gs[p] = gs.get(p, 0.0) + c
        else:
            return None
    if not erfs and not gs:
        return None
    return GaussianAnalyticFamily(
        "Gaussian-analytic sum: constants, x, erf(a x), exp(-p x^2); arcsine and "
        "Gaussian-determinant kernels", const, lin,
        tuple((c, a) for a, c in sorted(erfs.items())),
        tuple((d, p) for p, d in sorted(gs.items())))


def _as_piecewise_linear(e: sp.Expr) -> PiecewiseLinearFamily | None:
    from ringing.theory.gaussian import ExactTimeout, _pieces

    if not e.has(sp.Piecewise, sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside):
        return None
    try:
        pieces = _pieces(e)
    except (ExactTimeout, TypeError, ValueError, NotImplementedError):
        return None
    left: tuple[float, float] | None = None
    right: tuple[float, float] | None = None
    for lo, hi, val in pieces:
        val = sp.expand(val)
        if not val.is_polynomial(x):
            return None
        pl = sp.Poly(val, x)
        if pl.degree() > 1:
            return None
        a, b = _num(pl.coeff_monomial(1)), _num(pl.coeff_monomial(x))
        if a is None or b is None:
            return None
        if lo == -sp.oo and hi == sp.oo:
            left = right = (a, b)
        elif lo == -sp.oo and hi == 0:
            if left is not None and left != (a, b):
                return None
            left = (a, b)
        elif lo == 0 and hi == sp.oo:
            if right is not None and right != (a, b):
                return None
            right = (a, b)
        else:
            return None  # a breakpoint away from 0: numeric engine
    if left is None or right is None:
        return None
    return PiecewiseLinearFamily(
        "piecewise-linear with one kink at 0: arc-cosine kernels of order 0 and 1",
        left[0], left[1], right[0], right[1])


@lru_cache(maxsize=1024)
def polynomial_pieces(expr: sp.Expr | None
                      ) -> tuple[tuple[float, ...], tuple[tuple[float, ...], ...]] | None:
    """(lows, coef) when ``expr`` is a polynomial in x on every piece of its Piecewise form
    (htanh, relu(x − 0.5), odd_square, …): ``expr = Σ_k coef[i][k] x^k`` for
    lows[i] ≤ x < lows[i+1], lows[0] = −∞; else ``None``.  Read off the structure (the
    numeric engine then integrates the polar form exactly in r)."""
    from ringing.theory.gaussian import ExactTimeout, _pieces

    if expr is None or expr.free_symbols - {x}:
        return None
    try:
        pieces = _pieces(expr)
    except (ExactTimeout, TypeError, ValueError, NotImplementedError):
        return None
    if len(pieces) < 2:
        return None
    rows = []
    for lo, hi, val in sorted(pieces, key=lambda p: float(p[0])):
        val = sp.expand(val)
        if not val.is_polynomial(x):
            return None
        cs = [_num(c) for c in reversed(sp.Poly(val, x).all_coeffs())]
        if any(c is None for c in cs):
            return None
        rows.append((float(lo), float(hi), cs))
    if rows[0][0] != -math.inf or rows[-1][1] != math.inf or any(
            r[1] != q[0] for r, q in zip(rows[:-1], rows[1:], strict=True)):
        return None
    deg = max(len(r[2]) for r in rows)
    coef = tuple(tuple([*r[2], *([0.0] * (deg - len(r[2])))]) for r in rows)
    return tuple(r[0] for r in rows), coef  # type: ignore[return-value]


@lru_cache(maxsize=1024)
def recognise(expr: sp.Expr | None) -> ExactFamily | None:
    """The exact family of a canonical expression in x, or ``None`` (numeric engine).

    Decided from the expression's structure only (see the module docstring).
    """
    if expr is None or expr.free_symbols - {x}:
        return None
    e = sp.expand(expr)
    if e.is_polynomial(x):
        return PolynomialFamily("finite Hermite series of a polynomial", e)
    fam = _as_gaussian_analytic(e)
    if fam is not None:
        return fam
    return _as_piecewise_linear(expr)
