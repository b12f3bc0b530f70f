"""Network analysis computes on a read snapshot and publishes in one short write transaction.

The analysis reads the whole case and takes seconds on a demo, minutes at scale. Holding the
case's write lock all that time made the web users' writes (logins, reveals, audit rows) fail
with "database is locked" (REVIEW.md, issue 15). So:

1. a read transaction fixes a snapshot of the case (WAL mode: writers carry on beside it);
2. every table the analysis writes is shadowed by a TEMP table of the same name, which SQLite
   resolves before the main one for unqualified names: the analysis code reads and writes its
   own copies, and writing TEMP tables takes no lock on the case file;
3. the read transaction ends; the shadows are copied into staging tables beside the main ones
   in many short write transactions (another writer waits at most one of them), and one
   transaction swaps them in by renaming - a moment, whatever the size of the case - so readers
   see the old analysis or the new one, never a mix; the old tables are then dropped.

A kill at any point leaves the case as it was, or as the finished analysis left it: the shadows
are private to the connection, and staging tables left behind are dropped by the next run.
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
           "group_event", "chat_name", "membership_spell", "chat_obs_alignment", "exhibit_owner")
# Read and updated in place: their current content is copied into the shadow first.
CARRIED = ("person", "chat", "identifier", "chat_obs", "person_merge", "person_label", "chat_label")
# Published whole by a swap; identifier.person_id and chat_obs.chat_id are published row by row.
SWAPPED = (*DERIVED, "person", "chat", "person_label", "chat_label")
STAGED_COLUMNS = (("identifier", "person_id"), ("chat_obs", "chat_id"))
STAGE_ROWS = 50_000

_REFERENCES = re.compile(r"\s+REFERENCES\s+\w+\s*\([^)]*\)", re.IGNORECASE)
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+", re.IGNORECASE)
_CREATE_INDEX = re.compile(r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(\w+)\s+ON\s+", re.IGNORECASE)
_TABLE_NAME = re.compile(r'^\s*CREATE\s+TABLE\s+("[^"]+"|\w+)\s*', re.IGNORECASE)
_INDEX_HEAD = re.compile(r'^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+\w+\s+ON\s+("[^"]+"|\w+)\s*', re.IGNORECASE)


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


class _Writes:
    """Short write transactions, timed: the longest is how long another writer could wait."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.longest = 0.0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        started = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        self.longest = max(self.longest, time.perf_counter() - started)


def _next_index_name(name: str) -> str:
    """Index names alternate between ``x`` and ``x__b`` from one publication to the next (a
    table's indexes travel with it through the swap, and names are unique in a schema)."""
    return name[:-3] if name.endswith("__b") else f"{name}__b"


def _drop_leftovers(conn: sqlite3.Connection, writes: _Writes) -> None:
    """Staging tables an interrupted publication left behind."""
    names = [r[0] for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'"
                                        " AND (name GLOB '*__next' OR name GLOB '*__old')")]
    for name in names:
        with writes.transaction():
            conn.execute(f'DROP TABLE main."{name}"')


def _stage(conn: sqlite3.Connection, table: str, writes: _Writes) -> None:
    """main.<table>__next: the main table's definition and indexes, filled from the shadow in
    chunks of ``STAGE_ROWS`` rows, each its own short transaction."""
    sql = conn.execute("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
    indexes = conn.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ?"
                           " AND sql IS NOT NULL", (table,)).fetchall()
    with writes.transaction():
        conn.execute(_TABLE_NAME.sub(f'CREATE TABLE main."{table}__next" ', sql, count=1))
        for name, index_sql in indexes:
            head = _INDEX_HEAD.match(index_sql)
            assert head is not None, index_sql
            conn.execute(f"CREATE {head.group(1) or ''}INDEX main.{_next_index_name(name)} ON \"{table}__next\" "
                         + index_sql[head.end():])
    cols = ", ".join(_columns(conn, table))
    top = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM temp.{table}").fetchone()[0]  # noqa: S608
    for low in range(0, top, STAGE_ROWS):
        with writes.transaction():
            conn.execute(f'INSERT INTO main."{table}__next" ({cols}) SELECT {cols} FROM temp.{table}'  # noqa: S608
                         " WHERE rowid > ? AND rowid <= ? ORDER BY rowid", (low, low + STAGE_ROWS))


def _stage_column(conn: sqlite3.Connection, table: str, column: str, writes: _Writes) -> None:
    """main.<table>__<column>__next(id, value): the rows of a raw table whose derived column
    changed. Rows ingested since the snapshot are not in the shadow and keep theirs."""
    staged = f"{table}__{column}__next"
    with writes.transaction():
        conn.execute(f'CREATE TABLE main."{staged}" (id INTEGER PRIMARY KEY, value INTEGER)')
    changed = conn.execute(f"SELECT s.id, s.{column} FROM temp.{table} s JOIN main.{table} m ON m.id = s.id"  # noqa: S608
                           f" WHERE m.{column} IS NOT s.{column}").fetchall()
    for low in range(0, len(changed), STAGE_ROWS):
        with writes.transaction():
            conn.executemany(f'INSERT INTO main."{staged}" VALUES (?, ?)', changed[low:low + STAGE_ROWS])  # noqa: S608


def publish(conn: sqlite3.Connection, finish: Callable[[], Any] | None = None) -> float:
    """Make the shadows the case's analysis tables. They are first copied into staging tables
    beside the main ones in many short transactions, then swapped in by renaming, in one
    transaction that takes a moment whatever the size of the case (``finish`` runs inside it:
    warnings, the audit row); the old tables are dropped afterwards. Readers see the old
    analysis or the new one, never a mix. Returns the longest time the write lock was held."""
    writes = _Writes(conn)
    conn.execute("PRAGMA foreign_keys = OFF")    # staged tables refer to rows the swap brings in
    conn.execute("PRAGMA legacy_alter_table = ON")   # renames leave other tables' REFERENCES alone
    try:
        _drop_leftovers(conn, writes)
        for table in SWAPPED:
            _stage(conn, table, writes)
        for table, column in STAGED_COLUMNS:
            _stage_column(conn, table, column, writes)
        merge_cols = ", ".join(c for c in _columns(conn, "person_merge") if c != "id")
        with writes.transaction():
            for table in SWAPPED:
                conn.execute(f'ALTER TABLE main."{table}" RENAME TO "{table}__old"')
                conn.execute(f'ALTER TABLE main."{table}__next" RENAME TO "{table}"')
            for table, column in STAGED_COLUMNS:
                conn.execute(f'UPDATE main.{table} SET {column} = s.value FROM main."{table}__{column}__next" s'  # noqa: S608
                             f" WHERE s.id = {table}.id")
            conn.execute("DELETE FROM main.person_merge WHERE actor = ?", (ANALYZE_ACTOR,))
            conn.execute(f"INSERT INTO main.person_merge ({merge_cols}) SELECT {merge_cols}"  # noqa: S608
                         " FROM temp.person_merge WHERE actor = ? ORDER BY id", (ANALYZE_ACTOR,))
            if finish is not None:
                finish()
        _drop_leftovers(conn, writes)
    finally:
        conn.execute("PRAGMA legacy_alter_table = OFF")
        conn.execute("PRAGMA foreign_keys = ON")
        drop_shadows(conn)
    return writes.longest
