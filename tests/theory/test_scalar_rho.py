"""A scalar ρ_0 works wherever an array does (found writing the Python quick start:
``propagate(layers, 0.5)`` raised inside the relu kernel's cancellation-free series)."""

from __future__ import annotations

import numpy as np
import pytest

from ringing.theory.families import sin_minus_theta_cos
from ringing.theory.kernels import Layer, compose, propagate


@pytest.mark.parametrize("theta", [0.1, 0.3, 1.0, 2.5])
def test_sin_minus_theta_cos_scalar_equals_array(theta: float) -> None:
    want = np.sin(theta) - theta * np.cos(theta)
    got0 = sin_minus_theta_cos(np.float64(theta))
    got1 = sin_minus_theta_cos(np.array([theta]))
    assert np.shape(got0) == () and float(got0) == pytest.approx(want, rel=1e-12)
    assert float(got1[0]) == float(got0)


@pytest.mark.parametrize("act", ["relu", "tanh", "lrelu(slope=0.2)"])
def test_propagate_scalar_rho0(act: str) -> None:
    layers = [Layer(act, sigma_w=2**0.5)] * 12
    r0, _ = propagate(layers, 0.5)
    r1, _ = propagate(layers, [0.5])
    assert np.shape(r0) == () and float(r0) == float(r1[0])
    assert float(compose(layers, 0.5)[-1]) == pytest.approx(float(r0), abs=1e-12)
