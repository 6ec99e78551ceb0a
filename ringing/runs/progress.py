"""Progress bars (tqdm, on stderr so that ``--json`` output on stdout stays clean)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


#: set by :func:`configure_progress` (the command line's ``--progress/--no-progress``)
_FORCED: bool | None = None


def configure_progress(enabled: bool | None) -> None:
    """Show (True) or hide (False) every progress bar of this process; None: the default
    (a terminal on stderr, or ``RINGING_PROGRESS``)."""
    global _FORCED
    _FORCED = enabled


def progress_enabled() -> bool:
    """Whether progress bars (and a long run's plan) are shown: ``--progress/--no-progress``
    when given, else ``RINGING_PROGRESS`` (1/0) when set, else whether stderr is a terminal."""
    if _FORCED is not None:
        return _FORCED
    env = os.environ.get("RINGING_PROGRESS")
    return (env != "0") if env is not None else sys.stderr.isatty()


def progress(iterable: Iterable[T], *, total: int | None = None, desc: str = "",
             disable: bool | None = None, **kwargs: Any) -> Iterator[T]:
    """Wrap ``iterable`` in a tqdm bar on stderr.

    Shown on a terminal by default (:func:`progress_enabled`: ``--progress/--no-progress``,
    then ``RINGING_PROGRESS=1/0``, then whether stderr is a terminal).
    """
    from tqdm.auto import tqdm

    if disable is None:
        disable = not progress_enabled()
    yield from tqdm(iterable, total=total, desc=desc, disable=disable, file=sys.stderr,
                    leave=False, **kwargs)
