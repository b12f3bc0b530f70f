"""Keeping the full-text index (migration 0013) in step with the case, by row-id watermark.

Ingest only appends raw rows (a source file is written in one transaction and never rewritten),
so each indexed table is followed by the highest row id already indexed: catching up is one
range query per chunk, no trigger slows ingest down, and an `analyze` re-run — which rewrites
only derived tables — leaves the index valid. Two exceptions are handled: media_item rows are
updated in place by triage (each is re-indexed when what it was built from changes), and a
deleted row (no command deletes raw rows today) is caught by counting and answered with a
rebuild of that kind.

Every chunk is its own short write transaction that re-reads the watermark inside it, so the
web app's background indexer, `tantalio search` and an ingest never index a row twice and never
hold the write lock for long.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers

from tantalio.store import CaseStore

CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class Source:
    """An append-only table indexed into search_entity, one document per row."""

    kind: str
    table: str
    sql: str                                            # rows (id, *fields) with id in (?, ?]
    body: Callable[[tuple[object, ...]], str]


def _join(row: tuple[object, ...]) -> str:
    return " ".join(str(v) for v in row[1:] if v)


def _identifier_body(row: tuple[object, ...]) -> str:
    """A phone is findable as typed in E.164 and in national form (with and without the trunk 0)."""
    _, kind, value, normalized = row
    words = [str(value), str(normalized)]
    if kind == "phone":
        digits = re.sub(r"\D", "", str(normalized))
        words.append(digits)
        try:
            number = phonenumbers.parse(str(normalized), None)
            national = str(number.national_number)
            words += [national, "0" + national]
        except phonenumbers.NumberParseException:
            pass
    return " ".join(words)


SOURCES = (
    Source("identifier", "identifier",
           "SELECT id, kind, value, normalized FROM identifier WHERE id > ? AND id <= ? ORDER BY id", _identifier_body),
    Source("chat", "chat_obs",
           "SELECT id, name, jid FROM chat_obs WHERE id > ? AND id <= ? ORDER BY id", _join),
    Source("file", "source_file",
           "SELECT id, path, sha256, md5, sha1 FROM source_file WHERE id > ? AND id <= ? ORDER BY id", _join),
    Source("attachment", "media_ref",
           "SELECT id, name, caption, path, sha256 FROM media_ref WHERE id > ? AND id <= ? ORDER BY id", _join),
)
MEDIA_FIELDS = ("sha256", "md5", "sha1", "pdq", "exif_make", "exif_model", "exif_serial", "exif_lens_serial",
                "exif_software")
_MEDIA_STAMP = "coalesce(m.triaged_at, '') || '|' || coalesce(m.md5, '') || '|' || coalesce(m.pdq, '')"


@dataclass(frozen=True, slots=True)
class Backlog:
    """Rows not yet searchable, per kind (an estimate from row ids; 0 when in step)."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def backlog(conn: sqlite3.Connection) -> Backlog:
    """Cheap: one max(rowid) per table and the media fingerprint."""
    marks = {k: m for k, m in conn.execute("SELECT kind, mark FROM search_state")}
    rows: dict[str, int] = {}
    for kind, table in (("message", "message"), *((s.kind, s.table) for s in SOURCES)):
        top = conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]  # noqa: S608 - our constants
        rows[kind] = max(0, int(top) - int(marks.get(kind, 0)))
    stamp = conn.execute("SELECT stamp FROM search_state WHERE kind='media'").fetchone()
    rows["media"] = 0 if stamp is not None and stamp[0] == _media_fingerprint(conn) else 1
    return Backlog(rows)


def refresh(store: CaseStore, *, max_rows: int | None = None, chunk: int = CHUNK,
            check_deletions: bool = False) -> int:
    """Index what was added since the last call; returns the number of rows indexed.

    `max_rows` bounds the work of one call (a web request indexes a small backlog itself and
    leaves a large one to the background indexer); `check_deletions` also counts rows to catch
    a deleted one (a scan per table, so only the background indexer and the CLI ask for it).
    """
    done = 0
    budget = max_rows if max_rows is not None else float("inf")
    if check_deletions:
        _rebuild_where_rows_vanished(store)
    for step in (_index_messages, *(_entity_indexer(s) for s in SOURCES)):
        while done < budget:
            n = step(store, int(min(chunk, budget - done)))
            done += n
            if n == 0:
                break
    if done < budget:
        done += _index_media(store)
    return done


def rebuild(store: CaseStore) -> int:
    """Drop the whole index and build it again."""
    with store.transaction() as conn:
        conn.execute("INSERT INTO search_message(search_message) VALUES ('delete-all')")
        conn.execute("DELETE FROM search_entity")
        conn.execute("DELETE FROM search_doc")
        conn.execute("DELETE FROM search_state")
    return refresh(store)


