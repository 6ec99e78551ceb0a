"""Forward throughput against bare loops, held vs not-held orthogonal networks, peak memory.

    python benchmarks/bench_forward.py [--quick] [--repeats R]

Issue 15, must-shows 1 and 3.  CPU time (``time.process_time``), one torch thread,
candidate and baselines interleaved, ``R`` repeats (default 7), medians; the 1-minute
load average is recorded at the start and the end.

1. ``Network.forward`` (held layers; one finite check per pass) against, on the same
   weights and inputs: (a) a bare loop doing the same work — ``torch.addmm``, the
   native activation (``torch.erf``/``relu``/``tanh``), the same LayerNorm written
   inline (in place); (b) ``addmm`` + activation alone.  ratio = baseline / ours
   (1.0 = no overhead; targets ≥ 0.92 vs (a) and ≥ 0.85 vs (b) at width 1024, ≥ 0.95
   at width 4096).
2. Orthogonal weights over the hold budget (``memory_budget=0``: nothing held for
   the network's lifetime) against the same network held and drawn before timing:
   (i) ``layer_correlations`` repeated on one network (each call one measurement; the
   first draws and factorises every layer and keeps Q on disk, later ones read it);
   (ii) ``measure_correlations`` over 2 seeds (a fresh network per seed: every layer
   drawn once either way).  Target ≤ 1.5×.
3. Peak memory of a width-8192, depth-50 forward pass with layers generated on the
   fly (``memory_budget=0``), in a fresh subprocess (VmHWM after a reset).

Writes ``benchmarks/results/forward.md``.
"""

from __future__ import annotations

import datetime
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

from ringing.simulate.data import correlated_pairs
from ringing.simulate.measure import layer_correlations, measure_correlations
from ringing.simulate.networks import Network, NetworkConfig, layer_generator

OUT = Path(__file__).parent / "results" / "forward.md"
NATIVE = {"erf": torch.erf, "tanh": torch.tanh, "relu": torch.relu}


