"""`tantalio hashlist import`: stream a hash list into the case store, validating every value.

Entries are inserted in batches, so a multi-GB VICS file imports in bounded memory; bad rows
are counted and logged as warnings naming the line (or VICS media index), never an abort.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from tantalio.errors import HashListError
from tantalio.media.hashlists import HashEntry, HashListProblem, detect_format, read_hashlist
from tantalio.media.hashlists.categories import SCHEMES
from tantalio.store.sqlite import CaseStore, utcnow

BATCH = 5_000
KINDS = ("illegal", "ignorable")


@dataclass(frozen=True, slots=True)
class ImportReport:
    list_id: int
    name: str
    entries: int
    problems: int


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def import_hashlist(store: CaseStore, path: Path, fmt: str = "auto", name: str | None = None,
                    kind: str = "illegal", scheme: str | None = None) -> ImportReport:
    if kind not in KINDS:
        raise HashListError(f"--kind must be one of {', '.join(KINDS)}")
    if not path.is_file():
        raise HashListError(f"{path}: no such hash list")
    real_format = detect_format(path) if fmt == "auto" else fmt
    scheme = scheme or ("projectvic" if real_format == "vics" else "none")
    if scheme not in SCHEMES:
        raise HashListError(f"unknown category scheme {scheme!r}; known: {', '.join(SCHEMES)}")
    name = name or path.name
    conn = store.conn
    if conn.execute("SELECT 1 FROM hash_list WHERE name=?", (name,)).fetchone():
        raise HashListError(f"a hash list named {name!r} is already imported (use --name)")
    entries = problems = 0
    with store.transaction():
        cur = conn.execute(
            "INSERT INTO hash_list(name, kind, format, path, sha256, scheme, imported_at) VALUES (?,?,?,?,?,?,?)",
            (name, kind, real_format, str(path.resolve()), _file_sha256(path), scheme, utcnow()),
        )
        list_id = int(cur.lastrowid or 0)
        batch: list[tuple[object, ...]] = []
        for item in read_hashlist(path, real_format):
            if isinstance(item, HashListProblem):
                problems += 1
                store.warn("hashlist", item.message, None, str(path), f"{item.where} {item.line}")
                continue
            assert isinstance(item, HashEntry)
            batch.append((list_id, item.algorithm, item.value, item.category, item.series,
                          _flag(item.victim_identified), _flag(item.offender_identified), _flag(item.is_distributed),
                          item.line, json.dumps(item.extra, sort_keys=True) if item.extra else None))
            entries += 1
            if len(batch) >= BATCH:
                _flush(store, batch)
        _flush(store, batch)
        conn.execute("UPDATE hash_list SET entry_count=?, problem_count=? WHERE id=?", (entries, problems, list_id))
        store.audit("hashlist.import", {"name": name, "kind": kind, "format": real_format, "path": str(path.resolve()),
                                        "entries": entries, "problems": problems})
    return ImportReport(list_id, name, entries, problems)


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _flush(store: CaseStore, batch: list[tuple[object, ...]]) -> None:
    if batch:
        store.conn.executemany(
            "INSERT INTO hash_entry(list_id, algorithm, value, category, series, victim_identified,"
            " offender_identified, is_distributed, line, extra) VALUES (?,?,?,?,?,?,?,?,?,?)", batch)
        batch.clear()
