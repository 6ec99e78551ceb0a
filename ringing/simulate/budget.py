"""Memory and time budgets of simulations, estimated before anything is allocated.

Every simulation entry point (correlations, Jacobians, the NLC, walks, training)
first builds an :class:`Estimate` from its configuration alone -- the bytes of
the weights it holds at once (and the temporaries of drawing one layer), of its
activations, of its walk directions, of its optimiser state and records -- and
:func:`check` refuses, with one line naming the parameters to change, what does not
fit in the memory available (or in an explicit ``max_memory``).  A walk instead
shrinks its chunk of directions to what fits (:func:`fit_chunk_bytes`).

The estimates are upper bounds of the arrays the code allocates (counted from the
code, not fitted); the process's own baseline (Python, torch, sympy: a few
hundred MB) is already excluded from the available memory, which is read from the
system before the run.  The time estimate is the arithmetic (floating-point
operations) divided by a nominal rate, an order of magnitude only, quoted in the
refusal so that a user sees what a size would cost.

This module does not import torch (only :func:`available_memory` asks torch for the
free memory of a CUDA device, when one is used).
"""

from __future__ import annotations

import math
import resource
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Estimate", "BudgetError", "available_memory", "check", "parse_size",
           "format_bytes", "mlp_estimate", "walk_fixed_bytes", "fit_chunk_bytes",
           "training_estimate", "DEFAULT_FRACTION", "NOMINAL_FLOPS", "STREAM_FRACTION",
           "BLOCK_BYTES", "streamed"]

#: Share of the available memory a run may plan for when no ``max_memory`` is given.
DEFAULT_FRACTION = 0.5
#: Nominal arithmetic rate (flop/s) of the time estimate: one CPU core, float32 matmul.
NOMINAL_FLOPS = 2e10
#: Python objects kept per layer (closures, cached results, progress), bytes.
PER_LAYER_OVERHEAD = 1024
#: What a run allocates besides its arrays: modules imported on first use (scipy, the
#: theory), torch's allocator and autograd bookkeeping.  Measured by
#: ``benchmarks/budget_rss.py``: 110-200 MB of peak-RSS growth beyond the arrays on the
#: smallest runs there; 256 MiB keeps every estimate above the measured peak.
RUNTIME_OVERHEAD = 256 * 2**20


class BudgetError(ValueError):
    """A simulation that does not fit: a one-line message and the parameters to change.

    ``params`` are the library's parameter names (``width``, ``steps``, ...); the command
    line turns them into its flags.
    """

    def __init__(self, message: str, params: Sequence[str]) -> None:
        self.message = message
        self.params = tuple(params)
        super().__init__(self.advice(lambda p: p))

    def advice(self, flag: Any) -> str:
        """The message with the parameters to change spelled by ``flag(name)``."""
        names = [flag(p) for p in self.params]
        change = " or ".join(names) if names else "the problem size"
        return f"{self.message}; reduce {change}, or raise {flag('max_memory')}"


@dataclass(frozen=True)
class Estimate:
    """What a simulation will allocate at its peak, by part, and its arithmetic.

    Attributes
    ----------
    what
        The simulation, in words (for messages).
    parts
        Bytes by part (``weights``, ``activations``, ...), each a bound on the arrays
        alive at the peak.
    flops
        Floating-point operations of the whole run (matrix products and draws).
    params
        The parameters that drive the largest part, most important first.
    """

    what: str
    parts: Mapping[str, float]
    flops: float = 0.0
    params: tuple[str, ...] = ()
    notes: Mapping[str, str] = field(default_factory=dict)

    @property
    def bytes(self) -> float:
        """The peak, bytes."""
        return float(sum(self.parts.values()))

    @property
    def seconds(self) -> float:
        """Time at :data:`NOMINAL_FLOPS` (an order of magnitude)."""
        return self.flops / NOMINAL_FLOPS

    def describe(self) -> str:
        parts = ", ".join(f"{k} {format_bytes(v)}" + (f" ({self.notes[k]})" if k in self.notes
                                                      else "")
                          for k, v in sorted(self.parts.items(), key=lambda kv: -kv[1]) if v)
        return f"{self.what} needs about {format_bytes(self.bytes)} ({parts})"


def format_bytes(n: float) -> str:
    """``n`` bytes in binary units (``"16.0 GiB"``)."""
    if not math.isfinite(n):
        return "unbounded"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} EiB"  # pragma: no cover


_UNITS = {"": 1, "B": 1, "K": 1 << 10, "KB": 1000, "KIB": 1 << 10, "M": 1 << 20, "MB": 10**6,
          "MIB": 1 << 20, "G": 1 << 30, "GB": 10**9, "GIB": 1 << 30, "T": 1 << 40,
          "TB": 10**12, "TIB": 1 << 40}


