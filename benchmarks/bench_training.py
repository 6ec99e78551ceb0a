"""Steps per second of full-batch training with spectrum recording on against off.

Usage: ``python benchmarks/bench_training.py [--steps N] [--repeats R] [--out PATH]``

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
        "| configuration | seeds | record every | steps/s off | steps/s on | on/off | "
        "DFT after training (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['config']} | {r['seeds']} | {r['record_every']} | {r['off']:.1f} | "
                     f"{r['on']:.1f} | {r['ratio']:.3f} | {r['dft_ms']:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    rows = run(a.steps, a.repeats, a.device)
    text = table(rows, a.steps, a.device)
    print(text)
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
