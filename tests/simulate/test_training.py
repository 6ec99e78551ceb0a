"""Tests of ringing.simulate.training and the spectral-bias / fprinciple commands.

Reduced sizes (CPU, seconds): small MLPs, few hundred steps, a larger learning
rate than the papers'.  They still assert the ordering: lower frequencies reach
Δ_F ≤ threshold first.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from typing import Any

import numpy as np
import pytest
import torch

from ringing.cli import main
from ringing.simulate.training import (
    BatchedMLP,
    fprinciple,
    learned_steps,
    rank_correlation,
    record_schedule,
    spectral_bias,
    train_full_batch,
)
from ringing.theory.fourier import relu_network_forward
from ringing.validate.figures_training import (
    figure_early_stopping,
    figure_fprinciple,
    figure_spectral_bias,
)


def _run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def test_batched_training_equals_separate_runs() -> None:
    """S networks trained together = each alone (the loss separates, Adam is elementwise)."""
    x = np.linspace(0, 1, 32, endpoint=False)
    y = np.stack([np.sin(2 * np.pi * x), np.cos(4 * np.pi * x)])
    both = BatchedMLP([1, 16, 16, 1], "tanh", [3, 7], device="cpu", dtype="float64")
    rec = train_full_batch(both, x, y, steps=30, lr=1e-2, record_every=10)
    for i, s in enumerate([3, 7]):
        one = BatchedMLP([1, 16, 16, 1], "tanh", [s], device="cpu", dtype="float64")
        r1 = train_full_batch(one, x, y[i:i + 1], steps=30, lr=1e-2, record_every=10)
        np.testing.assert_allclose(r1.train_loss[:, 0], rec.train_loss[:, i], rtol=1e-10)
        for w1, wb in zip(one.weights, both.weights, strict=True):
            torch.testing.assert_close(w1[0], wb[i], rtol=1e-10, atol=1e-12)


def test_recording_does_not_change_training_and_is_exact() -> None:
    """Recorded outputs are the network's outputs at those steps; recording changes nothing."""
    x = np.linspace(-1, 1, 40)
    y = np.abs(x)
    m1 = BatchedMLP([1, 8, 8, 1], "relu", [0, 1], device="cpu", dtype="float64")
    m2 = BatchedMLP([1, 8, 8, 1], "relu", [0, 1], device="cpu", dtype="float64")
    r1 = train_full_batch(m1, x, y, steps=25, lr=1e-2, record_every=10, eval_x=x[::2])
    r2 = train_full_batch(m2, x, y, steps=25, lr=1e-2, record_every=10, record=False)
    np.testing.assert_array_equal(r1.train_loss, r2.train_loss)
    np.testing.assert_array_equal(r1.steps, [0, 10, 20, 25])
    assert r1.train_outputs is not None and r1.eval_outputs is not None
    # the last record is the trained network, evaluated through the numpy theory path
    for s in range(2):
        final = relu_network_forward(m1.layer_weights(s), x)
        np.testing.assert_allclose(r1.train_outputs[-1, s], final, atol=1e-12)
        np.testing.assert_allclose(r1.eval_outputs[-1, s], final[::2], atol=1e-12)
    # the loss record is the MSE of the recorded outputs
    np.testing.assert_allclose(((r1.train_outputs[0] - y) ** 2).mean(axis=1), r1.train_loss[0],
                               rtol=1e-12)


def test_learned_steps_and_rank_correlation() -> None:
    steps = np.array([0, 10, 20, 30])
    delta = np.array([[[1.0, 1.0, 1.0]], [[0.05, 0.5, 1.0]], [[0.05, 0.08, 1.0]],
                      [[0.05, 0.08, 0.9]]])
    ls = learned_steps(delta, steps, 0.1)
    np.testing.assert_array_equal(ls, [[10, 20, -1]])
    assert rank_correlation(np.array([1.0, 2.0, 3.0]), ls[0], censor_value=40.0) == \
        pytest.approx(1.0)
    assert rank_correlation(np.array([1.0, 2.0, 3.0]), np.array([-1, -1, -1]), 40.0) is None
    np.testing.assert_array_equal(record_schedule(25, 10), [0, 10, 20, 25])


