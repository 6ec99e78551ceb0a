"""The ``ringing`` command.

Contract (DESIGN.md): every command takes ``--json`` and then prints one JSON
object on stdout and nothing else there.  Without ``--json`` a readable table is
printed.  Errors go to stderr as one line, exit status 2 for bad input
(``ValueError``, argument errors) and 1 for failures.  A handler may set
``args.exit_status`` (``ringing validate`` sets 1 when a claim fails, after its
report and JSON are written).  No NaN is ever printed
as a result: a non-finite number is an error.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import ringing.commands as _commands
from ringing.cli_support import add_json_flag, render_table
from ringing.serialize import to_jsonable

__all__ = ["main", "build_parser", "UsageError", "add_json_flag", "render_table"]

Handler = Callable[[argparse.Namespace], dict[str, Any]]


class UsageError(ValueError):
    """Bad command-line input (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ringing", description="Theory and simulation of activation "
                     "nonlinearity in deep networks.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sim = sub.add_parser("simulate", help="measure on wide torch networks")
    simsub = sim.add_subparsers(dest="what", metavar="WHAT", parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(_commands.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"ringing.commands.{info.name}")
        group = getattr(mod, "GROUP", None)
        mod.register(simsub if group == "simulate" else sub)
    return parser


def _check_finite(obj: Any, path: str = "result") -> None:
    if isinstance(obj, float) and not math.isfinite(obj):
        raise RuntimeError(f"{path} is not finite ({obj}); refusing to print it")
    if isinstance(obj, dict):
        for k, v in obj.items():
            _check_finite(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            _check_finite(v, f"{path}[{i}]")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ringing`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None or (args.command == "simulate" and args.what is None):
            parser.print_help(sys.stderr)
            return 2
        handler: Handler = args.func
        payload = to_jsonable(handler(args))
        _check_finite(payload)
    except (UsageError, ValueError) as err:
        print(f"error: {str(err).splitlines()[0] if str(err) else type(err).__name__}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - the contract: one line on stderr, status 1
        msg = str(err).splitlines()[0] if str(err) else ""
        print(f"error: {type(err).__name__}: {msg}", file=sys.stderr)
        return 1
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(payload, allow_nan=False) + "\n")
    else:
        text = getattr(args, "table_text", None)
        print(text if text is not None else render_table(payload))
    status: int = getattr(args, "exit_status", 0)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
