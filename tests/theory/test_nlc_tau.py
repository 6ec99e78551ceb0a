"""NLC_τ against seed 004 Table 1 (rows A, C, E)."""

from __future__ import annotations

import math

import pytest
import sympy as sp

from ringing.reference import load_reference
from ringing.theory.nlc import linear_approx_error, nlc_tau, nlc_tau_summary

TABLE = load_reference("nlc")["table1"]
#: seed 004's names -> the registry (SELU with the paper's rounded constants)
NAMES = {"relu": "relu", "selu": "selu_seed004", "tanh": "tanh", "sigmoid": "sigmoid",
         "even tanh": "even_tanh", "gaussian": "gaussian", "square": "square",
         "odd square": "odd_square"}


def decimals(v: float) -> int:
    text = repr(v)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def agrees_to_printed_digits(value: float, printed: float) -> bool:
    return abs(value - printed) <= 0.5 * 10 ** (-decimals(printed)) + 1e-12


@pytest.mark.parametrize("paper", sorted(NAMES))
def test_row_a(paper: str) -> None:
    assert agrees_to_printed_digits(nlc_tau(NAMES[paper]), TABLE["nlc_tau_1"][paper])


@pytest.mark.parametrize("paper", sorted(NAMES))
def test_row_e(paper: str) -> None:
    value, printed = linear_approx_error(NAMES[paper]), TABLE["linear_approx_error"][paper]
    if paper == "sigmoid":
        # 0.0023465... prints as 0.0023 at two significant digits; the paper's 0.0024 is a
        # double rounding (first to 0.00235, then to 0.0024). docs/theory.md records it.
        assert not agrees_to_printed_digits(value, printed)
        assert round(round(value, 5), 4) == pytest.approx(printed, abs=1e-12)
        return
    assert agrees_to_printed_digits(value, printed)


def sig3(v: float) -> float:
    return float(f"{v:.3g}")


@pytest.mark.parametrize("paper", sorted(NAMES))
def test_row_c_is_the_power_of_the_rounded_value(paper: str) -> None:
    """Row C = round(NLC_τ(1), 3)^48 to the 3 printed significant digits."""
    printed = TABLE["nlc_tau_1_pow_48"][paper]
    exact_power = nlc_tau_summary(NAMES[paper], depth=49).nlc_tau_power
    rounded_power = round(nlc_tau(NAMES[paper]), 3) ** 48
    assert sig3(rounded_power) == pytest.approx(sig3(printed), rel=1e-9)
    # and the exact power is what it is: for relu 9861, not the printed 9793
    if paper == "relu":
        assert sig3(exact_power) == 9860.0 and abs(exact_power - printed) > 50


def test_exact_forms() -> None:
    s = nlc_tau_summary("relu", exact=True)
    assert sp.simplify(s.exact["nlc_tau"] - sp.sqrt(sp.pi / (sp.pi - 1))) == 0
    assert s.nlc_tau == pytest.approx(math.sqrt(math.pi / (math.pi - 1)), rel=1e-14)
    sq = nlc_tau_summary("square", exact=True)
    assert sq.exact["nlc_tau"] == sp.sqrt(2) and sq.exact["linear_approx_error"] == 2


def test_sigma_dependence() -> None:
    # relu is positively homogeneous: NLC_τ does not depend on σ
    assert nlc_tau("relu", 3.0) == pytest.approx(nlc_tau("relu", 1.0), rel=1e-12)
    # tanh becomes linear as σ -> 0
    assert nlc_tau("tanh", 0.01) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("bad", [0, -2, 1.5])
def test_bad_depth(bad: object) -> None:
    with pytest.raises(ValueError, match="depth"):
        nlc_tau_summary("relu", depth=bad)  # type: ignore[arg-type]


def test_constant_activation() -> None:
    with pytest.raises(ValueError, match="constant"):
        nlc_tau("polynomial(coeffs=[2])")
