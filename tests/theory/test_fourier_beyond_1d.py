"""Batched exact Fourier transform of 1-D ReLU networks, eq 7 batched, and the flower curves
of seed 001 §4 / App. C.7."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringing.theory.fourier import (
    cpwl_fourier,
    flower_curve,
    flower_max_speed,
    flower_speed,
    lipschitz_bounds,
    lipschitz_bounds_batched,
    manifold_frequency_reach,
    manifold_input_frequency,
    relu_network_forward,
    relu_network_pieces,
    relu_network_pieces_batched,
)


def _nets(b: int, widths: list[int], seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 1 / np.sqrt(fi), (b, fo, fi)), rng.normal(0, 0.5, (b, fo)))
            for fi, fo in zip(widths[:-1], widths[1:], strict=True)]


def test_batched_pieces_are_exact_for_every_network() -> None:
    nets = _nets(6, [1, 12, 12, 1], 0)
    knots, values = relu_network_pieces_batched(nets, (-2.0, 3.0))
    xs = np.linspace(-2.0, 3.0, 2001)
    for i in range(6):  # a check per network against the plain forward pass
        one = [(w[i], b[i]) for w, b in nets]
        np.testing.assert_allclose(np.interp(xs, knots[i], values[i]),
                                   relu_network_forward(one, xs), atol=1e-12)
        np.testing.assert_allclose(np.unique(knots[i]), relu_network_pieces(one, (-2, 3)).knots)


def test_batched_fourier_matches_fine_quadrature() -> None:
    nets = _nets(4, [1, 16, 16, 1], 1)
    knots, values = relu_network_pieces_batched(nets, (0.0, 1.0))
    k = np.array([0.0, 1.0, 3.0, 7.5, 20.0])
    c = cpwl_fourier(knots, values, k)
    n = 400_000
    x = (np.arange(n) + 0.5) / n  # midpoint rule, error O(n^-2 · k^2)
    f = np.stack([relu_network_forward([(w[i], b[i]) for w, b in nets], x) for i in range(4)])
    ref = (f[:, None, :] * np.exp(-2j * np.pi * k[:, None] * x)).mean(axis=2)
    np.testing.assert_allclose(c, ref, atol=2e-7)


def test_padding_with_empty_pieces_changes_nothing() -> None:
    t = np.array([0.0, 0.3, 0.5, 1.0])
    v = np.array([0.0, 1.0, -0.5, 0.2])
    tp = np.array([0.0, 0.3, 0.3, 0.5, 1.0, 1.0, 1.0])
    vp = np.array([0.0, 1.0, 1.0, -0.5, 0.2, 0.2, 0.2])
    k = np.arange(6)
    np.testing.assert_allclose(cpwl_fourier(tp, vp, k), cpwl_fourier(t, v, k), atol=1e-15)


def test_lipschitz_batched_matches_single_and_bounds() -> None:
    nets = _nets(5, [1, 8, 8, 1], 2)
    r = lipschitz_bounds_batched(nets)
    for i in range(5):
        one = lipschitz_bounds([(w[i], b[i]) for w, b in nets])
        assert r["spectral"][i] == pytest.approx(one.spectral, rel=1e-12)
        assert r["theta_inf"][i] == pytest.approx(one.theta_inf, rel=1e-12)
        assert r["spectral"][i] <= r["max_norm"][i] * (1 + 1e-12)
    assert r["layer_spectral"].shape == (5, 3)


@given(st.integers(0, 40))
def test_flower_max_speed_closed_form_matches_grid(petals: int) -> None:
    z = np.linspace(0, 1, 200_001)
    assert flower_max_speed(petals) == pytest.approx(flower_speed(z, petals).max(), rel=1e-6)


@given(st.integers(0, 12))
def test_flower_speed_is_the_derivative(petals: int) -> None:
    z = np.linspace(0.01, 0.99, 50)
    h = 1e-6
    step = flower_curve(z + h, petals) - flower_curve(z - h, petals)
    fd = np.linalg.norm(step, axis=-1) / (2 * h)
    np.testing.assert_allclose(flower_speed(z, petals), fd, rtol=1e-6)


def test_l0_flower_is_the_unit_circle() -> None:
    z = np.linspace(0, 1, 17)
    np.testing.assert_allclose(np.linalg.norm(flower_curve(z, 0), axis=-1), 1.0)
    with pytest.raises(ValueError, match="petals"):
        flower_curve(z, -1)


@pytest.mark.parametrize("petals", [0, 4, 10])
def test_stationary_phase_reach_of_a_plane_wave(petals: int) -> None:
    """App. C.7: exp(2πi k·γ_L(z)) carries manifold frequencies up to ‖k‖ max‖γ_L'‖ only."""
    kvec = np.array([8.0, 6.0])
    n = 8192
    z = np.arange(n) / n
    g = np.exp(2j * np.pi * flower_curve(z, petals) @ kvec)
    c = np.abs(np.fft.fft(g)) / n
    freq = np.abs(np.fft.fftfreq(n, 1 / n))
    reach = float(manifold_frequency_reach(np.linalg.norm(kvec), petals))
    assert c[freq > 1.5 * reach].max() < 1e-6  # beyond the edge: exponentially small
    assert c[(freq > 0.8 * reach) & (freq <= reach)].max() > 1e-3  # near the edge: present
    assert manifold_input_frequency(reach, petals) == pytest.approx(np.linalg.norm(kvec))
