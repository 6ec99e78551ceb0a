"""The SQLite results store: round trips, WAL, default path, corrupt and foreign files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ringing.runs.store import APPLICATION_ID, ResultStore, StoreError, default_store_path


def test_round_trip_and_reopen(tmp_path: Path) -> None:
    p = tmp_path / "sub" / "s.sqlite"
    with ResultStore(p) as s:
        assert s.count() == 0 and s.get("k") is None
        s.put("k1", "a/b", {"x": 1}, {"verdict": "pass", "theory": 1.5})
        s.put("k2", "a/c", {"x": 2}, {"verdict": "fail", "theory": None})
        s.put("k1", "a/b", {"x": 1}, {"verdict": "pass", "theory": 2.5})  # replaces
        assert s.count() == 2
        assert s.get("k1") == {"verdict": "pass", "theory": 2.5}
        assert s.get_many(["k1", "zz"]).keys() == {"k1"}
        s.put_figure("f", "fig", b"\x89PNG....")
        assert s.get_figure("f") == b"\x89PNG...."
    with ResultStore(p) as s:
        assert s.names() == ["a/b", "a/c"]
        assert s.integrity_ok()
    con = sqlite3.connect(p)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    con.close()


def test_nan_is_refused(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "s.sqlite") as s, pytest.raises(ValueError):
        s.put("k", "n", {}, {"theory": float("nan")})


def test_default_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_store_path() == tmp_path / "ringing" / "results.sqlite"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_store_path() == Path.home() / ".cache" / "ringing" / "results.sqlite"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the spec: must be absolute
    assert default_store_path() == Path.home() / ".cache" / "ringing" / "results.sqlite"


def test_garbage_file_is_refused_and_untouched(tmp_path: Path) -> None:
    p = tmp_path / "s.sqlite"
    data = b"this is not a database\n" * 200
    p.write_bytes(data)
    with pytest.raises(StoreError, match="corrupt or not a SQLite database"):
        ResultStore(p)
    assert p.read_bytes() == data


def test_damaged_database_is_refused_and_untouched(tmp_path: Path) -> None:
    p = tmp_path / "s.sqlite"
    with ResultStore(p) as s:
        for i in range(50):
            s.put(f"k{i}", f"n{i}", {"i": i}, {"v": "x" * 200})
    raw = bytearray(p.read_bytes())
    raw[200:4000] = b"\xff" * 3800  # keep the header, destroy the first page's b-tree
    p.write_bytes(bytes(raw))
    with pytest.raises(StoreError, match="corrupt"):
        ResultStore(p)
    assert p.read_bytes() == bytes(raw)


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "other.sqlite"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="another application"):
        ResultStore(p)


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a regular file"):
        ResultStore(tmp_path)
