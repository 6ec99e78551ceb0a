"""Shared simulation plumbing: device and dtype resolution, seeded generators, the memory
a simulation may use."""

from __future__ import annotations

import torch

__all__ = ["resolve_device", "resolve_dtype", "make_generator", "cuda_available",
           "available_memory", "GENERATOR_DEVICES", "rng_device", "STATISTIC_DTYPES",
           "default_dtype"]

#: Where random parameters are drawn: ``"cpu"`` (the same numbers on every device) or
#: ``"device"`` (the simulation's device: the same distribution, not bit-identical).
GENERATOR_DEVICES = ("cpu", "device")

#: The default dtype of each statistic: ``(on the CPU, on a GPU)``.  The rule (docs/simulate.md,
#: "Default dtypes"): float32 wherever float32 rounding (relative 6e-8, growing like √N over a
#: width-N sum) is far below the statistic's own error (seed spread ∝ N^-1/2, probe error ~1e-3)
#: and its range (3e38) covers the values; float64 is kept on the CPU only where it was the
#: default before (the NLC, for continuity; it costs ~2x there and far more on a GPU).
STATISTIC_DTYPES: dict[str, tuple[str, str]] = {
    "correlation": ("float32", "float32"),
    "jacobian": ("float32", "float32"),
    "nlc": ("float64", "float32"),
    "walk": ("float32", "float32"),
    "model_walk": ("float32", "float32"),
    "training": ("float32", "float32"),
}


def cuda_available() -> bool:
    """Whether a usable CUDA device is present."""
    return bool(torch.cuda.is_available())


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` picks CUDA when present and the CPU otherwise.

    Raises
    ------
    ValueError
        ``"cuda"`` asked for without a GPU, or an unknown device string.
    """
    if isinstance(device, torch.device):
        device = str(device)
    d = str(device).strip().lower()
    if d == "auto":
        return torch.device("cuda" if cuda_available() else "cpu")
    if d == "cpu":
        return torch.device("cpu")
    if d.startswith("cuda"):
        if not cuda_available():
            raise ValueError(f"device {device!r} asked for, but no CUDA GPU is available; "
                             "use --device cpu or auto")
        return torch.device(d)
    raise ValueError(f"unknown device {device!r}; known: auto, cpu, cuda")


def resolve_dtype(dtype: str | torch.dtype = "float32") -> torch.dtype:
    """``"float32"`` or ``"float64"`` (or the torch dtype itself)."""
    if isinstance(dtype, torch.dtype):
        if dtype not in (torch.float32, torch.float64):
            raise ValueError(f"dtype {dtype} not supported; use float32 or float64")
        return dtype
    table = {"float32": torch.float32, "float64": torch.float64, "double": torch.float64,
             "float": torch.float32}
    if dtype not in table:
        raise ValueError(f"unknown dtype {dtype!r}; known: float32, float64")
    return table[dtype]


def make_generator(seed: int, device: str | torch.device = "cpu") -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded with ``seed``.

    Random draws for a simulation should be made on the CPU generator and moved
    to the device when bit-identical numbers across devices are wanted; a
    device generator is faster for large draws.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    g = torch.Generator(device=torch.device(device))
    g.manual_seed(seed)
    return g


def available_memory(device: str | torch.device = "cpu") -> int:
    """Bytes a new allocation on ``device`` can use now: the memory model's figure
    (:func:`ringing.simulate.budget.available_memory`: the least of ``MemAvailable``, the
    cgroup's limit less its usage, ``ulimit -v``, and on CUDA the device's free memory).
    It decides *how* a simulation runs (layers held or regenerated, weights streamed in row
    blocks), never *what* it computes.
    """
    from ringing.simulate.budget import available_memory as model_available

    return model_available(device)[0]


def rng_device(choice: str, device: str | torch.device) -> torch.device:
    """The device that draws random parameters: the CPU for ``choice="cpu"`` (bit-identical
    numbers on every device), the simulation's ``device`` for ``"device"`` (the same
    distribution, no host-to-device copy, faster on a GPU, but **not** bit-identical to the
    CPU draw: CUDA uses a different generator, Philox).

    Raises
    ------
    ValueError
        ``choice`` is not one of :data:`GENERATOR_DEVICES`, or ``device`` is unusable.
    """
    if choice not in GENERATOR_DEVICES:
        raise ValueError(f"unknown generator_device {choice!r}; known: "
                         f"{', '.join(GENERATOR_DEVICES)}")
    return torch.device("cpu") if choice == "cpu" else resolve_device(device)


def default_dtype(device: str | torch.device, statistic: str) -> str:
    """The default dtype of ``statistic`` (a key of :data:`STATISTIC_DTYPES`) on ``device``
    (``"auto"`` is resolved): float32 on a GPU for every statistic, float64 on the CPU for the
    NLC only.  A pure function of the device type and the statistic."""
    if statistic not in STATISTIC_DTYPES:
        raise ValueError(f"unknown statistic {statistic!r}; known: "
                         f"{', '.join(STATISTIC_DTYPES)}")
    name = str(device).strip().lower()
    try:
        dev = resolve_device("auto") if name == "auto" else torch.device(name)
    except RuntimeError:
        raise ValueError(f"unknown device {device!r}; known: auto, cpu, cuda") from None
    cpu, gpu = STATISTIC_DTYPES[statistic]
    return gpu if dev.type == "cuda" else cpu
