"""Hermite coefficients, Gaussian norms and the seed 002 App. B closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from sympy.parsing.sympy_parser import parse_expr

from ringing.activations import get_activation, list_activations, x
from ringing.reference import load_reference
from ringing.theory.gaussian import exact_covariance
from ringing.theory.hermite import derivative_norm_sq, gaussian_summary, hermite_coefficients

a = sp.Symbol("a", positive=True)
rho = sp.Symbol("rho", real=True)
PRINTED = load_reference("gradient_explosion")["closed_forms_as_printed"]


def printed(key: str) -> sp.Expr:
    """Parse a printed closed form from the (trusted, packaged) reference file."""
    text = PRINTED[key].split("   (")[0]
    return parse_expr(text, local_dict={"a": a, "rho": rho, "x": x, "pi": sp.pi})


def is_zero(e: sp.Expr) -> bool:
    return sp.simplify(sp.expand(e)) == 0


# ---------------------------------------------------------------- closed forms, App. B


@pytest.fixture(scope="module")
def lrelu_exact() -> dict:
    return gaussian_summary(get_activation("lrelu", slope=a), exact=True).exact


def test_lrelu_linearisation(lrelu_exact: dict) -> None:
    h0, h1 = lrelu_exact["linear"]
    assert is_zero(h0 + h1 * x - printed("LReLU_a_bar"))


def test_lrelu_linearisation_error(lrelu_exact: dict) -> None:
    assert is_zero(lrelu_exact["linearization_error_sq"] - printed("||LReLU_a - LReLU_a_bar||^2"))


def test_lrelu_derivative_norm(lrelu_exact: dict) -> None:
    assert is_zero(lrelu_exact["derivative_norm_sq"] - printed("||LReLU_a'||^2"))


def test_lrelu_kernel_as_printed_is_wrong_and_corrected_form_is_right() -> None:
    ours = exact_covariance(get_activation("lrelu", slope=a).expr, rho)
    corrected = a * rho + (1 - a) ** 2 * (sp.sqrt(1 - rho**2) + rho * (sp.pi - sp.acos(rho))) \
        / (2 * sp.pi)
    assert is_zero(ours - corrected)
    # C[phi|1] must be ||phi||^2 = (1 + a^2)/2; the printed bracket placement breaks that
    assert is_zero(corrected.subs(rho, 1) - (1 + a**2) / 2)
    bad = printed("C[LReLU_a|rho]")
    assert not is_zero(bad.subs(rho, 1) - (1 + a**2) / 2)
    assert abs(float(bad.subs({rho: 1, a: sp.Rational(1, 5)})) - 0.52) > 0.01


def test_erf_closed_forms() -> None:
    ex = gaussian_summary("erf", exact=True).exact
    h0, h1 = ex["linear"]
    assert is_zero(h0 + h1 * x - printed("erf_bar"))
    assert is_zero(ex["derivative_norm_sq"] - printed("||erf'||^2"))
    # asin(2/3) and atan(2/sqrt(5)) are the same angle: compare through tan of each side
    # both have the form 2/pi (angle - 2/3): recover the angles and compare their tangents
    ang_ours = sp.simplify(ex["linearization_error_sq"] * sp.pi / 2 + sp.Rational(2, 3))
    ang_printed = sp.simplify(printed("||erf - erf_bar||^2") * sp.pi / 2 + sp.Rational(2, 3))
    assert is_zero(sp.tan(ang_ours) - sp.tan(ang_printed))
    assert 0 < float(ang_ours) < math.pi / 2 and 0 < float(ang_printed) < math.pi / 2


def test_erf_kernel_equals_printed() -> None:
    ours = exact_covariance(sp.erf(x), rho)
    pr = printed("C[erf|rho]")
    # equal derivatives on (-1, 1) and equal at rho = 0: equal functions
    assert is_zero(sp.diff(ours, rho) - sp.diff(pr, rho))
    assert ours.subs(rho, 0) == 0 and pr.subs(rho, 0) == 0


# ---------------------------------------------------------------- numbers


def test_relu_coefficients_closed_form() -> None:
    # relu: h_0 = 1/sqrt(2 pi), h_1 = 1/2, h_{2m} = (-1)^{m+1} (2m-3)!! / sqrt(2 pi (2m)!)
    res = hermite_coefficients("relu", 12)
    for m in range(1, 7):
        df = float(sp.factorial2(2 * m - 3))
        want = (-1) ** (m + 1) * df / math.sqrt(2 * math.pi * math.factorial(2 * m))
        assert res.coefficients[2 * m] == pytest.approx(want, rel=1e-12, abs=1e-15)
    assert np.all(np.abs(res.coefficients[3::2]) < 1e-14)


@pytest.mark.parametrize("name", ["relu", "lrelu", "abs", "erf", "gaussian", "square",
                                  "odd_square", "htanh", "sin", "polynomial", "hermite"])
def test_exact_path_finishes_and_matches_quadrature(name: str) -> None:
    ex = hermite_coefficients(name, 6, exact=True)
    num = hermite_coefficients(name, 6)
    assert all(e is not None for e in ex.exact), ex.method
    np.testing.assert_allclose(ex.coefficients, num.coefficients, atol=1e-13)


def test_sigma_scaling_of_homogeneous_relu() -> None:
    s = 1.7
    np.testing.assert_allclose(hermite_coefficients("relu", 8, sigma=s).coefficients,
                               s * hermite_coefficients("relu", 8).coefficients, atol=1e-13)


SAFE = [n for n in list_activations()]


@given(name=st.sampled_from(SAFE), k=st.integers(0, 40),
       sigma=st.floats(0.3, 2.0))
def test_parseval_with_tail(name: str, k: int, sigma: float) -> None:
    """Σ_{k≤K} ĥ_k² + tail = ‖φ‖²; the tail is non-negative and shrinks with K."""
    r = hermite_coefficients(name, k, sigma=sigma)
    r2 = hermite_coefficients(name, k + 10, sigma=sigma)
    scale = max(r.norm_sq, 1.0)
    assert r.tail >= -1e-12 * scale
    assert r2.tail <= r.tail + 1e-12 * scale
    assert float(np.sum(r.coefficients**2)) + r.tail == pytest.approx(r.norm_sq, rel=1e-12)


@given(coeffs=st.lists(st.floats(-3, 3), min_size=1, max_size=7))
def test_parseval_exact_for_polynomials(coeffs: list[float]) -> None:
    spec = "polynomial(coeffs=[" + ", ".join(repr(c) for c in coeffs) + "])"
    r = hermite_coefficients(spec, len(coeffs) + 2)
    assert abs(r.tail) <= 1e-12 * max(1.0, r.norm_sq)
    assert np.all(np.abs(r.coefficients[len(coeffs):]) <= 1e-11 * max(1.0, r.norm_sq))


def test_derivative_norm_values() -> None:
    assert derivative_norm_sq("relu") == pytest.approx(0.5, abs=1e-15)
    assert derivative_norm_sq("erf") == pytest.approx(4 / (math.pi * math.sqrt(5)), rel=1e-13)
    assert derivative_norm_sq("tanh") == pytest.approx(0.4644030, rel=1e-6)


@pytest.mark.parametrize("spec", ["exp(x**2)", "exp(x**2/4)", "exp(0.3*x**2)"])
def test_not_square_integrable(spec: str) -> None:
    with pytest.raises(ValueError, match="not square-integrable"):
        hermite_coefficients(spec, 3)


def test_square_integrable_borderline_is_accepted() -> None:
    # exp(0.2 x^2)^2 exp(-x^2/2) = exp(-0.1 x^2): integrable
    r = hermite_coefficients("exp(0.2*x**2)", 2)
    assert r.norm_sq == pytest.approx(1 / math.sqrt(1 - 0.8), rel=1e-10)


@pytest.mark.parametrize("bad", [-3, 1.5, "2"])
def test_bad_degree(bad: object) -> None:
    with pytest.raises(ValueError, match="degree"):
        hermite_coefficients("relu", bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1.0, 0.0, float("nan"), float("inf")])
def test_bad_sigma(bad: float) -> None:
    with pytest.raises(ValueError, match="sigma"):
        gaussian_summary("relu", bad)
