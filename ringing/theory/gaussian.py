"""Gaussian expectations of activations: the numerical and exact engine.

Three tools, used by :mod:`ringing.theory.hermite` and :mod:`ringing.theory.kernels`:

* :func:`gauss_rule` — a composite Gauss–Legendre rule for E[f(z)], z ~ N(0, 1),
  on [-L, L] with panel breakpoints at the activation's kinks.  On each panel the
  integrand is analytic, so the rule converges exponentially; the truncation at
  ±L (weight below e^{-L²/2}) is the only other error.
* :func:`polar_covariance` — C[φ|ρ] = E[φ(u)φ(v)], corr(u, v) = ρ = cos θ, in polar
  coordinates: u = r cos t, v = r cos(t − θ), so that

      C = (1/2π) ∫_0^{2π} dt ∫_0^∞ φ(r cos t) φ(r cos(t−θ)) e^{−r²/2} r dr.

  Kinks at 0 become the fixed rays cos t = 0 and cos(t−θ) = 0; a kink at κ ≠ 0
  is the curve r = κ / cos t; two kink lines cross at one angle each.  The
  t-integral is split at all those angles and the r-integral at the curves, so
  every panel of the tensor Gauss–Legendre rule sees an analytic integrand,
  for every ρ including ρ → ±1 (no 1/√(1−ρ²) scale appears, unlike the
  conditional-expectation form).  Plain Gauss–Hermite, by contrast, converges
  only algebraically for activations with kinks (see benchmarks/).
* :func:`exact_gauss_expectation` — exact sympy expectations: truncated Gaussian
  moments for piecewise-polynomial integrands (fast and always finishing),
  ``sympy.integrate`` under a time limit otherwise.

Every result says how it was obtained (``method``) and carries an error estimate.
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

# sympy imports sympy.tensor.tensor lazily in the first Add.flatten (~0.3 s, once per
# process); importing it here counts it as import time, not as the first covariance call's
import sympy.tensor.tensor  # noqa: F401

from ringing.activations import Activation, get_activation, x
from ringing.checks import positive_float

__all__ = [
    "validate_sigma",
    "validate_rho",
    "as_activation",
    "gauss_rule",
    "gauss_expect",
    "adaptive_gauss_rule",
    "check_square_integrable",
    "polar_covariance",
    "polar_covariance_pieces",
    "exact_gauss_expectation",
    "ExactTimeout",
]

_TWO_PI = 2.0 * math.pi


# ----------------------------------------------------------------------------
# validation


def as_activation(act: Activation | str | Callable[[Any], Any]) -> Activation:
    """Resolve a spec string, an :class:`Activation` or a callable."""
    return get_activation(act)


def validate_sigma(sigma: Any, name: str = "sigma") -> float:
    """A positive finite standard deviation, or a one-line ``ValueError``."""
    return positive_float(sigma, name)


def validate_rho(rho: Any) -> np.ndarray:
    """ρ as a float array, every entry in [-1, 1], or a one-line ``ValueError``."""
    arr = np.asarray(rho, dtype=float)
    bad = ~np.isfinite(arr) | (np.abs(arr) > 1.0)
    if np.any(bad):
        raise ValueError(f"rho={float(arr[bad].ravel()[0])!r} is outside [-1, 1]")
    return arr


# ----------------------------------------------------------------------------
# one-dimensional Gaussian quadrature split at kinks


@lru_cache(maxsize=32)
def _leggauss(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(n)


def _panels(breaks: np.ndarray, lo: float, hi: float, width: float) -> np.ndarray:
    pts = np.unique(np.concatenate([[lo, hi], breaks[(breaks > lo) & (breaks < hi)]]))
    out = [pts[:1]]
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        n = max(1, int(math.ceil((b - a) / width)))
        out.append(np.linspace(a, b, n + 1)[1:])
    return np.concatenate(out)


def legendre_panels(breaks: Any, lo: float, hi: float, *, panel: float = 0.5,
                    order: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre nodes and weights (Lebesgue measure) on [lo, hi].

    ``order`` nodes per panel, panels at most ``panel`` wide, split at ``breaks``
    (the kinks), so that each panel sees a piecewise-analytic integrand.
    """
    bps = _panels(np.asarray(breaks, dtype=float), lo, hi, panel)
    a, b = bps[:-1, None], bps[1:, None]
    xg, wg = _leggauss(order)
    return ((a + b) / 2 + (b - a) / 2 * xg).ravel(), ((b - a) / 2 * wg).ravel()


