"""The lab's run index on disk: one SQLite file, versioned schema, safe for several processes.

Every connection uses write-ahead logging (readers never block the writer), a busy timeout (a
second writer waits instead of failing) and explicit ``BEGIN IMMEDIATE`` transactions (the write
lock is taken before anything is read, so check-then-insert cannot race). The schema version lives
in the ``schema_version`` table; :data:`MIGRATIONS` are applied in order, each in its own
transaction, and a database newer than this code is refused rather than guessed at.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from assaykit.errors import RunIndexError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "connect", "migrate", "transaction"]

#: How long a writer waits for another process's transaction before giving up (seconds).
BUSY_TIMEOUT_S = 60.0


def _run_statements(con: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated DDL inside the caller's transaction (``executescript`` would commit)."""
    lines = [ln.split("--", 1)[0] for ln in script.splitlines()]
    for stmt in "\n".join(lines).split(";"):
        if stmt.strip():
            con.execute(stmt)


def _v1(con: sqlite3.Connection) -> None:
    """Runs (one row per analysis version), their inputs, result rows and numeric values."""
    _run_statements(
        con,
        """
        CREATE TABLE runs (
            run_id       INTEGER PRIMARY KEY,
            run_key      TEXT NOT NULL UNIQUE,   -- SHA-256 of inputs' SHA-256 + options
            inputs_key   TEXT NOT NULL,          -- SHA-256 of the inputs' SHA-256 only
            version      INTEGER NOT NULL,       -- 1, 2, ... per inputs_key (re-analyses)
            assay        TEXT NOT NULL,
            experiment_id TEXT NOT NULL,
            operator     TEXT NOT NULL,
            run_date     TEXT NOT NULL,          -- ISO date of the experiment ('' if unknown)
            results_dir  TEXT NOT NULL,
            added_at     TEXT NOT NULL,
            provenance   TEXT NOT NULL,          -- provenance.json as written
            UNIQUE (inputs_key, version)
        );
        CREATE TABLE run_inputs (
            run_id  INTEGER NOT NULL REFERENCES runs(run_id),
            role    TEXT NOT NULL,
            name    TEXT NOT NULL,
            sha256  TEXT NOT NULL,
            bytes   INTEGER,
            PRIMARY KEY (run_id, role)
        );
        CREATE TABLE results (
            run_id   INTEGER NOT NULL REFERENCES runs(run_id),
            row_no   INTEGER NOT NULL,
            curve    TEXT NOT NULL,
            compound TEXT NOT NULL,
            status   TEXT NOT NULL,
            row_json TEXT NOT NULL,
            PRIMARY KEY (run_id, row_no)
        );
        CREATE TABLE result_values (
            run_id INTEGER NOT NULL,
            row_no INTEGER NOT NULL,
            name   TEXT NOT NULL,
            value  REAL,
            PRIMARY KEY (run_id, row_no, name),
            FOREIGN KEY (run_id, row_no) REFERENCES results(run_id, row_no)
        );
        """,
    )


def _v2(con: sqlite3.Connection) -> None:
    """Indexes for the questions a lab asks: one compound's history, runs since a date."""
    _run_statements(
        con,
        """
        CREATE INDEX results_compound ON results(compound, run_id);
        CREATE INDEX runs_date ON runs(run_date);
        CREATE INDEX runs_assay ON runs(assay, run_date);
        """,
    )


#: Ordered migrations: entry ``i`` brings the schema from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2)
SCHEMA_VERSION = len(MIGRATIONS)


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on any error)."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _version(con: sqlite3.Connection) -> int:
    has = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not has:
        return 0
    row = con.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(con: sqlite3.Connection, *, upto: int = SCHEMA_VERSION) -> int:
    """Apply the missing migrations (each in its own transaction); return the schema version."""
    while True:
        with transaction(con):
            con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = _version(con)
            if current > SCHEMA_VERSION:
                raise RunIndexError(
                    f"the index has schema version {current}, newer than this assaykit "
                    f"understands ({SCHEMA_VERSION}); update assaykit"
                )
            if current >= upto:
                return current
            MIGRATIONS[current](con)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", (current + 1,))


def connect(db: str | os.PathLike[str], *, upto: int = SCHEMA_VERSION) -> sqlite3.Connection:
    """Open (creating if needed) the index at ``db`` with WAL, busy timeout and current schema."""
    path = Path(db)
    if path.exists() and path.is_dir():
        raise RunIndexError(f"{path} is a folder, not an index file")
    # Switching a new file to WAL needs an exclusive lock, and SQLite does not apply the busy
    # timeout to it: two processes creating the index at once retry here instead of failing.
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA synchronous = NORMAL")
            break
        except sqlite3.OperationalError as err:
            with contextlib.suppress(Exception):
                con.close()
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise RunIndexError(f"cannot open the run index {path}: {err}") from None
            time.sleep(0.05 + 0.1 * random.random())
        except sqlite3.DatabaseError as err:
            raise RunIndexError(f"cannot open the run index {path}: {err}") from None
    try:
        migrate(con, upto=upto)
    except sqlite3.DatabaseError as err:
        con.close()
        raise RunIndexError(f"cannot read the run index {path}: {err}") from None
    except BaseException:
        con.close()
        raise
    return con
