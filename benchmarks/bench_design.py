"""Speed of the inverse-design solver (issue 19, must-show 4: each solve ≤ 1 s warm, one core).

    OMP_NUM_THREADS=1 python benchmarks/bench_design.py [--repeats 3] [--out PATH]

For every problem of issue 19 (DKS for softplus/tanh and ζ ∈ {1.5, 2, 5}; the leaky-ReLU
slope with NLC^49 = 2; the eight seed 004 Table 1 NLC budgets at t = 0 and t = 0.2; the
initialisation targets cslope, cvalue, cdistance, bound and blueshift) the script times

* the cold solve (first call in the process: rules, compiled functions, sympy),
* the warm solve (best of ``--repeats`` further calls), without and with the engine
  re-evaluation (``verify``),
* as the same-process baseline, one forward evaluation of the same targets by the public
  engine on the solution (:func:`ringing.theory.design.evaluate`),

and reports the counts the solver keeps: vectorised model batches, candidates evaluated,
root-finder refinements and engine calls.  Results: ``benchmarks/results/design.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ringing.theory.design import (
    Initialisation,
    Parametrised,
    Transform,
    design,
    evaluate,
)

TABLE1 = ("relu", "selu_seed004", "tanh", "sigmoid", "even_tanh", "gaussian", "square",
          "odd_square")


def problems() -> list[tuple[str, Callable[[], Any], int, list[str]]]:
    out: list[tuple[str, Callable[[], Any], int, list[str]]] = []
    for base in ("softplus", "tanh"):
        for z in (1.5, 2.0, 5.0):
            out.append((f"DKS {base} ζ={z:g}",
                        lambda base=base: Transform(base, free=("d", "t")), 100,
                        ["qslope=1", f"cslope={z}"]))
    out.append(("lrelu slope, NLC^49 = 2", lambda: Parametrised("lrelu", "slope"), 50,
                ["nlc=2"]))
    for base in TABLE1:
        for t in (0.0, 0.2):
            out.append((f"NLC^48 ≤ 3: {base}, t={t:g}", lambda base=base, t=t: Transform(base, t=t),
                        49, ["nlc<=3"]))
    out += [
        ("tanh σ_b: cslope=0.5, L=20", lambda: Initialisation("tanh"), 20, ["cslope=0.5"]),
        ("tanh σ_b: cvalue@0.5=0.9, L=10", lambda: Initialisation("tanh"), 10,
         ["cvalue@0.5=0.9"]),
        ("tanh d: cdistance=0.05, L=10", lambda: Transform("tanh"), 10, ["cdistance=0.05"]),
        ("tanh σ_b: bound=3, L=10", lambda: Initialisation("tanh"), 10, ["bound=3"]),
        ("tanh σ_w: blueshift=1.3, L=3", lambda: Initialisation("tanh", "sigma_w",
                                                                s_range=(0.5, 3.0)), 3,
         ["blueshift=1.3"]),
        ("tanh d: blueshift=1.2, L=3", lambda: Transform("tanh"), 3, ["blueshift=1.2"]),
    ]
    return out


def _time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, res = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = fn()
        best = min(best, time.perf_counter() - t0)
    return best, res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "design.md"))
    args = ap.parse_args()
    rows = []
    for label, make, depth, targets in problems():
        fam = make()
        t0 = time.perf_counter()
        res = design(fam, depth, targets)
        cold = time.perf_counter() - t0
        warm, res = _time(lambda fam=fam, depth=depth, targets=targets:
                          design(fam, depth, targets, verify=False), args.repeats)
        warm_v, res_v = _time(lambda fam=fam, depth=depth, targets=targets:
                              design(fam, depth, targets), args.repeats)
        base = float("nan")
        if res_v.chosen is not None:
            c = res_v.chosen
            tg = res_v.targets
            base, _ = _time(lambda c=c, depth=depth, tg=tg: evaluate(
                c.activation, depth, tg, sigma_w=c.sigma_w, sigma_b=c.sigma_b), args.repeats)
        cnt = res.counter
        err = res_v.errors[0] if res_v.errors else None
        rows.append((label, res.status, cold, warm, warm_v, base, cnt["model_batches"],
                     cnt["candidates"], cnt["root_refinements"], res_v.counter["engine_calls"],
                     err))
        print(f"{label:40s} {res.status:10s} cold {cold:.3f}  warm {warm:.3f}  "
              f"warm+verify {warm_v:.3f}  forward {base:.4f}", flush=True)
    load = os.getloadavg()[0]
    lines = [
        "# Inverse design: time per solve",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({os.cpu_count()} cores shared with other sessions), Python "
        f"{platform.python_version()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}; "
        f"load average after the timings {load:.1f}.  Times are best of {args.repeats} "
        "calls (warm) or the first call (cold); the ratio column compares the warm solve "
        "with one forward evaluation of the same targets by the public engine, timed in the "
        "same process.",
        "",
        "Command: `OMP_NUM_THREADS=1 python benchmarks/bench_design.py`.",
        "",
        "Counts: *batches* = vectorised statistics passes (each evaluates all its candidates "
        "at once on the engine's Gauss–Legendre rule), *candidates* = parameter values "
        "evaluated in them, *refinements* = root-finder function calls, *engine calls* = "
        "calls of the public engine (the blueshift target's solver and the re-evaluation).",
        "",
        "| problem | status | cold (s) | warm (s) | warm + verify (s) | forward eval (s) | "
        "warm / forward | batches | candidates | refinements | engine calls | |error| |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = r[3] / r[5] if r[5] == r[5] and r[5] > 0 else float("nan")
        err = "-" if r[10] is None else f"{r[10]:.1e}"
        fwd = "-" if r[5] != r[5] else f"{r[5]:.4f}"
        rat = "-" if ratio != ratio else f"{ratio:.2g}"
        lines.append(f"| {r[0]} | {r[1]} | {r[2]:.3f} | {r[3]:.3f} | {r[4]:.3f} | {fwd} | "
                     f"{rat} | {r[6]} | {r[7]} | {r[8]} | {r[9]} | {err} |")
    worst = max(rows, key=lambda r: r[3])
    worst_v = max(rows, key=lambda r: r[4])
    lines += ["", f"Slowest warm solve: {worst[3]:.3f} s ({worst[0]}; "
              f"{'within' if worst[3] <= 1.0 else 'OVER'} the 1 s budget of must-show 4).  "
              f"Slowest with the engine re-evaluation: {worst_v[4]:.3f} s ({worst_v[0]}), of "
              f"which the forward evaluation alone takes {worst_v[5]:.3f} s.", ""]
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
