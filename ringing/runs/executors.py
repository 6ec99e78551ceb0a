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

import contextlib
import logging
import multiprocessing as mp
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from ringing.runs.progress import progress
from ringing.runs.store import ResultStore, damaged, read_result
from ringing.runs.threads import available_cpus, configure_threads

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
    return max(1, min(8, available_cpus()))


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


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that ``finally`` blocks stop the workers."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated("terminated (SIGTERM)")


@contextlib.contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """While active (main thread, default SIGTERM disposition only), SIGTERM raises
    :class:`Terminated`, so the pool or Ray is shut down on the way out."""
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _die_with_parent(parent: int) -> None:
    """Make this process end when ``parent`` does: ``PR_SET_PDEATHSIG`` (Linux) and a daemon
    thread that polls the parent (any POSIX system, and the case where the parent died
    before the first call)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="ringing-parent-watchdog", daemon=True).start()


def init_worker(threads: int, parent: int | None = None) -> None:
    """Process-pool initialiser: limit each worker to ``threads`` threads, hide progress bars;
    put it in its own process group (terminal signals go to the parent, which stops the
    workers) and make it end when ``parent`` ends, even by SIGKILL."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
        _die_with_parent(parent)
    os.environ["RINGING_PROGRESS"] = "0"
    configure_threads(threads)


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
                               initializer=init_worker, initargs=(threads, os.getpid()))
    finished = False
    try:
        with terminate_on_sigterm():
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
            finished = True
    finally:
        if not finished:  # interrupted, terminated or abandoned: stop the workers now
            _stop_workers(pool)
        pool.shutdown(wait=finished, cancel_futures=True)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate every worker's process group (the worker and anything it started)."""
    procs = dict(getattr(pool, "_processes", None) or {})
    for pid in procs:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5.0
    for proc in procs.values():
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)


