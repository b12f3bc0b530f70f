"""The `tantalio.case/1` document (DESIGN.md §4): everything the store holds, as stable JSON.

Deterministic: the same case gives byte-identical output (sorted keys and rows, no clocks).
Sections that analysis has not filled yet are empty arrays.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tantalio.store.sqlite import CaseStore

SCHEMA = "tantalio.case/1"


def build_case_document(store: CaseStore) -> dict[str, Any]:
    conn = store.conn
    exhibits = []
    for (ex_id,) in conn.execute("SELECT id FROM exhibit ORDER BY id").fetchall():
        sources = [
            {"path": p, "sha256": s, "format": f}
            for p, s, f in conn.execute(
                "SELECT path, sha256, format FROM source_file WHERE exhibit_id=? ORDER BY path", (ex_id,))
        ]
        # "owner": filled by network analysis's section (exhibit_owner: --owner or the evidence's own account)
        exhibits.append({"id": ex_id, "owner": None, "sources": sources})
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "exhibits": exhibits,
        "persons": [],
        "retired_persons": [],
        "retired_groups": [],
        "groups": [],
        "memberships": [],
        "media": [],
        "warnings": store.warning_count(),
    }
    # Network analysis contributes its sections (persons, retired labels, groups, memberships, media).
    from tantalio.network.case_sections import fill_case_document

    fill_case_document(store, doc)
    from tantalio.signing import recorded_keys  # keys that signed this case's packages (partners pin them)
    doc["signing_keys"] = recorded_keys(store)
    doc["recovered_deleted"] = recovered_deleted(store)
    return doc


def recovered_deleted(store: CaseStore) -> list[dict[str, Any]]:
    """Deleted rows carved from message stores: their own section, never mixed with live
    messages (issue 17). ``state`` is ``deleted`` or ``old_version``; ``area`` says where in
    the file they were found (freelist, freeblock, unallocated, superseded, wal, wal_uncommitted)."""
    rows = store.conn.execute(
        "SELECT r.exhibit_id, s.path, s.sha256, r.table_name, r.row_id, r.state, r.area, r.page, r.offset, r.wal_frame,"
        " r.chat, r.sender, r.time, r.text, r.key_id FROM recovered_record r JOIN source_file s ON s.id = r.source_file_id"
        " ORDER BY r.exhibit_id, s.path, r.area, r.page, r.offset, r.content_hash")
    keys = ("exhibit", "path", "sha256", "table", "rowid", "state", "area", "page", "offset", "wal_frame", "chat",
            "sender", "time", "text", "key_id")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def write_case_document(store: CaseStore, out: Path) -> dict[str, Any]:
    doc = build_case_document(store)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dumps(doc), encoding="utf-8")
    return doc
