"""Between hash-list entries and the case store's ``hash_list``/``hash_entry`` rows.

The store (owned by the CLI/store layer) writes; this only shapes plain values, so the import
command stays a loop: read, convert, insert in batches, count problems as warnings.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tantalio.media.digests import digest_file
from tantalio.media.hashlists import HashEntry, HashListProblem, detect_format, read_hashlist
from tantalio.media.hashlists.categories import CategoryScheme, entry_status
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
    entry_count: int = 0
    problem_count: int = 0

    def rows(self, list_id: Hashable, problems: list[HashListProblem] | None = None) -> Iterator[tuple[Any, ...]]:
        """``hash_entry`` rows (``ENTRY_COLUMNS`` order); problems are appended to ``problems``."""
        for item in read_hashlist(self.path, self.format):
            if isinstance(item, HashEntry):
                self.entry_count += 1
                yield entry_row(list_id, item)
            else:
                self.problem_count += 1
                if problems is not None:
                    problems.append(item)


def start_import(path: str | Path, kind: str, *, name: str | None = None, format: str = "auto",
                 scheme: str = "projectvic") -> ListImport:
    """Hash the list file (custody of the list itself) and settle its format."""
    if kind not in ("illegal", "ignorable"):
        raise ValueError(f"hash list kind must be 'illegal' or 'ignorable', not {kind!r}")
    resolved = detect_format(path) if format == "auto" else format
    return ListImport(name or Path(path).name, kind, resolved, str(path), digest_file(str(path)).sha256, scheme,
                      datetime.now(UTC).isoformat().replace("+00:00", "Z"))


def entry_row(list_id: Hashable, entry: HashEntry) -> tuple[Any, ...]:
    return (list_id, entry.algorithm, entry.value, entry.category, entry.series, entry.victim_identified,
            entry.offender_identified, entry.is_distributed, entry.line,
            json.dumps(entry.extra, sort_keys=True, default=str) if entry.extra else None)


def known_hashes(rows: Iterable[tuple[Hashable, str, str, str | None, str, CategoryScheme | None]]) -> Iterator[KnownHash]:
    """Matcher input from store rows: (entry id, algorithm, value, category, list kind, list scheme)."""
    for ref, algorithm, value, category, kind, scheme in rows:
        yield KnownHash(ref, algorithm, value, entry_status(kind, scheme, category))
