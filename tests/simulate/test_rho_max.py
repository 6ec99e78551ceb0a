"""``rho_max`` (seed 002 Theorem 1): max over layers of the *minimum* over the measured pairs."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from ringing.simulate.measure import rho_max  # noqa: E402


def test_rho_max_is_a_max_over_layers_of_a_min_over_pairs() -> None:
    c = np.array([[0.3, 0.2, 0.5, 0.4],
                  [0.9, 0.8, 0.95, 0.97]])  # two pairs (rows), layers 0..3
    # per layer l >= 1: min over pairs = 0.2, 0.5, 0.4; the max of those = 0.5
    assert rho_max(c) == 0.5
    assert rho_max(c[::-1]) == 0.5  # the order of the pairs does not matter
