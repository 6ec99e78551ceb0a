"""The simulation budget's estimate against the measured peak memory, and the width-65536 case.

For a few ``ringing simulate`` commands, each in a fresh interpreter: the estimate (read
from the refusal the same command gives under ``--max-memory 1``) and the measured
growth of the peak RSS over the interpreter's RSS once torch and ringing are imported.
The estimate must bound the growth.  Then ``ringing simulate correlation relu --width
65536 --depth 2`` with the default budget: refused before allocating (or run), with its
peak RSS.  Run::

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/budget_rss.py

Results: ``benchmarks/results/budget_rss.json``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUNNER = r"""
import contextlib, io, json, resource, sys
import torch, ringing.cli, ringing.simulate.measure, ringing.simulate.walks  # noqa: F401
def rss():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmRSS:"))
base = rss()
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    rc = ringing.cli.main(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"rc": rc, "base": base, "peak": peak, "stderr": err.getvalue()[-400:]}))
"""

CASES = [
    ["simulate", "correlation", "relu", "--width", "8192", "--depth", "1", "--rho0", "0.5",
     "--seeds", "2"],
    ["simulate", "correlation", "relu", "--width", "2048", "--depth", "2", "--rho0", "0.5",
     "--weights", "orthogonal", "--seeds", "2"],
    ["simulate", "jacobian", "tanh", "--width", "2048", "--depth", "3", "--seeds", "1",
     "--iters", "5", "--probes", "4"],
    ["simulate", "walk", "relu", "--width", "1024", "--depth", "2", "--points", "64",
     "--directions", "4"],
]

_UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                RINGING_PROGRESS="0")


def estimate(argv: list[str]) -> float:
    proc = subprocess.run([sys.executable, "-m", "ringing", *argv, "--max-memory", "1"],
                          capture_output=True, text=True, env=_env(), timeout=300)
    m = re.search(r"needs about ([\d.]+) (\w+)", proc.stderr)
    if not m:
        raise RuntimeError(f"no estimate for {argv}: {proc.stderr}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def measure(argv: list[str]) -> dict[str, float]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RUNNER, *argv, "--json"], capture_output=True,
                          text=True, env=_env(), timeout=1200)
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["seconds"] = time.perf_counter() - t0
    return res


def main() -> None:
    rows = []
    for argv in CASES:
        est = estimate(argv)
        m = measure(argv)
        growth = m["peak"] - m["base"]
        rows.append({"command": " ".join(argv), "estimate_mb": est / 2**20,
                     "peak_growth_mb": growth / 2**20, "rc": m["rc"],
                     "bounded": bool(growth <= est), "seconds": m["seconds"]})
        print(f"{rows[-1]['command']:100s} estimate {est / 2**20:8.1f} MiB  measured growth "
              f"{growth / 2**20:8.1f} MiB  rc={m['rc']}")
    big = ["simulate", "correlation", "relu", "--width", "65536", "--depth", "1", "--rho0",
           "0.5"]
    m = measure(big)
    res = {"cases": rows, "width_65536": {"command": " ".join(big), "rc": m["rc"],
                                          "peak_rss_mb": m["peak"] / 2**20,
                                          "stderr": m["stderr"].strip(),
                                          "seconds": m["seconds"]},
           "load_average": os.getloadavg()}
    print(f"width 65536: rc={m['rc']} peak RSS {m['peak'] / 2**20:.0f} MiB; {m['stderr'].strip()}")
    out = ROOT / "benchmarks" / "results" / "budget_rss.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
