"""Tests of ringing.theory.fourier (seed 001 §2, eq 7, App. C.6; seed 003 eq 1, 2, §2.1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringing.theory.fourier import (
    PiecewiseLinear,
    check_nyquist,
    lipschitz_bounds,
    measured_lipschitz,
    nonuniform_dft,
    piecewise_linear_fourier,
    quantized_target,
    relative_error,
    relu_network_forward,
    relu_network_fourier,
    relu_network_pieces,
    sine_mixture,
    spectrum_peaks,
)


def _random_relu_net(seed: int, widths: tuple[int, ...] = (1, 12, 12, 12, 1),
                     ) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, np.sqrt(2.0 / fi), size=(fo, fi)), rng.normal(0, 0.5, size=fo))
            for fi, fo in zip(widths[:-1], widths[1:], strict=True)]


# ---------------------------------------------------------------- seed 001


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_pieces_reproduce_the_network(seed: int) -> None:
    """The CPWL representation is the network: agrees at 5001 points to round-off."""
    ws = _random_relu_net(seed)
    pwl = relu_network_pieces(ws, (-3.0, 3.0))
    xs = np.linspace(-3.0, 3.0, 5001)
    ref = relu_network_forward(ws, xs)
    scale = 1.0 + np.abs(ref).max()
    assert np.abs(pwl(xs) - ref).max() <= 1e-12 * scale
    # every knot is a genuine kink or an end: the slope changes there (no spurious knots
    # beyond round-off merging) and no kink is missed (checked above by the fit)
    assert pwl.knots[0] == -3.0 and pwl.knots[-1] == 3.0
    assert np.all(np.diff(pwl.knots) > 0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_fourier_matches_fine_fft(seed: int) -> None:
    """Must show: the closed form (seed 001 Thm 1 in 1-D) equals a fine FFT of samples.

    The trapezoid DFT ``(Σ_{j<n} f(x_j) e_j + (f(b) − f(a))/2)/n`` has error
    O(h²) for a CPWL integrand: ≤ h²/12 · (ω² ∫|f| + 2ω ∫|f'|)/L plus h²/4 · Σ|Δs|/L
    from the kinks.  The tolerance is that bound.
    """
    ws = _random_relu_net(seed)
    a, b = -2.0, 2.0
    length = b - a
    n = 2**15
    h = length / n
    xs = a + h * np.arange(n)
    f = relu_network_forward(ws, xs)
    fb = relu_network_forward(ws, np.array([b]))[0]
    k = np.arange(0, 40)
    fft = (np.fft.fft(f)[: k.size] + (fb - f[0]) / 2) / n
    pwl = relu_network_pieces(ws, (a, b))
    exact = relu_network_fourier(ws, k, (a, b))
    omega = 2 * np.pi * k / length
    s = pwl.slopes
    int_f = np.abs(f).sum() * h
    int_df = np.abs(s * np.diff(pwl.knots)).sum()
    jumps = np.abs(np.diff(s)).sum()
    bound = h**2 / 12 * (omega**2 * int_f + 2 * omega * int_df) / length \
        + h**2 / 4 * jumps / length
    assert np.all(np.abs(exact - fft) <= 2 * bound + 1e-13)
    # and the coefficients are not trivially small
    assert np.abs(exact[1:5]).max() > 1e-3


def test_fourier_of_known_functions() -> None:
    """Closed forms: the hat function and a linear ramp."""
    # ramp f(x) = x on [0, 1]: c_0 = 1/2, c_k = i/(2πk)
    ramp = PiecewiseLinear(knots=np.array([0.0, 1.0]), values=np.array([0.0, 1.0]))
    k = np.arange(0, 6)
    c = piecewise_linear_fourier(ramp, k)
    expected = np.concatenate([[0.5], 1j / (2 * np.pi * k[1:])])
    np.testing.assert_allclose(c, expected, atol=1e-15)
    # hat on [0, 1] with peak 1 at 1/2: c_0 = 1/2, c_k = (-1)^k (1 - (-1)^k) / (π² k²)
    hat = PiecewiseLinear(knots=np.array([0.0, 0.5, 1.0]), values=np.array([0.0, 1.0, 0.0]))
    c = piecewise_linear_fourier(hat, k)
    kk = k[1:]
    expected_hat = (-1.0) ** kk * (1 - (-1.0) ** kk) / (np.pi**2 * kk**2)
    np.testing.assert_allclose(c[0], 0.5, atol=1e-15)
    np.testing.assert_allclose(c[1:], expected_hat, atol=1e-15)


def test_kink_term_decays_as_k_squared() -> None:
    """A continuous periodic CPWL function has c_k = O(k⁻²) (seed 001 Thm 1, Δ = 1)."""
    hat = PiecewiseLinear(knots=np.array([0.0, 0.3, 1.0]), values=np.array([0.0, 1.0, 0.0]))
    k = np.array([11.0, 101.0, 1001.0])
    c = np.abs(piecewise_linear_fourier(hat, k))
    assert np.all(c * k**2 < 1.0) and np.all(c * k**2 > 1e-3)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_lipschitz_bound_holds(seed: int) -> None:
    """Must show: measured ≤ Π‖W‖₂ ≤ Π √(n_in n_out) max|W| ≤ ‖θ‖_∞^L √d Π n_l (seed 001 eq 7)."""
    ws = _random_relu_net(seed, (1, 8, 16, 8, 1))
    pwl = relu_network_pieces(ws, (-5.0, 5.0))
    lb = lipschitz_bounds(ws)
    lip = measured_lipschitz(pwl)
    assert lip <= lb.spectral * (1 + 1e-12)
    assert lb.spectral <= lb.max_norm * (1 + 1e-12)
    assert lb.max_norm <= lb.theta_inf * (1 + 1e-12)
    # the measured constant is the largest finite-difference slope
    xs = np.linspace(-5.0, 5.0, 20001)
    fd = np.abs(np.diff(relu_network_forward(ws, xs)) / np.diff(xs)).max()
    assert fd <= lip * (1 + 1e-9)


def test_bad_networks_and_intervals() -> None:
    ws = _random_relu_net(0)
    with pytest.raises(ValueError, match="interval"):
        relu_network_pieces(ws, (1.0, 1.0))
    with pytest.raises(ValueError, match="layer"):
        relu_network_pieces([(np.ones((3, 2)), np.ones(3))], (0.0, 1.0))
    with pytest.raises(ValueError, match="at least one layer"):
        relu_network_pieces([], (0.0, 1.0))


# ---------------------------------------------------------------- seed 003


def test_quantized_target_values() -> None:
    """eq 2: α Round(f0/α), halves away from zero, odd f0 stays odd."""
    x = np.array([-1.0, -0.26, -0.25, -0.2, 0.0, 0.2, 0.25, 0.26, 0.74, 1.0])
    y = quantized_target("x", 0.5, x)
    np.testing.assert_array_equal(y, [-1.0, -0.5, -0.5, 0.0, 0.0, 0.0, 0.5, 0.5, 0.5, 1.0])
    np.testing.assert_array_equal(quantized_target("x", 0.5, -x), -y)
    # with noise: added to f0 before rounding
    np.testing.assert_array_equal(quantized_target("x", 0.5, np.zeros(2), np.array([0.3, -0.3])),
                                  [0.5, -0.5])


@pytest.mark.parametrize("alpha", [0.0, -0.5, float("nan"), float("inf")])
def test_bad_alpha(alpha: float) -> None:
    with pytest.raises(ValueError, match="alpha"):
        quantized_target("x", alpha, np.linspace(-1, 1, 5))


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 64), st.integers(0, 1000))
def test_direct_sum_equals_fft_on_a_uniform_grid(n: int, seed: int) -> None:
    """The exact non-uniform sum is the DFT when the samples are evenly spaced (§2.1)."""
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(3, n))
    a, b = -1.5, 2.5
    x = a + (b - a) * np.arange(n) / n
    k = np.arange(n)
    np.testing.assert_allclose(nonuniform_dft(x, y, k, (a, b)), np.fft.fft(y, axis=-1),
                               atol=1e-10 * n)


def test_nonuniform_dft_batched_points() -> None:
    """One set of points per row gives the same as row by row."""
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-1, 1, size=(2, 30)), axis=1)
    y = rng.normal(size=(4, 2, 30))
    k = np.arange(1, 9)
    batched = nonuniform_dft(x, y, k, (-1, 1))
    for s in range(2):
        np.testing.assert_allclose(batched[:, s], nonuniform_dft(x[s], y[:, s], k, (-1, 1)),
                                   atol=1e-12)


def test_peaks_of_the_papers_targets() -> None:
    """seed 003 Fig 3a: 6 peaks in the first 40 components; Fig 4b: the three sines' peaks."""
    k = np.arange(1, 41)
    x = -1 + 2 * np.arange(600) / 600
    spec = np.abs(nonuniform_dft(x, quantized_target("x", 0.5, x), k, (-1, 1)))
    np.testing.assert_array_equal(spectrum_peaks(spec, k), [1, 4, 12, 20, 28, 36])
    # the valleys (every 8th index) are zero but for the unpaired end sample f(-1) = -1
    np.testing.assert_allclose(spec[[7, 15, 23, 31, 39]], 1.0, atol=1e-9)
    x = -10 + 20 * np.arange(600) / 600
    y = quantized_target("sin(x)+2*sin(3*x)+3*sin(5*x)", 2.0, x)
    peaks = spectrum_peaks(np.abs(nonuniform_dft(x, y, k, (-10, 10))), k, n_peaks=4)
    # sin(mx) on [-10, 10] sits at index 20m/(2π): 3.18, 9.55, 15.9
    np.testing.assert_array_equal(peaks[:3], [3, 10, 16])


def test_relative_error_definitions() -> None:
    """eq 1 is complex: a pure phase error counts; the magnitude variant misses it."""
    ft = np.array([1.0 + 0j, 2.0j])
    fm = np.array([-1.0 + 0j, 2.0j])
    np.testing.assert_allclose(relative_error(ft, fm), [2.0, 0.0])
    np.testing.assert_allclose(relative_error(ft, fm, kind="magnitude"), [0.0, 0.0])
    with pytest.raises(ValueError, match="zero"):
        relative_error(np.array([0.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="kind"):
        relative_error(ft, fm, kind="phase")


def test_nyquist_limit() -> None:
    """Frequencies at or above n/2 cannot be resolved by n samples: a clear error."""
    np.testing.assert_array_equal(check_nyquist([5, 50, 99], 200), [5, 50, 99])
    with pytest.raises(ValueError, match="Nyquist"):
        check_nyquist([5, 100], 200)
    with pytest.raises(ValueError, match="Nyquist"):
        check_nyquist([-1], 200)


def test_sine_mixture_spectrum() -> None:
    """Σ A_i sin(2πk_i x + φ_i) on n points: single-sided |DFT| 2|F|/n = A_i at k_i."""
    n = 200
    x = np.arange(n) / n
    k = np.array([5.0, 10.0, 50.0])
    amp = np.array([0.1, 0.5, 1.0])
    ph = np.array([[0.3, 1.0, 4.0]])
    y = sine_mixture(x, k, amp, ph)
    f = nonuniform_dft(x, y, k, (0, 1))
    np.testing.assert_allclose(2 * np.abs(f[0]) / n, amp, atol=1e-12)
