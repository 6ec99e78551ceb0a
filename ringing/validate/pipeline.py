"""The main job as a Python function: :func:`run` evaluates the claim catalogue (reusing the
results store) and returns a :class:`~ringing.validate.report.Report`; ``ringing validate``
merely parses its flags and calls it.

Notebook use::

    from ringing.validate import run

    report = run(quick=True, only="seed004/table1")
    report.counts                      # {'pass': ..., 'fail': 0, ...}
    report.write("report/")            # report.html, report.md, report.json
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ringing.runs.executors import (
    SweepStats,
    Task,
    TaskResult,
    check_executor,
    default_workers,
    run_tasks,
)
from ringing.runs.store import ResultStore
from ringing.validate.core import Claim, ClaimResult, evaluate

if TYPE_CHECKING:
    from ringing.validate.report import Report

__all__ = ["run", "run_claims", "resolve_claim_device"]


def resolve_claim_device(device: str) -> str:
    """``device`` for the claims as a plain name: ``"cpu"`` unchanged (without importing
    torch, so the theory-only catalogue runs without it), ``"auto"`` / ``"cuda[:k]"`` resolved
    by :func:`ringing.simulate.common.resolve_device` (a one-line ``ValueError`` for CUDA
    without a GPU or an unknown name)."""
    if not isinstance(device, str):
        raise ValueError(f"device must be a string (auto, cpu, cuda), got {device!r}")
    if device.strip().lower() == "cpu":
        return "cpu"
    from ringing.simulate.common import resolve_device

    return str(resolve_device(device))


def _evaluate_dict(claim: Claim, quick: bool, device: str = "cpu") -> dict[str, object]:
    return evaluate(claim, quick, device).as_dict()


def _stored(result: dict[str, object]) -> bool:
    # errors are retried next time; skipped claims run once their requirement is installed
    return result.get("verdict") not in ("error", "skipped")


def _to_claim_result(claim: Claim, quick: bool, tr: TaskResult, device: str = "cpu"
                     ) -> ClaimResult:
    if tr.result is None:  # the worker itself crashed
        return ClaimResult(claim.name, claim.key(quick, device), claim.statement, claim.source,
                           claim.kind, "error", None, None, None, None, "", tr.error, {},
                           claim.config(quick, device), 0.0)
    r = ClaimResult.from_dict(tr.result)
    r.reused = tr.reused
    return r


def run_claims(claims: Sequence[Claim], *, quick: bool, store: ResultStore,
               executor: str = "local", workers: int | None = None, rerun: bool = False,
               show_progress: bool = True,
               on_result: Callable[[ClaimResult], None] | None = None,
               device: str = "cpu") -> tuple[list[ClaimResult], SweepStats]:
    """Evaluate ``claims`` (reusing stored results) and return them in catalogue order.

    Each claim is one :class:`~ringing.runs.executors.Task` keyed by
    :meth:`~ringing.validate.core.Claim.key`; results with verdict ``error`` or ``skipped`` are
    reported but not stored, so the next run retries them.  Claims that simulate run on
    ``device`` (a resolved device name, ``"cpu"`` or ``"cuda"``).
    """
    by_key = {c.key(quick, device): c for c in claims}
    tasks = [Task(c.key(quick, device), c.name, c.config(quick, device), _evaluate_dict,
                  (c, quick, device), c.cost) for c in claims]

    def hook(tr: TaskResult) -> None:
        if on_result is not None:
            on_result(_to_claim_result(by_key[tr.task.key], quick, tr, device))

    done, stats = run_tasks(tasks, store=store, executor=executor, workers=workers,
                            rerun=rerun, show_progress=show_progress, desc="validate",
                            keep=_stored, on_result=hook if on_result else None,
                            check=ClaimResult.from_dict)
    results = [_to_claim_result(by_key[tr.task.key], quick, tr, device) for tr in done]
    stats.errors = sum(r.verdict == "error" for r in results)
    stats.computed = sum(not r.reused and r.verdict != "error" for r in results)
    return results, stats


def run(*, quick: bool = False, store: ResultStore | str | os.PathLike[str] | None = None,
        executor: str = "local", workers: int | None = None, only: str | None = None,
        rerun: bool = False, figures: bool = True, report: str | os.PathLike[str] | None = None,
        show_progress: bool = True, device: str = "cpu") -> Report:
    """Evaluate the claim catalogue and build the report (the main job; ``ringing validate``).

    Parameters
    ----------
    quick
        Each claim's quick parameters (small widths, few seeds, reduced training steps).
    store
        A :class:`~ringing.runs.store.ResultStore`, a path to one, or ``None`` for the default
        (``$XDG_CACHE_HOME/ringing/results.sqlite``).  A path is opened and closed here.
    executor, workers
        ``"local"`` (process pool, default) or ``"ray"``; number of parallel workers.
    only
        Comma-separated globs or substrings of claim names (``None``: every claim).
    rerun
        Recompute even when the store has a result.
    figures
        Render the figures (from the store's cache when unchanged).
    report
        When given, the report is also written there (a directory or a ``.html`` path).
    device
        Where the simulation claims and figures run: ``"cpu"`` (default), ``"cuda"`` or
        ``"auto"`` (CUDA when present).  Results on another device than the CPU are stored
        under their own keys (their numbers differ by rounding).

    Returns
    -------
    Report
        :class:`ringing.validate.report.Report`; ``report.ok`` is ``False`` when a claim
        failed or raised.

    Raises
    ------
    ValueError
        Bad input (unknown executor, Ray missing, ``only`` matching nothing, an unwritable
        report path, a corrupt store, a device that is not there), before anything is
        computed or written.
    """
    from ringing.validate.claims import catalogue, select
    from ringing.validate.report import (
        Report,
        check_writable,
        collect_discrepancies,
        render_figures,
        resolve_report_paths,
    )

    claims = select(catalogue(), only)
    if workers is not None and workers < 1:
        raise ValueError(f"workers={workers} must be >= 1")
    check_executor(executor)
    device = resolve_claim_device(device)
    paths = None
    if report is not None:
        paths = resolve_report_paths(report)
        check_writable(paths)
    own = not isinstance(store, ResultStore)
    st = store if isinstance(store, ResultStore) else ResultStore(store)
    t0 = time.perf_counter()
    try:
        results, stats = run_claims(claims, quick=quick, store=st, executor=executor,
                                    workers=workers, rerun=rerun, show_progress=show_progress,
                                    device=device)
        t_claims = time.perf_counter() - t0
        n_fig = (workers or default_workers()) if executor == "local" else 1
        figs = (render_figures(st, workers=n_fig, show_progress=show_progress, device=device)
                if figures else [])
        meta = {
            "mode": "quick" if quick else "full",
            "claims": len(results),
            "computed": stats.computed, "reused": stats.reused, "errors": stats.errors,
            "claims_seconds": round(t_claims, 2),
            "total_seconds": round(time.perf_counter() - t0, 2),
            "store": str(st.path), "executor": executor, "device": device,
            "only": only or "",
        }
        rep = Report.build(results, figures=figs, meta=meta,
                           discrepancies=collect_discrepancies(results))
    finally:
        if own:
            st.close()
    if paths is not None:
        rep.write(paths)
    return rep
