"""C[φ|ρ] and C[φ'|ρ]: closed forms, the polar quadrature, and the Hermite identities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad

from ringing.activations import get_activation, list_activations
from ringing.theory.gauss_kernel import gaussian_covariance
from ringing.theory.gaussian import polar_covariance
from ringing.theory.hermite import hermite_coefficients
from ringing.theory.kernels import covariance

NAMES = list_activations()
RHO = np.linspace(-1, 1, 41)


def nested_quad_reference(name: str, r: float) -> float:
    """C[φ|ρ] = E_u[φ(u) E_z[φ(ρu + s z)]] by nested adaptive Gauss–Kronrod (scipy), both
    integrals split at the kinks: an algorithm independent of the polar rule under test."""
    a = get_activation(name)
    s = math.sqrt(1 - r * r)

    def f(v: float) -> float:
        return float(a.numpy(np.array([v]))[0])

    def pdf(v: float) -> float:
        return math.exp(-v * v / 2) / math.sqrt(2 * math.pi)

    def split_quad(g: object, pts: list[float]) -> float:
        edges = [-14.0, *sorted(p for p in pts if -14 < p < 14), 14.0]
        return sum(quad(g, lo, hi, epsabs=1e-14, epsrel=1e-12, limit=200)[0]
                   for lo, hi in zip(edges[:-1], edges[1:], strict=False))

    def inner(u: float) -> float:
        return split_quad(lambda z: f(r * u + s * z) * pdf(z), [(k - r * u) / s for k in a.kinks])

    pts = [*a.kinks, *[k / r for k in a.kinks if r]]
    return split_quad(lambda u: f(u) * inner(u) * pdf(u), pts)


@pytest.mark.parametrize("name,r", [("htanh", 0.37), ("tanh", -0.81), ("softplus", 0.93),
                                    ("gelu", 0.5), ("elu", -0.3)])
def test_quadrature_against_nested_quad(name: str, r: float) -> None:
    assert float(covariance(name, r)) == pytest.approx(nested_quad_reference(name, r), abs=1e-11)


@pytest.mark.parametrize("name", ["relu", "abs", "lrelu", "erf", "identity"])
def test_closed_forms_match_quadrature(name: str) -> None:
    a = get_activation(name)
    for deriv in (False, True):
        closed = covariance(name, RHO, derivative=deriv)
        target = a.derivative() if deriv else a
        quad = polar_covariance(target.numpy, target.kinks, RHO)
        np.testing.assert_allclose(closed, quad, atol=1e-13)


def test_sigma_closed_forms() -> None:
    s = 0.6
    a = get_activation("erf")
    quad = polar_covariance(lambda v: a.numpy(s * v), (), RHO)
    np.testing.assert_allclose(covariance("erf", RHO, sigma=s), quad, atol=1e-13)
    d = a.derivative()
    quad = polar_covariance(lambda v: d.numpy(s * v), (), RHO)
    np.testing.assert_allclose(covariance("erf", RHO, sigma=s, derivative=True), quad, atol=1e-13)


@given(name=st.sampled_from(NAMES), r=st.floats(-1, 1))
def test_mehler_series(name: str, r: float) -> None:
    """C[φ|ρ] = Σ ĥ_k² ρ^k, with the truncation bounded by the Parseval tail |ρ|^{K+1}·tail."""
    h = hermite_coefficients(name, 60)
    series = float(np.polynomial.polynomial.polyval(r, h.coefficients**2))
    bound = abs(r) ** 61 * h.tail + 1e-11 * max(1.0, h.norm_sq)
    assert abs(float(covariance(name, r)) - series) <= bound


@given(name=st.sampled_from(NAMES))
def test_endpoints(name: str) -> None:
    """C[φ|1] = ‖φ‖², C[φ|0] = ĥ_0²."""
    h = hermite_coefficients(name, 0)
    c = covariance(name, np.array([0.0, 1.0]))
    scale = max(1.0, h.norm_sq)
    assert c[1] == pytest.approx(h.norm_sq, abs=1e-12 * scale)
    assert c[0] == pytest.approx(h.coefficients[0] ** 2, abs=1e-12 * scale)


@given(name=st.sampled_from(NAMES), r=st.floats(-0.95, 0.95))
def test_price_theorem(name: str, r: float) -> None:
    """d/dρ C[φ|ρ] = C[φ'|ρ] (central difference, h = 1e-4)."""
    hstep = 1e-4
    c = covariance(name, np.array([r - hstep, r + hstep]))
    fd = (c[1] - c[0]) / (2 * hstep)
    d = float(covariance(name, r, derivative=True))
    assert fd == pytest.approx(d, abs=2e-6 * max(1.0, abs(d)))


@given(coeffs=st.lists(st.floats(-2, 2), min_size=1, max_size=6), r=st.floats(-1, 1))
def test_random_polynomials(coeffs: list[float], r: float) -> None:
    spec = "polynomial(coeffs=[" + ", ".join(repr(c) for c in coeffs) + "])"
    a = get_activation(spec)
    exact = float(covariance(spec, r))
    quad = float(polar_covariance(a.numpy, (), np.array(r)))
    assert exact == pytest.approx(quad, abs=1e-11 * max(1.0, abs(exact)))


@pytest.mark.parametrize("bad", [1.5, -1.0001, float("nan")])
def test_rho_outside(bad: float) -> None:
    with pytest.raises(ValueError, match="outside"):
        gaussian_covariance("relu", [0.0, bad])


def test_method_reported() -> None:
    _, m = gaussian_covariance("tanh", [0.2], return_method=True)
    assert m.startswith("numeric")
    _, m = gaussian_covariance("relu", [0.2], return_method=True)
    assert "exact" in m
