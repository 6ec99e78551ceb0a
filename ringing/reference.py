"""The papers' printed tables and closed forms (copied from shared/reference/ into the package)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["load_reference", "REFERENCE_FILES"]

REFERENCE_FILES = {
    "nlc": "nlc_table1_table2.json",
    "gradient_explosion": "gradient_explosion_closed_forms.json",
    "chebyshev_table1": "ringing_relus_table1_chebyshev.json",
}


@cache
def load_reference(name: str) -> dict[str, Any]:
    """Load one reference table by short name.

    ``nlc``, ``gradient_explosion`` or ``chebyshev_table1``.
    """
    if name not in REFERENCE_FILES:
        raise ValueError(f"unknown reference {name!r}; known: {', '.join(REFERENCE_FILES)}")
    text = resources.files("ringing").joinpath("data", REFERENCE_FILES[name]).read_text()
    data: dict[str, Any] = json.loads(text)
    return data
