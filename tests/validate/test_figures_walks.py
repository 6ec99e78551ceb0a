"""The issue-6 measurement driver: every figure is written and the docs tables are generated
from the numbers (tiny networks: this checks the plumbing, not the physics)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("matplotlib")

from ringing.validate.figures_walks import measure_all, measurements_markdown  # noqa: E402


def test_measure_all_writes_figures_and_tables(tmp_path: Path) -> None:
    res = measure_all(tmp_path, width=12, depth=4, directions=2, networks=2, inputs=4, device="cpu",
                      averaging_widths=(8,))
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == sorted(["walk_segment_vs_loop.png", "walk_spectra_bn.png",
                           "walk_spectra_plain.png", "walk_layer_only_derivative.png",
                           "walk_residual_centroid.png", "walk_residual_h.png",
                           "walk_averaging.png", "walk_averaging_width.png",
                           "walk_transition.png",
                           "walk_branch_correlation.png"])
    assert set(res["averaging_by_width"]) == {"8", "12"}
    assert set(res["second_direction"]) == {"relu, none", "tanh, none", "relu, batch"}
    for v in res["second_direction"].values():
        assert len(v["centroid_z"]) == 4
    text = measurements_markdown(res)
    for heading in ("Segments (the paper's method)", "Activations (loops)", "Residual",
                    "Leaky-ReLU slope", "Linear network", "Feature averaging", "by width",
                    "Branch/shortcut correlation", "Measured against the theory", "Aliasing",
                    "second direction"):
        assert heading in text
    # every table row has as many cells as its header
    for block in text.split("\n\n"):
        rows = [r for r in block.splitlines() if r.startswith("|")]
        if rows:
            assert len({r.count("|") for r in rows}) == 1, block
    assert "nan" not in text.lower()
