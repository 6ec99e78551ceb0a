"""Regenerate the tables of docs/cnn_walks.md (between ``<!-- tables:begin -->`` and
``<!-- tables:end -->``) from ``benchmarks/results/cnn_*.json``::

    python benchmarks/cnn_tables.py --tables docs/cnn_walks.md
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from ringing.experiments.seed000_cnn import FIGURES, tables_markdown


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tables", default="docs/cnn_walks.md", help="the page to update")
    ap.add_argument("--results", default="benchmarks/results", help="folder of cnn_*.json")
    args = ap.parse_args(argv)
    res = {}
    for name in [*FIGURES, "fig9", "fig9_replication"]:
        p = Path(args.results) / f"cnn_{name}.json"
        if p.exists():
            res[name] = json.loads(p.read_text())
    doc = Path(args.tables)
    text = doc.read_text()
    begin, end = "<!-- tables:begin -->", "<!-- tables:end -->"
    i, j = text.index(begin) + len(begin), text.index(end)
    doc.write_text(text[:i] + "\n" + tables_markdown(res) + "\n" + text[j:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
