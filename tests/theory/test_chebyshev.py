"""Chebyshev approximations, exact monomials, Table 1 of seed 000 (F.1), error estimates."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from numpy.polynomial import chebyshev as npcheb

from ringing.activations import get_activation, list_activations
from ringing.reference import load_reference
from ringing.theory.chebyshev import (
    TABLE1_SPECS,
    cheb_to_monomial,
    chebyshev_approximation,
    chop_chebyshev,
    decay_rate,
    table1_coefficients,
)

# the one printing error of Table 1 (see the reference JSON's notes and docs/chebyshev.md):
# row 'lrelu -0.75', x^16 is printed -2.725753E-06; the fit gives -2.7257753E-06 (a dropped 7)
MISPRINT = ("lrelu -0.75", 16, -2.7257753e-06)


@pytest.mark.parametrize("row", list(TABLE1_SPECS))
def test_table1_reproduced(row: str) -> None:
    ref = np.array(load_reference("chebyshev_table1")["coefficients"][row], dtype=float)
    ours = table1_coefficients(row)
    assert ours.shape == (26,)
    big = np.abs(ref) > 1e-9 * np.abs(ref).max()
    rel = np.abs(ours[big] - ref[big]) / np.abs(ref[big])
    idx = np.flatnonzero(big)
    for j, r in zip(idx.tolist(), rel.tolist(), strict=True):
        if (row, j) == MISPRINT[:2]:
            assert r > 5e-6  # the printed value really is off ...
            assert abs(ours[j] - MISPRINT[2]) / abs(MISPRINT[2]) < 1e-6  # ... by a dropped digit
        else:
            assert r < 1e-6, f"{row} a_{j}: {ours[j]!r} vs printed {ref[j]!r}"
    # entries printed at 1e-14 and below are round-off of coefficients zero by symmetry
    assert np.all(np.abs(ours[~big]) < 1e-9 * np.abs(ref).max())


def test_table1_cli_preset() -> None:
    out = subprocess.run([sys.executable, "-m", "ringing", "chebyshev", "relu", "--preset",
                          "ringing-relus-table1", "--json"], capture_output=True, text=True,
                         check=True)
    payload = json.loads(out.stdout)
    assert payload["basis"] == "monomial"
    assert len(payload["coefficients"]) == 26
    assert payload["coefficients"][1] == pytest.approx(0.5, rel=1e-9)


_FINITE = [n for n in list_activations() if n not in ("hermite", "polynomial")]


@pytest.mark.parametrize("degree", [10, 25, 50])
def test_sup_error_estimate_within_factor_2(degree: int) -> None:
    x = np.linspace(-5, 5, 200_001)
    for name in _FINITE:
        a = get_activation(name)
        r = chebyshev_approximation(a, degree, 5.0)
        xs = np.unique(np.concatenate([x, [k for k in a.kinks if abs(k) <= 5]]))
        true = float(np.max(np.abs(a.numpy(xs) - r(xs))))
        assert r.sup_error is not None
        if true < 1e-13:  # at round-off level (polynomial activations) both are tiny
            assert r.sup_error < 1e-12
            continue
        assert 0.5 <= r.sup_error / true <= 2.0, (name, degree, r.sup_error, true)


def test_exact_monomials_match_rational_arithmetic() -> None:
    # sum t_n T_n(x/A) with t = e_n gives T_n's integer coefficients / A^j exactly
    for n in (5, 30, 60):
        t = np.zeros(n + 1)
        t[n] = 1.0
        a = cheb_to_monomial(t, 2.0)
        c = npcheb.cheb2poly(t)  # integers, exact in float64 up to 2^53
        if n <= 30:
            np.testing.assert_array_equal(a, c / 2.0 ** np.arange(n + 1))
    # a degree-60 fit: the exact conversion is correctly rounded, float cheb2poly is not
    r = chebyshev_approximation("tanh", 60, 1.0)
    exact = [sum(Fraction(tn) * Fraction(int(cj)) for tn, cj in
                 zip(r.chebyshev[j:].tolist(), [npcheb.cheb2poly(np.eye(61)[m])[j]
                                                for m in range(j, 61)], strict=True))
             for j in (1, 31, 59)]
    for j, e in zip((1, 31, 59), exact, strict=True):
        assert r.monomial[j] == float(e)


def test_polynomial_activations_recovered() -> None:
    r = chebyshev_approximation("square", 25, 3.0)
    t = chop_chebyshev(r.chebyshev)
    assert t.size == 3
    np.testing.assert_allclose(cheb_to_monomial(t, 3.0), [0, 0, 1], atol=1e-13)
    assert chop_chebyshev(chebyshev_approximation("identity", 25, 5.0).chebyshev).size == 2


def test_decay_kinds() -> None:
    relu = chebyshev_approximation("relu", 50, 5.0)
    soft = chebyshev_approximation("softplus", 50, 5.0)
    tanh = chebyshev_approximation("tanh", 50, 5.0)
    assert relu.chebyshev_decay is not None and relu.chebyshev_decay.kind == "algebraic"
    assert 1.7 < relu.chebyshev_decay.algebraic_rate < 2.2  # |t_j| = 4A/(pi (j^2-1)), even j
    assert soft.chebyshev_decay is not None and soft.chebyshev_decay.kind == "geometric"
    assert tanh.chebyshev_decay is not None and tanh.chebyshev_decay.kind == "geometric"
    # seed 000 Fig. 2/19: softplus drops off fastest, then tanh, then relu
    assert soft.chebyshev_decay.geometric_rate > tanh.chebyshev_decay.geometric_rate > \
        relu.chebyshev_decay.geometric_rate
    with pytest.raises(ValueError):
        decay_rate([1.0, 0.0, 0.0])


def test_lstsq_and_interpolation_agree_for_smooth() -> None:
    a = chebyshev_approximation("tanh", 25, 5.0)
    b = chebyshev_approximation("tanh", 25, 5.0, fit="lstsq", grid=4000)
    assert a.sup_error is not None and b.sup_error is not None
    assert b.sup_error < 3 * a.sup_error


@pytest.mark.parametrize("kwargs", [{"degree": -1}, {"degree": 2.5}, {"interval": 0.0},
                                    {"interval": -1.0}, {"interval": float("inf")},
                                    {"fit": "spline"}, {"preset": "nope"},
                                    {"fit": "lstsq", "grid": 5}])
def test_bad_input(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        chebyshev_approximation("relu", **kwargs)


def test_bad_input_cli() -> None:
    for argv in (["--degree", "-1"], ["--interval", "0"]):
        out = subprocess.run([sys.executable, "-m", "ringing", "chebyshev", "relu", *argv],
                             capture_output=True, text=True)
        assert out.returncode == 2
        assert out.stdout == ""
        assert len(out.stderr.strip().splitlines()) == 1
