"""Deleted message rows carved from message stores (``recovered_record``, issue 17 item 4), read
for reports and the web UI: always apart from live messages, never counted in a figure.

Ingest carves them from free pages, free blocks and unallocated space inside pages, old page
versions and WAL frames of ``msgstore.db`` and ``ChatStorage.sqlite``
(:mod:`tantalio.ingest.deleted_rows`) and keeps the JIDs as the row recorded them. Here a row is
tied to a person the way the apps write senders (FORMATS.md §2-3):

* its sender JID, when that JID is an identifier of a resolved person;
* a row the device owner sent (``from_me`` / ``key_from_me`` / ``ZISFROMME`` set): the person
  who owns the exhibit;
* an incoming row of a one-to-one chat with no sender (Android writes none there): the chat's
  other party.

Its chat JID names a group when a live chat observation has that JID. Nothing here writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tantalio.identity import identifier_for, jid_user
from tantalio.model import Party
from tantalio.network.case_sections import owner_persons
from tantalio.report.safe_csv import csv_text

FROM_ME_COLUMNS = {"message": "from_me", "messages": "key_from_me", "ZWAMESSAGE": "ZISFROMME"}
USER_SERVERS = ("s.whatsapp.net", "c.us", "lid")
STATES = ("deleted", "old_version")
AREAS = ("freelist", "freeblock", "unallocated", "superseded", "wal", "wal_uncommitted")
CSV_COLUMNS = ("exhibit", "file", "file_sha256", "state", "area", "page", "offset", "wal_frame", "table", "rowid",
               "key_id", "chat", "group", "sender", "person", "from_me", "time", "text")

_SELECT = ("SELECT r.id, r.exhibit_id, s.path, s.sha256, r.table_name, r.row_id, r.state, r.area, r.page, r.offset,"
           " r.wal_frame, r.chat, r.sender, r.time, r.text, r.key_id, r.record_values"
           " FROM recovered_record r JOIN source_file s ON s.id = r.source_file_id")
_ORDER = " ORDER BY r.exhibit_id, s.path, r.area, r.page, r.offset, r.content_hash"


@dataclass(frozen=True, slots=True)
class RecoveredRow:
    """One carved row, with where it was found and whom it resolves to."""

    exhibit: str
    path: str
    file_sha256: str
    table: str
    rowid: int | None
    state: str                     # deleted | old_version
    area: str                      # freelist | freeblock | unallocated | superseded | wal | wal_uncommitted
    page: int
    offset: int
    wal_frame: int | None
    chat: str | None               # the chat's JID as recorded
    group: str | None              # its chat label, when a live chat has that JID
    sender: str | None             # the sender's JID as recorded
    person: str | None             # the person the row resolves to (see the module doc)
    from_me: bool | None
    time: str | None
    text: str | None
    key_id: str | None


@dataclass(frozen=True, slots=True)
class FileCount:
    """Recovered rows of one evidence file, by state and by where they were found."""

    exhibit: str
    path: str
    total: int
    states: dict[str, int] = field(default_factory=dict)
    areas: dict[str, int] = field(default_factory=dict)
    attributed: int | None = None  # rows that resolve to a person (None: not counted)


@dataclass(frozen=True, slots=True)
class SalvagedFile:
    """A damaged database whose live rows were read from a recovered copy (``source_file.salvage``):
    its messages are live rows, counted in the figures, and marked ``message.recovery``."""

    exhibit: str
    path: str
    how: str                       # as ingest recorded it, e.g. "sqlite3 .recover: <integrity_check>"
    messages: int                  # live message rows read from the recovered copy


def salvaged_files(conn: sqlite3.Connection) -> list[SalvagedFile]:
    """Evidence databases read through SQLite's recovery, by exhibit and path."""
    return [SalvagedFile(ex, path, how, n) for ex, path, how, n in conn.execute(
        "SELECT s.exhibit_id, s.path, s.salvage, (SELECT count(*) FROM message m WHERE m.source_file_id = s.id "
        "AND m.recovery IS NOT NULL) FROM source_file s WHERE s.salvage IS NOT NULL ORDER BY s.exhibit_id, s.path")]


