"""The walk measurements and figures of docs/walks.md (formerly ``python -m
ringing.validate.figures_walks``): ``python benchmarks/walk_measurements.py --out walk_figures``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ringing.validate.figures_walks import measure_all, measurements_markdown


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="issue-6 walk measurements and figures")
    ap.add_argument("--out", default="walk_figures")
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--depth", type=int, default=10)
    ap.add_argument("--directions", type=int, default=2)
    ap.add_argument("--networks", type=int, default=8)
    ap.add_argument("--device", default="auto")
    args = ap.parse_args(argv)
    res = measure_all(args.out, width=args.width, depth=args.depth,
                      directions=args.directions, networks=args.networks,
                      device=args.device)
    text = json.dumps(res, indent=1, default=lambda o: np.asarray(o).tolist())
    Path(args.out, "walk_measurements.json").write_text(text)
    Path(args.out, "walk_measurements.md").write_text(measurements_markdown(res) + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
