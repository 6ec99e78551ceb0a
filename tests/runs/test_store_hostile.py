"""Stores under hostile conditions: refused stores untouched, damaged rows named, shared stores.

* A store refused for its schema version (or owner) is not modified at all: the checks run
  on a read-only connection before write-ahead logging is switched on.
* A damaged row is a one-line error naming the store path, the claim and its key; with
  ``rerun`` it is recomputed and replaced.
* Two runs on one store reuse each other's finished results (check-before-compute).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ringing.cli import main
from ringing.runs.executors import Task, run_tasks
from ringing.runs.store import ResultStore, StoreError, config_key


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sidecars(path: Path) -> list[Path]:
    return [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _make_store(path: Path, version: int) -> None:
    with ResultStore(path) as st:
        st.put("k", "claim", {"a": 1}, {"v": 1})
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("PRAGMA journal_mode = DELETE")  # a store as another version leaves it
    conn.close()


def test_wrong_version_store_is_not_modified(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _make_store(path, 99)
    before = _digest(path)
    with pytest.raises(StoreError, match="schema version 99"):
        ResultStore(path)
    assert _digest(path) == before  # header bytes 19, 20, 28, 96 included
    assert not _sidecars(path)


def test_wrong_version_store_through_validate(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "old.sqlite"
    _make_store(path, 99)
    before = _digest(path)
    rc = main(["validate", "--store", str(path), "--report", str(tmp_path / "r"), "--only",
               "seed000/table1/relu"])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "schema version" in err
    assert _digest(path) == before and not _sidecars(path)


def test_foreign_store_is_not_modified(tmp_path: Path) -> None:
    path = tmp_path / "foreign.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (a)")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(StoreError, match="another application"):
        ResultStore(path)
    assert _digest(path) == before and not _sidecars(path)


def _value(n: int) -> dict[str, Any]:
    return {"name": f"t{n}", "value": n}


def _never(n: int) -> dict[str, Any]:
    raise AssertionError(f"task {n} was recomputed")


def _check(d: dict[str, Any]) -> None:
    d["name"]  # noqa: B018 - raises KeyError on a damaged row


def _tasks(func: Any = _value) -> list[Task]:
    return [Task(config_key({"n": n}), f"t{n}", {"n": n}, func, (n,)) for n in range(3)]


def _damage(path: Path, key: str, text: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE results SET result = ? WHERE key = ?", (text, key))
    conn.commit()
    conn.close()


@pytest.mark.parametrize(("text", "why"), [("{not json", "not JSON"),
                                           ("[1, 2]", "JSON list"),
                                           (json.dumps({"value": 1}), "KeyError")])
def test_damaged_row_named_then_recomputed_with_rerun(tmp_path: Path, text: str,
                                                      why: str) -> None:
    path = tmp_path / "s.sqlite"
    tasks = _tasks()
    with ResultStore(path) as st:
        run_tasks(tasks, store=st, workers=1, show_progress=False, check=_check)
    _damage(path, tasks[1].key, text)
    with ResultStore(path) as st:
        with pytest.raises(StoreError) as info:
            run_tasks(tasks, store=st, workers=1, show_progress=False, check=_check)
        msg = str(info.value)
        assert str(path) in msg and tasks[1].key in msg and "'t1'" in msg and why in msg
        assert "\n" not in msg and "--rerun" in msg
        res, stats = run_tasks(tasks, store=st, workers=1, show_progress=False, check=_check,
                               rerun=True)
        assert stats.computed == 3 and res[1].result == _value(1)
        assert st.get(tasks[1].key) == _value(1)


def _finish_the_others(path: str, n: int) -> dict[str, Any]:
    """Task 0 of run B: meanwhile "run A" finishes tasks 1 and 2 in the same store."""
    with ResultStore(path) as other:
        for k in (1, 2):
            other.put(config_key({"n": k}), f"t{k}", {"n": k}, _value(k))
    return _value(n)


def test_concurrent_runs_reuse_each_others_results(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    tasks = [Task(config_key({"n": 0}), "t0", {"n": 0}, _finish_the_others, (str(path), 0),
                  cost=10.0)]
    tasks += [Task(config_key({"n": n}), f"t{n}", {"n": n}, _never, (n,)) for n in (1, 2)]
    with ResultStore(path) as st:
        res, stats = run_tasks(tasks, store=st, workers=1, show_progress=False, check=_check)
    assert [r.reused for r in res] == [False, True, True]
    assert [r.result for r in res] == [_value(0), _value(1), _value(2)]
    assert stats.reused == 2
