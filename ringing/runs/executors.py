"""Executors: run a function over many inputs on a local process pool (default) or on Ray.

Two entry points, both knowing nothing of what the work is:

* :func:`execute` — ``func(*args)`` for each argument tuple, yielding ``(index, value)`` as
  tasks finish (a task that raised yields a :class:`TaskError` instead of a value).
* :func:`run_tasks` — :class:`Task` objects (a key, a name, a JSON configuration, a function
  returning a JSON-able dict) against a :class:`~ringing.runs.store.ResultStore`: tasks whose key
  is stored are reused (``reused=True``) and never recomputed; the main process is the only
  writer and commits each finished result at once, so a killed run keeps everything that had
  finished.  Results the ``keep`` predicate rejects (and errors) are not stored, so the next run
  retries them.

* ``executor="local"``: :class:`concurrent.futures.ProcessPoolExecutor` with ``workers``
  processes (default: the number of CPUs, at most 8; 2 on a 2-core machine), ``fork`` start
  method where available; each worker limits torch to ``cpus // workers`` threads.  One worker
  (or a single task) runs in-process.
* ``executor="ray"``: needs the optional extra ``ringing[dist]``; connects to ``RAY_ADDRESS``
  when set, otherwise starts a local Ray instance.  Without Ray a one-line ``ValueError`` is
  raised before anything runs.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from ringing.runs.progress import progress
from ringing.runs.store import ResultStore

__all__ = ["EXECUTORS", "SweepStats", "Task", "TaskError", "TaskResult", "check_executor",
           "default_workers", "init_worker", "execute", "run_tasks"]

EXECUTORS = ("local", "ray")


@dataclass
class SweepStats:
    """Counts of one sweep."""

    total: int = 0
    reused: int = 0
    computed: int = 0
    errors: int = 0


def default_workers() -> int:
    """Number of CPUs available to this process, at least 1 and at most 8."""
    try:
        n = len(os.sched_getaffinity(0))  # type: ignore[attr-defined]
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(8, n))


def check_executor(executor: str) -> None:
    """Validate ``executor``; for ``ray`` check that Ray is importable (one-line error)."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor={executor!r} must be one of {', '.join(EXECUTORS)}")
    if executor == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            raise ValueError("--executor ray needs Ray, which is not installed: "
                             "pip install 'ringing[dist]'") from None


def init_worker(threads: int) -> None:
    """Process-pool initialiser: limit each worker to ``threads`` threads, hide progress bars."""
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["RINGING_PROGRESS"] = "0"
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:  # pragma: no cover - torch is optional here
        pass


@dataclass(frozen=True)
class TaskError:
    """What a task that raised yields instead of its value: ``"TypeName: first line"``."""

    message: str

    @classmethod
    def of(cls, err: BaseException) -> TaskError:
        msg = str(err).splitlines()[0] if str(err) else ""
        return cls(f"{type(err).__name__}: {msg}")


def _call(func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    return func(*args)


def _local(func: Callable[..., Any], argss: Sequence[tuple[Any, ...]], workers: int
           ) -> Iterator[tuple[int, Any]]:
    if workers <= 1 or len(argss) <= 1:
        for i, a in enumerate(argss):
            try:
                yield i, func(*a)
            except Exception as err:  # noqa: BLE001 - reported, never fatal
                yield i, TaskError.of(err)
        return
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    threads = max(1, default_workers() // workers)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method),
                               initializer=init_worker, initargs=(threads,))
    try:
        pending: dict[Future[Any], int] = {
            pool.submit(_call, func, a): i for i, a in enumerate(argss)}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                i = pending.pop(fut)
                try:
                    yield i, fut.result()
                except Exception as err:  # noqa: BLE001 - a crashed worker
                    yield i, TaskError.of(err)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _ray(func: Callable[..., Any], argss: Sequence[tuple[Any, ...]], workers: int
         ) -> Iterator[tuple[int, Any]]:
    import ray

    started = False
    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                  "ignore_reinit_error": True,
                                  "logging_level": logging.WARNING}
        if address:
            ray.init(address=address, **kwargs)
        else:
            ray.init(num_cpus=workers, **kwargs)
        started = True
    try:
        remote = ray.remote(_call)
        refs = {remote.remote(func, a): i for i, a in enumerate(argss)}
        while refs:
            done, _ = ray.wait(list(refs), num_returns=1)
            for ref in done:
                i = refs.pop(ref)
                try:
                    yield i, ray.get(ref)
                except Exception as err:  # noqa: BLE001 - a failed task
                    yield i, TaskError.of(err)
    finally:
        if started:
            ray.shutdown()


