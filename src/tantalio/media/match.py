"""Matching media items against imported hash lists: exact digests and PDQ near matches.

Rules (TE pdq README, pytx ``PdqSignal``): a PDQ match is distance <= 31 (configurable); hashes
of quality < 50 are never used, on either side when the list gives a quality. PhotoDNA entries
are never matched. Rotated or flipped copies are caught through the item's 8 dihedral hashes
(see ``pdq`` module docstring); video items match through their frame hashes.

Triage-pipeline hashes drift up to ``TRIAGE_MAX_DRIFT`` bits from the exact pipeline, so for them
the search radius widens to ``threshold + drift``: a hit at ``<= threshold - drift`` is certain and
reported; one in between is a *candidate* (``needs_confirmation``) to be recomputed with the exact
pipeline (``triage_file(..., fast=False)``) and matched again before it is reported.

Item status: ``known`` when a confirmed match hits an entry whose status is ``illegal``;
``ignorable`` when every confirmed match is to ``ignorable`` entries; otherwise ``unknown``.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from tantalio.media.hashlists.categories import IGNORABLE, ILLEGAL
from tantalio.media.hashlists.entry import HEX_LENGTHS
from tantalio.media.index import CODE_BYTES, PdqIndex
from tantalio.media.pdq import EXACT, QUALITY_MIN, TRIAGE_MAX_DRIFT

DEFAULT_THRESHOLD = 31
DIHEDRAL_NAMES = ("orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipplus", "flipminus")
EXACT_ALGORITHMS = ("md5", "sha1", "sha256")


@dataclass(frozen=True, slots=True)
class KnownHash:
    """One hash-list entry as the matcher needs it."""

    ref: Hashable
    """The caller's handle on the entry (e.g. the store's hash_entry row id)."""
    algorithm: str
    value: str
    status: str = ILLEGAL
    """From ``categories.entry_status(list kind, scheme, category)``."""


@dataclass(frozen=True, slots=True)
class MediaHashes:
    """One media item's hashes (plain values from the store)."""

    sha256: str
    md5: str | None = None
    sha1: str | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    pdq_method: str = EXACT
    pdq_dihedral: tuple[str, ...] = ()
    frame_pdqs: tuple[tuple[str, int], ...] = ()
    """(pdq, quality) of video frames."""


@dataclass(frozen=True, slots=True)
class MatchResult:
    sha256_of_item: str
    entry_ref: Hashable
    algorithm: str
    distance: int
    status: str = ILLEGAL
    via: str = ""
    """Which hash of the item matched: "md5", "pdq", "pdq:rot90", "frame:3"."""
    needs_confirmation: bool = False


class _Refs:
    """The callers' entry handles, compactly: store row ids (ints) in an int64 array, anything else
    in a list. A 10M-entry list costs 80 MB here instead of ~2 GB of KnownHash objects."""

    def __init__(self) -> None:
        self._ints = array("q")
        self._objects: list[Hashable] | None = None

    def append(self, ref: Hashable) -> None:
        if self._objects is None:
            if type(ref) is int and -(2**63) <= ref < 2**63:
                self._ints.append(ref)
                return
            self._objects = list(self._ints)
        self._objects.append(ref)

    def __getitem__(self, index: int) -> Hashable:
        return self._objects[index] if self._objects is not None else self._ints[index]


