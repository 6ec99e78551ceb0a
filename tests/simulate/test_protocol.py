"""Seed 004 App. E.2's training protocol and E.1's linearly-approximable-region diameter."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from ringing.simulate.architectures import SampledNetwork, sample_architecture
from ringing.simulate.data import waveform_noise
from ringing.simulate.protocol import (
    Protocol,
    Split,
    base_learning_rate,
    classification_error,
    linear_region_diameter,
    output_scale,
    train_run,
)


@pytest.fixture(scope="module")
def split() -> Split:
    return Split.from_dataset(waveform_noise(1000, seed=0), 500, 250, 250)


def _arch(seed: int = 1, **kw: object):
    a = sample_architecture(seed, 40, 3, 3000)
    return replace(a, **kw) if kw else a


def test_train_run_rewinds_to_the_best_validation_state(split: Split) -> None:
    proto = Protocol(patience_first=2, patience=1, reductions=2, max_epochs=12)
    net = SampledNetwork(_arch(1))
    init_err = classification_error(net, torch.as_tensor(split.x_val),
                                    torch.as_tensor(split.y_val))
    base = base_learning_rate(net, split, proto)
    res = train_run(net, split, base * 3**15, proto)
    # the returned network is the rewound one: its validation error is the best seen
    xv, yv = torch.as_tensor(split.x_val), torch.as_tensor(split.y_val)
    assert classification_error(net, xv, yv) == res.val_error <= init_err
    assert 1 <= res.epochs <= 12 and res.reductions_done <= 2
    # deterministic: the same seed and rate give the same run
    res2 = train_run(SampledNetwork(_arch(1)), split, base * 3**15, proto)
    assert res2 == res


def test_adam_variant_trains_and_rewinds(split: Split) -> None:
    """Fig 3F's Adam protocol: the same schedule with Adam steps (base rate after 4 warm-up
    epochs of the running averages)."""
    proto = Protocol(optimizer="adam", patience_first=2, patience=1, reductions=1, max_epochs=8)
    net = SampledNetwork(_arch(1))
    base = base_learning_rate(net, split, proto)
    res = train_run(net, split, base * 3**16, proto)
    xv, yv = torch.as_tensor(split.x_val), torch.as_tensor(split.y_val)
    assert classification_error(net, xv, yv) == res.val_error < 0.6


def test_base_learning_rate_bounds_every_relative_update_by_the_floor(split: Split) -> None:
    """E.2's rationale: at the base rate no weight matrix moves by more than ~1e-8 (relative);
    the rate is 1e-8 / Σ_l Q_b‖δW_lb‖/‖W_l‖, so the largest layer moves by at most 1e-8 and at
    least 1e-8 / depth."""
    proto = Protocol()
    net = SampledNetwork(_arch(2))
    lr0 = base_learning_rate(net, split, proto)
    x, y = torch.as_tensor(split.x_train), torch.as_tensor(split.y_train)
    scale = output_scale(net, x)
    idx = torch.arange(250)
    loss = torch.nn.functional.cross_entropy(net(x[idx]) / scale, y[idx])
    grads = torch.autograd.grad(loss, list(net.weights))
    rel = np.array([float(g.norm() / w.norm()) for g, w in zip(grads, net.weights, strict=True)])
    # one minibatch's ratios against the epoch's quadratic mean: same order of magnitude
    assert lr0 * rel.max() < 3e-8
    assert lr0 * rel.sum() > 1e-8 / 3
    adam = base_learning_rate(SampledNetwork(_arch(2)), split, Protocol(optimizer="adam"))
    assert adam > 0 and adam != lr0


def test_region_diameter_is_censored_for_a_linear_network_and_small_for_a_nonlinear_one(
        split: Split) -> None:
    lin = _arch(3, activation="x", norm="none", skip="none", skip_strength=0.0,
                skip_start="none")
    d = linear_region_diameter(SampledNetwork(lin), split.x_train, n_batches=1, n_u=2, n_v=5)
    assert d.shape == (10,) and np.all(d == 1e2)  # never fails up to k_max
    wild = _arch(3, activation="sin(20*x)", norm="batch", depth=5, width=30)
    d2 = linear_region_diameter(SampledNetwork(wild), split.x_train, n_batches=1, n_u=2, n_v=5)
    assert np.median(d2) < 0.1


def test_protocol_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="optimizer"):
        Protocol(optimizer="rmsprop")
    with pytest.raises(ValueError, match="batch_size"):
        Protocol(batch_size=1)
    with pytest.raises(ValueError, match="reductions"):
        Protocol(reductions=-1)
    with pytest.raises(ValueError, match="learning rate"):
        train_run(SampledNetwork(_arch(1)), Split.from_dataset(waveform_noise(800), 250, 250,
                                                                 250), float("nan"), Protocol())