def execute(func: Callable[..., Any], argss: Sequence[tuple[Any, ...]], *,
            executor: str = "local", workers: int | None = None) -> Iterator[tuple[int, Any]]:
    """Evaluate ``func(*args)`` for each tuple of ``argss``, yielding ``(index, value)`` as
    tasks finish (completion order); a task that raised yields ``(index, TaskError)``.

    ``func`` must be picklable by reference (a module-level function) for the process pool
    and Ray.  ``executor`` and ``workers`` are checked before anything runs (one-line
    ``ValueError``).
    """
    check_executor(executor)
    n = default_workers() if workers is None else int(workers)
    if n < 1:
        raise ValueError(f"workers={workers} must be >= 1")
    gen = _ray if executor == "ray" else _local
    yield from gen(func, argss, n)


@dataclass(frozen=True)
class Task:
    """One unit of work for :func:`run_tasks`: ``func(*args)`` returns a JSON-able dict.

    Parameters
    ----------
    key
        Store key; use :func:`ringing.runs.store.config_key` of ``config``.
    name
        Human-readable name (kept in the store next to the result).
    config
        The full configuration that determines the result (JSON-able).
    func, args
        Module-level function and its positional arguments (picklable).
    cost
        Rough seconds: expensive tasks are scheduled first.
    """

    key: str
    name: str
    config: dict[str, Any]
    func: Callable[..., dict[str, Any]]
    args: tuple[Any, ...] = ()
    cost: float = 0.0


@dataclass
class TaskResult:
    """A finished task: its result dict (``None`` on error), the error, whether it was reused."""

    task: Task
    result: dict[str, Any] | None
    error: str = ""
    reused: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def run_tasks(tasks: Sequence[Task], *, store: ResultStore, executor: str = "local",
              workers: int | None = None, rerun: bool = False, show_progress: bool = True,
              desc: str = "run", keep: Callable[[dict[str, Any]], bool] | None = None,
              on_result: Callable[[TaskResult], None] | None = None
              ) -> tuple[list[TaskResult], SweepStats]:
    """Run ``tasks`` (reusing stored results) and return their results in the given order.

    Parameters
    ----------
    tasks
        The work; keys must be unique.
    store
        Where finished results are read from and committed to, one transaction each.
    executor
        ``"local"`` or ``"ray"``.
    workers
        Parallel workers (default :func:`default_workers`).
    rerun
        Recompute even when a result is stored (the new result replaces it).
    keep
        Predicate on a computed result: ``False`` leaves it out of the store (it is still
        returned); default: store every result.
    on_result
        Called with each result as it arrives (reused ones first).
    """
    check_executor(executor)
    n_workers = default_workers() if workers is None else int(workers)
    if n_workers < 1:
        raise ValueError(f"workers={workers} must be >= 1")
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("run_tasks: duplicate task keys")
    stats = SweepStats(total=len(tasks))
    by_key: dict[str, TaskResult] = {}
    todo: list[Task] = []
    for t in tasks:
        stored = None if rerun else store.get(t.key)
        if stored is not None:
            r = TaskResult(t, stored, reused=True)
            by_key[t.key] = r
            stats.reused += 1
            if on_result:
                on_result(r)
        else:
            todo.append(t)
    todo.sort(key=lambda t: -t.cost)  # longest first: better packing on the pool
    gen = execute(_run_task, [(t.func, t.args) for t in todo], executor=executor,
                  workers=n_workers)
    bar = progress(gen, total=len(todo), desc=desc, disable=None if show_progress else True)
    for i, value in bar:
        t = todo[i]
        if isinstance(value, TaskError):
            r = TaskResult(t, None, error=value.message)
            stats.errors += 1
        else:
            r = TaskResult(t, value)
            if keep is None or keep(value):
                store.put(t.key, t.name, t.config, value)
            stats.computed += 1
        by_key[t.key] = r
        if on_result:
            on_result(r)
    sys.stderr.flush()
    return [by_key[k] for k in keys], stats


def _run_task(func: Callable[..., dict[str, Any]], args: tuple[Any, ...]) -> dict[str, Any]:
    out = func(*args)
    if not isinstance(out, dict):
        raise TypeError(f"task function returned {type(out).__name__}, not dict")
    return out
