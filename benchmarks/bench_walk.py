"""Cost of a T-point weight-space walk against one forward pass of the same K*T*B inputs.

The claim (issue 6): the walk engine (all path points as one batch, (W + tD)x = Wx + t Dx)
costs at most 2.5x one forward pass of the same inputs through the same network, measured in
the same run.  Timed: ``run_walk`` (forward along the path + every layer's FFT spectrum) and,
separately, ``draw_directions`` (Gaussian directions on the CPU generator, then moved).

Usage::

    python benchmarks/bench_walk.py [--out benchmarks/results/walk.md] [--device auto]
        [--widths 256 512] [--repeats 9]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

from ringing.simulate.common import resolve_device
from ringing.simulate.walks import (
    WalkConfig,
    draw_directions,
    draw_inputs,
    draw_network,
    forward_fixed,
    run_walk,
)


def _time_pair(f: Callable[[], object], g: Callable[[], object], device: torch.device,
               repeats: int) -> tuple[float, float]:
    """Medians of ``repeats`` timings of ``f`` and ``g``, interleaved (f, g, f, g, ...) after a
    warm-up of each, so that a load change on the machine hits both alike."""
    def once(fn: Callable[[], object]) -> float:
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - t0

    f()
    g()
    tf, tg = [], []
    for _ in range(repeats):
        tf.append(once(f))
        tg.append(once(g))
    return statistics.median(tf), statistics.median(tg)


def bench(cfg: WalkConfig, repeats: int) -> dict[str, float]:
    device = resolve_device(cfg.device)
    dtype = torch.float32
    weights = draw_network(cfg, 0, device, dtype)
    x = draw_inputs(cfg, 0, cfg.inputs, device, dtype)
    chunk = range(cfg.directions)

    def draw() -> object:
        return draw_directions(cfg, 0, chunk, weights, device, dtype)

    d1, d2, _ = draw_directions(cfg, 0, chunk, weights, device, dtype)
    big = torch.randn(cfg.directions * cfg.points * cfg.inputs, cfg.n_in, dtype=dtype,
                      device=device)

    def fwd() -> object:
        with torch.no_grad():
            return forward_fixed(cfg, weights, big)

    t_fwd, t_walk = _time_pair(fwd, lambda: run_walk(cfg, weights, x, d1, d2), device, repeats)
    t_fwd2, t_draw = _time_pair(fwd, draw, device, max(1, repeats // 3))
    return {"forward": t_fwd, "walk": t_walk, "ratio": t_walk / t_fwd, "draw": t_draw,
            "draw_ratio": t_draw / t_fwd2}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=None)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--widths", type=int, nargs="+", default=[256, 512])
    ap.add_argument("--depth", type=int, default=8)
    ap.add_argument("--points", type=int, default=100)
    ap.add_argument("--inputs", type=int, default=8)
    ap.add_argument("--directions", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=9)
    args = ap.parse_args(argv)
    device = resolve_device(args.device)
    if device.type == "cuda":
        machine = torch.cuda.get_device_name(device)
    else:
        machine = f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"
    rows = []
    for width in args.widths:
        for act in ("relu", "tanh"):
            for path, second in (("loop", "shifted"), ("loop", "independent"),
                                 ("segment", "auto")):
                for norm in ("none", "batch"):
                    cfg = WalkConfig(act, depth=args.depth, width=width, path=path,
                                     second=second, points=args.points, inputs=args.inputs,
                                     directions=args.directions, norm=norm,
                                     device=str(device))
                    r = bench(cfg, args.repeats)
                    kind = f"{path} ({second})" if path == "loop" else path
                    rows.append((width, act, kind, norm, r))
                    print(f"N={width} {act} {kind} {norm}: forward {r['forward']*1e3:.1f} ms, "
                          f"walk {r['walk']*1e3:.1f} ms, ratio {r['ratio']:.2f}, "
                          f"draw {r['draw']*1e3:.1f} ms", file=sys.stderr)
    lines = [
        "# Walk cost against one forward pass (benchmarks/bench_walk.py)",
        "",
        f"Date: {datetime.date.today().isoformat()}. Machine: {machine}; torch "
        f"{torch.__version__}; float32.",
        f"Depth {args.depth}, T = {args.points} points, B = {args.inputs} inputs, "
        f"K = {args.directions} directions: the forward pass takes the same K*T*B = "
        f"{args.directions * args.points * args.inputs} inputs through the same network "
        "(same activation and normalisation). Median of "
        f"{args.repeats} interleaved runs (forward, walk, forward, walk, ...) after a warm-up. "
        "`walk` = `run_walk` (path forward + every layer's FFT spectrum); `draw` = drawing and "
        "scaling the directions (CPU generator; once per direction, independent of T and B), "
        "given as its own ratio to the forward pass.",
        "",
        "| width | act | path | norm | forward (ms) | walk (ms) | walk / forward | "
        "draw (ms) | draw / forward |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for width, act, path, norm, r in rows:
        lines.append(f"| {width} | {act} | {path} | {norm} | {r['forward']*1e3:.1f} | "
                     f"{r['walk']*1e3:.1f} | {r['ratio']:.2f} | {r['draw']*1e3:.1f} | "
                     f"{r['draw_ratio']:.2f} |")
    lines += ["", "Largest walk / forward ratio per width (target: <= 2.5):", "",
              "| width | default paths (shifted loops, segments) | independent loops |",
              "|---:|---:|---:|"]
    for width in args.widths:
        mine = [(kind, r["ratio"]) for w, _, kind, _, r in rows if w == width]
        dflt = max(v for kind, v in mine if "independent" not in kind)
        ind = max(v for kind, v in mine if "independent" in kind)
        lines.append(f"| {width} | {dflt:.2f} | {ind:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
