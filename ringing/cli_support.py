"""Command-line layer helpers shared by :mod:`ringing.cli` and the modules of
:mod:`ringing.commands`: argparse ``type=`` adapters of the input checks of
:mod:`ringing.checks`, the contract's ``--json`` flag and the readable table output.

The commands import these from here (never from :mod:`ringing.cli`, which imports the
commands), so the command line has no import cycle.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TypeVar

from ringing.checks import integer

__all__ = ["add_json_flag", "add_rng_flag", "arg_type", "int_at_least", "render_table"]

T = TypeVar("T")


def add_json_flag(p: argparse.ArgumentParser) -> None:
    """Add the contract's ``--json`` flag to a sub-command parser."""
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def add_rng_flag(p: argparse.ArgumentParser) -> None:
    """Add ``--rng cpu|device`` (where random parameters are drawn) to a simulation command."""
    p.add_argument("--rng", choices=("cpu", "device"), default="cpu",
                   help="where random weights and directions are drawn: cpu (default; the "
                   "same numbers on every device) or device (on --device: the same "
                   "distribution, no copy to the GPU, but not bit-identical to the CPU draw)")


def arg_type(check: Callable[..., T], name: str = "value", **kw: Any) -> Callable[[str], T]:
    """An argparse ``type=`` from a check of :mod:`ringing.checks`
    (``arg_type(positive_int, "width")``)."""
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
            v = integer(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
        if v < lo:
            raise argparse.ArgumentTypeError(f"expected an integer >= {lo}, got {v}")
        return v
    parse.__name__ = f"int>={lo}"
    return parse


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.10g}"
    if isinstance(v, (list, tuple)):
        if len(v) > 8:
            return "[" + ", ".join(_fmt(u) for u in v[:8]) + f", ... ({len(v)} values)]"
        return "[" + ", ".join(_fmt(u) for u in v) + "]"
    return str(v)


def render_table(payload: dict[str, Any]) -> str:
    """A readable key/value table of a payload (the default, non-JSON output)."""
    width = max((len(k) for k in payload), default=0)
    return "\n".join(f"{k.ljust(width)}  {_fmt(v)}" for k, v in payload.items())
