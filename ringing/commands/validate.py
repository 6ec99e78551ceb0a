"""``ringing validate``: evaluate the claim catalogue, store the results, write the report.

``ringing validate [--quick] [--report PATH] [--store PATH] [--executor local|ray] [--json]``
(plus ``--only PATTERN``, ``--workers N``, ``--rerun``, ``--no-figures``, ``--device DEVICE``,
``--list``).

Bad input is caught before anything runs: an unwritable report path, a corrupt store file and
``--executor ray`` without Ray are one-line errors (exit 2) that leave the store untouched.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from ringing.cli_support import add_json_flag

GROUP = None


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "validate", help="check every claim (theory, simulation, the papers) and write the report",
        description="Evaluate the claim catalogue (theory against closed forms, simulations and "
                    "the papers' printed values), reusing finished results from the store, and "
                    "write an HTML report with Markdown and JSON summaries.",
        epilog="examples:\n  ringing validate --quick\n  ringing validate --list | head\n"
               "  ringing validate --only 'nlc*' --report out/report.html --json")
    p.add_argument("--quick", action="store_true",
                   help="small widths and few seeds for the simulation claims (minutes)")
    p.add_argument("--report", default="report", metavar="PATH",
                   help="directory (gets report.html/.md/.json) or a .html file "
                        "(default: ./report)")
    p.add_argument("--store", default=None, metavar="PATH",
                   help="results store (SQLite; default $XDG_CACHE_HOME/ringing/results.sqlite)")
    p.add_argument("--executor", default="local", choices=("local", "ray"),
                   help="local process pool (default) or Ray (needs ringing[dist])")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="parallel workers (default: the number of CPUs, at most 8)")
    p.add_argument("--only", default=None, metavar="PATTERN",
                   help="only claims whose name matches (comma-separated globs or substrings)")
    p.add_argument("--rerun", action="store_true",
                   help="recompute claims even when the store has their result")
    p.add_argument("--no-figures", action="store_true", help="leave the figures out of the report")
    p.add_argument("--device", default="cpu", metavar="DEVICE",
                   help="where the simulation claims and figures run: cpu (default), cuda or "
                        "auto (CUDA when present); results on a GPU are stored apart")
    p.add_argument("--list", action="store_true", help="list the claims and exit")
    add_json_flag(p)
    p.set_defaults(func=run)


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.6g}"


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.list:
        from ringing.validate.claims import catalogue, select

        claims = select(catalogue(), args.only)
        rows = [{"name": c.name, "kind": c.kind, "source": c.source, "statement": c.statement,
                 "requires": list(c.requires)} for c in claims]
        args.table_text = "\n".join(f"{c.name:50s} {c.kind:10s} {c.source}" for c in claims)
        return {"claims": rows, "report": None}

    from ringing.validate import run as validate_run
    from ringing.validate.report import resolve_report_paths

    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers {args.workers} must be >= 1")
    t0 = time.perf_counter()
    report = validate_run(quick=args.quick, store=args.store, executor=args.executor,
                          workers=args.workers, only=args.only, rerun=args.rerun,
                          figures=not args.no_figures, report=args.report,
                          device=args.device)
    paths = resolve_report_paths(args.report)
    results = report.results
    counts = {k: v for k, v in report.counts.items() if v}
    lines = [f"{r.verdict:20s} {r.name:48s} theory={_fmt(r.theory)} sim={_fmt(r.simulation)} "
             f"paper={_fmt(r.paper)}" + (f"  ({r.reason})" if r.reason else "") for r in results]
    lines.append("")
    lines.append(", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
                 + f"; {len(results)} claims ({report.meta['reused']} reused) in "
                 f"{time.perf_counter() - t0:.1f} s")
    lines.append(f"report: {paths.html}")
    args.table_text = "\n".join(lines)
    # the report is written either way; a failing or erroring claim is a failure (exit 1)
    if not report.ok:
        args.exit_status = 1
    sys.stderr.flush()
    return {
        "claims": [{"name": r.name, "verdict": r.verdict, "theory": r.theory,
                    "simulation": r.simulation,
                    "simulation_ci": list(r.simulation_ci) if r.simulation_ci else None,
                    "paper": r.paper, "reason": r.reason, "reused": r.reused}
                   for r in results],
        "report": str(Path(os.path.abspath(paths.html))),
        "counts": counts,
        "store": report.meta["store"],
        "device": report.meta["device"],
        "seconds": round(time.perf_counter() - t0, 2),
    }
