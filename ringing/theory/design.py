"""Inverse design: the parameters of an activation or an initialisation that meet targets.

Every other theory module answers "what does this network do?"; this one answers the
inverse: which free parameters of a *family* make a quantity of the wide network equal
(or bound) a target value.  Three families:

* :class:`Transform` — seed 004 App. C's transformed activation ``c·τ(d·x + t) + b``
  with the normalisation conditions E φ = 0 and Q φ = E φ² = 1 under the unit Gaussian
  as constraints (they fix ``b`` and ``c`` in closed form: c = 1/S τ(d z + t),
  b = −c·E τ(d z + t)); ``d`` and/or ``t`` are free.  With the DKS conditions (Martens
  et al. 2021, "Rapid training of deep neural networks without skip connections or
  normalization layers using Deep Kernel Shaping", §4: Q(1) = 1, Q'(1) = 1, C(0) = 0
  and the composed C'(1) = ζ) this is DKS's own problem.
* :class:`Parametrised` — a registry activation's own parameter (the leaky-ReLU slope,
  the ELU α).
* :class:`Initialisation` — σ_b (or σ_w) of seed 002 eq 2.1's LayerNorm MLP layers.

Targets (:class:`Target`), all for a network whose layers all apply the same φ:

====================  ==========================================================
``nlc``               NLC_φ(1)^(L−1), seed 004 §5's prediction for a depth-L
                      batchnorm network (L linear layers, L − 1 copies of φ)
``qslope``            the per-layer Q-map slope Q'(1) = ½ E[(z² − 1) φ(z)²] (DKS)
``cslope``            the composed correlation map's slope (P_L∘…∘P_1)'(1) = P'(1)^L
                      (seed 002 eq 2.3 + Stein; DKS's "C'(1) = ζ" for L layers)
``cvalue@ρ0``         the composed map's value P^L(ρ_0)
``cdistance``         max over ρ ∈ [0, 1] of |P^L(ρ) − ρ| (on 65 Chebyshev–Lobatto
                      points): the distance of the composed map to the identity
``bound``             seed 002 Theorem 1 at depth L: the bound √(8·J²/S_L) on
                      1 − ρ_max, J² = P'(1)^L, S_L = L·‖φ − φ̄‖²/‖φ'‖²
``blueshift``         the spectral centroid of the last layer's predicted walk
                      spectrum (seed 000's wide-limit prediction,
                      :func:`ringing.theory.harmonics.predict_walk_spectra`)
====================  ==========================================================

Method.  Every candidate's one-dimensional Gaussian statistics (E φ, E φ², E φ'²,
E z²φ², Hermite coefficients ĥ_0..ĥ_K) come from one vectorised pass of the engine's
Gauss–Legendre rule (:func:`ringing.theory.gaussian.gauss_rule`) over a batch of
candidates; C'[φ|1] is the exact Stein form E φ'², and the map
P(ρ) = (σ_b² + σ_w² Σ ĥ_k² ρ^k)/(σ_b² + σ_w² E φ²) (Mehler) carries its truncation tail
as one ρ^(K+1) term (error ≤ tail·ρ^(K+1) on [0, 1]).  A vectorised scan of the
domain brackets every sign change of target − value, and each bracket is refined by
Brent's method (one free parameter) or by MINPACK's hybrid Powell method started in
each grid cell where both residuals change sign (two free parameters; no bracketing
root finder exists in 2-D).  The solution is then re-evaluated through the public
engine (:func:`evaluate`: :func:`ringing.theory.nlc.nlc_tau_summary`,
:class:`ringing.theory.kernels.Layer`, :func:`ringing.theory.kernels.compose`,
:func:`ringing.theory.convexity.theorem_bound`, ...) on the solution's spec string,
so the reported errors are those of an independent evaluation.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp
from scipy.optimize import brentq, root

from ringing.activations import Activation, compile_expr, find_kinks, get_activation, x
from ringing.theory.gaussian import gauss_rule
from ringing.theory.hermite import hermite_matrix
from ringing.theory.nlc import validate_depth

__all__ = [
    "QUANTITIES",
    "Target",
    "Transform",
    "Parametrised",
    "Initialisation",
    "Solution",
    "DesignResult",
    "design",
    "evaluate",
    "transformed_spec",
    "CDIST_GRID",
    "BatchnormWhitening",
    "batchnorm_whitening_step",
    "batchnorm_whitening_nlc",
]

#: Quantities a target can name (see the module docstring).
QUANTITIES = ("nlc", "qslope", "cslope", "cvalue", "cdistance", "bound", "blueshift")
#: Quantities fitted in log form (positive, multiplicative in depth).
_LOG_QUANTITIES = ("nlc", "cslope", "bound", "blueshift")
#: Hermite degree of the map model P(ρ) = Σ ĥ_k² ρ^k + tail·ρ^(K+1).
HERMITE_DEGREE = 48
#: ρ grid of the ``cdistance`` target: 65 Chebyshev–Lobatto points on [0, 1].
CDIST_GRID = 0.5 * (1.0 - np.cos(np.pi * np.arange(65) / 64))
#: Walk radius of the ``blueshift`` target (relative, as ``ringing blueshift``'s default).
BLUESHIFT_RADIUS = 0.5
_OPS = ("=", "<=", ">=")


# ----------------------------------------------------------------------------
# targets


@dataclass(frozen=True)
class Target:
    """One target: ``quantity op value`` (``op`` one of ``=``, ``<=``, ``>=``).

    ``rho0`` is the input correlation of a ``cvalue`` target.  Parse the command-line
    form with :meth:`parse`: ``nlc=2``, ``nlc<=3``, ``cslope=5``, ``qslope=1``,
    ``cvalue@0.5=0.8``, ``cdistance=0.1``, ``bound<=0.5``, ``blueshift=1.2``.
    """

    quantity: str
    value: float
    op: str = "="
    rho0: float | None = None

    def __post_init__(self) -> None:
        if self.quantity not in QUANTITIES:
            raise ValueError(f"unknown target {self.quantity!r}; known: {', '.join(QUANTITIES)}")
        if self.op not in _OPS:
            raise ValueError(f"target operator {self.op!r} must be one of {', '.join(_OPS)}")
        v = self.value
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"target {self.quantity} value {v!r} must be a finite number")
        object.__setattr__(self, "value", float(v))
        q = self.quantity
        if q == "cvalue":
            r = self.rho0
            if r is None or not (isinstance(r, (int, float)) and -1.0 <= r <= 1.0):
                raise ValueError(f"target cvalue needs rho0 in [-1, 1] (cvalue@RHO0=V), got {r!r}")
            object.__setattr__(self, "rho0", float(r))
            if not -1.0 <= v <= 1.0:
                raise ValueError(f"target cvalue={v:g} is not a correlation in [-1, 1]")
        elif self.rho0 is not None:
            raise ValueError(f"target {q} takes no rho0")
        if q == "nlc" and v < 1.0:
            raise ValueError(f"target nlc={v:g} < 1 is impossible: NLC_tau >= 1 for every "
                             "activation (Gaussian Poincare inequality), so its powers are >= 1")
        if q == "nlc" and v == 1.0 and self.op == "=":
            raise ValueError("target nlc=1 holds only for affine activations (no free "
                             "parameter makes a nonlinear family affine)")
        if q in ("cslope", "bound", "blueshift") and not v > 0:
            raise ValueError(f"target {q}={v:g} must be positive")
        if q == "cdistance" and v < 0:
            raise ValueError(f"target cdistance={v:g} must be non-negative")

    @classmethod
    def parse(cls, text: str) -> Target:
        """``QUANTITY[@RHO0] OP VALUE`` with OP in ``=``, ``<=``, ``>=``."""
        m = re.fullmatch(r"\s*([a-z]+)\s*(?:@\s*([-+0-9.eE]+))?\s*(<=|>=|=)\s*([-+0-9.eE]+)\s*",
                         text)
        if m is None:
            raise ValueError(f"target {text!r} is not QUANTITY[@RHO0](=|<=|>=)VALUE, e.g. "
                             "nlc=2, cslope=5, cvalue@0.5=0.8, bound<=0.5")
        try:
            value = float(m.group(4))
            rho0 = None if m.group(2) is None else float(m.group(2))
        except ValueError:
            raise ValueError(f"target {text!r}: not a number") from None
        return cls(m.group(1), value, m.group(3), rho0)

    def label(self) -> str:
        """The command-line form; :meth:`parse` gives this target back exactly."""
        at = "" if self.rho0 is None else f"@{self.rho0!r}"
        return f"{self.quantity}{at}{self.op}{self.value!r}"


# ----------------------------------------------------------------------------
# batched Gaussian statistics of candidates


@dataclass
class _Stats:
    """Per-candidate statistics (arrays of shape (M,)); ``h`` is (M, K+1)."""

    mean: np.ndarray
    q1: np.ndarray          # E φ²
    d1: np.ndarray          # E φ'²
    z2: np.ndarray          # E z² φ²
    h: np.ndarray           # ĥ_0..ĥ_K
    sw2: np.ndarray
    sb2: np.ndarray

    @property
    def tail(self) -> np.ndarray:
        """E φ² − Σ_{k≤K} ĥ_k² (the Hermite mass beyond degree K), clipped at 0."""
        return np.maximum(self.q1 - np.sum(self.h**2, axis=1), 0.0)


def _moments(phi: np.ndarray, dphi: np.ndarray, z: np.ndarray, w: np.ndarray,
             he: np.ndarray) -> tuple[np.ndarray, ...]:
    """E φ, E φ², E φ'², E z²φ², ĥ_k = E φ h_k over candidates (rows) on nodes (z, w)."""
    wphi = phi * w
    return (wphi.sum(axis=-1), (wphi * phi).sum(axis=-1), (dphi * dphi * w).sum(axis=-1),
            (wphi * phi * z * z).sum(axis=-1), wphi @ he.T)


