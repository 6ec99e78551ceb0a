"""Shared simulation plumbing: device and dtype resolution, seeded generators, the memory
a simulation may use."""

from __future__ import annotations

from pathlib import Path

import torch

__all__ = ["resolve_device", "resolve_dtype", "make_generator", "cuda_available",
           "available_memory"]


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


def _cgroup_free() -> int | None:
    """Bytes left under this process's cgroup-v2 memory limit, or ``None`` without one."""
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
    except OSError:
        return None
    if limit == "max":
        return None
    return max(0, int(limit) - int(used))


def available_memory(device: str | torch.device = "cpu") -> int:
    """Bytes a new allocation on ``device`` can use now.

    CPU: ``MemAvailable`` of ``/proc/meminfo`` (the kernel's estimate of memory
    available without swapping), capped by a cgroup-v2 limit when there is one; where
    neither can be read, the physical memory from ``os.sysconf``.  CUDA: the free
    memory reported by ``torch.cuda.mem_get_info``.  The number changes as other
    processes run: it decides *how* a simulation runs (layers held or regenerated,
    weights streamed in row blocks), never *what* it computes.
    """
    dev = torch.device(device)
    if dev.type == "cuda":
        free, _ = torch.cuda.mem_get_info(dev)
        return int(free)
    avail: int | None = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) * 1024
                break
    except OSError:
        avail = None
    if avail is None:
        import os

        try:
            avail = int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
        except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
            avail = 4 << 30
    cg = _cgroup_free()
    return avail if cg is None else min(avail, cg)
