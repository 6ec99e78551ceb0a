"""Cost of a batched CNN/ResNet walk of T points against one forward pass of the same B*T inputs.

The claim (issue 17): a walk of ``T`` path points on ``B`` images (all points one batch of
``T B`` images; every moved conv computes ``W x + c1(t) D1 x + c2(t) D2 x`` from two
convolutions, BatchNorm per path point) costs at most 2.5x one forward pass of the same ``T B``
images through the same network, measured in the same run, interleaved.  Timed: ``walk_once``
(loss only, and with every recorded layer's spectrum); the baseline is ``model(x)`` on the
``T B`` images, training mode, no gradient.  Also: peak resident memory (VmHWM, reset after
the imports and the model) of a ResNet56 walk (16/32/64 planes, 32x32 images) at batch 32, in
a fresh subprocess per ``T`` up to the default ``T = 100``, beside a linear model in ``T``
fitted on the small ``T`` and checked against the large ones.

Usage::

    python benchmarks/bench_cnn_walk.py [--out benchmarks/results/cnn_walk.md] [--repeats 5]
        [--memory-points 4 8 16 32 64 100] [--fit-below 32] [--device cpu]
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
import json, sys, time, torch
from pathlib import Path
torch.set_num_threads(1)
from ringing.simulate.zoo import ZooSpec, build
from ringing.simulate.model_walks import (ModelWalkConfig, draw_model_directions,
    walk_once, walked_modules)
T = int(sys.argv[1]); B = 32
def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
spec = ZooSpec("resnet_v1", 56, shortcut=1.0, in_channels=3)
m = build(spec, 0)
x = torch.randn(B, 3, 32, 32); y = torch.randint(0, 10, (B,))
cfg = ModelWalkConfig(points=T, inputs=B, radius=1.0, device="cpu")
d1 = draw_model_directions(cfg, [w.weight.detach() for w in walked_modules(m)], 0, 0, 0)
try:
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    reset = True
except OSError:
    reset = False
base = status("VmRSS")
t0 = time.perf_counter(); c0 = time.process_time()
walk_once(m, x, y, d1, None, cfg, m.layers())
print(json.dumps({"T": T, "base_mib": base, "peak_mib": status("VmHWM"), "reset": reset,
                  "wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0}))
"""

#: bytes of one stage-1 activation tensor (B, 16, 32, 32) float32 per path point at B = 32
STAGE1_MIB = 32 * 16 * 32 * 32 * 4 / 2**20


def memory(points: int) -> dict[str, float]:
    """Peak resident memory of one ResNet56 walk of ``points`` path points at B = 32, in a
    fresh subprocess: VmHWM reset (``/proc/self/clear_refs``) after the imports, the model
    and the directions are in place, so ``peak - base`` is the walk's own memory."""
    out = subprocess.run([sys.executable, "-c", _MEM_CHILD, str(points)], capture_output=True,
                         text=True, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def memory_model(mem: list[dict[str, float]], fit_below: int) -> dict[str, float]:
    """Least-squares line ``walk MiB = a + b T`` through the runs with ``T <= fit_below``;
    its prediction is then checked against every larger measured ``T``."""
    import numpy as np

    sel = [m for m in mem if m["T"] <= fit_below]
    t = np.array([m["T"] for m in sel], dtype=float)
    w = np.array([m["peak_mib"] - m["base_mib"] for m in sel])
    b, a = np.polyfit(t, w, 1)
    return {"intercept_mib": float(a), "slope_mib": float(b), "fit_below": fit_below}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="benchmarks/results/cnn_walk.md")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--memory-points", type=int, nargs="*", default=[4, 8, 16, 32, 64, 100],
                    help="path points T of the ResNet56 memory runs (the default T = 100 last)")
    ap.add_argument("--fit-below", type=int, default=32,
                    help="fit the linear memory model on runs with T <= this; the larger runs "
                    "test it")
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
    lines += ["", "Peak resident memory of a ResNet56 v1 walk (16/32/64 planes, 32x32x3, batch "
              "B = 32, all layer spectra recorded, float32, CPU, one thread), a fresh process "
              "per T: VmHWM of /proc/self/status, reset through /proc/self/clear_refs after the "
              "imports, the model and the directions are in place; *walk* = VmHWM − VmRSS at "
              "the reset.  T = 100 is the default path length (App. A.2).",
              "", "| T | images T·B | process before walk (MiB) | peak VmHWM (MiB) | "
              "walk (MiB) | walk (s, wall) | linear model (MiB) |",
              "|---|---|---|---|---|---|---|"]
    mm = memory_model(mem, args.fit_below) if sum(
        m["T"] <= args.fit_below for m in mem) >= 2 else None
    for m in mem:
        pred = "–" if mm is None else (f"{mm['intercept_mib'] + mm['slope_mib'] * m['T']:.0f}"
                                       + ("" if m["T"] <= args.fit_below else " (predicted)"))
        lines.append(f"| {m['T']} | {m['T'] * 32} | {m['base_mib']:.0f} | {m['peak_mib']:.0f} | "
                     f"**{m['peak_mib'] - m['base_mib']:.0f}** | {m['wall_s']:.1f} | {pred} |")
    if mm is not None:
        lines += ["", f"Linear model fitted on T ≤ {args.fit_below}: walk memory = "
                  f"{mm['intercept_mib']:.0f} MiB + {mm['slope_mib']:.2f} MiB × T, i.e. "
                  f"{mm['slope_mib'] / STAGE1_MIB:.1f} live buffers the size of one stage-1 "
                  f"activation (B·16·32·32 float32 = {STAGE1_MIB:.0f} MiB per path point; "
                  "the stacked `[W; D₁]` convolution output counts two, then the moved output, "
                  "batchnorm's output and the recorded layer's FFT).  The rows marked *predicted* "
                  "test it against the measurement at larger T."]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    mem_json = Path(args.out).with_suffix(".json")
    mem_json.write_text(json.dumps({"memory": mem, "model": mm, "ratios": dict(rows),
                                    "load_average": [load0[0], load1[0]]}, indent=1) + "\n")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