def parse_size(text: Any, name: str = "max_memory") -> int:
    """``"8G"``, ``"500MiB"``, ``"2e9"`` as bytes (binary ``K/M/G/T``, decimal ``KB/MB/..``)."""
    s = str(text).strip().upper().replace(" ", "")
    num = s.rstrip("BIKMGT")
    unit = s[len(num):]
    try:
        value = float(num)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a size (e.g. 8G, 500M, 2e9)") from None
    if unit not in _UNITS or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={text!r} must be a positive size (e.g. 8G, 500M, 2e9)")
    return int(value * _UNITS[unit])


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _read_int(path: str) -> int | None:
    try:
        with open(path) as fh:
            text = fh.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _cgroup_available() -> int | None:
    limit = _read_int("/sys/fs/cgroup/memory.max")  # v2 ("max" when unlimited)
    if limit is not None:
        used = _read_int("/sys/fs/cgroup/memory.current") or 0
        return max(limit - used, 0)
    limit = _read_int("/sys/fs/cgroup/memory/memory.limit_in_bytes")  # v1
    if limit is not None and limit < 1 << 60:
        used = _read_int("/sys/fs/cgroup/memory/memory.usage_in_bytes") or 0
        return max(limit - used, 0)
    return None


def _rlimit_available() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    vm = 0
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    vm = int(line.split()[1]) * 1024
    except OSError:
        pass
    return max(soft - vm, 0)


def available_memory(device: Any = "cpu") -> tuple[int, str]:
    """Bytes this process may still allocate, and where the figure comes from.

    The smallest of the system's ``MemAvailable``, the cgroup's limit less its usage
    and the address-space limit (``ulimit -v``) less this process's size; on a CUDA
    device also the device's free memory (weights are drawn on the CPU, then moved).
    """
    found: list[tuple[int, str]] = []
    for value, source in ((_meminfo_available(), "MemAvailable"),
                          (_cgroup_available(), "cgroup memory limit"),
                          (_rlimit_available(), "ulimit -v")):
        if value is not None:
            found.append((value, source))
    if str(device).startswith("cuda"):
        import torch

        free, _ = torch.cuda.mem_get_info(torch.device(device))
        found.append((int(free), "free CUDA memory"))
    if not found:  # pragma: no cover - no /proc: trust the caller
        return 1 << 62, "unknown"
    return min(found)


def limit_bytes(max_memory: int | None, device: Any = "cpu") -> tuple[int, str]:
    """The budget of a run: ``max_memory`` when given, else :data:`DEFAULT_FRACTION` of
    :func:`available_memory`."""
    if max_memory is not None:
        if isinstance(max_memory, bool) or not isinstance(max_memory, int) or max_memory <= 0:
            raise ValueError(f"max_memory={max_memory!r} must be a positive number of bytes")
        return max_memory, "the maximum asked for"
    avail, source = available_memory(device)
    return int(DEFAULT_FRACTION * avail), f"{DEFAULT_FRACTION:.0%} of {source}"


def check(est: Estimate, max_memory: int | None = None, device: Any = "cpu") -> Estimate:
    """Raise :class:`BudgetError` when ``est`` does not fit; return it otherwise."""
    limit, source = limit_bytes(max_memory, device)
    if est.bytes > limit:
        secs = est.seconds
        when = f", and about {secs:.2g} s of arithmetic" if secs >= 1 else ""
        raise BudgetError(f"{est.describe()}{when}, but the budget is {format_bytes(limit)} "
                          f"({source})", est.params)
    return est


# ----------------------------------------------------------------------------
# estimates


#: A Gaussian MLP layer larger than this share of the available memory is streamed in row
#: blocks of about :data:`BLOCK_BYTES` (:meth:`ringing.simulate.networks.Network.apply_layer`):
#: one rule for the network and for the estimate.
STREAM_FRACTION = 0.25
BLOCK_BYTES = 256 << 20


def streamed(fan_out: int, fan_in: int, itemsize: int, kind: str, available: int | None) -> bool:
    """Whether the network streams a ``fan_out × fan_in`` layer in row blocks."""
    return (available is not None and kind == "gaussian"
            and float(fan_out) * fan_in * itemsize > STREAM_FRACTION * available)


def _weight_draw_bytes(fan_out: int, fan_in: int, itemsize: int, kind: str) -> float:
    """Peak bytes of drawing one weight matrix (``init_weight``)."""
    n = float(fan_out) * fan_in
    if kind == "orthogonal":  # float64 Gaussian, Q and R of its QR (and LAPACK's
        small = min(fan_out, fan_in)  # workspace), the sign-fixed and scaled copies, the cast
        return 8 * (4 * n + small * small) + itemsize * n
    return itemsize * n


