"""Seed 001 beyond Experiment 1: perturbations, flower manifolds, digits with radial noise
(tiny settings; the measured results are in docs/training_beyond_1d.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from ringing.cli import main
from ringing.experiments.spectral_bias import (
    DigitsNoiseResult,
    digits_noise,
    digits_pixels,
    graph_dirichlet_ratio,
    manifold_classification,
    manifold_regression,
    mean_interval,
    perturbation,
    perturbation_statistics,
    spearman_rows,
)


def test_spearman_rows_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=7)
    v = rng.normal(size=(4, 3, 7))
    ref = np.array([[spearmanr(x, row).statistic for row in block] for block in v])
    np.testing.assert_allclose(spearman_rows(x, v), ref, atol=1e-12)
    assert np.isnan(spearman_rows(x, np.ones(7)))
    tied = np.array([[1.0, 1.0, 0.5, 0.5, 0.2, 0.9, 0.9]])
    assert spearman_rows(x, tied)[0] == pytest.approx(spearmanr(x, tied[0]).statistic)


def test_mean_interval_is_the_t_interval() -> None:
    from scipy import stats

    v = np.array([0.1, 0.4, 0.3, 0.9, 0.5])
    r = mean_interval(v)
    half = stats.t.ppf(0.975, 4) * v.std(ddof=1) / np.sqrt(5)
    assert r["mean"] == pytest.approx(v.mean())
    assert r["hi"] - r["mean"] == pytest.approx(half, rel=1e-10)


def test_perturbation_tiny_noise_changes_nothing_and_bound_holds() -> None:
    res = perturbation(frequencies=(1, 2, 3), sizes=(1e-9, 0.05), draws=4, n_samples=32,
                       depth=2, width=8, steps=20, lr=1e-2, seeds=2, record_every=10)
    assert res.relative_change.shape == (2, 2, 3)
    assert np.all(res.relative_change[0] < 1e-6)  # δ = 1e-9: the exact transform is continuous
    assert np.all(res.relative_change[1] > 1e-4)
    assert np.all(res.lipschitz_measured <= res.bound_spectral * (1 + 1e-9))
    assert np.all(res.bound_spectral <= res.bound_max_norm * (1 + 1e-9))
    assert res.layer_spectral.shape == (res.steps.size, 2, 3)
    p = res.payload()
    assert p["bound_holds"] and len(p["rank_correlation"]) == 2


def test_perturbation_statistics_closed_forms() -> None:
    """A perturbation that shrinks every coefficient by a factor 1 − a (no randomness): every
    statistic is a or 1 − a exactly; a pure ±Δ pair perpendicular to c raises the mean
    magnitude by √(1 + r²) − 1 (Jensen: random changes never lower E|c'| on average)."""
    rng = np.random.default_rng(0)
    c0 = rng.standard_normal((3, 5)) + 1j * rng.standard_normal((3, 5))
    a = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    cp = np.broadcast_to(c0 * (1 - a), (2, 2, 4, 3, 5))  # (P, ±, H, S, K)
    s = perturbation_statistics(c0, cp)
    for name in ("relative_change", "magnitude_change"):
        np.testing.assert_allclose(s[name], np.broadcast_to(a, (2, 3, 5)), rtol=1e-12)
    for name in ("magnitude_ratio", "coherent_ratio"):
        np.testing.assert_allclose(s[name], np.broadcast_to(1 - a, (2, 3, 5)), rtol=1e-12)
    assert np.all(s["magnitude_ratio_se"] < 1e-12)
    r = rng.uniform(0.1, 2.0, (1, 1, 3, 3, 5))  # |Δ|/|c| per pair
    delta = 1j * c0 * r * np.array([1.0, -1.0])[None, :, None, None, None]
    s = perturbation_statistics(c0, c0 + delta)
    np.testing.assert_allclose(s["magnitude_ratio"][0], np.sqrt(1 + r[0, 0] ** 2).mean(0) - 0,
                               rtol=1e-12)
    np.testing.assert_allclose(s["coherent_ratio"], 1.0, atol=1e-12)  # the pair cancels
    with pytest.raises(ValueError, match="2 antithetic pairs"):
        perturbation_statistics(c0, cp[:, :, :1])


@settings(max_examples=30, deadline=None)
@given(scale=st.floats(0.01, 100.0), phase=st.floats(-np.pi, np.pi),
       seed=st.integers(0, 2**16))
def test_perturbation_statistics_ignore_a_common_complex_factor(scale: float, phase: float,
                                                                 seed: int) -> None:
    """Every statistic is a ratio to |c_k|: multiplying c and c' by one complex number (the
    network's output scaled, or shifted in x) changes none of them."""
    rng = np.random.default_rng(seed)
    c0 = rng.standard_normal((2, 4)) + 1j * rng.standard_normal((2, 4))
    cp = c0 + 0.3 * (rng.standard_normal((3, 2, 3, 2, 4))
                     + 1j * rng.standard_normal((3, 2, 3, 2, 4)))
    z = scale * np.exp(1j * phase)
    a, b = perturbation_statistics(c0, cp), perturbation_statistics(z * c0, z * cp)
    for name in a:
        np.testing.assert_allclose(b[name], a[name], rtol=1e-9, atol=1e-12)


def test_antithetic_pairs_make_the_noise_second_order() -> None:
    """Halving δ: the standard error of the mean magnitude over antithetic pairs falls 4× (the
    first-order term cancels in each pair), that of independent draws only 2× — why the
    smallest δ on the grid is resolved (docs/training_beyond_1d.md)."""
    res = perturbation(frequencies=(1, 2, 3), sizes=(2e-5, 1e-5), draws=16, n_samples=32,
                       depth=2, width=16, steps=200, lr=1e-2, seeds=2, record_every=200)
    # the same directions at both sizes: the ratios are the powers of 2 up to O(δ)
    paired = res.magnitude_ratio_se[0] / res.magnitude_ratio_se[1]
    indep = res.magnitude_ratio_se_independent[0] / res.magnitude_ratio_se_independent[1]
    np.testing.assert_allclose(paired, 4.0, rtol=0.01)
    np.testing.assert_allclose(indep, 2.0, rtol=0.01)
    with pytest.raises(ValueError, match="even"):
        perturbation(frequencies=(1, 2, 3), sizes=(0.01,), draws=5, n_samples=32, steps=1)


def test_perturbation_same_seed_same_numbers() -> None:
    kw = dict(frequencies=(1, 2, 3), sizes=(0.01,), draws=4, n_samples=32, depth=2, width=8,
              steps=5, seeds=2)
    a, b = perturbation(**kw), perturbation(**kw)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.relative_change, b.relative_change)


