"""The activation registry: one sympy definition per activation.

Every activation is a sympy expression in the real symbol :data:`x` (``Piecewise``,
``Abs``, ``Max`` allowed) with its parameters and its kinks (the points where it
is not smooth, used as quadrature breakpoints).  Numeric callables for numpy
(vectorised), mpmath (high precision, scalar) and torch (autograd-friendly) are
*compiled from that expression* by :func:`compile_expr`, and derivatives come
from ``sympy.diff`` of the same expression, so the theory and the simulation use
the same function.

Spec strings (:func:`get_activation`) are parsed with :mod:`ast` into a syntax
tree that is walked against a whitelist; nothing is ever evaluated as Python and
no user text is passed to ``sympify``.

Importing this module never imports torch: the torch callable imports it lazily.
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import scipy.special as sps
import sympy as sp

__all__ = [
    "x",
    "Activation",
    "get_activation",
    "list_activations",
    "ACTIVATIONS",
    "FUNCTIONS",
    "compile_expr",
    "find_kinks",
]

#: The input variable of every activation expression.
x = sp.Symbol("x", real=True)

_MAX_SPEC_LEN = 2000
_MAX_DEPTH = 60  # deepest syntax tree a spec may have (nested calls, long chains of + and *)
_MAX_NODES = 1500  # most syntax-tree nodes a spec may have
_MAX_BITS = 4096  # largest bit size of an exact number (or |log2| of a constant) a spec may make
_MAX_DEGREE = 1024  # largest polynomial degree in x a spec may make
_MAX_ROOT_BITS = 1100  # largest constant (bits) with a non-integer power; 1e-300 has 1000
_MAX_PIECEWISE_NESTING = 2  # piecewise functions (relu, abs, htanh, max, ...) nested in each other
_FLOAT_MAX = 1.7976931348623157e308


def _num(value: Any) -> sp.Expr:
    """A parameter value as an exact sympy number (decimal floats become rationals)."""
    if isinstance(value, sp.Basic):
        return value  # symbolic parameters, e.g. for closed-form derivations
    if isinstance(value, bool):
        raise ValueError(f"parameter value {value!r} is not a number")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"parameter value {value!r} is not finite")
        return sp.Rational(repr(value))
    raise ValueError(f"parameter value {value!r} is not a number")


# ----------------------------------------------------------------------------
# registry


@dataclass(frozen=True)
class _Entry:
    builder: Callable[..., sp.Expr]
    defaults: Mapping[str, Any]
    doc: str


def _selu(scale: sp.Expr, alpha: sp.Expr) -> sp.Expr:
    return sp.Piecewise((scale * alpha * (sp.exp(x) - 1), x < 0), (scale * x, True))


def _polynomial(coeffs: Sequence[Any]) -> sp.Expr:
    if len(coeffs) == 0:
        raise ValueError("polynomial needs at least one coefficient")
    return sp.Add(*[_num(c) * x**j for j, c in enumerate(coeffs)])


def _hermite(k: Any) -> sp.Expr:
    if isinstance(k, sp.Basic):
        if not (k.is_Integer and k >= 0):
            raise ValueError(f"hermite degree k={k} must be a non-negative integer")
        k = int(k)
    if isinstance(k, float) and k.is_integer():
        k = int(k)
    if not isinstance(k, int) or isinstance(k, bool) or k < 0 or k > 200:
        raise ValueError(f"hermite degree k={k!r} must be an integer in 0..200")
    return sp.expand(sp.hermite_prob(k, x) / sp.sqrt(sp.factorial(k)))


ACTIVATIONS: dict[str, _Entry] = {
    "identity": _Entry(lambda: x, {}, "x"),
    "relu": _Entry(lambda: sp.Piecewise((0, x < 0), (x, True)), {}, "max(x, 0)"),
    "lrelu": _Entry(
        lambda slope: sp.Piecewise((slope * x, x < 0), (x, True)),
        {"slope": 0.01},
        "leaky ReLU: x for x >= 0, slope*x below",
    ),
    "abs": _Entry(lambda: sp.Piecewise((-x, x < 0), (x, True)), {}, "|x|"),
    "htanh": _Entry(
        lambda: sp.Piecewise((-1, x < -1), (1, x > 1), (x, True)), {}, "clip(x, -1, 1)"
    ),
    "tanh": _Entry(lambda: sp.tanh(x), {}, "tanh(x)"),
    "erf": _Entry(lambda: sp.erf(x), {}, "erf(x)"),
    "sigmoid": _Entry(lambda: 1 / (1 + sp.exp(-x)), {}, "1/(1+exp(-x))"),
    "softplus": _Entry(lambda: sp.log(1 + sp.exp(x)), {}, "log(1+exp(x))"),
    "gelu": _Entry(lambda: x * (1 + sp.erf(x / sp.sqrt(2))) / 2, {}, "x*Phi(x)"),
    "silu": _Entry(lambda: x / (1 + sp.exp(-x)), {}, "x*sigmoid(x)"),
    "mish": _Entry(lambda: x * sp.tanh(sp.log(1 + sp.exp(x))), {}, "x*tanh(softplus(x))"),
    "elu": _Entry(
        lambda alpha: sp.Piecewise((alpha * (sp.exp(x) - 1), x < 0), (x, True)),
        {"alpha": 1},
        "x for x >= 0, alpha*(exp(x)-1) below",
    ),
    "selu": _Entry(
        _selu,
        {"scale": 1.0507009873554805, "alpha": 1.6732632423543772},
        "SELU with the standard constants (Klambauer et al. 2017)",
    ),
    "selu_seed004": _Entry(
        lambda: sp.Piecewise(
            (sp.Rational("1.75814") * (sp.exp(x) - 1), x < 0), (sp.Rational("1.0507") * x, True)
        ),
        {},
        "SELU with the rounded constants printed in seed 004 (1.0507 x; 1.75814 (exp(x)-1))",
    ),
    "sin": _Entry(lambda: sp.sin(x), {}, "sin(x)"),
    "cos": _Entry(lambda: sp.cos(x), {}, "cos(x)"),
    "gaussian": _Entry(
        lambda: sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi), {}, "exp(-x^2/2)/sqrt(2 pi) (seed 004)"
    ),
    "square": _Entry(lambda: x**2, {}, "x^2"),
    "odd_square": _Entry(lambda: sp.Piecewise((-(x**2), x < 0), (x**2, True)), {}, "x|x|"),
    "even_tanh": _Entry(
        lambda: sp.Piecewise((sp.tanh(-x), x < 0), (sp.tanh(x), True)), {}, "tanh(|x|)"
    ),
    "softsign": _Entry(
        lambda: sp.Piecewise((x / (1 - x), x < 0), (x / (1 + x), True)), {}, "x/(1+|x|)"
    ),
    "polynomial": _Entry(_polynomial, {"coeffs": (0, 1)}, "sum_j coeffs[j] x^j"),
    "hermite": _Entry(
        _hermite, {"k": 1}, "normalised probabilists' Hermite polynomial He_k(x)/sqrt(k!)"
    ),
}

_ALIASES = {"leaky_relu": "lrelu", "hardtanh": "htanh", "swish": "silu",
            "even tanh": "even_tanh", "odd square": "odd_square"}

#: Elementary functions a spec expression may call, with their sympy builders.
FUNCTIONS: dict[str, Callable[..., sp.Expr]] = {
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "tanh": sp.tanh,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "atan": sp.atan,
    "arctan": sp.atan,
    "asinh": sp.asinh,
    "erf": sp.erf,
    "erfc": sp.erfc,
    "abs": sp.Abs,
    "sign": sp.sign,
    "max": sp.Max,
    "min": sp.Min,
}

_CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E}


def list_activations() -> list[str]:
    """The registry's names, sorted."""
    return sorted(ACTIVATIONS)