def test_spectral_bias_ordering_reduced(tmp_path: Any) -> None:
    """Must show (reduced): seed 001 Exp. 1 with a small ReLU MLP learns low k first."""
    res = spectral_bias(frequencies=[1, 3, 5, 7], n_samples=64, depth=3, width=64, steps=700,
                        seeds=2, lr=1e-3, record_every=20, threshold=0.2, device="cpu")
    p = res.payload()
    med = [v for v in p["learned_step"] if v is not None]
    assert len(med) >= 2, p["learned_step"]
    assert p["learned_step"][0] is not None
    # learned frequencies come in increasing order, the unlearned ones are the highest
    first_none = next((i for i, v in enumerate(p["learned_step"]) if v is None), 4)
    assert all(v is None for v in p["learned_step"][first_none:])
    assert np.all(np.diff(med) > 0)
    assert p["rank_correlation"] >= 0.8
    # the normalised amplitude of the lowest frequency approaches 1 (|f̂|/A, seed 001 Fig 1)
    assert abs(res.magnitude[-1, :, 0].mean() - 1.0) < 0.2
    assert len(p["curves"]) == 4 and len(p["curves"][0]) == res.steps.size
    assert os.path.getsize(figure_spectral_bias(res, tmp_path / "sb.png")) > 1000


def test_fprinciple_sines_ordering_reduced() -> None:
    """Must show (reduced): seed 003 Fig 4 target, Δ_F at the peaks falls low → high."""
    res = fprinciple("sines", widths=(64, 64, 64), steps=1200, seeds=1, lr=2e-3,
                     record_every=20, device="cpu")
    np.testing.assert_array_equal(res.peaks[:3], [3, 10, 16])
    d = res.delta[:, 0, :]  # (R, K)
    # once the lowest peak is learned, Δ_F (averaged over the rest of the run; Adam makes
    # single records jitter) is ordered by frequency
    late = d[res.steps >= 600].mean(axis=0)
    assert late[0] < late[1] < late[2]
    p = res.payload()
    assert p["learned_step"][0] is not None
    assert p["rank_correlation"] >= 0.9


def test_noisy_target_early_stopping_fields(tmp_path: Any) -> None:
    """The noisy target has a test set; the summary reports the test-loss minimum."""
    res = fprinciple("noisy-sin", widths=(32, 32), steps=300, seeds=1, lr=2e-3,
                     record_every=10, device="cpu")
    assert res.test_loss is not None and res.test_loss.shape == (res.steps.size, 1)
    es = res.payload()["early_stopping"]
    assert es["dominant_peak"] == 3.0  # sin x on [-10, 10]: index 20/(2π) ≈ 3.2
    assert es["test_min_step"][0] in res.steps
    assert 0.0 <= es["dominant_delta_at_test_min"][0]
    # the noise inflates |F[f]| at high frequencies only (seed 003 Fig 6c): the dominant
    # component of training and test labels agree to a few per cent
    spec = np.abs(res.target_spectrum[0])
    assert spec.argmax() == 2
    # the figures (seed 003 Fig 4c-style heat map with the Fig 6b losses) are written
    path = figure_fprinciple(res, tmp_path / "fp.png")
    assert os.path.getsize(path) > 1000
    assert os.path.getsize(figure_early_stopping(res, tmp_path / "es.png")) > 1000


def test_nonuniform_sampling_runs() -> None:
    """Fig 7b set-up (reduced): Δ_F through the exact non-uniform DFT at Fig 3a's peaks."""
    res = fprinciple("linear", sampling="nonuniform", widths=(16, 16), steps=20, seeds=2,
                     lr=1e-3, record_every=10, device="cpu")
    np.testing.assert_array_equal(res.peaks, [1, 4, 12, 20, 28, 36])
    assert res.delta.shape == (3, 2, 6)
    assert np.all(np.isfinite(res.delta))


# ------------------------------------------------------------------ bad input