def test_manifold_regression_batches_petals_and_seeds() -> None:
    res = manifold_regression(petals=(0, 3), frequencies=(2, 5, 9), n_samples=40, depth=2,
                              width=8, steps=10, seeds=2, record_every=5)
    assert res.delta.shape == (3, 2, 2, 3)
    assert res.input_frequency.shape == (2, 3)
    assert res.input_radius is not None and res.input_radius.shape == (2, 2)
    assert np.all((res.input_radius >= 0) & (res.input_radius <= 64 / 3.5))
    assert np.all(res.input_frequency[1] < res.input_frequency[0])
    with pytest.raises(ValueError, match="two petal"):
        manifold_regression(petals=(3,), steps=1)


def test_manifold_classification_shapes_and_labels() -> None:
    res = manifold_classification(petals=(0, 2), frequencies=(1, 3), n_samples=32, depth=2,
                                  width=8, steps=30, lr=1e-2, seeds=2)
    assert res.accuracy.shape == (2, 2, 2)
    assert np.all((res.accuracy >= 0) & (res.accuracy <= 1))
    # k = 1 is one sign change on the curve: learned to high accuracy in 30 steps
    assert res.train_accuracy[0].mean() > 0.7


def test_digits_noise_curves_dip_measures_and_data_frequency() -> None:
    x, y = digits_pixels((0, 1))
    assert x.shape[1] == 64 and 0 <= x.min() and x.max() <= 1 and set(np.unique(y)) == {0, 1}
    res = digits_noise(noise_frequencies=(1.0, 20.0), amplitudes=(0.5,), depth=1, width=8,
                       steps=6, seeds=2, record_every=2)
    assert res.val_loss.shape == (4, 2, 1, 2)
    np.testing.assert_allclose(res.dip, res.val_loss[-1] - res.val_loss.min(axis=0))
    # the half-rise step: after the minimum, at or above half way back (or the last step)
    v, hr = res.val_loss, res.half_rise_step
    for idx in np.ndindex(hr.shape):  # 4 curves
        curve = v[(slice(None),) + idx]
        j = int(np.searchsorted(res.steps, hr[idx]))
        assert j > curve.argmin() or j == len(curve) - 1
        assert curve[j] >= curve.min() + (curve[-1] - curve.min()) / 2 - 1e-12
    assert np.all(res.dip >= 0) and np.all((res.dip_depth >= 0) & (res.dip_depth <= 1))
    np.testing.assert_allclose(res.oscillations, np.array([1.0, 20.0])
                               * (res.norm_range[1] - res.norm_range[0]) / (2 * np.pi))
    r = np.linalg.norm(x, axis=1)
    w = np.sin(np.outer([1.0, 20.0], r))
    np.testing.assert_allclose(res.noise_offset_share,
                               w.mean(axis=1) ** 2 / (w**2).mean(axis=1), rtol=1e-12)
    assert res.label_energy < 0.01 < res.noise_energy.min()  # 0/1 are separate clusters
    with pytest.raises(ValueError, match="two different digits"):
        digits_pixels((3, 3))


