"""Matplotlib for the figures: one place that selects the headless Agg backend."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["pyplot", "save_figure"]


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (no display needed), imported lazily."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | os.PathLike[str], *, dpi: int = 110, tight: bool = True,
                bbox_tight: bool = False) -> Path:
    """Lay out, save (creating the folder) and close a figure; returns the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if tight:
        fig.tight_layout()
    fig.savefig(out, dpi=dpi, bbox_inches="tight" if bbox_tight else None)
    pyplot().close(fig)
    return out
