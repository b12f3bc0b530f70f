"""Between hash-list entries and the case store's ``hash_list``/``hash_entry`` rows.

The store (owned by the CLI/store layer) writes; this only shapes plain values, so the import
command stays a loop: read, convert, insert in batches, count problems as warnings.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tantalio.media.digests import digest_file
from tantalio.media.hashlists import HashEntry, HashListProblem, ListFacts, detect_format, read_hashlist
from tantalio.media.hashlists.categories import (
    SCHEMES,
    CategoryMap,
    CategoryScheme,
    category_of,
    entry_status,
    map_from_json,
)
from tantalio.media.match import KnownHash

ENTRY_COLUMNS = ("list_id", "algorithm", "value", "category", "series", "victim_identified",
                 "offender_identified", "is_distributed", "line", "extra_json")


@dataclass(slots=True)
class ListImport:
    """The ``hash_list`` row of one import; counts fill in while ``rows()`` is consumed."""

    name: str
    kind: str
    """"illegal" or "ignorable"."""
    format: str
    path: str
    sha256: str
    scheme: str
    imported_at: str
    algorithm: str | None = None
    """Declared kind of a plain list or generic hash column (``--format md5`` ...)."""
    accept_partial: bool = False
    entry_count: int = 0
    problem_count: int = 0
    facts: ListFacts | None = None
    partial: bool = False
    categories: Counter[str] = field(default_factory=Counter)
    """Entries per category code, as written (for the unknown-code warnings)."""

    def rows(self, list_id: Hashable, problems: list[HashListProblem] | None = None) -> Iterator[tuple[Any, ...]]:
        """``hash_entry`` rows (``ENTRY_COLUMNS`` order); problems are appended to ``problems``."""
        items = read_hashlist(self.path, self.format, algorithm=self.algorithm, accept_partial=self.accept_partial)
        for item in items:
            if isinstance(item, HashEntry):
                self.entry_count += 1
                if item.category is not None:
                    self.categories[item.category] += 1
                yield entry_row(list_id, item)
            elif isinstance(item, ListFacts):
                self.facts = item
            else:
                self.problem_count += 1
                self.partial = self.partial or item.ends_read
                if problems is not None:
                    problems.append(item)

    def unknown_codes(self, scheme: CategoryScheme | None, mapped: CategoryMap | None) -> dict[str, int]:
        """Category codes neither the scheme nor the map knows, with their entry counts."""
        return {code: n for code, n in sorted(self.categories.items())
                if category_of(scheme, mapped, code) is None and code.strip()}


def start_import(path: str | Path, kind: str, *, name: str | None = None, format: str = "auto",
                 scheme: str = "projectvic", algorithm: str | None = None,
                 accept_partial: bool = False) -> ListImport:
    """Hash the list file (custody of the list itself) and settle its format."""
    if kind not in ("illegal", "ignorable"):
        raise ValueError(f"hash list kind must be 'illegal' or 'ignorable', not {kind!r}")
    resolved = detect_format(path) if format == "auto" else format
    return ListImport(name or Path(path).name, kind, resolved, str(path), digest_file(str(path)).sha256, scheme,
                      datetime.now(UTC).isoformat().replace("+00:00", "Z"), algorithm, accept_partial)


def entry_row(list_id: Hashable, entry: HashEntry) -> tuple[Any, ...]:
    return (list_id, entry.algorithm, entry.value, entry.category, entry.series, entry.victim_identified,
            entry.offender_identified, entry.is_distributed, entry.line,
            json.dumps(entry.extra, sort_keys=True, default=str) if entry.extra else None)


def known_hashes(rows: Iterable[tuple[Hashable, str, str, str | None, str, CategoryScheme | None]]) -> Iterator[KnownHash]:
    """Matcher input from store rows: (entry id, algorithm, value, category, list kind, list scheme)."""
    for ref, algorithm, value, category, kind, scheme in rows:
        yield KnownHash(ref, algorithm, value, entry_status(kind, scheme, category))


def stored_known_hashes(conn: sqlite3.Connection) -> Iterator[KnownHash]:
    """Every matchable entry of the case's complete lists, streamed, with the status its list's
    scheme and category map give it (PhotoDNA is stored, never matched; a list still importing,
    or being removed, is not matched)."""
    lists = {list_id: (kind, SCHEMES.get(scheme or "none"), map_from_json(mapped))
             for list_id, kind, scheme, mapped in conn.execute(
                 "SELECT id, kind, scheme, category_map FROM hash_list WHERE state = 'ready'")}
    for ref, list_id, algorithm, value, category in conn.execute(
            "SELECT id, list_id, algorithm, value, category FROM hash_entry WHERE algorithm != 'photodna' ORDER BY id"):
        if list_id not in lists:
            continue
        kind, scheme, mapped = lists[list_id]
        yield KnownHash(ref, algorithm, value, entry_status(kind, scheme, category, mapped))