def test_graph_dirichlet_ratio_closed_forms() -> None:
    """2 neighbours: a two-cluster label is 0 (no edge crosses), also scaled and shifted; an
    alternating ±1 on evenly spaced points of a circle is 2 (each neighbour differs by 2:
    2²/(2·1)); a linear function on a line matches the hand count; a constant is 0."""
    x = np.arange(20.0)[:, None]
    lab = (x[:, 0] >= 10).astype(float)
    lab_far = lab.copy()
    x_far = x + 100.0 * lab[:, None]  # clusters far apart: no edge crosses
    e = graph_dirichlet_ratio(x_far, np.stack([lab_far, 3.0 * lab_far + 7.0]), neighbours=2)
    np.testing.assert_allclose(e, 0.0, atol=1e-12)
    ring = np.stack([np.cos(2 * np.pi * np.arange(20) / 20),
                     np.sin(2 * np.pi * np.arange(20) / 20)], axis=1)
    alt = np.where(np.arange(20) % 2 == 0, 1.0, -1.0)
    np.testing.assert_allclose(graph_dirichlet_ratio(ring, alt, neighbours=2), 2.0, rtol=1e-12)
    lin = x[:, 0]
    # interior points: neighbours at ±1 (squared difference 1); ends: 1 and 2 apart (1, 4)
    num = (18 * 2 * 1 + 2 * (1 + 4)) / 40
    np.testing.assert_allclose(graph_dirichlet_ratio(x, lin, neighbours=2),
                               num / (2 * lin.var()), rtol=1e-12)
    assert graph_dirichlet_ratio(x, np.ones(20), neighbours=2) == 0.0
    with pytest.raises(ValueError, match="neighbours"):
        graph_dirichlet_ratio(x, lin, neighbours=20)