# ----------------------------------------------------------------------------
# compiling a sympy expression to numpy / torch / mpmath callables


class _Backend:
    name: str

    def __init__(self, name: str) -> None:
        self.name = name
        if name == "numpy":
            self.ns: dict[str, Any] = {
                "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tan": np.tan,
                "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "atan": np.arctan,
                "asinh": np.arcsinh, "erf": sps.erf, "erfc": sps.erfc, "abs": np.abs,
                "sign": np.sign, "sqrt": np.sqrt, "where": np.where,
                "maximum": np.maximum, "minimum": np.minimum,
                "softplus": lambda u: np.logaddexp(0.0, u), "sigmoid": sps.expit,
                "relu": lambda u: np.maximum(u, 0.0),
                "and": np.logical_and, "or": np.logical_or, "not": np.logical_not,
            }
        elif name == "torch":
            import torch

            self.ns = {
                "exp": torch.exp, "log": torch.log, "sin": torch.sin, "cos": torch.cos,
                "tan": torch.tan, "tanh": torch.tanh, "sinh": torch.sinh, "cosh": torch.cosh,
                "atan": torch.atan, "asinh": torch.asinh, "erf": torch.erf,
                "erfc": torch.erfc, "abs": torch.abs, "sign": torch.sign, "sqrt": torch.sqrt,
                "where": torch.where, "maximum": torch.maximum, "minimum": torch.minimum,
                "softplus": torch.nn.functional.softplus, "sigmoid": torch.sigmoid,
                "relu": torch.relu,
                "and": torch.logical_and, "or": torch.logical_or, "not": torch.logical_not,
            }
        else:  # mpmath, scalar
            self.ns = {
                "exp": mpmath.exp, "log": mpmath.log, "sin": mpmath.sin, "cos": mpmath.cos,
                "tan": mpmath.tan, "tanh": mpmath.tanh, "sinh": mpmath.sinh,
                "cosh": mpmath.cosh, "atan": mpmath.atan, "asinh": mpmath.asinh,
                "erf": mpmath.erf, "erfc": mpmath.erfc, "abs": abs,
                "sign": mpmath.sign, "sqrt": mpmath.sqrt,
                "where": lambda c, a, b: a if c else b,
                "maximum": max, "minimum": min,
                "softplus": lambda u: mpmath.log(1 + mpmath.exp(u)),
                "sigmoid": lambda u: 1 / (1 + mpmath.exp(-u)),
                "relu": lambda u: u if u > 0 else mpmath.mpf(0),
                "and": lambda a, b: a and b, "or": lambda a, b: a or b, "not": lambda a: not a,
            }

    def const(self, value: sp.Expr) -> Any:
        if self.name == "mpmath":
            return mpmath.mpf(str(sp.N(value, mpmath.mp.dps + 10)))
        return float(value)


_Fn = Callable[[Any], Any]

_UNARY = {
    sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan",
    sp.tanh: "tanh", sp.sinh: "sinh", sp.cosh: "cosh", sp.atan: "atan", sp.asinh: "asinh",
    sp.erf: "erf", sp.erfc: "erfc", sp.Abs: "abs", sp.sign: "sign",
}


