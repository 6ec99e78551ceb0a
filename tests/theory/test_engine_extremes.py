"""Issue 12: deep ordered phase, 1-D expectations at extreme σ, shapes, O(1)-memory depth."""

from __future__ import annotations

import json
import math

import mpmath as mp
import numpy as np
import pytest

from ringing.cli import main
from ringing.theory.convexity import bound_profile, theorem_bound
from ringing.theory.gauss_kernel import covariance_result
from ringing.theory.hermite import gaussian_summary, hermite_coefficients
from ringing.theory.kernels import (
    MAX_ITERATIONS,
    Layer,
    LayerStack,
    compose,
    correlation_map,
    covariance,
    propagate,
)
from ringing.theory.nlc import nlc_tau, nlc_tau_summary


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# ----------------------------------------------------------------- deep ordered phase


def _mp_gap(cov: object, sw2: float, sb2: float, depth: int) -> list:
    """1 − ρ̃_l at 80 digits, by an independent mpmath iteration of P."""
    with mp.workdps(80):
        r = mp.mpf(0)
        c1 = cov(mp.mpf(1))  # type: ignore[operator]
        out = []
        for _ in range(depth):
            r = (sb2 + sw2 * cov(r)) / (sb2 + sw2 * c1)  # type: ignore[operator]
            out.append(1 - r)
        return out


def _relu(r: mp.mpf) -> mp.mpf:
    return (mp.sqrt(1 - r**2) + r * (mp.pi - mp.acos(r))) / (2 * mp.pi)


def _erf(r: mp.mpf) -> mp.mpf:
    return 2 / mp.pi * mp.asin(2 * r / 3)


def _lrelu(r: mp.mpf) -> mp.mpf:
    aa = mp.mpf(2) / 10
    return (1 + aa * aa) * _relu(r) - 2 * aa * _relu(-r)


@pytest.mark.parametrize("spec, cov, sb", [
    ("relu", _relu, 0.5), ("erf", _erf, 0.3), ("lrelu(slope=0.2)", _lrelu, 0.4),
])
def test_deep_ordered_phase_against_80_digits(spec: str, cov: object, sb: float) -> None:
    lay = Layer(spec, 1.0, sb)
    p = bound_profile([lay] * 200)
    want = _mp_gap(cov, 1.0, sb * sb, 200)
    got = p.one_minus_rho_tilde
    rel = max(abs(float((g - w) / w)) for g, w in zip(got, want, strict=True))
    assert rel < 1e-10
    # no false Theorem-1 violation at any depth: 1 − ρ_max ≤ 2(1 − ρ̃_max) ≤ the bound
    assert np.all(p.one_minus_rho_max_bound >= 2 * p.one_minus_rho_tilde_max)


def test_must_show_4_bound_cli(capsys: pytest.CaptureFixture[str]) -> None:
    out = _cli(capsys, "bound", "relu", "--sigma-w", "1", "--sigma-b", "0.5", "--depth", "200")
    want = float(_mp_gap(_relu, 1.0, 0.25, 200)[-1])
    assert abs(out["one_minus_rho_tilde"] / want - 1) < 1e-6
    assert abs(want / 1.6056080854801420284e-36 - 1) < 1e-15
    assert 2 * out["one_minus_rho_tilde_max"] <= out["one_minus_rho_max_bound"]
    assert "gap" in out["precision"]


# ----------------------------------------------------------------- 1-D at extreme σ


def _mp_nlc(f: object, df: object, s: float) -> float:
    with mp.workdps(30):
        ss = mp.mpf(s)
        pdf = lambda z: mp.exp(-z * z / 2) / mp.sqrt(2 * mp.pi)  # noqa: E731
        pts = [-mp.inf, -1, -10 / ss, -1 / ss, 0, 1 / ss, 10 / ss, 1, mp.inf]
        m = mp.quad(lambda z: f(ss * z) * pdf(z), pts)  # type: ignore[operator]
        v = mp.quad(lambda z: (f(ss * z) - m) ** 2 * pdf(z), pts)  # type: ignore[operator]
        d = mp.quad(lambda z: df(ss * z) ** 2 * pdf(z), pts)  # type: ignore[operator]
        return float(ss * mp.sqrt(d) / mp.sqrt(v))


