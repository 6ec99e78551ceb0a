"""The GPU checks of issue 15 in one script, for a session that is lent a GPU (≤ 8 minutes).

Usage::

    python benchmarks/gpu_check.py                       # on CUDA: writes benchmarks/results/gpu.md
    python benchmarks/gpu_check.py --device cpu --dry-run --out /tmp/gpu.md   # the same steps, tiny

Four steps, each timed, each skipped with a note when the time budget (``--budget-s``, default
420 s) is spent, and all written to one Markdown file:

1. **The gpu-marked tests** (``pytest -m gpu``): every simulation path on the device —
   networks, correlations, Jacobian norms, NLC, walks, model walks, training (eager and
   ``torch.compile``), the device-side generator.  ``--tests none`` skips them.
2. **Throughput against ``torch.matmul`` of the same shapes**: ``Network.forward`` (held layers,
   LayerNorm MLP, erf, float32, no autograd) against a bare loop of ``torch.matmul`` over the
   same weights, batch 1024, depth 10, widths 4096, 8192 and 16384; the ratio is matmul time /
   forward time (issue 15 asks ≥ 0.7).  Medians of interleaved repeats, the device synchronised
   around each.
3. **Training: eager against ``torch.compile``** (``benchmarks/bench_training.py``'s
   comparison on seed 001's 6×256 ReLU MLP, 2 seeds): steps per second of each and the first
   compiled run's wall time, to confirm that ``compile="auto"`` (on for CUDA) pays there.
4. **The widest network that fits**: the widest width whose float32 layer is held whole
   (one layer within :data:`ringing.simulate.budget.STREAM_FRACTION` of the memory available on
   the device), rounded down to a multiple of 1024, depth 3, correlation propagation with the
   device-side generator (``generator_device="device"``: a CPU draw of that many numbers would
   take minutes), timed, against the correlation map (seed 002 eq 2.3) with the finite-width
   scale ``1/√N`` beside it.

``--skip throughput,training,widest`` leaves steps out.  ``--dry-run`` (with
``--device cpu``) runs the same code on tiny shapes so that the script is
tested without a GPU (``tests/benchmarks/test_gpu_check.py``); its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "gpu.md"
if str(ROOT) not in sys.path:  # run from a fresh checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))


def _sync(device: object) -> None:
    import torch

    if torch.device(device).type == "cuda":  # type: ignore[arg-type]
        torch.cuda.synchronize()


def _timed(fn: Callable[[], object], device: object) -> float:
    _sync(device)
    t0 = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - t0


def run_tests(paths: str, budget_s: float) -> tuple[str, float]:
    """``pytest -m gpu`` on ``paths`` (in a subprocess, killed at ``budget_s``)."""
    if paths == "none":
        return "skipped (--tests none)", 0.0
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "gpu", "-p", "no:cacheprovider",
           *paths.split(",")]
    t0 = time.perf_counter()
    try:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env,
                              timeout=max(budget_s, 1.0))
        tail = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
        status = f"exit {done.returncode}: {tail}"
        if done.returncode not in (0, 5):
            fails = [ln for ln in done.stdout.splitlines() if ln.startswith("FAILED")]
            status += "\n\n" + "\n".join(f"    {ln}" for ln in fails[:20])
    except subprocess.TimeoutExpired:
        status = f"stopped after {budget_s:.0f} s (time budget)"
    return status, time.perf_counter() - t0


def throughput(device: str, widths: list[int], depth: int, batch: int,
               repeats: int) -> list[dict[str, float]]:
    """``Network.forward`` against ``torch.matmul`` chains of the same shapes."""
    import numpy as np
    import torch

    from ringing.simulate.networks import Network, NetworkConfig

    rows = []
    for n in widths:
        cfg = NetworkConfig(width=n, depth=depth, activation="erf", sigma_b=0.3)
        net = Network(cfg, 0, device=device, dtype="float32", memory_budget=1 << 62,
                      generator_device="device")
        ws = [net.params(layer)[0] for layer in range(1, depth + 1)]
        x = torch.randn(batch, n, device=net.device, generator=torch.Generator(
            device=net.device).manual_seed(0))

        def bare(x: torch.Tensor = x, ws: list[torch.Tensor] = ws) -> torch.Tensor:
            h = x
            for w in ws:
                h = torch.matmul(h, w.T)
            return h

        def ours(x: torch.Tensor = x, net: Network = net) -> torch.Tensor:
            return net.forward(x)[0]

        with torch.no_grad():
            bare()
            ours()  # warm-up (kernels, allocator)
            t_m, t_f = [], []
            for _ in range(repeats):
                t_m.append(_timed(bare, device))
                t_f.append(_timed(ours, device))
        tm, tf = float(np.median(t_m)), float(np.median(t_f))
        rows.append({"width": n, "depth": depth, "batch": batch, "matmul_ms": 1e3 * tm,
                     "forward_ms": 1e3 * tf, "ratio": tm / tf,
                     "tflops": 2.0 * batch * n * n * depth / tf / 1e12})
        del net, ws
        if device.startswith("cuda"):
            torch.cuda.empty_cache()
    return rows


def training(device: str, steps: int, repeats: int) -> list[dict[str, object]]:
    """Eager against compiled training steps (``bench_training.run_compile``), first config."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_training", ROOT / "benchmarks" / "bench_training.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.run_compile(steps, repeats, device, configs=bench.CONFIGS[:1])  # type: ignore


