"""Harmonic distortion (seed 000 eq 5, 6, 10; B.4), spectral summaries, blueshift prediction."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringing.theory.harmonics import (
    autoconvolve,
    distort,
    fractal_exponent,
    gradient_norm,
    normalise_power,
    predict_walk_spectra,
    spectral_bandwidth,
    spectral_centroid,
)

_SETTINGS = settings(max_examples=25, deadline=None)


def _hermitian(rng: np.random.Generator, k: int) -> np.ndarray:
    z = rng.normal(size=k + 1) + 1j * rng.normal(size=k + 1)
    z[0] = z[0].real
    return np.concatenate([np.conj(z[:0:-1]), z])  # indices -K..K


# --- distort / autoconvolve -------------------------------------------------------------------


@_SETTINGS
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 6), deg=st.integers(0, 6))
def test_distort_matches_sampled_fft(seed: int, k: int, deg: int) -> None:
    rng = np.random.default_rng(seed)
    z = _hermitian(rng, k) / (2 * k + 1)
    a = rng.normal(size=deg + 1)
    out = distort(a, z, real=True)
    assert out.size == 2 * max(deg, 0) * k + 1 if deg else out.size == 1
    # sample phi(p(t)) finely (more points than the band limit: no aliasing) and FFT
    n = 4 * (deg * k + 1) + 16
    t = np.arange(n) / n
    ks = np.arange(-k, k + 1)
    p = (z[None, :] * np.exp(2j * np.pi * t[:, None] * ks[None, :])).sum(axis=1).real
    f = np.polynomial.polynomial.polyval(p, a)
    coef = np.fft.fft(f) / n
    half = out.size // 2
    want = np.concatenate([coef[n - half:], coef[: half + 1]]) if half else coef[:1]
    np.testing.assert_allclose(out, want, atol=1e-10 * max(1.0, float(np.abs(f).max())))


@_SETTINGS
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 5), j=st.integers(1, 6))
def test_autoconvolution_support_band_limited(seed: int, k: int, j: int) -> None:
    """B.4: |z_k| > 0 exactly for |k| <= K gives support exactly |k| <= jK."""
    rng = np.random.default_rng(seed)
    mag = rng.uniform(0.2, 1.0, size=2 * k + 1)
    z = mag * np.exp(1j * rng.uniform(0, 2 * np.pi, size=2 * k + 1))
    out = autoconvolve(z, j)
    assert out.size == 2 * j * k + 1  # indices -jK..jK: nothing beyond
    ref = np.array([1.0 + 0j])
    for _ in range(j):
        ref = np.convolve(ref, z)
    # the FFT's round-off is absolute, a multiple of eps * max|ref| (not relative to each entry)
    atol = 1e-11 * float(np.abs(ref).max())
    np.testing.assert_allclose(out, ref, atol=atol)
    # the extreme coefficients are the single products z_{+-K}^j: resolved and nonzero
    # (|z|^j >= 0.2^6 = 6.4e-5 and max|ref| <= 11^6, so |z_{+-K}^j| >= 3.6 atol)
    for got, zk in ((out[0], z[0]), (out[-1], z[-1])):
        assert abs(got - zk ** j) <= atol
        assert abs(zk ** j) > 3 * atol


@_SETTINGS
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 6))
def test_autoconvolution_spread_grows_like_sqrt_j(seed: int, k: int) -> None:
    """B.4 (central limit): for positive real z the spread of z^(*j) is sqrt(j) times z's."""
    rng = np.random.default_rng(seed)
    z = rng.uniform(0.05, 1.0, size=2 * k + 1)

    def spread(c: np.ndarray) -> float:
        kk = np.arange(c.size) - c.size // 2
        w = c / c.sum()
        m = (w * kk).sum()
        return float(np.sqrt((w * (kk - m) ** 2).sum()))

    s1 = spread(z)
    for j in (2, 4, 9, 16):
        assert spread(autoconvolve(z, j)) == pytest.approx(np.sqrt(j) * s1, rel=1e-8)


def test_distort_bad_input() -> None:
    with pytest.raises(ValueError, match="Hermitian"):
        distort([0, 1, 1], np.array([0.3 + 0.1j, 1.0, 0.2]), real=True)
    with pytest.raises(ValueError, match="odd length"):
        distort([0, 1], np.ones(4))
    with pytest.raises(ValueError):
        autoconvolve(np.ones(3), -1)
    with pytest.raises(ValueError):
        distort([np.nan, 1.0], np.ones(3))


# --- spectral summaries -------------------------------------------------------------------------


