"""Plain-Python (JSON-ready) copies of results holding numpy values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["to_jsonable"]


def to_jsonable(obj: Any, *, nonfinite_as_str: bool = False) -> Any:
    """numpy scalars and arrays to plain Python, recursively (dict keys become strings).

    With ``nonfinite_as_str`` an inf or NaN float becomes its string (for storage); otherwise
    it is kept, and the command line refuses to print it.
    """
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v, nonfinite_as_str=nonfinite_as_str) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v, nonfinite_as_str=nonfinite_as_str) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist(), nonfinite_as_str=nonfinite_as_str)
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item(), nonfinite_as_str=nonfinite_as_str)
    if nonfinite_as_str and isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    return obj
