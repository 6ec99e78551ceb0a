"""The batch-form NLC of seed 004's batchnorm network from the Gram chain (issue 19, must-show 2).

Parts (one JSON line each on stdout; docs/design.md and benchmarks/results/batchnorm_chain.md):

``equivalence``  the existing estimator (:func:`ringing.simulate.measure.measure_nlc`) on real
                 networks against the Gram chain (:mod:`ringing.simulate.gram_chain`) at the
                 same width, and the time ratio chain / network (same process);
``wide``         the fixed-minibatch wide limit (a + c/M over chain widths) for the designed
                 leaky ReLU with batchnorm's per-unit spreads, with one common spread, and the
                 identity network;
``scan``         the wide-limit excess against the minibatch size b and data dimension d;
``centring``     one common spread: NLC against the minibatch size b, and a + c/b (b → ∞);
``design``       the slope whose *batch-form* NLC is 2 (Brent's method on the chain with
                 common random numbers) at one chain width, then its wide limit at three
                 widths; ``--excess c/M`` (from a first solve's fit) targets the wide limit.

Setting (:data:`ringing.validate.claims.design.LRELU_NLC_SETTING`): depth 50, d_in 100,
d_out 10, Gaussian data (500 inputs, seed 1), minibatches of 250 drawn as random subsets.

    OMP_NUM_THREADS=2 python benchmarks/batchnorm_chain.py --part design
    OMP_NUM_THREADS=2 python benchmarks/batchnorm_chain.py --part design --excess 0.013344 \\
        --bracket 0.683 0.688
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import numpy as np
import torch

from ringing.simulate.gram_chain import (
    batchnorm_nlc_chain,
    batchnorm_nlc_wide_limit,
    solve_batch_nlc,
)
from ringing.simulate.networks import NetworkConfig
from ringing.theory.nlc import nlc_tau_power
from ringing.validate.claims.design import (
    LRELU_NLC_SETTING,
    lrelu_nlc_config,
    lrelu_nlc_minibatches,
    lrelu_nlc_spec,
)

ST = LRELU_NLC_SETTING


def minibatches(replicates: int, *, b: int = ST["batch_size"], d: int = ST["d_in"]
                ) -> torch.Tensor:
    """The claim's minibatches (:func:`lrelu_nlc_minibatches`), (R, b, d)."""
    return torch.as_tensor(lrelu_nlc_minibatches(replicates, batch_size=b, d_in=d))


def config(spec: str, width: int, d: int = ST["d_in"], depth: int = ST["depth"]) -> NetworkConfig:
    return lrelu_nlc_config(spec, width, depth, d_in=d)  # type: ignore[no-any-return]


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj), flush=True)


def part_equivalence(width: int, seeds: int) -> None:
    from ringing.simulate.data import gaussian_data
    from ringing.simulate.measure import measure_nlc

    spec = lrelu_nlc_spec()
    data = gaussian_data(ST["n_data"], ST["d_in"], seed=1)
    t0 = time.perf_counter()
    net = measure_nlc(config(spec, width), data, seeds=range(seeds), batch_size=ST["batch_size"],
                      n_probe_batches=4, dtype="float64", show_progress=False)
    t_net = time.perf_counter() - t0
    t0 = time.perf_counter()
    ch = batchnorm_nlc_chain(config(spec, width), minibatches(seeds), replicates=seeds,
                             generator=torch.Generator().manual_seed(1))
    t_chain = time.perf_counter() - t0
    m, se = ch.mean_stderr()
    emit({"part": "equivalence", "width": width, "seeds": seeds,
          "network_nlc": net["nlc_mean"], "network_stderr": net["nlc_stderr"],
          "chain_nlc": m, "chain_stderr": se,
          "z": (net["nlc_mean"] - m) / math.hypot(net["nlc_stderr"], se),
          "network_s": t_net, "chain_s": t_chain, "chain_over_network_time": t_chain / t_net})


def part_wide(widths: list[int], replicates: int) -> None:
    spec = lrelu_nlc_spec()
    for label, act, scale in (("designed", spec, "minibatch"), ("designed", spec, "common"),
                              ("identity", "identity", "minibatch")):
        t0 = time.perf_counter()
        wl = batchnorm_nlc_wide_limit(config(act, 1024), minibatches(replicates),
                                      widths=widths, replicates=replicates, scale=scale)
        emit({"part": "wide", "network": label, "activation": act, "scale": scale,
              "nlc_tau_power": nlc_tau_power(spec, ST["depth"]) if act != "identity" else 1.0,
              **wl.as_dict(), "seconds": time.perf_counter() - t0})