def test_summaries_closed_forms() -> None:
    p = np.zeros(10)
    p[2] = 3.0  # all power at k = 3
    assert spectral_centroid(p) == 3.0
    assert spectral_bandwidth(p) == 0.0
    np.testing.assert_allclose(normalise_power(p).sum(), 1.0)
    k = np.arange(1, 65, dtype=float)
    fit = fractal_exponent(2.0 * k ** (-2 * 1.3))  # amplitude ~ k^-1.3
    assert fit.h == pytest.approx(1.3, abs=1e-12)
    assert fit.h_ci[0] == pytest.approx(1.3, abs=1e-9) and fit.h_ci[1] == pytest.approx(1.3,
                                                                                          abs=1e-9)
    # ||p'|| of p(t) = cos(2 pi k t): z_{+-k} = 1/2, ||p'||_2 = 2 pi k / sqrt(2)
    p2 = np.zeros(10)
    p2[3] = 0.25
    assert gradient_norm(p2) == pytest.approx(2 * np.pi * 4 / np.sqrt(2))
    with pytest.raises(ValueError):
        fractal_exponent(np.array([1.0, 0.0, 0.0, 0.0]))
    with pytest.raises(ValueError):
        normalise_power(np.array([1.0, -1.0]))


@_SETTINGS
@given(seed=st.integers(0, 2**31 - 1), h=st.floats(0.2, 3.0), noise=st.floats(0.0, 0.3))
def test_fractal_fit_vectorised_and_covers(seed: int, h: float, noise: float) -> None:
    rng = np.random.default_rng(seed)
    k = np.arange(1, 101, dtype=float)
    p = k ** (-2 * h) * np.exp(noise * rng.normal(size=(3, k.size)))
    fit = fractal_exponent(p)
    assert np.shape(fit.h) == (3,)
    for i in range(3):
        single = fractal_exponent(p[i])
        assert single.h == pytest.approx(float(np.asarray(fit.h)[i]), rel=1e-12)
    assert np.all(np.abs(np.asarray(fit.h) - h) < 0.15 + 1e-9)
    # scale invariance of the centroid
    assert np.allclose(spectral_centroid(p), spectral_centroid(5 * p))


# --- blueshift through depth --------------------------------------------------------------------

_STANDARD = {"relu": np.sqrt(2.0), "tanh": 1.0, "softplus": 1.0}  # He / LeCun initialisation


def test_blueshift_ordering_relu_tanh_softplus() -> None:
    """seed 000 §3.3 / Fig. 3a: at depth, relu blueshifts most, then tanh, then softplus."""
    cent = {a: predict_walk_spectra(a, 20, path="loop", points=64, radius=0.2, weight_scale=w,
                                    continuous=False).spectral_centroid
            for a, w in _STANDARD.items()}
    assert cent["relu"][-1] > cent["tanh"][-1] > cent["softplus"][-1]
    for c in cent.values():  # blueshift: the centroid grows with depth
        assert c[-1] > c[0]


