"""The one place where theory meets measurement: comparisons, claims per paper, the report,
and :func:`run`, the main job's Python entry (``ringing validate`` calls it).

>>> from ringing.validate import run                      # doctest: +SKIP
>>> report = run(quick=True, report="report/")            # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["run", "Report"]

if TYPE_CHECKING:
    from ringing.validate.report import Report


def run(**kwargs: Any) -> Report:
    """:func:`ringing.validate.pipeline.run` (imported lazily, so ``import ringing.validate``
    stays cheap); see there for the parameters."""
    from ringing.validate.pipeline import run as _run

    out: Report = _run(**kwargs)
    return out


def __getattr__(name: str) -> Any:
    if name == "Report":
        from ringing.validate.report import Report

        return Report
    raise AttributeError(name)