def part_scan(width: int, replicates: int, grid: list[tuple[int, int]]) -> None:
    spec = lrelu_nlc_spec()
    for b, d in grid:
        t0 = time.perf_counter()
        ch = batchnorm_nlc_chain(config(spec, width, d=d),
                                 minibatches(replicates, b=b, d=d),
                                 replicates=replicates, generator=torch.Generator().manual_seed(2))
        m, se = ch.mean_stderr()
        emit({"part": "scan", "batch_size": b, "d_in": d, "width": width, "nlc": m,
              "nlc_stderr": se, "effective_rank_mean": float(ch.effective_rank.mean()),
              "seconds": time.perf_counter() - t0})


def part_centring(width: int, replicates: int, batch_sizes: list[int]) -> None:
    """Common spread, designed slope: NLC against the minibatch size b at chain width
    ``width``, and a + c/b (b → ∞: population centring) against NLC_τ^49."""
    from ringing.stats import fit_width_law

    spec = lrelu_nlc_spec()
    vals = {}
    for b in batch_sizes:
        t0 = time.perf_counter()
        ch = batchnorm_nlc_chain(config(spec, width), minibatches(replicates, b=b),
                                 replicates=replicates, scale="common",
                                 generator=torch.Generator().manual_seed(4))
        m, se = ch.mean_stderr()
        vals[b] = ch.nlc
        emit({"part": "centring", "batch_size": b, "width": width, "nlc": m, "nlc_stderr": se,
              "seconds": time.perf_counter() - t0})
    fit = fit_width_law(vals)
    emit({"part": "centring-fit", "law": "a + c/b", "a": fit.a,
          "a_stderr": math.sqrt(fit.cov[0, 0]), "c": fit.c, "chi2": fit.chi2, "dof": fit.dof,
          "nlc_tau_power": nlc_tau_power(spec, ST["depth"])})


def part_design(width: int, replicates: int, widths: list[int], target: float,
                excess: float, bracket: tuple[float, float]) -> None:
    """Solve at chain width ``width`` for ``target + excess`` (``excess``: the finite-width
    excess c/M of that width, from a previous solve's wide-limit fit), then the wide limit
    of the solution's chains at ``widths``."""
    x = minibatches(replicates)
    sol = solve_batch_nlc(lambda a: f"lrelu(slope={a!r})", config("relu", width), x,
                          target + excess, bracket, replicates=replicates)
    wl = batchnorm_nlc_wide_limit(config(sol.activation, 1024), x, widths=widths,
                                  replicates=replicates)
    emit({"part": "design", "target": target, "excess_at_solve_width": excess,
          "solve_width": width, "parameter": sol.parameter, "parameter_stderr": sol.stderr,
          "nlc_at_solve_width": sol.nlc, "nlc_at_solve_width_stderr": sol.nlc_stderr,
          "nlc_tau_power": nlc_tau_power(sol.activation, ST["depth"]),
          "calls": list(sol.calls), "wide_limit": wl.as_dict()})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--part", choices=["equivalence", "wide", "scan", "design", "centring"],
                   required=True)
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[125, 250, 500, 1000])
    p.add_argument("--width", type=int, default=16384)
    p.add_argument("--widths", type=int, nargs="+", default=[4096, 16384, 65536])
    p.add_argument("--replicates", type=int, default=8)
    p.add_argument("--target", type=float, default=2.0)
    p.add_argument("--excess", type=float, default=0.0,
                   help="design: finite-width excess c/M at --width to add to the target")
    p.add_argument("--bracket", type=float, nargs=2, default=(0.65, 0.72),
                   help="design: slope bracket")
    p.add_argument("--grid", nargs="+", default=["100x100", "250x25", "250x100", "250x200",
                                                  "1000x100", "1000x1000"])
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    np.seterr(all="raise")
    if a.part == "equivalence":
        part_equivalence(a.width, a.replicates)
    elif a.part == "wide":
        part_wide(a.widths, a.replicates)
    elif a.part == "centring":
        part_centring(a.width, a.replicates, a.batch_sizes)
    elif a.part == "scan":
        grid = [(int(g.split("x")[0]), int(g.split("x")[1])) for g in a.grid]
        part_scan(a.width, a.replicates, grid)
    else:
        part_design(a.width, a.replicates, a.widths, a.target, a.excess, tuple(a.bracket))


if __name__ == "__main__":
    main()