def mlp_estimate(*, width: int, depth: int, d_in: int, d_out: int, rows: int, itemsize: int,
                 weights: str = "gaussian", hold_bytes: int = 2 << 30, keep: bool = False,
                 passes: float = 1.0, extra: Mapping[str, float] | None = None,
                 extra_params: Mapping[str, Sequence[str]] | None = None,
                 what: str = "the simulation", available: int | None = None) -> Estimate:
    """Peak memory of an MLP at initialisation (:class:`~ringing.simulate.networks.Network`).

    Parameters
    ----------
    rows
        Inputs propagated together (a batch of ``rows`` rows).
    hold_bytes
        The network holds all its parameters when they fit in this (else it redraws one
        layer at a time).
    keep
        Whether every layer's activations are kept (backward passes), else two layers.
    passes
        Forward-pass equivalents of the run (power iterations, probes, seeds), for the
        arithmetic.
    extra, extra_params
        Further parts (data sets, ...), bytes, and the parameters that drive each.
    available
        The memory the network will see (:func:`available_memory`); with it, a Gaussian layer
        the network streams in row blocks (:func:`streamed`) counts one block, not the whole
        matrix.
    """
    # at most three distinct layer shapes (first, middle, last): O(1) in the depth
    counts: dict[tuple[int, int], int] = {}
    first, last = (width if depth > 1 else d_out, d_in), (d_out, width)
    counts[first] = 1
    if depth > 1:
        counts[last] = counts.get(last, 0) + 1
    if depth > 2:
        counts[(width, width)] = counts.get((width, width), 0) + depth - 2
    shapes = list(counts)
    total = sum((float(o) * i + o) * c for (o, i), c in counts.items())
    stream = any(streamed(o, i, itemsize, weights, available) for o, i in shapes)
    if stream:  # one row block (and its pre-activations) at a time, nothing held
        draw: float = max(max(16, BLOCK_BYTES // (i * itemsize)) * (i + rows) * itemsize
                   for o, i in shapes)
    else:
        draw = max(_weight_draw_bytes(o, i, itemsize, weights) for o, i in shapes)
    held = total * itemsize if not stream and total * itemsize <= hold_bytes else 0.0
    feats = max(width, d_in, d_out)
    act_layers = (depth + 1) if keep else 2
    parts = {"weights": held + draw,
             "activations": 3.0 * rows * feats * itemsize * act_layers,
             "per-layer bookkeeping": float(PER_LAYER_OVERHEAD) * depth,
             "runtime": float(RUNTIME_OVERHEAD)}
    parts.update(extra or {})
    flops = passes * (2.0 * rows * total + (0 if held else total * 8))
    big = max((k for k in parts if k != "runtime"), key=lambda k: parts[k])
    params: tuple[str, ...] = (("depth",) if big == "per-layer bookkeeping"
                               else ("width",) if big == "weights"
                               else tuple((extra_params or {}).get(big, ("width", "depth"))))
    how = "streamed in row blocks" if stream else "all layers held" if held \
        else "one layer at a time"
    notes = {"weights": f"{how}, largest "
             f"{max(shapes)[0]}x{max(shapes)[1]}"}
    return Estimate(what, parts, flops, params, notes)


def walk_fixed_bytes(*, layer_shapes: Sequence[tuple[int, int]], inputs: int, in_dim: int,
                     itemsize: int) -> float:
    """Bytes a walk holds whatever its chunk: every layer's weights, the inputs and the
    runtime's own (:data:`RUNTIME_OVERHEAD`)."""
    return (float(sum(o * i for o, i in layer_shapes) + inputs * in_dim) * itemsize
            + RUNTIME_OVERHEAD)


def fit_chunk_bytes(*, fixed: float, per_direction: float, directions: int, chunk_bytes: int,
                    max_memory: int | None = None, device: Any = "cpu",
                    what: str = "the walk") -> int:
    """The chunk budget of a walk: its own ``chunk_bytes``, lowered to what fits.

    ``fixed`` bytes are held throughout, each direction of a chunk costs
    ``per_direction``.  Raises :class:`BudgetError` when not even one direction fits.
    """
    limit, source = limit_bytes(max_memory, device)
    room = limit - fixed
    if room < per_direction:
        est = Estimate(what, {"weights, inputs and runtime": fixed,
                              "one direction": per_direction},
                       params=("width", "points", "inputs"))
        raise BudgetError(f"{est.describe()}, but the budget is {format_bytes(limit)} "
                          f"({source})", est.params)
    return int(min(chunk_bytes, room, per_direction * directions))


def training_estimate(*, widths: Sequence[int], models: int, points: int, eval_points: int,
                      steps: int, records: int, itemsize: int, optimizer: str,
                      what: str = "training") -> Estimate:
    """Peak memory of :func:`~ringing.simulate.training.train_full_batch`.

    Parameters (and their gradients and the optimiser's state: Adam keeps two more
    copies), the autograd activations of one full batch, the recorded outputs and the
    per-step losses.
    """
    n_params = float(sum(a * b + b for a, b in zip(widths[:-1], widths[1:], strict=False)))
    copies = 4 if optimizer == "adam" else 2
    parts = {
        "parameters and optimiser": copies * models * n_params * itemsize,
        "activations": 3.0 * models * max(points, eval_points) * sum(widths) * itemsize,
        "records": float(records) * models * (points + eval_points) * itemsize,
        "losses": float(steps + 1) * models * itemsize,
        "runtime": float(RUNTIME_OVERHEAD),
    }
    flops = 6.0 * steps * models * points * n_params
    big = max((k for k in parts if k != "runtime"), key=lambda k: parts[k])
    params = {"losses": ("steps",), "records": ("steps",),
              "activations": ("seeds", "width"),
              "parameters and optimiser": ("width", "seeds")}[big]
    return Estimate(what, parts, flops, params)