def gauss_rule(kinks: tuple[float, ...] = (), *, half_width: float = 12.0, panel: float = 0.5,
               order: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z and weights w with Σ w f(z) ≈ E[f(z)], z ~ N(0, 1).

    :func:`legendre_panels` on [−half_width, half_width] split at ``kinks``, with
    the standard normal density folded into the weights.
    """
    z, w = legendre_panels(kinks, -half_width, half_width, panel=panel, order=order)
    return z, w * np.exp(-(z**2) / 2) / math.sqrt(_TWO_PI)


def adaptive_gauss_rule(fn: Callable[[np.ndarray], np.ndarray], kinks: tuple[float, ...] = (),
                        *, scale: float = 1.0, half_width: float = 12.0, rtol: float = 1e-15,
                        max_rounds: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                      np.ndarray, float]:
    """Panels placed at the integrand's scale for E[f(z)], z ~ N(0, 1).

    Starts from the composite rule of :func:`gauss_rule` (panels ≤ 0.5, split at
    ``kinks``), graded geometrically towards 0 and the kinks down to width 1/(8·scale)
    when ``scale`` (σ) > 1 — the features of φ(σz) are σ times narrower — then bisects
    every panel where the 20- and 13-point Gauss–Legendre rules disagree on ∫ f ϕ or
    ∫ f² ϕ by more than ``rtol`` times the integral's size.  Vectorised over panels.

    Returns (z20, w20, z13, w13, err): nodes and weights (density folded in) of both
    orders on the final panels, and the summed disagreement of the accepted panels.
    """
    base = _panels(np.asarray(kinks, dtype=float), -half_width, half_width, 0.5)
    pts = [base]
    if scale > 1.0:
        w0 = 0.125 / scale
        grade = w0 * 2.0 ** np.arange(0, max(1, int(math.ceil(math.log2(0.5 / w0)))) + 1)
        for c in (0.0, *kinks):
            pts.append(c + grade)
            pts.append(c - grade)
    bps = np.unique(np.clip(np.concatenate(pts), -half_width, half_width))
    a, b = bps[:-1], bps[1:]
    x20, w20 = _leggauss(20)
    x13, w13 = _leggauss(13)

    def rule(lo: np.ndarray, hi: np.ndarray, xg: np.ndarray, wg: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
        z = ((lo + hi)[:, None] / 2 + (hi - lo)[:, None] / 2 * xg)
        w = ((hi - lo)[:, None] / 2 * wg) * np.exp(-(z**2) / 2) / math.sqrt(_TWO_PI)
        return z, w

    done_lo: list[np.ndarray] = []
    done_hi: list[np.ndarray] = []
    err = 0.0
    size = None
    for _ in range(max_rounds):
        z1, wa = rule(a, b, x20, w20)
        z2, wb = rule(a, b, x13, w13)
        f1 = np.asarray(fn(z1.ravel()), dtype=float).reshape(z1.shape)
        f2 = np.asarray(fn(z2.ravel()), dtype=float).reshape(z2.shape)
        i1 = np.stack([np.sum(wa * f1, axis=1), np.sum(wa * f1 * f1, axis=1)])
        i2 = np.stack([np.sum(wb * f2, axis=1), np.sum(wb * f2 * f2, axis=1)])
        if size is None:
            size = np.sum(np.abs(i1), axis=1) + 1e-300
        diff = np.max(np.abs(i1 - i2) / size[:, None], axis=0)
        ok = diff <= rtol
        width_ok = (b - a) < 1e-13 * max(1.0, half_width)
        ok = ok | width_ok | ~np.isfinite(diff)
        done_lo.append(a[ok])
        done_hi.append(b[ok])
        err += float(np.sum(np.max(np.abs(i1 - i2)[:, ok], axis=0))) if np.any(ok) else 0.0
        if np.all(ok):
            break
        mid = (a[~ok] + b[~ok]) / 2
        a, b = np.concatenate([a[~ok], mid]), np.concatenate([mid, b[~ok]])
    else:
        done_lo.append(a)
        done_hi.append(b)
        err = math.inf
    lo = np.concatenate(done_lo)
    hi = np.concatenate(done_hi)
    za, wa = rule(lo, hi, x20, w20)
    zb, wb = rule(lo, hi, x13, w13)
    return za.ravel(), wa.ravel(), zb.ravel(), wb.ravel(), err


def gauss_expect(values: Callable[[np.ndarray], np.ndarray], kinks: tuple[float, ...] = (),
                 *, half_width: float = 12.0) -> tuple[float, float]:
    """E[f(z)] for z ~ N(0, 1) and an error estimate (difference of two orders)."""
    z, w = gauss_rule(kinks, half_width=half_width)
    hi = float(np.sum(w * values(z)))
    z2, w2 = gauss_rule(kinks, half_width=half_width, order=12)
    lo = float(np.sum(w2 * values(z2)))
    return hi, abs(hi - lo)


def evaluate(act: Activation, v: Any) -> np.ndarray:
    """φ(v) in float64; entries where numpy overflows (inf/inf in exp(−x)/(1 + exp(−x))²
    at x = −1200, say) are re-evaluated in mpmath, whose exponent range is unbounded."""
    arr = np.asarray(v, dtype=float)
    vals = act.numpy(arr)
    bad = ~np.isfinite(vals)
    if np.any(bad) and act.expr is not None:
        with mpmath.workdps(20):
            fixed = []
            for t in arr[bad]:
                try:
                    fixed.append(float(mpmath.re(act.mpmath(t))))
                except (ValueError, ZeroDivisionError, OverflowError):
                    fixed.append(math.nan)
        vals[bad] = fixed
    return vals


def check_square_integrable(act: Activation, sigma: float = 1.0) -> None:
    """Raise ``ValueError`` unless φ(σz) is real, finite and E[φ(σz)²] < ∞.

    Finiteness is checked on the quadrature nodes; square-integrability by the
    growth of log φ(σz)² − z²/2 at |z| = 40, 80 (mpmath, so no overflow): it must
    fall at least like −z²/1000.  A function growing like exp(c x²) with
    c ≥ 1/(4σ²) fails.
    """
    z, _ = gauss_rule(act.kinks and tuple(k / sigma for k in act.kinks))
    vals = evaluate(act, sigma * z)
    bad = ~np.isfinite(vals)
    if np.any(bad):
        raise ValueError(f"activation {act.name!r} is not finite/real at x={sigma * z[bad][0]:.4g}")
    with mpmath.workdps(30):
        for zz in (40.0, -40.0, 80.0, -80.0):
            try:
                v = act.mpmath(mpmath.mpf(sigma) * zz)
            except (ValueError, ZeroDivisionError, OverflowError):
                raise ValueError(f"activation {act.name!r} cannot be evaluated at "
                                 f"x={sigma * zz:g}") from None
            if isinstance(v, mpmath.mpc) and abs(mpmath.im(v)) > 0:
                raise ValueError(f"activation {act.name!r} is not real at x={sigma * zz:g}")
            av = abs(mpmath.re(v))
            if av == 0:
                continue
            g = 2 * mpmath.log(av) - zz**2 / 2
            if g > -(zz**2) / 1000:
                raise ValueError(
                    f"activation {act.name!r} is not square-integrable under N(0, {sigma:g}^2): "
                    f"phi(x)^2 exp(-x^2/(2 sigma^2)) does not decay (at x={sigma * zz:g})")


# ----------------------------------------------------------------------------
# the covariance C[phi | rho]


def _t_panels(r_: np.ndarray, k: np.ndarray, knz: np.ndarray, base: np.ndarray,
              grade: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(θ, √(1−ρ²), sorted t-breakpoints per ρ) of the split polar rule (module docstring)."""
    m = r_.size
    theta = np.arccos(r_)
    s = np.sqrt(np.maximum(1.0 - r_**2, 0.0))
    special = np.stack([np.full(m, math.pi / 2), np.full(m, 1.5 * math.pi),
                        theta + math.pi / 2, theta + 1.5 * math.pi], axis=1)
    parts = [np.broadcast_to(base, (m, base.size)), special % _TWO_PI]
    if knz.size:
        # a kink at κ ≠ 0 is the curve r = κ / cos t, which leaves to r = ∞ at the rays
        # cos t = 0 with the flat, non-analytic factor exp(−κ²/(2 cos² t)): grade the
        # t-panels geometrically towards those rays
        offs = np.concatenate([grade, -grade])
        parts.append((special[:, :, None] + offs).reshape(m, -1) % _TWO_PI)
    if k.size:
        ki, kj = np.meshgrid(k, k, indexing="ij")
        ki, kj = ki.ravel(), kj.ravel()
        num = kj[None, :] - r_[:, None] * ki[None, :]
        den = np.broadcast_to(s[:, None], num.shape)
        safe = den > 0
        v = np.where(safe, num / np.where(safe, den, 1.0),
                     np.where(num >= 0, 1e300, -1e300))
        ang = np.arctan2(v, np.broadcast_to(ki, v.shape))
        parts.append(ang % _TWO_PI)
    return theta, s, np.sort(np.concatenate(parts, axis=1), axis=1)


def _t_nodes(r_: np.ndarray, k: np.ndarray, knz: np.ndarray, base: np.ndarray,
             grade: np.ndarray, xg: np.ndarray, wg: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gauss–Legendre t-nodes, weights, cos t and cos(t − θ) on the split t-panels, (m, Nt)."""
    theta, _, bps = _t_panels(r_, k, knz, base, grade)
    m = r_.size
    a, b = bps[:, :-1, None], bps[:, 1:, None]
    t = ((a + b) / 2 + (b - a) / 2 * xg).reshape(m, -1)
    wt = ((b - a) / 2 * wg).reshape(m, -1)
    return t, wt, np.cos(t), np.cos(t - theta[:, None])


def polar_covariance(f: Callable[[np.ndarray], np.ndarray], kinks: tuple[float, ...],
                     rho: np.ndarray, *, order: int = 20, t_panels: int = 16,
                     r_max: float = 12.0, r_panels: int = 8, chunk: int = 16,
                     t_grade: tuple[float, ...] = (0.02, 0.05, 0.12, 0.3)) -> np.ndarray:
    """C[f|ρ] = E[f(u) f(v)], corr(u, v) = ρ, by split polar Gauss–Legendre.

    See the module docstring for the method.  ``f`` is a vectorised numpy
    function (already scaled by σ), ``kinks`` its kinks.  Work is vectorised
    over chunks of ρ; memory ~ chunk × 10^5 doubles.
    """
    rho = np.asarray(rho, dtype=float)
    flat = rho.ravel()
    out = np.empty_like(flat)
    k = np.asarray(kinks, dtype=float)
    knz = k[np.abs(k) > 1e-14]
    xg, wg = _leggauss(order)
    base = np.linspace(0.0, _TWO_PI, t_panels + 1)
    rbase = np.linspace(0.0, r_max, r_panels + 1)
    grade = np.array(t_grade, dtype=float)
    for s0 in range(0, flat.size, chunk):
        r_ = np.clip(flat[s0:s0 + chunk], -1.0, 1.0)
        m = r_.size
        t, wt, ct, ctt = _t_nodes(r_, k, knz, base, grade, xg, wg)
        rparts = [np.broadcast_to(rbase, (*t.shape, rbase.size))]
        if knz.size:
            with np.errstate(divide="ignore", invalid="ignore"):
                cand = np.concatenate([knz / ct[..., None], knz / ctt[..., None]], axis=-1)
            cand = np.where(np.isfinite(cand) & (cand > 0) & (cand < r_max), cand, r_max)
            rparts.append(cand)
        rb = np.sort(np.concatenate(rparts, axis=-1), axis=-1)
        ra, rb2 = rb[..., :-1, None], rb[..., 1:, None]
        r = ((ra + rb2) / 2 + (rb2 - ra) / 2 * xg).reshape(*t.shape, -1)  # (m, Nt, Nr)
        wr = ((rb2 - ra) / 2 * wg).reshape(*t.shape, -1) * r * np.exp(-(r**2) / 2)
        fu = f(r * ct[..., None])
        fv = f(r * ctt[..., None])
        inner = np.sum(wr * fu * fv, axis=-1)
        out[s0:s0 + m] = np.sum(wt * inner, axis=-1) / _TWO_PI
    return out.reshape(rho.shape)


def polar_covariance_pieces(lows: np.ndarray, coef: np.ndarray, rho: np.ndarray, *,
                            order: int = 14, t_panels: int = 12, chunk: int = 64,
                            t_grade: tuple[float, ...] = (0.02, 0.05, 0.12, 0.3)
                            ) -> np.ndarray:
    """C[f|ρ] for f polynomial on every piece, with the r-integral done exactly.

    ``f(z) = Σ_k coef[i, k] z^k`` for ``lows[i] ≤ z < lows[i+1]`` (``lows[0] = −∞``).  The
    t-integral is the split, graded Gauss–Legendre rule of :func:`polar_covariance`; on
    each t-node the r-axis is cut at the kink crossings r = κ/cos t, κ/cos(t − θ), where
    f(r cos t) f(r cos(t − θ)) is one polynomial P(r), and
    ∫_a^b P(r) r e^{−r²/2} dr = Σ_n P_n M_{n+1}(a, b) with the truncated Gaussian moments
    M_0 = √(π/2)(erfc(a/√2) − erfc(b/√2)), M_1 = e^{−a²/2} − e^{−b²/2},
    M_m = (m−1) M_{m−2} + a^{m−1} e^{−a²/2} − b^{m−1} e^{−b²/2} (b = ∞ allowed).
    No r-quadrature error and no cut-off at large r.
    """
    from scipy.special import erfc

    rho = np.asarray(rho, dtype=float)
    flat = rho.ravel()
    out = np.empty_like(flat)
    lows = np.asarray(lows, dtype=float)
    coef = np.asarray(coef, dtype=float)
    k = lows[1:]
    knz = k[np.abs(k) > 1e-14]
    deg = coef.shape[1] - 1
    xg, wg = _leggauss(order)
    base = np.linspace(0.0, _TWO_PI, t_panels + 1)
    grade = np.array(t_grade, dtype=float)
    for s0 in range(0, flat.size, chunk):
        r_ = np.clip(flat[s0:s0 + chunk], -1.0, 1.0)
        m = r_.size
        t, wt, ct, ctt = _t_nodes(r_, k, knz, base, grade, xg, wg)
        with np.errstate(divide="ignore", invalid="ignore"):
            cand = np.concatenate([knz / ct[..., None], knz / ctt[..., None]], axis=-1)
        cand = np.where(np.isfinite(cand) & (cand > 0), cand, np.inf)
        rb = np.sort(np.concatenate([np.zeros((*t.shape, 1)), cand,
                                     np.full((*t.shape, 1), np.inf)], axis=-1), axis=-1)
        ra, rb2 = rb[..., :-1], rb[..., 1:]  # (m, Nt, J) intervals, some empty (inf, inf)
        live = np.isfinite(ra)
        ra = np.where(live, ra, 0.0)
        rb2 = np.where(live, rb2, 0.0)
        mid = np.where(np.isfinite(rb2), (ra + rb2) / 2, ra + 1.0)
        i1 = np.searchsorted(lows, mid * ct[..., None], side="right") - 1
        i2 = np.searchsorted(lows, mid * ctt[..., None], side="right") - 1
        # coefficients in r of f(r cos t) and f(r cos(t − θ)) on each interval
        pw = np.arange(deg + 1)
        c1 = coef[i1] * (ct[..., None, None] ** pw)
        c2 = coef[i2] * (ctt[..., None, None] ** pw)
        # truncated moments M_1 .. M_{2 deg + 1} of r^n e^{−r²/2} on [ra, rb]
        ea = np.exp(-(ra**2) / 2)
        eb = np.where(np.isfinite(rb2), np.exp(-(np.where(np.isfinite(rb2), rb2, 0.0) ** 2) / 2),
                      0.0)
        rbf = np.where(np.isfinite(rb2), rb2, 0.0)
        mom = [math.sqrt(math.pi / 2) * (erfc(ra / math.sqrt(2)) - np.where(
            np.isfinite(rb2), erfc(rbf / math.sqrt(2)), 0.0)), ea - eb]
        for n in range(2, 2 * deg + 2):
            mom.append((n - 1) * mom[n - 2] + ra ** (n - 1) * ea - rbf ** (n - 1) * eb)
        inner = np.zeros(ra.shape)
        for j in range(deg + 1):
            for q in range(deg + 1):
                inner += c1[..., j] * c2[..., q] * mom[j + q + 1]
        inner = np.sum(np.where(live, inner, 0.0), axis=-1)
        out[s0:s0 + m] = np.sum(wt * inner, axis=-1) / _TWO_PI
    return out.reshape(rho.shape)


# ----------------------------------------------------------------------------
# exact expectations


class ExactTimeout(Exception):
    """sympy did not finish within the time limit."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal,
                                                                                 "setitimer"):
        raise ExactTimeout("no time limit available off the main thread")

    def handler(signum: int, frame: Any) -> None:
        raise ExactTimeout(f"sympy did not finish within {seconds:g} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _normal_pdf(t: sp.Expr) -> sp.Expr:
    if t in (sp.oo, -sp.oo):
        return sp.Integer(0)
    return sp.exp(-(t**2) / 2) / sp.sqrt(2 * sp.pi)


def _normal_cdf(t: sp.Expr) -> sp.Expr:
    if t == sp.oo:
        return sp.Integer(1)
    if t == -sp.oo:
        return sp.Integer(0)
    return (1 + sp.erf(t / sp.sqrt(2))) / 2


def _truncated_moments(n_max: int, lo: sp.Expr, hi: sp.Expr) -> list[sp.Expr]:
    """M_n = ∫_lo^hi x^n N(x) dx, n = 0..n_max, exactly.

    M_0 = Φ(hi) − Φ(lo), M_1 = N(lo) − N(hi),
    M_n = (n−1) M_{n−2} + lo^{n−1} N(lo) − hi^{n−1} N(hi).
    """
    plo, phi_ = _normal_pdf(lo), _normal_pdf(hi)
    m = [_normal_cdf(hi) - _normal_cdf(lo), plo - phi_]
    for n in range(2, n_max + 1):
        tlo = lo ** (n - 1) * plo if plo != 0 else 0
        thi = hi ** (n - 1) * phi_ if phi_ != 0 else 0
        m.append((n - 1) * m[n - 2] + tlo - thi)
    return m[: n_max + 1]


_RELATIONS = {sp.StrictLessThan: (True, True), sp.LessThan: (True, False),
              sp.StrictGreaterThan: (False, True), sp.GreaterThan: (False, False)}


def _condition_set(cond: Any) -> sp.Set:
    """The set of real x where a Piecewise condition holds.

    Conditions linear in x with numeric coefficients (a·x + b < 0, and ``And`` of such:
    every condition the parser and ``piecewise_fold`` produce for kinks) are read off
    directly; anything else goes to sympy's ``as_set`` (slow: its first call imports
    sympy's periodicity and units machinery, ~0.2 s).
    """
    if cond is sp.true:
        return sp.Reals
    if isinstance(cond, sp.And):
        out: sp.Set = sp.Reals
        for c in cond.args:
            out = out.intersect(_condition_set(c))
        return out
    kind = _RELATIONS.get(type(cond))
    if kind is not None:
        d = sp.expand(cond.lhs - cond.rhs)
        if d.is_polynomial(x):
            pl = sp.Poly(d, x)
            a, b = pl.coeff_monomial(x), pl.coeff_monomial(1)
            if pl.degree() == 1 and a.is_number and b.is_number and a != 0:
                below, strict = kind  # d < 0 (below) or d > 0, strict or not
                if a < 0:
                    below = not below
                t = -b / a
                return (sp.Interval(-sp.oo, t, right_open=strict) if below
                        else sp.Interval(t, sp.oo, left_open=strict))
    return cond.as_set()


@lru_cache(maxsize=256)
def _pieces(expr: sp.Expr) -> tuple[tuple[sp.Expr, sp.Expr, sp.Expr], ...]:
    """Split a (possibly Piecewise) expression into (lo, hi, piece) over the real line.

    Cached: structure recognition and the exact-in-r polar rule both ask for the pieces.
    """
    e = sp.piecewise_fold(expr.rewrite(sp.Piecewise)) if expr.has(
        sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside) else sp.piecewise_fold(expr)
    if not isinstance(e, sp.Piecewise):
        if e.has(sp.Piecewise):
            raise ExactTimeout("nested Piecewise")
        return ((-sp.oo, sp.oo, e),)
    covered: sp.Set = sp.EmptySet
    out = []
    for val, cond in e.args:
        st = _condition_set(cond).intersect(sp.Reals)
        st = st - covered
        covered = covered.union(st)
        ivs = st.args if isinstance(st, sp.Union) else (st,)
        for iv in ivs:
            if isinstance(iv, sp.Interval):
                if iv.start != iv.end:
                    out.append((iv.start, iv.end, val))
            elif iv is sp.EmptySet or isinstance(iv, sp.FiniteSet):
                continue
            else:
                raise ExactTimeout(f"cannot split the set {iv}")
    return tuple(out)


def exact_gauss_expectation(expr: sp.Expr, *, timeout: float = 10.0) -> sp.Expr:
    """E[expr(z)], z ~ N(0, 1), as an exact sympy expression.

    Piecewise-polynomial integrands use truncated Gaussian moments (exact,
    fast); any other piece is handed to ``sympy.integrate`` under a time limit
    (``ExactTimeout`` when it does not finish).
    """
    total = sp.Integer(0)
    for lo, hi, piece in _pieces(sp.expand(expr)):
        piece = sp.expand(piece)
        if piece == 0:
            continue
        if piece.is_polynomial(x):
            poly = sp.Poly(piece, x)
            mom = _truncated_moments(poly.degree(), lo, hi)
            total += sum(c * mom[n[0]] for n, c in poly.terms())
        else:
            with _time_limit(timeout):
                val = sp.integrate(piece * _normal_pdf(x), (x, lo, hi), conds="none")
            if val.has(sp.Integral) or val.has(sp.nan, sp.zoo):
                raise ExactTimeout(f"sympy left an integral of {piece}")
            total += val
    return total


# ----------------------------------------------------------------------------
# exact covariance kernels, derived (not typed in)

_t, _th, _r, _rr = sp.symbols("t theta r r_", real=True)


@lru_cache(maxsize=1)
def arccos_kernels() -> tuple[sp.Expr, sp.Expr]:
    """(k0, k1) as functions of θ = arccos ρ, derived by sympy in polar coordinates.

    k_n(θ) = E[u^n 1{u>0} v^n 1{v>0}] with u = r cos t, v = r cos(t−θ): the
    sector where both are positive is t ∈ (θ − π/2, π/2), so

        k_n(θ) = (1/2π) ∫ cos^n t cos^n(t−θ) dt · ∫_0^∞ r^{2n+1} e^{−r²/2} dr.

    Gives k0 = (π − θ)/(2π) and k1 = (sin θ + (π − θ) cos θ)/(2π) (Cho & Saul 2009).
    """
    out = []
    for n in (0, 1):
        ang = sp.integrate(sp.cos(_t) ** n * sp.cos(_t - _th) ** n, (_t, _th - sp.pi / 2,
                                                                       sp.pi / 2))
        rad = sp.integrate(_r ** (2 * n + 1) * sp.exp(-(_r**2) / 2), (_r, 0, sp.oo))
        out.append(sp.simplify(sp.expand_trig(ang * rad / (2 * sp.pi))))
    return out[0], out[1]


def _homogeneous_slopes(expr: sp.Expr, degree: int) -> tuple[sp.Expr, sp.Expr] | None:
    """(α, β) if expr = α x^d for x < 0 and β x^d for x > 0 (d = degree), else None."""
    try:
        pieces = _pieces(expr)
    except ExactTimeout:
        return None
    alpha = beta = None
    for lo, hi, val in pieces:
        val = sp.expand(val)
        if degree == 0:
            if val.has(x):
                return None
            c = val
        else:
            c = sp.simplify(val / x**degree)
            if c.has(x):
                return None
        if hi == sp.oo and lo == 0 or (lo == 0 and hi == sp.oo):
            beta = c
        elif lo == -sp.oo and hi == 0:
            alpha = c
        elif lo == -sp.oo and hi == sp.oo:
            alpha = beta = c
        else:
            return None
    if alpha is None or beta is None:
        return None
    return alpha, beta


def exact_covariance(expr: sp.Expr, rho: sp.Expr, *, timeout: float = 20.0) -> sp.Expr | None:
    """C[φ|ρ] as an exact sympy expression in ``rho``, derived where a derivation is known.

    * φ = α x (x<0), β x (x>0) (relu, lrelu, abs, identity): writing
      φ = β relu(x) − α relu(−x), E[φ(u)φ(v)] = (α²+β²) k1(ρ) − 2αβ k1(−ρ),
      k1 from :func:`arccos_kernels` (at θ = arccos ρ).
    * φ piecewise constant α (x<0), β (x>0) (their derivatives):
      (α²+β²) k0(ρ) + 2αβ k0(−ρ).
    * polynomials: Σ ĥ_k² ρ^k from the exact Hermite coefficients.
    * smooth φ with φ' = c·exp(−a x²) (erf and its scalings): Price's theorem
      C[φ|ρ] = ĥ_0² + ∫_0^ρ C[φ'|r] dr, with C[φ'|r] = c² / √((1+2a)² − 4a²r²)
      from the Gaussian determinant identity E[e^{−½wᵀAw}] = det(I + ΣA)^{−1/2}.

    Returns ``None`` when no derivation applies.
    """
    k0, k1 = arccos_kernels()

    def at(kern: sp.Expr, r: sp.Expr) -> sp.Expr:
        return kern.subs(_th, sp.acos(r))

    def at_neg(kern: sp.Expr, r: sp.Expr) -> sp.Expr:  # arccos(-r) = pi - arccos(r)
        return kern.subs(_th, sp.pi - sp.acos(r))

    for deg, kern in ((1, k1), (0, k0)):
        ab = _homogeneous_slopes(expr, deg)
        if ab is not None:
            a_, b_ = ab
            sign = -1 if deg == 1 else 1
            return sp.simplify((a_**2 + b_**2) * at(kern, rho) + sign * 2 * a_ * b_ *
                               at_neg(kern, rho))
    if expr.is_polynomial(x):
        deg_ = int(sp.degree(expr, x)) if expr != 0 else 0
        hs = [exact_gauss_expectation(expr * sp.hermite_prob(k, x)) / sp.sqrt(sp.factorial(k))
              for k in range(deg_ + 1)]
        return sp.expand(sum(h**2 * rho**k for k, h in enumerate(hs)))
    d = sp.diff(expr, x)
    if not d.has(sp.Piecewise):
        ratio = sp.simplify(sp.diff(d, x) / d)  # = -2 a x for d = c exp(-a x^2)
        a_ = sp.simplify(-ratio / (2 * x))
        if not a_.has(x) and a_.is_positive:
            c = sp.simplify(d / sp.exp(-a_ * x**2))
            if not c.has(x):
                sig = sp.Matrix([[1, _rr], [_rr, 1]])
                dprime = c**2 / sp.sqrt((sp.eye(2) + sig * 2 * a_).det())
                h0 = exact_gauss_expectation(expr, timeout=timeout) if not expr.subs(
                    x, -x).equals(-expr) else sp.Integer(0)
                with _time_limit(timeout):
                    integral = sp.integrate(sp.simplify(dprime), (_rr, 0, rho))
                return sp.simplify(h0**2 + integral)
    return None
