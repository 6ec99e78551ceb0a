"""Walks on torch networks (ringing.simulate.model_walks): exactness against explicit
evaluation at path points, band limits, radii, one-layer walks, restoration, errors."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

from ringing.simulate.model_walks import (
    ModelWalkConfig,
    draw_model_directions,
    loss_path,
    polynomial_tail,
    sample_batch,
    walk_model,
    walk_once,
    walked_modules,
)
from ringing.simulate.walks import path_coefficients, shift_rows
from ringing.simulate.zoo import ZooSpec, build

X = torch.randn(40, 1, 16, 16, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
Y = torch.arange(40) % 10


def _explicit(model: nn.Module, x: torch.Tensor, y: torch.Tensor, d1: list, d2: list | None,
              path: str, points: int, n: int, loss: str) -> float:
    """The loss at path point ``n`` from a copy of the model with its weights moved there."""
    c1, c2 = path_coefficients(path, points, torch.device("cpu"), torch.float64)
    m = copy.deepcopy(model)
    with torch.no_grad():
        for i, (mod, d) in enumerate(zip(walked_modules(m), d1, strict=True)):
            if d is None:
                continue
            mod.weight += c1[n] * d
            if c2 is not None:
                second = shift_rows(d.flatten(1)).view_as(d) if d2 is None else d2[i]
                mod.weight += c2[n] * second
        return float(loss_path(m(x), y, 1, loss)[0])


@pytest.mark.parametrize("spec", [
    ZooSpec("resnet_v1", 8, shortcut=1.0, channels=3, in_channels=1),
    ZooSpec("resnet_v2", 8, shortcut=0.5, slope=0.2, channels=3, in_channels=1, average=2),
    ZooSpec("toycnn", 3, shortcut=1.0, channels=4, in_channels=1, activation="tanh"),
])
@pytest.mark.parametrize("path,second", [("loop", "shifted"), ("loop", "independent"),
                                         ("segment", "shifted")])
def test_walk_equals_explicit_evaluation(spec: ZooSpec, path: str, second: str) -> None:
    cfg = ModelWalkConfig(path=path, second=second, points=8, inputs=4, dtype="float64",
                          device="cpu", loss="cross_entropy", radius=0.7)
    m = build(spec, 0, image_size=16, dtype="float64")
    xb, yb = sample_batch(X, Y, 4, 0)
    w = [mod.weight.detach() for mod in walked_modules(m)]
    d1 = draw_model_directions(cfg, w, 0, 0, 0)
    d2 = draw_model_directions(cfg, w, 0, 0, 1) if second == "independent" else None
    _, lp, _, _ = walk_once(m, xb, yb, d1, d2, cfg)
    for n in (0, 3, 6):
        assert float(lp[n]) == pytest.approx(_explicit(m, xb, yb, d1, d2, path, 8, n,
                                                       "cross_entropy"), rel=1e-10, abs=1e-12)


def test_walk_leaves_the_model_untouched() -> None:
    m = build(ZooSpec("resnet_v1", 8, shortcut=1.0, channels=3, in_channels=1), 0,
              image_size=16, dtype="float64")
    before = copy.deepcopy(m.state_dict())
    xb, yb = sample_batch(X, Y, 4, 0)
    m.eval()
    ref = m(xb)
    m.train()
    cfg = ModelWalkConfig(points=8, inputs=4, dtype="float64", device="cpu")
    d1 = draw_model_directions(cfg, [mod.weight.detach() for mod in walked_modules(m)], 0, 0, 0)
    walk_once(m, xb, yb, d1, None, cfg, m.layers())
    for k, v in m.state_dict().items():
        assert torch.equal(v, before[k]), k  # weights and BN running statistics
    assert all("forward" not in vars(mod) for mod in m.modules())
    m.eval()
    assert torch.equal(m(xb), ref)


def test_radii() -> None:
    m = build(ZooSpec("toycnn", 3, channels=4, in_channels=1), 0)
    w = [mod.weight.detach() for mod in walked_modules(m)]
    rel = draw_model_directions(ModelWalkConfig(relative_radius=0.3), w, 0, 0, 0)
    for d, wi in zip(rel, w, strict=True):
        assert float(d.norm() / wi.norm()) == pytest.approx(0.3, rel=1e-5)
    ab = draw_model_directions(ModelWalkConfig(radius=2.0), w, 0, 0, 0)
    assert float(torch.sqrt(sum(d.double().norm() ** 2 for d in ab))) == pytest.approx(2.0,
                                                                                       rel=1e-6)
    one = draw_model_directions(ModelWalkConfig(layer_only=2), w, 0, 0, 0)
    assert [d is None for d in one] == [True, False, True, True]
    with pytest.raises(ValueError, match="layer_only"):
        draw_model_directions(ModelWalkConfig(layer_only=9), w, 0, 0, 0)


def test_layer_only_classifier_leaves_hidden_layers_flat() -> None:
    spec = ZooSpec("toycnn", 3, channels=4, in_channels=1)
    cfg = ModelWalkConfig(points=16, directions=2, inputs=4, layer_only=4, device="cpu",
                          dtype="float64")
    r = walk_model(lambda s: build(spec, s, image_size=16, dtype="float64"), X, Y, cfg,
                   show_progress=False)
    assert r.names == ["layer 1", "layer 2", "layer 3", "layer 4", "loss"]
    assert np.all(r.unit_power[:, :3] < 1e-25)  # unmoved layers do not change along the path
    assert np.all(r.unit_power[:, 3].sum(-1) > 1e-6)


def test_polynomial_network_is_band_limited() -> None:
    """A loop through a network that is a polynomial of degree 1 in every weight (alpha = 1,
    no batchnorm): the MSE loss path is a trigonometric polynomial of degree 2 * weight_depth,
    so its power above that frequency is rounding (<= 1e-20 relative in float64); ReLU is not."""
    def tail(slope: float) -> float:
        spec = ZooSpec("resnet_v2", 8, slope=slope, shortcut=0.0, channels=3, in_channels=1,
                       norm="none")
        cfg = ModelWalkConfig(points=40, directions=2, inputs=4, dtype="float64",
                              device="cpu", relative_radius=0.3)
        r = walk_model(lambda s: build(spec, s, image_size=16, dtype="float64"), X, Y, cfg,
                       show_progress=False)
        return r.tail(16)

    assert tail(1.0) <= 1e-20
    assert tail(0.0) > 1e-8


def test_polynomial_tail() -> None:
    p = np.array([[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 2.0]])
    assert polynomial_tail(p, 2) == pytest.approx(2.0 / 3.0)
    assert polynomial_tail(p[:1], 2) == 0.0


def test_generic_network_and_unsupported_modules() -> None:
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                        nn.Flatten(), nn.Linear(4 * 16 * 16, 10)).double()
    cfg = ModelWalkConfig(points=8, directions=2, inputs=4, device="cpu", dtype="float64")
    r = walk_model(lambda s: copy.deepcopy(net), X, Y, cfg, show_progress=False,
                   layers=lambda m: [("relu", m[2])])
    assert r.names == ["relu", "loss"] and r.unit_power.shape == (2, 2, 4)
    with pytest.raises(ValueError, match="LayerNorm"):
        walked_modules(nn.Sequential(nn.Linear(3, 3), nn.LayerNorm(3)))
    with pytest.raises(ValueError, match="no Conv2d"):
        walked_modules(nn.Sequential(nn.ReLU()))


def test_branch_correlation_bins() -> None:
    spec = ZooSpec("resnet_v2", 8, shortcut=1.0, channels=3, in_channels=1)
    cfg = ModelWalkConfig(points=32, directions=2, inputs=4, device="cpu",
                          correlation_bins=4)
    r = walk_model(lambda s: build(spec, s, image_size=16), X.float(), Y, cfg,
                   show_progress=False,
                   pairs=lambda m: [(b.main, b.skip) for b in m.blocks_with_skip()])
    assert r.branch_correlation is not None and r.branch_correlation.shape == (4,)
    assert np.all((r.branch_correlation >= 0) & (r.branch_correlation <= 1))


@pytest.mark.parametrize("kw", [dict(points=3), dict(path="spiral"), dict(loss="hinge"),
                                dict(radius=1.0, relative_radius=1.0), dict(radius=-1.0),
                                dict(second="other"), dict(points=8, kmax=5),
                                dict(points=8, correlation_bins=5), dict(layer_only=0)])
def test_bad_config(kw: dict) -> None:
    with pytest.raises(ValueError):
        ModelWalkConfig(**kw)


@pytest.mark.gpu
def test_cuda_walk_matches_cpu() -> None:
    spec = ZooSpec("resnet_v1", 8, shortcut=1.0, channels=3, in_channels=1)
    out = {}
    for dev in ("cpu", "cuda"):
        cfg = ModelWalkConfig(points=16, directions=2, inputs=4, device=dev, dtype="float64")
        r = walk_model(lambda s, d=dev: build(spec, s, image_size=16, device=d, dtype="float64"),
                       X, Y, cfg, show_progress=False)
        out[dev] = r.unit_power
    np.testing.assert_allclose(out["cuda"], out["cpu"], rtol=1e-8, atol=1e-20)