def _state(conn: sqlite3.Connection, kind: str) -> tuple[int, int]:
    row = conn.execute("SELECT mark, rows FROM search_state WHERE kind=?", (kind,)).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _set_state(conn: sqlite3.Connection, kind: str, mark: int, rows: int) -> None:
    conn.execute("INSERT INTO search_state(kind, mark, rows) VALUES (?, ?, ?) "
                 "ON CONFLICT(kind) DO UPDATE SET mark=excluded.mark, rows=excluded.rows", (kind, mark, rows))


def _next_range(conn: sqlite3.Connection, table: str, mark: int, chunk: int) -> tuple[int, int]:
    """(upper id, row count) of the next chunk of rows after `mark`; upper == mark when none."""
    row = conn.execute(
        f"SELECT max(id), count(*) FROM (SELECT id FROM {table} WHERE id > ? ORDER BY id LIMIT ?)",  # noqa: S608
        (mark, chunk)).fetchone()
    return (int(row[0]), int(row[1])) if row[0] is not None else (mark, 0)


def _index_messages(store: CaseStore, chunk: int) -> int:
    with store.transaction() as conn:
        mark, rows = _state(conn, "message")
        upper, n = _next_range(conn, "message", mark, chunk)
        if n:
            conn.execute("INSERT INTO search_message(rowid, text) SELECT id, text FROM message "
                         "WHERE id > ? AND id <= ? ORDER BY id", (mark, upper))
            _set_state(conn, "message", upper, rows + n)
    return n


def _entity_indexer(source: Source) -> Callable[[CaseStore, int], int]:
    def step(store: CaseStore, chunk: int) -> int:
        with store.transaction() as conn:
            mark, rows = _state(conn, source.kind)
            upper, n = _next_range(conn, source.table, mark, chunk)
            if n:
                _add_docs(conn, source.kind, ((str(r[0]), source.body(r), None)
                                              for r in conn.execute(source.sql, (mark, upper))))
                _set_state(conn, source.kind, upper, rows + n)
        return n

    return step


def _add_docs(conn: sqlite3.Connection, kind: str, docs: Iterable[tuple[str, str, str | None]]) -> None:
    for ref, body, stamp in docs:
        doc = conn.execute("INSERT INTO search_doc(kind, ref, stamp) VALUES (?, ?, ?)", (kind, ref, stamp)).lastrowid
        conn.execute("INSERT INTO search_entity(rowid, body) VALUES (?, ?)", (doc, body))


def _media_fingerprint(conn: sqlite3.Connection) -> str:
    count, triaged, md5s, pdqs = conn.execute(
        "SELECT count(*), max(triaged_at), count(md5), count(pdq) FROM media_item").fetchone()
    return f"{count}|{triaged}|{md5s}|{pdqs}"


def _index_media(store: CaseStore) -> int:
    """Media items are updated in place by triage: (re-)index those whose stamp changed."""
    conn = store.conn
    fingerprint = _media_fingerprint(conn)
    row = conn.execute("SELECT stamp FROM search_state WHERE kind='media'").fetchone()
    if row is not None and row[0] == fingerprint:
        return 0
    with store.transaction() as conn:
        changed = conn.execute(
            f"SELECT m.sha256, {', '.join('m.' + f for f in MEDIA_FIELDS[1:])}, {_MEDIA_STAMP}, d.id "  # noqa: S608
            "FROM media_item m LEFT JOIN search_doc d ON d.kind='media' AND d.ref=m.sha256 "
            f"WHERE d.id IS NULL OR d.stamp IS NOT {_MEDIA_STAMP}").fetchall()
        for *_, doc in changed:
            if doc is not None:
                conn.execute("DELETE FROM search_entity WHERE rowid=?", (doc,))
                conn.execute("DELETE FROM search_doc WHERE id=?", (doc,))
        _add_docs(conn, "media", ((f[0], " ".join(str(v) for v in f if v), stamp) for *f, stamp, _ in changed))
        conn.execute("INSERT INTO search_state(kind, stamp) VALUES ('media', ?) "
                     "ON CONFLICT(kind) DO UPDATE SET stamp=excluded.stamp", (fingerprint,))
    return len(changed)


def _rebuild_where_rows_vanished(store: CaseStore) -> None:
    conn = store.conn
    for kind, table in (("message", "message"), *((s.kind, s.table) for s in SOURCES)):
        mark, rows = _state(conn, kind)
        present = conn.execute(f"SELECT count(*) FROM {table} WHERE id <= ?", (mark,)).fetchone()[0]  # noqa: S608
        if present == rows:
            continue
        with store.transaction() as conn:
            if kind == "message":
                conn.execute("INSERT INTO search_message(search_message) VALUES ('rebuild')")
                top = conn.execute("SELECT coalesce(max(id), 0), count(*) FROM message").fetchone()
                _set_state(conn, kind, int(top[0]), int(top[1]))
            else:
                conn.execute("DELETE FROM search_entity WHERE rowid IN (SELECT id FROM search_doc WHERE kind=?)",
                             (kind,))
                conn.execute("DELETE FROM search_doc WHERE kind=?", (kind,))
                _set_state(conn, kind, 0, 0)
