"""Correlation maps, criticality, phases and fixed points (seed 002 eq 2.3, 2.4, A.10, App. B)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from ringing.cli import main
from ringing.theory.hermite import hermite_coefficients
from ringing.theory.kernels import (
    CorrelationLayer,
    Layer,
    ResidualLayer,
    compose,
    composed_derivative_at_one,
    correlation_map,
    covariance,
    critical_layer,
    critical_ratio,
    fixed_point,
    phase,
    residual_correlation_map,
)

ERF_RATIO = 2 / math.pi * (2 / math.sqrt(5) - math.atan(2 / math.sqrt(5)))


# ---------------------------------------------------------------- criticality


def test_erf_critical_ratio_matches_appendix_b() -> None:
    got = critical_ratio("erf")
    assert got is not None and abs(got - ERF_RATIO) <= 1e-12


@pytest.mark.parametrize("spec", ["relu", "lrelu(slope=0.01)", "lrelu(slope=0.2)",
                                  "lrelu(slope=0.5)", "identity"])
def test_relu_family_critical_ratio_is_zero(spec: str) -> None:
    assert critical_ratio(spec) == 0.0
    assert phase(critical_layer(spec)) == "critical"


def test_tanh_critical_ratio_against_independent_root_find() -> None:
    # Independent route: P'(1) from the Hermite series Σ k ĥ_k² (eq 2.4 differentiated),
    # no Stein's lemma, and Brent's method on P'(1) = 1 over the ratio.
    h = hermite_coefficients("tanh", 80).coefficients
    k = np.arange(h.size)
    d1, n = float(np.sum(k * h**2)), float(np.sum(h**2))

    def slope_minus_one(ratio: float) -> float:
        return d1 / (ratio + n) - 1.0

    root = brentq(slope_minus_one, 0.0, 1.0, xtol=1e-15)
    got = critical_ratio("tanh")
    assert got is not None
    assert abs(got - root) <= 1e-9
    assert 0.05 < got < 0.1


def test_critical_ratio_none_when_no_ratio_is_critical() -> None:
    assert critical_ratio("sigmoid") is None
    assert critical_ratio("softplus") is None
    with pytest.raises(ValueError, match="no critical"):
        critical_layer("sigmoid")


def test_critical_slope_is_one_and_phases() -> None:
    lay = critical_layer("erf", sigma_w=1.7)
    assert abs(lay.derivative_at_one() - 1.0) < 1e-12
    assert abs(lay.sigma_b**2 / lay.sigma_w**2 - ERF_RATIO) < 1e-12
    assert phase(Layer("erf", 1.0, 0.0)) == "chaotic"
    assert phase(Layer("erf", 1.0, 1.0)) == "ordered"
    assert phase(ResidualLayer("tanh", 1.0)) == "chaotic"  # ‖tanh'‖² > ‖tanh‖²
    assert phase(ResidualLayer("sigmoid", 1.0)) == "ordered"


# ------------------------------------------------------------------- the maps


@pytest.mark.parametrize("spec", ["tanh", "erf", "gelu", "relu"])
def test_map_equals_hermite_series_eq_2_4(spec: str) -> None:
    sw, sb = 1.3, 0.4
    h = hermite_coefficients(spec, 60).coefficients
    n = float(np.sum(h**2)) if spec != "relu" else 0.5  # relu's series converges slowly
    rho = np.array([-0.6, 0.0, 0.3, 0.7])
    series = (sb**2 + sw**2 * np.polynomial.polynomial.polyval(rho, h**2)) / (sb**2 + sw**2 * n)
    tol = 1e-10 if spec != "relu" else 2e-4
    assert np.allclose(correlation_map(spec, rho, sigma_w=sw, sigma_b=sb), series, atol=tol)


@settings(max_examples=15, deadline=None)
@given(spec=st.sampled_from(["relu", "lrelu(slope=0.3)", "erf", "abs", "x + 0.5*x**2",
                             "hermite(k=3)"]),
       sw=st.floats(0.2, 3.0), sb=st.floats(0.0, 2.0))
def test_map_is_normalised_monotone_convex(spec: str, sw: float, sb: float) -> None:
    rho = np.linspace(0.0, 1.0, 101)
    p = correlation_map(spec, rho, sigma_w=sw, sigma_b=sb)
    assert abs(p[-1] - 1.0) < 1e-12 and p[0] >= -1e-14
    assert np.all(np.diff(p) >= -1e-13) and np.all(np.diff(p, 2) >= -1e-12)
    d = Layer(spec, sw, sb).derivative_at_one()
    # one-sided difference; kinked φ have P'(1 - h) = P'(1) - O(sqrt(h)) (arc-cosine kernel)
    fd = (1.0 - correlation_map(spec, 1.0 - 1e-8, sigma_w=sw, sigma_b=sb)) / 1e-8
    assert abs(fd - d) < 1e-3 * max(1.0, d)


def test_residual_map_eq_a10() -> None:
    rho = np.array([-0.5, 0.2, 0.9, 1.0])
    s = 0.7
    c = covariance("tanh", rho)
    c1 = covariance("tanh", 1.0)
    want = (rho + s**2 * c) / (1 + s**2 * c1)
    assert np.allclose(residual_correlation_map("tanh", rho, sigma=s), want, atol=1e-14)
    assert np.allclose(ResidualLayer("tanh", 0.0).map(rho), rho)  # σ = 0: identity block


def test_compose_shape_and_chain_rule() -> None:
    layers: list[CorrelationLayer] = [critical_layer("erf"), Layer("gelu", 1.0, 0.3),
                                      ResidualLayer("tanh", 0.8), Layer("tanh", 1.5, 0.0)]
    rho0 = np.array([[0.0, 0.5], [0.9, -0.3]])
    out = compose(layers, rho0)
    assert out.shape == (5, 2, 2)
    assert np.array_equal(out[0], rho0)
    assert np.allclose(out[2], layers[1].map(layers[0].map(rho0)))
    d = composed_derivative_at_one(layers)
    assert abs(d - np.prod([lay.derivative_at_one() for lay in layers])) < 1e-15
    h = 1e-5
    fd = (1.0 - compose(layers, np.array([1 - h, 1 - h / 2]))[-1])
    rich = 2 * fd[1] / (h / 2) - fd[0] / h  # Richardson: D(h) = d - c h + O(h^2)
    assert abs(rich - d) < 1e-6 * d


def test_critical_erf_shrinks_polynomially() -> None:
    rho = compose([critical_layer("erf")] * 200, np.array([0.0]))[:, 0]
    assert np.all(np.diff(rho) > 0)
    one = 1 - rho
    assert 0.1 < one[200] * 200 < 10  # 1 − ρ_L ~ c/L at criticality (Remark 1)


@pytest.mark.parametrize("spec,sb", [("erf", 0.1), ("tanh", 0.2), ("erf", 0.0)])
def test_chaotic_fixed_point(spec: str, sb: float) -> None:
    lay = Layer(spec, 1.0, sb)
    assert phase(lay) == "chaotic"
    r = fixed_point(lay)
    assert 0.0 <= r < 1.0
    assert abs(float(lay.map(r)) - r) < 1e-12
    assert float(lay.derivative(r)) < 1.0  # attracting
    rho = compose([lay] * 300, np.array([0.05, 0.95]))[-1]
    assert np.allclose(rho, r, atol=1e-6)
    assert fixed_point(critical_layer(spec)) == 1.0


def test_printed_lrelu_covariance_is_misbracketed() -> None:
    # App. B prints a*rho + (1-a)^2 sqrt(1-rho^2 + rho(pi - acos rho))/(2 pi); the
    # arc-cosine kernel has sqrt(1-rho^2) + rho(pi - acos rho).  At rho = 1 the printed
    # form gives a + (1-a)^2/(2 sqrt(pi)) != ||LReLU_a||^2 = (1 + a^2)/2.
    a = 0.2
    rho = np.array([0.0, 0.5, 1.0])
    printed = a * rho + (1 - a) ** 2 * np.sqrt(1 - rho**2 + rho * (np.pi - np.arccos(rho))) / (
        2 * np.pi)
    fixed = a * rho + (1 - a) ** 2 * (np.sqrt(1 - rho**2) + rho * (np.pi - np.arccos(rho))) / (
        2 * np.pi)
    got = covariance(f"lrelu(slope={a})", rho)
    assert np.allclose(got, fixed, atol=1e-14)
    assert abs(printed[-1] - (1 + a * a) / 2) > 0.1


# -------------------------------------------------------------------- bad input


def test_bad_inputs_raise_one_line_value_errors() -> None:
    cases = [
        (lambda: compose([], np.array([0.5])), "depth=0"),
        (lambda: composed_derivative_at_one([]), "depth=0"),
        (lambda: correlation_map("relu", 0.5, sigma_w=0.0), "sigma_w=0"),
        (lambda: Layer("relu", -1.0), "sigma_w=-1"),
        (lambda: Layer("relu", 1.0, -0.1), "sigma_b=-0.1"),
        (lambda: ResidualLayer("relu", -2.0), "sigma=-2"),
        (lambda: correlation_map("relu", np.array([0.2, 1.5])), "rho=1.5"),
        (lambda: compose([Layer("relu")], -1.01), "rho=-1.01"),
        (lambda: Layer("nosuchact"), "nosuchact"),
    ]
    for fn, msg in cases:
        with pytest.raises(ValueError, match=msg) as info:
            fn()
        assert "\n" not in str(info.value)


# ---------------------------------------------------------------------- the CLI


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_correlation_critical_bound(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(capsys, "correlation", "erf", "--sigma-w", "1", "--sigma-b", "0.3",
                      "--depth", "4", "--rho0", "0.25", "--json")
    assert rc == 0
    got = json.loads(out)["rho"]
    want = compose([Layer("erf", 1.0, 0.3)] * 4, np.array([0.25]))[:, 0]
    assert np.allclose(got, want, atol=0)
    rc, out, _ = _run(capsys, "correlation", "tanh", "--resnet-sigma", "0.5", "--depth", "2",
                      "--rho0", "0.1", "--json")
    assert rc == 0 and len(json.loads(out)["rho"]) == 3

    rc, out, _ = _run(capsys, "critical", "erf", "--json")
    assert rc == 0 and abs(json.loads(out)["ratio"] - ERF_RATIO) < 1e-12
    rc, out, _ = _run(capsys, "critical", "sigmoid", "--json")
    assert rc == 0 and json.loads(out)["ratio"] is None

    rc, out, _ = _run(capsys, "bound", "lrelu(slope=0.2)", "--depth", "50", "--json")
    assert rc == 0
    b = json.loads(out)
    assert set(b) >= {"theorem_sum", "jacobian_sq", "rho_tilde_max", "one_minus_rho_max_bound"}
    assert abs(b["jacobian_sq"] - 1.0) < 1e-12
    q = (math.pi - 2) / (4 * math.pi) * 0.8**2 / ((1 + 0.04) / 2)
    assert abs(b["theorem_sum"] - 50 * q) < 1e-12
    assert abs(b["one_minus_rho_max_bound"] - math.sqrt(8 / (50 * q))) < 1e-10
    rc, out, _ = _run(capsys, "bound", "identity", "--depth", "3", "--json")
    assert rc == 0 and json.loads(out)["one_minus_rho_max_bound"] is None


@pytest.mark.parametrize("argv,msg", [
    (["correlation", "relu", "--depth", "0", "--rho0", "0.5"], "depth=0"),
    (["correlation", "relu", "--depth", "2", "--rho0", "1.5"], "rho=1.5"),
    (["correlation", "relu", "--depth", "2", "--sigma-w", "0", "--rho0", "0.5"], "sigma_w=0"),
    (["bound", "sigmoid", "--depth", "3"], "no critical"),
])
def test_cli_bad_input_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                              msg: str) -> None:
    rc, out, err = _run(capsys, *argv, "--json")
    assert rc == 2 and out == ""
    assert msg in err and err.count("\n") == 1


def test_figures_are_written(tmp_path: Path) -> None:
    from ringing.validate.figures_maps import figure_correlation_map, figure_shrinkage_depth

    p1 = figure_correlation_map(tmp_path / "fig1.png", depths=(2, 5), points=41)
    p2 = figure_shrinkage_depth(tmp_path / "fig2a.png", max_depth=20,
                                rho_max_points=9)
    for p in (p1, p2):
        assert p.exists() and p.stat().st_size > 10_000
