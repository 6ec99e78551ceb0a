"""The results store: an embedded SQLite database of finished results and rendered figures.

* Default location: ``$XDG_CACHE_HOME/ringing/results.sqlite``, or
  ``~/.cache/ringing/results.sqlite`` (:func:`default_store_path`).
* Keyed by :func:`config_key` — a SHA-256 of the canonical JSON of the whole configuration
  (callers include ``ringing.__version__``, as :meth:`ringing.validate.core.Claim.key` does) —
  so a re-run reuses finished results and a new version recomputes them.
* Write-ahead logging, ``synchronous=FULL``, and every result committed in its own transaction:
  a run killed with SIGKILL loses only the claims that were still being computed.
* A file that is not a SQLite database, fails ``PRAGMA quick_check`` or belongs to another
  application raises :class:`StoreError` (a ``ValueError``, so the CLI prints one line and
  exits 2).  The file is never overwritten or repaired silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["StoreError", "ResultStore", "default_store_path", "config_key", "APPLICATION_ID",
           "SCHEMA_VERSION"]

#: ``PRAGMA application_id`` of a ringing store ("RING")
APPLICATION_ID = 0x52494E47
SCHEMA_VERSION = 1
_HEADER = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    result TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS figures (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    png BLOB NOT NULL,
    created REAL NOT NULL
);
"""


def config_key(config: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``config`` (sorted keys, no spaces): the store key."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class StoreError(ValueError):
    """The store file cannot be used (corrupt, foreign, or not writable)."""


def default_store_path() -> Path:
    """``$XDG_CACHE_HOME/ringing/results.sqlite`` or ``~/.cache/ringing/results.sqlite``."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "ringing" / "results.sqlite"


class ResultStore:
    """A SQLite store of claim results and figures (see the module docstring).

    Parameters
    ----------
    path
        The database file; created (with its directory) when missing.

    Raises
    ------
    StoreError
        The file exists but is not a usable ringing store, or cannot be created.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self._check_file()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise StoreError(f"cannot open results store {self.path}: {err}") from None
        try:
            self._setup()
        except StoreError:
            self._conn.close()
            raise
        except sqlite3.OperationalError as err:
            self._conn.close()
            raise StoreError(f"cannot use results store {self.path}: {err}") from None
        except sqlite3.DatabaseError as err:
            self._conn.close()
            raise StoreError(f"results store {self.path} is corrupt or not a SQLite database "
                             f"({err}); it was left untouched: move it away or pass "
                             "--store PATH") from None

    # -- opening -------------------------------------------------------------

    def _check_file(self) -> None:
        p = self.path
        if p.exists() and not p.is_file():
            raise StoreError(f"results store {p} is not a regular file")
        if p.is_file() and p.stat().st_size > 0:
            try:
                with open(p, "rb") as fh:
                    head = fh.read(len(_HEADER))
            except OSError as err:
                raise StoreError(f"cannot read results store {p}: {err}") from None
            if head != _HEADER:
                raise StoreError(f"results store {p} is corrupt or not a SQLite database "
                                 "(bad header); it was left untouched: move it away or pass "
                                 "--store PATH")

    def _setup(self) -> None:
        c = self._conn
        c.execute("PRAGMA busy_timeout = 30000")
        ok = c.execute("PRAGMA quick_check").fetchone()
        if not ok or ok[0] != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {ok[0] if ok else 'no answer'}")
        app = c.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if app not in (0, APPLICATION_ID) or (app == 0 and tables):
            raise StoreError(f"{self.path} is a SQLite database of another application "
                             f"(application_id={app}, tables: {', '.join(sorted(tables)) or '-'})"
                             "; it was left untouched: pass --store PATH")
        mode = c.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network file system
            c.execute("PRAGMA journal_mode = DELETE")
        c.execute("PRAGMA synchronous = FULL")
        if app == 0:
            c.execute("BEGIN IMMEDIATE")
            try:
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        c.execute(stmt)
                c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        else:
            ver = c.execute("PRAGMA user_version").fetchone()[0]
            if ver != SCHEMA_VERSION:
                raise StoreError(f"results store {self.path} has schema version {ver}, this "
                                 f"ringing expects {SCHEMA_VERSION}; pass --store PATH")

    # -- results -------------------------------------------------------------

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored result dict for ``key``, or ``None``."""
        row = self._conn.execute("SELECT result FROM results WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        out: dict[str, Any] = json.loads(row[0])
        return out

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``{key: result}`` for the stored ones among ``keys``."""
        out: dict[str, dict[str, Any]] = {}
        for k in keys:
            r = self.get(k)
            if r is not None:
                out[k] = r
        return out

    def put(self, key: str, name: str, config: dict[str, Any], result: dict[str, Any]) -> None:
        """Store one result in its own committed transaction (replacing an older one)."""
        text = json.dumps(result, sort_keys=True, allow_nan=False)
        conf = json.dumps(config, sort_keys=True)
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute("INSERT OR REPLACE INTO results(key, name, config, result, created) "
                      "VALUES (?, ?, ?, ?, ?)", (key, name, conf, text, time.time()))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def delete(self, key: str) -> None:
        """Forget one result."""
        self._conn.execute("DELETE FROM results WHERE key = ?", (key,))

    def count(self) -> int:
        """Number of stored results."""
        return int(self._conn.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def names(self) -> list[str]:
        """Names of the stored results (sorted)."""
        return [r[0] for r in self._conn.execute("SELECT name FROM results ORDER BY name")]

    # -- figures -------------------------------------------------------------

    def get_figure(self, key: str) -> bytes | None:
        """A cached PNG, or ``None``."""
        row = self._conn.execute("SELECT png FROM figures WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def put_figure(self, key: str, name: str, png: bytes) -> None:
        """Cache one rendered PNG (own transaction)."""
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute("INSERT OR REPLACE INTO figures(key, name, png, created) VALUES (?,?,?,?)",
                      (key, name, sqlite3.Binary(png), time.time()))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def integrity_ok(self) -> bool:
        """``PRAGMA integrity_check`` is ``ok``."""
        row = self._conn.execute("PRAGMA integrity_check").fetchone()
        return bool(row) and row[0] == "ok"

    def close(self) -> None:
        """Close the connection (checkpointing the write-ahead log)."""
        try:
            self._conn.close()
        except sqlite3.Error:  # pragma: no cover
            pass

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
