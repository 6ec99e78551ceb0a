"""How many threads torch (and OpenMP/BLAS) may use in this process.

On a shared machine, torch's default (one thread per physical core) oversubscribes the CPU as
soon as other processes are busy: ``ringing simulate nlc relu --depth 5 --width 256`` took
211 s with the default and 23.5 s with one thread on a loaded 2-core machine.  The default
here is the number of CPUs this process may use, less the ones already busy (the 1-minute
load average), at least 1; ``--threads N`` (every command) or ``OMP_NUM_THREADS`` override it.
Pool workers get ``threads // workers`` each (:func:`ringing.runs.executors.init_worker`).
No science here.
"""

from __future__ import annotations

import math
import os
import sys

__all__ = ["available_cpus", "default_threads", "configure_threads"]


def available_cpus() -> int:
    """Number of CPUs this process may run on (its affinity mask), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def default_threads() -> int:
    """Threads for this process: ``OMP_NUM_THREADS`` if set, else the idle CPUs (>= 1)."""
    env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    n = available_cpus()
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - not Unix
        busy = 0.0
    return max(1, min(n, math.floor(n - busy + 0.5)))


def configure_threads(threads: int | None = None) -> int:
    """Set the thread count for torch and OpenMP/BLAS; returns the count used.

    Before torch is imported this sets ``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` (torch reads
    them when it loads); after, it calls ``torch.set_num_threads``.
    """
    n = default_threads() if threads is None else int(threads)
    if n < 1:
        raise ValueError(f"threads={n} must be at least 1")
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(n)
    return n
