"""Progress bars (tqdm, on stderr so that ``--json`` output on stdout stays clean)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def progress(iterable: Iterable[T], *, total: int | None = None, desc: str = "",
             disable: bool | None = None, **kwargs: Any) -> Iterator[T]:
    """Wrap ``iterable`` in a tqdm bar on stderr.

    The bar is hidden when stderr is not a terminal (CI, pipes) unless
    ``RINGING_PROGRESS=1``; ``RINGING_PROGRESS=0`` hides it always.
    """
    from tqdm.auto import tqdm

    if disable is None:
        env = os.environ.get("RINGING_PROGRESS")
        disable = (env == "0") if env is not None else not sys.stderr.isatty()
    yield from tqdm(iterable, total=total, desc=desc, disable=disable, file=sys.stderr,
                    leave=False, **kwargs)
