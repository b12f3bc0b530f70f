"""Deleted rows carved from an SQLite database's unused space and from its WAL.

SQLite does not erase a deleted row unless ``secure_delete`` is on: the row's bytes stay
- in a *free block* inside its page (the first 4 bytes of the cell, its length and rowid,
  become the free block's header; the record that follows is intact),
- in the page's *unallocated* area when it was the lowest cell (the whole cell survives),
- in *freelist* pages when a page emptied (a leaf page keeps its cells; a trunk page loses
  its first bytes to the list of free pages),
- in *WAL frames*: older copies of a page, frames of an earlier WAL generation and frames
  after the last commit, none of which the database shows.
A record is recognised by its header: one serial type per column of the table it belongs to,
each compatible with the column's declared type. Carved rows identical to a live row (a copy
left behind when SQLite rebalanced a tree) are dropped; a carved row whose rowid lives on with
other values is an *old version*; the rest are *deleted*.

Format reference: https://www.sqlite.org/fileformat2.html (b-tree pages §1.6, records §2.1,
freelist §1.5, WAL §4).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from tantalio.ingest.sqlite_records import (
    ENCODINGS,
    INTERIOR_TABLE,
    LEAF_TABLE,
    SQLITE_MAGIC,
    Decoder,
    TableShape,
    Value,
    sqlite_page_size,
    varint,
)


@dataclass(frozen=True, slots=True)
class CarvedRow:
    table: str
    rowid: int | None
    values: dict[str, Value]
    area: str  # freelist | freeblock | unallocated | superseded | wal | wal_uncommitted
    page: int
    offset: int
    wal_frame: int | None = None
    state: str = "deleted"  # deleted | old_version

    def content_hash(self) -> str:
        body = json.dumps([self.table, sorted((k, _jsonable(v)) for k, v in self.values.items())],
                          ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _jsonable(v: Value) -> object:
    return v.hex() if isinstance(v, bytes) else v




@dataclass(slots=True)
class _Found:
    """At most one carved row, iterable (zero or one item), and where carving goes on."""

    row: CarvedRow | None
    end: int

    def __iter__(self) -> Iterator[CarvedRow]:
        if self.row is not None:
            yield self.row


class Carver:
    """Carves the records of ``shapes`` out of one database file (and its WAL)."""

    def __init__(self, db: BinaryIO, shapes: list[TableShape]) -> None:
        self.db = db
        head = db.read(100)
        if head[:16] != SQLITE_MAGIC:
            raise ValueError("not an SQLite database")
        if len(head) < 100:
            raise ValueError(f"truncated: {len(head)} bytes, shorter than the 100-byte SQLite header")
        self.page_size = sqlite_page_size(head)
        if self.page_size < 512 or self.page_size & (self.page_size - 1) or head[20] > self.page_size - 480:
            raise ValueError(f"invalid page size {self.page_size} in the header")
        self.usable = self.page_size - head[20]
        # the header's page count can be stale or damaged: the file's length bounds it
        in_file = db.seek(0, 2) // self.page_size
        stated = int.from_bytes(head[28:32], "big")
        self.pages = min(stated, in_file) if stated else in_file
        self.freelist_trunk = int.from_bytes(head[32:36], "big")
        self.decoder = Decoder(ENCODINGS.get(int.from_bytes(head[56:60], "big"), "utf-8"))
        self.shapes = shapes
        self._free_leaf_pages: frozenset[int] | None = None

    def page(self, number: int) -> bytes:
        self.db.seek((number - 1) * self.page_size)
        return self.db.read(self.page_size)

    # -- where deleted rows hide --------------------------------------------------------------
    def freelist(self) -> Iterator[tuple[int, bool]]:
        """(page number, is trunk) of every free page."""
        trunk, seen = self.freelist_trunk, set()
        while 0 < trunk <= max(self.pages, 1) and trunk not in seen:
            seen.add(trunk)
            data = self.page(trunk)
            yield trunk, True
            count = int.from_bytes(data[4:8], "big")
            for k in range(min(count, (self.usable - 8) // 4)):
                leaf = int.from_bytes(data[8 + 4 * k:12 + 4 * k], "big")
                if 0 < leaf <= self.pages:
                    yield leaf, False
            trunk = int.from_bytes(data[:4], "big")

    def table_pages(self, root: int) -> Iterator[int]:
        """The leaf pages of the table b-tree rooted at ``root``."""
        stack, seen = [root], set()
        while stack:
            number = stack.pop()
            if number in seen or not 0 < number <= self.pages:
                continue
            seen.add(number)
            data = self.page(number)
            base = 100 if number == 1 else 0
            kind = data[base]
            if kind == LEAF_TABLE:
                yield number
            elif kind == INTERIOR_TABLE:
                cells = int.from_bytes(data[base + 3:base + 5], "big")
                stack.append(int.from_bytes(data[base + 8:base + 12], "big"))
                for k in range(cells):
                    ptr = int.from_bytes(data[base + 12 + 2 * k:base + 14 + 2 * k], "big")
                    stack.append(int.from_bytes(data[ptr:ptr + 4], "big"))

    # -- carving ------------------------------------------------------------------------------
    def carve_leaf(self, data: bytes, number: int, area_of_cells: str | None) -> Iterator[CarvedRow]:
        """A table leaf page: its cells (when the whole page is free, ``area_of_cells``), its
        free blocks and its unallocated space."""
        base = 100 if number == 1 else 0
        if data[base] != LEAF_TABLE:
            yield from self.scan(data, 0, len(data), number, "freelist" if area_of_cells else "unallocated")
            return
        cells = int.from_bytes(data[base + 3:base + 5], "big")
        content = int.from_bytes(data[base + 5:base + 7], "big") or 65536
        pointers_end = base + 8 + 2 * cells
        if area_of_cells is not None:
            for k in range(cells):
                ptr = int.from_bytes(data[base + 8 + 2 * k:base + 10 + 2 * k], "big")
                yield from self.cell(data, ptr, number, area_of_cells)
        if pointers_end < content <= self.usable:
            yield from self.scan(data, pointers_end, content, number, "unallocated", whole_cells=True)
        free, seen = int.from_bytes(data[base + 1:base + 3], "big"), set()
        while 0 < free < self.usable - 4 and free not in seen:
            seen.add(free)
            size = int.from_bytes(data[free + 2:free + 4], "big")
            stop = min(free + size, self.usable)
            first = self._headless(data, free + 4, stop, number)
            yield from first
            yield from self.scan(data, first.end if first.row else free + 4, stop, number, "freeblock", whole_cells=True)
            free = int.from_bytes(data[free:free + 2], "big")

    def _headless(self, data: bytes, start: int, stop: int, number: int, area: str = "freeblock") -> _Found:
        """The record a free block's own header overwrote the start of."""
        for shape in self.shapes:
            for skip in (1, 0):
                found = self.decoder.headless(data, start, stop, shape, skip)
                if found is not None:
                    return _Found(self._row(shape, found[0], None, area, number, start), found[1])
        return _Found(None, start)

    def cell(self, data: bytes, ptr: int, number: int, area: str) -> Iterator[CarvedRow]:
        try:
            payload, n1 = varint(data, ptr, self.usable)
            rowid, n2 = varint(data, ptr + n1, self.usable)
        except IndexError:
            return
        start = ptr + n1 + n2
        buf, at = data, start
        if payload > self.usable - 35:
            whole = self._spilled(data, start, payload, area)
            if whole is None:
                return  # its overflow chain is gone or reused: not carved rather than half-read
            buf, at = whole, 0
        elif start + payload > self.usable:
            return
        for shape in self.shapes:
            found = self.decoder.record(buf, at, at + payload, shape)
            if found is not None and (buf is data or found[1] == payload):
                yield self._row(shape, found[0], rowid, area, number, ptr)
                return

    def _spilled(self, data: bytes, start: int, payload: int, area: str) -> bytes | None:
        """A cell's whole payload when it spills to overflow pages (fileformat2 §1.6: the local
        part, then a chain of pages, each a 4-byte next-page number and usable-4 bytes of the
        payload). Only where the chain is known to be the row's own:

        * ``freelist``: a deleted row's overflow pages go to the freelist with their bytes
          intact; every page of the chain must still be a free (leaf) page - one reused since,
          or turned into a freelist trunk, may hold another row's bytes;
        * ``superseded``: the main file is the consistent state of the last checkpoint, the row
          and its chain included.

        Cells of WAL frames are not followed: their chain may live in other frames, and the main
        file's pages of those numbers can hold another message. A chain leaving the file or
        looping, or a record not ending where the payload does, is left out rather than half read."""
        if area not in ("freelist", "superseded"):
            return None
        if payload > self.pages * self.usable:   # a damaged length: more than the whole file holds
            return None
        local = self.local_size(payload)
        if start + local + 4 > self.usable:
            return None
        following = int.from_bytes(data[start + local:start + local + 4], "big")
        rest = self.overflow(following, payload - local, self._free_leaves() if area == "freelist" else None)
        return data[start:start + local] + rest if len(rest) == payload - local else None

    def local_size(self, payload: int) -> int:
        """How much of a table b-tree cell's payload is stored in its page (fileformat2 §1.6);
        the rest follows in overflow pages."""
        most = self.usable - 35
        if payload <= most:
            return payload
        least = ((self.usable - 12) * 32 // 255) - 23
        k = least + (payload - least) % (self.usable - 4)
        return k if k <= most else least

    def overflow(self, number: int, remaining: int, allowed: frozenset[int] | None = None,
                 max_pages: int | None = None) -> bytes:
        """Up to ``remaining`` payload bytes along the overflow chain that starts at page
        ``number``: shorter where the chain leaves the file, loops, reaches a page not in
        ``allowed`` or runs past ``max_pages`` pages."""
        parts: list[bytes] = []
        seen: set[int] = set()
        while (remaining > 0 and 0 < number <= self.pages and number not in seen
               and (allowed is None or number in allowed) and (max_pages is None or len(seen) < max_pages)):
            seen.add(number)
            page = self.page(number)
            chunk = page[4:min(self.usable, 4 + remaining)]
            parts.append(chunk)
            remaining -= len(chunk)
            number = int.from_bytes(page[:4], "big")
        return b"".join(parts)

    def _free_leaves(self) -> frozenset[int]:
        if self._free_leaf_pages is None:
            self._free_leaf_pages = frozenset(number for number, trunk in self.freelist() if not trunk)
        return self._free_leaf_pages

    def scan(self, data: bytes, start: int, end: int, number: int, area: str,
             whole_cells: bool = False) -> Iterator[CarvedRow]:
        """Every record of a known shape inside ``data[start:end]``, tried at each offset."""
        i = start
        record = self.decoder.record
        while i < end - 2:
            for shape in self.shapes:
                found = record(data, i, end, shape)
                if found is not None:
                    values, stop = found
                    rowid = self._rowid_before(data, start, i, stop) if whole_cells else None
                    yield self._row(shape, values, rowid, area, number, i)
                    i = stop - 1
                    break
            else:
                if i - start >= 4 and self._freeblock_header(data, i - 4, end):
                    # a free block absorbed into unallocated space keeps its 4-byte header
                    first = self._headless(data, i, end, number, area)
                    if first.row is not None:
                        yield first.row
                        i = first.end - 1
            i += 1

    def _freeblock_header(self, data: bytes, at: int, end: int) -> bool:
        following = int.from_bytes(data[at:at + 2], "big")
        size = int.from_bytes(data[at + 2:at + 4], "big")
        return 4 < size <= end - at and (following == 0 or at + size <= following < self.usable)

    @staticmethod
    def _rowid_before(data: bytes, start: int, i: int, stop: int) -> int | None:
        """An intact cell header (payload length, rowid) just before a record, if there is one."""
        for back in range(2, 19):
            at = i - back
            if at < start:
                return None
            try:
                payload, n1 = varint(data, at, i)
                rowid, n2 = varint(data, at + n1, i)
            except IndexError:
                continue
            if at + n1 + n2 == i and payload == stop - i:
                return rowid
        return None

    def _row(self, shape: TableShape, values: list[Value], rowid: int | None, area: str, page: int,
             offset: int, frame: int | None = None) -> CarvedRow:
        named: dict[str, Value] = {}  # the rowid alias is the cell's rowid, kept apart (``rowid``)
        for col, value in zip(shape.columns, values, strict=False):
            if not col.rowid_alias:
                named[col.name] = value
        return CarvedRow(shape.name, rowid, named, area, page, offset, frame)

    def carve_file(self, live_pages: set[int]) -> Iterator[CarvedRow]:
        """Free pages, then free space inside the tables' live leaf pages."""
        for number, trunk in self.freelist():
            data = self.page(number)
            if trunk:
                count = int.from_bytes(data[4:8], "big")
                yield from self.scan(data, 8 + 4 * max(0, min(count, (self.usable - 8) // 4)), self.usable,
                                     number, "freelist")
            else:
                yield from self.carve_leaf(data, number, "freelist")
        for number in sorted(live_pages):
            yield from self.carve_leaf(self.page(number), number, None)

    def superseded(self, live_pages: set[int], wal_pages: set[int]) -> Iterator[CarvedRow]:
        """Cells of the tables' pages in the main file that a WAL frame replaces: rows deleted
        after the last checkpoint are still whole there."""
        for number in sorted(live_pages & wal_pages):
            data = self.page(number)
            base = 100 if number == 1 else 0
            if data[base] != LEAF_TABLE:
                continue
            for k in range(int.from_bytes(data[base + 3:base + 5], "big")):
                ptr = int.from_bytes(data[base + 8 + 2 * k:base + 10 + 2 * k], "big")
                yield from self.cell(data, ptr, number, "superseded")

    def carve_wal(self, frames: list[tuple[int, bytes, bool]]) -> Iterator[CarvedRow]:
        """Every frame of the WAL, valid or not: the database shows only each page's latest
        committed frame; older frames, frames of an earlier WAL generation (other salts) and
        frames after the last commit are read here (``wal`` / ``wal_uncommitted``); ``frames`` as
        :func:`~tantalio.ingest.sqlite_records.wal_frames` reads them."""
        for index, (number, data, committed) in enumerate(frames, start=1):
            area = "wal" if committed else "wal_uncommitted"
            base = 100 if number == 1 else 0
            if data[base] == LEAF_TABLE:  # cells too: an older frame may hold a row deleted since
                for k in range(int.from_bytes(data[base + 3:base + 5], "big")):
                    ptr = int.from_bytes(data[base + 8 + 2 * k:base + 10 + 2 * k], "big")
                    for row in self.cell(data, ptr, number, area):
                        yield CarvedRow(row.table, row.rowid, row.values, area, row.page, row.offset, index)
            for row in self.carve_leaf(data, number, None):
                yield CarvedRow(row.table, row.rowid, row.values, area, row.page, row.offset, index)
