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
import os
import pkgutil
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import ringing.commands as _commands
from ringing import __version__
from ringing.checks import positive_int
from ringing.cli_support import (
    add_json_flag,
    announce_plan,
    arg_type,
    render_table,
    resolve_activation,
)
from ringing.runs.progress import configure_progress
from ringing.runs.threads import configure_threads
from ringing.serialize import to_jsonable

__all__ = ["main", "build_parser", "UsageError", "add_json_flag", "render_table"]

Handler = Callable[[argparse.Namespace], dict[str, Any]]


class UsageError(ValueError):
    """Bad command-line input (exit status 2)."""


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter,
                     argparse.RawDescriptionHelpFormatter):
    """Defaults shown after each flag's help; epilog examples kept as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        # identity, not ==: a default of 0 or 0.0 is shown (0 == False)
        if action.default is None or action.default is False \
                or action.default is argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ringing", description="Theory and simulation of activation "
                     "nonlinearity in deep networks: exact and numeric theory, wide-network "
                     "simulations, and the validation of five papers (`ringing papers`).  "
                     "Every command takes --json; docs/cli.md lists every flag.",
                     epilog="examples:\n  ringing hermite relu --degree 8\n"
                            "  ringing simulate nlc relu --depth 4 --width 256\n"
                            "  ringing validate --quick")
    parser.add_argument("--version", action="version", version=f"ringing {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sim = sub.add_parser(
        "simulate", help="measure on wide torch networks",
        description="Measure on torch networks what the theory predicts: correlations, "
        "Jacobians and the NLC at initialisation, weight-space walks, and the papers' "
        "training experiments.",
        epilog="examples:\n  ringing simulate correlation relu --width 512 --depth 5 --rho0 0.5\n"
               "  ringing simulate walk relu --depth 10 --width 256 --theory")
    simsub = sim.add_subparsers(dest="what", metavar="WHAT", parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(_commands.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"ringing.commands.{info.name}")
        group = getattr(mod, "GROUP", None)
        mod.register(simsub if group == "simulate" else sub)
    for leaf in _leaf_parsers(parser):
        leaf.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                          help="show progress bars (and a long run's plan and estimated time) "
                               "on stderr (default: when stderr is a terminal)")
        leaf.add_argument("--threads", type=arg_type(positive_int, "--threads"), default=None,
                          help="threads for torch/OpenMP (default: the idle CPUs, or "
                               "OMP_NUM_THREADS when set)")
    return parser


def _leaf_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers that run a handler (the commands, not the groups)."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [parser]
    return [leaf for a in subs for p in a.choices.values() for leaf in _leaf_parsers(p)]


def _check_finite(obj: Any, path: str = "result") -> None:
    if isinstance(obj, float) and not math.isfinite(obj):
        raise RuntimeError(f"{path} is not finite ({obj}); refusing to print it")
    if isinstance(obj, dict):
        for k, v in obj.items():
            _check_finite(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            _check_finite(v, f"{path}[{i}]")




def _flag(param: str) -> str:
    """The command-line flag of a library parameter (``record_every`` -> ``--record-every``)."""
    return "--" + param.replace("_", "-")


def _note_warnings(payload: dict[str, Any], args: argparse.Namespace,
                   caught: list[warnings.WarningMessage]) -> None:
    """Put the warnings a successful run raised into its result, not on stderr.

    The contract keeps stderr for the one-line error; a warning from numpy or scipy
    during a run that succeeded is part of how its numbers were obtained, so it is
    reported with them (``warnings`` in the payload and the table).
    """
    msgs = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught
                   if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))})
    if not msgs:
        return
    payload["warnings"] = msgs
    text = getattr(args, "table_text", None)
    if text is not None:
        args.table_text = text + "\nwarnings: " + "; ".join(msgs)


def _note_aliases(payload: dict[str, Any], args: argparse.Namespace) -> None:
    """Say in the result that an old spelling was used (a deprecated alias with a note)."""
    notes = getattr(args, "alias_notes", None)
    if not notes:
        return
    payload["notes"] = list(notes)
    text = getattr(args, "table_text", None)
    if text is None:
        args.table_text = render_table(payload)
    else:
        args.table_text = text + "".join(f"\nnote: {n}" for n in notes)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ringing`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None or (args.command == "simulate" and args.what is None):
            parser.print_help(sys.stderr)
            return 2
        resolve_activation(args)
        configure_threads(getattr(args, "threads", None))
        configure_progress(getattr(args, "progress", None))
        handler: Handler = args.func
        announce_plan(handler, args)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            payload = to_jsonable(handler(args))
        _check_finite(payload)
        _note_warnings(payload, args, caught)
        _note_aliases(payload, args)
    except (UsageError, ValueError) as err:
        advice = getattr(err, "advice", None)  # a budget refusal names parameters: as flags
        text = advice(_flag) if callable(advice) else str(err)
        print(f"error: {text.splitlines()[0] if text else type(err).__name__}", file=sys.stderr)
        return 2
    except (RecursionError, OverflowError) as err:  # from input too deep or too large
        what = "too deeply nested" if isinstance(err, RecursionError) else "too large"
        msg = str(err).splitlines()[0] if str(err) else ""
        print(f"error: input {what} to compute ({type(err).__name__}: {msg})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - the contract: one line on stderr, status 1
        msg = str(err).splitlines()[0] if str(err) else ""
        print(f"error: {type(err).__name__}: {msg}", file=sys.stderr)
        return 1
    try:
        if getattr(args, "json", False):
            sys.stdout.write(json.dumps(payload, allow_nan=False) + "\n")
        else:
            text = getattr(args, "table_text", None)
            print(text if text is not None else render_table(payload))
        sys.stdout.flush()
    except BrokenPipeError:  # `ringing ... | head`: the reader left; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    status: int = getattr(args, "exit_status", 0)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
