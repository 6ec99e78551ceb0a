"""A grammar of activation-spec strings larger than the accepted one, for hostile-input tests.

It makes what the spec grammar accepts (numbers, ``x``, ``+ - * / **``, registry names
and elementary functions, keyword parameters) and much that it must refuse: other
operators, attributes, subscripts, lambdas, comprehensions, strings, unknown and
dangerous names (``__import__``, ``eval``, ``open``), huge and odd literals, power
towers, deep nesting, duplicate and unknown keywords, poles and complex values.

The same tables drive the hypothesis strategy (:func:`specs`, for the tests) and the
plain random generator (:func:`random_spec`, for ``benchmarks/hostile_specs.py``).
Specs that would do something observable if they were ever executed write the
:data:`SENTINEL` file; a test checks that it never appears.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from hypothesis import strategies as st

from ringing.activations import ACTIVATIONS, FUNCTIONS

#: A file that only executed user text would create.
SENTINEL = "/tmp/ringing_hostile_sentinel_executed"

PAYLOADS = [
    f"__import__('pathlib').Path('{SENTINEL}').touch()",
    f"open('{SENTINEL}', 'w')",
    f"exec(\"open('{SENTINEL}','w')\")",
    f"eval(\"open('{SENTINEL}','w')\")",
    f"x.__class__.__init__.__globals__['__builtins__']['open']('{SENTINEL}','w')",
    f"[c for c in ().__class__.__base__.__subclasses__()][0]('{SENTINEL}')",
    f"(lambda: open('{SENTINEL}','w'))()",
    f"getattr(__builtins__, 'open')('{SENTINEL}', 'w')",
]

ATOMS = [
    "x", "x", "x", "y", "pi", "e", "E", "I", "oo", "nan", "inf", "None", "True", "...",
    "0", "1", "2", "0.5", "-1", "1e-300", "1e308", "1e309", "1e-400", "5e-324", "0x10", "1_000",
    "1j", "'x'", "b'x'", "9" * 200, "9" * 1200, "0." + "0" * 300 + "1", "2**64", "10**308",
    "__import__", "eval", "open", "os", "sys", "self", "lambda", "x.real", "x[0]",
] + sorted(ACTIVATIONS) + ["leaky_relu", "swish"]

UNARY = ["-{}", "+{}", "~{}", "not {}", "({})", "abs({})", "-(-{})"]

BINARY = ["{} + {}", "{} - {}", "{} * {}", "{} / {}", "{} ** {}", "{} // {}", "{} % {}",
          "{} @ {}", "{} < {}", "{} == {}", "{} and {}", "{} or {}", "{} if {} else x",
          "{} ** 64", "({}) ** ({})", "{} ** -1", "{} ** 0.5", "{} ** sqrt(-1)",
          "{}, {}", "{}; {}", "{} := {}"]

FUNCS = sorted(FUNCTIONS) + sorted(ACTIVATIONS) + [
    "eval", "exec", "open", "getattr", "__import__", "print", "compile", "globals", "vars",
    "os.system", "sympy.sympify", "x.__class__", "lambda x: x", "type", "Heaviside",
    "DiracDelta", "gamma", "zeta", "asin", "acos", "log10",
]

KEYWORDS = ["slope", "alpha", "scale", "k", "coeffs", "x", "beta", "__class__", "**d"]
KW_VALUES = ["0.2", "-1", "0", "1e400", "1e-300", "[1, 2, 3]", "[]", "[1] * 2000", "x",
             "'a'", "None", "(1, 2)", "2**64", "[" + ", ".join(["1"] * 1001) + "]", "201",
             "-3", "1.5", "True", "lambda: 1"]

TEMPLATES = [
    "{f}({a})", "{f}({a}, {b})", "{f}()", "{f}({a}, {kw}={v})", "{f}({kw}={v})",
    "{f}({kw}={v}, {kw}={v})", "{f}({kw}={v}, {kw2}={v2})", "{f}(*{a})", "{f}(**{a})",
    "{f}({v})",
]

WRAPPERS: list[Callable[[str, int], str]] = [
    lambda s, n: "(" * n + s + ")" * n,
    lambda s, n: "exp(" * n + s + ")" * n,
    lambda s, n: "-" * n + s,
    lambda s, n: "+".join([s] * n),
    lambda s, n: "*".join([s] * n),
    lambda s, n: s + "**2" * n,
    lambda s, n: "(" * n + s + "**64)" * n,
    lambda s, n: "relu(" * n + s + ")" * n,
    lambda s, n: "tanh(" * n + s + ")" * n,
]


def _call(pick: Callable[[list[str]], str], a: str, b: str) -> str:
    return pick(TEMPLATES).format(f=pick(FUNCS), a=a, b=b, kw=pick(KEYWORDS),
                                  kw2=pick(KEYWORDS), v=pick(KW_VALUES), v2=pick(KW_VALUES))


def random_spec(rng: random.Random, depth: int = 4) -> str:
    """One spec from the grammar, drawn with ``rng`` (nesting up to ``depth`` levels)."""
    pick: Callable[[list[str]], str] = rng.choice
    r = rng.random()
    if depth <= 0 or r < 0.2:
        return pick(ATOMS)
    if r < 0.3:
        return pick(PAYLOADS)
    if r < 0.45:
        return pick(UNARY).format(random_spec(rng, depth - 1))
    if r < 0.7:
        return pick(BINARY).format(random_spec(rng, depth - 1), random_spec(rng, depth - 1),
                                   random_spec(rng, depth - 1))
    if r < 0.9:
        return _call(pick, random_spec(rng, depth - 1), random_spec(rng, depth - 1))
    n = rng.choice([2, 5, 30, 61, 150, 400, 990])
    return rng.choice(WRAPPERS)(random_spec(rng, 1), n)[:5000]


def specs() -> st.SearchStrategy[str]:
    """The hypothesis strategy of the same grammar (recursive, shrinks towards atoms)."""
    atoms = st.sampled_from(ATOMS) | st.sampled_from(PAYLOADS)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        unary = st.builds(lambda t, a: t.format(a), st.sampled_from(UNARY), inner)
        binary = st.builds(lambda t, a, b: t.format(a, b, "x"), st.sampled_from(BINARY),
                           inner, inner)
        call = st.builds(
            lambda t, f, a, b, k, k2, v, v2: t.format(f=f, a=a, b=b, kw=k, kw2=k2, v=v, v2=v2),
            st.sampled_from(TEMPLATES), st.sampled_from(FUNCS), inner, inner,
            st.sampled_from(KEYWORDS), st.sampled_from(KEYWORDS), st.sampled_from(KW_VALUES),
            st.sampled_from(KW_VALUES))
        wrapped = st.builds(lambda w, s, n: WRAPPERS[w](s, n)[:5000],
                            st.integers(0, len(WRAPPERS) - 1), inner,
                            st.sampled_from([2, 5, 30, 61, 150, 400, 990]))
        return unary | binary | call | wrapped

    return st.recursive(atoms, extend, max_leaves=12)