def _curves(v: np.ndarray) -> DigitsNoiseResult:
    v = np.asarray(v, dtype=float).reshape(-1, 1, 1, 1)
    return DigitsNoiseResult(noise_frequencies=np.array([1.0]), amplitudes=np.array([1.0]),
                             seeds=[0], steps=np.arange(v.shape[0]), val_loss=v,
                             train_loss=v, norm_range=(0.0, 1.0))


def test_dip_depth_is_the_valley_relative_to_its_lower_rim() -> None:
    """Monotone falling or rising: depth 0 (no dip), though final − min is large when rising;
    a valley 0.5 → 0.1 → 0.8: (0.5 − 0.1)/0.5."""
    assert _curves([0.5, 0.3, 0.2, 0.1]).dip_depth.item() == 0.0
    rising = _curves([0.5, 0.6, 0.9])
    assert rising.dip_depth.item() == 0.0 and rising.dip.item() == pytest.approx(0.4)
    assert _curves([0.5, 0.1, 0.8]).dip_depth.item() == pytest.approx(0.8)
    assert _curves([0.5, 0.0, 0.8]).dip_depth.item() == pytest.approx(1.0)


def test_cli_perturbation_json_and_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["simulate", "perturbation", "--frequencies", "1", "2", "3", "--sizes", "0.01",
               "--draws", "4", "--samples", "32", "--depth", "2", "--width", "8",
               "--steps", "5", "--seeds", "2", "--json"])
    out, _ = capsys.readouterr()
    assert rc == 0
    d = json.loads(out)
    assert d["frequencies"] == [1.0, 2.0, 3.0] and d["bound_holds"] is True
    rc = main(["simulate", "perturbation", "--frequencies", "1", "2", "200", "--samples", "32",
               "--steps", "5", "--json"])
    out, err = capsys.readouterr()
    assert rc == 2 and out == "" and "Nyquist" in err and len(err.strip().splitlines()) == 1
    rc = main(["simulate", "perturbation", "--frequencies", "1", "2", "3", "--draws", "5",
               "--samples", "32", "--steps", "1", "--json"])
    out, err = capsys.readouterr()
    assert rc == 2 and out == "" and "even" in err and len(err.strip().splitlines()) == 1


def test_cli_digits_noise_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    """The text table names the wave and prints the dip depth; --standardize reaches the study;
    JSON has the depth, the oscillations and the data frequencies."""
    base = ["simulate", "digits-noise", "--noise-frequencies", "0.1", "3", "30",
            "--amplitudes", "1", "--depth", "1", "--width", "8", "--steps", "4", "--seeds", "2",
            "--record-every", "2"]
    assert main(base) == 0
    out, _ = capsys.readouterr()
    assert "raw wave" in out and "dip depth" in out and "Spearman(k, dip depth)" in out
    assert main(base + ["--standardize", "--json"]) == 0
    d = json.loads(capsys.readouterr()[0])
    assert d["config"]["standardize"] is True
    assert len(d["dip_depth_mean"]) == 3 and len(d["noise_graph_energy"]) == 3
    assert d["oscillations"][2] == pytest.approx(300 * d["oscillations"][0])


def test_correlation_intervals_stay_in_range() -> None:
    """A mean of rank correlations over 2 seeds has a t-interval of ±12.7·s/√2; clipped to
    [-1, 1] (the mean cannot leave it), never printed as [-12.71, 12.71]."""
    from ringing.experiments.spectral_bias import CORRELATION_RANGE, mean_ci, mean_interval

    v = np.array([[-1.0], [1.0]])
    raw = mean_interval(v)
    assert raw["lo"][0] < -10 and raw["hi"][0] > 10  # the unclipped t-interval
    m, lo, hi = mean_ci(v[:, 0], bounds=CORRELATION_RANGE)
    assert (m, lo, hi) == (0.0, -1.0, 1.0)
    m, lo, hi = mean_ci(np.array([0.5, 0.7, 0.6]), bounds=CORRELATION_RANGE)
    assert -1 < lo < m < hi < 1  # an interval inside the range is untouched