def _compile(e: sp.Basic, b: _Backend) -> _Fn:
    ns = b.ns
    if e == x:
        return lambda v: v
    if e.is_Number or e.is_NumberSymbol or (e.is_number and not e.free_symbols):
        if e.is_real is False:
            raise ValueError(f"constant {e} is not real")
        c = b.const(e)
        return lambda v: c
    if isinstance(e, sp.Add):
        fs = [_compile(a, b) for a in e.args]
        return lambda v: functools.reduce(lambda acc, f: acc + f(v), fs[1:], fs[0](v))
    if isinstance(e, sp.Mul):
        fs = [_compile(a, b) for a in e.args]
        return lambda v: functools.reduce(lambda acc, f: acc * f(v), fs[1:], fs[0](v))
    if isinstance(e, sp.Pow):
        base, ex = e.args
        # stable logistic: 1/(1 + exp(u))
        if ex == -1 and isinstance(base, sp.Add) and len(base.args) == 2 and sp.S.One in base.args:
            other = base.args[0] if base.args[1] == 1 else base.args[1]
            if isinstance(other, sp.exp):
                inner = _compile(-other.args[0], b)
                sig = ns["sigmoid"]
                return lambda v: sig(inner(v))
        fb = _compile(base, b)
        if ex.is_Integer:
            n = int(ex)
            # the common small powers without the general power routine (a reciprocal,
            # e.g. softsign's x/(1 + x), costs one division instead of a pow and a division)
            if n == -1:
                return lambda v: 1.0 / fb(v)
            if n == 2:
                return lambda v: (lambda u: u * u)(fb(v))
            if n >= 0:
                return lambda v: fb(v) ** n
            return lambda v: 1.0 / fb(v) ** (-n)
        if ex == sp.Rational(1, 2):
            sq = ns["sqrt"]
            return lambda v: sq(fb(v))
        if ex == -sp.Rational(1, 2):
            sq = ns["sqrt"]
            return lambda v: 1.0 / sq(fb(v))
        if not ex.free_symbols:
            c = b.const(ex)
            return lambda v: fb(v) ** c
        fe = _compile(ex, b)
        return lambda v: fb(v) ** fe(v)
    if isinstance(e, sp.log):
        arg = e.args[0]
        # stable softplus: log(1 + exp(u))
        if isinstance(arg, sp.Add) and len(arg.args) == 2 and sp.S.One in arg.args:
            other = arg.args[0] if arg.args[1] == 1 else arg.args[1]
            if isinstance(other, sp.exp):
                inner = _compile(other.args[0], b)
                spf = ns["softplus"]
                return lambda v: spf(inner(v))
    for cls, key in _UNARY.items():
        if isinstance(e, cls):
            f = ns[key]
            inner = _compile(e.args[0], b)
            return lambda v: f(inner(v))
    if isinstance(e, sp.Heaviside):
        inner = _compile(e.args[0], b)
        sign = ns["sign"]
        return lambda v: (sign(inner(v)) + 1) / 2
    if isinstance(e, (sp.Max, sp.Min)):
        fs = [_compile(a, b) for a in e.args]
        op = ns["maximum"] if isinstance(e, sp.Max) else ns["minimum"]
        return lambda v: functools.reduce(lambda acc, f: op(acc, f(v)), fs[1:], fs[0](v))
    if isinstance(e, sp.Piecewise):
        # max(u, 0) written as Piecewise((0, u < 0), (u, True)): the backend's relu kernel
        if (len(e.args) == 2 and e.args[0][0] == 0 and e.args[1][1] == True  # noqa: E712
                and isinstance(e.args[0][1], sp.StrictLessThan) and e.args[0][1].rhs == 0
                and e.args[0][1].lhs == e.args[1][0]):
            inner = _compile(e.args[1][0], b)
            relu = ns["relu"]
            return lambda v: relu(inner(v))
        pieces = [(_compile(val, b), _compile_cond(cond, b)) for val, cond in e.args]
        where = ns["where"]
        if b.name == "mpmath":
            def pw_scalar(v: Any) -> Any:
                for fv, fc in pieces:
                    if fc(v):
                        return fv(v)
                return mpmath.nan
            return pw_scalar

        last_is_const = not e.args[-1][0].has(x)

        def pw(v: Any) -> Any:
            last, _ = pieces[-1]
            out = last(v) + 0.0 * v if last_is_const else last(v)
            for val_fn, cond_fn in reversed(pieces[:-1]):
                out = where(cond_fn(v), val_fn(v), out)
            return out

        return pw
    raise ValueError(f"cannot compile sympy node {type(e).__name__}: {e}")


def _compile_cond(c: sp.Basic, b: _Backend) -> _Fn:
    ns = b.ns
    if c is sp.true or c == True:  # noqa: E712
        return lambda v: True if b.name == "mpmath" else (v == v) | True
    if isinstance(c, sp.And):
        fs = [_compile_cond(a, b) for a in c.args]
        return lambda v: functools.reduce(lambda acc, f: ns["and"](acc, f(v)), fs[1:], fs[0](v))
    if isinstance(c, sp.Or):
        fs = [_compile_cond(a, b) for a in c.args]
        return lambda v: functools.reduce(lambda acc, f: ns["or"](acc, f(v)), fs[1:], fs[0](v))
    if isinstance(c, sp.Not):
        f = _compile_cond(c.args[0], b)
        return lambda v: ns["not"](f(v))
    if isinstance(c, sp.core.relational.Relational):
        lhs, rhs = _compile(c.lhs, b), _compile(c.rhs, b)
        op = c.rel_op
        ops: dict[str, Callable[[Any, Any], Any]] = {
            "<": lambda p, q: p < q, "<=": lambda p, q: p <= q,
            ">": lambda p, q: p > q, ">=": lambda p, q: p >= q,
            "==": lambda p, q: p == q, "!=": lambda p, q: p != q,
        }
        fop = ops[op]
        return lambda v: fop(lhs(v), rhs(v))
    raise ValueError(f"cannot compile condition {c}")


def compile_expr(expr: sp.Expr, backend: str) -> _Fn:
    """Compile a sympy expression in :data:`x` to a callable.

    Parameters
    ----------
    expr
        Expression in the real symbol :data:`x` with numeric parameters.
    backend
        ``"numpy"`` (vectorised over arrays), ``"torch"`` (tensors, autograd) or
        ``"mpmath"`` (scalar, working precision ``mpmath.mp.dps``).

    Notes
    -----
    ``log(1 + exp(u))``, ``1/(1 + exp(u))`` and ``Piecewise((0, u < 0), (u, True))``
    are compiled to the backends' overflow-free softplus, logistic and relu
    kernels; this is a change of how the same expression is evaluated, not a
    second definition.
    """
    if backend not in ("numpy", "torch", "mpmath"):
        raise ValueError(f"unknown backend {backend!r}; known: numpy, torch, mpmath")
    b = _Backend(backend)
    fn = _compile(expr, b)
    if backend == "mpmath" or sp.sympify(expr).has(x):
        return fn
    # a constant activation still maps an array (tensor) to one of the same shape
    c = b.const(expr)
    if backend == "torch":
        import torch

        return lambda v: torch.full_like(v, c) if isinstance(v, torch.Tensor) else c
    return lambda v: np.full(np.shape(v), c)


# ----------------------------------------------------------------------------
# kinks


def _boundaries(e: sp.Basic) -> list[sp.Expr]:
    out: list[sp.Expr] = []
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                for rel in sp.preorder_traversal(cond):
                    if isinstance(rel, sp.core.relational.Relational):
                        out.append(rel.lhs - rel.rhs)
        elif isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
            out.append(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min)):
            a = node.args
            out.extend(a[i] - a[j] for i in range(len(a)) for j in range(i + 1, len(a)))
    return [b for b in out if b.has(x)]