_RULE_CACHE: dict[tuple[float, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _rule(kinks: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The engine's Gauss–Legendre rule split at ``kinks`` and its Hermite matrix (cached)."""
    key = tuple(round(k, 15) for k in kinks if abs(k) < 12.0)
    hit = _RULE_CACHE.get(key)
    if hit is None:
        z, w = gauss_rule(key)
        hit = (z, w, hermite_matrix(z, HERMITE_DEGREE))
        if len(_RULE_CACHE) > 256:
            _RULE_CACHE.clear()
        _RULE_CACHE[key] = hit
    return hit


class _Family:
    """A family of (activation, σ_w, σ_b) indexed by its free parameters."""

    free: tuple[str, ...]
    sigma_w: float | None
    sigma_b: float

    def domain(self, name: str) -> tuple[float, float, bool]:  # (lo, hi, log scale)
        raise NotImplementedError

    def reference(self) -> np.ndarray:
        raise NotImplementedError

    def stats(self, theta: np.ndarray, exact: bool) -> _Stats:
        raise NotImplementedError

    def realise(self, theta: np.ndarray) -> dict[str, Any]:
        """{"activation": spec, "sigma_w", "sigma_b", "parameters": {...}} for one θ."""
        raise NotImplementedError

    def depends_on_activation(self) -> bool:
        return True

    def notes(self) -> list[str]:
        return []

    def describe(self) -> str:
        raise NotImplementedError


def _fixed_sw2(sw: float | None, n: int) -> np.ndarray:
    return np.full(n, 1.0 if sw is None else sw**2)


def _subst_x(spec_name: str, replacement: str) -> str:
    """The spec ``spec_name`` with its input ``x`` replaced by ``replacement`` (via ``ast``).

    A bare registry name ``tanh`` is the call ``tanh(x)``; ``lrelu(slope=0.2)`` is
    ``lrelu(x, slope=0.2)``.  Nothing is evaluated: the text is parsed, rewritten and
    unparsed, and the result goes through the ordinary spec parser.
    """
    from ringing.activations import _ALIASES, ACTIVATIONS

    tree = ast.parse(spec_name.strip(), mode="eval")
    body = tree.body
    rep = ast.parse(f"({replacement})", mode="eval").body

    def is_reg(n: str) -> bool:
        return _ALIASES.get(n, n) in ACTIVATIONS

    if isinstance(body, ast.Name) and is_reg(body.id):
        return f"{body.id}({replacement})"
    if isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and is_reg(body.func.id) \
            and not body.args:
        body.args = [rep]
        return ast.unparse(body)

    class Sub(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            return rep if node.id == "x" else node

    return ast.unparse(Sub().visit(tree))


def transformed_spec(base: str, c: float, d: float, t: float, b: float) -> str:
    """The spec string of ``c·base(d·x + t) + b`` (re-parses to the same activation)."""
    inner = f"{d!r}*x" + (f" + {t!r}" if t > 0 else f" - {-t!r}" if t < 0 else "")
    core = _subst_x(base, inner)
    sign = "+" if b >= 0 else "-"
    return f"{c!r}*({core}) {sign} {abs(b)!r}"


@dataclass
class Transform(_Family):
    """c·τ(d·x + t) + b with E φ = 0 and E φ² = 1 under N(0, 1) (seed 004 App. C).

    ``free`` is a subset of ("d", "t"); the other keeps its given value.  σ_w, σ_b are
    the layers' (fixed) weight and bias std of the correlation-map targets (DKS: 1, 0).
    """

    base: str | Activation
    free: tuple[str, ...] = ("d",)
    d: float = 1.0
    t: float = 0.0
    sigma_w: float | None = 1.0
    sigma_b: float = 0.0
    d_range: tuple[float, float] = (0.01, 10.0)
    t_range: tuple[float, float] = (-4.0, 4.0)
    act: Activation = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.act = get_activation(self.base)
        if self.act.expr is None:
            raise ValueError(f"activation {self.act.name!r} is a plain callable: a transform "
                             "needs a spec (it is written back as a spec)")
        self.free = tuple(self.free)
        bad = [f for f in self.free if f not in ("d", "t")]
        if bad or not self.free or len(set(self.free)) != len(self.free):
            raise ValueError(f"free transform parameters {self.free!r} must be 'd', 't' or both "
                             "(c and b are fixed by E phi = 0 and E phi^2 = 1)")
        if not (math.isfinite(self.d) and self.d > 0):
            raise ValueError(f"d={self.d!r} must be positive (d < 0 is the mirror "
                             "activation tau(-x))")
        if not math.isfinite(self.t):
            raise ValueError(f"t={self.t!r} must be finite")
        _check_range(self.d_range, "d range", positive=True)
        _check_range(self.t_range, "t range")

    def domain(self, name: str) -> tuple[float, float, bool]:
        return (*self.d_range, True) if name == "d" else (*self.t_range, False)

    def reference(self) -> np.ndarray:
        return np.array([1.0 if f == "d" else 0.0 for f in self.free])

    def _dt(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        th = np.atleast_2d(theta)
        n = th.shape[0]
        d = th[:, self.free.index("d")] if "d" in self.free else np.full(n, self.d)
        t = th[:, self.free.index("t")] if "t" in self.free else np.full(n, self.t)
        return d, t

    def _raw(self, d: np.ndarray, t: np.ndarray, exact: bool) -> tuple[np.ndarray, ...]:
        """E τ(u), E τ(u)², E (dτ'(u))², E z²τ(u)², ĥ_k[τ(u)], E z²τ(u) for u = d z + t.

        A smooth τ (or a scan) uses one rule for the whole batch; ``exact`` with kinks
        splits each candidate's rule at its kinks (κ − t)/d (refinement: one candidate).
        """
        kinks = self.act.kinks
        groups = [np.array([i]) for i in range(d.size)] if (exact and kinks) else \
            [np.arange(d.size)]
        outs = []
        for g in groups:
            kz = tuple(float((k - t[g[0]]) / d[g[0]]) for k in kinks) if (exact and kinks) \
                else ()
            z, w, he = _rule(kz)
            u = d[g, None] * z[None, :] + t[g, None]
            phi = self.act.numpy(u)
            dphi = d[g, None] * self.act.numpy_derivative(u)
            outs.append((*_moments(phi, dphi, z, w, he), (phi * (w * z * z)).sum(axis=-1)))
        return tuple(np.concatenate([o[i] for o in outs]) for i in range(6))

    def stats(self, theta: np.ndarray, exact: bool) -> _Stats:
        d, t = self._dt(theta)
        m, q, dd, z2, h, ez2 = self._raw(d, t, exact)
        var = np.maximum(q - m**2, 1e-300)
        c2 = 1.0 / var
        h = h * np.sqrt(c2)[:, None]
        h[:, 0] = 0.0
        # centred and scaled: E φ = 0, E φ² = 1, E φ'² = c² E(dτ')², E z²φ² = c² E z²(τ − m)²
        z2c = c2 * (z2 - 2 * m * ez2 + m**2)
        n = d.size
        return _Stats(np.zeros(n), np.ones(n), c2 * dd, z2c, h, _fixed_sw2(self.sigma_w, n),
                      np.full(n, self.sigma_b**2))

    def coefficients(self, theta: np.ndarray) -> tuple[float, float, float, float]:
        """(c, d, t, b) of one θ, with c = 1/S τ(dz + t) > 0 and b = −c E τ(dz + t)."""
        d, t = self._dt(theta)
        m, q, *_ = self._raw(d, t, True)
        c = 1.0 / math.sqrt(float(q[0] - m[0] ** 2))
        return c, float(d[0]), float(t[0]), (-c * float(m[0])) + 0.0  # no "-0.0"

    def realise(self, theta: np.ndarray) -> dict[str, Any]:
        c, d, t, b = self.coefficients(theta)
        spec = transformed_spec(self.act.name, c, d, t, b)
        assert self.act.expr is not None
        # the same function as parsing ``spec``, built without re-parsing or a kink search
        act = Activation(spec, sp.Float(c) * self.act.expr.subs(x, sp.Float(d) * x + sp.Float(t))
                         + sp.Float(b), {}, tuple(sorted((k - t) / d for k in self.act.kinks)))
        return {"activation": spec, "act": act, "sigma_w": self.sigma_w,
                "sigma_b": self.sigma_b, "parameters": {"c": c, "d": d, "t": t, "b": b}}

    def notes(self) -> list[str]:
        out = ["(c, b) -> (-c, -b) gives the same maps and NLC (phi -> -phi): c > 0 is reported"]
        z = np.linspace(-8.0, 8.0, 161)  # parity on a grid: a note, not a computation
        a, m = self.act.numpy(z), self.act.numpy(-z)
        scale = max(float(np.max(np.abs(a))), 1e-300)
        if float(np.max(np.abs(a + m))) <= 1e-13 * scale:
            out.append("tau is odd: (t, b) -> (-t, -b) gives phi(x) -> -phi(-x), the same maps "
                       "and NLC, so every solution with t != 0 has a mirror")
        elif float(np.max(np.abs(a - m))) <= 1e-13 * scale:
            out.append("tau is even: d -> -d gives the same activation; d > 0 is reported")
        return out

    def describe(self) -> str:
        fixed = ", ".join(f"{k}={getattr(self, k):g}" for k in ("d", "t") if k not in self.free)
        return (f"c*{self.act.name}(d*x + t) + b with E phi = 0, E phi^2 = 1; free "
                f"{', '.join(self.free)}" + (f"; {fixed}" if fixed else ""))


def _check_range(r: tuple[float, float], what: str, positive: bool = False) -> None:
    lo, hi = (float(v) for v in r)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"{what} {r!r} must be two finite numbers lo < hi")
    if positive and lo <= 0:
        raise ValueError(f"{what} {r!r} must be positive")


@dataclass
class Parametrised(_Family):
    """A registry activation with one free parameter (``lrelu`` ``slope``, ``elu`` ``alpha``).

    ``spec`` is a registry name, possibly with other parameters fixed
    (``selu(scale=1.0)``).  Where the expression is affine in the parameter,
    φ_p = A + p·B is evaluated for a whole batch from two compiled functions; otherwise
    each candidate is built from the registry.  The default range is
    [min(0, 4p₀), max(1, 4p₀)] around the default p₀.
    """

    spec: str
    param: str
    sigma_w: float | None = 1.0
    sigma_b: float = 0.0
    p_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        from ringing.activations import _ALIASES, ACTIVATIONS

        text = self.spec.strip()
        m = re.fullmatch(r"([A-Za-z_ ]+?)\s*(?:\((.*)\))?", text)
        name = _ALIASES.get(m.group(1).strip(), m.group(1).strip()) if m else ""
        if name not in ACTIVATIONS:
            raise ValueError(f"{self.spec!r} is not a registry activation with parameters")
        entry = ACTIVATIONS[name]
        if self.param not in entry.defaults or self.param in ("coeffs", "k"):
            known = ", ".join(k for k in entry.defaults if k not in ("coeffs", "k")) or "none"
            raise ValueError(f"{name} has no free numeric parameter {self.param!r}; its "
                             f"parameters: {known}")
        fixed = dict(get_activation(text).params)
        fixed.pop(self.param, None)
        self.name = name
        self.fixed = fixed
        self.free = (self.param,)
        p0 = float(entry.defaults[self.param])
        self.p0 = p0
        if self.p_range is None:
            self.p_range = (min(0.0, 4 * p0), max(1.0, 4 * p0))
        _check_range(self.p_range, f"{self.param} range")
        sym = sp.Symbol(self.param, real=True)
        expr = get_activation(name, **{**fixed, self.param: sym}).expr
        assert expr is not None
        self._affine = sp.diff(expr, sym, 2) == 0
        if self._affine:
            a_expr, b_expr = expr.subs(sym, 0), sp.diff(expr, sym)
            self._fa = compile_expr(a_expr, "numpy")
            self._fb = compile_expr(b_expr, "numpy")
            self._da = compile_expr(sp.diff(a_expr, x), "numpy")
            self._db = compile_expr(sp.diff(b_expr, x), "numpy")
        self.kinks = find_kinks(expr.subs(sym, p0 if p0 != 0 else 0.5))

    def instance(self, p: float) -> Activation:
        return get_activation(self.name, **{**self.fixed, self.param: float(p)})

    def domain(self, name: str) -> tuple[float, float, bool]:
        assert self.p_range is not None
        return (*self.p_range, False)

    def reference(self) -> np.ndarray:
        return np.array([self.p0])

    def stats(self, theta: np.ndarray, exact: bool) -> _Stats:
        p = np.atleast_2d(theta)[:, 0]
        z, w, he = _rule(self.kinks)
        if self._affine:
            def ev(f: Callable[[Any], Any]) -> np.ndarray:
                with np.errstate(all="ignore"):
                    return np.broadcast_to(np.asarray(f(z), dtype=float), z.shape)
            phi = ev(self._fa)[None, :] + p[:, None] * ev(self._fb)[None, :]
            dphi = ev(self._da)[None, :] + p[:, None] * ev(self._db)[None, :]
        else:  # one registry instance per candidate (no shared structure to batch)
            acts = [self.instance(v) for v in p]
            phi = np.stack([a.numpy(z) for a in acts])
            dphi = np.stack([a.numpy_derivative(z) for a in acts])
        m, q, dd, z2, h = _moments(phi, dphi, z, w, he)
        n = p.size
        return _Stats(m, q, dd, z2, h, _fixed_sw2(self.sigma_w, n), np.full(n, self.sigma_b**2))

    def realise(self, theta: np.ndarray) -> dict[str, Any]:
        p = float(np.atleast_1d(theta).ravel()[0])
        return {"activation": self.instance(p).name, "sigma_w": self.sigma_w,
                "sigma_b": self.sigma_b, "parameters": {self.param: p}}

    def describe(self) -> str:
        return f"{self.name} with free {self.param}"


@dataclass
class Initialisation(_Family):
    """σ_b (``free="sigma_b"``, σ_w fixed) or σ_w (``free="sigma_w"``) of seed 002 eq 2.1.

    The LayerNorm map depends on σ_b²/σ_w² only, so every (σ_w, σ_b) on the ray of
    the solution's ratio is a solution too (reported as a family).
    """

    activation: str | Activation
    free_param: str = "sigma_b"
    sigma_w: float | None = 1.0
    sigma_b: float = 0.0
    s_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        self.act = get_activation(self.activation)
        if self.free_param not in ("sigma_b", "sigma_w"):
            raise ValueError(f"free initialisation parameter {self.free_param!r} must be "
                             "sigma_b or sigma_w")
        self.free = (self.free_param,)
        if self.s_range is None:
            self.s_range = (0.0, 10.0) if self.free_param == "sigma_b" else (0.01, 10.0)
        _check_range(self.s_range, f"{self.free_param} range")
        if self.s_range[0] < 0 or (self.free_param == "sigma_w" and self.s_range[0] <= 0):
            raise ValueError(f"{self.free_param} range {self.s_range!r} must be "
                             f"{'positive' if self.free_param == 'sigma_w' else 'non-negative'}")
        if self.sigma_w is None or not self.sigma_w > 0:
            raise ValueError("sigma_w must be positive")

    @cached_property
    def _base(self) -> tuple[np.ndarray, ...]:
        z, w, he = _rule(self.act.kinks)
        phi = self.act.numpy(z)[None, :]
        dphi = self.act.numpy_derivative(z)[None, :]
        return _moments(phi, dphi, z, w, he)

    def domain(self, name: str) -> tuple[float, float, bool]:
        assert self.s_range is not None
        return (*self.s_range, False)

    def reference(self) -> np.ndarray:
        return np.array([self.sigma_b if self.free_param == "sigma_b" else 1.0])

    def depends_on_activation(self) -> bool:
        return False

    def stats(self, theta: np.ndarray, exact: bool) -> _Stats:
        s = np.atleast_2d(theta)[:, 0]
        n = s.size
        m, q, dd, z2, h = (np.repeat(a, n, axis=0) for a in self._base)
        assert self.sigma_w is not None
        if self.free_param == "sigma_b":
            sw2, sb2 = np.full(n, self.sigma_w**2), s**2
        else:
            sw2, sb2 = s**2, np.full(n, self.sigma_b**2)
        return _Stats(m, q, dd, z2, h, sw2, sb2)

    def realise(self, theta: np.ndarray) -> dict[str, Any]:
        s = float(np.atleast_1d(theta).ravel()[0])
        sw = s if self.free_param == "sigma_w" else self.sigma_w
        sb = s if self.free_param == "sigma_b" else self.sigma_b
        return {"activation": self.act.name, "sigma_w": sw, "sigma_b": sb,
                "parameters": {self.free_param: s}}

    def notes(self) -> list[str]:
        return ["the LayerNorm maps depend on sigma_b/sigma_w only: every (sigma_w, sigma_b) "
                "with the reported ratio is a solution of the map targets (a one-parameter "
                "family; blueshift is the exception, it sees sigma_w and sigma_b separately)"]

    def describe(self) -> str:
        fixed = ("sigma_w", self.sigma_w) if self.free_param == "sigma_b" else \
            ("sigma_b", self.sigma_b)
        return f"{self.act.name} layers with free {self.free_param} ({fixed[0]}={fixed[1]:g})"


# ----------------------------------------------------------------------------
# quantities from statistics (the solver's model)


def _p_slope(s: _Stats) -> np.ndarray:
    """P'(1) = σ_w² E φ'² / (σ_b² + σ_w² E φ²) (seed 002 eq 2.3 and Stein's lemma)."""
    return s.sw2 * s.d1 / (s.sb2 + s.sw2 * s.q1)


def _compose_model(s: _Stats, rho: np.ndarray, depth: int) -> np.ndarray:
    """P^L(ρ) for every candidate (rows) and every ρ (columns) from the Mehler series."""
    coef = np.concatenate([s.h**2, s.tail[:, None]], axis=1)  # (M, K+2)
    coef = coef * s.sw2[:, None]
    coef[:, 0] += s.sb2
    den = s.sb2 + s.sw2 * s.q1
    r = np.broadcast_to(np.asarray(rho, dtype=float), (s.q1.size, np.size(rho))).copy()
    for _ in range(depth):  # the loop runs over layers; candidates and ρ are batched
        acc = np.zeros_like(r)
        for k in range(coef.shape[1] - 1, -1, -1):
            acc = acc * r + coef[:, k:k + 1]
        r = np.clip(acc / den[:, None], -1.0, 1.0)
    return r


def _model(fam: _Family, targets: Sequence[Target], depth: int, theta: np.ndarray,
           exact: bool, counter: dict[str, int]) -> np.ndarray:
    """The solver's value of every target (columns) for every candidate row of ``theta``.

    One batch of statistics serves all targets.
    """
    th = np.atleast_2d(theta)
    counter["model_batches"] += 1
    counter["candidates"] += th.shape[0]
    s = fam.stats(th, exact) if any(t.quantity != "blueshift" for t in targets) else None
    cols = []
    for target in targets:
        q = target.quantity
        if q == "blueshift":
            cols.append(np.array([_blueshift(fam.realise(row), depth, counter) for row in th]))
            continue
        assert s is not None
        if q == "nlc":
            var = np.maximum(s.q1 - s.mean**2, 1e-300)
            cols.append(np.sqrt(s.d1 / var) ** (depth - 1))
        elif q == "qslope":
            cols.append(0.5 * (s.z2 - s.q1))
        elif q == "cslope":
            cols.append(_p_slope(s) ** depth)
        elif q == "cvalue":
            cols.append(_compose_model(s, np.array([target.rho0]), depth)[:, 0])
        elif q == "cdistance":
            cols.append(np.max(np.abs(_compose_model(s, CDIST_GRID, depth) - CDIST_GRID),
                               axis=1))
        else:  # bound, seed 002 Theorem 1: 1 - rho_max <= sqrt(8 J^2 / S_L)
            lin = np.maximum(s.q1 - s.h[:, 0] ** 2 - s.h[:, 1] ** 2, 0.0)
            ssum = depth * lin / s.d1
            with np.errstate(divide="ignore", invalid="ignore"):
                cols.append(np.where(ssum > 0, np.sqrt(8.0 * _p_slope(s) ** depth / ssum),
                                     np.inf))
    return np.stack(cols, axis=1)


def _blueshift(real: dict[str, Any], depth: int, counter: dict[str, int]) -> float:
    """Spectral centroid of the last layer's predicted loop spectrum (seed 000)."""
    from ringing.theory.harmonics import predict_walk_spectra

    counter["engine_calls"] += 1
    w = predict_walk_spectra(real.get("act") or real["activation"], depth,
                             radius=BLUESHIFT_RADIUS,
                             weight_scale=real["sigma_w"], bias_scale=real["sigma_b"] or 0.0)
    return float(np.asarray(w.spectral_centroid)[-1])


def _residual(targets: Sequence[Target], values: np.ndarray) -> np.ndarray:
    """target − value per column (log form for the multiplicative quantities)."""
    v = np.array(values, dtype=float)
    for i, t in enumerate(targets):
        if t.quantity in _LOG_QUANTITIES:
            with np.errstate(divide="ignore", invalid="ignore"):
                v[:, i] = np.log(np.maximum(v[:, i], 1e-300)) - math.log(t.value)
        else:
            v[:, i] = v[:, i] - t.value
    return v


# ----------------------------------------------------------------------------
# evaluation through the public engine (independent of the solver's model)


def evaluate(activation: str | Activation, depth: int, targets: Sequence[Target], *,
             sigma_w: float | None = 1.0, sigma_b: float = 0.0,
             counter: dict[str, int] | None = None) -> list[float]:
    """Each target's quantity for (activation, σ_w, σ_b) at depth L, by the public engine.

    nlc: :func:`ringing.theory.nlc.nlc_tau_summary`; qslope: ĥ_2[φ²]/√2 from
    :func:`ringing.theory.hermite.hermite_coefficients` of the spec ``(φ)**2``
    (Q'(1) = ½ E[(z²−1) φ²] = ĥ_2[φ²]/√2); cslope:
    :func:`ringing.theory.kernels.composed_derivative_at_one`; cvalue, cdistance:
    :func:`ringing.theory.kernels.compose`; bound:
    :func:`ringing.theory.convexity.theorem_bound`; blueshift:
    :func:`ringing.theory.harmonics.predict_walk_spectra`.
    """
    from ringing.theory.convexity import theorem_bound
    from ringing.theory.hermite import hermite_coefficients
    from ringing.theory.kernels import Layer, compose, composed_derivative_at_one
    from ringing.theory.nlc import nlc_tau_summary

    L = validate_depth(depth)
    cnt = counter if counter is not None else {"engine_calls": 0}
    cnt.setdefault("engine_calls", 0)
    act = get_activation(activation)
    sw = 1.0 if sigma_w is None else sigma_w
    layers = [Layer(act, sw, sigma_b)] * L
    out = []
    for tg in targets:
        q = tg.quantity
        cnt["engine_calls"] += 1
        if q == "nlc":
            out.append(nlc_tau_summary(act, 1.0, L).nlc_tau_power)
        elif q == "qslope":
            sq = get_activation(f"({act.name})**2")
            out.append(float(hermite_coefficients(sq, 2).coefficients[2]) / math.sqrt(2.0))
        elif q == "cslope":
            out.append(composed_derivative_at_one(layers))
        elif q == "cvalue":
            out.append(float(compose(layers, np.array([tg.rho0]))[-1, 0]))
        elif q == "cdistance":
            out.append(float(np.max(np.abs(compose(layers, CDIST_GRID)[-1] - CDIST_GRID))))
        elif q == "bound":
            out.append(float(theorem_bound(layers)["one_minus_rho_max_bound"]))
        else:
            out.append(_blueshift({"activation": act.name, "sigma_w": sigma_w,
                                   "sigma_b": sigma_b}, L, cnt))
    return out


# ----------------------------------------------------------------------------
# the solver


@dataclass
class Solution:
    """One solution: the free parameters, the realised network and each target's values."""

    free: dict[str, float]
    activation: str
    sigma_w: float | None
    sigma_b: float
    parameters: dict[str, float]
    model_values: list[float]
    engine_values: list[float] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"free": self.free, "activation": self.activation, "sigma_w": self.sigma_w,
                "sigma_b": self.sigma_b, "parameters": self.parameters,
                "model_values": self.model_values, "engine_values": self.engine_values}


@dataclass
class DesignResult:
    """The outcome of :func:`design`.

    ``status``: ``"unique"`` (one solution in the searched domain), ``"many"`` (several
    isolated solutions; ``chosen`` is the one nearest the family's reference point, ``range``
    spans them), ``"none"`` (no solution in the domain; ``attained`` is the range of the
    quantity there), or for an inequality target ``"feasible"`` (``intervals`` of the free
    parameter meeting it; ``chosen`` is their largest — or smallest, ``choose="min"`` —
    parameter) / ``"infeasible"``.
    """

    family: str
    depth: int
    targets: list[Target]
    status: str
    chosen: Solution | None
    solutions: list[Solution]
    range: dict[str, list[float]] | None
    intervals: list[list[float]] | None
    attained: list[list[float]] | None
    errors: list[float | None]
    met: bool
    notes: list[str]
    method: str
    counter: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "family": self.family, "depth": self.depth,
            "targets": [t.label() for t in self.targets], "status": self.status,
            "chosen": None if self.chosen is None else self.chosen.as_dict(),
            "solutions": [s.as_dict() for s in self.solutions], "range": self.range,
            "intervals": self.intervals, "attained": self.attained, "errors": self.errors,
            "met": self.met, "notes": self.notes, "method": self.method,
            "counts": dict(self.counter),
        }


def _grid(fam: _Family, n: int) -> list[np.ndarray]:
    out = []
    for name in fam.free:
        lo, hi, log = fam.domain(name)
        out.append(np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n))
    return out


def _roots_1d(f: Callable[[np.ndarray], np.ndarray], fx: Callable[[float], float],
              g: np.ndarray) -> tuple[list[float], np.ndarray]:
    """All roots of f on the grid g's sign changes, refined by Brent's method with ``fx``."""
    v = f(g[:, None])
    roots: list[float] = []
    fin = np.isfinite(v)
    for i in np.nonzero(fin[:-1] & fin[1:] & (np.sign(v[:-1]) * np.sign(v[1:]) < 0))[0]:
        a, b = float(g[i]), float(g[i + 1])
        fa, fb = fx(a), fx(b)
        if fa == 0.0:
            roots.append(a)
        elif fb == 0.0:
            roots.append(b)
        elif np.sign(fa) * np.sign(fb) < 0:
            roots.append(float(brentq(fx, a, b, xtol=1e-15, rtol=4 * np.finfo(float).eps,
                                      maxiter=200)))
    roots += [float(gv) for gv in g[np.nonzero(v == 0.0)[0]]]
    return sorted(set(roots)), v


def design(family: _Family, depth: int, targets: Sequence[Target | str], *,
           choose: str = "max", grid: int | None = None, verify: bool = True) -> DesignResult:
    """Solve ``family``'s free parameters for ``targets`` at depth L (see the module docstring).

    Parameters
    ----------
    family
        :class:`Transform`, :class:`Parametrised` or :class:`Initialisation`.
    depth
        L (the depth convention of each quantity is in the module docstring).
    targets
        One target per free parameter (:class:`Target` or its text form).  With one free
        parameter the target may be an inequality; its feasible set is reported.
    choose
        For an inequality: ``"max"`` (default) or ``"min"``, the end of the feasible
        set reported as ``chosen``.
    grid
        Scan points per free parameter (default 129 in 1-D, 49 per axis in 2-D).
    verify
        Re-evaluate each solution through the public engine (:func:`evaluate`).

    Raises
    ------
    ValueError
        One-line messages for a bad depth, bad targets, a target that does not depend on
        the family's parameters, an impossible target for the family, or a count of
        targets that does not match the free parameters.
    """
    L = validate_depth(depth)
    tg = [t if isinstance(t, Target) else Target.parse(t) for t in targets]
    if choose not in ("max", "min"):
        raise ValueError(f"choose={choose!r} must be 'max' or 'min'")
    k = len(family.free)
    if len(tg) != k:
        what = "underdetermined" if len(tg) < k else "overdetermined"
        raise ValueError(f"{what}: {len(tg)} target(s) for {k} free parameter(s) "
                         f"({', '.join(family.free)}); give one target per free parameter")
    for t in tg:
        if t.quantity in ("nlc", "qslope") and not family.depends_on_activation():
            raise ValueError(f"target {t.quantity} depends on the activation only, not on "
                             f"{family.free[0]}: use a transform or parameter family")
        if isinstance(family, Transform) and family.sigma_b == 0 and t.quantity == "cslope" \
                and t.value < 1 and t.op != ">=":
            raise ValueError(f"target cslope={t.value:g} < 1 is impossible for a normalised "
                             "transform with sigma_b = 0: P'(1) = E phi'^2 >= Var phi = 1 "
                             "(Gaussian Poincare inequality)")
    if k == 2 and any(t.op != "=" for t in tg):
        raise ValueError("with two free parameters every target must be an equality")
    counter = {"model_batches": 0, "candidates": 0, "engine_calls": 0, "root_refinements": 0}
    n = grid or (129 if k == 1 else 49)
    notes = list(family.notes())
    if k == 1:
        res = _solve_1d(family, L, tg[0], choose, n, counter)
    else:
        res = _solve_2d(family, L, tg, n, counter)
    status, sols, rng, intervals, attained, method = res
    chosen = sols[0] if sols else None
    if sols and verify:
        for s in sols:
            s.engine_values = evaluate(s.activation, L, tg, sigma_w=s.sigma_w,
                                       sigma_b=s.sigma_b, counter=counter)
    errors: list[float | None] = []
    met = chosen is not None
    for i, t in enumerate(tg):
        if chosen is None:
            errors.append(None)
            continue
        v = (chosen.engine_values or chosen.model_values)[i]
        if t.op == "=":
            errors.append(abs(v - t.value))
            met &= abs(v - t.value) <= 1e-8 * max(1.0, abs(t.value))
        else:  # the distance to the bound, where the chosen end is a root (not a range edge)
            on_root = abs(v - t.value) <= 1e-8 * max(1.0, abs(t.value))
            errors.append(abs(v - t.value) if on_root else None)
            met &= (v <= t.value * (1 + 1e-9) + 1e-12) if t.op == "<=" else \
                (v >= t.value * (1 - 1e-9) - 1e-12)
    return DesignResult(family.describe(), L, tg, status, chosen, sols, rng, intervals, attained,
                        errors, bool(met), notes, method, counter)


def _make_solution(family: _Family, theta: np.ndarray, tg: Sequence[Target], L: int,
                   counter: dict[str, int]) -> Solution:
    real = family.realise(theta)
    vals = [float(v) for v in _model(family, tg, L, theta[None, :], True, counter)[0]]
    return Solution(dict(zip(family.free, (float(v) for v in theta), strict=True)),
                    real["activation"], real["sigma_w"], real["sigma_b"], real["parameters"],
                    vals)


def _nearest_first(family: _Family, pts: list[np.ndarray]) -> list[np.ndarray]:
    ref = family.reference()
    logs = [family.domain(n)[2] for n in family.free]

    def dist(p: np.ndarray) -> tuple[float, ...]:
        dv = [math.log(p[i] / ref[i]) if logs[i] else p[i] - ref[i] for i in range(len(p))]
        return (round(float(np.hypot.reduce(np.array(dv))), 9), *(-round(float(v), 9) for v in p))

    return sorted(pts, key=dist)


def _solve_1d(family: _Family, L: int, t: Target, choose: str, n: int,
              counter: dict[str, int]) -> tuple[Any, ...]:
    g = _grid(family, n)[0]
    name = family.free[0]

    def f(th: np.ndarray) -> np.ndarray:
        return _residual([t], _model(family, [t], L, th, False, counter))[:, 0]

    def fx(v: float) -> float:
        counter["root_refinements"] += 1
        return float(_residual([t], _model(family, [t], L, np.array([[v]]), True, counter))[0, 0])

    if t.quantity == "blueshift":  # the engine is per activation: scan a coarse grid
        g = _grid(family, min(n, 9))[0]
    roots, v = _roots_1d(f, fx, g)
    vals = v + (math.log(t.value) if t.quantity in _LOG_QUANTITIES else t.value)
    if t.quantity in _LOG_QUANTITIES:
        vals = np.exp(vals)
    fin = np.isfinite(vals)
    attained = [[float(vals[fin].min()), float(vals[fin].max())]] if fin.any() else None
    method = f"vectorised scan of {g.size} points + Brent (xtol 1e-15)"
    if t.op == "=":
        if not roots:
            return "none", [], None, None, attained, method + _flat_note(attained)
        pts = _nearest_first(family, [np.array([r]) for r in roots])
        sols = [_make_solution(family, p, [t], L, counter) for p in pts]
        status = "unique" if len(sols) == 1 else "many"
        rng = {name: [min(roots), max(roots)]}
        return status, sols, rng, None, attained, method
    # inequality: the feasible set between consecutive roots / domain ends
    sign = 1.0 if t.op == "<=" else -1.0
    edges = [float(g[0]), *roots, float(g[-1])]
    intervals: list[list[float]] = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if b <= a:
            continue
        mid = np.array([[0.5 * (a + b)]]) if not family.domain(name)[2] else \
            np.array([[math.sqrt(a * b)]])
        if sign * fx(float(mid[0, 0])) <= 0:
            if intervals and intervals[-1][1] == a:
                intervals[-1][1] = b
            else:
                intervals.append([a, b])
    if not intervals:
        return "infeasible", [], None, None, attained, method + _flat_note(attained)
    end = intervals[-1][1] if choose == "max" else intervals[0][0]
    sol = _make_solution(family, np.array([end]), [t], L, counter)
    edge = end in (float(g[0]), float(g[-1]))
    if edge:
        method += "; the chosen end is the edge of the searched range (widen it to go further)"
    return "feasible", [sol], {name: [intervals[0][0], intervals[-1][1]]}, intervals, attained, \
        method


def _flat_note(attained: list[list[float]] | None) -> str:
    if attained and abs(attained[0][1] - attained[0][0]) <= 1e-9 * abs(attained[0][1]):
        return ("; the quantity does not vary over the searched range (e.g. a positively "
                "homogeneous activation: its NLC and maps do not depend on d)")
    return ""


def _solve_2d(family: _Family, L: int, tg: Sequence[Target], n: int,
              counter: dict[str, int]) -> tuple[Any, ...]:
    g0, g1 = _grid(family, n)
    A, B = np.meshgrid(g0, g1, indexing="ij")
    th = np.stack([A.ravel(), B.ravel()], axis=1)
    if any(t.quantity == "blueshift" for t in tg):
        raise ValueError("blueshift targets take one free parameter (its engine is per "
                         "activation, too slow for a two-dimensional scan)")
    res = _residual(tg, _model(family, tg, L, th, False, counter))
    r = [res[:, 0].reshape(A.shape), res[:, 1].reshape(A.shape)]

    def mixed(v: np.ndarray) -> np.ndarray:
        c = np.stack([v[:-1, :-1], v[1:, :-1], v[:-1, 1:], v[1:, 1:]])
        return np.isfinite(c).all(0) & (c.min(0) <= 0) & (c.max(0) >= 0)

    cells = np.argwhere(mixed(r[0]) & mixed(r[1]))
    logs = [family.domain(nm)[2] for nm in family.free]

    def to_theta(y: np.ndarray) -> np.ndarray:
        return np.array([math.exp(y[i]) if logs[i] else y[i] for i in range(2)])

    def fun(y: np.ndarray) -> np.ndarray:
        counter["root_refinements"] += 1
        return _residual(tg, _model(family, tg, L, to_theta(y)[None, :], True, counter))[0]

    found: list[np.ndarray] = []
    lo = [family.domain(nm)[0] for nm in family.free]
    hi = [family.domain(nm)[1] for nm in family.free]
    for i, j in cells:  # one local solve per bracketing cell (not a scan)
        c0 = math.sqrt(g0[i] * g0[i + 1]) if logs[0] else 0.5 * (g0[i] + g0[i + 1])
        c1 = math.sqrt(g1[j] * g1[j + 1]) if logs[1] else 0.5 * (g1[j] + g1[j + 1])
        y0 = np.array([math.log(c0) if logs[0] else c0, math.log(c1) if logs[1] else c1])
        sol = root(fun, y0, method="hybr", options={"xtol": 1e-15})
        if not np.all(np.isfinite(sol.x)) or np.max(np.abs(fun(sol.x))) > 1e-12:
            continue
        p = to_theta(sol.x)
        if any(p[m] < lo[m] or p[m] > hi[m] for m in range(2)):
            continue
        if all(np.max(np.abs(p - q) / np.maximum(1.0, np.abs(q))) > 1e-7 for q in found):
            found.append(p)
    method = (f"vectorised {n}x{n} scan; MINPACK hybrid Powell from each of {len(cells)} cells "
              "where both residuals change sign (residual <= 1e-12)")
    if not found:
        return "none", [], None, None, None, method
    pts = _nearest_first(family, found)
    sols = [_make_solution(family, p, tg, L, counter) for p in pts]
    rng = {nm: [float(min(p[m] for p in pts)), float(max(p[m] for p in pts))]
           for m, nm in enumerate(family.free)}
    return ("unique" if len(sols) == 1 else "many"), sols, rng, None, None, method


# ----------------------------------------------------------------------------
# the batchnorm network's own NLC (the control the `nlc` target's simulation check needs)

#: log-t nodes of the whitening integral: the trapezoid rule in s = log t, spectrally
#: accurate for this smooth integrand; it decays like e^s below (e^−32 ≈ 1e-14) and at
#: least like e^(−3s/2) above (rank ≥ 3); step 0.2 agrees with step 0.025 to 1 ulp.
_WHITEN_S = np.linspace(-32.0, 24.0, 281)


def batchnorm_whitening_step(m: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """One wide batchnorm layer's map of the input-space kernel of a linear network.

    A linear batchnorm network's layer-l features are ``h = Bᵀx``; in the infinite-width
    limit their kernel ``M = E[B Bᵀ]`` in the eigenbasis of the batch covariance ``S``
    (eigenvalues ``lam``) stays diagonal (``m``), and one more random layer plus batchnorm
    (each feature divided by its batch standard deviation ``√(hᵀ S h)``, h ~ N(0, M)) gives
    ``m_i' = E[h_i²/Σ_k λ_k h_k²] = ∫_0^∞ m_i/(1 + 2tλ_i m_i) ∏_k (1 + 2tλ_k m_k)^(−1/2) dt``
    (the Laplace identity 1/q = ∫ e^(−tq) dt; the batchnorm Gram map of Yang et al. 2019, "A
    mean field theory of batch normalization", for the identity activation).  The result is
    scaled so that ``Σ λ_k m_k' = 1`` (the scale is immaterial after batchnorm).  ``m`` and
    ``lam`` are ``(..., d)`` arrays (any number of batches at once).
    """
    m = np.asarray(m, dtype=float)
    lam = np.asarray(lam, dtype=float)
    a = lam * m
    scale = a.sum(axis=-1, keepdims=True)
    a, m = a / scale, m / scale
    t = np.exp(_WHITEN_S).reshape((-1,) + (1,) * a.ndim)
    logprod = -0.5 * np.log1p(2.0 * t * a).sum(axis=-1, keepdims=True)
    integrand = t * m / (1.0 + 2.0 * t * a) * np.exp(logprod)
    h = _WHITEN_S[1] - _WHITEN_S[0]  # the trapezoid rule on the uniform grid
    out = h * (integrand.sum(axis=0) - 0.5 * (integrand[0] + integrand[-1]))
    return np.asarray(out / (lam * out).sum(axis=-1, keepdims=True))


@dataclass
class BatchnormWhitening:
    """The wide-limit NLC of the identity-activation batchnorm network (statistics fixed).

    ``nlc`` = √E_X[tr M / tr(S M)] over ``n_batches`` sampled N(0, I_d) batches (each exact),
    ``stderr`` its Monte Carlo standard error (delta method), ``full`` the depth → ∞ value
    √E_X[mean_i 1/λ_i] of complete whitening (m_i ∝ 1/λ_i; over the non-zero λ, the limit
    when d_in < batch_size; ≈ 1/√(1 − d_in/batch_size) by Marchenko–Pastur), ``per_batch``
    the ratios tr M/tr SM.
    """

    nlc: float
    stderr: float
    full: float
    per_batch: np.ndarray


def batchnorm_whitening_nlc(batch_size: int, d_in: int, depth: int, *, n_batches: int = 64,
                            seed: int = 0) -> BatchnormWhitening:
    """NLC of a depth-``depth`` linear batchnorm network in the infinite-width limit.

    Seed 004 §G's batchnorm form measures the NLC of a batchnorm network on minibatches of
    ``batch_size`` inputs: the output's spread is taken over the same minibatch whose
    statistics set every layer's normalisation.  For the identity activation the network is,
    per minibatch X, the linear map x ↦ Aᵀx with A depending on X only through its covariance
    S; each batchnorm divides a feature by its batch spread, so the deep network *whitens*
    the minibatch (:func:`batchnorm_whitening_step`, contraction d/(d+2) per layer towards
    λ_i m_i = const), and A puts more weight on the small-variance directions of S than a
    data-independent map would:  NLC² = tr(A Aᵀ)·Q_i S x(i)²/tr(Aᵀ S A) = tr M/tr(S M)
    for unit-Gaussian data (Q_i S x(i) = 1), at least d/tr S (Chebyshev's sum inequality:
    m_i falls as λ_i grows), whose mean is ≥ 1 (Jensen).  Depth counts linear layers
    (``depth − 1`` batchnorms feed the last layer), as seed 004 does.  The statistics are
    held fixed: this is the per-minibatch affine map, not the cross-sample derivative of the
    batchnorm form (which differs by the Jacobian's component along the data's own span;
    docs/design.md measures both).
    """
    for name, v in (("batch_size", batch_size), ("d_in", d_in), ("n_batches", n_batches)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name}={v!r} must be a positive integer")
    depth = validate_depth(depth)
    if min(d_in, batch_size - 1) < 3:
        raise ValueError(f"the whitening integral needs min(d_in, batch_size - 1) >= 3, got "
                         f"d_in={d_in}, batch_size={batch_size}")
    rng = np.random.default_rng(seed)
    xb = rng.standard_normal((n_batches, batch_size, d_in))
    xc = xb - xb.mean(axis=1, keepdims=True)
    lam = np.linalg.eigvalsh(np.einsum("nbi,nbj->nij", xc, xc) / batch_size)
    m = np.full_like(lam, 1.0 / d_in)
    for _ in range(depth - 1):  # one batchnorm per hidden layer (a loop over layers)
        m = batchnorm_whitening_step(m, lam)
    ratio = m.sum(axis=-1) / (lam * m).sum(axis=-1)
    mean = float(ratio.mean())
    se = float(ratio.std(ddof=1) / math.sqrt(n_batches)) if n_batches > 1 else 0.0
    pos = np.where(lam > 1e-12 * lam.max(axis=-1, keepdims=True), lam, np.nan)
    full = float(np.sqrt(np.nanmean(1.0 / pos)))
    return BatchnormWhitening(math.sqrt(mean), se / (2.0 * math.sqrt(mean)), full, ratio)
