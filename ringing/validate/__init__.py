"""The one place where theory meets measurement: comparisons, claims per paper, the report,
and :func:`run`, the main job's Python entry (``ringing validate`` calls it).

Everything in ``__all__`` is imported lazily on first use, so ``import ringing.validate``
stays cheap.

>>> from ringing.validate import run                      # doctest: +SKIP
>>> report = run(quick=True, report="report/")            # doctest: +SKIP

See ``docs/quickstart.md`` for examples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ringing.lazy import lazy_exports

if TYPE_CHECKING:
    from ringing.validate.report import Report

#: public name -> the submodule that defines it (``run`` is defined here)
_EXPORTS: dict[str, str] = {
    "Report": "report", "write_report": "report",
    "run_claims": "pipeline",
    "catalogue": "claims", "select": "claims",
    "Claim": "core", "Outcome": "core", "ClaimResult": "core", "evaluate": "core",
    "VERDICTS": "core",
    "compare_printed": "compare", "compare_closed_form": "compare",
    "compare_simulation": "compare", "compare_with_theory": "compare",
    "theory_correlations": "compare",
}

__all__ = sorted(["run", *_EXPORTS])


def run(**kwargs: Any) -> Report:
    """Evaluate the claim catalogue and return the report (the Python ``ringing validate``).

    :func:`ringing.validate.pipeline.run`, imported lazily so that ``import ringing.validate``
    stays cheap; see there for every parameter.

    Parameters
    ----------
    **kwargs
        ``quick``, ``store``, ``executor``, ``workers``, ``only``, ``rerun``, ``figures``,
        ``report``, ``show_progress`` of :func:`ringing.validate.pipeline.run`.

    Returns
    -------
    Report
        Counts per verdict (``report.counts``), one result per claim (``report.results``);
        ``report.write(path)`` writes report.html, report.md and report.json.
    """
    from ringing.validate.pipeline import run as _run

    out: Report = _run(**kwargs)
    return out


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