class _ExactTable:
    """Raw digests of one algorithm, sorted once and looked up in batches (np.searchsorted)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self._raw = bytearray()
        self._entries = array("q")
        self._sorted: np.ndarray | None = None
        self._order: np.ndarray | None = None
        self._entries_np = np.zeros(0, dtype=np.int64)

    def add(self, value: str, entry: int) -> None:
        raw = bytes.fromhex(value)
        if len(raw) != self.width:
            raise ValueError(f"hash list value of {len(raw)} bytes where {self.width} were expected: {value[:80]!r}")
        self._raw += raw
        self._entries.append(entry)

    def freeze(self) -> None:
        digests = np.frombuffer(bytes(self._raw), dtype=f"S{self.width}")
        self._order = np.argsort(digests, kind="stable")
        self._sorted = digests[self._order]
        self._raw = bytearray()
        self._entries_np = np.frombuffer(self._entries, dtype=np.int64)

    def lookup(self, raws: list[bytes]) -> Iterator[tuple[int, int]]:
        """(position in ``raws``, entry index) of every listed digest."""
        if self._sorted is None or not len(self._sorted) or not raws:
            return
        wanted = np.array(raws, dtype=f"S{self.width}")
        low = np.searchsorted(self._sorted, wanted, "left")
        high = np.searchsorted(self._sorted, wanted, "right")
        assert self._order is not None
        for position in np.flatnonzero(high > low).tolist():
            for entry in self._entries_np[self._order[low[position] : high[position]]].tolist():
                yield position, entry


class Matcher:
    """Every known hash held compactly (numpy digests and codes, not objects), so a list of tens
    of millions of entries fits; items are matched in batches."""

    def __init__(self, entries: Iterable[KnownHash], threshold: int = DEFAULT_THRESHOLD,
                 min_quality: int = QUALITY_MIN, triage_drift: int = TRIAGE_MAX_DRIFT, index_method: str = "auto") -> None:
        self.threshold = threshold
        self.min_quality = min_quality
        self.triage_drift = triage_drift
        self._refs = _Refs()
        self._statuses: list[str] = []
        self._status_of = array("B")
        self._exact = {algorithm: _ExactTable(HEX_LENGTHS[algorithm] // 2) for algorithm in EXACT_ALGORITHMS}
        pdq_raw = bytearray()
        self._pdq_entries = array("q")
        for entry in entries:
            if entry.algorithm not in self._exact and entry.algorithm != "pdq":
                continue  # PhotoDNA and others are stored, never matched
            number = len(self._status_of)
            self._refs.append(entry.ref)
            if entry.status not in self._statuses:
                self._statuses.append(entry.status)
            self._status_of.append(self._statuses.index(entry.status))
            if entry.algorithm == "pdq":
                pdq_raw += bytes.fromhex(entry.value)
                self._pdq_entries.append(number)
            else:
                self._exact[entry.algorithm].add(entry.value, number)
        for table in self._exact.values():
            table.freeze()
        codes = np.frombuffer(bytes(pdq_raw), dtype=np.uint8).reshape(-1, CODE_BYTES)
        del pdq_raw
        self._index = PdqIndex(codes, method=index_method)

    def _entry(self, number: int) -> tuple[Hashable, str]:
        return self._refs[number], self._statuses[self._status_of[number]]

    def match(self, items: Iterable[MediaHashes], dihedral: bool = True, batch: int = 10_000) -> Iterator[MatchResult]:
        """Exact then near matches of every item; one result per (item, entry), the closest."""
        chunk: list[MediaHashes] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= batch:
                yield from self._exact_matches(chunk)
                yield from self._near([q for i in chunk for q in self._queries(i, dihedral)])
                chunk = []
        if chunk:
            yield from self._exact_matches(chunk)
            yield from self._near([q for i in chunk for q in self._queries(i, dihedral)])

    def _exact_matches(self, chunk: list[MediaHashes]) -> Iterator[MatchResult]:
        found: list[tuple[int, int, str]] = []
        for algorithm, table in self._exact.items():
            owners: list[int] = []
            raws: list[bytes] = []
            for position, item in enumerate(chunk):
                value = getattr(item, algorithm)
                if value and len(value) == table.width * 2:
                    try:
                        raws.append(bytes.fromhex(value))
                    except ValueError:
                        continue
                    owners.append(position)
            found.extend((owners[at], entry, algorithm) for at, entry in table.lookup(raws))
        found.sort(key=lambda hit: hit[0])  # item order, then algorithm order as listed
        for position, number, algorithm in found:
            ref, status = self._entry(number)
            yield MatchResult(chunk[position].sha256, ref, algorithm, 0, status, algorithm)

    def _queries(self, item: MediaHashes, dihedral: bool) -> list[tuple[MediaHashes, str, str]]:
        queries: list[tuple[MediaHashes, str, str]] = []
        if item.pdq and (item.pdq_quality or 0) >= self.min_quality:
            queries.append((item, item.pdq, "pdq"))
            if dihedral:
                queries.extend((item, h, f"pdq:{name}") for name, h in zip(DIHEDRAL_NAMES[1:], item.pdq_dihedral[1:],
                                                                            strict=False))
        queries.extend((item, h, f"frame:{i}") for i, (h, q) in enumerate(item.frame_pdqs) if q >= self.min_quality)
        return queries

    def _near(self, pending: list[tuple[MediaHashes, str, str]]) -> Iterator[MatchResult]:
        if not len(self._index) or not pending:
            return
        best: dict[tuple[str, int], MatchResult] = {}
        # triage-pipeline hashes are searched wider (see the module docstring); the rest at the threshold
        triage = [item.pdq_method != EXACT and via.startswith("pdq") for item, _, via in pending]
        for wanted, radius in ((False, self.threshold), (True, self.threshold + self.triage_drift)):
            subset = [n for n, is_triage in enumerate(triage) if is_triage == wanted]
            if not subset:
                continue
            for query, entry_index, distance in self._index.search([pending[n][1] for n in subset], radius):
                item, _, via = pending[subset[query]]
                candidate = wanted and distance > self.threshold - self.triage_drift
                ref, status = self._entry(self._pdq_entries[entry_index])
                key = (item.sha256, entry_index)
                if key not in best or distance < best[key].distance:
                    best[key] = MatchResult(item.sha256, ref, "pdq", distance, status, via, candidate)
        yield from best.values()


def item_status(results: Iterable[MatchResult]) -> str:
    """known / ignorable / unknown for one item from its (confirmed) matches."""
    statuses = {r.status for r in results if not r.needs_confirmation}
    if ILLEGAL in statuses:
        return "known"
    if statuses and statuses <= {IGNORABLE}:
        return "ignorable"
    return "unknown"


def best_match(results: Iterable[MatchResult]) -> MatchResult | None:
    """The match an item's list category comes from: a match on an illegal list first, then the
    nearest, then the lowest entry (a stable choice)."""
    return min(results, key=lambda r: (r.status != ILLEGAL, r.distance, str(r.entry_ref)), default=None)


def needing_confirmation(results: Iterable[MatchResult]) -> set[str]:
    """SHA-256 of items to recompute with the exact PDQ pipeline before reporting."""
    return {r.sha256_of_item for r in results if r.needs_confirmation}
