"""The claim model, the tolerance models, a sample of the catalogue, and the theory's
identities as hypothesis properties (App. B closed forms, Mehler, Parseval)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ringing
from ringing.validate import claims as C
from ringing.validate import compare as K
from ringing.validate.claims import seed000


def by_name(name: str) -> C.Claim:
    found = [c for c in C.catalogue() if c.name == name]
    assert found, f"{name} is not in the catalogue"
    return found[0]


# ----------------------------------------------------------------------------
# the model


def test_catalogue_size_and_unique_names() -> None:
    cat = C.catalogue()
    assert len(cat) >= 25
    assert len({c.name for c in cat}) == len(cat)
    assert all(c.kind in ("theory", "simulation") for c in cat)
    # theory claims share their stored result between quick and full runs
    for c in cat:
        if c.kind == "theory":
            assert c.key(True) == c.key(False)


def test_key_depends_on_config_and_version(monkeypatch: pytest.MonkeyPatch) -> None:
    c = by_name("seed004/table1/A/relu")
    k = c.key(False)
    assert len(k) == 64 and k == c.key(False)
    assert by_name("seed004/table1/A/tanh").key(False) != k
    sim = [x for x in C.catalogue() if x.kind == "simulation"]
    assert sim and sim[0].key(True) != sim[0].key(False)
    monkeypatch.setattr(ringing, "__version__", "999.0")
    assert c.key(False) != k
    assert c.config(False)["ringing_version"] == "999.0"


def test_outcome_validation() -> None:
    with pytest.raises(ValueError, match="verdict"):
        C.Outcome("maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not finite"):
        C.Outcome("pass", theory=float("nan"))
    with pytest.raises(ValueError, match="reason"):
        C.Outcome("expected-difference", theory=1.0)


def test_select() -> None:
    cat = C.catalogue()
    a = C.select(cat, "seed004/table1/A/*")
    assert len(a) == 8 and all(c.name.startswith("seed004/table1/A/") for c in a)
    assert len(C.select(cat, "table1/A/relu,table1/E/relu")) == 2
    assert C.select(cat, None) == cat
    with pytest.raises(ValueError, match="matches no claim"):
        C.select(cat, "no-such-claim")


def test_exception_becomes_error_verdict() -> None:
    def boom() -> C.Outcome:
        raise RuntimeError("kaput\nsecond line")

    r = C.evaluate(C.Claim("t/boom", "explodes", "test", boom), quick=True)
    assert r.verdict == "error" and r.reason == "RuntimeError: kaput"


# ----------------------------------------------------------------------------
# tolerance models


def test_printed_decimals() -> None:
    assert K.printed_decimals(1.211) == 3
    assert K.printed_decimals(0.0024) == 4
    assert K.printed_decimals(2.0) == 0
    assert K.printed_decimals(9793) == 0
    assert K.printed_decimals(1.2e-05) == 6
    assert K.half_unit(1.211) == pytest.approx(5e-4)


@given(st.floats(min_value=1e-6, max_value=1e6), st.integers(min_value=1, max_value=8))
def test_round_sig_properties(v: float, digits: int) -> None:
    r = K.round_sig(v, digits)
    assert abs(r - v) <= 0.5 * 10 ** (math.floor(math.log10(v)) - digits + 1) * (1 + 1e-9)
    assert K.round_sig(r, digits) == r


@given(st.floats(min_value=-5, max_value=5), st.floats(min_value=1e-4, max_value=0.1),
       st.integers(min_value=0, max_value=2**31 - 1))
@settings(max_examples=30, deadline=None)
def test_compare_simulation_passes_unbiased_noise(theory: float, noise: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    samples = theory + noise * rng.standard_normal(8)
    out = K.compare_simulation(theory, samples, finite_width_error=0.0, z=8.0)
    assert out.verdict == "pass"
    lo, hi = out.simulation_ci  # type: ignore[misc]
    assert lo <= float(np.mean(samples)) <= hi


def test_compare_simulation_detects_bias() -> None:
    out = K.compare_simulation(1.0, [1.5, 1.51, 1.49, 1.5], finite_width_error=0.01)
    assert out.verdict == "fail" and "sim - theory" in out.reason
    with pytest.raises(ValueError, match="2 finite samples"):
        K.compare_simulation(1.0, [1.0], finite_width_error=0.0)


# ----------------------------------------------------------------------------
# a sample of the catalogue (all theory claims, milliseconds each)


@pytest.mark.parametrize("name, verdict", [
    ("seed004/table1/A/relu", "pass"),
    ("seed004/table1/A/even_tanh", "pass"),
    ("seed004/table1/C/relu", "expected-difference"),
    ("seed004/table1/C/even_tanh", "pass"),
    ("seed004/table1/E/sigmoid", "expected-difference"),
    ("seed004/table1/E/square", "pass"),
    ("seed002/appB/erf_critical_ratio", "pass"),
    ("seed002/appB/lrelu_covariance/a=0.2", "expected-difference"),
    ("seed002/appA3/excess_convexity_t2", "pass"),
    ("identity/mehler/erf", "pass"),
    ("seed000/table1/relu", "pass"),
    ("seed000/table1/lrelu-0.75", "expected-difference"),
])
def test_claim_verdicts(name: str, verdict: str) -> None:
    r = C.evaluate(by_name(name), quick=True)
    assert r.verdict == verdict, r.reason
    assert r.theory is not None and r.paper is not None
    if verdict == "expected-difference":
        assert r.reason


def test_row_c_reason_names_the_rounding() -> None:
    r = C.evaluate(by_name("seed004/table1/C/relu"), quick=True)
    assert "1.211" in r.reason and round(r.theory or 0) == 9861


def test_dropped_digit_detector() -> None:
    assert seed000._dropped_digit(-2.7257753e-06, -2.725753e-06)
    assert not seed000._dropped_digit(-2.7257753e-06, -2.725775e-06 * 1.01)


# ----------------------------------------------------------------------------
# identities of the theory (seed 002 §2.1, App. B) as properties


@given(st.floats(min_value=0.0, max_value=0.95))
@settings(max_examples=15, deadline=None)
def test_lrelu_closed_forms(a: float) -> None:
    """App. B: linearisation, its error and the derivative norm of LReLU_a for every a."""
    from ringing.theory.hermite import gaussian_summary

    g = gaussian_summary(f"lrelu(slope={a!r})")
    h0, h1 = g.linear
    assert h0 == pytest.approx((1 - a) / math.sqrt(2 * math.pi), abs=1e-11)
    assert h1 == pytest.approx((1 + a) / 2, abs=1e-11)
    assert g.linearization_error_sq == pytest.approx((math.pi - 2) / (4 * math.pi) * (1 - a) ** 2,
                                                     abs=1e-11)
    assert g.derivative_norm_sq == pytest.approx((1 + a * a) / 2, abs=1e-11)


@given(st.floats(min_value=0.0, max_value=0.95),
       st.lists(st.floats(min_value=-1.0, max_value=1.0), min_size=1, max_size=6))
@settings(max_examples=15, deadline=None)
def test_lrelu_covariance_corrected_form(a: float, rho: list[float]) -> None:
    """C[LReLU_a|ρ] = aρ + (1−a)²(√(1−ρ²) + ρ(π − arccos ρ))/(2π) (App. B, corrected bracket)."""
    from ringing.theory.kernels import covariance

    r = np.array(rho)
    cf = a * r + (1 - a) ** 2 * (np.sqrt(1 - r**2) + r * (np.pi - np.arccos(r))) / (2 * np.pi)
    assert np.allclose(covariance(f"lrelu(slope={a!r})", r), cf, atol=1e-10)


@given(st.sampled_from(["tanh", "erf", "gelu", "sin", "sigmoid"]),
       st.floats(min_value=-0.8, max_value=0.8))
@settings(max_examples=15, deadline=None)
def test_mehler_identity(act: str, rho: float) -> None:
    """C[φ|ρ] = Σ ĥ_k² ρ^k (seed 002 §2.1) and Parseval at ρ = 1 for smooth φ."""
    from ringing.theory.hermite import hermite_coefficients, norm_sq
    from ringing.theory.kernels import covariance

    h = np.asarray(hermite_coefficients(act, 80).coefficients)
    series = float(np.polynomial.polynomial.polyval(rho, h**2))
    assert series == pytest.approx(float(np.asarray(covariance(act, [rho]))[0]), abs=1e-9)
    assert float((h**2).sum()) == pytest.approx(norm_sq(act), abs=1e-8)


# ----------------------------------------------------------------------------
# standard errors, printed digits, derived allowances, inequality margins


def test_compare_simulation_uses_the_standard_error_not_the_deviation() -> None:
    """16 samples of unit spread whose mean is 2 above theory: 2 > 4·se = 1 fails; with the
    standard deviation (4·sd = 4) in place of the standard error it would pass."""
    rng = np.random.default_rng(3)
    z = rng.standard_normal(16)
    samples = 2.0 + (z - z.mean()) / z.std(ddof=1)
    out = K.compare_simulation(0.0, samples, finite_width_error=0.0)
    assert out.details["stderr"] == pytest.approx(0.25)
    assert out.verdict == "fail"
    lo, hi = out.simulation_ci  # type: ignore[misc]
    assert hi - lo == pytest.approx(2 * 2.131450 * 0.25, rel=1e-5)  # t_{15, 0.975}


def test_printed_strings_keep_their_digits() -> None:
    assert K.printed_decimals("0.030") == 3 and K.half_unit("0.030") == pytest.approx(5e-4)
    assert K.printed_decimals("2.000") == 3 and K.half_unit("2.000") == pytest.approx(5e-4)
    assert K.printed_decimals("1.20") == 2
    assert K.printed_decimals("9793") == 0
    assert K.printed_decimals("4.76e17") == -15
    assert K.significant_digits("9793") == 4 and K.significant_digits("0.0024") == 2
    assert K.significant_digits("4.76e17") == 3 and K.significant_digits("2.000") == 4
    assert K.compare_printed(2.0004, "2.000").verdict == "pass"
    assert K.compare_printed(2.0006, "2.000").verdict == "fail"
    with pytest.raises(ValueError, match="not a number"):
        K.printed_value("1.2.3")


def test_reference_tables_keep_the_printed_strings() -> None:
    from ringing.reference import load_reference

    t = load_reference("nlc")["table1_printed"]
    assert t["linear_approx_error"]["selu"] == "0.030"
    assert t["linear_approx_error"]["square"] == "2.000"
    assert t["nlc_depth_2"]["odd square"] == "1.20"
    for row, vals in t.items():
        for act, text in vals.items():
            assert float(text) == pytest.approx(load_reference("nlc")["table1"][row][act])


def test_row_e_square_is_held_to_the_printed_digits() -> None:
    r = C.evaluate(by_name("seed004/table1/E/square"), quick=True)
    assert r.verdict == "pass" and "0.0005" in r.tolerance


@given(st.floats(min_value=-2, max_value=2), st.floats(min_value=-1, max_value=1),
       st.sampled_from([0.5, 1.0]))
@settings(max_examples=30, deadline=None)
def test_width_bias_recovers_a_power_law(m_inf: float, c: float, p: float) -> None:
    n_s, n_l = 128, 256
    b, _ = K.width_bias(m_inf + c * n_s ** -p, 0.0, m_inf + c * n_l ** -p, 0.0, n_s, n_l, p)
    assert b == pytest.approx(c * n_l ** -p, abs=1e-12)


def test_compare_simulation_widths_allowance_is_derived() -> None:
    small, large = [1.10, 1.12, 1.11, 1.09], [1.05, 1.06, 1.04, 1.05]  # bias 1/N: b = 0.055
    out = K.compare_simulation_widths(1.0, small, large, width_small=64, width_large=128)
    assert out.details["finite_width_bias"] == pytest.approx(0.055)
    assert out.details["extrapolated"] == pytest.approx(0.995)
    assert out.verdict == "pass"
    out = K.compare_simulation_widths(0.9, small, large, width_small=64, width_large=128)
    assert out.verdict == "fail"


def test_theorem1_claim_fails_when_the_bound_is_violated(monkeypatch: pytest.MonkeyPatch) -> None:
    """The verdict follows the inequality: a profile whose left side is 1000x too small must
    fail (a claim whose verdict is always "pass" is caught here)."""
    import dataclasses

    from ringing.theory import convexity
    from ringing.validate.claims.seed002 import claim_theorem1

    assert claim_theorem1("critical-erf").verdict == "pass"
    real = convexity.bound_profile

    def shrunk(*a: object, **k: object) -> convexity.BoundProfile:
        p = real(*a, **k)  # type: ignore[arg-type]
        return dataclasses.replace(p, jacobian_sq=p.jacobian_sq * 1e-3)

    monkeypatch.setattr(convexity, "bound_profile", shrunk)
    out = claim_theorem1("resnet-relu")  # no exact Jacobian: only the inequality decides
    assert out.verdict == "fail" and out.details["margin"] < 0


def test_theorem1_claim_checks_its_sum_against_the_closed_forms(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ringing.theory import convexity
    from ringing.validate.claims.seed002 import claim_theorem1

    real = convexity.theorem_summand
    monkeypatch.setattr(convexity, "theorem_summand",
                        lambda layer, **k: 1.23 * real(layer, **k))
    out = claim_theorem1("critical-erf")
    assert out.verdict == "fail" and "closed forms" in out.reason


def test_simulation_result_round_trips_with_its_interval() -> None:
    r = C.ClaimResult("x", "k", "s", "src", "simulation", "pass", 1.0, 1.1, (1.0, 1.2), None,
                      "t", "", {"stderr": 0.05}, {}, 0.1)
    back = C.ClaimResult.from_dict(json.loads(json.dumps(r.as_dict())))
    assert back.simulation_ci == (1.0, 1.2) and back.as_dict() == r.as_dict()
