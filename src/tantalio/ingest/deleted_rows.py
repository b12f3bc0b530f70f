"""Deleted WhatsApp messages carved from ``msgstore.db`` and ``ChatStorage.sqlite`` (and their
WAL), ready to store apart from live rows (table ``recovered_record``).

Which tables and columns say what follows FORMATS.md §2–§3: Android current ``message``
(``text_data``, ``timestamp`` ms, ``chat_row_id`` → ``chat.jid_row_id`` → ``jid.raw_string``),
Android legacy ``messages`` (``data``, ``key_remote_jid``, ``remote_resource``), iOS
``ZWAMESSAGE`` (``ZTEXT``, ``ZMESSAGEDATE`` seconds since 2001, ``ZCHATSESSION`` →
``ZWACHATSESSION.ZCONTACTJID``, ``ZFROMJID``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from tantalio.ingest.base import EvidenceFile
from tantalio.ingest.carving import CarvedRow, Carver
from tantalio.ingest.context import ExhibitContext
from tantalio.ingest.sqlite_records import TableShape, Value, shape_of, wal_frames

CARVED_STORES = ("msgstore.db", "chatstorage.sqlite")
"""File names (lower case) of the message stores whose deleted rows are carved."""
APPLE_EPOCH = 978307200
ANDROID_MS = (1_230_768_000_000.0, 2_208_988_800_000.0)  # 2009 .. 2040, ms since 1970
COCOA_S = (252_460_800.0, 1_230_681_600.0)                 # 2009 .. 2040, s since 2001


@dataclass(frozen=True, slots=True)
class MessageTable:
    table: str
    text: str
    time: str
    time_range: tuple[float, float]
    key: str
    chat: str
    chat_sql: str | None  # id -> JID, when the row holds a chat id rather than the JID
    sender: str
    sender_sql: str | None


TABLES = (
    MessageTable("message", "text_data", "timestamp", ANDROID_MS, "key_id", "chat_row_id",
                 "SELECT c._id, j.raw_string FROM chat c JOIN jid j ON j._id = c.jid_row_id",
                 "sender_jid_row_id", "SELECT _id, raw_string FROM jid"),
    MessageTable("messages", "data", "timestamp", ANDROID_MS, "key_id", "key_remote_jid", None,
                 "remote_resource", None),
    MessageTable("ZWAMESSAGE", "ZTEXT", "ZMESSAGEDATE", COCOA_S, "ZSTANZAID", "ZCHATSESSION",
                 "SELECT Z_PK, ZCONTACTJID FROM ZWACHATSESSION", "ZFROMJID", None),
)


@dataclass(frozen=True, slots=True)
class DeletedMessage:
    row: CarvedRow
    chat: str | None
    sender: str | None
    time: str | None
    text: str | None
    key_id: str | None


def carve_messages(ctx: ExhibitContext, file: EvidenceFile) -> list[DeletedMessage]:
    """Deleted and superseded message rows of ``file`` (a WhatsApp message store)."""
    conn = ctx.sqlite(file)
    local = ctx.tree.local_file(file.path)
    wal = ctx.find(file.path + "-wal")
    with ExitStack() as stack:
        db = stack.enter_context(open(local if local is not None else ctx.scratch_copy(file), "rb"))  # noqa: SIM115
        wal_stream = stack.enter_context(ctx.open(wal)) if wal is not None and wal.size else None
        rows = carve_rows(conn, db, wal_stream)
    specs = {t.table: t for t in TABLES}
    resolvers: dict[str, _Resolver] = {}
    out = []
    for row in rows:
        spec = specs[row.table]
        resolver = resolvers.setdefault(row.table, _Resolver(conn, spec))
        out.append(resolver.message(row))
    return out


def carve_rows(conn: sqlite3.Connection, db: BinaryIO, wal: BinaryIO | None) -> list[CarvedRow]:
    """Message rows in ``db`` (and ``wal``) that ``conn`` (the live view of the same database)
    no longer shows, one per distinct content, in the order found."""
    tables = [t for t in TABLES if _has_table(conn, t.table)]
    shapes = [s for t in tables if (s := shape_of(conn, t.table, t.time, t.time_range, t.key)) is not None]
    if not shapes:
        return []
    roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master WHERE type='table'").fetchall())
    carver = Carver(db, shapes)
    live_pages = {p for s in shapes for p in carver.table_pages(int(roots.get(s.name) or 0))}
    found = list(carver.carve_file(live_pages))
    if wal is not None:
        frames = list(wal_frames(wal, carver.page_size))   # read and checked once, used twice
        carved = list(carver.carve_wal(frames))
        found.extend(carver.superseded(live_pages, {n for n, _, _ in frames}))
        found.extend(carved)
    kept: dict[str, CarvedRow] = {}
    for table, rows in _group(found).items():
        shape = next(s for s in shapes if s.name == table)
        for row in _not_live(conn, shape, rows):
            digest = row.content_hash()
            if digest not in kept or (kept[digest].rowid is None and row.rowid is not None):
                kept[digest] = row  # the same record seen twice: keep the first with its rowid
    return list(kept.values())


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None


def _group(rows: list[CarvedRow]) -> dict[str, list[CarvedRow]]:
    grouped: dict[str, list[CarvedRow]] = {}
    for r in rows:
        grouped.setdefault(r.table, []).append(r)
    return grouped


def _not_live(conn: sqlite3.Connection, shape: TableShape, rows: list[CarvedRow]) -> Iterator[CarvedRow]:
    """Rows the database no longer shows: copies of live rows are dropped, a live rowid with
    other values makes an old version. Live rows are looked up per carved row (by rowid, then by
    the message's key id), so a store of millions of messages is never loaded whole."""
    names = [c.name for c in shape.columns if not c.rowid_alias]
    select = ", ".join(f'"{n}"' for n in names)
    by_rowid = f'SELECT {select} FROM "{shape.name}" WHERE rowid=?'  # noqa: S608 - schema names
    key = shape.key_column if shape.key_column in names else None
    by_key = f'SELECT {select} FROM "{shape.name}" WHERE "{key}"=?' if key else ""  # noqa: S608
    contents: dict[int, set[tuple[Value, ...]]] | None = None  # every live row: only for rows without a key
    for row in rows:
        carved = tuple(row.values[n] for n in names if n in row.values)
        k = len(carved)
        if row.rowid is not None:
            live = conn.execute(by_rowid, (row.rowid,)).fetchone()
            if live is not None:
                if tuple(live[:k]) != carved:
                    yield CarvedRow(row.table, row.rowid, row.values, row.area, row.page, row.offset,
                                    row.wal_frame, "old_version")
                continue
        value = row.values.get(key) if key else None
        if value is not None:
            # the same key id lives on: a copy left by a rebalance, or a damaged remnant of it
            if conn.execute(by_key, (value,)).fetchone() is None:
                yield row
            continue
        if contents is None:
            contents = {len(names): set()}
            for live in conn.execute(f'SELECT {select} FROM "{shape.name}"'):  # noqa: S608 - schema names
                contents[len(names)].add(tuple(live))
        if k not in contents:
            contents[k] = {v[:k] for v in contents[len(names)]}
        if carved not in contents[k]:
            yield row


class _Resolver:
    """Chat and sender JIDs of carved rows, from the live tables (read once)."""

    def __init__(self, conn: sqlite3.Connection, spec: MessageTable) -> None:
        self.spec = spec
        self.chats = self._table(conn, spec.chat_sql)
        self.senders = self._table(conn, spec.sender_sql)

    @staticmethod
    def _table(conn: sqlite3.Connection, sql: str | None) -> dict[object, str] | None:
        if sql is None:
            return None
        try:
            return {k: v for k, v in conn.execute(sql) if isinstance(v, str)}
        except sqlite3.Error:
            return {}

    @staticmethod
    def _jid(table: dict[object, str] | None, key: Value) -> str | None:
        if table is None:
            return key if isinstance(key, str) else None
        return table.get(key)

    def message(self, row: CarvedRow) -> DeletedMessage:
        spec, v = self.spec, row.values
        when = v.get(spec.time)
        time = None
        if isinstance(when, int | float):
            seconds = when / 1000 if spec.time_range is ANDROID_MS else when + APPLE_EPOCH
            time = datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
        text, key = v.get(spec.text), v.get(spec.key)
        return DeletedMessage(row, self._jid(self.chats, v.get(spec.chat)), self._jid(self.senders, v.get(spec.sender)),
                              time, text if isinstance(text, str) else None, key if isinstance(key, str) else None)


def store_deleted(conn: sqlite3.Connection, exhibit: str, source_file_id: int, rows: list[DeletedMessage]) -> int:
    """Write carved rows to ``recovered_record`` (apart from live messages); a row already
    stored (same source, table and content) is not stored again. Returns rows added."""
    added = 0
    for m in rows:
        r = m.row
        cur = conn.execute(
            "INSERT OR IGNORE INTO recovered_record(exhibit_id, source_file_id, table_name, row_id, state, area, page,"
            " offset, wal_frame, chat, sender, time, text, key_id, record_values, content_hash)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (exhibit, source_file_id, r.table, r.rowid, r.state, r.area, r.page, r.offset, r.wal_frame, m.chat,
             m.sender, m.time, m.text, m.key_id,
             json.dumps({k: _plain(v) for k, v in r.values.items()}, ensure_ascii=False, sort_keys=True),
             r.content_hash()))
        added += cur.rowcount
    return added


def _plain(v: Value) -> object:
    return {"hex": v.hex()} if isinstance(v, bytes) else v
