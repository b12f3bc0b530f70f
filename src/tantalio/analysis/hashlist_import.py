"""`tantalio hashlist import|list|remove`: hash lists in the case store, read faithfully.

Entries are inserted in batches, so a multi-GB VICS file imports in bounded memory; bad rows
are counted and logged as warnings naming the line (or VICS media index). Duplicate rows are
stored once (a unique index; ``duplicate_count`` says how many there were). An import is one
transaction: one that yields no entry, or meets a broken or truncated file the analyst did not
accept as partial, raises ``HashListError`` and leaves no list behind. Category codes the list's
scheme does not know are uncategorised (never illegal) and each earns one warning saying how to
map it (``category_map``, kept with the list and applied at every match).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tantalio.errors import HashListError
from tantalio.media.hashlists import HashListProblem
from tantalio.media.hashlists.categories import (
    SCHEMES,
    STATUSES,
    CategoryMap,
    entry_status,
    map_from_json,
    map_to_json,
)
from tantalio.media.hashlists.kinds import DECLARED
from tantalio.media.hashlists.rows import ListImport, start_import
from tantalio.media.match import MatchResult, item_status
from tantalio.store.sqlite import CaseStore

BATCH = 5_000
KINDS = ("illegal", "ignorable")
IMPORT_CACHE_KIB = 256 * 1024
"""SQLite page cache while a list imports: a 10M-media list inserts tens of millions of rows in
random key order into the unique index; with the default 2 MB cache every insert spills index
pages to the WAL again and again. A fixed cache keeps memory bounded and the WAL near the data."""
_INSERT = ("INSERT OR IGNORE INTO hash_entry(list_id, algorithm, value, category, series, victim_identified,"
           " offender_identified, is_distributed, line, extra) VALUES (?,?,?,?,?,?,?,?,?,?)")


@dataclass(frozen=True, slots=True)
class ImportReport:
    list_id: int
    name: str
    entries: int
    """Entries stored (each distinct row once)."""
    problems: int
    duplicates: int = 0
    unknown_categories: dict[str, int] = field(default_factory=dict)
    """Category codes neither the scheme nor the map knows -> entries (uncategorised)."""
    format: str = ""
    version: str | None = None
    profile: str | None = None
    partial: bool = False


def import_hashlist(store: CaseStore, path: Path, fmt: str = "auto", name: str | None = None,
                    kind: str = "illegal", scheme: str | None = None, *, category_map: CategoryMap | None = None,
                    algorithm: str | None = None, accept_partial: bool = False) -> ImportReport:
    if kind not in KINDS:
        raise HashListError(f"--kind must be one of {', '.join(KINDS)}")
    if not path.is_file():
        raise HashListError(f"{path}: no such hash list")
    scheme = scheme or "projectvic"
    if scheme not in SCHEMES:
        raise HashListError(f"unknown category scheme {scheme!r}; known: {', '.join(SCHEMES)}")
    if fmt in DECLARED:
        fmt, algorithm = "plain", fmt
    try:
        li = start_import(path, kind, name=name, format=fmt, scheme=scheme, algorithm=algorithm,
                          accept_partial=accept_partial)
    except OSError as e:
        raise HashListError(f"cannot read hash list {path}: {e}") from e
    conn = store.conn
    if conn.execute("SELECT 1 FROM hash_list WHERE name=?", (li.name,)).fetchone():
        raise HashListError(f"a hash list named {li.name!r} is already imported (use --name)")
    mapped = category_map or {}
    (previous_cache,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    try:
        return _import(store, path, li, mapped, algorithm)
    finally:
        conn.execute(f"PRAGMA cache_size={int(previous_cache)}")


def _import(store: CaseStore, path: Path, li: ListImport, mapped: CategoryMap, algorithm: str | None) -> ImportReport:
    conn = store.conn
    with store.transaction():
        cur = conn.execute(
            "INSERT INTO hash_list(name, kind, format, path, sha256, scheme, imported_at, category_map)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (li.name, li.kind, li.format, str(path.resolve()), li.sha256, li.scheme, li.imported_at,
             map_to_json(mapped)),
        )
        list_id = int(cur.lastrowid or 0)
        problems: list[HashListProblem] = []
        first_problems: list[str] = []
        batch: list[tuple[object, ...]] = []
        stored = 0
        for row in li.rows(list_id, problems):
            batch.append(row)
            if len(batch) >= BATCH:
                stored += _flush(store, batch, problems, path, first_problems)
        stored += _flush(store, batch, problems, path, first_problems)
        if not stored:
            raise HashListError(f"{path}: no hash entry could be read as {li.format} ({li.problem_count} rejected "
                                f"rows{': ' + '; '.join(first_problems) if first_problems else ''}); nothing was imported")
        unknown = li.unknown_codes(SCHEMES[li.scheme], mapped) if li.kind != "ignorable" else {}
        for code, count in unknown.items():
            store.warn("hashlist", f"category code {code!r} ({count:,} entries) is not in scheme {li.scheme!r}: its "
                       f"entries are uncategorised (a match never makes an item known); map it with "
                       f"--category-map {code}={'|'.join(STATUSES)}", None, str(path), "category")
        facts = li.facts
        conn.execute(
            "UPDATE hash_list SET entry_count=?, problem_count=?, duplicate_count=?, version=?, profile=?,"
            " algorithm=?, partial=? WHERE id=?",
            (stored, li.problem_count, li.entry_count - stored, facts.version if facts else None,
             facts.profile if facts else None, facts.algorithm if facts else algorithm, int(li.partial), list_id))
        store.audit("hashlist.import", {"name": li.name, "kind": li.kind, "format": li.format,
                                        "path": str(path.resolve()), "sha256": li.sha256, "entries": stored,
                                        "duplicates": li.entry_count - stored, "problems": li.problem_count,
                                        "partial": li.partial, "category_map": map_to_json(mapped)})
    return ImportReport(list_id, li.name, stored, li.problem_count, li.entry_count - stored, unknown, li.format,
                        facts.version if facts else None, facts.profile if facts else None, li.partial)


def _flush(store: CaseStore, batch: list[tuple[object, ...]], problems: list[HashListProblem], path: Path,
           first_problems: list[str]) -> int:
    stored = 0
    if batch:
        stored = store.conn.executemany(_INSERT, batch).rowcount
        batch.clear()
    for problem in problems:
        if len(first_problems) < 3:
            first_problems.append(str(problem))
        store.warn("hashlist", problem.message, None, str(path), f"{problem.where} {problem.line}")
    problems.clear()
    return stored


LIST_COLUMNS = ("id", "name", "kind", "format", "algorithm", "version", "profile", "scheme", "category_map",
                "entry_count", "duplicate_count", "problem_count", "partial", "imported_at", "sha256", "path")


def list_hashlists(store: CaseStore) -> list[dict[str, Any]]:
    """Every imported list, in import order, as plain values."""
    rows = store.conn.execute(f"SELECT {', '.join(LIST_COLUMNS)} FROM hash_list ORDER BY id")  # noqa: S608
    return [dict(zip(LIST_COLUMNS, row, strict=True)) for row in rows]


def remove_hashlist(store: CaseStore, name: str) -> dict[str, Any]:
    """Remove a list, its entries and their matches; items it matched get their status again from
    the matches left (as analyze would set it). Recorded in the audit log."""
    conn = store.conn
    row = conn.execute("SELECT id, sha256, entry_count FROM hash_list WHERE name=?", (name,)).fetchone()
    if row is None:
        known = [n for (n,) in conn.execute("SELECT name FROM hash_list ORDER BY id")]
        raise HashListError(f"no hash list named {name!r} in this case" + (f" (lists: {', '.join(known)})" if known else ""))
    list_id, sha256, entries = row
    with store.transaction():
        affected = [s for (s,) in conn.execute(
            "SELECT DISTINCT m.sha256 FROM match m JOIN hash_entry e ON e.id = m.entry_id WHERE e.list_id=?", (list_id,))]
        conn.execute("DELETE FROM match WHERE entry_id IN (SELECT id FROM hash_entry WHERE list_id=?)", (list_id,))
        conn.execute("DELETE FROM hash_entry WHERE list_id=?", (list_id,))
        conn.execute("DELETE FROM hash_list WHERE id=?", (list_id,))
        for sha in affected:
            _restatus(store, sha)
        store.audit("hashlist.remove", {"name": name, "sha256": sha256, "entries": entries, "items": len(affected)})
    return {"name": name, "entries": entries, "items": len(affected)}


def _restatus(store: CaseStore, sha: str) -> None:
    """An item's status and category from its remaining matches (the rule of ``match_media``)."""
    found = []
    for entry_id, algorithm, distance, category, kind, scheme, mapped in store.conn.execute(
            "SELECT m.entry_id, m.algorithm, m.distance, e.category, l.kind, l.scheme, l.category_map FROM match m"
            " JOIN hash_entry e ON e.id = m.entry_id JOIN hash_list l ON l.id = e.list_id WHERE m.sha256=?", (sha,)):
        status = entry_status(kind, SCHEMES.get(scheme or "none"), category, map_from_json(mapped))
        found.append((MatchResult(sha, entry_id, algorithm, distance, status), category))
    status = item_status([r for r, _ in found])
    best = min(found, key=lambda f: (f[0].status != "illegal", f[0].distance, str(f[0].entry_ref)), default=None)
    category = best[1] if best and status != "unknown" else None
    store.conn.execute("UPDATE media_item SET status=?, category=? WHERE sha256=?", (status, category, sha))
