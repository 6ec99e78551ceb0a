"""Sweeps: evaluate claims on a local process pool (default) or on Ray, storing each result.

The main process is the only writer of the :class:`~ringing.validate.store.ResultStore`: a
worker returns a :class:`~ringing.validate.claims.ClaimResult` and the main process commits it
at once, so a killed run keeps everything that had finished.  Claims whose key is already in
the store are reused (``reused=True``) and never recomputed.  Results with verdict ``error``
are reported but not stored, so the next run retries them.

* ``executor="local"``: :class:`concurrent.futures.ProcessPoolExecutor` with ``workers``
  processes (default: the number of CPUs, at most 8; 2 on a 2-core machine), ``fork`` start
  method where available; each worker limits torch to ``cpus // workers`` threads.  One worker
  (or a single claim) runs in-process.
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
from dataclasses import dataclass
from typing import Any

from ringing.progress import progress
from ringing.validate.claims import Claim, ClaimResult, evaluate
from ringing.validate.store import ResultStore

__all__ = ["EXECUTORS", "SweepStats", "check_executor", "default_workers", "run_claims"]

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


def _init_worker(threads: int) -> None:
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["RINGING_PROGRESS"] = "0"
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:  # pragma: no cover - torch is a dependency
        pass


def _evaluate(claim: Claim, quick: bool) -> ClaimResult:
    return evaluate(claim, quick)


def _local(todo: Sequence[Claim], quick: bool, workers: int) -> Iterator[ClaimResult]:
    if workers <= 1 or len(todo) <= 1:
        for c in todo:
            yield evaluate(c, quick)
        return
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    threads = max(1, default_workers() // workers)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method),
                               initializer=_init_worker, initargs=(threads,))
    try:
        pending: dict[Future[ClaimResult], Claim] = {
            pool.submit(_evaluate, c, quick): c for c in todo}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                claim = pending.pop(fut)
                try:
                    yield fut.result()
                except Exception as err:  # noqa: BLE001 - a crashed worker
                    yield _crashed(claim, quick, err)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _crashed(claim: Claim, quick: bool, err: BaseException) -> ClaimResult:
    msg = str(err).splitlines()[0] if str(err) else ""
    return ClaimResult(claim.name, claim.key(quick), claim.statement, claim.source, claim.kind,
                       "error", None, None, None, None, "", f"{type(err).__name__}: {msg}", {},
                       claim.config(quick), 0.0)


def _ray(todo: Sequence[Claim], quick: bool, workers: int) -> Iterator[ClaimResult]:
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
        remote = ray.remote(_evaluate)
        refs = {remote.remote(c, quick): c for c in todo}
        while refs:
            done, _ = ray.wait(list(refs), num_returns=1)
            for ref in done:
                claim = refs.pop(ref)
                try:
                    yield ray.get(ref)
                except Exception as err:  # noqa: BLE001 - a failed task
                    yield _crashed(claim, quick, err)
    finally:
        if started:
            ray.shutdown()


def run_claims(claims: Sequence[Claim], *, quick: bool, store: ResultStore,
               executor: str = "local", workers: int | None = None, rerun: bool = False,
               show_progress: bool = True,
               on_result: Callable[[ClaimResult], None] | None = None
               ) -> tuple[list[ClaimResult], SweepStats]:
    """Evaluate ``claims`` (reusing stored results) and return them in catalogue order.

    Parameters
    ----------
    claims
        The claims to evaluate.
    quick
        Use each claim's quick parameters.
    store
        Where finished results are read from and committed to, one transaction each.
    executor
        ``"local"`` or ``"ray"``.
    workers
        Parallel workers (default :func:`default_workers`).
    rerun
        Recompute even when a result is stored (the new result replaces it).
    on_result
        Called with each result as it arrives (reused ones first).
    """
    check_executor(executor)
    n_workers = default_workers() if workers is None else int(workers)
    if n_workers < 1:
        raise ValueError(f"workers={workers} must be >= 1")
    stats = SweepStats(total=len(claims))
    by_name: dict[str, ClaimResult] = {}
    todo: list[Claim] = []
    for c in claims:
        stored = None if rerun else store.get(c.key(quick))
        if stored is not None:
            r = ClaimResult.from_dict(stored)
            r.reused = True
            by_name[c.name] = r
            stats.reused += 1
            if on_result:
                on_result(r)
        else:
            todo.append(c)
    todo.sort(key=lambda c: -c.cost)  # longest first: better packing on the pool
    gen = _ray(todo, quick, n_workers) if executor == "ray" else _local(todo, quick, n_workers)
    bar = progress(gen, total=len(todo), desc="validate",
                   disable=None if show_progress else True)
    for r in bar:
        if r.verdict != "error":
            store.put(r.key, r.name, r.config, r.as_dict())
            stats.computed += 1
        else:
            stats.errors += 1
        by_name[r.name] = r
        if on_result:
            on_result(r)
    sys.stderr.flush()
    return [by_name[c.name] for c in claims], stats
