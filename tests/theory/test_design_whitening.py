"""The wide-limit NLC of the identity batchnorm network (:func:`batchnorm_whitening_nlc`).

Independent checks: the one-layer map against Monte Carlo of E[h_i²/Σ λ_k h_k²]; the
linearisation at the whitened point (contraction d/(d+2), derived from Dirichlet moments);
the deep limit against complete whitening mean(1/λ); Cauchy–Schwarz (NLC ≥ 1).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringing.theory.design import batchnorm_whitening_nlc, batchnorm_whitening_step


def test_step_matches_monte_carlo() -> None:
    rng = np.random.default_rng(3)
    lam = rng.uniform(0.2, 3.0, size=6)
    m = rng.uniform(0.5, 2.0, size=6)
    n = 400_000
    h = rng.standard_normal((n, 6)) * np.sqrt(m)
    samples = h**2 / (h**2 @ lam)[:, None]
    mc, se = samples.mean(axis=0), samples.std(axis=0) / math.sqrt(n)
    mc_norm = mc / (lam * mc).sum()  # the step's normalisation Σ λ m' = 1 (exact for mc too)
    got = batchnorm_whitening_step(m, lam)
    assert (lam * got).sum() == pytest.approx(1.0, rel=1e-12)
    assert np.all(np.abs(got - mc_norm) <= 5 * se / (lam * mc).sum() + 1e-12)


@settings(max_examples=20, deadline=None)
@given(st.integers(3, 40), st.integers(0, 2**31 - 1))
def test_contraction_at_the_whitened_point(d: int, seed: int) -> None:
    # λ_i m_i = 1/d (whitened); a zero-sum perturbation ε shrinks by d/(d+2) per layer
    # (E u_i = 1/d, E u_i u_k = (1 + 2δ_ik)/(d(d+2)) for u ~ Dirichlet(1/2, ..., 1/2)).
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.5, 2.0, size=d)
    eps = rng.standard_normal(d)
    eps -= eps.mean()
    eps *= 1e-6 / np.abs(eps).max()
    m = (1.0 + eps) / (d * lam)
    out = batchnorm_whitening_step(m, lam) * lam * d - 1.0
    assert np.allclose(out, eps * d / (d + 2), rtol=1e-4, atol=1e-11)


def test_deep_limit_is_complete_whitening() -> None:
    r = batchnorm_whitening_nlc(40, 5, 400, n_batches=64)
    assert r.nlc == pytest.approx(r.full, rel=1e-9)
    # b·S is Wishart(d, b − 1): E tr S⁻¹/d = b/(b − d − 2) (inverse-Wishart mean); one
    # batch's mean(1/λ) has a relative spread ≈ 0.1 here, 64 batches ≈ 0.0125: 4σ = 5 %
    assert r.full**2 == pytest.approx(40 / (40 - 5 - 2), rel=0.05)


def test_depth_one_is_d_over_trace() -> None:
    # no batchnorm: M = I/d, so tr M/tr(S M) = d/tr S of each sampled batch (same draws)
    b, d = 50, 10
    r = batchnorm_whitening_nlc(b, d, 1, n_batches=4, seed=7)
    xb = np.random.default_rng(7).standard_normal((4, b, d))
    xc = xb - xb.mean(axis=1, keepdims=True)
    tr = np.einsum("nbi,nbi->n", xc, xc) / b
    assert np.allclose(r.per_batch, d / tr, rtol=1e-12)
    shallow = batchnorm_whitening_nlc(250, 100, 2, n_batches=8)
    deep = batchnorm_whitening_nlc(250, 100, 20, n_batches=8)
    assert 1.0 < shallow.nlc < deep.nlc < deep.full


@settings(max_examples=20, deadline=None)
@given(st.integers(3, 30), st.integers(1, 10), st.integers(0, 2**31 - 1))
def test_whitening_favours_small_variance_directions(d: int, layers: int, seed: int) -> None:
    # m_i decreases as λ_i grows, so Σ m Σ λ ≥ d Σ λ m (Chebyshev's sum inequality):
    # tr M/tr(S M) ≥ d/tr S, the value of a data-independent map
    lam = np.random.default_rng(seed).uniform(0.05, 3.0, size=d)
    m = np.full(d, 1.0 / d)
    for _ in range(layers):
        m = batchnorm_whitening_step(m, lam)
        order = np.argsort(lam)
        assert np.all(np.diff(m[order]) <= 1e-15 * m.max())
        assert m.sum() * lam.sum() >= d * (lam * m).sum() * (1 - 1e-12)


@pytest.mark.parametrize("args", [(2, 10, 5), (250, 2, 5), (250, 10, 0), (250, 10, 2.5)])
def test_bad_input(args: tuple) -> None:
    with pytest.raises(ValueError):
        batchnorm_whitening_nlc(*args)
