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

__all__ = ["add_json_flag", "add_activation", "add_alias", "add_rng_flag", "add_norm",
           "announce_plan", "arg_type", "check_norm", "chop", "default_sigma_w", "int_at_least",
           "render_table",
           "resolve_activation", "add_seeds", "DEPTH_HELP", "DEVICE_HELP", "DTYPE_HELP", "NORMS",
           "SEEDS_HELP", "SIGMA_W_HELP", "ZERO_RTOL"]

#: the help of ``--device`` everywhere
DEVICE_HELP = "auto (CUDA when present) | cpu | cuda"
#: the help of ``--dtype`` everywhere (a command with another default says why)
DTYPE_HELP = "floating-point type of the networks"
#: the one meaning of ``--seeds`` (docs/cli.md)
SEEDS_HELP = "independent networks (initialisations), seeds S, S+1, ... (S: --seed)"

#: the one meaning of ``--depth`` (docs/cli.md)
DEPTH_HELP = ("L, the number of hidden layers that apply ACT (a network's linear embedding "
              "layer and its linear readout, where it has them, are not counted)")

#: the one set of ``--norm`` choices (a command that lacks one refuses it in one line)
NORMS = ("layer", "batch", "none")

#: the one default-σ_w convention, quoted by every ``--sigma-w`` help
SIGMA_W_HELP = ("weight std σ_w (W has variance σ_w²/fan-in); default: 1 under LayerNorm, "
                "else 1/sqrt(E φ(z)²), z ~ N(0, 1) (sqrt 2 for relu: He)")

T = TypeVar("T")


def add_json_flag(p: argparse.ArgumentParser) -> None:
    """Add the contract's ``--json`` flag to a sub-command parser."""
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