def _proc_table() -> dict[int, tuple[int, str]]:
    """``{pid: (ppid, command line)}`` of the live processes (Linux ``/proc``)."""
    out: dict[int, tuple[int, str]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:  # pragma: no cover - not Linux
        return out
    for d in names:
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            out[int(d)] = (int(fields[1]), cmd)
    return out


def _descendants(root: int, table: dict[int, tuple[int, str]]) -> set[int]:
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {p for p, (pp, _) in table.items() if pp in frontier and p not in found}
        found |= frontier
    return found


def watchdog_main(parent: int) -> None:
    """The Ray watchdog (run as its own process by :func:`_start_watchdog`).

    While ``parent`` lives, it reads lines from stdin (the session directory of the Ray
    instance the parent started) and records the parent's descendants every second.  At
    end of input, when told ``done`` (``ray.shutdown()`` ran), it ends the recorded
    descendants that are still Ray processes (agents Ray's shutdown leaves behind) and nothing
    else; otherwise the parent died (SIGKILL included) and it terminates every recorded
    descendant, every process whose command
    line names the session, and what those started -- and nothing else.  The record is
    refreshed every 0.2 s: Ray starts its agents a few seconds after the raylet, and once the
    driver dies the raylet exits at once, orphaning any agent not yet recorded.
    """
    import selectors

    me = os.getpid()
    sessions: list[str] = []
    known: set[int] = set()
    sel = selectors.DefaultSelector()
    sel.register(sys.stdin, selectors.EVENT_READ)
    done = False
    while True:
        if sel.select(timeout=0.2):  # agents Ray starts late must be seen before the driver dies
            line = sys.stdin.readline()
            if not line:
                break
            if line.strip() == "done":
                done = True
            elif line.strip():
                sessions.append(os.path.basename(line.strip().rstrip("/")))
        known |= _descendants(parent, _proc_table()) - {me}
    if done:  # ray.shutdown() ran; it can leave its agents behind: end those, no other process
        table = _proc_table()
        orphans = {p for p in known - {me} if p in table
                   and (table[p][1].startswith("ray::") or "/ray/" in table[p][1])}
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for p in orphans & set(table):
                with contextlib.suppress(OSError):
                    os.kill(p, sig)
            end = time.monotonic() + 3.0
            while time.monotonic() < end and orphans & set(_proc_table()):
                time.sleep(0.2)
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        table = _proc_table()
        targets = {p for p in known if p in table}
        # Ray names a local session's directory session_<date>_<time>_<usec>_<driver pid>: its
        # processes are found by that name even when the driver died before reporting it
        own = re.compile(rf"session_[0-9_-]+_{parent}(?![0-9])")
        targets |= {p for p, (_, cmd) in table.items()
                    if any(s and s in cmd for s in sessions) or own.search(cmd)}
        for p in list(targets):
            targets |= _descendants(p, table)
        targets.discard(me)
        for p in targets:
            with contextlib.suppress(OSError):
                os.kill(p, sig)
        end = time.monotonic() + 3.0
        while time.monotonic() < end and any(p in _proc_table() for p in targets):
            time.sleep(0.2)


def _start_watchdog() -> Any:
    """A watchdog process that ends a local Ray instance when this process dies."""
    import subprocess

    code = f"from ringing.runs.executors import watchdog_main; watchdog_main({os.getpid()})"
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, text=True,
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _ray(func: Callable[..., Any], argss: Sequence[tuple[Any, ...]], workers: int
         ) -> Iterator[tuple[int, Any]]:
    import ray

    started = False
    watchdog = None
    try:
        with terminate_on_sigterm():
            if not ray.is_initialized():
                address = os.environ.get("RAY_ADDRESS")
                kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                          "ignore_reinit_error": True,
                                          "logging_level": logging.WARNING}
                if address:
                    ray.init(address=address, **kwargs)
                else:
                    watchdog = _start_watchdog()
                    ctx = ray.init(num_cpus=workers, **kwargs)
                    session = getattr(ctx, "address_info", {}).get("session_dir", "")
                    if watchdog.stdin is not None and session:
                        watchdog.stdin.write(f"{session}\n")
                        watchdog.stdin.flush()
                started = True
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
        if watchdog is not None and watchdog.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                watchdog.stdin.write("done\n")
                watchdog.stdin.close()
            with contextlib.suppress(Exception):
                watchdog.wait(timeout=5)


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
              on_result: Callable[[TaskResult], None] | None = None,
              check: Callable[[dict[str, Any]], object] | None = None
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
    check
        Called on every stored result before it is reused; a ``KeyError``, ``TypeError`` or
        ``ValueError`` from it means the stored row is damaged: a one-line
        :class:`~ringing.runs.store.StoreError` names the store, the task and its key (and
        ``rerun=True`` recomputes it).

    Notes
    -----
    Several runs may share one store: each worker looks the task up again just before it
    computes (check-before-compute, on a read-only connection), so a result another run
    finished in the meantime is reused instead of recomputed.
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
    def checked(t: Task, stored: dict[str, Any]) -> dict[str, Any]:
        if check is not None:
            try:
                check(stored)
            except (KeyError, TypeError, ValueError) as err:
                raise damaged(store.path, t.key, t.name,
                              f"{type(err).__name__}: {str(err)[:120]}") from None
        return stored

    for t in tasks:
        stored = None if rerun else store.get(t.key)
        if stored is not None:
            r = TaskResult(t, checked(t, stored), reused=True)
            by_key[t.key] = r
            stats.reused += 1
            if on_result:
                on_result(r)
        else:
            todo.append(t)
    todo.sort(key=lambda t: -t.cost)  # longest first: better packing on the pool
    path = None if rerun else str(store.path)
    gen = execute(_run_task, [(t.func, t.args, path, t.key) for t in todo], executor=executor,
                  workers=n_workers)
    bar = progress(gen, total=len(todo), desc=desc, disable=None if show_progress else True)
    for i, value in bar:
        t = todo[i]
        if isinstance(value, TaskError):
            r = TaskResult(t, None, error=value.message)
            stats.errors += 1
        elif isinstance(value, dict) and _STORED in value:  # another run finished it first
            r = TaskResult(t, checked(t, value[_STORED]), reused=True)
            stats.reused += 1
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


_STORED = "__ringing_stored_result__"


def _run_task(func: Callable[..., dict[str, Any]], args: tuple[Any, ...],
              store_path: str | None = None, key: str = "") -> dict[str, Any]:
    if store_path is not None:
        stored = read_result(store_path, key)
        if stored is not None:
            return {_STORED: stored}
    out = func(*args)
    if not isinstance(out, dict):
        raise TypeError(f"task function returned {type(out).__name__}, not dict")
    return out
