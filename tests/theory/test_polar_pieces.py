"""The exact-in-r polar rule for activations that are polynomial on every piece (issue 12):
against the 2-D Gauss–Legendre polar rule at high resolution, structure not names."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from ringing.activations import get_activation, x
from ringing.theory.families import polynomial_pieces
from ringing.theory.gauss_kernel import covariance_result
from ringing.theory.gaussian import _condition_set, polar_covariance, polar_covariance_pieces

RHO = np.concatenate([np.cos(np.linspace(0.0, np.pi, 7)), [1 - 1e-10, -1 + 1e-10]])


@pytest.mark.parametrize("spec", ["htanh", "relu(x - 0.5)", "odd_square",
                                  "htanh(2*x) + relu(x + 0.3)", "abs(x - 1)*relu(x)"])
@pytest.mark.parametrize("sigma", [0.5, 3.0])
def test_exact_in_r_matches_the_2d_rule(spec: str, sigma: float) -> None:
    a = get_activation(spec)
    got = polynomial_pieces(a.expr)
    assert got is not None
    lows = np.asarray(got[0]) / sigma
    coef = np.asarray(got[1]) * sigma ** np.arange(len(got[1][0]))
    want = polar_covariance(lambda v: a.numpy(sigma * v), tuple(lows[1:]), RHO,
                            t_panels=48, r_panels=16, r_max=13.0)
    val = polar_covariance_pieces(lows, coef, RHO)
    scale = max(1.0, float(np.max(np.abs(want))))
    assert np.max(np.abs(val - want)) / scale < 2e-15


def test_pieces_read_from_structure_not_name() -> None:
    a, b = get_activation("htanh"), get_activation("relu(x + 1) - relu(x - 1) - 1")
    assert polynomial_pieces(a.expr) == polynomial_pieces(b.expr)
    assert polynomial_pieces(get_activation("elu").expr) is None  # exp on a piece
    assert polynomial_pieces(get_activation("softsign").expr) is None
    ra = covariance_result("htanh", RHO, sigma=3.0)
    rb = covariance_result("relu(x + 1) - relu(x - 1) - 1", RHO, sigma=3.0)
    assert "exact in r" in ra.method and "exact in r" in rb.method
    np.testing.assert_allclose(ra.value, rb.value, rtol=0, atol=1e-13)


@pytest.mark.parametrize("cond", [x < -1, x > 1, x <= 0.5, 2 * x - 1 >= 0, -x < 3,
                                  sp.And(x > -1, x <= 1), x < sp.Rational(1, 3),
                                  sp.Or(x < -1, x > 1)])
def test_condition_set_equals_sympy(cond: sp.Basic) -> None:
    assert _condition_set(cond) == cond.as_set()
