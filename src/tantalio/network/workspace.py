"""Network analysis computes on a read snapshot and publishes in one short write transaction.

The analysis reads the whole case and takes seconds on a demo, minutes at scale. Holding the
case's write lock all that time made the web users' writes (logins, reveals, audit rows) fail
with "database is locked" (REVIEW.md, issue 15). So:

1. a read transaction fixes a snapshot of the case (WAL mode: writers carry on beside it);
2. every table the analysis writes is shadowed by a TEMP table of the same name, which SQLite
   resolves before the main one for unqualified names: the analysis code reads and writes its
   own copies, and writing TEMP tables takes no lock on the case file;
3. the read transaction ends and one short write transaction replaces the main tables' content
   with the shadows' (foreign keys checked at its commit); the shadows are then dropped.

A kill at any point leaves the case as it was (the shadows are private to the connection).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tantalio.network.identities import ANALYZE_ACTOR

# Rebuilt from nothing on every run.
DERIVED = ("person_role", "person_score", "camera_original", "propagation_edge", "first_sighting", "post",
           "group_event", "chat_name", "membership_spell", "chat_obs_alignment")
# Read and updated in place: their current content is copied into the shadow first.
CARRIED = ("person", "chat", "identifier", "chat_obs", "person_merge", "person_label")

_REFERENCES = re.compile(r"\s+REFERENCES\s+\w+\s*\([^)]*\)", re.IGNORECASE)
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+", re.IGNORECASE)
_CREATE_INDEX = re.compile(r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(\w+)\s+ON\s+", re.IGNORECASE)


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]


def _shadow(conn: sqlite3.Connection, table: str, copy: bool) -> None:
    """A TEMP table with the main table's columns, constraints (but no foreign keys: their parents
    are shadows too, checked when published) and indexes."""
    row = conn.execute("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    if row is None:
        raise sqlite3.OperationalError(f"no table {table} in the case store")
    conn.execute(_REFERENCES.sub("", _CREATE_TABLE.sub("CREATE TEMP TABLE ", row[0], count=1)))
    for (sql,) in conn.execute("SELECT sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ?"
                               " AND sql IS NOT NULL", (table,)).fetchall():
        conn.execute(_CREATE_INDEX.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX temp.{m.group(2)} ON ", sql,
                                       count=1))
    if copy:
        conn.execute(f"INSERT INTO temp.{table} SELECT * FROM main.{table}")  # noqa: S608  (our table names)


def drop_shadows(conn: sqlite3.Connection) -> None:
    for table in DERIVED + CARRIED:
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


@contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside: one consistent snapshot of the case, and shadows of every table analysis writes.
    The shadows outlive the block (for :func:`publish`); :func:`drop_shadows` removes them."""
    if conn.in_transaction:
        raise sqlite3.OperationalError("network analysis must start outside a transaction")
    drop_shadows(conn)
    conn.execute("BEGIN")
    try:
        for table in DERIVED:
            _shadow(conn, table, copy=False)
        for table in CARRIED:
            _shadow(conn, table, copy=True)
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        drop_shadows(conn)
        raise
    else:
        conn.execute("COMMIT")           # ends the read snapshot; TEMP content is kept


def _replace_rows(conn: sqlite3.Connection, table: str, key: str = "id") -> None:
    """main.table := temp.table, row by row on ``key`` so unchanged rows are left alone."""
    cols = _columns(conn, table)
    sets = ", ".join(f"{c} = excluded.{c}" for c in cols if c != key)
    conn.execute(f"DELETE FROM main.{table} WHERE {key} NOT IN (SELECT {key} FROM temp.{table})")  # noqa: S608
    conn.execute(f"INSERT INTO main.{table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM temp.{table}"  # noqa: S608
                 f" WHERE true ON CONFLICT({key}) DO UPDATE SET {sets}")


def publish(conn: sqlite3.Connection, finish: Callable[[], Any] | None = None) -> float:
    """Replace the case's analysis tables with the shadows in one write transaction; ``finish``
    runs inside it (warnings, the audit row). Returns the seconds the write lock was held."""
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for table in DERIVED:
            conn.execute(f"DELETE FROM main.{table}")  # noqa: S608
        # Only the columns analysis derives; identifiers and recordings ingested since the
        # snapshot are not in the shadows and keep theirs (unassigned until the next run).
        conn.execute("UPDATE main.identifier SET person_id = s.person_id FROM temp.identifier s"
                     " WHERE s.id = identifier.id AND identifier.person_id IS NOT s.person_id")
        conn.execute("UPDATE main.chat_obs SET chat_id = s.chat_id FROM temp.chat_obs s"
                     " WHERE s.id = chat_obs.id AND chat_obs.chat_id IS NOT s.chat_id")
        _replace_rows(conn, "person")
        _replace_rows(conn, "chat")
        _replace_rows(conn, "person_label", key="label")
        merge_cols = ", ".join(c for c in _columns(conn, "person_merge") if c != "id")
        conn.execute("DELETE FROM main.person_merge WHERE actor = ?", (ANALYZE_ACTOR,))
        conn.execute(f"INSERT INTO main.person_merge ({merge_cols}) SELECT {merge_cols} FROM temp.person_merge"  # noqa: S608
                     " WHERE actor = ? ORDER BY id", (ANALYZE_ACTOR,))
        for table in reversed(DERIVED):
            cols = ", ".join(_columns(conn, table))
            conn.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM temp.{table}")  # noqa: S608
        if finish is not None:
            finish()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        drop_shadows(conn)
    return time.perf_counter() - started
