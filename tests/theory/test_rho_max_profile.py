"""``rho_max_profile`` (seed 002 App. A.1): max over depth of the *minimum* over inputs of
P_l∘…∘P_1, against a dense grid over all of [−1, 1] computed here."""

from __future__ import annotations

import numpy as np

from ringing.theory.convexity import rho_max_profile
from ringing.theory.kernels import compose, critical_layer


def test_rho_max_profile_is_a_max_of_minima() -> None:
    layers = [critical_layer("erf")] * 6
    rho = np.linspace(-1.0, 1.0, 801)
    comp = np.asarray(compose(layers, rho))[1:]  # (L, grid)
    want = np.maximum.accumulate(comp.min(axis=1))
    got = rho_max_profile(layers, points=401)
    # the profile's grid on [-1, 0] is coarser: it may only sit above the dense minimum
    assert np.all(got >= want - 1e-12)
    assert np.all(got - want <= 1e-3)
    assert np.all(got < 0.9)  # far from the max over inputs (1 at rho = 1)
