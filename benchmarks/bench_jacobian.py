"""Jacobian operator norm, Frobenius norm and empirical NLC against hand-written baselines.

    python benchmarks/bench_jacobian.py [--quick] [--repeats R]

Issue 15, must-show 2: each measurement of :mod:`ringing.simulate.measure` costs at most
1.2× the cheapest honest baseline run in the same process.  The baselines are written
here by hand on the same held weights (a bare ``addmm``/activation/normalisation loop,
checked to give the same output as the network) and do the same work:

* Frobenius norm (``n_probes`` Gaussian probes per input): (a) one forward with
  ``requires_grad`` and ``torch.autograd.grad(..., is_grads_batched=True)`` over the
  probes; (b) the batch repeated once per probe and one backward (the old method).
* Operator norm: (a) the exact norm, ``torch.func.jacrev`` of the bare network per input
  and ``torch.linalg.svdvals``; (b) power iteration with one whole-network
  ``torch.func.jvp`` and a stored ``torch.func.vjp`` pullback per step, run for as many
  steps as ours took (or ``n_iter``).  The baseline is the cheaper of (a) and (b).
* Empirical NLC (seed 004 §G, batchnorm): the output pass in minibatches under
  ``no_grad``, then per probe minibatch a forward with ``requires_grad`` and one
  ``torch.autograd.grad``.

Timing: CPU time (``time.process_time``) with one torch thread, candidate and baselines
interleaved, ``R`` repeats (default 5), medians; the 1-minute load average is recorded.
Also reported: whether power iteration converged (it warns when it does not).
Writes ``benchmarks/results/jacobian.md``.
"""

from __future__ import annotations

import datetime
import math
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F

from ringing.simulate.data import gaussian_data
from ringing.simulate.measure import (
    ConvergenceWarning,
    empirical_nlc,
    jacobian_frobenius_sq,
    operator_norm,
)
from ringing.simulate.networks import Network, NetworkConfig

OUT = Path(__file__).parent / "results" / "jacobian.md"
NATIVE = {"erf": torch.erf, "tanh": torch.tanh, "relu": torch.relu}