class _Alias(argparse.Action):
    """A hidden old spelling of a flag: stores into the new flag's ``dest``; with ``note``
    it also records a line naming the new spelling (``args.alias_notes``, which the command
    line adds to the result as ``notes``: stderr is kept for the one-line error)."""

    def __init__(self, *args: Any, note: str | None = None, const_value: Any = None,
                 **kwargs: Any) -> None:
        self.note = note
        self.const_value = const_value
        super().__init__(*args, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        if self.note:
            notes = list(getattr(namespace, "alias_notes", None) or [])
            namespace.alias_notes = notes + [f"{option_string} {self.note}"]
        setattr(namespace, self.dest, self.const_value if self.nargs == 0 else values)


def add_alias(p: argparse.ArgumentParser, old: str, dest: str, *, note: str | None = None,
              const: Any = None, **kwargs: Any) -> None:
    """Accept ``old`` as a hidden spelling of the flag that stores into ``dest`` (its help
    is suppressed; ``docs/cli.md`` lists it as an alias).  ``const`` makes it a switch that
    stores ``const``; other keywords (``type``, ``nargs``) are those of the new flag."""
    if const is not None:
        kwargs["nargs"] = 0
    p.add_argument(old, dest=dest, action=_Alias, note=note, const_value=const,
                   default=argparse.SUPPRESS, help=argparse.SUPPRESS, **kwargs)


def add_activation(p: argparse.ArgumentParser, default: str | None = None) -> None:
    """The activation: the positional ``ACT`` of every command (optional when it has a
    default), with ``--activation`` kept as a hidden old spelling."""
    text = "activation: a registry name or an expression in x, e.g. relu, 'lrelu(slope=0.2)', " \
           "'x*tanh(log(1+exp(x)))'"
    # optional for argparse, so that the old spelling alone parses; required_activation
    # makes the command line refuse a missing ACT (ringing.cli.main)
    p.add_argument("activation", metavar="ACT", nargs="?", default=default,
                   help=text if default is not None else text.replace("activation:",
                                                                      "activation (required):"))
    add_alias(p, "--activation", "activation_flag")  # resolve_activation() merges it
    if default is None:
        p.set_defaults(required_activation=True)


def add_seeds(p: argparse.ArgumentParser, default: int, type_: Callable[[str], int],
              note: str = "") -> None:
    """``--seeds N``, the number of independent networks, with ``--networks`` as its hidden
    old spelling."""
    p.add_argument("--seeds", type=type_, default=default, help=SEEDS_HELP + note)
    add_alias(p, "--networks", "seeds", type=type_)


def resolve_activation(args: argparse.Namespace) -> None:
    """Merge the old ``--activation`` spelling into ``args.activation`` (it wins over the
    positional's default) and refuse a missing required ``ACT``."""
    flag = getattr(args, "activation_flag", None)
    if flag is not None:
        args.activation = flag
    if getattr(args, "required_activation", False) and args.activation is None:
        raise ValueError("the following arguments are required: ACT (an activation, "
                         "e.g. relu)")


def add_norm(p: argparse.ArgumentParser, default: str, *, supported: tuple[str, ...] = NORMS,
             what: str = "") -> None:
    """``--norm layer|batch|none`` (one set of choices everywhere); ``supported`` lists the
    ones this command implements (:func:`check_norm` refuses the others)."""
    note = "" if supported == NORMS else f" ({what or 'here'}: {', '.join(supported)})"
    p.add_argument("--norm", choices=NORMS, default=default,
                   help="normalisation after each linear layer: layer = LayerNorm without "
                        "centering, batch = BatchNorm without affine parameters, none" + note)
    p.set_defaults(norm_supported=supported)


def check_norm(args: argparse.Namespace) -> None:
    """Refuse a ``--norm`` this command does not implement (one line, exit 2)."""
    supported = getattr(args, "norm_supported", NORMS)
    if args.norm not in supported:
        raise ValueError(f"--norm {args.norm} is not available here; choose "
                         f"{' or '.join(supported)}")


def default_sigma_w(activation: Any, norm: str) -> float:
    """The one default σ_w: 1 under LayerNorm (seed 002's networks), else
    ``1/sqrt(E φ(z)²)``, which keeps the pre-activation variance at 1
    (:func:`ringing.theory.harmonics.default_weight_scale`; He's sqrt 2 for relu)."""
    if norm == "layer":
        return 1.0
    from ringing.theory.harmonics import default_weight_scale

    try:
        return default_weight_scale(activation)
    except ValueError as err:
        if "E[phi(z)^2] = 0" in str(err):  # φ = 0 a.e.: no scale keeps a variance; use 1
            return 1.0
        raise


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def announce_plan(handler: Callable[[argparse.Namespace], Any], args: argparse.Namespace,
                  probes: tuple[int, int] = (10, 40)) -> None:
    """Before a training command runs (one whose flags include ``--steps`` and ``--seeds``),
    print its plan (networks × steps) and an estimated time on stderr, where progress is
    shown (:func:`ringing.runs.progress.progress_enabled`).

    The estimate comes from two short timed probes: the same command with ``--steps`` set
    to ``probes[0]`` and ``probes[1]`` (no figure, recording at most every probe length),
    after an untimed warm-up run of ``probes[0]`` steps (imports, caches).
    Their difference gives the time per step and the first one the set-up time, so
    ``estimate = set-up + steps × time per step``.  A run not much longer than the probes
    gets the plan only.
    """
    import copy
    import sys
    import time
    import warnings

    from ringing.runs.progress import progress_enabled

    steps, runs = getattr(args, "steps", None), getattr(args, "seeds", None)
    if steps is None or runs is None or not progress_enabled():
        return
    plan = f"plan: {runs} network(s) × {steps} steps, trained as one batch"
    if steps <= 5 * probes[1]:
        print(plan, file=sys.stderr, flush=True)
        return
    walls = []
    for n in (probes[0], *probes):  # the first run only warms up (imports, caches)
        probe = copy.copy(args)
        probe.steps = n
        if hasattr(probe, "record_every"):
            probe.record_every = min(probe.record_every, n)
        if hasattr(probe, "figure"):
            probe.figure = None
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            handler(probe)
        walls.append(time.perf_counter() - t0)
    walls = walls[1:]
    per_step = max(walls[1] - walls[0], 0.0) / (probes[1] - probes[0])
    if per_step <= 0:
        per_step = walls[1] / probes[1]
    setup = max(walls[0] - probes[0] * per_step, 0.0)
    eta = setup + steps * per_step
    print(f"{plan}; timed probes of {probes[0]} and {probes[1]} steps: "
          f"{per_step * 1e3:.3g} ms per step, {setup:.2g} s set-up: about {_duration(eta)} "
          "(--steps and --seeds make it shorter; --no-progress skips this)",
          file=sys.stderr, flush=True)


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


#: a number whose magnitude is at most this many times the scale of its row (the largest
#: magnitude in the list, or the scale a command passes) prints as 0: it is round-off of an
#: exact zero (a Hermite coefficient zero by symmetry, E tanh(z) = 0), not a value
ZERO_RTOL = 64 * 2.220446049250313e-16

#: lists up to this length are printed whole; longer ones show the first and last values
SHOW_ALL = 12


def chop(v: Any, scale: float, error: float = 0.0) -> Any:
    """``v`` with entries of magnitude ≤ max(``error``, ZERO_RTOL·``scale``) set to 0.0
    (a float, or a list of floats; anything else is returned as is)."""
    tol = max(float(error), ZERO_RTOL * abs(float(scale)))
    if isinstance(v, float):
        return 0.0 if abs(v) <= tol else v
    if isinstance(v, (list, tuple)):
        return [chop(u, scale, error) for u in v]
    return v


def _scale(values: list[Any]) -> float:
    mags = [abs(u) for u in values if isinstance(u, (int, float)) and not isinstance(u, bool)]
    return max(mags, default=0.0)


def _fmt(v: Any, scale: float | None = None) -> str:
    if isinstance(v, bool) or v is None:
        return {None: "-", True: "yes", False: "no"}[v]
    if isinstance(v, float):
        if scale is not None and abs(v) <= ZERO_RTOL * scale:
            return "0"
        return f"{v:.10g}"
    if isinstance(v, (list, tuple)):
        sc = _scale(list(v))
        items = [_fmt(u, sc) for u in v]
        if len(items) > SHOW_ALL:  # the first values and the last (a sweep's final value)
            items = items[:8] + [f"... ({len(items) - 10} more)"] + items[-2:]
        return "[" + ", ".join(items) + "]" if len(v) else "(none)"
    return str(v)


def _is_interval(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"value", "lo", "hi"}


def _cell(v: Any) -> str:
    if _is_interval(v):
        return f"{_fmt(v['value'])} [{_fmt(v['lo'])}, {_fmt(v['hi'])}]"
    return _fmt(v)


def _row_table(key: str, rows: list[dict[str, Any]]) -> list[str] | None:
    """A list of records with the same keys and flat values (numbers, text, intervals) as
    one table with a header; None when the rows are not like that."""
    keys = list(rows[0])
    if any(list(r) != keys for r in rows) or any(
            isinstance(x, (list, tuple)) or (isinstance(x, dict) and not _is_interval(x))
            for r in rows for x in r.values()):
        return None
    cells = [[_cell(r[k]) for k in keys] for r in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    head = "  ".join(k.rjust(w) for k, w in zip(keys, widths, strict=True))
    return [f"{key}:", "  " + head] + ["  " + "  ".join(c.rjust(w) for c, w in
                                                       zip(row, widths, strict=True))
                                       for row in cells]


def _lines(key: str, v: Any, width: int) -> list[str]:
    if _is_interval(v):
        return [f"{key.ljust(width)}  {_cell(v)}"]
    if isinstance(v, (list, tuple)) and v and all(isinstance(u, dict) for u in v):
        table = _row_table(key, list(v))
        if table is not None:
            return table
    if isinstance(v, dict):
        if not v:
            return [f"{key.ljust(width)}  (none)"]
        sub = max(len(k) for k in v)
        out = [f"{key}:"]
        for k, u in v.items():
            out += ["  " + line for line in _lines(str(k), u, sub)]
        return out
    if isinstance(v, (list, tuple)) and v and all(isinstance(u, (list, tuple, dict))
                                                  for u in v):
        out = [f"{key}:"]  # a list of rows: one line each, never a nested list
        for i, u in enumerate(v):
            out += ["  " + line for line in _lines(f"[{i}]", u, len(str(len(v))) + 2)]
        return out
    return [f"{key.ljust(width)}  {_fmt(v)}"]


def render_table(payload: dict[str, Any]) -> str:
    """A readable key/value table of a payload (the default, non-JSON output): nested
    dictionaries indented, a list of rows one row per line, long lists with their first and
    last values (the count of the rest between), round-off of an exact zero as 0."""
    width = max((len(k) for k in payload), default=0)
    return "\n".join(line for k, v in payload.items() for line in _lines(str(k), v, width))
