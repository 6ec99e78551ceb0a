"""Cost of a batched CNN/ResNet walk of T points against one forward pass of the same B*T inputs.

The claim (issue 17): a walk of ``T`` path points on ``B`` images (all points one batch of
``T B`` images; every moved conv computes ``W x + c1(t) D1 x + c2(t) D2 x`` from two
convolutions, BatchNorm per path point) costs at most 2.5x one forward pass of the same ``T B``
images through the same network, measured in the same run, interleaved.  Timed: ``walk_once``
(loss only, and with every recorded layer's spectrum); the baseline is ``model(x)`` on the
``T B`` images, training mode, no gradient.  Also: peak resident memory of a ResNet56 walk
(16/32/64 planes, 32x32 images) at batch 32, in a fresh subprocess per ``T``.

Usage::

    python benchmarks/bench_cnn_walk.py [--out benchmarks/results/cnn_walk.md] [--repeats 5]
        [--memory-points 4 8 16] [--device cpu]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import torch

from ringing.simulate.common import resolve_device
from ringing.simulate.model_walks import (
    ModelWalkConfig,
    draw_model_directions,
    sample_batch,
    walk_once,
    walked_modules,
)
from ringing.simulate.zoo import ZooSpec, build, digit_images


def _time_pair(f: Callable[[], object], g: Callable[[], object], device: torch.device,
               repeats: int) -> tuple[float, float]:
    """Interleaved medians: ``bench_walk._time_pair`` (the MLP walk benchmark's timer)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_walk import _time_pair as time_pair

    return time_pair(f, g, device, repeats)


def ratio(spec: ZooSpec, size: int, points: int, inputs: int, repeats: int,
          device: torch.device) -> dict[str, float]:
    x, y = digit_images(size)
    cfg = ModelWalkConfig(points=points, inputs=inputs, radius=1.0, device=str(device))
    spec = ZooSpec(**{**spec.as_dict(), "in_channels": 1})
    model = build(spec, 0, image_size=size, device=str(device))
    xb, yb = sample_batch(x.to(device), y.to(device), inputs, 0)
    d1 = draw_model_directions(cfg, [m.weight.detach() for m in walked_modules(model)], 0, 0, 0)
    big = xb.repeat(points, 1, 1, 1)
    layers = model.layers()

    def fwd() -> object:
        with torch.no_grad():
            return model(big)

    t_walk, t_fwd = _time_pair(lambda: walk_once(model, xb, yb, d1, None, cfg), fwd, device,
                               repeats)
    t_rec, t_fwd2 = _time_pair(lambda: walk_once(model, xb, yb, d1, None, cfg, layers), fwd,
                               device, repeats)
    return {"walk_s": t_walk, "forward_s": t_fwd, "ratio": t_walk / t_fwd,
            "walk_spectra_s": t_rec, "ratio_spectra": t_rec / t_fwd2}


_MEM_CHILD = r"""
import json, os, sys, threading, time, torch
from ringing.simulate.zoo import ZooSpec, build
from ringing.simulate.model_walks import (ModelWalkConfig, draw_model_directions,
    walk_once, walked_modules)
T = int(sys.argv[1]); B = 32
page = os.sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * page / 2**20
spec = ZooSpec("resnet_v1", 56, shortcut=1.0, in_channels=3)
m = build(spec, 0)
x = torch.randn(B, 3, 32, 32); y = torch.randint(0, 10, (B,))
cfg = ModelWalkConfig(points=T, inputs=B, radius=1.0, device="cpu")
d1 = draw_model_directions(cfg, [w.weight.detach() for w in walked_modules(m)], 0, 0, 0)
base = rss(); peak = [base]; done = False
def watch():
    while not done:
        peak[0] = max(peak[0], rss()); time.sleep(0.002)
th = threading.Thread(target=watch); th.start()
walk_once(m, x, y, d1, None, cfg, m.layers())
done = True; th.join()
print(json.dumps({"T": T, "base_mib": base, "peak_mib": max(peak[0], rss())}))
"""


def memory(points: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _MEM_CHILD, str(points)], capture_output=True,
                         text=True, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="benchmarks/results/cnn_walk.md")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--memory-points", type=int, nargs="*", default=[4, 8])
    args = ap.parse_args(argv)
    device = resolve_device(args.device)
    cases = [
        ("Toy-CNN 20, 16 ch, relu, 32x32", ZooSpec("toycnn", 20, activation="relu"), 32),
        ("ResNet20 v1 S, 8 planes, 16x16", ZooSpec("resnet_v1", 20, shortcut=1.0, channels=8),
         16),
        ("ResNet20 v2 NS, 16 planes, 16x16", ZooSpec("resnet_v2", 20, channels=16), 16),
    ]
    load0 = os.getloadavg()
    rows = []
    for name, spec, size in cases:
        r = ratio(spec, size, 100, 8, args.repeats, device)
        rows.append((name, r))
        print(name, json.dumps(r), file=sys.stderr, flush=True)
    mem = [memory(t) for t in args.memory_points]
    load1 = os.getloadavg()
    lines = [
        "# CNN walk benchmark (`benchmarks/bench_cnn_walk.py`)", "",
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.processor() or platform.machine()}, "
        f"torch {torch.__version__}, device {device}, OMP_NUM_THREADS="
        f"{os.environ.get('OMP_NUM_THREADS', '?')}; load average {load0[0]:.1f} before, "
        f"{load1[0]:.1f} after (a shared machine: ratios, both sides timed interleaved in the "
        "same process, are what the claim is about).", "",
        f"Walk of T = 100 points on B = 8 images (one batch of 800) against one forward pass "
        f"of the same 800 images; median of {args.repeats} interleaved repeats.", "",
        "| network | forward (s) | walk, loss only (s) | ratio | walk + all layer spectra (s) "
        "| ratio |", "|---|---|---|---|---|---|"]
    for name, r in rows:
        lines.append(f"| {name} | {r['forward_s']:.3f} | {r['walk_s']:.3f} | "
                     f"**{r['ratio']:.2f}** | {r['walk_spectra_s']:.3f} | "
                     f"{r['ratio_spectra']:.2f} |")
    lines += ["", "Resident memory of a ResNet56 v1 walk (16/32/64 planes, 32x32x3, batch "
              "B = 32, all layer spectra recorded, float32, CPU), fresh process per T: the "
              "resident set just before the walk and its peak during it (sampled every 2 ms "
              "from /proc/self/statm):",
              "", "| T | images T·B | process before walk (MiB) | peak (MiB) | walk (MiB) |",
              "|---|---|---|---|---|"]
    for m in mem:
        lines.append(f"| {m['T']} | {m['T'] * 32} | {m['base_mib']:.0f} | {m['peak_mib']:.0f} | "
                     f"{m['peak_mib'] - m['base_mib']:.0f} |")
    if len(mem) >= 2:
        a, b = mem[0], mem[-1]
        slope = ((b["peak_mib"] - b["base_mib"]) - (a["peak_mib"] - a["base_mib"])) / (
            b["T"] - a["T"])
        lines += ["", f"Walk memory grows by {slope:.1f} MiB per path point (linear in T·B: "
                  f"the live (T·B, C, H, W) activations); extrapolated to T = 100: "
                  f"{(a['peak_mib'] - a['base_mib']) + slope * (100 - a['T']):.0f} MiB."]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
