"""10^4 generated hostile activation specs: none executed, none hung, no tracebacks.

Specs are drawn from ``tests/hostile_grammar.py`` (a grammar larger than the accepted
one: calls, attributes, lambdas, huge literals, power towers, deep nesting, payloads that
would write a sentinel file if ever executed).  Each is resolved in-process with
``get_activation`` (and, when accepted, evaluated on a small grid) under a 5 s alarm:

* executed: the sentinel file appeared, or ``eval``/``exec`` ran the spec's text;
* hung: the alarm fired;
* traceback: any exception other than ``ValueError`` (the one-line refusal).

A sample also goes through the command line (``ringing gauss SPEC --json``): exit 0 or 2,
one line on stderr, no traceback.  Reports max and median time per spec and the peak
memory (the process's peak RSS, its largest growth during one spec, and the largest peak
of a command-line child).  Run::

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/hostile_specs.py [--n 10000] [--cli 50]

and the result lands in ``benchmarks/results/hostile_specs.json``.
"""

from __future__ import annotations

import argparse
import builtins
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hostile_grammar import SENTINEL, random_spec  # noqa: E402

from ringing.activations import get_activation  # noqa: E402

ALARM_S = 5


class Hung(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hung()


def _rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def in_process(n: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    calls: list[Any] = []
    real_eval, real_exec = builtins.eval, builtins.exec

    def rec(real: Any) -> Any:
        def wrapper(source: Any, *a: Any, **k: Any) -> Any:
            if isinstance(source, (str, bytes)):
                calls.append(source)
            return real(source, *a, **k)
        return wrapper

    signal.signal(signal.SIGALRM, _alarm)
    counts = {"accepted": 0, "refused": 0, "executed": 0, "hung": 0, "tracebacks": 0}
    bad: list[dict[str, str]] = []
    times = np.empty(n)
    max_growth, worst = 0, ""
    grid = np.linspace(-3.0, 3.0, 7)
    for i in range(n):
        spec = random_spec(rng, rng.choice([2, 3, 4, 5, 6]))
        calls.clear()
        before = _rss()
        builtins.eval, builtins.exec = rec(real_eval), rec(real_exec)
        t0 = time.perf_counter()
        signal.alarm(ALARM_S)
        try:
            act = get_activation(spec)
            with np.errstate(all="ignore"):
                act.numpy(grid)
            counts["accepted"] += 1
        except ValueError:
            counts["refused"] += 1
        except Hung:
            counts["hung"] += 1
            bad.append({"kind": "hung", "spec": spec[:300]})
        except Exception as err:  # noqa: BLE001 - what the benchmark counts
            counts["tracebacks"] += 1
            bad.append({"kind": type(err).__name__, "spec": spec[:300], "error": str(err)[:200]})
        finally:
            signal.alarm(0)
            builtins.eval, builtins.exec = real_eval, real_exec
        times[i] = time.perf_counter() - t0
        text = spec.strip()
        if os.path.exists(SENTINEL) or any(len(text) > 2 and text in str(c) for c in calls):
            counts["executed"] += 1
            bad.append({"kind": "executed", "spec": spec[:300]})
            if os.path.exists(SENTINEL):
                os.remove(SENTINEL)
        growth = _rss() - before
        if growth > max_growth:
            max_growth, worst = growth, spec[:200]
    slowest = int(np.argmax(times))
    rng2 = random.Random(seed)
    specs = [random_spec(rng2, rng2.choice([2, 3, 4, 5, 6])) for _ in range(slowest + 1)]
    return {"n": n, "seed": seed, **counts, "problems": bad[:50],
            "max_seconds": float(times.max()), "median_seconds": float(np.median(times)),
            "p99_seconds": float(np.quantile(times, 0.99)), "slowest_spec": specs[-1][:200],
            "peak_rss_mb": _rss() / 2**20, "max_rss_growth_one_spec_mb": max_growth / 2**20,
            "spec_with_max_growth": worst}


def through_cli(n: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed + 1)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    rcs: dict[int, int] = {}
    bad: list[dict[str, Any]] = []
    times = []
    for _ in range(n):
        spec = random_spec(rng, rng.choice([2, 3, 4]))
        t0 = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-m", "ringing", "gauss", spec, "--json"],
                                  capture_output=True, text=True, timeout=60, env=env)
        except subprocess.TimeoutExpired:
            bad.append({"kind": "hung", "spec": spec[:300]})
            continue
        times.append(time.perf_counter() - t0)
        rcs[proc.returncode] = rcs.get(proc.returncode, 0) + 1
        lines = proc.stderr.strip().splitlines()
        ok = (proc.returncode == 2 and len(lines) == 1) or (proc.returncode == 0
                                                             and not proc.stderr)
        if not ok or "Traceback" in proc.stderr:
            bad.append({"kind": f"exit {proc.returncode}", "spec": spec[:300],
                        "stderr": proc.stderr[-300:]})
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"n": n, "exit_codes": {str(k): v for k, v in sorted(rcs.items())},
            "problems": bad, "max_seconds": max(times, default=0.0),
            "median_seconds": float(np.median(times)) if times else 0.0,
            "max_child_peak_rss_mb": child_rss, "executed": int(os.path.exists(SENTINEL))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--cli", type=int, default=50)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "hostile_specs.json"))
    a = ap.parse_args()
    if os.path.exists(SENTINEL):
        os.remove(SENTINEL)
    load = os.getloadavg()
    t0 = time.perf_counter()
    res: dict[str, Any] = {"in_process": in_process(a.n, a.seed)}
    res["cli"] = through_cli(a.cli, a.seed)
    res["total_seconds"] = time.perf_counter() - t0
    res["load_average_at_start"] = load
    res["cpus"] = os.cpu_count()
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + "\n")
    ip, cli = res["in_process"], res["cli"]
    print(f"{ip['n']} specs in-process: {ip['executed']} executed, {ip['hung']} hung, "
          f"{ip['tracebacks']} tracebacks ({ip['accepted']} accepted, {ip['refused']} refused); "
          f"max {ip['max_seconds']:.3f} s, median {ip['median_seconds'] * 1e3:.2f} ms, peak RSS "
          f"{ip['peak_rss_mb']:.0f} MB (largest growth in one spec "
          f"{ip['max_rss_growth_one_spec_mb']:.1f} MB)")
    print(f"{cli['n']} through the CLI: exit codes {cli['exit_codes']}, {len(cli['problems'])} "
          f"problems, {cli['executed']} executed; max {cli['max_seconds']:.2f} s, peak child RSS "
          f"{cli['max_child_peak_rss_mb']:.0f} MB; load {load[0]:.1f} on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
