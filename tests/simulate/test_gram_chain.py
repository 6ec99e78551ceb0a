"""The Gram chain (ringing.simulate.gram_chain) against the network it stands for.

The chain claims to have the same distribution as a width-M batchnorm network's minibatch
statistics.  The oracle here is independent code: the package's :class:`Network` itself,
differentiated in forward mode through the jointly propagated minibatch (seed 004 §G), one
network per seed.  Means over many seeds must agree within their standard errors; the
tolerance is 4 combined standard errors (two independent Monte Carlo means).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from ringing.simulate.gram_chain import (  # noqa: E402
    batchnorm_nlc_chain,
    batchnorm_nlc_wide_limit,
)
from ringing.simulate.networks import Network, NetworkConfig  # noqa: E402
from ringing.theory.nlc import nlc_tau_power  # noqa: E402


def _network_nlc(cfg: NetworkConfig, x: torch.Tensor, seeds: int, fixed: bool) -> np.ndarray:
    """Per-seed batch-form NLC of real networks on the minibatch ``x`` (forward mode)."""
    import ringing.simulate.networks as networks

    def bn_fixed(y: torch.Tensor, eps: float = networks.BN_EPS, *, dim: int = 0) -> torch.Tensor:
        m = y.mean(dim=dim, keepdim=True).detach()
        v = (y - m).square().mean(dim=dim, keepdim=True).detach()
        return (y - m) * torch.rsqrt(v + eps)

    orig = networks.batch_norm_na
    if fixed:
        networks.batch_norm_na = bn_fixed  # type: ignore[assignment]
    out = []
    try:
        g = torch.Generator().manual_seed(123)
        q_in2 = float(x.var(dim=0, unbiased=False).mean())
        for s in range(seeds):
            net = Network(cfg, 1000 + s, device="cpu", dtype="float64")
            with net.holding():
                v = torch.randn(x.shape, generator=g, dtype=torch.float64)
                f, fd = torch.func.jvp(net.function(), (x,), (v,))
            spread = float(f.var(dim=0, unbiased=False).mean())
            tan = float(fd.square().sum()) / (x.shape[0] * cfg.d_out)
            out.append(math.sqrt(tan * q_in2 / spread))
    finally:
        networks.batch_norm_na = orig  # type: ignore[assignment]
    return np.array(out)


@pytest.mark.parametrize("act, fixed", [("tanh", False), ("lrelu(slope=0.3)", False),
                                        ("lrelu(slope=0.3)", True)])
def test_chain_has_the_networks_distribution(act: str, fixed: bool) -> None:
    """Width 64, depth 6, minibatch 12 × 5: mean NLC of 300 networks vs 300 chains."""
    torch.set_num_threads(1)
    cfg = NetworkConfig(width=64, depth=6, activation=act, norm="batch", in_dim=5, out_dim=64,
                        final_norm=False, sigma_b=0.3)
    x = torch.randn(12, 5, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    net = _network_nlc(cfg, x, 300, fixed)
    ch = batchnorm_nlc_chain(cfg, x, replicates=300, derivative="fixed" if fixed else "joint",
                             generator=torch.Generator().manual_seed(9)).nlc
    se = math.hypot(net.std(ddof=1) / math.sqrt(net.size), ch.std(ddof=1) / math.sqrt(ch.size))
    assert abs(net.mean() - ch.mean()) < 4 * se, (net.mean(), ch.mean(), se)


def test_chain_sees_a_changed_normalisation() -> None:
    """The same comparison must fail for the wrong derivative (joint chain vs fixed-statistics
    networks): the test above can tell the two apart."""
    torch.set_num_threads(1)
    cfg = NetworkConfig(width=64, depth=6, activation="lrelu(slope=0.3)", norm="batch",
                        in_dim=5, out_dim=64, final_norm=False)
    x = torch.randn(12, 5, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    net = _network_nlc(cfg, x, 300, True)
    ch = batchnorm_nlc_chain(cfg, x, replicates=300, derivative="joint",
                             generator=torch.Generator().manual_seed(9)).nlc
    se = math.hypot(net.std(ddof=1) / math.sqrt(net.size), ch.std(ddof=1) / math.sqrt(ch.size))
    assert abs(net.mean() - ch.mean()) > 4 * se


def test_common_scale_gives_nlc_tau_power() -> None:
    """With one deterministic spread per layer (the mean-field idealisation), the wide limit of
    the chain is seed 004 §5's NLC_τ^(L−1): leaky ReLU 0.3, depth 8, minibatch 200 × 60."""
    torch.set_num_threads(1)
    act = "lrelu(slope=0.3)"
    cfg = NetworkConfig(width=256, depth=8, activation=act, norm="batch", in_dim=60,
                        out_dim=10, final_norm=False)
    x = torch.randn(200, 60, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    wl = batchnorm_nlc_wide_limit(cfg, x, widths=(256, 1024, 4096), replicates=4,
                                  scale="common")
    predicted = nlc_tau_power(act, 8)
    # centring on a finite minibatch leaves an O(depth/b) bias: 7/200 relative at most
    assert abs(wl.value - predicted) < 4 * wl.stderr + predicted * 7 / 200, (wl.value, predicted)
    # ... and with batchnorm's own per-unit spreads the same network is measurably above it
    per_unit = batchnorm_nlc_wide_limit(cfg, x, widths=(256, 1024, 4096), replicates=4)
    assert per_unit.value > predicted + 4 * per_unit.stderr


@pytest.mark.parametrize("kw, msg", [
    ({"derivative": "both"}, "unknown derivative"),
    ({"scale": "unit"}, "unknown scale"),
    ({"replicates": 0}, "replicates must be a positive integer"),
    ({"n_tangents": 1.5}, "n_tangents must be a positive integer"),
])
def test_bad_arguments_are_one_line_errors(kw: dict, msg: str) -> None:
    cfg = NetworkConfig(width=8, depth=3, activation="tanh", norm="batch", in_dim=4)
    with pytest.raises(ValueError, match=msg):
        batchnorm_nlc_chain(cfg, np.ones((5, 4)) * np.arange(5)[:, None], **kw)


def test_rejects_networks_it_does_not_describe() -> None:
    x = np.random.default_rng(0).normal(size=(6, 4))
    for cfg in (NetworkConfig(width=8, depth=3, activation="tanh", norm="layer", in_dim=4),
                NetworkConfig(width=8, depth=3, activation="tanh", norm="batch", in_dim=4,
                              weights="orthogonal")):
        with pytest.raises(ValueError, match="exact for a batchnorm MLP"):
            batchnorm_nlc_chain(cfg, x)
    cfg = NetworkConfig(width=8, depth=3, activation="tanh", norm="batch", in_dim=4)
    with pytest.raises(ValueError, match="shape"):
        batchnorm_nlc_chain(cfg, x[:, :3])
    with pytest.raises(ValueError, match="does not vary"):
        batchnorm_nlc_chain(cfg, np.ones((6, 4)))
