"""Rows of a damaged SQLite database, read page by page into a new database.

The fallback for :mod:`sqlite_salvage` where the ``sqlite3`` tool's ``.recover`` cannot run:
Debian 12's ``sqlite3`` 3.40 is built without the ``sqlite_dbpage`` virtual table that
``.recover`` needs, and answers "SQL logic error" on every database. This does what
``.recover`` does, for rowid tables: every table's b-tree is walked from its root page (pages
that make no sense are skipped, not trusted), each cell whose payload length matches its record
is copied with its rowid into the same table of a fresh database, and table leaf pages that no
table reaches (their parent was damaged) go to ``lost_and_found`` with their page number.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from tantalio.ingest.carving import Carver
from tantalio.ingest.sqlite_records import INTERIOR_TABLE, LEAF_TABLE, Decoder, Value, varint

MAX_OVERFLOW_PAGES = 100_000


class PageSalvage:
    def __init__(self, carver: Carver) -> None:
        self.carver = carver
        self.decoder: Decoder = carver.decoder
        self.usable = carver.usable
        self.reached: set[int] = set()
        self.skipped_pages = 0

    def rows(self, root: int) -> Iterator[tuple[int, list[Value]]]:
        """(rowid, values) of every sound cell of the table b-tree at ``root``."""
        for number in self._leaves(root):
            yield from self.leaf_rows(number)

    def _leaves(self, root: int) -> Iterator[int]:
        stack = [root]
        while stack:
            number = stack.pop()
            if number in self.reached or not 0 < number <= self.carver.pages:
                continue
            self.reached.add(number)
            data = self.carver.page(number)
            base = 100 if number == 1 else 0
            kind = data[base] if len(data) > base else 0
            if kind == LEAF_TABLE:
                yield number
            elif kind == INTERIOR_TABLE:
                children = [int.from_bytes(data[base + 8:base + 12], "big")]
                for ptr in self._pointers(data, base, 12):
                    children.append(int.from_bytes(data[ptr:ptr + 4], "big"))
                stack.extend(reversed(children))
            else:
                self.skipped_pages += 1

    def _pointers(self, data: bytes, base: int, header: int) -> Iterator[int]:
        cells = int.from_bytes(data[base + 3:base + 5], "big")
        content = int.from_bytes(data[base + 5:base + 7], "big") or 65536
        for k in range(min(cells, (self.usable - base - header) // 2)):
            ptr = int.from_bytes(data[base + header + 2 * k:base + header + 2 + 2 * k], "big")
            if content <= ptr < self.usable - 4 and ptr >= base + header + 2 * cells:
                yield ptr

    def leaf_rows(self, number: int) -> Iterator[tuple[int, list[Value]]]:
        data = self.carver.page(number)
        base = 100 if number == 1 else 0
        for ptr in self._pointers(data, base, 8):
            found = self._cell(data, ptr)
            if found is not None:
                yield found

    def _cell(self, data: bytes, ptr: int) -> tuple[int, list[Value]] | None:
        try:
            payload, n1 = varint(data, ptr, self.usable)
            rowid, n2 = varint(data, ptr + n1, self.usable)
        except IndexError:
            return None
        start = ptr + n1 + n2
        local = self.carver.local_size(payload)
        if start + local > self.usable:
            return None
        body = data[start:start + local]
        if local < payload:
            body += self.carver.overflow(int.from_bytes(data[start + local:start + local + 4], "big"), payload - local,
                                         max_pages=MAX_OVERFLOW_PAGES)
            if len(body) != payload:
                return None
        found = self.decoder.generic(body, 0, len(body))
        if found is None or found[1] != len(body):
            return None
        return (rowid - (1 << 64) if rowid >= 1 << 63 else rowid), found[0]


def salvage_by_pages(copy: Path, target: Path) -> tuple[int, int]:
    """Rebuild ``copy`` into ``target``; returns (rows recovered into tables, rows in lost_and_found)."""
    target.unlink(missing_ok=True)
    rows = orphans = 0
    with open(copy, "rb") as f:
        salvage = PageSalvage(Carver(f, []))
        schema = [values for _, values in salvage.rows(1) if len(values) >= 5]
        out = sqlite3.connect(target, isolation_level=None)
        try:
            out.execute("BEGIN")
            for kind, name, _tbl, root, sql in (tuple(v[:5]) for v in schema):
                if kind != "table" or not isinstance(name, str) or not isinstance(sql, str) or not isinstance(root, int):
                    continue
                if name.startswith("sqlite_") or root <= 0:
                    continue
                try:
                    out.execute(sql)
                except sqlite3.Error:
                    continue  # a schema entry that is itself damaged
                info = out.execute(f'PRAGMA table_info("{name}")').fetchall()
                rows += _copy_rows(out, name, info, salvage.rows(root))
            orphans = _lost_and_found(out, salvage)
            out.execute("COMMIT")
        finally:
            out.close()
    return rows, orphans


def _copy_rows(out: sqlite3.Connection, table: str, info: list[tuple[object, ...]],
               found: Iterator[tuple[int, list[Value]]]) -> int:
    columns = [str(r[1]) for r in info]
    keys = [r for r in info if r[5]]
    # an INTEGER PRIMARY KEY is the rowid: its value in the record is NULL, the cell holds it
    alias = columns.index(str(keys[0][1])) if len(keys) == 1 and str(keys[0][2] or "").upper() == "INTEGER" else -1
    copied = 0
    for rowid, values in found:
        k = min(len(values), len(columns))
        row = [rowid if i == alias and v is None else v for i, v in enumerate(values[:k])]
        names = "".join(f', "{c}"' for c in columns[:k])
        try:
            out.execute(f'INSERT OR IGNORE INTO "{table}"(rowid{names}) VALUES (?{", ?" * k})',  # noqa: S608 - schema names
                        (rowid, *row))
        except sqlite3.Error:
            continue
        copied += 1
    return copied


def _lost_and_found(out: sqlite3.Connection, salvage: PageSalvage) -> int:
    """Table leaf pages no table reached (a damaged parent page cut them off), on the side."""
    free = {n for n, _ in salvage.carver.freelist()}
    count = 0
    for number in range(2, salvage.carver.pages + 1):
        if number in salvage.reached or number in free:
            continue
        data = salvage.carver.page(number)
        if not data or data[0] != LEAF_TABLE:
            continue
        for rowid, values in salvage.leaf_rows(number):
            if count == 0:
                out.execute("CREATE TABLE lost_and_found (page INTEGER, rowid_found INTEGER, nfield INTEGER, "
                            "record_values TEXT)")
            out.execute("INSERT INTO lost_and_found VALUES (?, ?, ?, ?)", (number, rowid, len(values), json.dumps(
                [v.hex() if isinstance(v, bytes) else v for v in values], ensure_ascii=False)))
            count += 1
    return count
