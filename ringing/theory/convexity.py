"""Excess convexity, cropping, and the shrinkage/explosion bounds (seed 002 App. A).

* :func:`excess_convexity` — for a non-decreasing convex g on [0, 1] with
  g(0) = 0, g(1) = 1, the t ∈ (0, 1/2] with g(1 − t) = t and e(g) = 1/t − 2
  (seed 002 App. A.3; the printed definition "e(g) = 1/4 − 2" is garbled — the
  proofs of Properties 2–8 all use 1/t − 2).
* :func:`crop` (Property 6), :func:`crop_covariance` (Property 7),
  :func:`cropped_maps` / :func:`cropped_composition` (the P̃_l of App. A.1, A.2).
* Theorem 1 (LayerNorm MLP) and Theorem 2 (residual): :func:`theorem_summand`,
  :func:`bound_profile` (all depths 1..L at once), :func:`theorem_bound`, the
  exact quantities they bound — (P_L∘…∘P_1)'(1) and ρ̃_max = max_l P_l∘…∘P_1(0)
  — and ρ_max itself (:func:`rho_max_profile`).
* :func:`property1_upper_curve` and :func:`composition_upper_curve` (Remark 2:
  the blue line of Figure 1).
* Symbolic closed forms eq 4.1–4.3 derived from the exact Gaussian summaries of
  :func:`ringing.theory.hermite.gaussian_summary` (:func:`eq_4_1`, :func:`eq_4_2`,
  :func:`eq_4_3`).
* Theorem 2's two denominators: :func:`theorem2_study` and
  :func:`search_theorem2_counterexample` (see docs/maps.md for the finding).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from ringing.activations import Activation, get_activation
from ringing.theory.kernels import (
    CorrelationLayer,
    Layer,
    LayerStack,
    ResidualLayer,
    _check_layers,
    _runs,
    compose,
    compose_gap,
    covariance,
    log_composed_derivative_at_one,
    propagate_gap,
)

__all__ = [
    "excess_convexity",
    "check_convex_normalised",
    "crop",
    "crop_covariance",
    "property1_upper_curve",
    "cropped_maps",
    "cropped_composition",
    "theorem_summand",
    "cropped_excess_lower_bound",
    "BoundProfile",
    "bound_profile",
    "theorem_bound",
    "rho_max_profile",
    "one_minus_rho_max_profile",
    "composition_upper_curve",
    "symbolic_ratio",
    "critical_shrinkage_bound_symbolic",
    "chaotic_jacobian_bound_symbolic",
    "critical_ratio_symbolic",
    "eq_4_1",
    "eq_4_2",
    "eq_4_3",
    "theorem2_study",
    "search_theorem2_counterexample",
]

Denominator = Literal["stated", "proof"]
#: ‖φ − φ̄‖² below this fraction of the norms is quadrature noise (~1e-16 for φ = x): 0.
_LIN_ZERO_TOL = 1e-12
NumFn = Callable[[np.ndarray], np.ndarray]


# ----------------------------------------------------------------------------
# excess convexity (App. A.3)


def _numeric(g: Any) -> tuple[NumFn, sp.Expr | None, sp.Symbol | None]:
    """A vectorised numpy callable for g (a callable or a sympy expression in one symbol)."""
    if isinstance(g, sp.Basic):
        expr = sp.sympify(g)
        free = sorted(expr.free_symbols, key=str)
        if len(free) > 1:
            raise ValueError(f"g={expr} has more than one free symbol")
        sym = free[0] if free else sp.Symbol("t")
        f = sp.lambdify(sym, expr, modules="numpy")

        def fn(v: np.ndarray) -> np.ndarray:
            with np.errstate(all="ignore"):
                return np.broadcast_to(np.asarray(f(v), dtype=float), np.shape(v)).copy()

        return fn, expr, sym
    if not callable(g):
        raise ValueError(f"g={g!r} is neither a callable nor a sympy expression")

    def fn2(v: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = np.asarray(g(v), dtype=float)
        if out.shape != np.shape(v):
            out = np.asarray(np.vectorize(lambda s: float(g(float(s))))(v), dtype=float)
        return out

    return fn2, None, None


def check_convex_normalised(g: Any, *, points: int = 129, tol: float = 1e-9) -> None:
    """Raise ``ValueError`` unless g is non-decreasing and convex on [0, 1], g(0)=0, g(1)=1.

    Checked on a uniform grid of ``points`` nodes: |g(0)|, |g(1) − 1| ≤ tol,
    first differences ≥ −tol and second differences ≥ −tol (absolute; the
    natural scale of g is 1).  A sympy expression is also checked exactly at 0 and 1.
    """
    fn, expr, sym = _numeric(g)
    if expr is not None and sym is not None:
        for at, want in ((0, 0), (1, 1)):
            val = sp.simplify(expr.subs(sym, at) - want)
            if val != 0 and not (val.is_number and abs(float(val)) <= tol):
                raise ValueError(f"g({at}) = {sp.simplify(expr.subs(sym, at))} but "
                                 f"excess convexity needs g({at}) = {want}")
    grid = np.linspace(0.0, 1.0, points)
    v = fn(grid)
    if not np.all(np.isfinite(v)):
        bad = grid[~np.isfinite(v)][0]
        raise ValueError(f"g is not finite at t={bad:g}")
    if abs(v[0]) > tol:
        raise ValueError(f"g(0)={v[0]:.6g} but excess convexity needs g(0) = 0")
    if abs(v[-1] - 1.0) > tol:
        raise ValueError(f"g(1)={v[-1]:.6g} but excess convexity needs g(1) = 1")
    d1 = np.diff(v)
    if np.any(d1 < -tol):
        i = int(np.argmin(d1))
        raise ValueError(f"g is decreasing near t={grid[i]:.4g} (g falls by {-d1[i]:.3g})")
    d2 = np.diff(v, 2)
    if np.any(d2 < -tol):
        i = int(np.argmin(d2))
        raise ValueError(f"g is not convex near t={grid[i + 1]:.4g} "
                         f"(second difference {d2[i]:.3g})")


def excess_convexity(g: Any, *, exact: bool = False, check: bool = True, points: int = 129,
                     tol: float = 1e-9) -> Any:
    """Excess convexity e(g) = 1/t − 2 with g(1 − t) = t (seed 002 App. A.3).

    Parameters
    ----------
    g
        Non-decreasing convex function on [0, 1] with g(0) = 0 and g(1) = 1: a
        vectorised numpy callable, or a sympy expression in one symbol.
    exact
        For a sympy expression, solve g(1 − t) = t with ``sympy.solveset`` and
        return e(g) as a sympy expression (``ValueError`` if sympy finds no
        unique root in (0, 1/2]).
    check
        Verify the hypotheses first (:func:`check_convex_normalised`).

    Returns
    -------
    float (or a sympy expression with ``exact``)
        e(g) ≥ 0.  Numerically t is found by Brent's method on [0, 1/2] to
        relative precision 1e-15; the value's relative error is about the
        absolute error of g near 1 divided by t (so e up to ~1e12 is resolved
        for a g accurate to rounding).

    Raises
    ------
    ValueError
        g not normalised (g(0) ≠ 0 or g(1) ≠ 1), not non-decreasing, not convex,
        or not finite.
    """
    if check:
        check_convex_normalised(g, points=points, tol=tol)
    fn, expr, sym = _numeric(g)
    if exact:
        if expr is None or sym is None:
            raise ValueError("exact=True needs g as a sympy expression")
        t = sp.Symbol("t_", positive=True)
        sols = sp.solveset(sp.Eq(expr.subs(sym, 1 - t), t), t,
                           sp.Interval(0, sp.Rational(1, 2)))
        if not isinstance(sols, sp.FiniteSet) or len(sols) != 1:
            raise ValueError(f"sympy found no unique root of g(1-t) = t for g = {expr}: {sols}")
        (root,) = tuple(sols)
        return sp.simplify(1 / root - 2)

    def h(t: float) -> float:
        return float(fn(np.asarray([1.0 - t]))[0]) - t

    half = h(0.5)
    if half >= 0.0:  # g(1/2) = 1/2: by convexity g is the identity
        return 0.0
    t = brentq(h, 0.0, 0.5, xtol=1e-300, rtol=1e-15, maxiter=500)
    if t <= 0.0:
        raise ValueError("g(1-t) = t has no resolvable root t > 0 (g is too steep at 1)")
    return max(1.0 / t - 2.0, 0.0)


def crop(g: Callable[[np.ndarray], np.ndarray], a: float, b: float) -> NumFn:
    """Property 6's crop of g to [a, b] × [g(a), g(b)], recentred to [0, 1]².

    g̃(s) = (g(a + (b − a)s) − g(a)) / (g(b) − g(a)).
    """
    if not (0.0 <= a < b <= 1.0):
        raise ValueError(f"crop interval [a, b] = [{a:g}, {b:g}] must satisfy 0 <= a < b <= 1")
    ga, gb = (float(v) for v in np.asarray(g(np.asarray([a, b], dtype=float)), dtype=float))
    if not gb > ga:
        raise ValueError(f"g(b) = {gb:g} <= g(a) = {ga:g}: nothing to crop")

    def gt(s: np.ndarray) -> np.ndarray:
        s = np.asarray(s, dtype=float)
        return (np.asarray(g(a + (b - a) * s), dtype=float) - ga) / (gb - ga)

    return gt


def crop_covariance(act: Activation | str | Any, r: float) -> NumFn:
    """Property 7: C[f|·] cropped to [r, 1], 0 ≤ r < 1.

    g̃(t) = (C[f|r+(1−r)t] − C[f|r]) / (C[f|1] − C[f|r]).
    """
    a = get_activation(act)
    if not (0.0 <= r < 1.0):  # C[f|·] is convex on [0, 1] (eq 2.4), not on [-1, 0]
        raise ValueError(f"r={r!r} must lie in [0, 1)")
    c_r, c_1 = covariance(a, np.array([r, 1.0]))
    if not c_1 > c_r:
        raise ValueError(f"C[f|1] = C[f|r] for {a.name!r} at r={r:g}: nothing to crop")

    def gt(t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        rho = np.clip(r + (1.0 - r) * t, -1.0, 1.0)
        return (covariance(a, rho) - c_r) / (c_1 - c_r)

    return gt


def property1_upper_curve(t: Any, c: float) -> np.ndarray:
    """Property 1: if e(g) ≥ C then g(t) ≤ t/(1+C) for t ≤ 1 − 1/(2+C), else (1+C)t − C."""
    if not (math.isfinite(c) and c >= 0):
        raise ValueError(f"C={c!r} must be finite and non-negative")
    tt = np.asarray(t, dtype=float)
    knee = 1.0 - 1.0 / (2.0 + c)
    return np.where(tt <= knee, tt / (1.0 + c), (1.0 + c) * tt - c)


# ----------------------------------------------------------------------------
# cropped layer maps (App. A.1, A.2)


def _rho_tilde(layers: Sequence[CorrelationLayer]) -> np.ndarray:
    """ρ̃_0 = 0, ρ̃_l = P_l∘…∘P_1(0): shape (L+1,)."""
    return compose(layers, np.zeros(1))[:, 0]


def _gap_tilde(layers: Sequence[CorrelationLayer]) -> np.ndarray:
    """1 − ρ̃_0 = 1, …, 1 − ρ̃_L carried without cancellation (:func:`compose_gap`)."""
    return compose_gap(layers, np.ones(1))[:, 0]


def cropped_maps(layers: Sequence[CorrelationLayer]) -> tuple[list[NumFn], np.ndarray]:
    """The cropped maps P̃_1..P̃_L of App. A.1 (eq before A.2) and ρ̃_0..ρ̃_L.

    P̃_l(t) = (P_l(ρ̃_{l−1} + (1 − ρ̃_{l−1})t) − ρ̃_l) / (1 − ρ̃_l): [0, 1] → [0, 1].
    """
    ls = _check_layers(layers)
    rt = _rho_tilde(ls)
    if np.any(rt[1:] >= 1.0):
        l_bad = int(np.nonzero(rt[1:] >= 1.0)[0][0]) + 1
        raise ValueError(f"rho_tilde_{l_bad} = 1: the map is collapsed, nothing to crop")
    maps: list[NumFn] = []
    for i, lay in enumerate(ls):
        lo, out_lo = float(rt[i]), float(rt[i + 1])

        def pt(t: np.ndarray, lay: CorrelationLayer = lay, lo: float = lo,
               out_lo: float = out_lo) -> np.ndarray:
            t = np.asarray(t, dtype=float)
            rho = np.clip(lo + (1.0 - lo) * t, -1.0, 1.0)
            return (lay.map(rho) - out_lo) / (1.0 - out_lo)

        maps.append(pt)
    return maps, rt


def cropped_composition(layers: Sequence[CorrelationLayer]) -> NumFn:
    """P̃_L∘…∘P̃_1(t) = (P_L∘…∘P_1(t) − ρ̃_L) / (1 − ρ̃_L) (eq A.2 with k = 0)."""
    ls = _check_layers(layers)
    end = float(_rho_tilde(ls)[-1])
    if end >= 1.0:
        raise ValueError("rho_tilde_L = 1: the composition is collapsed, nothing to crop")

    def g(t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        return (compose(ls, np.clip(t, -1.0, 1.0))[-1] - end) / (1.0 - end)

    return g


# ----------------------------------------------------------------------------
# Theorems 1 and 2


def theorem_summand(layer: CorrelationLayer, *, denominator: Denominator = "stated") -> float:
    """One term of the sum on the right of Theorem 1 or Theorem 2 (seed 002 §3).

    MLP layer: ‖φ − φ̄‖²_N / ‖φ'‖²_N.  Residual block: σ²‖φ − φ̄‖²_N / (1 + σ² D)
    with D = ‖φ‖²_N as stated (``"stated"``) or D = ‖φ'‖²_N as the last step of
    the proof in App. A.2 has it (``"proof"``).
    """
    n, d, lin = layer.norms
    if lin <= _LIN_ZERO_TOL * max(n, d):  # quadrature noise of a linear φ (φ = φ̄)
        lin = 0.0
    if isinstance(layer, Layer):
        if not d > 0:
            raise ValueError(f"||phi'||^2 = 0 for {layer.act.name!r}: Theorem 1 is undefined")
        return lin / d
    if denominator not in ("stated", "proof"):
        raise ValueError(f"denominator={denominator!r} must be 'stated' or 'proof'")
    s2 = layer.sigma**2
    return s2 * lin / (1.0 + s2 * (n if denominator == "stated" else d))


def cropped_excess_lower_bound(layer: CorrelationLayer, rho_prev: float, *,
                               denominator: Denominator = "proof") -> float:
    """The lower bound on e(P̃_l) used in the proofs: eq A.6 (MLP) and App. A.2 (residual).

    MLP: (1 − ρ̃_{l−1}) ‖φ − φ̄‖² / (2‖φ'‖²).  Residual:
    σ²(1 − ρ̃_{l−1}) ‖φ − φ̄‖² / (2(1 + σ² D)), D as in :func:`theorem_summand`.
    """
    return 0.5 * (1.0 - rho_prev) * theorem_summand(layer, denominator=denominator)


@dataclass
class BoundProfile:
    """Theorem 1/2 and the exact quantities it bounds, at every depth 1..L.

    Attributes
    ----------
    depth
        1..L.
    theorem_sum
        S_L = Σ_{l ≤ L} of the theorem's summand.
    jacobian_sq
        (P_L∘…∘P_1)'(1) = Π_{l ≤ L} P_l'(1) (eq A.1: a lower bound on the squared
        Jacobian operator norm; the infinite-width value of Remark 4).
    rho_tilde
        ρ̃_L = P_L∘…∘P_1(0).
    rho_tilde_max
        max_{l ≤ L} ρ̃_l.
    one_minus_rho_max_bound
        sqrt(8 · jacobian_sq / S_L): the theorem's bound on 1 − ρ_max when the
        squared Jacobian norm is ``jacobian_sq`` (``inf`` where S_L = 0).
    one_minus_rho_tilde_max_bound
        sqrt(2 · jacobian_sq / S_L): the proof's intermediate bound on 1 − ρ̃_max
        (J² ≥ (1 − ρ̃_max)² S / 2, before 1 − ρ_max ≤ 2(1 − ρ̃_max)).
    denominator
        Which Theorem-2 denominator the sums use.
    one_minus_rho_tilde, one_minus_rho_tilde_max
        1 − ρ̃_L and 1 − max_{l ≤ L} ρ̃_l carried through the layers without cancellation
        (:func:`ringing.theory.kernels.compose_gap`, float64 with relative accuracy ~1e-13
        even where ρ̃ itself rounds to 1); ``rho_tilde`` = 1 − this gap.
    """

    depth: np.ndarray
    theorem_sum: np.ndarray
    jacobian_sq: np.ndarray
    rho_tilde: np.ndarray
    rho_tilde_max: np.ndarray
    one_minus_rho_max_bound: np.ndarray
    one_minus_rho_tilde_max_bound: np.ndarray
    denominator: str
    one_minus_rho_tilde: np.ndarray = field(default_factory=lambda: np.zeros(0))
    one_minus_rho_tilde_max: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _safe_sqrt_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(np.shape(num), np.inf)
    pos = den > 0
    out[pos] = np.sqrt(num[pos] / den[pos])
    return out


def bound_profile(layers: Sequence[CorrelationLayer], *,
                  denominator: Denominator = "stated") -> BoundProfile:
    """Theorem 1 / Theorem 2 at every depth 1..L at once (seed 002 §3, App. A.1–A.2).

    Vectorised over depth: one pass through the layers gives ρ̃_l (one scalar
    map evaluation per layer), the cumulative sums of the summands and the
    cumulative products of P_l'(1).
    """
    ls = _check_layers(layers)
    gap = _gap_tilde(ls)[1:]
    summ = np.array([theorem_summand(lay, denominator=denominator) for lay in ls])
    deriv = np.array([lay.derivative_at_one() for lay in ls])
    s = np.cumsum(summ)
    j2 = np.cumprod(deriv)
    gap_max = np.minimum.accumulate(gap)
    return BoundProfile(
        depth=np.arange(1, len(ls) + 1),
        theorem_sum=s,
        jacobian_sq=j2,
        rho_tilde=1.0 - gap,
        rho_tilde_max=1.0 - gap_max,
        one_minus_rho_max_bound=_safe_sqrt_ratio(8.0 * j2, s),
        one_minus_rho_tilde_max_bound=_safe_sqrt_ratio(2.0 * j2, s),
        denominator=denominator,
        one_minus_rho_tilde=gap,
        one_minus_rho_tilde_max=gap_max,
    )


def theorem_bound(layers: Sequence[CorrelationLayer], *,
                  denominator: Denominator = "stated") -> dict[str, Any]:
    """The CLI payload of ``ringing bound``: Theorem 1 (seed 002) at the full depth L, in O(1)
    memory.

    Keys ``theorem_sum``, ``jacobian_sq`` (with ``log10_jacobian_sq``, exact where the
    float overflows or underflows), ``rho_tilde_max``, ``one_minus_rho_tilde`` and
    ``one_minus_rho_tilde_max`` (1 − ρ̃ carried without cancellation), and
    ``one_minus_rho_max_bound`` (``inf`` where the sum is 0: no bound).  Runs of identical
    layers are summed in closed form (S = count × summand, log J² = count × log P'(1)); ρ̃
    is iterated with :func:`ringing.theory.kernels.propagate_gap` (a repeated map's ρ̃ is
    monotone from 0, so its maximum is its last value).

    Parameters
    ----------
    layers
        The layers ``P_1..P_L`` (:class:`~ringing.theory.kernels.Layer` or ``ResidualLayer``).
    denominator
        ``"stated"`` (the paper's Theorem 2 denominator) or ``"proof"``.

    Returns
    -------
    dict
        The keys above; ``one_minus_rho_max_bound`` >= 1 means the bound is vacuous.
    """
    ls = _check_layers(layers)
    total = 0.0
    gap = np.ones(1)
    gap_max = 1.0
    for lay, count in _runs(ls):
        total += count * theorem_summand(lay, denominator=denominator)
        gap = np.asarray(lay.gap_map(gap), dtype=float)
        gap_max = min(gap_max, float(gap[0]))
        if count > 1:
            gap, _ = propagate_gap(LayerStack(lay, count - 1), gap)
            gap_max = min(gap_max, float(gap[0]))
    log_j2 = log_composed_derivative_at_one(ls)
    j2 = math.inf if log_j2 > 709 else math.exp(log_j2)
    if total > 0:
        log_b = 0.5 * (math.log(8.0) + log_j2 - math.log(total))
        bound = math.inf if log_b > 709 else math.exp(log_b)
    else:
        bound = math.inf
    return {
        "theorem_sum": float(total),
        "jacobian_sq": float(j2),
        "log10_jacobian_sq": float(log_j2 / math.log(10.0)),
        "rho_tilde_max": float(1.0 - gap_max),
        "one_minus_rho_tilde": float(gap[0]),
        "one_minus_rho_tilde_max": float(gap_max),
        "one_minus_rho_max_bound": float(bound),
        "precision": "1 - rho carried through the layers as a gap in float64 (no "
                     "subtraction of nearly equal numbers); relative accuracy ~1e-13",
    }


def one_minus_rho_max_profile(layers: Sequence[CorrelationLayer], *, points: int = 65
                              ) -> np.ndarray:
    """1 − ρ_max at every depth 1..L, carried as the gap 1 − ρ (App. A.1).

    1 − ρ_max(L) = min_{l ≤ L} max_{ρ ∈ [−1, 1]} (1 − P_l∘…∘P_1(ρ)).  On [0, 1] the largest
    gap is at ρ = 0 (P̃ non-decreasing); on [−1, 0] the maximum is taken over a uniform
    grid of ``points`` nodes, so the value returned is ≤ the true 1 − ρ_max (a theorem
    violation found with it is a real one).  The gaps go through the layers'
    ``gap_map`` (:func:`ringing.theory.kernels.compose_gap`), so in the deep ordered phase,
    where 1 − ρ falls below float64's resolution of ρ near 1 (1.6e-36 for relu,
    σ_w = 1, σ_b = 0.5 at depth 200), it keeps its relative accuracy (~1e-13) instead of
    rounding to 0.
    """
    ls = _check_layers(layers)
    gap0 = 1.0 - np.linspace(-1.0, 0.0, points)  # exact: 1 − ρ for ρ ∈ [−1, 0]
    gaps = compose_gap(ls, gap0)[1:]
    return np.minimum.accumulate(gaps.max(axis=1))


def rho_max_profile(layers: Sequence[CorrelationLayer], *, points: int = 65) -> np.ndarray:
    """ρ_max at every depth 1..L: max_{l ≤ L} min_{ρ ∈ [−1, 1]} P_l∘…∘P_1(ρ) (App. A.1).

    ``1 − one_minus_rho_max_profile``: rounds to 1 once 1 − ρ_max < 1.1e-16; anything
    that needs 1 − ρ_max (the theorem's right-hand side) should use
    :func:`one_minus_rho_max_profile` directly.  The grid over [−1, 0] makes the value
    ≥ the true ρ_max.
    """
    return 1.0 - one_minus_rho_max_profile(layers, points=points)


def composition_upper_curve(layers: Sequence[CorrelationLayer], t: Any) -> np.ndarray:
    """The blue line of Figure 1 (Remark 2): a piecewise-linear upper bound on P_L∘…∘P_1.

    P_L∘…∘P_1(t) = ρ̃_L + (1 − ρ̃_L) P̃(t) with e(P̃) ≥ C = (1 − ρ̃_max)/2 · S
    (eq A.5, A.6; S the theorem's sum with the proof's denominators), so by
    Property 1 P_L∘…∘P_1(t) ≤ ρ̃_L + (1 − ρ̃_L) U_C(t) for t ∈ [0, 1].
    """
    ls = _check_layers(layers)
    tt = np.asarray(t, dtype=float)
    if np.any((tt < 0) | (tt > 1)) or not np.all(np.isfinite(tt)):
        raise ValueError("the upper curve is defined for t in [0, 1]")
    p = bound_profile(ls, denominator="proof")
    c = 0.5 * (1.0 - float(p.rho_tilde_max[-1])) * float(p.theorem_sum[-1])
    end = float(p.rho_tilde[-1])
    return end + (1.0 - end) * property1_upper_curve(tt, c)


# ----------------------------------------------------------------------------
# symbolic closed forms (eq 4.1–4.3, App. B)


def _canonical(e: sp.Expr) -> sp.Expr:
    """asin(c) → atan(c/√(1−c²)) (|c| < 1), so that App. B's atan forms compare equal."""
    return e.replace(sp.asin, lambda c: sp.atan(c / sp.sqrt(1 - c**2)))


def _exact_summary(act: Activation | str | Any) -> dict[str, Any]:
    a = get_activation(act)
    if a.expr is None:
        raise ValueError(f"activation {a.name!r} is a plain callable: no exact path")
    key = (a.name, sp.srepr(a.expr))
    if key not in _EXACT_CACHE:
        from ringing.theory.hermite import gaussian_summary

        g = gaussian_summary(a, exact=True)
        if not g.exact:
            raise ValueError(f"no exact Gaussian summary for {a.name!r} ({g.method})")
        _EXACT_CACHE[key] = g.exact
    return _EXACT_CACHE[key]


_EXACT_CACHE: dict[tuple[str, str], dict[str, Any]] = {}


def symbolic_ratio(act: Activation | str | Any) -> sp.Expr:
    """‖φ − φ̄‖²_N / ‖φ'‖²_N exactly (Theorem 1's summand), from the exact Gaussian summary."""
    ex = _exact_summary(act)
    lin = sp.factor(sp.simplify(_canonical(ex["linearization_error_sq"])))
    return sp.factor(sp.simplify(lin / sp.factor(sp.simplify(ex["derivative_norm_sq"]))))


def critical_ratio_symbolic(act: Activation | str | Any) -> sp.Expr:
    """σ_b²/σ_w² = ‖φ'‖² − ‖φ‖² exactly (see :func:`ringing.theory.kernels.critical_ratio`)."""
    ex = _exact_summary(act)
    return sp.simplify(_canonical(ex["derivative_norm_sq"] - ex["norm_sq"]))


def critical_shrinkage_bound_symbolic(act: Activation | str | Any,
                                      depth: sp.Expr | None = None) -> sp.Expr:
    """Theorem 1 at criticality: 1 − ρ_max ≤ sqrt(8 / (L q)), q = ‖φ − φ̄‖²/‖φ'‖².

    At criticality every P_l'(1) = 1, so the exact (P_L∘…∘P_1)'(1) is 1 and the
    theorem reads 1 ≥ (1 − ρ_max)² L q / 8 (eq 4.1, 4.2).
    """
    L = depth if depth is not None else sp.Symbol("L", positive=True)
    return sp.simplify(sp.sqrt(8 / (L * symbolic_ratio(act))))


def chaotic_jacobian_bound_symbolic(act: Activation | str | Any, depth: sp.Expr | None = None,
                                    rho_fp: sp.Expr | None = None) -> sp.Expr:
    """Theorem 1 with ρ_max ≈ ρ_fp: ‖∂z_L/∂z_0‖_op ≥ (1 − ρ_fp) sqrt(L q / 8) (eq 4.3)."""
    L = depth if depth is not None else sp.Symbol("L", positive=True)
    r = rho_fp if rho_fp is not None else sp.Symbol("rho_fp", positive=True)
    return sp.simplify((1 - r) * sp.sqrt(L * symbolic_ratio(act) / 8))


def eq_4_1() -> sp.Expr:
    """Eq 4.1: critical leaky ReLU (slope a, σ_b = 0), 1 − ρ_max ≤ this; symbols a, L.

    Derived from ``gaussian_summary(lrelu(slope=a), exact=True)``; the critical
    ratio ‖φ'‖² − ‖φ‖² is checked to vanish symbolically (σ_b = 0 is critical).
    The slope is a positive symbol; ``sqrt((1 − a)²)`` is written as 1 − a (a < 1).
    """
    a = sp.Symbol("a", positive=True)
    act = get_activation("lrelu", slope=a)
    if sp.simplify(critical_ratio_symbolic(act)) != 0:  # pragma: no cover - a derivation check
        raise RuntimeError("leaky ReLU is not critical at sigma_b = 0")
    e = critical_shrinkage_bound_symbolic(act)
    b = sp.Symbol("b", positive=True)  # b = 1 - a > 0
    return sp.simplify(sp.simplify(e.subs(a, 1 - b)).subs(b, 1 - a))


def eq_4_2() -> sp.Expr:
    """Eq 4.2: critical erf, 1 − ρ_max ≤ this (symbol L)."""
    return critical_shrinkage_bound_symbolic("erf")


def eq_4_3() -> sp.Expr:
    """Eq 4.3: chaotic erf, ‖∂z_L/∂z_0‖_op ≥ this (symbols L, rho_fp)."""
    return chaotic_jacobian_bound_symbolic("erf")


# ----------------------------------------------------------------------------
# Theorem 2's two denominators


def theorem2_study(layers: Sequence[CorrelationLayer], *, points: int = 65) -> dict[str, Any]:
    """Theorem 2 with both denominators against the exact quantities, at every depth.

    Returns arrays over depth 1..L: ``jacobian_sq`` (exact), ``rho_max`` (grid,
    see :func:`rho_max_profile`), ``rhs_stated`` and ``rhs_proof`` =
    (1 − ρ_max)²/8 · S, and their ratios ``jacobian_sq / rhs`` (< 1: the
    inequality fails); plus per layer the exact e(P̃_l) (:func:`excess_convexity`
    of :func:`cropped_maps`) beside the two per-layer lower bounds of App. A.2.
    """
    ls = _check_layers(layers)
    st = bound_profile(ls, denominator="stated")
    pr = bound_profile(ls, denominator="proof")
    gmax = one_minus_rho_max_profile(ls, points=points)
    rmax = 1.0 - gmax
    fac = gmax**2 / 8.0
    rhs_s, rhs_p = fac * st.theorem_sum, fac * pr.theorem_sum
    with np.errstate(divide="ignore"):
        ratio_s = np.where(rhs_s > 0, st.jacobian_sq / np.where(rhs_s > 0, rhs_s, 1), np.inf)
        ratio_p = np.where(rhs_p > 0, pr.jacobian_sq / np.where(rhs_p > 0, rhs_p, 1), np.inf)
    out: dict[str, Any] = {
        "jacobian_sq": st.jacobian_sq, "rho_max": rmax, "one_minus_rho_max": gmax,
        "rho_tilde_max": st.rho_tilde_max,
        "sum_stated": st.theorem_sum, "sum_proof": pr.theorem_sum,
        "rhs_stated": rhs_s, "rhs_proof": rhs_p,
        "ratio_stated": ratio_s, "ratio_proof": ratio_p,
    }
    try:
        maps, rt = cropped_maps(ls)
    except ValueError:
        return out
    e_exact, lb_s, lb_p = [], [], []
    for i, (lay, m) in enumerate(zip(ls, maps, strict=True)):
        e_exact.append(excess_convexity(m, check=False))
        lb_s.append(cropped_excess_lower_bound(lay, float(rt[i]), denominator="stated"))
        lb_p.append(cropped_excess_lower_bound(lay, float(rt[i]), denominator="proof"))
    out.update(layer_excess=np.array(e_exact), layer_bound_stated=np.array(lb_s),
               layer_bound_proof=np.array(lb_p))
    return out


def search_theorem2_counterexample(activations: Sequence[Activation | str | Any],
                                   sigmas: Sequence[float], depth: int = 30, *,
                                   points: int = 65) -> list[dict[str, Any]]:
    """Search residual networks (same φ, σ in every block) for violations of Theorem 2.

    For every activation and σ, :func:`theorem2_study` at depths 1..``depth``;
    returns one row per (activation, σ) with the smallest ratio
    J² / RHS for both denominators and where it occurs (a ratio < 1 is a
    counterexample; ρ_max is grid-estimated from above, so it is a genuine one),
    and the smallest per-layer ratio e(P̃_l) / (its stated lower bound).
    """
    rows = []
    for act in activations:
        for s in sigmas:
            layers = [ResidualLayer(act, s)] * depth
            st = theorem2_study(layers, points=points)
            i_s, i_p = int(np.argmin(st["ratio_stated"])), int(np.argmin(st["ratio_proof"]))
            row = {
                "activation": get_activation(act).name, "sigma": float(s),
                "min_ratio_stated": float(st["ratio_stated"][i_s]), "depth_stated": i_s + 1,
                "min_ratio_proof": float(st["ratio_proof"][i_p]), "depth_proof": i_p + 1,
            }
            if "layer_excess" in st:
                with np.errstate(divide="ignore", invalid="ignore"):
                    q = st["layer_excess"] / st["layer_bound_stated"]
                q = np.where(st["layer_bound_stated"] > 0, q, np.inf)
                row["min_layer_ratio_stated"] = float(np.min(q))
                row["layer_stated"] = int(np.argmin(q)) + 1
            rows.append(row)
    return rows
