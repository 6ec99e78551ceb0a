"""Simulation checks of designed networks (issue 19): DKS at width 1024 through the claims."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from ringing.validate.claims import catalogue  # noqa: E402
from ringing.validate.claims.design import (  # noqa: E402
    claim_dks_simulation,
    claim_init_cvalue_simulation,
    claim_lrelu_nlc_simulation,
    dks_finite_width_error,
    fit_width_law,
)


@pytest.mark.parametrize("base", ["softplus", "tanh"])
def test_dks_network_follows_composed_map(base: str) -> None:
    """Must-show 1 (simulation): 100 layers of the designed transform, width 1024, six seeds;
    the output correlation at rho_0 = 0.2, 0.5, 0.8 matches the composed C map within
    4 standard errors over seeds plus the derived O(L/N) allowance."""
    out = claim_dks_simulation(base, 2.0, width=1024, seeds=6, n_pairs=2)
    assert out.verdict == "pass", out.reason
    assert out.details["verdicts"] == ["pass"] * 3
    # the allowance is a derived number, small against the map's own change (0.5 -> 0.33)
    assert dks_finite_width_error(2.0, 100, 1024) < 0.04


def test_designed_bias_hits_correlation_target() -> None:
    """Initialisation family: the designed sigma_b sends rho_0 = 0.5 to 0.9 through 10 tanh
    LayerNorm layers of width 1024 (4 seeds x 4 pairs), within 4 stderr + O(L/N)."""
    out = claim_init_cvalue_simulation(1024, 4, 4)
    assert out.verdict == "pass", out.reason


def test_design_claims_registered() -> None:
    names = {c.name for c in catalogue()}
    for base in ("softplus", "tanh"):
        for z in ("1.5", "2", "5"):
            assert f"design/dks/{base}/zeta{z}" in names
        assert f"design/dks/{base}/simulation" in names
    assert sum(n.startswith("design/nlc_budget/") for n in names) == 8
    assert {"design/lrelu_nlc/theory", "design/lrelu_nlc/simulation", "design/init/tanh/cslope",
            "design/init/tanh/cvalue_simulation"} <= names


@pytest.mark.parametrize("designed, identity, verdict", [
    (1.2, 1.0, "fail"),                      # below the prediction
    (2.0, 1.0, "pass"),                      # on it
    (2.52, 2.52 / 2.305, "expected-difference"),  # above, ratio on the documented law
    (2.9, 1.0, "fail"),                      # above, but the law does not account for it
])
def test_lrelu_nlc_claim_verdicts(designed: float, identity: float, verdict: str) -> None:
    """Only a measurement above NLC_tau^(D-1) whose ratio to the identity network follows the
    documented R_inf + c/N law is the expected difference; below it, or an excess beyond the
    law, fails (the old rule, "anything above", would call the last case expected)."""
    from unittest import mock

    import ringing.validate.claims.design as d

    jitter = np.array([-0.002, 0.0, 0.002])
    fake = ("lrelu(slope=0.6473521455873443)", designed + jitter, identity + 0 * jitter)
    with mock.patch.object(d, "lrelu_nlc_samples", return_value=fake):
        out = d.claim_lrelu_nlc_simulation(width=1024, seeds=3, n_probe_batches=1)
    assert out.verdict == verdict, out.reason
    assert out.details["ratio_law"] == pytest.approx(2.154 + 154.7 / 1024, abs=2e-3)


def test_width_law_fit_recovers_a_known_law() -> None:
    rng = np.random.default_rng(0)
    true = {n: 2.0 + 150.0 / n + 1e-3 * rng.standard_normal(6) for n in (256, 512, 1024, 2048)}
    f = fit_width_law(true)
    assert f.a == pytest.approx(2.0, abs=4 * math.sqrt(f.cov[0, 0]))
    assert f.c == pytest.approx(150.0, abs=4 * math.sqrt(f.cov[1, 1]))
    assert f.chi2 < 20 and f.dof == 2
    m, se = f.predict(1024)
    assert m == pytest.approx(2.0 + 150.0 / 1024, abs=4 * se)
    # the wrong law shows in chi2 (exact data: 1/N is not a + c/sqrt(N))
    exact = {n: np.array([2.0 + 150.0 / n - 1e-3, 2.0 + 150.0 / n + 1e-3])
             for n in (256, 512, 1024, 2048)}
    assert fit_width_law(exact, 0.5).chi2 > 1e3
    with pytest.raises(ValueError):
        fit_width_law({256: [1.0, 2.0], 512: [1.0, 2.0]})


def test_designed_lrelu_network_follows_the_documented_law() -> None:
    """Must-show 2 (simulation, reduced): width 512, 3 seeds: the batchnorm-form NLC is above 2
    (not met within the stated error) and its ratio to the identity network is on the
    documented R_inf + c/N law (fitted at 256/512/2048 with 8/8/4 seeds; a regression check
    with fewer seeds and probes — the claim's own width 1024 was held out of the fit), so the
    verdict is the documented expected difference."""
    out = claim_lrelu_nlc_simulation(width=512, seeds=3, n_probe_batches=2)
    assert out.verdict == "expected-difference", out.reason
    assert out.simulation is not None and out.simulation > 2.3
    assert 1.05 < out.details["identity_nlc"] < 1.12