def test_zero_steps_is_an_error() -> None:
    with pytest.raises(ValueError, match="steps"):
        spectral_bias(steps=0, seeds=1, width=4, depth=1, device="cpu")
    with pytest.raises(ValueError, match="steps"):
        fprinciple("linear", steps=0, device="cpu")


def test_frequency_above_nyquist_is_an_error() -> None:
    with pytest.raises(ValueError, match="Nyquist"):
        spectral_bias(frequencies=[5, 120], n_samples=200, steps=1, seeds=1, width=4,
                      depth=1, device="cpu")


def test_bad_options_are_errors() -> None:
    with pytest.raises(ValueError, match="amplitudes"):
        spectral_bias(amplitudes="falling", steps=1, seeds=1, width=4, depth=1, device="cpu")
    with pytest.raises(ValueError, match="target"):
        fprinciple("square", steps=1)
    with pytest.raises(ValueError, match="optimizer"):
        BatchedMLP([1, 4, 1], "relu", [0], device="cpu")  # fine
        train_full_batch(BatchedMLP([1, 4, 1], "relu", [0], device="cpu"), np.zeros(3),
                         np.zeros(3), steps=1, lr=0.1, optimizer="lbfgs")
    with pytest.raises(ValueError):
        BatchedMLP([1, 4, 1], "not_an_activation", [0], device="cpu")


def test_cli_errors_exit_2() -> None:
    rc, out, err = _run_cli(["simulate", "spectral-bias", "--steps", "0", "--json"])
    assert rc == 2 and out == "" and "steps" in err and len(err.strip().splitlines()) == 1
    rc, out, err = _run_cli(["simulate", "spectral-bias", "--frequencies", "5", "150",
                             "--steps", "1", "--json"])
    assert rc == 2 and "Nyquist" in err


def test_cli_json_contract() -> None:
    rc, out, err = _run_cli(["simulate", "spectral-bias", "--steps", "30", "--seeds", "2",
                             "--width", "8", "--depth", "2", "--record-every", "10",
                             "--frequencies", "1", "2", "3", "--samples", "32",
                             "--device", "cpu", "--json"])
    assert rc == 0, err
    p = json.loads(out)
    for key in ("frequencies", "learned_step", "rank_correlation", "curves"):
        assert key in p
    assert p["frequencies"] == [1.0, 2.0, 3.0]
    assert len(p["curves"]) == 3 and len(p["curves"][0]) == 4
    assert len(p["learned_step"]) == 3
    rc, out, err = _run_cli(["simulate", "fprinciple", "--target", "sines", "--steps", "10",
                             "--seeds", "1", "--widths", "8", "--record-every", "5",
                             "--device", "cpu", "--json"])
    assert rc == 0, err
    p = json.loads(out)
    assert p["frequencies"][:3] == [3.0, 10.0, 16.0]
    assert len(p["curves"]) == len(p["frequencies"])


@pytest.mark.gpu
def test_cuda_matches_cpu() -> None:
    """Same seeds on CUDA and CPU (float64): same losses to round-off."""
    x = np.linspace(0, 1, 50, endpoint=False)
    y = np.sin(2 * np.pi * 3 * x)
    losses = []
    for dev in ("cpu", "cuda"):
        m = BatchedMLP([1, 32, 32, 1], "relu", [0, 1], device=dev, dtype="float64")
        losses.append(train_full_batch(m, x, y, steps=20, lr=1e-3, record_every=5,
                                       compile="off").train_loss)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-8)


def test_never_learned_ranks_after_the_last_recorded_step() -> None:
    """A frequency never learned counts as learned one recording after the end, strictly after
    one learned at the very last recorded step (``total_steps``): the ranking stays 1."""
    from ringing.simulate.training import censor_step, censored_rank_correlations

    assert censor_step(1000, 100) > 1000
    learned = np.array([[100, 1000, -1], [-1, 1000, 100]])
    rho = censored_rank_correlations(np.array([1.0, 2.0, 3.0]), learned, 1000, 100)
    assert rho[0] == pytest.approx(1.0)
    assert rho[1] == pytest.approx(-1.0)
