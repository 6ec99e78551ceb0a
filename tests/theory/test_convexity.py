"""Excess convexity (seed 002 App. A.3), cropping, Theorems 1 and 2, eq 4.1-4.3."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import cache

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ringing.activations import list_activations
from ringing.reference import load_reference
from ringing.theory.convexity import (
    bound_profile,
    composition_upper_curve,
    critical_ratio_symbolic,
    crop,
    crop_covariance,
    cropped_composition,
    cropped_excess_lower_bound,
    cropped_maps,
    eq_4_1,
    eq_4_2,
    eq_4_3,
    excess_convexity,
    property1_upper_curve,
    rho_max_profile,
    theorem2_study,
)
from ringing.theory.hermite import gaussian_summary
from ringing.theory.kernels import (
    CorrelationLayer,
    Layer,
    ResidualLayer,
    compose,
    composed_derivative_at_one,
    covariance,
    critical_layer,
    critical_ratio,
)

GRID = np.linspace(0.0, 1.0, 201)
REL = 1e-9


# ------------------------------------------------------------ the definition


def test_excess_convexity_of_square() -> None:
    # g(t) = t^2: (1 - t)^2 = t -> t = (3 - sqrt 5)/2, e = (sqrt 5 - 1)/2
    want = (math.sqrt(5) - 1) / 2
    assert abs(excess_convexity(lambda t: t**2) - want) < 1e-14
    s = sp.Symbol("s")
    assert sp.simplify(excess_convexity(s**2, exact=True) - (sp.sqrt(5) - 1) / 2) == 0
    assert abs(excess_convexity(s**2) - want) < 1e-14
    assert excess_convexity(lambda t: t) == 0.0


def test_excess_convexity_is_importable_from_theory() -> None:
    import ringing.theory as th

    fn = getattr(th, "excess_convexity", None)
    if fn is None:
        pytest.skip("ringing.theory.__init__ does not re-export excess_convexity yet (lead)")
    assert fn is excess_convexity


# ------------------------------------------------- Properties 1-8 (App. A.3)

coeffs = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8)


def _series(c: list[float],
            normalise: bool = True) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    c_arr = np.asarray([0.0, *c]) if normalise else np.asarray(c)
    if normalise:
        c_arr = c_arr / c_arr.sum()

    def g(t: np.ndarray) -> np.ndarray:
        return np.polynomial.polynomial.polyval(np.asarray(t, dtype=float), c_arr)

    return c_arr, g


@given(c=coeffs)
def test_properties_1_to_4_on_power_series(c: list[float]) -> None:
    assume(sum(c) > 1e-3)
    c_arr, g = _series(c)
    e = excess_convexity(g)
    assert e >= 0.0  # Property 2
    v = g(GRID)
    assert np.all(v <= property1_upper_curve(GRID, e) + 1e-12)  # Property 1 with C = e(g)
    assert np.max(np.abs(v - GRID)) <= e / (1 + e) + 1e-12  # Property 3 (coerciveness)
    slope = float(np.sum(np.arange(c_arr.size) * c_arr))  # g'(1)
    assert slope >= (1 + e) * (1 - REL)  # Property 4


@given(c1=coeffs, c2=coeffs)
def test_property_5_superadditivity(c1: list[float], c2: list[float]) -> None:
    assume(sum(c1) > 1e-3 and sum(c2) > 1e-3)
    _, g1 = _series(c1)
    _, g2 = _series(c2)
    e12 = excess_convexity(lambda t: g2(g1(t)))
    assert e12 >= (excess_convexity(g1) + excess_convexity(g2)) * (1 - REL) - 1e-12


@given(c=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=8),
       a=st.floats(0.0, 0.95), w=st.floats(0.02, 1.0))
def test_property_6_cropping_a_power_series(c: list[float], a: float, w: float) -> None:
    b = min(a + w, 1.0)
    c_arr, g = _series(c, normalise=False)
    assume(float(g(np.array([b]))[0] - g(np.array([a]))[0]) > 1e-6)
    e = excess_convexity(crop(g, a, b))
    lhs = e * (2 + e) / (1 + e)
    gb, ga = (float(v) for v in g(np.array([b, a])))
    k = np.arange(c_arr.size)
    rhs = (b - a) ** 2 / (gb - ga) * float(np.sum(c_arr[2:] * b ** (k[2:] - 2)))
    assert lhs >= rhs * (1 - 1e-7) - 1e-10


@given(c=coeffs, p=st.floats(0.0, 1.0))
def test_property_8_combining_with_identity(c: list[float], p: float) -> None:
    assume(sum(c) > 1e-3)
    _, g = _series(c)
    q = 1.0 - p
    e = excess_convexity(g)
    mix = excess_convexity(lambda t: p * np.asarray(t) + q * g(t))
    assert mix >= q * e / (1 + p * e) * (1 - REL) - 1e-12


@settings(max_examples=16, deadline=None)
@given(spec=st.sampled_from(["tanh", "erf", "relu", "gelu", "abs", "x + 0.5*x**2", "sin",
                             "lrelu(slope=0.3)"]),
       r=st.sampled_from([0.0, 0.3, 0.7, 0.95]))
def test_property_7_on_package_covariances(spec: str, r: float) -> None:
    g = crop_covariance(spec, r)
    e = excess_convexity(g)
    s = gaussian_summary(spec)
    c_r = float(covariance(spec, r))
    first = (1 - r) ** 2 * s.linearization_error_sq / (2 * (s.norm_sq - c_r))
    second = (1 - r) * s.linearization_error_sq / (2 * s.derivative_norm_sq)
    assert first >= second * (1 - REL)
    assert e >= first * (1 - 1e-7)


NETWORKS: dict[str, list[CorrelationLayer]] = {
    "critical erf": [critical_layer("erf")] * 4,
    "mixed": [critical_layer("erf"), Layer("relu", 1.0, 0.2), Layer("tanh", 1.0, 0.1),
              critical_layer("lrelu(slope=0.3)")],
    "residual": [ResidualLayer("relu", 0.7), ResidualLayer("erf", 1.3),
                 ResidualLayer("abs", 0.5)],
}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_cropped_maps_properties_4_5_and_a6(name: str) -> None:
    layers = NETWORKS[name]
    maps, rt = cropped_maps(layers)
    t = GRID
    # eq A.2: the cropped composition is the composition of the cropped maps
    comp = t
    for m in maps:
        comp = m(comp)
    g = cropped_composition(layers)
    assert np.allclose(g(t), comp, atol=1e-12)
    e_layers = np.array([excess_convexity(m) for m in maps])
    e_comp = excess_convexity(g)
    assert e_comp >= e_layers.sum() * (1 - REL)  # Property 5 / eq A.5
    for i, lay in enumerate(layers):  # eq A.6 and App. A.2 (proof's denominator)
        assert e_layers[i] >= cropped_excess_lower_bound(lay, float(rt[i])) * (1 - REL)
    slope = composed_derivative_at_one(layers) / (1 - rt[-1])  # eq A.3
    assert slope >= (1 + e_comp) * (1 - REL)  # Property 4 / eq A.4


@pytest.mark.parametrize("layers", [[critical_layer("erf")] * 30, [Layer("erf", 1.0, 0.05)] * 12,
                                    [ResidualLayer("relu", 1.0)] * 10,
                                    [Layer("tanh", 1.0, 0.05)] * 3])
def test_upper_curve_bounds_the_composition(layers: list[CorrelationLayer]) -> None:
    t = np.linspace(0.0, 1.0, 101)
    for depth in (1, len(layers) // 2, len(layers)):
        rho = compose(layers[:depth], t)[-1]
        assert np.all(rho <= composition_upper_curve(layers[:depth], t) + 1e-12)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("g,msg", [
    (lambda t: np.sqrt(t), "not convex"),
    (lambda t: t**2 + 0.1, "g\\(0\\)"),
    (lambda t: 2 * t**2, "g\\(1\\)"),
    (lambda t: 2 * t**2 - t, "decreasing"),
    (lambda t: np.where(t < 0.5, np.nan, t), "not finite"),
    (sp.Symbol("u") ** 2 + 1, "g\\(0\\)"),
    (sp.sqrt(sp.Symbol("u")), "not convex"),
    ("t**2", "neither a callable"),
])
def test_excess_convexity_bad_input(g: object, msg: str) -> None:
    with pytest.raises(ValueError, match=msg) as info:
        excess_convexity(g)
    assert "\n" not in str(info.value)


def test_other_bad_inputs() -> None:
    with pytest.raises(ValueError, match="depth=0"):
        bound_profile([])
    with pytest.raises(ValueError, match="0 <= a < b <= 1"):
        crop(lambda t: t, 0.5, 0.2)
    with pytest.raises(ValueError, match="C=-1"):
        property1_upper_curve(GRID, -1.0)
    with pytest.raises(ValueError, match="r=-0.5"):
        crop_covariance("tanh", -0.5)  # C is not convex on [-1, 0]
    with pytest.raises(ValueError, match="rho=2"):
        compose([Layer("erf")], 2.0)


# ------------------------------------------------------ eq 4.1-4.3 (symbolic)

A, L, R = (sp.Symbol("a", positive=True), sp.Symbol("L", positive=True),
           sp.Symbol("rho_fp", positive=True))


def _printed(key: str) -> sp.Expr:
    text = load_reference("gradient_explosion")["closed_forms_as_printed"][key]
    text = re.sub(r"\s{2,}\(.*\)\s*$", "", text)
    rhs = re.split(r"<=|>=", text)[1]
    names = {"a": A, "L": L, "rho_fp": R, "pi": sp.pi, "atan": sp.atan, "sqrt": sp.sqrt}
    return sp.parse_expr(rhs, local_dict=names)


@pytest.mark.parametrize("key,derive", [("eq_4_1", eq_4_1), ("eq_4_2", eq_4_2),
                                        ("eq_4_3", eq_4_3)])
def test_closed_forms_reproduced_symbolically(key: str, derive: object) -> None:
    got = derive()  # type: ignore[operator]
    assert sp.simplify(got - _printed(key)) == 0


def test_erf_critical_ratio_symbolic() -> None:
    got = critical_ratio_symbolic("erf")
    printed = 2 / sp.pi * (2 / sp.sqrt(5) - sp.atan(2 / sp.sqrt(5)))
    assert sp.simplify(got - printed) == 0
    assert sp.simplify(critical_ratio_symbolic("relu")) == 0


# ------------------------------------------- the bounds against exact values


@cache
def _phase_layers(name: str) -> tuple[tuple[str, Layer], ...]:
    ratio = critical_ratio(name)
    out = []
    if ratio is not None:
        out.append(("critical", critical_layer(name)))
    if ratio is not None and ratio > 0:
        out.append(("chaotic", Layer(name, 1.0, 0.0)))  # σ_b = 0 < critical: P'(1) > 1
    if not out:  # no critical or chaotic initialisation exists (P'(1) < 1 always)
        out.append(("ordered", Layer(name, 1.0, 0.0)))
    return tuple(out)


@pytest.mark.parametrize("name", list_activations())
def test_theorem_1_holds_at_depths_1_to_200(name: str) -> None:
    for ph, lay in _phase_layers(name):
        p = bound_profile([lay] * 200)  # vectorised over depth: one ρ̃ pass, cumsum, cumprod
        # the proof's chain (A.3-A.6): J² ≥ (1 − ρ̃_L)(1 + (1 − ρ̃_max) S / 2) ≥ (1 − ρ̃_max)² S / 2,
        # which implies Theorem 1 since 1 − ρ_max ≤ 2(1 − ρ̃_max)
        # 1 − ρ̃ carried as a gap (no float floor: the deep ordered phase is resolved)
        one = p.one_minus_rho_tilde_max
        lower = p.one_minus_rho_tilde * (1.0 + one * p.theorem_sum / 2)
        assert np.all(p.jacobian_sq >= lower * (1 - REL)), (name, ph)
        assert np.all(p.jacobian_sq >= one ** 2 * p.theorem_sum / 2 * (1 - REL))
        assert np.all(p.one_minus_rho_max_bound >= 2 * one * (1 - REL))
        if ph == "critical":
            assert np.allclose(p.jacobian_sq, 1.0, atol=1e-11)


@pytest.mark.parametrize("layers", [[critical_layer("erf")] * 40, [Layer("erf")] * 40,
                                    [critical_layer("lrelu(slope=0.2)")] * 40,
                                    [ResidualLayer("relu", 1.0)] * 40,
                                    [Layer("x + 0.5*x**2", 1.0, 0.3)] * 20])
def test_theorem_with_rho_max_itself(layers: list[CorrelationLayer]) -> None:
    p = bound_profile(layers, denominator="proof")
    rmax = rho_max_profile(layers, points=65)
    assert np.all(rmax >= p.rho_tilde_max * 2 - 1 - 1e-12)  # 1 − ρ_max ≤ 2(1 − ρ̃_max)
    assert np.all(p.jacobian_sq >= (1 - rmax) ** 2 / 8 * p.theorem_sum * (1 - REL))


def test_eq_4_1_is_theorem_1_for_critical_leaky_relu() -> None:
    f = sp.lambdify((A, L), eq_4_1(), "numpy")
    for a in (0.0, 0.2, 0.6):
        p = bound_profile([critical_layer(f"lrelu(slope={a})")] * 50)
        assert np.allclose(p.one_minus_rho_max_bound, f(a, p.depth.astype(float)), rtol=1e-10)


# --------------------------------------------------- Theorem 2's denominators


def test_theorem_2_stated_denominator_breaks_the_proof_step() -> None:
    # ρ̃_1 = 0.99 from a constant-φ block, then a block with φ = h_2 (‖φ'‖² = 2 > ‖φ‖² = 1).
    layers = [ResidualLayer("polynomial(coeffs=(1,))", math.sqrt(99.0)),
              ResidualLayer("hermite(k=2)", 2.0)]
    s = theorem2_study(layers, points=201)
    e, stated, proof = s["layer_excess"][1], s["layer_bound_stated"][1], s["layer_bound_proof"][1]
    assert abs(s["rho_tilde_max"][0] - 0.99) < 1e-12
    assert e < 0.6 * stated  # the per-block inequality with σ²‖φ‖² fails
    assert proof <= e < 1.01 * proof  # with σ²‖φ'‖² it holds and is nearly tight
    assert np.all(s["ratio_stated"][1:] > 1) and np.all(s["ratio_proof"][1:] > 1)
