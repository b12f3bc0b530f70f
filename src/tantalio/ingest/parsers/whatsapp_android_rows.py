"""Shared reading state for one msgstore.db: which tables and columns exist, JID lookup
(with ``@lid`` identities resolved through ``jid_map``), time and hash decoding, and where a
media file named in the DB sits in the exhibit.

Columns are looked up with ``PRAGMA table_info`` and queried only when present: WhatsApp
adds and drops columns between versions, and a missing one must cost a field, not the file.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from tantalio.ingest.base import EvidenceFile, ParseContext, Sink
from tantalio.ingest.parsers.jids import jid_party
from tantalio.model import MediaSeenAs, Party, SourceRef

# Android keeps media relative to the WhatsApp folder (``WhatsApp Business`` for the business
# app); extractions put that folder at one of these places (a full-file-system image has shared
# storage at ``data/media/0``). Preferred in this order when one relative path matches several.
MEDIA_ROOTS = (
    "sdcard/whatsapp/",
    "sdcard/android/media/com.whatsapp/whatsapp/",
    "data/media/0/android/media/com.whatsapp/whatsapp/",
    "data/media/0/whatsapp/",
    "android/media/com.whatsapp/whatsapp/",
    "whatsapp/",
    "android/media/com.whatsapp.w4b/whatsapp business/",
    "whatsapp business/",
)
_APP_FOLDERS = ("/whatsapp business/", "/whatsapp/")
DB_ERRORS = (sqlite3.DatabaseError, UnicodeDecodeError)
"""What a damaged database raises while being read (SQLite reports corruption as
``DatabaseError``; a mangled schema can also yield undecodable error text)."""
_EARLIEST_MS = 946_684_800_000  # 2000-01-01: WhatsApp did not exist before
_LATEST_MS = 4_102_444_800_000  # 2100-01-01


class MediaLocator:
    """Finds the exhibit file behind a path stored in a WhatsApp database.

    The exhibit's file names are indexed once (by lower-case base name); each lookup then
    compares only the few files sharing that name."""

    def __init__(self, files: Iterable[EvidenceFile]) -> None:
        self._by_name: dict[str, list[str]] = defaultdict(list)
        for f in files:
            self._by_name[f.name.lower()].append(f.path)

    def find(self, stored: str) -> str | None:
        rel = stored.replace("\\", "/").strip().lstrip("/")
        low = rel.lower()
        # absolute device paths (/storage/emulated/0/WhatsApp/Media/...): keep the part
        # below the WhatsApp folder, which is what extractions share
        for folder in _APP_FOLDERS:
            cut = low.rfind(folder)
            if cut >= 0:
                rel, low = rel[cut + len(folder):], low[cut + len(folder):]
                break
        if not low:
            return None
        name = low.rsplit("/", 1)[-1]
        matches = [p for p in self._by_name.get(name, ())
                   if p.lower() == low or p.lower().endswith(("/" + low, "!/" + low))]
        if not matches:
            return None
        return min(matches, key=lambda p: (self._root_rank(p, len(low)), len(p), p))

    def find_by_name(self, name: str) -> str | None:
        """A file under a ``WhatsApp/Media`` folder with this exact name, when only one has it
        (legacy rows keep the name but not the folder)."""
        low = name.strip().lower()
        matches = [p for p in self._by_name.get(low, ())
                   if "whatsapp/media/" in p.lower() or "whatsapp business/media/" in p.lower()]
        return matches[0] if len(matches) == 1 else None

    @staticmethod
    def _root_rank(path: str, rel_len: int) -> int:
        prefix = path[: len(path) - rel_len].lower()
        for i, root in enumerate(MEDIA_ROOTS):
            if prefix.endswith(root):
                return i
        return len(MEDIA_ROOTS)


class DbReading:
    """One msgstore.db being read: connection, provenance and the lookups every table needs."""

    def __init__(self, ctx: ParseContext, file: EvidenceFile, sink: Sink, conn: sqlite3.Connection) -> None:
        self.ctx = ctx
        self.file = file
        self.sink = sink
        self.conn = conn
        self.ref = ctx.ref(file)
        # a damaged or hostile row may hold invalid UTF-8: keep it readable (U+FFFD marks the
        # bad bytes) rather than let one row end the table
        conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
        self.tables = {str(r[0]) for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        self._columns: dict[str, set[str]] = {}
        self._jids: dict[int, str] = {}
        self._lid_to_jid: dict[int, int] = {}
        self._media: MediaLocator | None = None
        self.chats_seen: set[str] = set()

    # -- structure ---------------------------------------------------------------------------
    def columns(self, table: str) -> set[str]:
        if table not in self._columns:
            if table not in self.tables:
                self._columns[table] = set()
            else:
                quoted = table.replace('"', '""')
                self._columns[table] = {str(r[1]) for r in self.conn.execute(f'PRAGMA table_info("{quoted}")')}
        return self._columns[table]

    def select_list(self, table: str, alias: str, wanted: Iterable[str], prefix: str = "") -> str:
        """``alias.col AS prefixcol`` for each wanted column, ``NULL AS prefixcol`` when absent.
        Names come from our own lists, checked against PRAGMA output: nothing from the rows."""
        have = self.columns(table)
        return ", ".join(f'{alias}."{c}" AS {prefix}{c}' if c in have else f"NULL AS {prefix}{c}" for c in wanted)

    def rows(self, sql: str, what: str) -> Iterator[sqlite3.Row]:
        """Rows of ``sql``; a corrupt page mid-table ends this table with a warning, not the file."""
        count = 0
        try:
            cur = self.conn.execute(sql)
            cur.row_factory = sqlite3.Row
            for row in cur:
                count += 1
                yield row
        except DB_ERRORS as e:
            self.warn(what, f"stopped reading {what} after {count} rows: {e}")

    def warn(self, row: str, message: str) -> None:
        self.sink.warn(self.ref.at_row(row), message)

    def at(self, row: str) -> SourceRef:
        return self.ref.at_row(row)

    # -- identities ----------------------------------------------------------------------------
    def load_jids(self) -> None:
        if "jid" not in self.tables:
            return
        sel = self.select_list("jid", "j", ("_id", "user", "server", "raw_string"))
        for r in self.rows(f"SELECT {sel} FROM jid j", "jid"):  # noqa: S608 - see select_list
            raw = r["raw_string"]
            if not isinstance(raw, str) or not raw:
                user, server = r["user"], r["server"]
                raw = f"{user}@{server}" if isinstance(user, str) and isinstance(server, str) else None
            if isinstance(r["_id"], int) and raw:
                self._jids[r["_id"]] = raw
        if {"lid_row_id", "jid_row_id"} <= self.columns("jid_map"):
            for r in self.rows("SELECT lid_row_id, jid_row_id FROM jid_map", "jid_map"):
                if isinstance(r["lid_row_id"], int) and isinstance(r["jid_row_id"], int):
                    self._lid_to_jid[r["lid_row_id"]] = r["jid_row_id"]

    def jid(self, row_id: object) -> str | None:
        """The JID of a ``jid._id``, a ``@lid`` replaced by the phone JID it maps to."""
        if not isinstance(row_id, int) or row_id <= 0:
            return None
        mapped = self._lid_to_jid.get(row_id)
        if mapped is not None and mapped in self._jids:
            return self._jids[mapped]
        return self._jids.get(row_id)

    def party(self, row_id: object) -> Party | None:
        raw = self.jid(row_id)
        return jid_party(raw) if raw else None

    # -- values --------------------------------------------------------------------------------
    def time_ms(self, value: object, row: str) -> datetime | None:
        if value is None or value == 0:
            return None
        try:
            ms = int(value) if isinstance(value, int | float | str) else None
        except ValueError:
            ms = None
        if ms is None or not _EARLIEST_MS <= ms <= _LATEST_MS:
            self.warn(row, f"timestamp {value!r} is not milliseconds since 1970 in a plausible range")
            return None
        return datetime.fromtimestamp(ms // 1000, UTC) + timedelta(milliseconds=ms % 1000)

    def media_sha256(self, value: object, row: str) -> str | None:
        """Hex SHA-256 of WhatsApp's base64 ``file_hash``; a malformed one is reported."""
        if value is None or value == "":
            return None
        try:
            raw = base64.b64decode(value, validate=True) if isinstance(value, str | bytes) else b""
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            self.warn(row, f"media hash {value!r} is not a base64 SHA-256 (32 bytes)")
            return None
        return raw.hex()

    def media_path(self, stored: object) -> str | None:
        if not isinstance(stored, str) or not stored.strip():
            return None
        return self.locator().find(stored)

    def locator(self) -> MediaLocator:
        if self._media is None:
            self._media = MediaLocator(self.ctx.files())
        return self._media


def raw_text(value: object) -> str:
    """A stored value as the text kept beside a decoded one ('' when NULL)."""
    return "" if value is None else str(value)


def text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def media_seen_as(path: str | None, sha256: str | None) -> MediaSeenAs:
    """How a DB media reference was seen: the file itself, only the app's hash, or neither."""
    return "file" if path else "db_hash" if sha256 else "omitted"