def _real_zeros(u: sp.Expr, grid: np.ndarray, *, isolated: bool = False) -> list[float]:
    """Real zeros of ``u`` (an expression in :data:`x`).

    A polynomial's real roots are found exactly (all of them when ``grid`` is
    None-like wide, else those inside the grid's span); otherwise sign changes of
    ``u`` on ``grid`` are refined with Brent's method and kept only where ``|u|``
    is small there (a sign change through a pole is not a zero), and grid points
    where ``u`` is exactly zero are added (with ``isolated``, only where both
    neighbours are non-zero, so a function that merely rounds to zero in a tail,
    like ``1 - tanh(x)``, has none).
    """
    from scipy.optimize import brentq

    lo, hi = float(grid[0]), float(grid[-1])
    if u.is_polynomial(x):
        poly = sp.Poly(u, x)
        if poly.degree() < 1:
            return []
        if poly.degree() <= 64:
            try:
                return [float(r) for r in poly.nroots(n=30)
                        if r.is_real and lo <= float(r) <= hi]
            except mpmath.libmp.NoConvergence:
                pass  # the scan below
    f = compile_expr(u, "numpy")
    with np.errstate(all="ignore"):
        vals = np.asarray(f(grid), dtype=float) * np.ones_like(grid)
    s = np.sign(vals)
    zero = s == 0
    if isolated:
        zero[1:-1] &= (s[:-2] != 0) & (s[2:] != 0)
        zero[[0, -1]] = False
    pts = [float(g) for g in grid[zero]]
    scale = float(np.nanmax(np.abs(vals[np.isfinite(vals)]), initial=1.0))
    for i in np.nonzero(s[:-1] * s[1:] < 0)[0]:
        with np.errstate(all="ignore"):
            try:
                r = float(brentq(lambda t, fn=f: float(fn(t)), grid[i], grid[i + 1],
                                 xtol=1e-15))
            except RuntimeError:  # no convergence: the bracket's midpoint
                r = float(0.5 * (grid[i] + grid[i + 1]))
            ur = abs(float(f(r)))
        if not isolated or ur <= 1e-9 * max(scale, 1.0):
            pts.append(r)
    return pts


def find_kinks(expr: sp.Expr, search: float = 60.0) -> tuple[float, ...]:
    """Points where ``expr`` may fail to be smooth (sorted, in ``[-search, search]``).

    Boundaries of ``Piecewise`` conditions and the zeros of the arguments of
    ``Abs``, ``sign``, ``Heaviside``, ``Max``/``Min`` differences.  Polynomial
    boundaries are solved exactly; others by a sign-change scan refined with
    Brent's method.
    """
    pts: set[float] = set()
    grid = np.linspace(-search, search, 24001)
    for bexpr in _boundaries(expr):
        if bexpr.free_symbols - {x}:
            continue  # a boundary that moves with a symbolic parameter cannot be located
        pts.update(_real_zeros(bexpr, grid))
    return tuple(sorted(pts))


# ----------------------------------------------------------------------------
# singularities: poles and points where the expression is not real


def _scan_grid() -> np.ndarray:
    """Where singularities are looked for: fine near 0, log-spaced out to 1e8."""
    far = np.logspace(math.log10(60.0), 8.0, 2001)[1:]
    return np.concatenate([-far[::-1], np.linspace(-60.0, 60.0, 24001), far])


def _guards(e: sp.Basic, active: tuple[Any, ...]) -> list[tuple[sp.Basic, tuple[Any, ...]]]:
    """Every sub-expression of ``e`` with the ``Piecewise`` conditions under which it is used."""
    out: list[tuple[sp.Basic, tuple[Any, ...]]] = [(e, active)]
    if isinstance(e, sp.Piecewise):
        earlier: list[Any] = []
        for val, cond in e.args:
            here = active + tuple(sp.Not(c) for c in earlier) + ((cond,) if cond != True  # noqa: E712
                                                                 else ())
            out.extend(_guards(val, here))
            earlier.append(cond)
        return out
    for a in e.args:
        out.extend(_guards(a, active))
    return out