def bare_function(net: Network, act: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """The network written out by hand: addmm, native activation, normalisation."""
    c = net.config
    ps = [net.params(layer) for layer in range(1, c.depth + 1)]
    phi = NATIVE[act]

    def f(x: torch.Tensor) -> torch.Tensor:
        h = x
        for layer, (w, b) in enumerate(ps, start=1):
            y = torch.addmm(b, h if layer == 1 else phi(h), w.T)
            norm = c.layer_norm_kind(layer)
            if norm == "layer":
                y = y * (math.sqrt(y.shape[-1]) / torch.linalg.vector_norm(y, dim=-1,
                                                                           keepdim=True))
            elif norm == "batch":
                y = F.batch_norm(y, None, None, training=True, eps=1e-5)
            h = y
        return h
    return f


def cpu(fn: Callable[[], object]) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def interleaved(cands: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    for fn in cands.values():
        fn()  # warm-up
    times: dict[str, list[float]] = {k: [] for k in cands}
    for _ in range(repeats):
        for k, fn in cands.items():
            times[k].append(cpu(fn))
    return {k: statistics.median(v) for k, v in times.items()}


def held_net(width: int, depth: int, act: str, **kw: object) -> Network:
    cfg = NetworkConfig(width=width, depth=depth, activation=act, sigma_w=1.0, sigma_b=0.3,
                        **kw)  # type: ignore[arg-type]
    net = Network(cfg, 0, device="cpu", dtype="float32")
    assert net.hold
    for layer in range(1, depth + 1):
        net.params(layer)
    return net


def frobenius_case(width: int, depth: int, batch: int, probes: int, repeats: int) -> str:
    net = held_net(width, depth, "erf")
    f = bare_function(net, "erf")
    x = torch.randn(batch, width, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(f(x), net(x)[0], atol=1e-4)

    def probes_drawn() -> torch.Tensor:  # the same draw as ours (float64, then the dtype)
        g = torch.Generator().manual_seed(0)
        return torch.randn((probes * batch, width), generator=g, dtype=torch.float64).to(
            x).reshape(probes, batch, width)

    def batched_grad() -> None:
        u = probes_drawn()
        xr = x.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(xr), xr, u, is_grads_batched=True)
        g.double().square().sum(-1)

    def repeated() -> None:
        u = probes_drawn()
        xr = x.repeat(probes, 1).requires_grad_(True)
        (g,) = torch.autograd.grad(f(xr), xr, u.reshape(-1, width))
        g.double().square().sum(-1)

    t = interleaved({"ours": lambda: jacobian_frobenius_sq(net, x, n_probes=probes),
                     "autograd, batched grads": batched_grad,
                     "repeated batch, one backward": repeated}, repeats)
    base = min(t["autograd, batched grads"], t["repeated batch, one backward"])
    return (f"| Frobenius, {probes} probes | {width} | {depth} | {batch} | {1e3 * t['ours']:.0f} "
            f"| {1e3 * t['autograd, batched grads']:.0f} (a), "
            f"{1e3 * t['repeated batch, one backward']:.0f} (b) | **{t['ours'] / base:.2f}** | |")


def operator_case(width: int, depth: int, batch: int, n_iter: int, repeats: int) -> str:
    net = held_net(width, depth, "erf")
    f = bare_function(net, "erf")
    x = torch.randn(batch, width, generator=torch.Generator().manual_seed(1))
    x = x * (math.sqrt(width) / x.norm(dim=1, keepdim=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = operator_norm(net, x, n_iter=n_iter)
    steps = ref.iterations or n_iter

    def exact() -> None:
        for i in range(batch):
            torch.linalg.svdvals(torch.func.jacrev(f)(x[i:i + 1])[0, :, 0, :])[0]

    def power() -> None:
        _, pull = torch.func.vjp(f, x)
        v = torch.randn(x.shape, generator=torch.Generator().manual_seed(0))
        v = v / v.norm(dim=1, keepdim=True)
        for _ in range(steps):
            (w,) = pull(torch.func.jvp(f, (x,), (v,))[1])
            lam = w.norm(dim=1, keepdim=True)
            v = w / lam

    def ours() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            operator_norm(net, x, n_iter=n_iter)

    t = interleaved({"ours": ours, "exact": exact, "power": power}, repeats)
    base = min(t["exact"], t["power"])
    note = (f"{ref.method}" + (f", {ref.iterations} steps, converged={ref.converged}, "
                               f"last rel. change {ref.rel_change:.1e}"
                               if ref.method == "power" else ""))
    with warnings.catch_warnings(record=True) as caught:  # power forced: is a cap reported?
        warnings.simplefilter("always", ConvergenceWarning)
        forced = operator_norm(net, x, method="power", n_iter=n_iter)
    exact_sigma = operator_norm(net, x, method="exact").sigma
    note += (f"; power forced: converged={forced.converged}, rel. change "
             f"{forced.rel_change:.1e}, ConvergenceWarning raised: {bool(caught)}, "
             f"{100 * float((1 - forced.sigma / exact_sigma).max()):.2f} % below exact")
    return (f"| operator norm (n_iter {n_iter}) | {width} | {depth} | {batch} | "
            f"{1e3 * t['ours']:.0f} | {1e3 * t['exact']:.0f} (exact), "
            f"{1e3 * t['power']:.0f} (power, {steps} steps) | **{t['ours'] / base:.2f}** "
            f"| {note} |")


def nlc_case(width: int, depth: int, n: int, d: int, repeats: int) -> str:
    net = held_net(width, depth, "relu", norm="batch", in_dim=d, out_dim=10,
                   final_norm=False)
    f = bare_function(net, "relu")
    data = torch.as_tensor(gaussian_data(n, d, seed=0).x, dtype=torch.float32)
    b, probes = 250, 20

    def baseline() -> None:
        g = torch.Generator().manual_seed(0)
        perm = torch.randperm(n, generator=g)
        with torch.no_grad():
            outs = torch.cat([f(data[perm[k * b:(k + 1) * b]]).double()
                              for k in range(n // b)])
        float(outs.var(dim=0, unbiased=False).mean())
        s = []
        for _ in range(probes):
            xb = data[torch.randperm(n, generator=g)[:b]].requires_grad_(True)
            out = f(xb)
            u = torch.randn(out.shape, generator=g)
            (gr,) = torch.autograd.grad(out, xb, u)
            s.append(gr.double().square().sum() / b)
        float(torch.stack(s).mean())

    t = interleaved({"ours": lambda: empirical_nlc(net, data, n_probe_batches=probes),
                     "hand-written": baseline}, repeats)
    return (f"| NLC (batchnorm, n {n}, d {d}, b 250, 20 probe batches) | {width} | {depth} | "
            f"250 | {1e3 * t['ours']:.0f} | {1e3 * t['hand-written']:.0f} | "
            f"**{t['ours'] / t['hand-written']:.2f}** | |")


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 5
    torch.set_num_threads(1)
    load = os.getloadavg()[0]
    lines = [f"# Jacobian and NLC benchmark ({datetime.datetime.now():%Y-%m-%d %H:%M}, 1 torch "
             f"thread, CPU time, float32; machine shared, 1-min load average {load:.1f} at "
             "start)", "",
             f"Median of {repeats} interleaved repeats. ratio = ours / cheapest baseline "
             "(target ≤ 1.2).", "",
             "| measurement | width | depth | batch | ours (ms) | baselines (ms) | ratio | "
             "note |", "|---|---|---|---|---|---|---|---|"]
    cases: list[Callable[[], str]]
    if quick:
        cases = [lambda: frobenius_case(256, 5, 16, 8, repeats),
                 lambda: operator_case(128, 5, 2, 50, repeats),
                 lambda: nlc_case(100, 5, 1000, 40, repeats)]
    else:
        cases = [lambda: frobenius_case(1024, 10, 64, 8, repeats),
                 lambda: operator_case(256, 10, 2, 50, repeats),
                 lambda: operator_case(1024, 10, 2, 50, repeats),
                 lambda: nlc_case(100, 10, 2000, 40, repeats),
                 lambda: nlc_case(512, 10, 2000, 256, repeats)]
    for case in cases:
        lines.append(case())
        print(lines[-1], flush=True)
    lines.append(f"\n1-min load average at the end: {os.getloadavg()[0]:.1f}")
    if not quick:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
