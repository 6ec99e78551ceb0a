"""Correlation propagation wider than memory: width 65 536 (and 131 072), depth 10.

    python benchmarks/bench_wide.py [--width N] [--quick]

Issue 15, must-show 4.  A float32 layer of width 65 536 needs 16 GiB, more than a
quarter of this 24 GiB machine's available memory, so the network streams every layer
in row blocks of 256 MiB drawn from the layer's seed (``Network.stream``,
``gaussian_weight_blocks``: the same numbers as the whole draw) and never holds a
layer whole.  The run happens in a fresh subprocess whose peak RSS (VmHWM, reset
after the imports) is reported next to the one-layer size.

The network: critical erf LayerNorm MLP (σ_w = 1, σ_b² = critical_ratio(erf)), Gaussian
weights, float32, depth 10, input pairs at ρ_0 ∈ {0, 0.5, 0.9} (4 pairs each, one
network).  Theory: ρ_l from ``ringing.theory.kernels.compose`` (seed 002 eq 2.3),
compared here, in the benchmark.  Stated finite-width error: the same network at width
1024 over 16 seeds gives the spread σ_1024 of the pair-averaged ρ_l at every (ρ_0, l);
the spread falls as N^(-1/2) (docs/simulate.md), so at width N it is
σ_N = σ_1024 · √(1024/N); the allowance is 4 σ_N + 4/N (an O(1/N) bias term).
Writes ``benchmarks/results/wide.md`` (appends one section per width).
"""

from __future__ import annotations

import datetime
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).parent / "results" / "wide.md"
RHO0 = [0.0, 0.5, 0.9]
DEPTH = 10
N_PAIRS = 4


def _status_mib(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{key} not in /proc/self/status")


def config(width: int):  # type: ignore[no-untyped-def]
    from ringing.simulate.networks import NetworkConfig
    from ringing.theory.kernels import critical_ratio

    sb = math.sqrt(float(critical_ratio("erf")))
    return NetworkConfig(width=width, depth=DEPTH, activation="erf", sigma_w=1.0, sigma_b=sb)


def child(width: int) -> None:
    torch.set_num_threads(1)
    from ringing.simulate.measure import measure_correlations
    from ringing.simulate.networks import Network

    cfg = config(width)
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    except OSError:
        pass
    base = _status_mib("VmRSS")
    net = Network(cfg, 0, device="cpu", dtype="float32")
    t0, c0 = time.time(), time.process_time()
    r = measure_correlations(cfg, RHO0, seeds=[0], n_pairs=N_PAIRS, device="cpu",
                             show_progress=False)
    print(json.dumps({"stream": net.stream, "peak_mib": _status_mib("VmHWM"),
                      "base_mib": base, "wall_s": time.time() - t0,
                      "cpu_s": time.process_time() - c0, "rho": r.mean.tolist()}))


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--child":
        child(int(argv[1]))
        return
    width = int(argv[argv.index("--width") + 1]) if "--width" in argv else 65536
    if "--quick" in argv:
        width = 4096
    torch.set_num_threads(1)
    from ringing.simulate.common import available_memory
    from ringing.simulate.measure import measure_correlations
    from ringing.theory.kernels import Layer, compose

    cfg = config(width)
    layers = [Layer(a if a is not None else "identity", cfg.sigma_w, cfg.sigma_b)
              for a in cfg.activations]
    theory = np.asarray(compose(layers, np.array(RHO0))).T  # (R, L+1)
    small = measure_correlations(config(1024), RHO0, seeds=range(16), n_pairs=N_PAIRS,
                                 device="cpu", show_progress=False)
    sigma_n = small.spread * math.sqrt(1024 / width)
    allow = 4 * sigma_n + 4.0 / width
    load = os.getloadavg()[0]
    avail = available_memory("cpu") / 2**30
    res = subprocess.run([sys.executable, __file__, "--child", str(width)],
                         capture_output=True, text=True)
    lines = [f"## width {width}, depth {DEPTH} ({datetime.datetime.now():%Y-%m-%d %H:%M}, "
             f"1 thread, float32, load average {load:.1f} at start, "
             f"{avail:.1f} GiB available at start)", ""]
    layer_gib = width * width * 4 / 2**30
    if res.returncode != 0:
        err = res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "?"
        lines += [f"Refused or failed (exit {res.returncode}): {err}", ""]
    else:
        out = json.loads(res.stdout.strip().splitlines()[-1])
        rho = np.array(out["rho"])
        dev = np.abs(rho - theory)
        ok = bool((dev[:, 1:] <= allow[:, 1:]).all())
        lines += [f"Streamed in row blocks: {out['stream']}. One layer whole: "
                  f"{layer_gib:.1f} GiB. Peak RSS {out['peak_mib']:.0f} MiB (of which "
                  f"{out['base_mib']:.0f} MiB before the network: interpreter, torch, "
                  f"imports; increase {out['peak_mib'] - out['base_mib']:.0f} MiB). "
                  f"CPU time {out['cpu_s']:.0f} s, wall {out['wall_s']:.0f} s.", "",
                  "| ρ_0 | layer | measured ρ_l | theory | |measured − theory| | allowance "
                  "4σ_N + 4/N |", "|---|---|---|---|---|---|"]
        for i, r0 in enumerate(RHO0):
            for layer in (1, 2, 5, DEPTH):
                lines.append(f"| {r0} | {layer} | {rho[i, layer]:.5f} | "
                             f"{theory[i, layer]:.5f} | {dev[i, layer]:.1e} | "
                             f"{allow[i, layer]:.1e} |")
        lines += ["", f"All {rho.shape[0] * DEPTH} entries (ρ_0, l ≥ 1) within the allowance: "
                  f"**{ok}** (max |dev|/allowance "
                  f"{float((dev[:, 1:] / allow[:, 1:]).max()):.2f}).", ""]
    print("\n".join(lines))
    if "--quick" not in argv:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        with OUT.open("a") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
