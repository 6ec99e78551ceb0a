"""``ringing papers``: the five papers this package is built from, with full citations."""

from __future__ import annotations

import argparse
from typing import Any

from ringing.cli_support import add_json_flag
from ringing.papers import PAPERS, reference


def register(sub: Any) -> None:
    p = sub.add_parser(
        "papers", help="the papers this package reproduces, with their citations",
        description="List the five papers, their short keys (used in help, docs and the "
                    "report) and their full references.",
        epilog="example:\n  ringing papers --json")
    add_json_flag(p)
    p.set_defaults(func=_papers)


def _papers(args: argparse.Namespace) -> dict[str, Any]:
    rows = [p.as_dict() | {"reference": reference(p.key)} for p in PAPERS.values()]
    args.table_text = "\n".join(f"{p['key']:<19} {p['reference']}" for p in rows)
    return {"papers": rows}