def widest(device: str, cap: int | None, depth: int = 3) -> dict[str, object]:
    """The widest held float32 layer that fits, timed through correlation propagation."""
    import numpy as np
    import torch

    from ringing.simulate.budget import STREAM_FRACTION
    from ringing.simulate.common import available_memory, resolve_device
    from ringing.simulate.measure import measure_correlations
    from ringing.simulate.networks import NetworkConfig
    from ringing.validate.compare import theory_correlations

    dev = resolve_device(device)
    avail = available_memory(dev)
    n = int(math.sqrt(STREAM_FRACTION * avail / 4)) // 1024 * 1024
    if cap is not None:
        n = min(n, cap)
    cfg = NetworkConfig(width=n, depth=depth, activation="erf", sigma_b=0.3)
    rho0 = [0.5, 0.9]
    holder: dict[str, object] = {}

    def go() -> None:
        holder["res"] = measure_correlations(cfg, rho0, seeds=[0], n_pairs=2, device=str(dev),
                                             generator_device="device", show_progress=False)

    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    seconds = _timed(go, dev)
    res = holder["res"]
    theory = theory_correlations(cfg, rho0)
    dev_max = float(np.max(np.abs(res.mean - theory)))  # type: ignore[attr-defined]
    peak = (f"{torch.cuda.max_memory_allocated(dev) / 2**30:.1f} GiB" if dev.type == "cuda"
            else "not measured on the CPU")
    return {"width": n, "depth": depth, "available_gib": avail / 2**30,
            "layer_gib": 4 * n * n / 2**30, "seconds": seconds, "peak": peak,
            "max_dev": dev_max, "scale": 1 / math.sqrt(n)}


