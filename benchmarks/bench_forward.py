"""Forward-and-measure throughput against bare ``torch.matmul``, and peak memory.

    python benchmarks/bench_forward.py [--quick] [--threads T] [--repeats R]

1. Throughput: :func:`ringing.simulate.measure.layer_correlations` (forward pass with
   activation, LayerNorm and per-layer correlations) against the same ``depth``
   matrix products ``(batch × N) @ (N × N)`` alone, same weights, same run.
   Ratio = matmul time / our time (1.0 = no overhead); each is the best of 3 timings,
   and the whole comparison is repeated ``R`` times (default 5), interleaved, and
   the median ratio reported with its range.  ``T`` torch threads (default 1: on this
   shared 2-core machine two OpenMP threads spin against the other jobs).
2. Peak memory of a width-8192, depth-50 forward pass with layers generated on the
   fly (``memory_budget=0``), in a fresh subprocess (``ru_maxrss``).

Writes ``benchmarks/results/forward.md``.
"""

from __future__ import annotations

import datetime
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

from ringing.simulate.data import correlated_pairs
from ringing.simulate.measure import layer_correlations
from ringing.simulate.networks import Network, NetworkConfig, layer_generator

OUT = Path(__file__).parent / "results" / "forward.md"


def best_of(fn, repeats: int = 3) -> float:  # type: ignore[no-untyped-def]
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)


def throughput(width: int, depth: int, batch: int, act: str,
               repeats: int = 5) -> tuple[float, float, float, float, float]:
    cfg = NetworkConfig(width=width, depth=depth, activation=act, sigma_w=1.0, sigma_b=0.1)
    net = Network(cfg, 0, device="cpu", dtype="float32")
    for layer in range(1, depth + 1):
        net.params(layer)  # draw and hold the weights before timing
    x = correlated_pairs(torch.linspace(-0.9, 0.9, batch // 2).numpy(), width,
                         generator=layer_generator(0, 0), dtype=torch.float32)
    ws = [net.params(layer)[0].T.contiguous() for layer in range(1, depth + 1)]

    def bare() -> None:
        h = x
        for w in ws:
            h = torch.matmul(h, w)

    mms, ours = [], []
    with torch.no_grad():
        for _ in range(repeats):
            ours.append(best_of(lambda: layer_correlations(net, x)))
            mms.append(best_of(bare))
    ratios = sorted(m / o for m, o in zip(mms, ours, strict=True))
    return (statistics.median(mms), statistics.median(ours), statistics.median(ratios),
            ratios[0], ratios[-1])


def _status_mib(key: str) -> float:
    """``key`` (``VmRSS``, ``VmHWM``) of /proc/self/status in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak_rss() -> float:
    """Reset the peak RSS (VmHWM) to the current RSS (Linux clear_refs) and return it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _status_mib("VmRSS")


def peak_memory_child(width: int, depth: int) -> None:
    base = _reset_peak_rss()  # interpreter + torch + imports; the peak restarts from here
    cfg = NetworkConfig(width=width, depth=depth, activation="erf", sigma_w=1.0, sigma_b=0.3)
    net = Network(cfg, 0, device="cpu", dtype="float32", memory_budget=0)
    x = correlated_pairs([0.0, 0.5, 0.9], width, generator=layer_generator(0, 0),
                         dtype=torch.float32)
    t0 = time.time()
    with torch.no_grad():
        layer_correlations(net, x)
    peak = _status_mib("VmHWM")
    print(f"{peak:.0f} {time.time() - t0:.1f} {base:.0f}")


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--child":
        torch.set_num_threads(int(argv[3]))
        peak_memory_child(int(argv[1]), int(argv[2]))
        return
    quick = "--quick" in argv
    threads = int(argv[argv.index("--threads") + 1]) if "--threads" in argv else 1
    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 5
    torch.set_num_threads(threads)
    load = os.getloadavg()[0]
    lines = [f"# Forward-and-measure benchmark ({datetime.date.today()}, {platform.machine()}, "
             f"{threads} torch threads, CPU, float32; machine shared with other jobs, "
             f"1-min load average {load:.1f} at start)", "",
             f"Median over {repeats} interleaved repeats (each the best of 3 timings).", "",
             "| width | depth | batch | activation | matmul only (ms) | forward + ρ_l (ms) "
             "| ratio, median (range) (target ≥ 0.6 at 2048) |", "|---|---|---|---|---|---|---|"]
    for width, depth, batch in ([(1024, 8, 256)] if quick else
                                [(512, 8, 256), (1024, 8, 256), (2048, 8, 256),
                                 (2048, 8, 1024)]):
        for act in ("erf", "relu", "tanh"):
            t_mm, t_ours, ratio, lo, hi = throughput(width, depth, batch, act, repeats)
            lines.append(f"| {width} | {depth} | {batch} | {act} | {1e3 * t_mm:.1f} | "
                         f"{1e3 * t_ours:.1f} | {ratio:.2f} ({lo:.2f}–{hi:.2f}) |")
            print(lines[-1], flush=True)
    width, depth = (2048, 10) if quick else (8192, 50)
    res = subprocess.run([sys.executable, __file__, "--child", str(width), str(depth),
                          str(threads)],
                         capture_output=True, text=True, check=True)
    peak, secs, base = res.stdout.split()
    held = NetworkConfig(width=width, depth=depth).param_bytes(4) / 2**20
    layer = NetworkConfig(width=width, depth=1).param_bytes(4) / 2**20
    lines += ["", "| width | depth | peak RSS, layers on the fly (MiB) | RSS before the "
              "network (MiB) | increase (MiB) | time (s) | one layer (MiB) "
              "| parameters if all held (MiB) |", "|---|---|---|---|---|---|---|---|",
              f"| {width} | {depth} | {peak} | {base} | {int(peak) - int(base)} | {secs} "
              f"| {layer:.0f} | {held:.0f} |", "",
              "Peak RSS includes the Python interpreter and torch (the 'before' column)."]
    print(lines[-1])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
