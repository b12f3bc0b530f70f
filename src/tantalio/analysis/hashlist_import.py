"""`tantalio hashlist import`: stream a hash list into the case store, validating every value.

Entries are inserted in batches, so a multi-GB VICS file imports in bounded memory; bad rows
are counted and logged as warnings naming the line (or VICS media index), never an abort.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tantalio.errors import HashListError
from tantalio.media.hashlists import HashListProblem
from tantalio.media.hashlists.categories import SCHEMES
from tantalio.media.hashlists.rows import start_import
from tantalio.store.sqlite import CaseStore

BATCH = 5_000
KINDS = ("illegal", "ignorable")


@dataclass(frozen=True, slots=True)
class ImportReport:
    list_id: int
    name: str
    entries: int
    problems: int


def import_hashlist(store: CaseStore, path: Path, fmt: str = "auto", name: str | None = None,
                    kind: str = "illegal", scheme: str | None = None) -> ImportReport:
    if kind not in KINDS:
        raise HashListError(f"--kind must be one of {', '.join(KINDS)}")
    if not path.is_file():
        raise HashListError(f"{path}: no such hash list")
    try:
        li = start_import(path, kind, name=name, format=fmt, scheme=scheme or "projectvic")
    except OSError as e:
        raise HashListError(f"cannot read hash list {path}: {e}") from e
    if scheme is None and li.format != "vics":
        li.scheme = "none"
    if li.scheme not in SCHEMES:
        raise HashListError(f"unknown category scheme {li.scheme!r}; known: {', '.join(SCHEMES)}")
    conn = store.conn
    if conn.execute("SELECT 1 FROM hash_list WHERE name=?", (li.name,)).fetchone():
        raise HashListError(f"a hash list named {li.name!r} is already imported (use --name)")
    with store.transaction():
        cur = conn.execute(
            "INSERT INTO hash_list(name, kind, format, path, sha256, scheme, imported_at) VALUES (?,?,?,?,?,?,?)",
            (li.name, li.kind, li.format, str(path.resolve()), li.sha256, li.scheme, li.imported_at),
        )
        list_id = int(cur.lastrowid or 0)
        problems: list[HashListProblem] = []
        batch: list[tuple[object, ...]] = []
        for row in li.rows(list_id, problems):
            batch.append(row)
            if len(batch) >= BATCH:
                _flush(store, batch, problems, path)
        _flush(store, batch, problems, path)
        conn.execute("UPDATE hash_list SET entry_count=?, problem_count=? WHERE id=?",
                     (li.entry_count, li.problem_count, list_id))
        store.audit("hashlist.import", {"name": li.name, "kind": li.kind, "format": li.format,
                                        "path": str(path.resolve()), "entries": li.entry_count,
                                        "problems": li.problem_count})
    return ImportReport(list_id, li.name, li.entry_count, li.problem_count)


def _flush(store: CaseStore, batch: list[tuple[object, ...]], problems: list[HashListProblem], path: Path) -> None:
    if batch:
        store.conn.executemany(
            "INSERT INTO hash_entry(list_id, algorithm, value, category, series, victim_identified,"
            " offender_identified, is_distributed, line, extra) VALUES (?,?,?,?,?,?,?,?,?,?)", batch)
        batch.clear()
    for problem in problems:
        store.warn("hashlist", problem.message, None, str(path), f"{problem.where} {problem.line}")
    problems.clear()
