"""The claim model, the tolerance models, a sample of the catalogue, and the theory's
identities as hypothesis properties (App. B closed forms, Mehler, Parseval)."""

from __future__ import annotations

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
