"""Seed 003 beyond 1-D: first principal component on digits, the weighted loss (eq 4), the
information plane (App. 6.3-6.4); tiny settings."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import entropy

from ringing.cli import main
from ringing.experiments.frequency_principle import (
    BatchedCNN,
    binned_entropy,
    binned_mutual_information,
    first_pc_coordinate,
    frequency_weights,
    info_plane,
    pc_fprinciple,
    weighted_frequency_loss,
    weighted_loss,
)


def test_first_pc_coordinate_is_the_top_principal_direction() -> None:
    rng = np.random.default_rng(0)
    direction = np.array([3.0, -1.0, 0.5])
    x = rng.normal(size=(500, 1)) * direction + 0.1 * rng.normal(size=(500, 3))
    u = first_pc_coordinate(x)
    assert u.min() == 0.0 and u.max() == 1.0
    assert abs(np.corrcoef(u, x @ direction)[0, 1]) > 0.999


@given(st.integers(4, 64), st.integers(1, 3))
def test_unit_weight_is_the_mse_by_parseval(n: int, s: int) -> None:
    g = torch.Generator().manual_seed(n * 10 + s)
    out = torch.randn(s, n, generator=g, dtype=torch.float64)
    tgt = torch.randn(s, n, generator=g, dtype=torch.float64)
    w = torch.as_tensor(frequency_weights("1", n))
    np.testing.assert_allclose(weighted_frequency_loss(out, tgt, w).numpy(),
                               ((out - tgt) ** 2).mean(dim=1).numpy(), rtol=1e-12)


def test_frequency_weights_fold_and_check() -> None:
    w = frequency_weights("x**2", 8)
    np.testing.assert_array_equal(w, [0, 1, 4, 9, 16, 9, 4, 1])
    for bad in ("x - 3", "0*x", "__import__('os')"):
        with pytest.raises(ValueError):
            frequency_weights(bad, 8)


def test_one_frequency_weight_is_that_components_power() -> None:
    n = 16
    out = torch.randn(2, n, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    w = torch.as_tensor(frequency_weights("exp(-1000*(x-3)**2)", n))
    dft = np.fft.fft(out.numpy(), axis=1)
    ref = 2 * np.abs(dft[:, 3]) ** 2 / n**2  # indices 3 and n - 3
    np.testing.assert_allclose(weighted_frequency_loss(out, torch.zeros_like(out), w).numpy(),
                               ref, rtol=1e-10)


def test_weighted_loss_tiny_run() -> None:
    res = weighted_loss(("1", "x"), n_samples=64, widths=(8, 8), steps=6, lr=1e-2, seeds=2,
                        record_every=3)
    assert res.delta.shape == (3, 2, 2, res.peaks.size)
    assert np.all(res.delta[0, 0] == res.delta[0, 1])  # same seed, same start, any weight
    assert len(res.payload()["results"]) == 2


@given(st.integers(1, 6), st.integers(2, 50))
def test_binned_entropy_matches_scipy(rows: int, n: int) -> None:
    rng = np.random.default_rng(rows * 100 + n)
    v = rng.normal(0, 0.2, size=(rows, n))
    h = binned_entropy(v, 0.05)
    for i in range(rows):
        _, counts = np.unique(np.floor(np.abs(v[i]) / 0.05 + 0.5) * np.sign(v[i]),
                              return_counts=True)
        assert h[i] == pytest.approx(entropy(counts, base=2), abs=1e-12)


def test_mutual_information_identities() -> None:
    y = np.linspace(-1, 1, 40, endpoint=False)
    t = np.stack([y, np.zeros_like(y), y + 0.5])
    mi = binned_mutual_information(y, t, 0.05)
    h = binned_entropy(y, 0.05)
    assert mi[0] == pytest.approx(h) and mi[1] == pytest.approx(0.0, abs=1e-12)
    assert mi[2] == pytest.approx(h)  # a shift by 10 bins is a bijection of the bins
    assert h == pytest.approx(np.log2(40))


def test_batched_cnn_networks_are_independent() -> None:
    x = torch.rand(5, 64, dtype=torch.float64)
    both = BatchedCNN([3, 4], dtype="float64", device="cpu")
    one = BatchedCNN([4], dtype="float64", device="cpu")
    np.testing.assert_allclose(both(x)[1].detach().numpy(), one(x)[0].detach().numpy(),
                               rtol=1e-12)


def test_pc_fprinciple_tiny_runs_both_networks() -> None:
    for net in ("mlp", "cnn"):
        res = pc_fprinciple(net, n_peaks=3, steps=4, seeds=2, record_every=2,
                            widths=(8,))
        assert res.delta.shape == (3, 2, 3) and np.all(np.isfinite(res.delta))
        assert res.peaks[0] < res.peaks[-1]


def test_info_plane_targets_entropies() -> None:
    res = info_plane((0.0, 0.5), n_samples=40, widths=(8,), steps=4, seeds=2, record_every=2)
    assert res.entropy_f0 == pytest.approx(np.log2(40))
    # α = 0.5 on x_j = -1 + j/20: levels -1 (x ≤ -0.75, halves away from 0), -0.5, 0, 0.5, 1
    p = np.array([6, 10, 9, 10, 5]) / 40
    assert res.entropy_y[1] == pytest.approx(-(p * np.log2(p)).sum())
    assert res.entropy_t.shape == (3, 2, 2) and res.compression.shape == (2, 2)


def test_cli_info_plane_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["simulate", "info-plane", "--samples", "20", "--widths", "4", "--steps", "2",
               "--seeds", "2", "--record-every", "1", "--json"])
    out, _ = capsys.readouterr()
    assert rc == 0 and json.loads(out)["alphas"] == [0.0, 0.5]
    rc = main(["simulate", "weighted-loss", "--weights", "x-100", "--steps", "2", "--json"])
    out, err = capsys.readouterr()
    assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1
