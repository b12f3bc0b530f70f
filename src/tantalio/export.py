"""The `tantalio.case/1` document (DESIGN.md §4): everything the store holds, as stable JSON.

Deterministic: the same case gives byte-identical output (sorted keys and rows, no clocks).
Sections that analysis has not filled yet are empty arrays.

The document is written as it is read: each section is an iterator of items, each item is
encoded on its own and written at once, inside a small hand-written envelope that lays the items
out exactly as ``json.dumps(document, sort_keys=True, indent=1)`` would. A case of a million files
is exported in the memory of one item (plus the network's per-person tables), not of the whole
document; :func:`build_case_document` still gives the whole document for small cases and tests.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from tantalio.store.sqlite import CaseStore

SCHEMA = "tantalio.case/1"

Section = Callable[[], Iterable[dict[str, Any]]]
"""A list section of the document: called when it is written, it reads the store as it yields."""


def case_sections(store: CaseStore) -> dict[str, Section]:
    """Every list section of the document by name (the scalars are ``schema`` and ``warnings``).
    Nothing is read until a section is called; the writer calls them one at a time."""
    # Network analysis contributes its sections (persons, retired labels, groups, memberships, media).
    from tantalio.network.case_sections import network_sections, owner_labels
    from tantalio.signing import recorded_keys  # keys that signed this case's packages (partners pin them)

    sections: dict[str, Section] = {
        "exhibits": lambda: exhibits(store, owner_labels(store.conn)),
        **network_sections(store),
        "signing_keys": lambda: recorded_keys(store),
        "recovered_deleted": lambda: recovered_deleted(store),
    }
    return sections


def exhibits(store: CaseStore, owners: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Each exhibit with its owner (person label) and its source files (one exhibit in memory at a time)."""
    conn = store.conn
    for (ex_id,) in conn.execute("SELECT id FROM exhibit ORDER BY id").fetchall():
        sources = [
            {"path": p, "sha256": s, "format": f}
            for p, s, f in conn.execute(
                "SELECT path, sha256, format FROM source_file WHERE exhibit_id=? ORDER BY path", (ex_id,))
        ]
        yield {"id": ex_id, "owner": owners.get(ex_id), "sources": sources}


def recovered_deleted(store: CaseStore) -> Iterator[dict[str, Any]]:
    """Deleted rows carved from message stores: their own section, never mixed with live
    messages (issue 17). ``state`` is ``deleted`` or ``old_version``; ``area`` says where in
    the file they were found (freelist, freeblock, unallocated, superseded, wal, wal_uncommitted)."""
    rows = store.conn.execute(
        "SELECT r.exhibit_id, s.path, s.sha256, r.table_name, r.row_id, r.state, r.area, r.page, r.offset, r.wal_frame,"
        " r.chat, r.sender, r.time, r.text, r.key_id FROM recovered_record r JOIN source_file s ON s.id = r.source_file_id"
        " ORDER BY r.exhibit_id, s.path, r.area, r.page, r.offset, r.content_hash")
    keys = ("exhibit", "path", "sha256", "table", "rowid", "state", "area", "page", "offset", "wal_frame", "chat",
            "sender", "time", "text", "key_id")
    for row in rows:
        yield dict(zip(keys, row, strict=True))


def build_case_document(store: CaseStore) -> dict[str, Any]:
    """The whole document in memory (small cases, tests, the web API); exports stream it instead."""
    doc: dict[str, Any] = {name: list(read()) for name, read in case_sections(store).items()}
    doc.update(schema=SCHEMA, warnings=store.warning_count())
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """A whole in-memory document as the export writes it (the reference the streamed output equals)."""
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)


def write_document(store: CaseStore, f: TextIO) -> dict[str, int]:
    """Write the document to ``f`` section by section, item by item, in one read snapshot of
    the store. Returns the number of items of each list section."""
    conn = store.conn
    own_snapshot = not conn.in_transaction
    if own_snapshot:
        conn.execute("BEGIN")        # one consistent picture even while another process writes
    try:
        members: dict[str, Any] = {**case_sections(store), "schema": SCHEMA, "warnings": store.warning_count()}
        counts: dict[str, int] = {}
        f.write("{")
        for n, name in enumerate(sorted(members)):
            f.write(("," if n else "") + "\n " + _encode(name) + ": ")
            value = members[name]
            if not callable(value):
                f.write(_encode(value).replace("\n", "\n "))
                continue
            count = 0
            for item in value():
                # indent=1 at depth 2: the item's own lines move two spaces right (JSON strings hold no raw newline)
                f.write(("," if count else "[") + "\n  " + _encode(item).replace("\n", "\n  "))
                count += 1
            f.write("\n ]" if count else "[]")
            counts[name] = count
        f.write("\n}\n")
        return counts
    finally:
        if own_snapshot and conn.in_transaction:
            conn.execute("COMMIT")


def write_case_document(store: CaseStore, out: Path) -> dict[str, int]:
    """Write the document to ``out`` (through a temporary file beside it, renamed when complete,
    so an interrupted export never leaves a truncated document). Returns the section counts."""
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    try:
        with part.open("w", encoding="utf-8") as f:
            counts = write_document(store, f)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return counts
