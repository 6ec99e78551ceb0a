"""Input checks shared by every layer: one definition of each, one-line messages.

Each returns the cleaned value or raises ``ValueError`` with a message that names
the parameter and the offending value (the command line turns that into one line
on stderr and exit status 2).  :func:`arg_type` adapts any of them to argparse.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

__all__ = ["positive_float", "non_negative_float", "positive_int", "non_negative_int",
           "arg_type", "int_at_least"]

T = TypeVar("T")


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


def arg_type(check: Callable[..., T], name: str = "value", **kw: Any) -> Callable[[str], T]:
    """An argparse ``type=`` from one of the checks above (``arg_type(positive_int, "width")``)."""
    def parse(text: str) -> T:
        try:
            return check(text, name, **kw)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
    parse.__name__ = check.__name__
    return parse


def int_at_least(lo: int) -> Callable[[str], int]:
    """An argparse ``type=`` for integers ≥ ``lo``."""
    def parse(text: str) -> int:
        try:
            v = _int(text, "value", "an integer")
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
        if v < lo:
            raise argparse.ArgumentTypeError(f"expected an integer >= {lo}, got {v}")
        return v
    parse.__name__ = f"int>={lo}"
    return parse
