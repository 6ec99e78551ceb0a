"""Steps per second of full-batch training with spectrum recording on against off.

Usage: ``python benchmarks/bench_training.py [--steps N] [--repeats R] [--out PATH]``
and ``python benchmarks/bench_training.py --compile [--steps N] [--repeats R] [--out PATH]``
(the compiled training step against the eager one: ``benchmarks/results/training_compile.md``).

Each configuration is trained with recording off and on, alternately, ``R``
times (same seeds, same process); the table gives the best steps/s of each and
the ratio (on/off).  Recording copies the training outputs at every recorded
step (no extra forward pass) and, with a test set, runs one no-grad forward
pass on it per recorded step; the spectra themselves are computed after
training and timed separately.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time

import numpy as np
import torch

from ringing.simulate.training import BatchedMLP, train_full_batch
from ringing.theory.fourier import nonuniform_dft

CONFIGS = [
    # name, widths, activation, n_train, n_eval, seeds, record_every
    ("seed 001 Exp. 1 (6x256 ReLU, 200 pts)", [1] + [256] * 6 + [1], "relu", 200, 0, 2, 100),
    ("seed 003 Fig 3 (tanh 200-200-200-100, 600 pts)", [1, 200, 200, 200, 100, 1], "tanh",
     600, 0, 2, 50),
    ("seed 003 Fig 6 (same, + 6000 test pts)", [1, 200, 200, 200, 100, 1], "tanh", 300, 6000,
     2, 50),
]


def run(steps: int, repeats: int, device: str) -> list[dict[str, object]]:
    rows = []
    for name, widths, act, n, n_eval, seeds, every in CONFIGS:
        x = np.linspace(-1, 1, n, endpoint=False)
        y = np.tile(np.sin(3 * x), (seeds, 1))
        ex = np.linspace(-1, 1, n_eval, endpoint=False) if n_eval else None
        best = {True: 0.0, False: 0.0}
        dft_s = 0.0
        for _ in range(repeats):
            for record in (False, True):
                model = BatchedMLP(widths, act, list(range(seeds)), device=device)
                rec = train_full_batch(model, x, y, steps=steps, lr=1e-4, record_every=every,
                                       eval_x=ex, record=record)
                best[record] = max(best[record], rec.steps_per_second)
                if record and rec.train_outputs is not None:
                    t0 = time.perf_counter()
                    nonuniform_dft(x, rec.train_outputs, np.arange(1, 41), (-1, 1))
                    dft_s = time.perf_counter() - t0
        rows.append({"config": name, "seeds": seeds, "record_every": every,
                     "off": best[False], "on": best[True], "ratio": best[True] / best[False],
                     "dft_ms": 1e3 * dft_s})
    return rows


def table(rows: list[dict[str, object]], steps: int, device: str) -> str:
    lines = [
        "# Training with spectrum recording: steps per second",
        "",
        f"Date: {datetime.date.today().isoformat()}; machine: {platform.machine()}, "
        f"{os.cpu_count()} CPU cores ({platform.processor() or 'cpu'}), torch "
        f"{torch.__version__}, {torch.get_num_threads()} torch threads, device {device}; "
        f"{steps} steps per run, best of the repeats.",
        "",
    ]
    return _markdown(lines, ["configuration", "seeds", "record every", "steps/s off",
                             "steps/s on", "on/off", "DFT after training (ms)"],
                     [[r["config"], r["seeds"], r["record_every"], f"{r['off']:.1f}",
                       f"{r['on']:.1f}", f"{r['ratio']:.3f}", f"{r['dft_ms']:.1f}"]
                      for r in rows])


def _markdown(lines: list[str], head: list[str], rows: list[list[object]]) -> str:
    """``lines``, then a Markdown table of ``rows`` under ``head``."""
    out = lines + ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(v) for v in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _train_cpu_seconds(widths: list[int], act: str, n: int, seeds: int, steps: int,
                       device: str, compile: str) -> tuple[float, float]:
    """CPU seconds (process time, this process) and wall seconds of ``steps`` training steps,
    recording off."""
    x = np.linspace(-1, 1, n, endpoint=False)
    y = np.tile(np.sin(3 * x), (seeds, 1))
    model = BatchedMLP(widths, act, list(range(seeds)), device=device)
    t0, w0 = time.process_time(), time.perf_counter()
    train_full_batch(model, x, y, steps=steps, lr=1e-4, record=False, compile=compile)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.process_time() - t0, time.perf_counter() - w0


def run_compile(steps: int, repeats: int, device: str,
                configs: list[tuple] | None = None) -> list[dict[str, object]]:
    """Eager against ``torch.compile`` (``train_full_batch(compile="on")``), same process.

    The first compiled run includes the compilation (reported apart, "first run", in wall
    seconds: inductor compiles in worker processes, outside this process's CPU time); the later
    ones reuse the compiled graph (a fresh model of the same shapes: the parameters are graph
    inputs), interleaved with eager runs; medians of ``repeats``; CPU time on the CPU, wall time
    (device synchronised) on a GPU.  ``configs``: a subset of
    :data:`CONFIGS` (default all)."""
    rows = []
    for name, widths, act, n, _n_eval, seeds, _every in (CONFIGS if configs is None
                                                         else configs):
        first = _train_cpu_seconds(widths, act, n, seeds, steps, device, "on")[1]
        eager, comp = [], []
        k = 1 if device.startswith("cuda") else 0  # a GPU: wall time (the host mostly waits)
        for _ in range(repeats):
            eager.append(_train_cpu_seconds(widths, act, n, seeds, steps, device, "off")[k])
            comp.append(_train_cpu_seconds(widths, act, n, seeds, steps, device, "on")[k])
        e, c = float(np.median(eager)), float(np.median(comp))
        rows.append({"config": name, "seeds": seeds, "eager": steps / e, "compiled": steps / c,
                     "ratio": e / c, "first_s": first})
    return rows


def table_compile(rows: list[dict[str, object]], steps: int, device: str) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Training step through torch.compile against eager",
        "",
        f"Date: {datetime.date.today().isoformat()}; machine: {platform.machine()}, "
        f"{os.cpu_count()} CPU cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} torch thread(s), device {device}, 1-minute load average "
        f"{load:.1f}; {steps} steps per run, recording off, CPU time (process time) of this "
        "process, medians of the interleaved repeats; `python benchmarks/bench_training.py "
        "--compile`.",
        "",
    ]
    return _markdown(lines, ["configuration", "seeds", "eager steps/s", "compiled steps/s",
                             "compiled / eager speed",
                             "first compiled run (wall s, incl. compilation)"],
                     [[r["config"], r["seeds"], f"{r['eager']:.1f}", f"{r['compiled']:.1f}",
                       f"{r['ratio']:.3f}", f"{r['first_s']:.1f}"] for r in rows])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--compile", action="store_true",
                    help="compare the torch.compile'd training step with the eager one")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.compile:
        text = table_compile(run_compile(a.steps, a.repeats, a.device), a.steps, a.device)
    else:
        text = table(run(a.steps, a.repeats, a.device), a.steps, a.device)
    print(text)
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