def interleaved(cands: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median CPU time of each candidate over ``repeats`` interleaved rounds."""
    for fn in cands.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in cands}
    for _ in range(repeats):
        for k, fn in cands.items():
            t0 = time.process_time()
            fn()
            times[k].append(time.process_time() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def throughput(width: int, depth: int, batch: int, act: str, repeats: int) -> str:
    cfg = NetworkConfig(width=width, depth=depth, activation=act, sigma_w=1.0, sigma_b=0.1)
    net = Network(cfg, 0, device="cpu", dtype="float32")
    ps = [net.params(layer) for layer in range(1, depth + 1)]  # drawn and held before timing
    x = correlated_pairs(torch.linspace(-0.9, 0.9, batch // 2).numpy(), width,
                         generator=layer_generator(0, 0), dtype=torch.float32)
    phi = NATIVE[act]
    root = math.sqrt(width)

    def bare() -> None:
        h = x
        for layer, (w, b) in enumerate(ps, start=1):
            y = torch.addmm(b, h if layer == 1 else phi(h), w.T)
            h = y.mul_(root / torch.linalg.vector_norm(y, dim=-1, keepdim=True))

    def mm_act() -> None:
        h = x
        for layer, (w, b) in enumerate(ps, start=1):
            h = torch.addmm(b, h if layer == 1 else phi(h), w.T)

    t = interleaved({"ours": lambda: net.forward(x), "bare": bare, "mm_act": mm_act}, repeats)
    return (f"| {width} | {depth} | {batch} | {act} | {1e3 * t['ours']:.1f} | "
            f"{1e3 * t['bare']:.1f} | {1e3 * t['mm_act']:.1f} | "
            f"**{t['bare'] / t['ours']:.3f}** | **{t['mm_act'] / t['ours']:.3f}** |")


def orthogonal_hold(width: int, depth: int, repeats: int) -> list[str]:
    cfg = NetworkConfig(width=width, depth=depth, activation="erf", sigma_w=1.0, sigma_b=0.3,
                        weights="orthogonal")
    x = correlated_pairs([0.0, 0.5, 0.9], width, generator=layer_generator(0, 0),
                         dtype=torch.float32)
    held = Network(cfg, 0, device="cpu")
    assert held.hold
    for layer in range(1, depth + 1):
        held.params(layer)
    lean = Network(cfg, 0, device="cpu", memory_budget=0)
    assert not lean.hold
    t0 = time.process_time()
    first = layer_correlations(lean, x)  # draws, factorises, keeps Q on disk
    t_first = time.process_time() - t0
    assert (first == layer_correlations(held, x)).all()
    t = interleaved({"held": lambda: layer_correlations(held, x),
                     "lean": lambda: layer_correlations(lean, x)}, repeats)
    t2 = interleaved({"held": lambda: measure_correlations(
        cfg, [0.0, 0.5, 0.9], seeds=[0, 1], device="cpu", show_progress=False),
                      "lean": lambda: measure_correlations(
        cfg, [0.0, 0.5, 0.9], seeds=[0, 1], device="cpu", memory_budget=0,
        show_progress=False)}, max(3, repeats // 2))
    return [f"| {width} | {depth} | layer_correlations, repeated on one network | "
            f"{1e3 * t['held']:.1f} | {1e3 * t['lean']:.1f} | **{t['lean'] / t['held']:.2f}** | "
            f"first call (draw + QR + write) {1e3 * t_first:.0f} ms |",
            f"| {width} | {depth} | measure_correlations, 2 seeds (fresh networks) | "
            f"{1e3 * t2['held']:.0f} | {1e3 * t2['lean']:.0f} | "
            f"**{t2['lean'] / t2['held']:.2f}** | |"]


def _status_mib(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{key} not in /proc/self/status")


def peak_memory_child(width: int, depth: int) -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM restarts from the current RSS
    except OSError:
        pass
    base = _status_mib("VmRSS")
    cfg = NetworkConfig(width=width, depth=depth, activation="erf", sigma_w=1.0, sigma_b=0.3)
    net = Network(cfg, 0, device="cpu", dtype="float32", memory_budget=0)
    x = correlated_pairs([0.0, 0.5, 0.9], width, generator=layer_generator(0, 0),
                         dtype=torch.float32)
    t0 = time.process_time()
    layer_correlations(net, x)
    print(f"{_status_mib('VmHWM'):.0f} {time.process_time() - t0:.1f} {base:.0f}")


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--child":
        torch.set_num_threads(1)
        peak_memory_child(int(argv[1]), int(argv[2]))
        return
    quick = "--quick" in argv
    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 7
    torch.set_num_threads(1)
    lines = [f"# Forward benchmark ({datetime.datetime.now():%Y-%m-%d %H:%M}, "
             f"{platform.machine()}, 1 torch thread, CPU time, float32; machine shared, "
             f"1-min load average {os.getloadavg()[0]:.1f} at start)", "",
             f"Median of {repeats} interleaved repeats. ratio = baseline time / our time.", "",
             "## 1. Network.forward vs bare loops", "",
             "| width | depth | batch | activation | ours (ms) | bare addmm+act+LayerNorm (ms) "
             "| addmm+act (ms) | ratio vs bare (≥ 0.92; 0.95 at 4096) | ratio vs addmm+act "
             "(≥ 0.85) |", "|---|---|---|---|---|---|---|---|---|"]
    shapes = ([(512, 10, 256)] if quick else
              [(1024, 10, 256), (1024, 50, 256), (4096, 10, 256)])
    for width, depth, batch in shapes:
        for act in ("erf", "relu", "tanh"):
            lines.append(throughput(width, depth, batch, act, repeats))
            print(lines[-1], flush=True)
    lines += ["", "## 2. Orthogonal weights over the hold budget (memory_budget=0) vs held",
              "", "| width | depth | measurement | held (ms) | not held (ms) | ratio (≤ 1.5) "
              "| note |", "|---|---|---|---|---|---|---|"]
    for row in orthogonal_hold(*((256, 5) if quick else (1024, 10)), repeats):
        lines.append(row)
        print(row, flush=True)
    width, depth = (2048, 10) if quick else (8192, 50)
    res = subprocess.run([sys.executable, __file__, "--child", str(width), str(depth)],
                         capture_output=True, text=True, check=True)
    peak, secs, base = res.stdout.split()
    held = NetworkConfig(width=width, depth=depth).param_bytes(4) / 2**20
    layer = NetworkConfig(width=width, depth=1).param_bytes(4) / 2**20
    lines += ["", "## 3. Peak memory, layers generated on the fly", "",
              "| width | depth | peak RSS (MiB) | RSS before the network (MiB) | increase (MiB) "
              "| CPU time (s) | one layer (MiB) | all layers held (MiB) |",
              "|---|---|---|---|---|---|---|---|",
              f"| {width} | {depth} | {peak} | {base} | {int(peak) - int(base)} | {secs} "
              f"| {layer:.0f} | {held:.0f} |", "",
              f"1-min load average at the end: {os.getloadavg()[0]:.1f}"]
    print("\n".join(lines[-6:]))
    if not quick:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