@pytest.mark.parametrize("radius", [0.3, 1.0])
def test_identity_loop_band_limited(radius: float) -> None:
    """A linear network is multilinear in W: on a loop, layer l is a trig polynomial of degree l."""
    r = predict_walk_spectra("identity", 6, path="loop", points=32, radius=radius,
                             weight_scale=1.0)
    assert r.effective_degree == 1
    assert r.power_continuous is not None
    for layer in range(1, 7):
        row, cont = r.power[layer - 1], r.power_continuous[layer - 1]
        top = (radius**2 / 2) ** layer  # the top harmonic k = l is there ...
        assert row[layer - 1] == pytest.approx(top, rel=1e-10)
        assert np.all(row[layer:] <= 1e-6 * top)  # ... and nothing above it (round-off only)
        assert np.all(cont[layer:] <= 1e-6 * top)
    # closed form: K^l(tau) = (1 + R^2 cos 2 pi tau)^l, so P_k = binomial weights
    from math import comb

    l = 3
    want = [sum(comb(l, m) * radius ** (2 * m) * comb(m, (m - k) // 2) / 2**m
                for m in range(k, l + 1) if (m - k) % 2 == 0) for k in range(1, l + 1)]
    np.testing.assert_allclose(r.power[l - 1, :l], want, rtol=1e-12)


def test_segment_first_relu_layer_h_is_one() -> None:
    """B.2, eq 14: |z_k| in O(1/k) on a segment; our convention gives h = 1."""
    r = predict_walk_spectra("relu", 2, path="segment", points=128, radius=0.5,
                             weight_scale=np.sqrt(2.0), kmax=16, continuous=False)
    h0 = r.fractal_exponent[0]
    assert h0 is not None and abs(h0 - 1.0) < 0.05


def test_loop_continuous_agrees_with_dft() -> None:
    r = predict_walk_spectra("tanh", 5, path="loop", points=64, radius=0.5,
                             approximation="hermite")
    assert r.power_continuous is not None and r.tail_mass is not None
    assert np.all(r.tail_mass < 1e-10)
    # aliasing is negligible at T = 64 for this walk: the two agree to the aliased mass
    np.testing.assert_allclose(r.power_continuous, r.power, atol=1e-8 * r.power.sum())


def test_prediction_matches_finite_width_numpy_walk() -> None:
    """The wide-limit prediction against a direct numpy walk at width N (tolerance ~ 1/sqrt N)."""
    rng = np.random.default_rng(0)
    n, depth, tn, radius, sw = 1024, 3, 32, 0.6, np.sqrt(2.0)
    t = np.arange(tn) / tn
    x = rng.normal(size=n)
    x *= np.sqrt(n) / np.linalg.norm(x)  # |x|^2 / n = 1
    acts = x[None, :].repeat(tn, axis=0)  # (T, N)
    powers = []
    for _ in range(depth):
        w, d1, d2 = (rng.normal(scale=sw / np.sqrt(n), size=(n, n)) for _ in range(3))
        h = acts @ w.T + radius * (np.cos(2 * np.pi * t)[:, None] * (acts @ d1.T)
                                   + np.sin(2 * np.pi * t)[:, None] * (acts @ d2.T))
        acts = np.maximum(h, 0.0)
        z = np.fft.rfft(acts, axis=0) / tn
        powers.append((np.abs(z[1: tn // 2 + 1]) ** 2).mean(axis=1))
    pred = predict_walk_spectra("relu", depth, path="loop", points=tn, radius=radius,
                                weight_scale=sw, continuous=False)
    sim = normalise_power(np.array(powers))
    theory = pred.normalised
    for layer in range(depth):
        np.testing.assert_allclose(sim[layer, :4], theory[layer, :4], rtol=0.25,
                                   atol=4 / np.sqrt(n) * theory[layer, 0])
        assert abs(spectral_centroid(sim[layer]) - pred.spectral_centroid[layer]) < 0.05


@pytest.mark.parametrize("kwargs", [{"depth": 0}, {"path": "circle"}, {"points": 4},
                                    {"radius": -1.0}, {"radius": [0.1, 0.2]},
                                    {"weight_scale": 0.0}, {"degree": -1}, {"interval": 0.0},
                                    {"approximation": "taylor"}])
def test_prediction_bad_input(kwargs: dict) -> None:
    base = {"depth": 3, "points": 16}
    base.update(kwargs)
    depth = base.pop("depth")
    with pytest.raises(ValueError):
        predict_walk_spectra("relu", depth, **base)


def test_chebyshev_model_guard() -> None:
    """seed 000's Chebyshev polynomial (eq 4) applied far outside [-A, A] is refused."""
    with pytest.raises(ValueError, match="outside"):
        predict_walk_spectra("relu", 10, points=16, radius=1.0, weight_scale=3.0,
                             approximation="chebyshev", continuous=False)


def test_cli_distort_and_blueshift() -> None:
    import json
    import subprocess
    import sys

    bad = subprocess.run([sys.executable, "-m", "ringing", "distort", "--coefficients", "0", "1",
                          "1", "--z", "0.3+0.1j", "1", "0.2", "--real"], capture_output=True,
                         text=True)
    assert bad.returncode == 2 and "Hermitian" in bad.stderr and bad.stdout == ""
    ok = subprocess.run([sys.executable, "-m", "ringing", "blueshift", "identity", "--depth",
                         "2", "--points", "16", "--weight-scale", "1", "--json"],
                        capture_output=True, text=True, check=True)
    payload = json.loads(ok.stdout)
    assert len(payload["power"]) == 2 and len(payload["power"][0]) == 8


def test_walk_prediction_exact_kernel_limits_of_the_hermite_truncation() -> None:
    """The exact kernel map is the limit of the Hermite truncation: for relu the truncated
    centroid rises with the degree towards it; for a polynomial activation the two agree."""
    from ringing.theory.harmonics import predict_walk_spectra

    kw = {"path": "loop", "points": 64, "radius": 0.3, "continuous": False}
    exact = predict_walk_spectra("relu", 4, approximation="exact", **kw).spectral_centroid
    c25 = predict_walk_spectra("relu", 4, degree=25, approximation="hermite",
                               **kw).spectral_centroid
    c200 = predict_walk_spectra("relu", 4, degree=200, approximation="hermite",
                                **kw).spectral_centroid
    assert np.all(c25 < c200) and np.all(c200 < exact)
    assert np.all(exact - c200 < 0.25 * (exact - c25))
    poly = "polynomial(coeffs=[0, 1, 0.3, -0.1])"
    a = predict_walk_spectra(poly, 3, approximation="exact", **kw).power
    b = predict_walk_spectra(poly, 3, approximation="hermite", **kw).power
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-15)
    with pytest.raises(ValueError, match="needs path='loop'"):
        predict_walk_spectra("relu", 2, path="segment", approximation="exact")


def test_cli_blueshift_exact(capsys: pytest.CaptureFixture[str]) -> None:
    from ringing.cli import main

    assert main(["blueshift", "relu", "--depth", "2", "--points", "16", "--approximation",
                 "exact", "--no-continuous", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert "exact kernel map" in payload["method"] and len(payload["power"]) == 2
    assert main(["blueshift", "relu", "--depth", "2", "--path", "segment", "--approximation",
                 "exact", "--json"]) == 2
    cap = capsys.readouterr()
    assert cap.out == "" and "needs path='loop'" in cap.err
