"""The seed-000 CNN claims (ringing.validate.claims.seed000_cnn) in their quick versions."""

from __future__ import annotations

import pytest

from ringing.validate.claims import catalogue, evaluate


@pytest.mark.parametrize("name", ["seed000/cnn/alpha_one_band_limited",
                                  "seed000/cnn/fig5_depth_ordering",
                                  "seed000/cnn/fig4_loss_path_ordering",
                                  "seed000/cnn/fig12_delta_orthogonal_radius",
                                  "seed000/cnn/fig15_layer_only"])
def test_quick_claim_passes(name: str) -> None:
    (claim,) = [c for c in catalogue() if c.name == name]
    r = evaluate(claim, quick=True)
    assert r.verdict == "pass", r.reason
    if name.endswith("band_limited"):
        assert r.details["tail_alpha1"] <= 1e-20 and r.details["tail_alpha0"] > 1e-8
    lo, hi = r.simulation_ci
    assert 0 < lo <= r.simulation <= hi
