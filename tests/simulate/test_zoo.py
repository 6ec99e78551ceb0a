"""The Toy-CNN / ResNet zoo of seed 000 App. A.1 (ringing.simulate.zoo)."""

from __future__ import annotations

import math

import pytest
import torch

from ringing.simulate.zoo import ZooSpec, build, digit_images, resnet_blocks, weight_scale


@pytest.mark.parametrize("kw", [dict(arch="resnet_v3", depth=8), dict(arch="resnet_v1", depth=9),
                                dict(arch="toycnn", depth=0), dict(arch="toycnn", depth=3,
                                                                   slope=1.5),
                                dict(arch="toycnn", depth=3, shortcut=-1.0),
                                dict(arch="toycnn", depth=3, norm="layer"),
                                dict(arch="toycnn", depth=3, init="xavier"),
                                dict(arch="toycnn", depth=3, gain=0.0),
                                dict(arch="toycnn", depth=3, gain=float("nan")),
                                dict(arch="toycnn", depth=3, activation="nope(x")])
def test_bad_specs_raise(kw: dict) -> None:
    with pytest.raises(ValueError):
        ZooSpec(**kw)


def test_resnet_depth_and_layers() -> None:
    assert resnet_blocks(56) == 9
    for depth in (8, 20):
        m = build(ZooSpec("resnet_v1", depth, channels=4), 0)
        n = resnet_blocks(depth)
        assert len(m.layers()) == 3 * n + 2  # stem, blocks, logits
        convs = [c for c in m.modules() if isinstance(c, torch.nn.Conv2d)]
        assert len(convs) + 1 == depth == m.weight_depth  # 6n+1 convs and the classifier
    t = build(ZooSpec("toycnn", 5, channels=4), 0)
    assert t.weight_depth == 6 and len(t.layers()) == 6


def test_deterministic_and_shapes() -> None:
    spec = ZooSpec("resnet_v2", 8, channels=4, shortcut=1.0, in_channels=1)
    a, b, c = build(spec, 3), build(spec, 3), build(spec, 4)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert not torch.equal(a.fc.weight, c.fc.weight)
    x = torch.randn(5, 1, 16, 16)
    assert a(x).shape == (5, 10)
    toy = build(ZooSpec("toycnn", 3, channels=4, in_channels=1), 0, image_size=32)
    assert toy(torch.randn(2, 1, 32, 32)).shape == (2, 10)  # stride 5: 7x7 maps


def test_weight_scale_matches_he() -> None:
    assert weight_scale("relu") == pytest.approx(math.sqrt(2.0), rel=1e-9)
    assert weight_scale("identity") == pytest.approx(1.0, rel=1e-9)
    assert weight_scale("lrelu(slope=0.5)") == pytest.approx(math.sqrt(2 / 1.25), rel=1e-9)


def test_he_variance_and_delta_orthogonal() -> None:
    m = build(ZooSpec("toycnn", 2, channels=64, activation="relu"), 0)
    w = m.features[1].unit.conv.weight.detach()
    fan_in = 64 * 9
    var = float(w.var())
    se = 2.0 / fan_in * math.sqrt(2.0 / w.numel())  # sd of a sample variance (Gaussian)
    assert abs(var - 2.0 / fan_in) < 5 * se
    d = build(ZooSpec("toycnn", 2, channels=16, activation="tanh", init="delta_orthogonal"), 0)
    w = d.features[1].unit.conv.weight.detach()
    centre = w[:, :, 1, 1]
    off = w.clone()
    off[:, :, 1, 1] = 0
    assert float(off.abs().max()) == 0.0
    g = weight_scale("tanh")
    assert torch.allclose(centre @ centre.T, g * g * torch.eye(16), atol=1e-5)


def test_averaging_and_option_a_shortcut() -> None:
    m = build(ZooSpec("toycnn", 3, channels=4, average=3), 0)
    assert m.features[1].unit.conv.out_channels == 12
    out = m.features[1](torch.randn(2, 4, 7, 7))
    assert out.shape == (2, 4, 7, 7)
    r = build(ZooSpec("resnet_v1", 8, channels=4, shortcut=1.0), 0)
    blk = r.features[2]  # first block of stage 2: stride 2, 4 -> 8 channels
    x = torch.randn(2, 4, 16, 16)
    sc = blk.shortcut(x)
    assert sc.shape == (2, 8, 8, 8)
    assert torch.equal(sc[:, :4], x[:, :, ::2, ::2]) and float(sc[:, 4:].abs().max()) == 0


def test_linear_network_is_affine_in_each_weight() -> None:
    """alpha = 1 without batchnorm: the logits are affine in any one conv weight (the property
    that makes the alpha-nu plane's band limit exact); alpha = 0 breaks it."""
    x = torch.randn(3, 1, 16, 16, dtype=torch.float64)

    def bend(slope: float) -> float:
        spec = ZooSpec("resnet_v2", 8, slope=slope, shortcut=0.5, channels=4, norm="none",
                       in_channels=1)
        m = build(spec, 1, dtype="float64")
        conv = m.features[2].u1.conv
        d = torch.randn_like(conv.weight)
        outs = []
        with torch.no_grad():
            for s in (0.0, 1.0, 2.0):
                conv.weight += s * d if s == 0.0 else d
                outs.append(m(x))
        return float((outs[0] - 2 * outs[1] + outs[2]).abs().max() / outs[0].abs().max())

    assert bend(1.0) < 1e-12
    assert bend(0.0) > 1e-6


def test_digit_images() -> None:
    x, y = digit_images(16)
    assert x.shape == (1797, 1, 16, 16) and y.shape == (1797,)
    assert abs(float(x.mean())) < 1e-5 and abs(float(x.std()) - 1) < 1e-5
    with pytest.raises(ValueError):
        digit_images(4)


@pytest.mark.parametrize("init", ["he", "delta_orthogonal"])
def test_gain_rescales_the_same_draw(init: str) -> None:
    """``gain`` replaces sigma_w of every conv followed by an activation and nothing else: the
    same streams, so the weights are the default ones times gain / sigma_w (seed 000 Fig 12's
    critical tanh network is gain 1)."""
    base = build(ZooSpec("toycnn", 3, activation="tanh", channels=4, init=init), 0)
    crit = build(ZooSpec("toycnn", 3, activation="tanh", channels=4, init=init, gain=1.0), 0)
    s = weight_scale("tanh")
    for a, b in zip(base.features, crit.features, strict=True):
        torch.testing.assert_close(b.unit.conv.weight, a.unit.conv.weight / s)
    torch.testing.assert_close(base.fc.weight, crit.fc.weight)