def _holds(conds: tuple[Any, ...], pts: np.ndarray) -> np.ndarray:
    ok = np.ones(pts.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for c in conds:
            ok &= np.asarray(_compile_cond(c, _Backend("numpy"))(pts), dtype=bool) \
                * np.ones_like(ok)
    return ok


def singular_point(expr: sp.Expr) -> tuple[float, str] | None:
    """A real point where ``expr`` has a pole or stops being real, or None.

    Found from the expression's structure: zeros of a base raised to a negative
    power, of the argument of ``log`` and of ``cos`` of the argument of ``tan``
    (poles, including log and essential singularities such as ``exp(1/x)``); and
    points where the base of a non-integer power or the argument of ``log`` is
    negative (not real).  Pieces of a ``Piecewise`` count only where they are
    used.  Returns ``(point, reason)``.
    """
    grid = _scan_grid()
    for node, conds in _guards(expr, ()):
        if not node.has(x):
            continue
        zeros_of: sp.Expr | None = None
        negative: sp.Expr | None = None
        if isinstance(node, sp.Pow):
            base, ex = node.args
            if ex.has(x) and base.is_number and base.is_negative:
                return 0.5, f"{node} is not real for non-integer x"
            if ex.has(x) or not ex.is_integer:
                negative = base
            if not ex.has(x) and ex.is_negative:
                zeros_of = base
        elif isinstance(node, sp.log):
            zeros_of = negative = node.args[0]
        elif isinstance(node, sp.tan):
            zeros_of = sp.cos(node.args[0])
        if zeros_of is not None and zeros_of.has(x):
            pts = np.asarray(_real_zeros(zeros_of, grid, isolated=True), dtype=float)
            pts = pts[_holds(conds, pts)] if pts.size else pts
            if pts.size:
                p = float(pts[np.argmin(np.abs(pts))])
                return p, f"{node} is singular there"
        if negative is not None and negative.has(x):
            f = compile_expr(negative, "numpy")
            with np.errstate(all="ignore"):
                v = np.asarray(f(grid), dtype=float) * np.ones_like(grid)
            bad = grid[(v < 0) & _holds(conds, grid)]
            if bad.size:
                p = float(bad[np.argmin(np.abs(bad))])
                return p, f"{node} is not real there"
    return None


def _check_spec_expr(expr: sp.Expr, spec: str) -> None:
    """Refuse what a parsed spec cannot mean as a real activation (one-line ValueError)."""
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ValueError(f"activation spec {spec!r} is not finite")
    if expr.has(sp.I):
        raise ValueError(f"activation spec {spec!r} is complex-valued (contains "
                         f"{sp.I}); an activation must be real")
    stack: list[sp.Basic] = [expr]
    while stack:  # every maximal constant sub-expression must be a finite float64
        e = stack.pop()
        if e.has(x):
            stack.extend(e.args)
            continue
        if not e.is_number:
            continue
        v = complex(sp.N(e, 17))
        if abs(v.imag) > 1e-12 * max(1.0, abs(v.real)):
            raise ValueError(f"activation spec {spec!r}: constant {e} is not real")
        if not math.isfinite(v.real) or abs(v.real) > _FLOAT_MAX:
            raise ValueError(f"activation spec {spec!r}: constant {sp.N(e, 5)} is outside the "
                             "float64 range")
    for what, e in (("", expr), ("the derivative of ", _diff_ae(expr))):
        hit = singular_point(e)
        if hit is not None:
            point, why = hit
            kind = "is not real" if "not real" in why else "has a singularity"
            raise ValueError(f"activation spec {spec!r}: {what}it {kind} at x = {point:.6g} "
                             f"({why}), so its Gaussian integrals are not defined")


def _diff_ae(expr: sp.Expr, order: int = 1) -> sp.Expr:
    """The ``order``-th derivative almost everywhere: Dirac deltas at jumps are dropped."""
    d = sp.diff(expr, x, order)
    if d.has(sp.DiracDelta):
        d = d.replace(sp.DiracDelta, lambda *a: sp.S.Zero)
    return d


# ----------------------------------------------------------------------------
# the Activation


@dataclass(frozen=True)
class Activation:
    """An activation function defined once, as a sympy expression.

    Attributes
    ----------
    name
        Canonical spec string (re-parsing it gives the same activation).
    expr
        Sympy expression in :data:`x`, or ``None`` for a plain callable (which has
        no exact path).
    params
        The parameters the expression was built with.
    kinks
        Points where the function is not smooth (quadrature breakpoints).
    """

    name: str
    expr: sp.Expr | None
    params: Mapping[str, Any] = field(default_factory=dict)
    kinks: tuple[float, ...] = ()
    _callable: Callable[[Any], Any] | None = field(default=None, repr=False, compare=False)

    # -- construction -------------------------------------------------------
    @classmethod
    def from_expr(
        cls, expr: sp.Expr, name: str | None = None, params: Mapping[str, Any] | None = None
    ) -> Activation:
        """An activation from a sympy expression in :data:`x`."""
        expr = sp.sympify(expr)  # a sympy object already: no text is parsed here
        return cls(name or str(expr), expr, dict(params or {}), find_kinks(expr))

    @classmethod
    def from_callable(cls, fn: Callable[[Any], Any], name: str = "callable",
                      kinks: Sequence[float] = ()) -> Activation:
        """Wrap a plain numpy/torch callable.  It has no exact path (``expr`` is None)."""
        return cls(name, None, {}, tuple(sorted(float(k) for k in kinks)), fn)

    @property
    def is_exact(self) -> bool:
        """Whether an exact (sympy) path exists."""
        return self.expr is not None

    def _need_expr(self, what: str) -> sp.Expr:
        if self.expr is None:
            raise ValueError(
                f"activation {self.name!r} is a plain callable: it has no exact path ({what})"
            )
        return self.expr

    # -- derived expressions ----------------------------------------------
    def diff_expr(self, order: int = 1) -> sp.Expr:
        """The ``order``-th derivative as a sympy expression (a.e. at the kinks)."""
        return _diff_ae(self._need_expr("derivative"), order)

    def derivative(self, order: int = 1) -> Activation:
        """The derivative as an :class:`Activation` (same kinks)."""
        e = self.diff_expr(order)
        tick = "'" * order if order <= 3 else f"^({order})"
        return Activation(f"{self.name}{tick}", e, dict(self.params), self.kinks)

    def scaled(self, sigma: float) -> Activation:
        """``x -> phi(sigma * x)``: the activation applied to N(0, sigma^2) inputs."""
        if sigma == 1:
            return self
        kinks = tuple(k / float(sigma) for k in self.kinks)
        if self.expr is None:
            fn = self._callable
            assert fn is not None
            return Activation(f"{self.name}({sigma}*x)", None, {}, kinks,
                              lambda v: fn(sigma * v))
        return Activation(f"{self.name}@sigma={sigma}", self.expr.subs(x, _num(sigma) * x),
                          dict(self.params), kinks)

    # -- callables -----------------------------------------------------------
    @functools.cached_property
    def _np(self) -> _Fn:
        if self.expr is None:
            fn = self._callable
            assert fn is not None
            return lambda v: np.asarray(fn(v), dtype=float)
        return compile_expr(self.expr, "numpy")

    @functools.cached_property
    def _np_d(self) -> _Fn:
        if self.expr is None:
            return _finite_difference(self._np)
        return compile_expr(self.diff_expr(1), "numpy")

    def numpy(self, v: Any) -> np.ndarray:
        """Evaluate on a numpy array (float64)."""
        arr = np.asarray(v, dtype=float)
        with np.errstate(all="ignore"):
            out = self._np(arr)
        return np.broadcast_to(np.asarray(out, dtype=float), arr.shape).copy()

    def numpy_derivative(self, v: Any) -> np.ndarray:
        """First derivative on a numpy array (the a.e. derivative at kinks)."""
        arr = np.asarray(v, dtype=float)
        with np.errstate(all="ignore"):
            out = self._np_d(arr)
        return np.broadcast_to(np.asarray(out, dtype=float), arr.shape).copy()

    def mpmath(self, v: Any) -> Any:
        """Evaluate one point in mpmath at the current ``mpmath.mp.dps``."""
        if self.expr is None:
            fn = self._callable
            assert fn is not None
            return mpmath.mpf(float(fn(float(v))))
        return _mp_compiled(self.expr)(mpmath.mpf(v))

    def mpmath_derivative(self, v: Any) -> Any:
        """First derivative at one point in mpmath."""
        return _mp_compiled(self.diff_expr(1))(mpmath.mpf(v))

    @functools.cached_property
    def _torch(self) -> _Fn:
        if self.expr is None:
            fn = self._callable
            assert fn is not None
            return fn
        return compile_expr(self.expr, "torch")

    def torch(self, v: Any) -> Any:
        """Evaluate on a torch tensor (differentiable; dtype and device of ``v``)."""
        return self._torch(v)

    def __call__(self, v: Any) -> Any:
        """Dispatch on the input: torch tensors go to :meth:`torch`, the rest to numpy."""
        if type(v).__module__.startswith("torch"):
            return self.torch(v)
        return self.numpy(v)

    def latex(self) -> str:
        return sp.latex(self._need_expr("latex"))


@functools.lru_cache(maxsize=256)
def _mp_compiled(expr: sp.Expr) -> _Fn:
    return compile_expr(expr, "mpmath")


def _finite_difference(f: _Fn, h: float = 1e-5) -> _Fn:
    return lambda v: (f(v + h) - f(v - h)) / (2 * h)


# ----------------------------------------------------------------------------
# spec parser


def _fmt_params(params: Mapping[str, Any]) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(fmt(u) for u in v) + "]"
        return repr(v)

    return ", ".join(f"{k}={fmt(v)}" for k, v in params.items())


def _known_message() -> str:
    return (
        "known activations: " + ", ".join(list_activations())
        + "; functions: " + ", ".join(sorted(FUNCTIONS))
    )


def _build_named(name: str, kwargs: Mapping[str, Any]) -> tuple[sp.Expr, dict[str, Any]]:
    entry = ACTIVATIONS[name]
    unknown = set(kwargs) - set(entry.defaults)
    if unknown:
        known = ", ".join(entry.defaults) or "none"
        raise ValueError(
            f"{name} has no parameter {', '.join(sorted(unknown))}; its parameters: {known}"
        )
    params = {**entry.defaults, **kwargs}
    built = {k: (v if k in ("coeffs", "k") else _num(v)) for k, v in params.items()}
    return sp.sympify(entry.builder(**built)), dict(params)


def _tree_shape(tree: ast.AST) -> tuple[int, int]:
    """``(depth, node count)`` of a syntax tree, walked without recursion."""
    depth, count = 0, 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, d = stack.pop()
        count += 1
        depth = max(depth, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return depth, count


@dataclass(frozen=True)
class _Size:
    """A bound on what sympy would build for one syntax-tree node (see :class:`_Budget`).

    ``bits`` bounds the bit size of any exact number in it (numerator plus
    denominator), ``mag`` bounds ``|log2 |v||`` of its value when it is a constant
    (``has_x`` false), ``degree`` bounds its polynomial degree in ``x`` and
    ``value`` is a literal's value (used to bound an exponent).
    """

    bits: float
    mag: float
    degree: float
    has_x: bool
    value: float | None = None
    nesting: int = 0


@functools.cache
def _registry_shape(name: str) -> tuple[float, bool]:
    """``(degree, piecewise)`` of a registry activation with its default parameters: its
    polynomial degree (1 when it is not a polynomial) and whether it is piecewise."""
    expr, _ = _build_named(name, {})
    degree = float(sp.Poly(expr, x).degree()) if expr.is_polynomial(x) else 1.0
    return max(degree, 1.0), bool(expr.has(sp.Piecewise))


def _literal_bits(v: int | float) -> float:
    if isinstance(v, int):
        return float(abs(v).bit_length() + 1)
    r = sp.Rational(repr(v)) if math.isfinite(v) else sp.Integer(0)
    return float(int(r.p).bit_length() + int(r.q).bit_length())


def _times(k: float, v: float) -> float:
    return 0.0 if v == 0 else k * v


def _float_op(op: ast.operator, a: float | None, b: float | None) -> float | None:
    """``a op b`` in floats (an exponent's size), ``inf`` on overflow, None when unknown."""
    if a is None or b is None:
        return None
    try:
        if isinstance(op, ast.Add):
            return a + b
        if isinstance(op, ast.Sub):
            return a - b
        if isinstance(op, ast.Mult):
            return a * b
        if isinstance(op, ast.Div):
            return a / b
        if isinstance(op, ast.Pow):
            if abs(a) > 1 and abs(b) > 1e4 or not math.isfinite(a * b):
                return math.inf
            r = a ** b
            return float(r) if isinstance(r, (int, float)) else None
    except (OverflowError, ZeroDivisionError):
        return math.inf
    return None


class _Budget:
    """Bounds the size of what a spec would build, on the syntax tree, before sympy runs.

    The bounds are the usual ones for exact arithmetic: the bit size of a sum or
    product is at most the sum of the operands' (plus one), of ``a**k`` at most
    ``|k|`` times ``a``'s; ``exp`` of a constant ``c`` has ``|log2|` up to
    ``1.45 * 2**|log2 c|``.  A spec is refused when a bound passes
    ``_MAX_BITS`` or ``_MAX_DEGREE``, so ``((2**64)**64)**64`` (786 433 bits) is
    refused in microseconds instead of being computed.  Piecewise functions applied
    to piecewise arguments more than ``_MAX_PIECEWISE_NESTING`` deep are refused too:
    sympy canonicalises the nested conditions at a cost that grows exponentially
    (``abs(htanh(abs(gelu)))`` takes seconds, one more level minutes).
    """

    _EXPLODING = frozenset({"exp", "sinh", "cosh"})

    def __init__(self, parser: _SpecParser) -> None:
        self.p = parser

    def check(self, s: _Size, node: ast.AST) -> _Size:
        if s.nesting > _MAX_PIECEWISE_NESTING:
            raise self.p.fail(node, f"piecewise functions (relu, abs, htanh, max, ...) nested "
                              f"more than {_MAX_PIECEWISE_NESTING} deep")
        if s.bits > _MAX_BITS or (not s.has_x and s.mag > _MAX_BITS):
            raise self.p.fail(node, f"number too large (more than {_MAX_BITS} bits, about "
                              f"{int(_MAX_BITS * math.log10(2))} digits)")
        if s.degree > _MAX_DEGREE:
            raise self.p.fail(node, f"polynomial degree larger than {_MAX_DEGREE}")
        return s

    def size(self, node: ast.AST) -> _Size:
        return self.check(self._size(node), node)

    def _size(self, node: ast.AST) -> _Size:
        if isinstance(node, ast.Expression):
            return self.size(node.body)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise self.p.fail(node, "only numbers are allowed as constants")
            nbits = _literal_bits(v)
            return _Size(nbits, nbits, 0, False, float(v) if abs(v) < 1e300 else math.inf)
        if isinstance(node, ast.Name):
            if node.id == "x":
                return _Size(0, 0, 1, True)
            canon = _ALIASES.get(node.id, node.id)
            if canon in ACTIVATIONS:
                degree, pw = _registry_shape(canon)
                return _Size(64, 2, degree, True, nesting=int(pw))
            return _Size(64, 2, 1, False)
        if isinstance(node, ast.UnaryOp):
            a = self.size(node.operand)
            val = None if a.value is None else -a.value
            return _Size(a.bits, a.mag, a.degree, a.has_x, val, a.nesting)
        if isinstance(node, ast.BinOp):
            a, b = self.size(node.left), self.size(node.right)
            hx = a.has_x or b.has_x
            val = _float_op(node.op, a.value, b.value)
            nest = max(a.nesting, b.nesting)
            if isinstance(node.op, (ast.Add, ast.Sub)):
                return _Size(a.bits + b.bits + 1, a.mag + b.mag + 1, max(a.degree, b.degree), hx,
                             val, nest)
            if isinstance(node.op, ast.Pow):
                if b.has_x:
                    return _Size(a.bits + b.bits, math.inf, a.degree + b.degree + 1, True,
                                 nesting=nest)
                integral = b.value is not None and math.isfinite(b.value) \
                    and float(b.value).is_integer()
                if not integral and not a.has_x and a.bits > _MAX_ROOT_BITS:
                    # sympy looks for perfect powers in the base: cubic in its size
                    raise self.p.fail(node, f"a non-integer power of a number larger than "
                                      f"{_MAX_ROOT_BITS} bits")
                k = abs(b.value) if b.value is not None else 2.0 ** min(b.mag, 64.0)
                k = max(k, 1.0)
                return _Size(_times(k, a.bits) + b.bits, _times(k, a.mag) + b.mag,
                             _times(k, a.degree), a.has_x, val, nest)
            return _Size(a.bits + b.bits, a.mag + b.mag, a.degree + b.degree, hx, val, nest)
        if isinstance(node, ast.Call):
            fname = node.func.id if isinstance(node.func, ast.Name) else ""
            args = [self.size(a) for a in node.args]
            kw_bits = 0.0
            degree = 4.0
            for kw in node.keywords:  # parameters may multiply; a list's entries do not
                kw_bits += max([0.0] + [_literal_bits(sub.value) for sub in ast.walk(kw.value)
                                        if isinstance(sub, ast.Constant)
                                        and isinstance(sub.value, (int, float))])
                if isinstance(kw.value, (ast.List, ast.Tuple)):
                    degree = max(degree, float(len(kw.value.elts)))
                elif isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, int):
                    degree = max(degree, float(abs(kw.value.value)))
            canon = _ALIASES.get(fname, fname)
            piecewise = fname in ("max", "min", "sign")
            if canon in ACTIVATIONS:
                reg_degree, piecewise = _registry_shape(canon)
                degree = max(degree, reg_degree) if node.keywords else reg_degree
            elif fname in FUNCTIONS:
                degree = 1.0
            bits = sum(a.bits for a in args) + kw_bits + 64
            deg = degree * max([1.0] + [a.degree for a in args])
            nest = max([0] + [a.nesting for a in args]) + int(piecewise)
            hx = any(a.has_x for a in args) or (canon in ACTIVATIONS and not args)
            mag_in = max([0.0] + [a.mag for a in args])
            explodes = fname in self._EXPLODING or canon in ACTIVATIONS
            if explodes:
                mag = math.inf if mag_in > 1000 else 1.45 * 2.0 ** mag_in + mag_in
            else:
                mag = mag_in + 1
            return _Size(bits, mag, deg, hx, nesting=nest)
        return _Size(0, 0, 0, True)  # anything else is refused by the parser itself


class _SpecParser:
    def __init__(self, text: str) -> None:
        self.text = text

    def seg(self, node: ast.AST) -> str:
        s = ast.get_source_segment(self.text, node)
        return s if s is not None else type(node).__name__

    def fail(self, node: ast.AST, why: str) -> ValueError:
        return ValueError(f"{why}: {self.seg(node)!r} in spec {self.text!r}")

    def const_value(self, node: ast.AST) -> Any:
        """A keyword argument's value: a number, a signed number or a list of them."""
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not \
                isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.const_value(node.operand)
            if isinstance(v, (int, float)):
                return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, (ast.List, ast.Tuple)):
            if len(node.elts) > 1000:
                raise self.fail(node, "too many coefficients")
            return [self.const_value(e) for e in node.elts]
        raise self.fail(node, "a parameter value must be a number or a list of numbers")

    def keywords(self, node: ast.Call) -> dict[str, Any]:
        """A registry call's keyword parameters (each named once)."""
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise self.fail(kw, "** arguments are not allowed")
            if kw.arg in kwargs:
                raise self.fail(node, f"parameter {kw.arg!r} given twice")
            kwargs[kw.arg] = self.const_value(kw.value)
        return kwargs

    def expr(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Expression):
            return self.expr(node.body)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise self.fail(node, "only numbers are allowed as constants")
            return _num(v)
        if isinstance(node, ast.Name):
            n = node.id
            if n == "x":
                return x
            if n in _CONSTANTS:
                return _CONSTANTS[n]
            canon = _ALIASES.get(n, n)
            if canon in ACTIVATIONS:
                return _build_named(canon, {})[0]
            raise ValueError(f"unknown name {n!r} in spec {self.text!r}; {_known_message()}")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.expr(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            ops: dict[type, Callable[[sp.Expr, sp.Expr], sp.Expr]] = {
                ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
                ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
            }
            left, right = self.expr(node.left), self.expr(node.right)
            if type(node.op) in ops:
                return ops[type(node.op)](left, right)
            if isinstance(node.op, ast.Pow):
                return sp.Pow(left, right)
            raise self.fail(node, "operator not allowed (use + - * / **)")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise self.fail(node.func, "only registry names and elementary functions "
                                "may be called")
            fname = node.func.id
            canon = _ALIASES.get(fname, fname)
            if canon in ACTIVATIONS:
                kwargs = self.keywords(node)
                if len(node.args) > 1:
                    raise self.fail(node, f"{fname} takes at most one positional argument "
                                    "(its input)")
                body, _ = _build_named(canon, kwargs)
                if node.args:
                    arg = self.expr(node.args[0])
                    if not arg.has(x):
                        names = list(ACTIVATIONS[canon].defaults)
                        hint = (f"to set its parameter write {fname}({names[0]}="
                                f"{self.seg(node.args[0])})" if names
                                else "its argument must depend on x")
                        raise self.fail(node, f"{fname} is applied to a constant, which makes "
                                        f"a constant activation; {hint}")
                    return body.subs(x, arg)
                return body
            if fname in FUNCTIONS:
                if node.keywords:
                    raise self.fail(node, f"{fname} takes no keyword arguments")
                args = [self.expr(a) for a in node.args]
                fn = FUNCTIONS[fname]
                nargs = 2 if fname in ("max", "min") else 1
                if len(args) != nargs and not (fname in ("max", "min") and len(args) >= 2):
                    raise self.fail(node, f"{fname} takes {nargs} argument(s)")
                return fn(*args)
            raise ValueError(f"unknown function {fname!r} in spec {self.text!r}; "
                             f"{_known_message()}")
        raise self.fail(node, f"{type(node).__name__} is not allowed in an activation spec")


def parse_spec(spec: str) -> tuple[sp.Expr, str, dict[str, Any]]:
    """Parse a spec string into ``(expr, canonical_name, params)`` without evaluating it."""
    if not isinstance(spec, str):
        raise ValueError(f"activation spec must be a string, got {type(spec).__name__}")
    text = spec.strip()
    if not text:
        raise ValueError("empty activation spec")
    if len(text) > _MAX_SPEC_LEN:
        raise ValueError(f"activation spec longer than {_MAX_SPEC_LEN} characters")
    canon = _ALIASES.get(text, text)
    if canon in ACTIVATIONS:
        expr, params = _build_named(canon, {})
        return expr, canon, params
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise ValueError(f"activation spec {spec!r} is not a valid expression: {err.msg}") \
            from None
    except (RecursionError, MemoryError):
        raise ValueError(f"activation spec {spec!r} is nested too deeply") from None
    depth, count = _tree_shape(tree)
    if depth > _MAX_DEPTH:
        raise ValueError(f"activation spec nested deeper than {_MAX_DEPTH} levels (long chains "
                         f"of + - * / count as nesting): {spec[:60]!r}...")
    if count > _MAX_NODES:
        raise ValueError(f"activation spec has more than {_MAX_NODES} parts: {spec[:60]!r}...")
    p = _SpecParser(text)
    _Budget(p).size(tree)  # sizes bounded before sympy builds or evaluates anything
    body = tree.body
    # name(param=...) at top level: a parameterised registry activation
    if (isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and not body.args
            and _ALIASES.get(body.func.id, body.func.id) in ACTIVATIONS):
        name = _ALIASES.get(body.func.id, body.func.id)
        kwargs = p.keywords(body)
        expr, params = _build_named(name, kwargs)
        return expr, (f"{name}({_fmt_params(kwargs)})" if kwargs else name), params
    expr = p.expr(tree)
    if expr.free_symbols - {x}:
        raise ValueError(f"spec {spec!r} has free symbols other than x")
    return expr, text, {}


@functools.lru_cache(maxsize=512)
def _cached_activation(spec: str) -> Activation:
    try:
        expr, name, params = parse_spec(spec)
        _check_spec_expr(expr, spec)
        return Activation.from_expr(expr, name=name, params=params)
    except ValueError:
        raise
    except (TypeError, ArithmeticError, AttributeError, RecursionError, IndexError) as err:
        # sympy could not build or inspect what the grammar allowed: still bad input
        msg = str(err).splitlines()[0] if str(err) else ""
        raise ValueError(f"activation spec {spec[:80]!r} cannot be used: "
                         f"{type(err).__name__}: {msg[:200]}") from None


def get_activation(spec: str | Activation | Callable[[Any], Any], **params: Any) -> Activation:
    """Resolve a registry name, a parameterised name, an expression spec or a callable.

    Parameters
    ----------
    spec
        ``"relu"``, ``"lrelu(slope=0.2)"``, ``"1.2*relu(0.8*x + 0.2) - 0.3"``, an
        :class:`Activation`, or a plain callable (wrapped, no exact path).
    **params
        Parameters for a registry name (may be sympy symbols, for symbolic
        derivations: ``get_activation("lrelu", slope=sympy.Symbol("a"))``).

    Raises
    ------
    ValueError
        For unknown names (the message lists the known ones) and anything outside
        the spec grammar (the message names the offending part).
    """
    if isinstance(spec, Activation):
        if params:
            raise ValueError("parameters cannot be applied to an Activation object")
        return spec
    if callable(spec) and not isinstance(spec, str):
        return Activation.from_callable(spec, getattr(spec, "__name__", "callable"))
    if params:
        canon = _ALIASES.get(spec.strip(), spec.strip())
        if canon not in ACTIVATIONS:
            raise ValueError(f"unknown activation {spec!r}; {_known_message()}")
        expr, full = _build_named(canon, params)
        numeric = {k: v for k, v in params.items() if not isinstance(v, sp.Basic)}
        name = f"{canon}({_fmt_params(params)})"
        if len(numeric) == len(params):
            return Activation.from_expr(expr, name=name, params=full)
        return Activation(name, expr, full, find_kinks(expr))
    return _cached_activation(spec)