def _section(rows: Any, note: str, head: list[str],
             cells: Callable[[Any], list[object]]) -> list[str]:
    """A skipped step's note, or ``note`` and a Markdown table of ``rows``."""
    if isinstance(rows, str):
        return [rows]
    out = [note, "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return out + ["| " + " | ".join(str(c) for c in cells(r)) + " |" for r in rows]


def render(meta: dict[str, object], tests: tuple[str, float], rows: list[dict[str, float]] | str,
           train: list[dict[str, object]] | str, wide: dict[str, object] | str,
           total: float) -> str:
    lines = [
        "# GPU check (issue 15 must-show 5)" + (" — DRY RUN (CPU, tiny shapes)"
                                                  if meta["dry_run"] else ""),
        "",
        f"Date: {meta['date']}; device: {meta['device_name']}; torch {meta['torch']}; "
        f"python {platform.python_version()}; `python benchmarks/gpu_check.py"
        f"{' ' + meta['argv'] if meta['argv'] else ''}`; total {total:.0f} s.",
        "",
        "## 1. gpu-marked tests (`pytest -m gpu`)",
        "",
        f"{tests[0]} ({tests[1]:.0f} s)",
        "",
        "## 2. Network.forward against torch.matmul of the same shapes",
        "",
    ]
    lines += _section(rows, "float32, erf, LayerNorm MLP, held layers, no autograd; ratio = "
                      "matmul time / forward time (target ≥ 0.7); medians of interleaved repeats.",
                      ["width", "depth", "batch", "matmul (ms)", "forward (ms)", "ratio",
                       "forward TFLOP/s"],
                      lambda r: [r["width"], r["depth"], r["batch"], f"{r['matmul_ms']:.3f}",
                                 f"{r['forward_ms']:.3f}", f"{r['ratio']:.3f}",
                                 f"{r['tflops']:.2f}"])
    lines += ["", "## 3. Training: eager against torch.compile", ""]
    lines += _section(train, "Steps per second: wall time with the device synchronised after "
                      "each run on a GPU, CPU time of this process on the CPU; medians of "
                      "interleaved runs.",
                      ["configuration", "eager steps/s", "compiled steps/s", "compiled / eager",
                       "first compiled run (wall s)"],
                      lambda t: [t["config"], f"{t['eager']:.1f}", f"{t['compiled']:.1f}",
                                 f"{t['ratio']:.3f}", f"{t['first_s']:.1f}"])
    lines += ["", "## 4. The widest network that fits", ""]
    if isinstance(wide, str):
        lines.append(wide)
    else:
        lines.append(
            f"Width {wide['width']}, depth {wide['depth']}, float32, one layer "
            f"{wide['layer_gib']:.3g} GiB of {wide['available_gib']:.1f} GiB available, weights "
            f"drawn on the device: correlation propagation (2 × 2 input pairs, ρ_0 ∈ {{0.5, 0.9}},"
            f" one seed) in {wide['seconds']:.2f} s, peak device memory "
            f"{wide['peak']}; largest |ρ_l − theory| = {wide['max_dev']:.2e} "
            f"(finite-width scale 1/√N = {wide['scale']:.1e}).")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda", help="cuda (default) or cpu (with --dry-run)")
    ap.add_argument("--dry-run", action="store_true",
                    help="tiny shapes: check that the script runs (on the CPU)")
    ap.add_argument("--tests", default="tests",
                    help="comma-separated test paths for pytest -m gpu, or none")
    ap.add_argument("--budget-s", type=float, default=420.0,
                    help="time budget in seconds (default 420); later steps are skipped")
    ap.add_argument("--skip", default="", help="comma-separated steps to leave out: "
                    "throughput, training, widest")
    ap.add_argument("--out", default=None, help=f"Markdown output (default {DEFAULT_OUT}; "
                    "a dry run prints only, unless given)")
    a = ap.parse_args(argv)
    import torch

    from ringing.simulate.common import resolve_device

    try:
        dev = resolve_device(a.device)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if dev.type != "cuda" and not a.dry_run:
        print("error: without a GPU only --dry-run makes sense (--device cpu --dry-run)",
              file=sys.stderr)
        return 2
    torch.set_num_threads(1 if dev.type == "cpu" else torch.get_num_threads())
    t0 = time.perf_counter()

    def left() -> float:
        return a.budget_s - (time.perf_counter() - t0)

    meta = {"date": datetime.datetime.now().isoformat(timespec="minutes"),
            "device_name": (torch.cuda.get_device_name(dev) if dev.type == "cuda"
                            else f"CPU ({os.cpu_count()} cores)"),
            "torch": torch.__version__, "dry_run": a.dry_run,
            "argv": " ".join(argv if argv is not None else sys.argv[1:])}
    # the tests may take at most 60 % of the budget, the rest is for steps 2 and 3
    tests = run_tests(a.tests, 0.6 * a.budget_s)
    print(f"[gpu_check] tests: {tests[0].splitlines()[0]}", file=sys.stderr)
    if a.dry_run:
        widths, depth, batch, repeats, cap = [64, 128], 3, 16, 3, 256
    else:
        widths, depth, batch, repeats, cap = [4096, 8192, 16384], 10, 1024, 7, None
    skip = {x.strip() for x in a.skip.split(",") if x.strip()}
    unknown = skip - {"throughput", "training", "widest"}
    if unknown:
        print(f"error: unknown --skip step(s) {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    rows: list[dict[str, float]] | str
    if "throughput" in skip:
        rows = "skipped (--skip)"
    elif left() > 30 or a.dry_run:
        rows = throughput(str(dev), widths, depth, batch, repeats)
        print(f"[gpu_check] throughput ratios: {[round(r['ratio'], 3) for r in rows]}",
              file=sys.stderr)
    else:
        rows = "skipped: the time budget was spent"
    train: list[dict[str, object]] | str
    if "training" in skip:
        train = "skipped (--skip)"
    elif left() > 120 or a.dry_run:
        train = training(str(dev), 5 if a.dry_run else 300, 1 if a.dry_run else 3)
        print(f"[gpu_check] compiled / eager: {[round(float(t['ratio']), 3) for t in train]}",
              file=sys.stderr)
    else:
        train = "skipped: the time budget was spent"
    wide: dict[str, object] | str
    if "widest" in skip:
        wide = "skipped (--skip)"
    elif left() > 30 or a.dry_run:
        wide = widest(str(dev), cap)
        print(f"[gpu_check] widest: width {wide['width']} in {wide['seconds']:.2f} s",
              file=sys.stderr)
    else:
        wide = "skipped: the time budget was spent"
    text = render(meta, tests, rows, train, wide, time.perf_counter() - t0)
    print(text)
    out = a.out if a.out is not None else (None if a.dry_run else str(DEFAULT_OUT))
    if out:
        Path(out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
