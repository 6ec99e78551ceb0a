"""The device-side generator option (``generator_device`` / ``--rng``) on every simulation path,
and the default dtype of each statistic (issue 15).

On the CPU the two choices coincide (a generator "on the device" is a CPU generator), so every
path must give the very same numbers with either choice: that checks the option reaches each
draw without changing what is drawn.  On CUDA the draws differ (Philox): the gpu-marked tests
check that they happen on the device and follow the same distribution.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from ringing.cli import main
from ringing.simulate.common import (
    GENERATOR_DEVICES,
    STATISTIC_DTYPES,
    default_dtype,
    rng_device,
)


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)


# ----------------------------------------------------------------------------
# the pure functions


def test_rng_device_choices() -> None:
    assert GENERATOR_DEVICES == ("cpu", "device")
    assert rng_device("cpu", "cpu") == torch.device("cpu")
    assert rng_device("device", "cpu") == torch.device("cpu")
    # the CPU choice never touches the device (no GPU needed to ask for a CPU draw)
    assert rng_device("cpu", torch.device("cuda")) == torch.device("cpu")
    with pytest.raises(ValueError, match="generator_device"):
        rng_device("gpu", "cpu")


def test_default_dtype_rule() -> None:
    """float32 on a GPU for every statistic; float64 on the CPU for the NLC only."""
    for stat in STATISTIC_DTYPES:
        assert default_dtype("cuda", stat) == "float32"
        assert default_dtype(torch.device("cuda:1"), stat) == "float32"
        assert default_dtype("cpu", stat) == ("float64" if stat == "nlc" else "float32")
    auto = default_dtype("auto", "nlc")
    assert auto == ("float32" if torch.cuda.is_available() else "float64")
    with pytest.raises(ValueError, match="statistic"):
        default_dtype("cpu", "nlcc")
    with pytest.raises(ValueError, match="device"):
        default_dtype("tpu", "nlc")


def test_measure_nlc_default_dtype_follows_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """measure_nlc with dtype=None builds its networks in default_dtype(device, "nlc")."""
    from ringing.simulate import measure
    from ringing.simulate.data import gaussian_data
    from ringing.simulate.networks import NetworkConfig

    seen: list[torch.dtype] = []
    real = measure.Network

    def spy(*a: object, **kw: object) -> object:
        net = real(*a, **kw)  # type: ignore[arg-type]
        seen.append(net.dtype)
        return net

    monkeypatch.setattr(measure, "Network", spy)
    cfg = NetworkConfig(width=16, depth=2, activation="relu", norm="batch", in_dim=6, out_dim=3,
                        final_norm=False)
    measure.measure_nlc(cfg, gaussian_data(40, 6, seed=0), seeds=[0], batch_size=20,
                        n_probe_batches=1, device="cpu", show_progress=False)
    assert seen == [torch.float64]


# ----------------------------------------------------------------------------
# every path accepts the option, and on the CPU both choices are the same numbers


def test_network_and_measurements_same_numbers_on_cpu() -> None:
    from ringing.simulate.data import gaussian_data
    from ringing.simulate.measure import measure_correlations, measure_jacobian, measure_nlc
    from ringing.simulate.networks import NetworkConfig

    cfg = NetworkConfig(width=24, depth=3, activation="tanh", sigma_b=0.2, weights="orthogonal")
    a, b = (measure_correlations(cfg, [0.3], seeds=[0, 1], device="cpu", generator_device=g,
                                 show_progress=False).per_seed for g in GENERATOR_DEVICES)
    np.testing.assert_array_equal(a, b)
    ja, jb = (measure_jacobian(cfg, seeds=[0], device="cpu", generator_device=g, n_probes=2,
                               show_progress=False) for g in GENERATOR_DEVICES)
    assert ja.op_norm == jb.op_norm and ja.frobenius_rms == jb.frobenius_rms
    ncfg = NetworkConfig(width=16, depth=2, activation="relu", norm="batch", in_dim=6,
                         out_dim=3, final_norm=False)
    data = gaussian_data(40, 6, seed=0)
    na, nb = (measure_nlc(ncfg, data, seeds=[0], batch_size=20, n_probe_batches=1,
                          device="cpu", generator_device=g, show_progress=False)
              for g in GENERATOR_DEVICES)
    assert na == nb


def test_walk_same_numbers_on_cpu() -> None:
    from ringing.simulate.walks import WalkConfig, walk

    for direction in ("random", "gradient"):
        kw = dict(activation="relu", depth=2, width=16, points=8, directions=2, inputs=4,
                  direction=direction, device="cpu")
        a, b = (walk(WalkConfig(generator_device=g, **kw), show_progress=False)  # type: ignore
                for g in GENERATOR_DEVICES)
        np.testing.assert_array_equal(a.unit_power, b.unit_power)
    with pytest.raises(ValueError, match="generator_device"):
        WalkConfig(activation="relu", depth=1, width=4, generator_device="gpu")


def test_model_walk_same_numbers_on_cpu() -> None:
    from ringing.simulate.model_walks import ModelWalkConfig, walk_model
    from ringing.simulate.zoo import ZooSpec, build

    spec = ZooSpec("toycnn", 2, channels=3, in_channels=1)
    x = torch.randn(12, 1, 12, 12, generator=torch.Generator().manual_seed(0))
    y = torch.arange(12) % 10
    out = []
    for g in GENERATOR_DEVICES:
        cfg = ModelWalkConfig(points=8, directions=2, inputs=4, device="cpu",
                              generator_device=g)
        out.append(walk_model(lambda s, g=g: build(spec, s, image_size=12, device="cpu",
                                                   generator_device=g),
                              x, y, cfg, show_progress=False).unit_power)
    np.testing.assert_array_equal(out[0], out[1])
    with pytest.raises(ValueError, match="generator_device"):
        ModelWalkConfig(generator_device="gpu")


def test_batched_mlp_same_numbers_on_cpu() -> None:
    from ringing.simulate.training import BatchedMLP

    for init in ("torch", "normal"):
        a, b = (BatchedMLP([1, 8, 1], "tanh", [3, 4], init=init, device="cpu",
                           generator_device=g) for g in GENERATOR_DEVICES)
        for p, q in zip(a.parameters(), b.parameters(), strict=True):
            assert torch.equal(p, q)


@pytest.mark.parametrize("argv", [
    ["simulate", "correlation", "erf", "--width", "16", "--depth", "2", "--rho0", "0.5",
     "--samples", "2"],
    ["simulate", "jacobian", "tanh", "--width", "16", "--depth", "2", "--samples", "1",
     "--probes", "2"],
    ["simulate", "nlc", "relu", "--width", "16", "--depth", "2", "--seeds", "1", "--n-data",
     "40", "--in-dim", "6", "--batch-size", "20", "--probe-batches", "1"],
    ["simulate", "walk", "relu", "--width", "16", "--depth", "2", "--points", "8",
     "--directions", "2", "--inputs", "4"],
    ["simulate", "model-walk", "toycnn", "--depth", "1", "--channels", "2", "--size", "8",
     "--points", "8", "--directions", "2", "--inputs", "4"],
    ["simulate", "spectral-bias", "--width", "8", "--depth", "1", "--steps", "3", "--seeds",
     "1", "--samples", "20", "--frequencies", "1", "2", "--record-every", "1"],
    ["simulate", "fprinciple", "--widths", "8", "--steps", "3", "--seeds", "1",
     "--record-every", "1"],
], ids=["correlation", "jacobian", "nlc", "walk", "model-walk", "spectral-bias", "fprinciple"])
def test_cli_rng_flag_end_to_end(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """Every simulation command takes ``--rng cpu|device``; on the CPU both print the same."""
    base = argv + ["--device", "cpu", "--json"]
    a = _json(capsys, base + ["--rng", "cpu"])
    b = _json(capsys, base + ["--rng", "device"])
    for out, choice in ((a, "cpu"), (b, "device")):  # the payload says which was used
        where = out["config"] if isinstance(out.get("config"), dict) else out
        assert where.pop("generator_device") == choice
    assert a == b
    assert main(base + ["--rng", "gpu"]) == 2
    assert "--rng" in capsys.readouterr().err


def test_cli_nlc_dtype_auto(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "nlc", "relu", "--width", "16", "--depth", "2", "--seeds", "1",
            "--n-data", "40", "--in-dim", "6", "--batch-size", "20", "--probe-batches", "1",
            "--device", "cpu", "--json"]
    auto = _json(capsys, argv)
    f64 = _json(capsys, argv + ["--dtype", "float64"])
    assert auto["dtype"] == "float64" and auto == f64


# ----------------------------------------------------------------------------
# CUDA: the draws happen on the device and follow the same distribution


def _ks_normal(x: torch.Tensor, std: float) -> float:
    from scipy import stats

    return float(stats.kstest(x.double().cpu().numpy().ravel() / std, "norm").pvalue)


@pytest.mark.gpu
def test_cuda_walk_and_model_walk_device_generator() -> None:
    from ringing.simulate.model_walks import (
        ModelWalkConfig,
        draw_model_directions,
        walk_model,
        walked_modules,
    )
    from ringing.simulate.walks import WalkConfig, draw_network, walk
    from ringing.simulate.zoo import ZooSpec, build

    dev = torch.device("cuda")
    cfg = WalkConfig(activation="relu", depth=2, width=256, device="cuda",
                     generator_device="device")
    w_dev = draw_network(cfg, 0, dev, torch.float32)
    w_cpu = draw_network(WalkConfig(activation="relu", depth=2, width=256, device="cuda"), 0,
                         dev, torch.float32)
    assert w_dev[0].device.type == "cuda"
    assert not torch.equal(w_dev[0], w_cpu[0])  # not bit-identical (Philox) ...
    assert _ks_normal(w_dev[1], math.sqrt(2.0 / 256)) > 1e-3  # ... but the same law
    res = walk(WalkConfig(activation="relu", depth=2, width=64, points=16, directions=4,
                          inputs=4, device="cuda", generator_device="device"),
               show_progress=False)
    assert np.all(np.isfinite(res.unit_power))

    spec = ZooSpec("toycnn", 2, channels=3, in_channels=1)
    model = build(spec, 0, image_size=12, device="cuda", generator_device="device")
    assert all(p.device.type == "cuda" for p in model.parameters())
    mcfg = ModelWalkConfig(points=8, directions=2, inputs=4, device="cuda",
                           generator_device="device")
    ws = [m.weight.detach() for m in walked_modules(model)]
    dirs = draw_model_directions(mcfg, ws, 0, 0, 0)
    assert all(d is None or d.device.type == "cuda" for d in dirs)
    x = torch.randn(12, 1, 12, 12)
    y = torch.arange(12) % 10
    r = walk_model(lambda s: build(spec, s, image_size=12, device="cuda",
                                   generator_device="device"), x, y, mcfg,
                   show_progress=False)
    assert np.all(np.isfinite(r.unit_power))


@pytest.mark.gpu
def test_cuda_training_and_networks_device_generator() -> None:
    from ringing.simulate.networks import Network, NetworkConfig
    from ringing.simulate.training import BatchedMLP, train_full_batch

    m = BatchedMLP([1, 512, 1], "relu", [0], init="normal", init_std=0.1, device="cuda",
                   generator_device="device")
    c = BatchedMLP([1, 512, 1], "relu", [0], init="normal", init_std=0.1, device="cuda")
    assert m.weights[1].device.type == "cuda" and not torch.equal(m.weights[1], c.weights[1])
    assert _ks_normal(m.weights[1], 0.1) > 1e-3
    x = np.linspace(0, 1, 50, endpoint=False)
    rec = train_full_batch(m, x, np.sin(2 * np.pi * x), steps=5, lr=1e-3, compile="off")
    assert np.all(np.isfinite(rec.train_loss))
    cfg = NetworkConfig(width=512, depth=2, activation="erf", weights="orthogonal")
    net = Network(cfg, 0, device="cuda", generator_device="device")
    w, _ = net.params(2)
    assert w.device.type == "cuda"
    # an orthogonal layer from the device generator is orthogonal
    eye = torch.eye(512, device="cuda", dtype=w.dtype)
    assert float((w @ w.T - eye).abs().max()) < 1e-4
