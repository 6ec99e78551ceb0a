"""``ringing.runs.executors``: generic tasks on the local pool, reused from the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringing.runs.executors import Task, TaskError, check_executor, execute, run_tasks
from ringing.runs.store import ResultStore, config_key


def square(x: int) -> dict[str, int]:
    if x < 0:
        raise ValueError("negative")
    return {"x": x, "y": x * x}


@pytest.mark.parametrize("workers", [1, 2])
def test_execute_yields_every_index_and_errors(workers: int) -> None:
    got = dict(execute(square, [(1,), (-1,), (3,)], workers=workers))
    assert got[0] == {"x": 1, "y": 1} and got[2] == {"x": 3, "y": 9}
    assert isinstance(got[1], TaskError) and got[1].message == "ValueError: negative"


def test_run_tasks_stores_reuses_and_keeps(tmp_path: Path) -> None:
    tasks = [Task(config_key({"x": x}), f"sq{x}", {"x": x}, square, (x,)) for x in (2, 5, -1)]
    with ResultStore(tmp_path / "s.sqlite") as store:
        res, stats = run_tasks(tasks, store=store, workers=1, show_progress=False,
                               keep=lambda r: r["x"] != 5)
        assert [r.result for r in res] == [{"x": 2, "y": 4}, {"x": 5, "y": 25}, None]
        assert res[2].error == "ValueError: negative"
        assert (stats.computed, stats.errors, stats.reused) == (2, 1, 0)
        assert store.count() == 1  # 5 not kept, the error never stored
        res, stats = run_tasks(tasks, store=store, workers=1, show_progress=False)
        assert [r.reused for r in res] == [True, False, False] and stats.reused == 1


def test_bad_executor_and_duplicate_keys(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="executor"):
        check_executor("threads")
    t = Task("k", "a", {}, square, (1,))
    with ResultStore(tmp_path / "s.sqlite") as store, pytest.raises(ValueError, match="dupl"):
        run_tasks([t, t], store=store, show_progress=False)