def salvaged_messages(conn: sqlite3.Connection, ids: list[int]) -> set[int]:
    """Which of the message ``ids`` were read from a recovered copy of a damaged database."""
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update(i for (i,) in conn.execute(
            f"SELECT id FROM message WHERE recovery IS NOT NULL AND id IN ({','.join('?' * len(chunk))})",  # noqa: S608
            chunk))
    return found


class RecoveredRecords:
    """Reads ``recovered_record`` of one case (one instance per report run or request)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='recovered_record'"
                                   ).fetchone() is not None
        self._owners: dict[str, int] | None = None
        self._jids: dict[str, int | None] = {}
        self._chats: dict[str, str | None] = {}
        self._labels: dict[int, str] | None = None
        self._by_person: dict[int, list[int]] | None = None
        self._tied: Counter[tuple[str, str]] = Counter()   # rows tied to a person, per exhibit and file

    # -- resolution -----------------------------------------------------------------------------
    def _person_of_jid(self, jid: str) -> int | None:
        if jid not in self._jids:
            key = identifier_for(Party("jid", jid), "", None, None)
            row = self.conn.execute("SELECT person_id FROM identifier WHERE kind=? AND normalized=? AND scope=? "
                                    "AND context=?", (key.kind, key.normalized, key.scope, key.context)).fetchone()
            self._jids[jid] = int(row[0]) if row and row[0] is not None else None
        return self._jids[jid]

    def _group_of_jid(self, jid: str) -> str | None:
        if jid not in self._chats:
            row = self.conn.execute("SELECT c.label FROM chat_obs o JOIN chat c ON c.id = o.chat_id "
                                    "WHERE lower(o.jid) = lower(?) ORDER BY o.id LIMIT 1", (jid,)).fetchone()
            self._chats[jid] = row[0] if row else None
        return self._chats[jid]

    def _label(self, person_id: int | None) -> str | None:
        if person_id is None:
            return None
        if self._labels is None:
            self._labels = dict(self.conn.execute("SELECT id, label FROM person"))
        return self._labels.get(person_id)

    def _person(self, exhibit: str, chat: str | None, sender: str | None, from_me: bool | None) -> int | None:
        if sender:
            found = self._person_of_jid(sender)
            if found is not None:
                return found
        if from_me:
            if self._owners is None:
                self._owners = owner_persons(self.conn)
            return self._owners.get(exhibit)
        if not sender and from_me is not None and chat and jid_user(chat)[1] in USER_SERVERS:
            return self._person_of_jid(chat)      # an incoming one-to-one message: the chat partner
        return None

    def resolve(self, exhibit: str, chat: str | None, sender: str | None, from_me: bool | None
                ) -> tuple[str | None, str | None]:
        """The person label and the group label a row resolves to (None where it does not)."""
        return self._label(self._person(exhibit, chat, sender, from_me)), self._group_of_jid(chat) if chat else None

    def _row(self, raw: tuple[Any, ...]) -> RecoveredRow:
        (_, exhibit, path, sha, table, rowid, state, area, page, offset, wal_frame, chat, sender, time, text, key_id,
         values) = raw
        from_me = _from_me(table, values)
        pid = self._person(exhibit, chat, sender, from_me)
        return RecoveredRow(exhibit, path, sha, table, rowid, state, area, page, offset, wal_frame, chat,
                            self._group_of_jid(chat) if chat else None, sender, self._label(pid), from_me, time,
                            text, key_id)

    # -- reading ---------------------------------------------------------------------------------
    def rows(self) -> Iterator[RecoveredRow]:
        """Every recovered row of the case, by exhibit, file and place in the file."""
        if not self.exists:
            return
        for raw in self.conn.execute(_SELECT + _ORDER):
            yield self._row(raw)

    def _person_index(self) -> dict[int, list[int]]:
        """Recovered row ids by the person they resolve to: one pass over the table per instance,
        so a report run of many dossiers reads it once."""
        if self._by_person is None:
            self._by_person = defaultdict(list)
            self._tied = Counter()
            for rid, exhibit, path, table, chat, sender, values in self.conn.execute(
                    "SELECT r.id, r.exhibit_id, s.path, r.table_name, r.chat, r.sender, r.record_values "
                    "FROM recovered_record r JOIN source_file s ON s.id = r.source_file_id ORDER BY r.id"):
                pid = self._person(exhibit, chat, sender, _from_me(table, values))
                if pid is not None:
                    self._by_person[pid].append(rid)
                    self._tied[(exhibit, path)] += 1
        return self._by_person

    def of_person(self, person_id: int | None) -> list[RecoveredRow]:
        """The rows that resolve to ``person_id``, oldest first (rows without a time last)."""
        if person_id is None or not self.exists:
            return []
        ids = self._person_index().get(person_id, [])
        found = [self._row(raw) for start in range(0, len(ids), 500) for raw in self.conn.execute(
            _SELECT + f" WHERE r.id IN ({','.join('?' * len(ids[start:start + 500]))})", ids[start:start + 500])]
        return sorted(found, key=lambda r: (r.time is None, r.time or "", r.exhibit, r.path, r.page, r.offset,
                                            r.wal_frame or 0, r.area, r.text or ""))

    def by_file(self, attributed: bool = True) -> list[FileCount]:
        """Counts per exhibit and file, by state and area; with ``attributed``, also how many rows
        resolve to a person (one pass over every row, shared with :meth:`of_person`)."""
        if not self.exists:
            return []
        states: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        areas: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for exhibit, path, state, area, n in self.conn.execute(
                "SELECT r.exhibit_id, s.path, r.state, r.area, count(*) FROM recovered_record r "
                "JOIN source_file s ON s.id = r.source_file_id GROUP BY 1, 2, 3, 4"):
            states[(exhibit, path)][state] += n
            areas[(exhibit, path)][area] += n
        if attributed:
            self._person_index()
        tied = self._tied
        return [FileCount(ex, path, sum(states[(ex, path)].values()), _ordered(states[(ex, path)], STATES),
                          _ordered(areas[(ex, path)], AREAS), tied[(ex, path)] if attributed else None)
                for ex, path in sorted(states)]

    def csv(self, synthetic: bool) -> str:
        """``recovered-deleted.csv``: every row, cells neutralised against spreadsheet formulas."""
        out: list[list[object]] = [["# SYNTHETIC DEMO DATA"]] if synthetic else []
        out.append(list(CSV_COLUMNS))
        for r in self.rows():
            out.append([r.exhibit, r.path, r.file_sha256, r.state, r.area, r.page, r.offset, r.wal_frame, r.table,
                        r.rowid, r.key_id, r.chat, r.group, r.sender, r.person, r.from_me, r.time, r.text])
        return csv_text(out)


def _from_me(table: str, values: object) -> bool | None:
    column = FROM_ME_COLUMNS.get(table)
    if column is None or not isinstance(values, str):
        return None
    try:
        value = json.loads(values).get(column)
    except (ValueError, AttributeError):
        return None
    return bool(value) if isinstance(value, int) else None


def _ordered(counts: Counter[str], known: tuple[str, ...]) -> dict[str, int]:
    return {k: counts[k] for k in (*known, *sorted(set(counts) - set(known))) if counts[k]}


def from_me_sql(alias: str = "r") -> str:
    """SQL for a recovered row's "from me" flag (1, 0 or NULL), from its carved values."""
    cases = " ".join(f"WHEN '{table}' THEN json_extract({alias}.record_values, '$.{column}')"
                     for table, column in FROM_ME_COLUMNS.items())
    return f"(CASE WHEN json_valid({alias}.record_values) THEN CASE {alias}.table_name {cases} END END)"


# -- the web UI's table (web/data/table_specs.py) ------------------------------------------------------

WEB_FROM = "FROM recovered_record r JOIN source_file s ON s.id = r.source_file_id"
"""The web table's rows: one per carved row, with the evidence file it was carved from."""


def from_me_words(alias: str = "r") -> str:
    """SQL for the web's "sent by the device owner" cell: 'yes', 'no' or NULL."""
    return f"(CASE {from_me_sql(alias)} WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END)"


def enrich_web(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    """Fill ``person`` and ``group`` of a page of web rows (the rules of the module doc)."""
    records = RecoveredRecords(conn)
    for row in rows:
        from_me = {"yes": True, "no": False}.get(row.get("from_me") or "")
        row["person"], row["group"] = records.resolve(row["exhibit"], row.get("chat"), row.get("sender"), from_me)
