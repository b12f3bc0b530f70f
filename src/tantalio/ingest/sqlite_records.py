"""The SQLite file format as carving and salvage read it: record headers and values, table
shapes from the live schema, WAL frames with their commit state.

Format reference: https://www.sqlite.org/fileformat2.html (records §2.1, b-tree pages §1.6,
WAL §4).
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

SQLITE_MAGIC = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""


def sqlite_page_size(head: bytes) -> int:
    """The page size an SQLite header states (bytes 16-17; the value 1 means 65536)."""
    size = int.from_bytes(head[16:18], "big")
    return 65536 if size == 1 else size

LEAF_TABLE = 0x0D
INTERIOR_TABLE = 0x05
WAL_MAGIC = (0x377F0682, 0x377F0683)
ENCODINGS = {1: "utf-8", 2: "utf-16-le", 3: "utf-16-be"}

Value = int | float | str | bytes | None


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    accepts: frozenset[int] | None  # serial types allowed (None: any); text/blob sizes folded to 12/13
    rowid_alias: bool = False


@dataclass(frozen=True, slots=True)
class TableShape:
    name: str
    columns: tuple[Column, ...]
    min_columns: int  # rows written before ALTER TABLE ADD COLUMN carry fewer values
    time_column: str | None = None
    time_range: tuple[float, float] | None = None  # plausible values of the time column
    key_column: str | None = None  # unique per record (a message's key id): a remnant sharing it is a copy

    def index(self, column: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.name == column)

INTS = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
TEXTS = frozenset({0, 12, 13})


def shape_of(conn: sqlite3.Connection, table: str, time_column: str | None = None,
             time_range: tuple[float, float] | None = None, key_column: str | None = None) -> TableShape | None:
    """The record shape of ``table`` from the live schema (None when the table is absent)."""
    info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    if not info:
        return None
    pk = [r for r in info if r[5]]
    columns = []
    for _cid, name, decl, notnull, _default, ispk in info:
        decl = (decl or "").upper()
        alias = bool(ispk) and len(pk) == 1 and decl == "INTEGER"
        if alias:
            accepts: frozenset[int] | None = frozenset({0})
        elif "INT" in decl or any(k in decl for k in ("REAL", "FLOA", "DOUB", "NUM", "TIMESTAMP", "BOOL", "DATE")):
            accepts = INTS
        elif any(k in decl for k in ("CHAR", "CLOB", "TEXT")):
            accepts = TEXTS
        else:
            accepts = None
        if accepts is not None and notnull and not alias:
            accepts = accepts - {0}
        columns.append(Column(name, accepts, alias))
    # the first NOT NULL column after the key must be present: rows never carry fewer values
    required = max((i + 1 for i, r in enumerate(info) if r[3]), default=1)
    return TableShape(table, tuple(columns), max(required, min(4, len(columns))), time_column, time_range,
                      key_column)


def varint(buf: bytes, i: int, end: int) -> tuple[int, int]:
    """(value, bytes used); raises IndexError past ``end``."""
    value = 0
    for n in range(8):
        if i + n >= end:
            raise IndexError
        b = buf[i + n]
        value = (value << 7) | (b & 0x7F)
        if b < 0x80:
            return value, n + 1
    if i + 8 >= end:
        raise IndexError
    return (value << 8) | buf[i + 8], 9


def _header(buf: bytes, i: int, end: int, least: int, most: int, columns: int) -> tuple[list[int], int] | None:
    """The serial types of the record header at ``i`` (its size between ``least`` and ``most``,
    at most ``columns`` types) and where the body starts."""
    try:
        header, used = varint(buf, i, end)
        if header < least or header > most or i + header > end:
            return None
        j, types = i + used, []
        while j < i + header:
            t, n = varint(buf, j, end)
            j += n
            types.append(t)
            if len(types) > columns:
                return None
    except IndexError:
        return None
    return (types, j) if j == i + header else None


_SIZES = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8, 8: 0, 9: 0}


def _size(t: int) -> int:
    if t in _SIZES:
        return _SIZES[t]
    if t >= 12:
        return (t - 12) // 2 if t % 2 == 0 else (t - 13) // 2
    return -1  # 10, 11: reserved, never in a record


class Decoder:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding

    def record(self, buf: bytes, i: int, end: int, shape: TableShape) -> tuple[list[Value], int] | None:
        """The record at ``buf[i:]`` if it fits ``shape``: (values, end offset)."""
        ncols = len(shape.columns)
        found = _header(buf, i, end, 1 + shape.min_columns, 9 * ncols + 9, ncols)
        if found is None or len(found[0]) < shape.min_columns:
            return None
        return self._body(buf, found[1], end, shape, found[0])

    def generic(self, buf: bytes, i: int, end: int) -> tuple[list[Value], int] | None:
        """Any well-formed record at ``buf[i:end]`` (no table shape to check it against)."""
        found = _header(buf, i, end, 1, end - i, end - i)
        return None if found is None else self._body(buf, found[1], end, _ANY, found[0])

    def headless(self, buf: bytes, i: int, end: int, shape: TableShape, skip: int) -> tuple[list[Value], int] | None:
        """A record whose header size and first ``skip`` serial types were overwritten (by the
        4-byte header of a free block): the remaining types start at ``i``. Only columns that
        are always NULL in a record (the rowid alias) can be missing."""
        if any(c.accepts != frozenset({0}) for c in shape.columns[:skip]):
            return None
        types, j = [0] * skip, i
        try:
            while len(types) < len(shape.columns):
                t, n = varint(buf, j, end)
                j += n
                types.append(t)
        except IndexError:
            return None
        return self._body(buf, j, end, shape, types)

    def _body(self, buf: bytes, j: int, end: int, shape: TableShape, types: list[int]) -> tuple[list[Value], int] | None:
        body = 0
        for k, t in enumerate(types):
            size = _size(t)
            if size < 0:
                return None
            if k < len(shape.columns):
                accepts = shape.columns[k].accepts
                if accepts is not None and (t if t < 12 else 12 + (t & 1)) not in accepts:
                    return None
            body += size
        if j + body > end:
            return None
        values: list[Value] = []
        for t in types:
            size = _size(t)
            raw = buf[j:j + size]
            j += size
            value = self._value(t, raw)
            if value is _BAD:
                return None
            values.append(value)  # type: ignore[arg-type]
        if shape.time_column is not None and shape.time_range is not None:
            k = shape.index(shape.time_column)
            when = values[k] if k < len(values) else None
            # a message always has its time: the strongest check that a record was read in step
            if not isinstance(when, int | float) or not shape.time_range[0] <= when <= shape.time_range[1]:
                return None
        return values, j

    def _value(self, t: int, raw: bytes) -> object:
        if t == 0:
            return None
        if 1 <= t <= 6:
            return int.from_bytes(raw, "big", signed=True)
        if t == 7:
            return struct.unpack(">d", raw)[0]
        if t in (8, 9):
            return t - 8
        if t % 2 == 0:
            return bytes(raw)
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError:
            return _BAD


_BAD = object()
_ANY = TableShape("", (), 0)


def wal_frames(wal: BinaryIO, page_size: int) -> Iterator[tuple[int, bytes, bool]]:
    """(page number, page bytes, part of a committed transaction) of every frame in a WAL."""
    head = wal.read(32)
    if len(head) < 32 or int.from_bytes(head[:4], "big") not in WAL_MAGIC:
        return
    if int.from_bytes(head[8:12], "big") != page_size:
        return
    order = ">" if int.from_bytes(head[:4], "big") & 1 else "<"
    salts = head[16:24]
    s1, s2 = _checksum(head[:24], order, 0, 0)
    valid = s1 == int.from_bytes(head[24:28], "big") and s2 == int.from_bytes(head[28:32], "big")
    pending: list[tuple[int, bytes]] = []
    while True:
        header = wal.read(24)
        data = wal.read(page_size)
        if len(header) < 24 or len(data) < page_size:
            break
        number = int.from_bytes(header[:4], "big")
        if valid and header[8:16] == salts:
            s1, s2 = _checksum(header[:8] + data, order, s1, s2)
            valid = s1 == int.from_bytes(header[16:20], "big") and s2 == int.from_bytes(header[20:24], "big")
        else:
            valid = False
        pending.append((number, data))
        if valid and int.from_bytes(header[4:8], "big"):  # a commit frame: its transaction is in
            for n, d in pending:
                yield n, d, True
            pending.clear()
    for n, d in pending:
        yield n, d, False


def _checksum(data: bytes, order: str, s1: int, s2: int) -> tuple[int, int]:
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    for k in range(0, len(words), 2):
        s1 = (s1 + words[k] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[k + 1] + s1) & 0xFFFFFFFF
    return s1, s2