@pytest.mark.parametrize("sigma", [1e-8, 1e-3, 0.1, 1.0, 100.0, 1e4])
@pytest.mark.parametrize("spec, f, df", [
    ("tanh", mp.tanh, lambda u: mp.sech(u) ** 2),
    ("sigmoid", lambda u: 1 / (1 + mp.exp(-u)), lambda u: mp.exp(-u) / (1 + mp.exp(-u)) ** 2),
])
def test_nlc_tau_at_extreme_sigma(spec: str, f: object, df: object, sigma: float) -> None:
    assert abs(nlc_tau(spec, sigma) / _mp_nlc(f, df, sigma) - 1) < 1e-12


def test_nlc_power_in_log_form(capsys: pytest.CaptureFixture[str]) -> None:
    r = nlc_tau_summary("tanh", 1.0, 100000)
    assert math.isinf(r.nlc_tau_power)
    assert abs(r.log10_nlc_tau_power - 99999 * math.log10(r.nlc_tau)) < 1e-9
    out = _cli(capsys, "nlc-tau", "tanh", "--depth", "100000")
    assert out["nlc_tau_power"] is None and out["log10_nlc_tau_power"] > 3000


@pytest.mark.parametrize("k", [80, 200])
def test_hermite_polynomial_exact_at_high_degree(k: int) -> None:
    g = gaussian_summary(f"hermite(k={k})")
    assert abs(g.norm_sq - 1) < 1e-14 and abs(g.derivative_norm_sq - k) < 1e-12 * k
    h = hermite_coefficients(f"hermite(k={k})", k + 3)
    assert abs(h.coefficients[k] - 1) < 1e-14 and np.max(np.abs(np.delete(h.coefficients, k))) \
        < 1e-14 and h.method.startswith("exact")


def test_hermite_coefficients_at_large_sigma() -> None:
    # relu is positively homogeneous: ĥ_k(σ) = σ ĥ_k(1) exactly
    h1 = hermite_coefficients("relu", 6, sigma=1.0).coefficients
    h2 = hermite_coefficients("relu", 6, sigma=1e4).coefficients
    assert np.allclose(h2, 1e4 * h1, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------- shapes and depth


def test_any_shape_in_any_shape_out() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((30, 5))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    g = np.clip(x @ x.T, -1, 1)
    for spec in ("tanh", "relu", "htanh"):
        c = covariance(spec, g)
        assert c.shape == g.shape
        assert np.array_equal(c.ravel(), covariance(spec, g.ravel()))
        assert correlation_map(spec, g.reshape(2, 15, 30)).shape == (2, 15, 30)
    out, _ = propagate(LayerStack(Layer("tanh", 1.3, 0.1), 50), g)
    assert out.shape == g.shape and np.allclose(np.diag(out), 1.0, atol=1e-14)
    assert np.allclose(out, compose([Layer("tanh", 1.3, 0.1)] * 50, g)[-1], atol=1e-13)


def test_huge_depth_in_constant_memory(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = _cli(capsys, "correlation", "tanh", "--sigma-w", "1.2", "--depth", "1000000000",
               "--rho0", "0.3")
    assert out["rho"] is None and out["converged_at"] < 10000
    assert out["jacobian_sq"] is None and out["log10_jacobian_sq"] > 1e6
    # a critical map that converges only algebraically is refused in one line (the limit
    # lowered from MAX_ITERATIONS to keep the test fast)
    assert MAX_ITERATIONS == 100_000
    monkeypatch.setattr("ringing.theory.kernels.MAX_ITERATIONS", 3000)
    assert main(["correlation", "relu", "--depth", "1000000000", "--rho0", "0.3",
                 "--json"]) == 2
    err = capsys.readouterr().err
    assert "3000 layers" in err and err.count("\n") == 1
    b = theorem_bound(LayerStack(Layer("relu", 1.0, 0.5), 10**9))
    assert b["one_minus_rho_tilde"] == 0.0 or b["one_minus_rho_tilde"] < 1e-300


def test_huge_sigma_w(capsys: pytest.CaptureFixture[str]) -> None:
    a = _cli(capsys, "correlation", "relu", "--sigma-w", "1e300", "--sigma-b", "1",
             "--depth", "3", "--rho0", "0.2")
    b = _cli(capsys, "correlation", "relu", "--sigma-w", "1", "--sigma-b", "1e-300",
             "--depth", "3", "--rho0", "0.2")
    assert np.allclose(a["rho"], b["rho"], rtol=0, atol=1e-15)


def test_covariance_error_is_reported() -> None:
    r = covariance_result("htanh", np.linspace(-1, 1, 5), sigma=1.0)
    assert r.error < 1e-12 and "Chebyshev" in r.method
