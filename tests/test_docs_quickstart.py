"""docs/quickstart.md runs (issue 20, must-show 4): every ```python block of the page is
executed, in order, in one namespace (like a notebook), in a temporary working directory.
A block that raises, or whose ``assert`` (the page's expected outputs) fails, fails the test
and names the block.  Tiny sizes: the whole page takes well under a minute."""

from __future__ import annotations

import contextlib
import io
import re
import time
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "quickstart.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks(text: str) -> list[tuple[int, str]]:
    """``(line number, code)`` of every python block of a markdown page."""
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in _BLOCK.finditer(text)]


def test_page_has_the_promised_sections() -> None:
    text = PAGE.read_text()
    for title in ("## Theory", "## Simulation", "## Validation", "## One example per paper",
                  "## References"):
        assert title in text
    assert len(blocks(text)) >= 12


def test_quickstart_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__quickstart__"}
    start = time.perf_counter()
    for line, code in blocks(PAGE.read_text()):
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"{PAGE.name}:{line}", "exec"), namespace)  # noqa: S102
        except Exception as exc:  # name the block and show what it printed
            raise AssertionError(f"docs/quickstart.md block at line {line} failed: {exc!r}\n"
                                 f"printed:\n{out.getvalue()}") from exc
    assert time.perf_counter() - start < 600  # generous on a loaded 2-core machine


def test_block_extraction_sees_a_failing_block() -> None:
    """The harness itself: a wrong expected value in a block is an error."""
    text = "x\n```python\nassert 1 + 1 == 3\n```\n"
    ((line, code),) = blocks(text)
    assert line == 2
    with pytest.raises(AssertionError):
        exec(compile(code, "page", "exec"), {})  # noqa: S102
