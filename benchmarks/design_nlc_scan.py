"""Width / batch / input-dimension scan of the batchnorm-form NLC of the designed network.

Issue 19, must-show 2 (docs/design.md): the designed leaky ReLU (NLC_τ^49 = 2) and the same
network with the identity activation, seed 004's setting (depth 50, Gaussian data, d_out 10),
measured by the package's estimator (:func:`ringing.simulate.measure.measure_nlc`, seed 004
§G).  One JSON line per configuration on stdout: per-seed NLCs and the wall time.

``--fixed-stats`` is a *diagnostic*: it replaces batchnorm by a version whose minibatch mean and
variance are detached from autograd, so the Jacobian is the per-minibatch affine map's (the
statistics held fixed) instead of seed 004's joint one; the forward pass is unchanged.

Examples (one thread; minutes at width 2048)::

    OMP_NUM_THREADS=1 python benchmarks/design_nlc_scan.py --widths 256 512 1024 2048 \\
        --seeds 8 8 4 4 --probe-batches 4
    OMP_NUM_THREADS=1 python benchmarks/design_nlc_scan.py --widths 512 --seeds 4 \\
        --probe-batches 8 --fixed-stats
    OMP_NUM_THREADS=1 python benchmarks/design_nlc_scan.py --widths 128 256 512 1024 \\
        --seeds 4 --d-in 10 --activations identity
    OMP_NUM_THREADS=1 python benchmarks/design_nlc_scan.py --widths 256 512 1024 2048 \\
        --seeds 4 --depth 10 --design-depth 50
    OMP_NUM_THREADS=1 python benchmarks/design_nlc_scan.py --widths 512 --d-in 10 \\
        --split-gradient
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Iterator

import numpy as np
import torch

import ringing.simulate.networks as networks
from ringing.simulate.data import Dataset, gaussian_data
from ringing.simulate.measure import measure_nlc
from ringing.simulate.networks import NetworkConfig
from ringing.theory.design import Parametrised, design


def _bn_fixed_stats(y: torch.Tensor, eps: float = networks.BN_EPS, *, dim: int = 0
                    ) -> torch.Tensor:
    m = y.mean(dim=dim, keepdim=True).detach()
    v = (y - m).square().mean(dim=dim, keepdim=True).detach()
    return (y - m) * torch.rsqrt(v + eps)


@contextlib.contextmanager
def fixed_statistics(on: bool) -> Iterator[None]:
    """Batchnorm with detached minibatch statistics while ``on`` (a diagnostic patch)."""
    orig = networks.batch_norm_na
    if on:
        networks.batch_norm_na = _bn_fixed_stats  # type: ignore[assignment]
    try:
        yield
    finally:
        networks.batch_norm_na = orig  # type: ignore[assignment]


def gradient_split(width: int, depth: int, d_in: int, batch_size: int, seed: int,
                   n_probes: int = 16) -> dict[str, float]:
    """‖uᵀJ(X)‖²/b of the identity batchnorm network on one minibatch X, split into the part
    along the data's own span col(X − X̄) (perturbations that change the minibatch
    covariance), along the all-ones direction and the rest; with and without the derivative
    through the statistics (float64, ``n_probes`` Gaussian probes)."""
    cfg = NetworkConfig(width=width, depth=depth, activation="identity", norm="batch",
                        in_dim=d_in, out_dim=10, final_norm=False)
    net = networks.Network(cfg, seed, device="cpu", dtype="float64")
    g = torch.Generator().manual_seed(100 + seed)
    x = torch.randn(batch_size, d_in, generator=g, dtype=torch.float64)
    span, _ = torch.linalg.qr(x - x.mean(dim=0))
    ones = torch.full((batch_size, 1), batch_size ** -0.5, dtype=torch.float64)
    u = torch.randn(n_probes, batch_size, 10, generator=g, dtype=torch.float64)
    out: dict[str, float] = {}
    for fixed in (False, True):
        with fixed_statistics(fixed), net.holding():
            xr = x.clone().requires_grad_(True)
            grad = torch.autograd.grad(net.function()(xr), xr, u, is_grads_batched=True)[0]
        total = float(grad.square().sum()) / (n_probes * batch_size)
        along = float(torch.einsum("bi,kbd->kid", span, grad).square().sum()) / (
            n_probes * batch_size)
        mean = float(torch.einsum("bi,kbd->kid", ones, grad).square().sum()) / (
            n_probes * batch_size)
        key = "fixed" if fixed else "joint"
        out.update({f"{key}_total": total, f"{key}_span": along, f"{key}_ones": mean,
                    f"{key}_rest": total - along - mean})
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--widths", type=int, nargs="+", default=[256, 512, 1024])
    p.add_argument("--seeds", type=int, nargs="+", default=[4],
                   help="seeds per width (one value for all, or one per width)")
    p.add_argument("--depth", type=int, default=50)
    p.add_argument("--design-depth", type=int, default=None,
                   help="depth the slope is designed for (NLC_tau^(D-1) = 2; default --depth)")
    p.add_argument("--d-in", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=250)
    p.add_argument("--n-data", type=int, default=500)
    p.add_argument("--probe-batches", type=int, default=4)
    p.add_argument("--activations", nargs="+", default=["designed", "identity"])
    p.add_argument("--fixed-stats", action="store_true")
    p.add_argument("--unit-norm", action="store_true",
                   help="scale every input to norm sqrt(d_in) (no spread of input norms)")
    p.add_argument("--split-gradient", action="store_true",
                   help="only split one minibatch's input gradient (identity network, seed 0)")
    a = p.parse_args(argv)
    if a.split_gradient:
        for width in a.widths:
            print(json.dumps({"width": width, "depth": a.depth, "d_in": a.d_in,
                              "batch_size": a.batch_size,
                              **gradient_split(width, a.depth, a.d_in, a.batch_size, 0)}))
        return 0
    seeds = a.seeds * len(a.widths) if len(a.seeds) == 1 else a.seeds
    if len(seeds) != len(a.widths):
        p.error("--seeds takes one value or one per width")
    spec = design(Parametrised("lrelu", "slope"), a.design_depth or a.depth, ["nlc=2"]).chosen
    if spec is None and "designed" in a.activations:
        p.error(f"no leaky-ReLU slope has NLC_tau^{(a.design_depth or a.depth) - 1} = 2")
    data = gaussian_data(a.n_data, a.d_in, seed=1)
    if a.unit_norm:
        x = data.x * (a.d_in ** 0.5 / np.linalg.norm(data.x, axis=1, keepdims=True))
        data = Dataset(x, data.y, "gaussian, unit norm")
    for width, n_seeds in zip(a.widths, seeds, strict=True):
        for act in a.activations:
            act_spec = spec.activation if act == "designed" and spec is not None else act
            cfg = NetworkConfig(width=width, depth=a.depth, activation=act_spec, norm="batch",
                                in_dim=a.d_in, out_dim=10, final_norm=False)
            t0 = time.perf_counter()
            with fixed_statistics(a.fixed_stats):
                r = measure_nlc(cfg, data, seeds=range(n_seeds), batch_size=a.batch_size,
                                n_probe_batches=a.probe_batches, device="cpu",
                                dtype="float32", show_progress=False)
            print(json.dumps({"width": width, "activation": act_spec, "seeds": n_seeds,
                              "d_in": a.d_in, "batch_size": a.batch_size, "n_data": a.n_data,
                              "probe_batches": a.probe_batches, "depth": a.depth,
                              "fixed_stats": a.fixed_stats, "unit_norm": a.unit_norm,
                              "nlc_mean": r["nlc_mean"],
                              "nlc_stderr": r["nlc_stderr"], "nlc_per_seed": r["nlc_per_seed"],
                              "seconds": time.perf_counter() - t0}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
