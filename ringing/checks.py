"""Input checks shared by every layer: one definition of each, one-line messages.

Each returns the cleaned value or raises ``ValueError`` with a message that names
the parameter and the offending value (the command line turns that into one line
on stderr and exit status 2).  No argparse here: :func:`ringing.cli_support.arg_type` adapts any
of them to the command line.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["positive_float", "non_negative_float", "integer", "positive_int", "non_negative_int"]



def _float(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name}={value!r} is not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is not a number") from None


def positive_float(value: Any, name: str = "value") -> float:
    """A finite number > 0."""
    v = _float(value, name)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name}={value!r} must be positive and finite")
    return v


def non_negative_float(value: Any, name: str = "value") -> float:
    """A finite number ≥ 0."""
    v = _float(value, name)
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name}={value!r} must be non-negative and finite")
    return v


def _int(value: Any, name: str, what: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise ValueError(f"{name}={value!r} must be {what}") from None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}={value!r} must be {what}")
    return int(value)


def integer(value: Any, name: str = "value") -> int:
    """An integer (``3``, ``"3"``, ``3.0``; not ``True``, not ``3.5``)."""
    return _int(value, name, "an integer")


def _bounded_int(value: Any, name: str, lo: int, what: str, maximum: int | None) -> int:
    v = _int(value, name, what)
    if v < lo:
        raise ValueError(f"{name}={v} must be {what}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name}={v} is larger than the supported maximum {maximum}")
    return v


def positive_int(value: Any, name: str = "value", maximum: int | None = None) -> int:
    """An integer ≥ 1 (and ≤ ``maximum`` when given)."""
    return _bounded_int(value, name, 1, "a positive integer", maximum)


def non_negative_int(value: Any, name: str = "value", maximum: int | None = None) -> int:
    """An integer ≥ 0 (and ≤ ``maximum`` when given)."""
    return _bounded_int(value, name, 0, "a non-negative integer", maximum)
