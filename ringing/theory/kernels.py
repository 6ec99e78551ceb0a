"""Gaussian covariance maps and correlation maps of wide networks (seed 002 §2).

First part (the foundation): C[φ|ρ] = E[φ(u)φ(v)] for standard normal u, v with
correlation ρ (seed 002 eq 2.3's kernel), and C[φ'|ρ]; with an input variance
σ², φ is applied to N(0, σ²) inputs.  The numerical engine lives in
:mod:`ringing.theory.gaussian`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ringing.activations import Activation
from ringing.checks import non_negative_float, positive_float
from ringing.theory.gauss_kernel import gaussian_covariance

__all__ = ["covariance"]


def covariance(act: Activation | str | Any, rho: Any, *, sigma: float = 1.0,
               derivative: bool = False) -> np.ndarray:
    """C[φ|ρ] (or C[φ'|ρ] with ``derivative=True``) for an array of ρ in [-1, 1].

    Seed 002 §2.1: C[φ|ρ] = E[φ(σu)φ(σv)], (u, v) standard normal with correlation ρ,
    for ρ of any shape (the result has the same shape).  Exact kernels where the
    expression's structure has one (:mod:`ringing.theory.families`), the cached numeric
    engine otherwise (:mod:`ringing.theory.engine`); see
    :func:`ringing.theory.gauss_kernel.covariance_result` for the method and error.

    Parameters
    ----------
    act
        Activation spec (registry name or expression) or an
        :class:`~ringing.activations.Activation`.
    rho
        Correlations in ``[-1, 1]``, any shape.
    sigma
        Standard deviation ``σ > 0`` of ``u`` and ``v``.
    derivative
        Compute ``C[φ'|ρ]`` instead.

    Returns
    -------
    numpy.ndarray
        ``C[φ|ρ]`` with the shape of ``rho``.
    """
    return gaussian_covariance(act, rho, sigma=sigma, derivative=derivative)


# ----------------------------------------------------------------------------
# Second part: correlation maps of wide networks (seed 002 eq 2.3, 2.4, A.10).
#
# A LayerNorm MLP layer (seed 002 eq 2.1) maps the correlation ρ of its input
# preactivations (unit second moment, by the normalisation) to
#
#     P(ρ) = (σ_b² + σ_w² C[φ|ρ]) / (σ_b² + σ_w² C[φ|1])                  (eq 2.3)
#
# and a residual block (seed 002 §3) to
#
#     P(ρ) = (ρ + σ² C[φ|ρ]) / (1 + σ² ‖φ‖²_N)                              (eq A.10).
#
# Both are power series in ρ with non-negative coefficients (eq 2.4), so they
# are non-decreasing and convex on [0, 1] with P(1) = 1; by Stein's lemma
# dC[φ|ρ]/dρ = C[φ'|ρ], so P'(1) = σ_w²‖φ'‖² / (σ_b² + σ_w²‖φ‖²) (MLP) and
# (1 + σ²‖φ'‖²) / (1 + σ²‖φ‖²) (residual).  The chain rule and P_l(1) = 1 give
# (P_L∘…∘P_1)'(1) = Π_l P_l'(1) exactly.

import math  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from functools import cached_property  # noqa: E402
from typing import Literal  # noqa: E402

from scipy.optimize import brentq  # noqa: E402

from ringing.activations import get_activation  # noqa: E402
from ringing.theory.gauss_kernel import covariance_gap  # noqa: E402
from ringing.theory.gaussian import validate_rho  # noqa: E402

__all__ += [
    "correlation_map",
    "residual_correlation_map",
    "Layer",
    "ResidualLayer",
    "CorrelationLayer",
    "compose",
    "compose_gap",
    "propagate",
    "propagate_gap",
    "LayerStack",
    "log_composed_derivative_at_one",
    "MAX_ITERATIONS",
    "composed_derivative_at_one",
    "critical_ratio",
    "critical_layer",
    "fixed_point",
    "phase",
    "PHASE_TOL",
]

#: |P'(1) − 1| at or below this is "critical" (the norms are accurate to ~1e-13).
PHASE_TOL = 1e-9
#: Relative size of ‖φ'‖² − ‖φ‖² below which the critical ratio is taken to be exactly 0.
_RATIO_ZERO_TOL = 1e-10


_positive = positive_float
_non_negative = non_negative_float


def _cov_with_one(act: Activation, r: np.ndarray) -> tuple[np.ndarray, float]:
    """C[φ|ρ] on ``r`` and C[φ|1] = ‖φ‖²_N from one call, so that P(1) = 1 to rounding."""
    c = covariance(act, np.append(r.ravel(), 1.0))
    return c[:-1].reshape(r.shape), float(c[-1])


def correlation_map(act: Activation | str | Any, rho: Any, *, sigma_w: float = 1.0,
                    sigma_b: float = 0.0) -> np.ndarray:
    """P(ρ) of one LayerNorm MLP layer (seed 002 eq 2.3), vectorised over ρ.

    P(ρ) = (σ_b² + σ_w² C[φ|ρ]) / (σ_b² + σ_w² C[φ|1]).

    Parameters
    ----------
    act
        Activation spec, :class:`~ringing.activations.Activation` or callable.
    rho
        Input correlation(s) in [−1, 1] (any shape).
    sigma_w, sigma_b
        Weight (> 0) and bias (≥ 0) standard deviations.

    Raises
    ------
    ValueError
        σ_w ≤ 0, σ_b < 0, ρ outside [−1, 1], or σ_b = 0 with ‖φ‖_N = 0.
    """
    lay = Layer(act, sigma_w, sigma_b)
    r = validate_rho(rho)
    c, c1 = _cov_with_one(lay.act, r)
    den = lay._den(c1)
    return np.clip((lay.ratio + c) / den, -1.0, 1.0)


def residual_correlation_map(act: Activation | str | Any, rho: Any, *,
                             sigma: float) -> np.ndarray:
    """P(ρ) of one residual block (seed 002 eq A.10), vectorised over ρ.

    P(ρ) = (ρ + σ² C[φ|ρ]) / (1 + σ² ‖φ‖²_N); σ ≥ 0 is the standard deviation of
    the branch's output weights V (σ = 0: the identity block).
    """
    s = _non_negative(sigma, "sigma")
    r = validate_rho(rho)
    c, c1 = _cov_with_one(get_activation(act), r)
    return np.clip((r + s**2 * c) / (1.0 + s**2 * c1), -1.0, 1.0)


@dataclass
class Layer:
    """One LayerNorm MLP layer of seed 002 eq 2.1: activation φ, weight and bias std.

    ``activation`` is a spec string or an :class:`~ringing.activations.Activation`.
    """

    activation: Activation | str | Any
    sigma_w: float = 1.0
    sigma_b: float = 0.0
    act: Activation = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.sigma_w = _positive(self.sigma_w, "sigma_w")
        self.sigma_b = _non_negative(self.sigma_b, "sigma_b")
        self.act = get_activation(self.activation)

    @cached_property
    def norms(self) -> tuple[float, float, float]:
        """(‖φ‖²_N, ‖φ'‖²_N, ‖φ − φ̄‖²_N) from :func:`ringing.theory.hermite.gaussian_summary`."""
        from ringing.theory.hermite import gaussian_summary

        g = gaussian_summary(self.act)
        return g.norm_sq, g.derivative_norm_sq, g.linearization_error_sq

    @property
    def ratio(self) -> float:
        """σ_b²/σ_w², computed as (σ_b/σ_w)² so that huge or tiny σ_w do not overflow."""
        if self.sigma_b == 0:
            return 0.0
        q = self.sigma_b / self.sigma_w
        return q * q

    def _den(self, c_one: float | None = None) -> float:
        """(σ_b² + σ_w² ‖φ‖²)/σ_w² = σ_b²/σ_w² + ‖φ‖² (eq 2.3 divided by σ_w²)."""
        den = self.ratio + (self.norms[0] if c_one is None else c_one)
        if not den > 0:
            raise ValueError(f"P is undefined for {self.act.name!r} with sigma_b=0: "
                             "the activation has zero Gaussian norm")
        return den

    @cached_property
    def c_one(self) -> float:
        """C[φ|1] from :func:`covariance` (the engine of :meth:`map`, so that P(1) = 1)."""
        return float(covariance(self.act, np.ones(1))[0])

    def map(self, rho: Any) -> np.ndarray:
        """P(ρ) (seed 002 eq 2.3); the same numbers as :func:`correlation_map`."""
        r = validate_rho(rho)
        den = self._den(self.c_one)
        if math.isinf(self.ratio):
            return np.ones_like(r)
        c = covariance(self.act, r)
        return np.clip((self.ratio + c) / den, -1.0, 1.0)

    def gap_map(self, delta: Any) -> np.ndarray:
        """1 − P(1 − δ) = (C[φ|1] − C[φ|1 − δ]) / (σ_b²/σ_w² + C[φ|1]), without cancellation."""
        d = np.asarray(delta, dtype=float)
        if math.isinf(self.ratio):
            return np.zeros_like(d)
        return np.clip(covariance_gap(self.act, d) / self._den(self.c_one), 0.0, 2.0)

    def derivative(self, rho: Any) -> np.ndarray:
        """P'(ρ) = σ_w² C[φ'|ρ] / (σ_b² + σ_w² ‖φ‖²) (Stein's lemma)."""
        r = validate_rho(rho)
        return covariance(self.act, r, derivative=True) / self._den()

    def derivative_at_one(self) -> float:
        """P'(1) = σ_w² ‖φ'‖² / (σ_b² + σ_w² ‖φ‖²)."""
        return self.norms[1] / self._den()

    def describe(self) -> str:
        return f"{self.act.name} (sigma_w={self.sigma_w:g}, sigma_b={self.sigma_b:g})"


@dataclass
class ResidualLayer:
    """One residual block of seed 002 §3 (eq A.10): activation φ, branch std σ ≥ 0."""

    activation: Activation | str | Any
    sigma: float
    act: Activation = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.sigma = _non_negative(self.sigma, "sigma")
        self.act = get_activation(self.activation)

    @cached_property
    def norms(self) -> tuple[float, float, float]:
        """(‖φ‖²_N, ‖φ'‖²_N, ‖φ − φ̄‖²_N) from :func:`ringing.theory.hermite.gaussian_summary`."""
        from ringing.theory.hermite import gaussian_summary

        g = gaussian_summary(self.act)
        return g.norm_sq, g.derivative_norm_sq, g.linearization_error_sq

    @cached_property
    def c_one(self) -> float:
        """C[φ|1] from :func:`covariance` (the engine of :meth:`map`, so that P(1) = 1)."""
        return float(covariance(self.act, np.ones(1))[0])

    def map(self, rho: Any) -> np.ndarray:
        """P(ρ) (seed 002 eq A.10); the same numbers as :func:`residual_correlation_map`."""
        r = validate_rho(rho)
        s2 = self.sigma**2
        return np.clip((r + s2 * covariance(self.act, r)) / (1.0 + s2 * self.c_one), -1.0, 1.0)

    def gap_map(self, delta: Any) -> np.ndarray:
        """1 − P(1 − δ) = (δ + σ²(C[φ|1] − C[φ|1 − δ])) / (1 + σ² C[φ|1]), no cancellation."""
        d = np.asarray(delta, dtype=float)
        s2 = self.sigma**2
        return np.clip((d + s2 * covariance_gap(self.act, d)) / (1.0 + s2 * self.c_one),
                       0.0, 2.0)

    def derivative(self, rho: Any) -> np.ndarray:
        """P'(ρ) = (1 + σ² C[φ'|ρ]) / (1 + σ² ‖φ‖²)."""
        r = validate_rho(rho)
        s2 = self.sigma**2
        return (1.0 + s2 * covariance(self.act, r, derivative=True)) / (1.0 + s2 * self.norms[0])

    def derivative_at_one(self) -> float:
        """P'(1) = (1 + σ² ‖φ'‖²) / (1 + σ² ‖φ‖²)."""
        s2 = self.sigma**2
        return (1.0 + s2 * self.norms[1]) / (1.0 + s2 * self.norms[0])

    def describe(self) -> str:
        return f"residual {self.act.name} (sigma={self.sigma:g})"


CorrelationLayer = Layer | ResidualLayer


class LayerStack(Sequence):  # type: ignore[type-arg]
    """``head`` layers followed by ``depth`` copies of one layer, in O(1) memory.

    A sequence of layers like a list (``len``, indexing, iteration), so every function
    taking layers accepts it; :func:`propagate` and :func:`propagate_gap` iterate it
    without materialising it and stop as soon as the repeated map has reached a fixed
    point in float64 (then every further layer gives the same numbers).
    """

    def __init__(self, layer: CorrelationLayer, depth: int,
                 head: Sequence[CorrelationLayer] = ()) -> None:
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
            raise ValueError(f"depth={depth!r} must be a non-negative integer")
        self.layer = layer
        self.depth = depth
        self.head = list(head)

    def __len__(self) -> int:
        return len(self.head) + self.depth

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return self.head[i] if i < len(self.head) else self.layer


def _check_layers(layers: Sequence[CorrelationLayer]) -> Sequence[CorrelationLayer]:
    ls: Sequence[CorrelationLayer] = layers if isinstance(layers, LayerStack) else list(layers)
    if len(ls) == 0:
        raise ValueError("depth=0: a composition needs at least one layer")
    check = [*ls.head, ls.layer] if isinstance(ls, LayerStack) else ls
    for lay in check:
        if not isinstance(lay, (Layer, ResidualLayer)):
            raise ValueError(f"layer {lay!r} is not a Layer or ResidualLayer")
    return ls


#: Largest number of elements compose() materialises (layers × ρ values).
MAX_TRACE_ELEMENTS = 50_000_000
#: Most layers iterated before a repeated map must have reached its float64 fixed point.
MAX_ITERATIONS = 100_000


def _runs(ls: Sequence[CorrelationLayer]) -> list[tuple[CorrelationLayer, int]]:
    """(layer, count) runs of consecutive identical layers."""
    if isinstance(ls, LayerStack):
        out = [(lay, 1) for lay in ls.head]
        if ls.depth:
            out.append((ls.layer, ls.depth))
        return out
    out2: list[tuple[CorrelationLayer, int]] = []
    for lay in ls:
        if out2 and out2[-1][0] is lay:
            out2[-1] = (lay, out2[-1][1] + 1)
        else:
            out2.append((lay, 1))
    return out2


def _iterate(ls: Sequence[CorrelationLayer], x0: np.ndarray, step: str,
             keep: bool) -> tuple[np.ndarray, list[np.ndarray], int | None]:
    """Apply the layers' ``step`` map ('map' or 'gap_map') in O(1) memory (trace if ``keep``).

    Returns (final, trace, converged_at): within a run of identical layers the
    iteration stops once x_{l+1} == x_l exactly (a float64 fixed point).
    """
    cur = x0
    trace = [cur] if keep else []
    layer_no = 0
    converged_at: int | None = None
    for lay, count in _runs(ls):
        fn = getattr(lay, step)
        done = 0
        while done < count:
            nxt = np.asarray(fn(cur), dtype=float)
            done += 1
            layer_no += 1
            if keep:
                trace.append(nxt)
            if count > 1 and np.array_equal(nxt, cur):
                rest = count - done
                if keep:
                    trace.extend([nxt] * rest)
                layer_no += rest
                converged_at = layer_no - rest
                done = count
            elif done >= MAX_ITERATIONS and done < count:
                raise ValueError(
                    f"depth {len(ls)}: the repeated map has not reached its float64 fixed "
                    f"point after {MAX_ITERATIONS} layers (the limit; a slowly converging "
                    "critical map); ask for a smaller depth")
            cur = nxt
    return cur, trace, converged_at


def _trace_array(ls: Sequence[CorrelationLayer], r: np.ndarray, step: str) -> np.ndarray:
    if (len(ls) + 1) * max(r.size, 1) > MAX_TRACE_ELEMENTS:
        raise ValueError(f"{len(ls) + 1} layers x {r.size} values exceed "
                         f"{MAX_TRACE_ELEMENTS} elements; use propagate() for the last layer only")
    _, trace, _ = _iterate(ls, r, step, keep=True)
    return np.stack(trace)


def compose(layers: Sequence[CorrelationLayer], rho0: Any) -> np.ndarray:
    """ρ_0, ρ_1 = P_1(ρ_0), …, ρ_L = P_L∘…∘P_1(ρ_0), stacked: shape (L+1, *rho0.shape)
    (the composed correlation map of seed 002 eq 2.3).

    Vectorised over the array ``rho0``; the loop runs over the layers only, and a run
    of identical layers stops being evaluated at its float64 fixed point.
    """
    ls = _check_layers(layers)
    return _trace_array(ls, validate_rho(rho0), "map")


def compose_gap(layers: Sequence[CorrelationLayer], gap0: Any) -> np.ndarray:
    """1 − ρ_0, …, 1 − ρ_L carried without cancellation (each layer's :meth:`gap_map`).

    In the ordered phase 1 − ρ_l falls below float64's resolution of ρ near 1; carried
    as a gap it keeps its relative accuracy
    (see :func:`ringing.theory.gauss_kernel.covariance_gap`).
    """
    ls = _check_layers(layers)
    g = np.asarray(gap0, dtype=float)
    if np.any(~np.isfinite(g) | (g < 0) | (g > 2)):
        raise ValueError("1 - rho0 must lie in [0, 2]")
    return _trace_array(ls, g, "gap_map")


def propagate(layers: Sequence[CorrelationLayer], rho0: Any) -> tuple[np.ndarray, int | None]:
    """ρ_L = P_L∘…∘P_1(ρ_0) only, in O(1) memory in L (e.g. a Gram matrix through many layers).

    Iterated as the gap 1 − ρ (:func:`propagate_gap`), so that a slowly converging map is
    not mistaken for a fixed point when ρ's float64 increments round away near 1.
    Returns (ρ_L, converged_at): the layer from which a repeated map's output stopped
    changing in float64 (``None`` if it did not).  More than :data:`MAX_ITERATIONS`
    unconverged repeated layers is refused with a one-line ``ValueError``.

    Parameters
    ----------
    layers
        The layers ``P_1..P_L`` (:class:`Layer`, :class:`ResidualLayer`).
    rho0
        Input correlations ``ρ_0`` in ``[-1, 1]``, an array (a scalar as a length-1 list).

    Returns
    -------
    tuple
        ``(ρ_L, converged_at)``.
    """
    r = validate_rho(rho0)
    gap, conv = propagate_gap(layers, 1.0 - r)
    return np.clip(1.0 - gap, -1.0, 1.0), conv


def propagate_gap(layers: Sequence[CorrelationLayer], gap0: Any
                  ) -> tuple[np.ndarray, int | None]:
    """1 − ρ_L only (see :func:`propagate` and :func:`compose_gap`)."""
    ls = _check_layers(layers)
    g = np.asarray(gap0, dtype=float)
    if np.any(~np.isfinite(g) | (g < 0) | (g > 2)):
        raise ValueError("1 - rho0 must lie in [0, 2]")
    out, _, conv = _iterate(ls, g, "gap_map", keep=False)
    return out, conv


def composed_derivative_at_one(layers: Sequence[CorrelationLayer]) -> float:
    """(P_L∘…∘P_1)'(1) = Π_l P_l'(1), exact by the chain rule since every P_l(1) = 1."""
    lg = log_composed_derivative_at_one(layers)
    return math.inf if lg > 709.0 else math.exp(lg)


def log_composed_derivative_at_one(layers: Sequence[CorrelationLayer]) -> float:
    """log (P_L∘…∘P_1)'(1) = Σ_l log P_l'(1), in O(1) memory over runs of identical layers."""
    ls = _check_layers(layers)
    tot = 0.0
    for lay, count in _runs(ls):
        d = lay.derivative_at_one()
        tot += count * (math.log(d) if d > 0 else -math.inf)
    return tot


def critical_ratio(act: Activation | str | Any) -> float | None:
    """σ_b²/σ_w² with P'(1) = 1 (seed 002 §2.2, App. B), or ``None`` when none is critical.

    From eq 2.3 and Stein's lemma, P'(1) = ‖φ'‖² / (σ_b²/σ_w² + ‖φ‖²), strictly
    decreasing in the ratio, so the unique critical ratio is the closed form
    ‖φ'‖²_N − ‖φ‖²_N — valid for every activation that is absolutely continuous
    (the whole registry).  A negative value means P'(1) < 1 for every ratio (no
    critical initialisation: ``None``).  A difference below 1e-10 relative to the
    norms (their quadrature accuracy is ~1e-13) is returned as exactly 0.0
    (relu, leaky ReLU, identity).

    Parameters
    ----------
    act
        Activation spec (registry name or expression) or an
        :class:`~ringing.activations.Activation`.

    Returns
    -------
    float or None
        The critical ``σ_b²/σ_w²``, or ``None``.
    """
    a = get_activation(act)
    from ringing.theory.hermite import gaussian_summary

    g = gaussian_summary(a)
    n, d = g.norm_sq, g.derivative_norm_sq
    if not max(n, d) > 0:
        raise ValueError(f"activation {a.name!r} has zero Gaussian norm: no correlation map")
    r = d - n
    if abs(r) <= _RATIO_ZERO_TOL * max(n, d):
        return 0.0
    return r if r > 0 else None


def critical_layer(act: Activation | str | Any, sigma_w: float = 1.0) -> Layer:
    """The critically initialised :class:`Layer` (P'(1) = 1, seed 002 §2.2) with weight std
    ``sigma_w``."""
    sw = _positive(sigma_w, "sigma_w")
    ratio = critical_ratio(act)
    if ratio is None:
        raise ValueError(f"activation {get_activation(act).name!r} has no critical "
                         "initialisation (||phi'||^2 < ||phi||^2: P'(1) < 1 for every ratio)")
    return Layer(act, sw, sw * math.sqrt(ratio))


def phase(layer: CorrelationLayer) -> Literal["ordered", "critical", "chaotic"]:
    """Ordered (P'(1) < 1), critical (P'(1) = 1 within :data:`PHASE_TOL`) or chaotic (seed 002
    §2.2)."""
    d = layer.derivative_at_one()
    if abs(d - 1.0) <= PHASE_TOL:
        return "critical"
    return "ordered" if d < 1.0 else "chaotic"


def fixed_point(layer: CorrelationLayer) -> float:
    """The fixed point of P attracting [0, 1) (seed 002 Observation 1).

    1 in the ordered and critical phases; in the chaotic phase the unique
    ρ_fp ∈ [0, 1) with P(ρ_fp) = ρ_fp (P convex, P(0) ≥ 0, P'(1) > 1), found by
    Brent's method on a bracket located on a vectorised grid.
    """
    if phase(layer) != "chaotic":
        return 1.0

    def h(r: Any) -> np.ndarray:
        return layer.map(r) - np.asarray(r, dtype=float)

    grid = np.concatenate([np.linspace(0.0, 1.0, 129)[:-1], 1.0 - np.logspace(-3, -12, 10)])
    vals = h(grid)
    if vals[0] <= 1e-13:  # P(0) = 0 (odd φ, σ_b = 0) up to the covariance's accuracy
        return 0.0
    neg = np.nonzero(vals < 0)[0]
    if neg.size == 0:
        raise ValueError(f"no fixed point below 1 resolved for {layer.describe()} "
                         "(P'(1) is too close to 1)")
    i = int(neg[0])
    return float(brentq(lambda r: float(h(r)), grid[i - 1], grid[i], xtol=1e-15, rtol=1e-15))
