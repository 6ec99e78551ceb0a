"""Seed 001 beyond Experiment 1: perturbations, flower manifolds, digits with radial noise
(tiny settings; the measured results are in docs/training_beyond_1d.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import spearmanr

from ringing.cli import main
from ringing.experiments.spectral_bias import (
    digits_noise,
    digits_pixels,
    manifold_classification,
    manifold_regression,
    mean_interval,
    perturbation,
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
    res = perturbation(frequencies=(1, 2, 3), sizes=(1e-9, 0.05), draws=2, n_samples=32,
                       depth=2, width=8, steps=20, lr=1e-2, seeds=2, record_every=10)
    assert res.relative_change.shape == (2, 2, 3)
    assert np.all(res.relative_change[0] < 1e-6)  # δ = 1e-9: the exact transform is continuous
    assert np.all(res.relative_change[1] > 1e-4)
    assert np.all(res.lipschitz_measured <= res.bound_spectral * (1 + 1e-9))
    assert np.all(res.bound_spectral <= res.bound_max_norm * (1 + 1e-9))
    assert res.layer_spectral.shape == (res.steps.size, 2, 3)
    p = res.payload()
    assert p["bound_holds"] and len(p["rank_correlation"]) == 2


def test_perturbation_same_seed_same_numbers() -> None:
    kw = dict(frequencies=(1, 2, 3), sizes=(0.01,), draws=2, n_samples=32, depth=2, width=8,
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


def test_digits_noise_standardised_wave_and_dip_definition() -> None:
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
    assert np.all(res.dip >= 0)
    with pytest.raises(ValueError, match="two different digits"):
        digits_pixels((3, 3))


def test_cli_perturbation_json_and_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["simulate", "perturbation", "--frequencies", "1", "2", "3", "--sizes", "0.01",
               "--draws", "2", "--samples", "32", "--depth", "2", "--width", "8",
               "--steps", "5", "--seeds", "2", "--json"])
    out, _ = capsys.readouterr()
    assert rc == 0
    d = json.loads(out)
    assert d["frequencies"] == [1.0, 2.0, 3.0] and d["bound_holds"] is True
    rc = main(["simulate", "perturbation", "--frequencies", "1", "2", "200", "--samples", "32",
               "--steps", "5", "--json"])
    out, err = capsys.readouterr()
    assert rc == 2 and out == "" and "Nyquist" in err and len(err.strip().splitlines()) == 1
