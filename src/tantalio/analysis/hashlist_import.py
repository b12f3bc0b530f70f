"""`tantalio hashlist import|list|remove`: hash lists in the case store, read faithfully.

Entries are inserted in batches and committed in chunks of ``COMMIT_ROWS``, so a list of ten
million media imports in bounded memory (one 30M-row transaction held gigabytes when it
committed). Bad rows are counted and logged as warnings naming the line (or VICS media index).
Duplicate rows are stored once (a unique index; ``duplicate_count`` says how many there were).

An import is still all or nothing for everyone else: the list's row is created in state
``importing`` and becomes ``ready`` in the import's last transaction, with its counts, its
warnings and its audit row; matching, reports and the web use ready lists only. An import that
yields no entry, or meets a broken or truncated file the analyst did not accept as partial,
raises ``HashListError`` and removes what it wrote; one killed midway leaves an ``importing``
list that nothing reads, which importing the list again (same name) or ``hashlist remove``
clears. Removal works the same way in reverse (``removing``). Category codes the list's scheme
does not know are uncategorised (never illegal) and each earns one warning saying how to map it
(``category_map``, kept with the list and applied at every match).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
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
from tantalio.media.match import MatchResult, best_match, item_status
from tantalio.store.sqlite import CaseStore, utcnow

BATCH = 5_000
COMMIT_ROWS = 500_000
"""Entries per transaction: large enough that commits cost little, small enough that the WAL
(checkpointed after each commit) and SQLite's memory stay bounded."""
DELETE_IDS = 200_000
"""Entry ids per transaction when an unfinished or removed list is cleared."""
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
    row = conn.execute("SELECT id, state FROM hash_list WHERE name=?", (li.name,)).fetchone()
    if row and row[1] == "ready":
        raise HashListError(f"a hash list named {li.name!r} is already imported (use --name)")
    if row:
        _clear(store, row[0], li.name, row[1])     # an import (or removal) of this name was cut short
    mapped = category_map or {}
    (previous_cache,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    try:
        return _import(store, path, li, mapped, algorithm)
    finally:
        conn.execute(f"PRAGMA cache_size={int(previous_cache)}")
        conn.execute("DROP TABLE IF EXISTS temp.hashlist_problem")


def _import(store: CaseStore, path: Path, li: ListImport, mapped: CategoryMap, algorithm: str | None) -> ImportReport:
    conn = store.conn
    with store.transaction():
        cur = conn.execute(
            "INSERT INTO hash_list(name, kind, format, path, sha256, scheme, imported_at, category_map, state)"
            " VALUES (?,?,?,?,?,?,?,?,'importing')",
            (li.name, li.kind, li.format, str(path.resolve()), li.sha256, li.scheme, li.imported_at,
             map_to_json(mapped)),
        )
        list_id = int(cur.lastrowid or 0)
    # Rejected rows wait in a temporary table (on disk, gone if the process dies) and join the
    # case's warnings when the list becomes ready: a list that never does leaves none.
    conn.execute("DROP TABLE IF EXISTS temp.hashlist_problem")
    conn.execute("CREATE TEMP TABLE hashlist_problem (path TEXT, location TEXT, message TEXT, at TEXT)")
    try:
        return _fill(store, path, li, mapped, algorithm, list_id)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        _clear(store, list_id, li.name, "importing", audit=False)
        raise


def _fill(store: CaseStore, path: Path, li: ListImport, mapped: CategoryMap, algorithm: str | None,
          list_id: int) -> ImportReport:
    conn = store.conn
    problems: list[HashListProblem] = []
    first_problems: list[str] = []
    rows = li.rows(list_id, problems)
    stored = 0
    more = True
    while more:
        with store.transaction():
            in_chunk = 0
            while in_chunk < COMMIT_ROWS:
                batch = list(islice(rows, BATCH))
                more = len(batch) == BATCH
                stored += _flush(store, batch, problems, path, first_problems)
                in_chunk += len(batch)
                if not more:
                    break
    if not stored:
        raise HashListError(f"{path}: no hash entry could be read as {li.format} ({li.problem_count} rejected "
                            f"rows{': ' + '; '.join(first_problems) if first_problems else ''}); nothing was imported")
    with store.transaction():
        conn.execute("INSERT OR IGNORE INTO warning(exhibit_id, path, location, stage, message, at)"
                     " SELECT NULL, path, location, 'hashlist', message, at FROM temp.hashlist_problem ORDER BY rowid")
        unknown = li.unknown_codes(SCHEMES[li.scheme], mapped) if li.kind != "ignorable" else {}
        for code, count in unknown.items():
            store.warn("hashlist", f"category code {code!r} ({count:,} entries) is not in scheme {li.scheme!r}: its "
                       f"entries are uncategorised (a match never makes an item known); map it with "
                       f"--category-map {code}={'|'.join(STATUSES)}", None, str(path), "category")
        facts = li.facts
        conn.execute(
            "UPDATE hash_list SET entry_count=?, problem_count=?, duplicate_count=?, version=?, profile=?,"
            " algorithm=?, partial=?, state='ready' WHERE id=?",
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
    for problem in problems:
        if len(first_problems) < 3:
            first_problems.append(str(problem))
    if problems:
        store.conn.executemany("INSERT INTO temp.hashlist_problem VALUES (?,?,?,?)",
                               [(str(path), f"{p.where} {p.line}", p.message, utcnow()) for p in problems])
    problems.clear()
    return stored


def _clear(store: CaseStore, list_id: int, name: str, state: str, *, audit: bool = True) -> int:
    """Delete a list that is not (or no longer) ready, its entries ``DELETE_IDS`` ids per
    transaction; nothing reads it meanwhile, and a clear cut short is finished by the next one."""
    conn = store.conn
    low, high = conn.execute("SELECT min(id), max(id) FROM hash_entry WHERE list_id=?", (list_id,)).fetchone()
    entries = 0
    for start in range(low or 0, (high or -1) + 1, DELETE_IDS):
        with store.transaction():
            entries += conn.execute("DELETE FROM hash_entry WHERE id BETWEEN ? AND ? AND list_id=?",
                                    (start, start + DELETE_IDS - 1, list_id)).rowcount
    with store.transaction():
        conn.execute("DELETE FROM hash_list WHERE id=?", (list_id,))
        if audit:
            store.audit("hashlist.cleared", {"name": name, "state": state, "entries": entries})
    return entries


LIST_COLUMNS = ("id", "name", "kind", "format", "algorithm", "version", "profile", "scheme", "category_map",
                "entry_count", "duplicate_count", "problem_count", "partial", "imported_at", "sha256", "path", "state")


def list_hashlists(store: CaseStore) -> list[dict[str, Any]]:
    """Every imported list, in import order, as plain values (``state`` other than ``ready``: an
    import or removal cut short, which nothing reads)."""
    rows = store.conn.execute(f"SELECT {', '.join(LIST_COLUMNS)} FROM hash_list ORDER BY id")  # noqa: S608
    return [dict(zip(LIST_COLUMNS, row, strict=True)) for row in rows]


def remove_hashlist(store: CaseStore, name: str) -> dict[str, Any]:
    """Remove a list, its entries and their matches; items it matched get their status again from
    the matches left (as analyze would set it). Recorded in the audit log. The matches go and the
    list stops counting in one transaction; its entries are then deleted in chunks. A list an
    import or removal left unfinished is cleared."""
    conn = store.conn
    row = conn.execute("SELECT id, sha256, entry_count, state FROM hash_list WHERE name=?", (name,)).fetchone()
    if row is None:
        known = [n for (n,) in conn.execute("SELECT name FROM hash_list ORDER BY id")]
        raise HashListError(f"no hash list named {name!r} in this case" + (f" (lists: {', '.join(known)})" if known else ""))
    list_id, sha256, entries, state = row
    if state != "ready":
        return {"name": name, "entries": _clear(store, list_id, name, state), "items": 0}
    with store.transaction():
        affected = [s for (s,) in conn.execute(
            "SELECT DISTINCT m.sha256 FROM match m JOIN hash_entry e ON e.id = m.entry_id WHERE e.list_id=?", (list_id,))]
        conn.execute("DELETE FROM match WHERE entry_id IN (SELECT id FROM hash_entry WHERE list_id=?)", (list_id,))
        conn.execute("UPDATE hash_list SET state='removing' WHERE id=?", (list_id,))
        for sha in affected:
            _restatus(store, sha)
        store.audit("hashlist.remove", {"name": name, "sha256": sha256, "entries": entries, "items": len(affected)})
    _clear(store, list_id, name, "removing", audit=False)
    return {"name": name, "entries": entries, "items": len(affected)}


def _restatus(store: CaseStore, sha: str) -> None:
    """An item's status and category from its remaining matches (the rule of ``match_media``)."""
    found: list[MatchResult] = []
    categories: dict[object, str | None] = {}
    for entry_id, algorithm, distance, category, kind, scheme, mapped in store.conn.execute(
            "SELECT m.entry_id, m.algorithm, m.distance, e.category, l.kind, l.scheme, l.category_map FROM match m"
            " JOIN hash_entry e ON e.id = m.entry_id JOIN hash_list l ON l.id = e.list_id WHERE m.sha256=?", (sha,)):
        status = entry_status(kind, SCHEMES.get(scheme or "none"), category, map_from_json(mapped))
        found.append(MatchResult(sha, entry_id, algorithm, distance, status))
        categories[entry_id] = category
    status = item_status(found)
    best = best_match(found)
    category = categories[best.entry_ref] if best is not None and status != "unknown" else None
    store.conn.execute("UPDATE media_item SET status=?, category=? WHERE sha256=?", (status, category, sha))
