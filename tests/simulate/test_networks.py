"""Networks at initialisation: building blocks, determinism, bounded memory, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ringing.simulate import networks
from ringing.simulate.common import available_memory
from ringing.simulate.data import correlated_pairs, pair_correlations, waveform_noise
from ringing.simulate.measure import layer_correlations
from ringing.simulate.networks import (
    ForwardOverflowError,
    Network,
    NetworkConfig,
    batch_norm_na,
    gaussian_weight_blocks,
    init_weight,
    layer_generator,
    layer_norm_nc,
    layer_seed,
    residual_block,
)


def test_layer_seeds_distinct_and_stable() -> None:
    seeds = {layer_seed(s, layer) for s in range(5) for layer in range(20)}
    assert len(seeds) == 100
    assert layer_seed(3, 7) == layer_seed(3, 7)


def test_gaussian_weight_variance() -> None:
    n_out, n_in = 512, 256
    w = init_weight(n_out, n_in, generator=layer_generator(0, 1), gain=1.5)
    var = float(w.var())
    expected = 1.5**2 / n_in
    # relative std of a sample variance of M Gaussians is sqrt(2/M)
    assert abs(var / expected - 1) < 5 * math.sqrt(2 / (n_out * n_in))


@pytest.mark.parametrize("shape", [(64, 64), (96, 48), (48, 96)])
def test_orthogonal_weights(shape: tuple[int, int]) -> None:
    n_out, n_in = shape
    w = init_weight(n_out, n_in, generator=layer_generator(1, 1), kind="orthogonal", gain=2.0,
                    dtype=torch.float64)
    scale = 2.0 * max(1.0, math.sqrt(n_out / n_in))  # seed 004 App. C
    q = w / scale
    if n_out >= n_in:
        assert torch.allclose(q.T @ q, torch.eye(n_in, dtype=torch.float64), atol=1e-12)
    else:
        assert torch.allclose(q @ q.T, torch.eye(n_out, dtype=torch.float64), atol=1e-12)


def test_norms() -> None:
    y = torch.randn(7, 300, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    z = layer_norm_nc(y)
    assert torch.allclose((z * z).sum(1), torch.full((7,), 300.0, dtype=torch.float64))
    # no centering: the direction of y is kept
    assert torch.allclose(z / z.norm(dim=1, keepdim=True), y / y.norm(dim=1, keepdim=True))
    b = batch_norm_na(torch.randn(50, 9, dtype=torch.float64) * 3 + 2)
    assert torch.allclose(b.mean(0), torch.zeros(9, dtype=torch.float64), atol=1e-12)
    assert torch.allclose(b.var(0, unbiased=False), torch.ones(9, dtype=torch.float64),
                          atol=1e-5)
    with pytest.raises(ValueError, match="batch of at least 2"):
        batch_norm_na(torch.randn(1, 4))


def test_batch_norm_along_any_axis_and_with_gradients() -> None:
    """The fused (2-D) path, the two-pass path along another axis, and the in-place no-grad
    branch are one function: same numbers, and gradients flow where they are asked for."""
    g = torch.Generator().manual_seed(1)
    y = torch.randn(3, 9, 5, 4, generator=g, dtype=torch.float64) * 2 + 1  # batch axis 2
    ref = batch_norm_na(y.movedim(2, 0).reshape(5, -1)).reshape(5, 3, 9, 4).movedim(0, 2)
    assert torch.allclose(batch_norm_na(y, dim=2), ref, atol=1e-12)
    with torch.no_grad():
        assert torch.allclose(batch_norm_na(y.clone(), dim=2), ref, atol=1e-12)
    yr = y.clone().requires_grad_(True)
    (batch_norm_na(yr, dim=2) ** 3).sum().backward()
    assert yr.grad is not None and torch.isfinite(yr.grad).all()
    # forward-mode (torch.func.jvp) through the two-pass path equals a finite difference
    v = torch.randn(y.shape, generator=g, dtype=torch.float64)
    _, tangent = torch.func.jvp(lambda t: batch_norm_na(t, dim=2), (y,), (v,))
    eps = 1e-6
    fd = (batch_norm_na(y + eps * v, dim=2) - batch_norm_na(y - eps * v, dim=2)) / (2 * eps)
    assert torch.allclose(tangent, fd, atol=1e-6)


def test_residual_block_identity_at_zero_sigma() -> None:
    g = torch.Generator().manual_seed(0)
    z = layer_norm_nc(torch.randn(3, 64, generator=g, dtype=torch.float64))
    u = torch.randn(64, 64, generator=g, dtype=torch.float64) / 8
    v = torch.zeros(64, 64, dtype=torch.float64)
    assert torch.allclose(residual_block(z, u, v, torch.tanh), z)


@pytest.mark.parametrize("norm", ["layer", "batch", "none"])
@pytest.mark.parametrize("weights", ["gaussian", "orthogonal"])
def test_same_seed_same_numbers_and_on_the_fly(norm: str, weights: str) -> None:
    cfg = NetworkConfig(width=64, depth=4, activation="tanh", sigma_w=1.2, sigma_b=0.1,
                        norm=norm, weights=weights)
    x = torch.randn(6, 64, generator=torch.Generator().manual_seed(5))
    a, _ = Network(cfg, 11, device="cpu")(x)
    b, _ = Network(cfg, 11, device="cpu")(x)
    lean = Network(cfg, 11, device="cpu", memory_budget=0)  # layers regenerated every pass
    assert not lean.hold and not lean._cache
    c, _ = lean(x)
    assert torch.equal(a, b) and torch.equal(a, c)
    d, _ = Network(cfg, 12, device="cpu")(x)
    assert not torch.allclose(a, d)


def test_resnet_and_per_layer_activations() -> None:
    cfg = NetworkConfig(width=32, depth=3, activation="relu", architecture="resnet",
                        resnet_sigma=0.5)
    out, hs = Network(cfg, 0, device="cpu").forward(torch.randn(4, 32), keep=True)
    assert len(hs) == 4
    assert torch.allclose((out * out).sum(1), torch.full((4,), 32.0), rtol=1e-5)
    cfg2 = NetworkConfig(width=16, depth=3, activation=("identity", "erf", "relu"))
    assert cfg2.activations[0] is None and cfg2.activations[2] is not None
    assert cfg2.activations[2].name == "relu"


def test_layer_shapes() -> None:
    cfg = NetworkConfig(width=20, depth=3, in_dim=7, out_dim=3, final_norm=False, norm="batch")
    net = Network(cfg, 0, device="cpu")
    assert net.params(1)[0].shape == (20, 7)
    assert net.params(3)[0].shape == (3, 20)
    out, _ = net(torch.randn(5, 7))
    assert out.shape == (5, 3)
    with pytest.raises(ValueError, match="shape"):
        net(torch.randn(5, 8))


@pytest.mark.parametrize("kwargs, match", [
    ({"width": 0, "depth": 2}, "width"),
    ({"width": 8, "depth": 0}, "depth"),
    ({"width": 8, "depth": 2, "norm": "group"}, "normalisation"),
    ({"width": 8, "depth": 2, "sigma_w": -1.0}, "sigma_w"),
    ({"width": 8, "depth": 2, "sigma_b": float("nan")}, "sigma_b"),
    ({"width": 8, "depth": 2, "weights": "uniform"}, "weight kind"),
    ({"width": 8, "depth": 2, "activation": "nosuchact"}, "nosuchact"),
    ({"width": 8, "depth": 2, "activation": ("relu",)}, "activations given"),
    ({"width": 8, "depth": 2, "architecture": "resnet", "in_dim": 3}, "resnet"),
])
def test_bad_config(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        NetworkConfig(**kwargs)


def test_bad_seed_and_device() -> None:
    cfg = NetworkConfig(width=8, depth=2)
    with pytest.raises(ValueError, match="seed"):
        Network(cfg, -1, device="cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            Network(cfg, 0, device="cuda")


def test_overflow_is_a_clear_error() -> None:
    cfg = NetworkConfig(width=32, depth=40, activation="square", sigma_w=3.0, norm="none")
    with pytest.raises(ForwardOverflowError, match="activation 'square'.*not finite"):
        Network(cfg, 0, device="cpu")(torch.randn(2, 32))


@settings(max_examples=25, deadline=None)
@given(rho=st.lists(st.floats(-1, 1), min_size=1, max_size=6), dim=st.integers(2, 300))
def test_correlated_pairs_exact(rho: list[float], dim: int) -> None:
    x = correlated_pairs(rho, dim, generator=torch.Generator().manual_seed(0))
    assert x.shape == (2 * len(rho), dim)
    assert torch.allclose((x * x).sum(1), torch.full((2 * len(rho),), float(dim),
                                                     dtype=torch.float64))
    assert np.allclose(pair_correlations(x).numpy(), rho, atol=1e-12)


def test_correlated_pairs_bad_input() -> None:
    g = torch.Generator()
    with pytest.raises(ValueError, match="outside"):
        correlated_pairs([0.5, 1.5], 10, generator=g)
    with pytest.raises(ValueError, match="dimension"):
        correlated_pairs([0.5], 1, generator=g)


def test_waveform_noise_definition() -> None:
    d = waveform_noise(3000, seed=1, standardize=False)
    assert d.x.shape == (3000, 40) and set(np.unique(d.y)) == {0, 1, 2}
    # noise attributes 22..40: mean 0, variance 1 (seed 004 App. D / UCI description)
    noise = d.x[:, 21:]
    assert abs(noise.mean()) < 5 / math.sqrt(noise.size)
    assert abs(noise.var() - 1) < 5 * math.sqrt(2 / noise.size)
    # class 0 mixes h1 (peak at attribute 7) and h2 (peak at 15): mean 3 there, 2 at 11
    m0 = d.x[d.y == 0, :21].mean(0)
    assert abs(m0[6] - 3.0) < 0.2 and abs(m0[14] - 3.0) < 0.2 and abs(m0[10] - 2.0) < 0.2
    s = waveform_noise(500, seed=1)
    assert np.allclose(s.x.mean(0), 0, atol=1e-12) and np.allclose(s.x.std(0), 1)


@pytest.mark.gpu
def test_cuda_matches_cpu() -> None:
    cfg = NetworkConfig(width=128, depth=5, activation="erf", sigma_w=1.0, sigma_b=0.3)
    x = torch.randn(4, 128, dtype=torch.float64)
    a, _ = Network(cfg, 3, device="cpu", dtype="float64")(x)
    b, _ = Network(cfg, 3, device="cuda", dtype="float64")(x)
    assert torch.allclose(a, b.cpu(), atol=1e-10)


# ----------------------------------------------------------------------------
# issue 15: streamed layers, measurement holding, kept orthogonal factors, one sync


@settings(max_examples=20, deadline=None)
@given(fan_out=st.integers(1, 70), fan_in=st.integers(1, 40), rows=st.integers(1, 40),
       f64=st.booleans())
def test_weight_blocks_are_the_whole_draw(fan_out: int, fan_in: int, rows: int,
                                          f64: bool) -> None:
    """Row blocks drawn one after another are the rows of the whole draw, bit for bit, and
    leave the generator where the whole draw does (the bias after them is the same)."""
    dt = torch.float64 if f64 else torch.float32
    g = layer_generator(7, 3)
    whole = init_weight(fan_out, fan_in, generator=g, gain=1.3, dtype=dt)
    after = torch.randn(5, generator=g, dtype=dt)
    g = layer_generator(7, 3)
    blocks = list(gaussian_weight_blocks(fan_out, fan_in, generator=g, gain=1.3, dtype=dt,
                                         block_rows=rows))
    assert all(b.shape[0] % 16 == 0 for _, b in blocks[:-1])
    assert [r0 for r0, _ in blocks] == [0] + list(np.cumsum([b.shape[0] for _, b in blocks]))[:-1]
    assert torch.equal(torch.cat([b for _, b in blocks]), whole)
    assert torch.equal(torch.randn(5, generator=g, dtype=dt), after)


def _streamed(cfg: NetworkConfig, monkeypatch: pytest.MonkeyPatch, **kw: object) -> Network:
    monkeypatch.setattr(networks, "BLOCK_BYTES", 16 * cfg.width * 4)  # 16-row blocks
    return Network(cfg, 3, device="cpu", memory_available=cfg.width**2 * 4 * 2, **kw)


def test_streamed_network_matches_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """A layer too large for the memory given is streamed in row blocks: the same network
    (up to float rounding of the blocked products), never held, no whole parameters."""
    cfg = NetworkConfig(width=200, depth=4, activation="erf", sigma_b=0.3)
    held = Network(cfg, 3, device="cpu")
    lean = _streamed(cfg, monkeypatch)
    assert lean.stream and not lean.hold and not held.stream
    x = torch.randn(6, 200, generator=torch.Generator().manual_seed(0))
    a, b = held(x)[0], lean(x)[0]
    assert torch.allclose(a, b, atol=1e-5)
    assert np.allclose(layer_correlations(held, x), layer_correlations(lean, x), atol=1e-6)
    assert not lean._cache
    with pytest.raises(ValueError, match="streamed"):
        lean.params(1)
    with pytest.raises(ValueError, match="orthogonal weights"):
        _streamed(NetworkConfig(width=200, depth=2, weights="orthogonal"), monkeypatch)


def test_holding_draws_each_layer_once_per_measurement(monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    cfg = NetworkConfig(width=32, depth=3, activation="tanh", weights="gaussian")
    net = Network(cfg, 0, device="cpu", memory_budget=0)
    calls: list[int] = []
    draw = net._draw
    monkeypatch.setattr(net, "_draw", lambda layer: calls.append(layer) or draw(layer))
    x = torch.randn(4, 32)
    with net.holding() as held:
        assert held
        with net.holding():  # nested: the outer block decides
            net(x)
        net(x)
        assert sorted(net._cache) == [1, 2, 3]
    assert calls == [1, 2, 3] and not net._cache
    net(x)  # a new measurement draws again
    assert calls == [1, 2, 3] * 2
    tight = Network(cfg, 0, device="cpu", memory_budget=0, memory_available=100)
    with tight.holding() as held:
        assert not held


def test_orthogonal_layers_kept_not_refactorised(monkeypatch: pytest.MonkeyPatch) -> None:
    """An orthogonal network not held for its lifetime factorises each layer once; later
    passes map the kept factor back: the same bits, no QR."""
    cfg = NetworkConfig(width=48, depth=3, activation="erf", weights="orthogonal")
    x = torch.randn(4, 48, generator=torch.Generator().manual_seed(2))
    lean = Network(cfg, 5, device="cpu", memory_budget=0)
    first = lean(x)[0]
    qr = torch.linalg.qr
    monkeypatch.setattr(torch.linalg, "qr", lambda *a, **k: pytest.fail("re-factorised"))
    again = lean(x)[0]
    monkeypatch.setattr(torch.linalg, "qr", qr)
    assert torch.equal(first, again)
    assert torch.equal(first, Network(cfg, 5, device="cpu")(x)[0])


def test_one_sync_still_names_the_layer() -> None:
    """Overflow is found by one check per pass; the re-run names the first bad layer, also
    when a saturating activation makes the output finite again (tanh(±inf) = ±1)."""
    cfg = NetworkConfig(width=16, depth=4, activation=("identity", "square", "square", "tanh"),
                        sigma_w=1e15, norm="none")
    with pytest.raises(ForwardOverflowError, match="layer 2 output .*'square'"):
        Network(cfg, 0, device="cpu")(torch.ones(2, 16))
    with pytest.raises(ForwardOverflowError, match="layer 2 output"):
        layer_correlations(Network(cfg, 0, device="cpu"), torch.ones(2, 16))
    sat = Network(NetworkConfig(width=16, depth=2, activation=("identity", "tanh"),
                                sigma_w=10.0, norm="none"), 0, device="cpu")
    x = torch.zeros(2, 16)
    x[:, 0] = 3e38  # one huge coordinate: layer 1 is ±inf, tanh brings layer 2 back
    assert torch.isfinite(sat.apply_layer(2, sat.apply_layer(1, x))).all()
    with pytest.raises(ForwardOverflowError, match="layer 1 output"):
        sat(x)


def test_available_memory_and_generator_option() -> None:
    assert available_memory("cpu") > 0
    cfg = NetworkConfig(width=16, depth=2)
    x = torch.randn(3, 16)
    a = Network(cfg, 1, device="cpu", generator_device="device")(x)[0]
    assert torch.equal(a, Network(cfg, 1, device="cpu")(x)[0])  # on the CPU: the same draw
    with pytest.raises(ValueError, match="generator_device"):
        Network(cfg, 1, device="cpu", generator_device="gpu")


@pytest.mark.gpu
def test_cuda_device_generator_same_distribution() -> None:
    """A layer drawn on the GPU follows the CPU draw's distribution (not its bits)."""
    cfg = NetworkConfig(width=1024, depth=2, activation="erf", sigma_w=1.5, sigma_b=0.5)
    net = Network(cfg, 0, device="cuda", generator_device="device")
    w, b = net.params(1)
    assert w.device.type == "cuda" and b.device.type == "cuda"
    var = float(w.double().var())
    assert abs(var / (1.5**2 / 1024) - 1) < 5 * math.sqrt(2 / w.numel())
    cpu_w, _ = Network(cfg, 0, device="cuda").params(1)
    assert not torch.equal(w, cpu_w)  # documented: not bit-identical to the CPU draw
    rho = layer_correlations(net, correlated_pairs([0.5], 1024,
                                                   generator=torch.Generator().manual_seed(0)))
    assert np.isfinite(rho).all()
