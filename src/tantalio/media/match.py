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

from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass

from tantalio.media.hashlists.categories import IGNORABLE, ILLEGAL
from tantalio.media.index import PdqIndex
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


class Matcher:
    def __init__(self, entries: Iterable[KnownHash], threshold: int = DEFAULT_THRESHOLD,
                 min_quality: int = QUALITY_MIN, triage_drift: int = TRIAGE_MAX_DRIFT) -> None:
        self.threshold = threshold
        self.min_quality = min_quality
        self.triage_drift = triage_drift
        self._exact: dict[tuple[str, str], list[KnownHash]] = defaultdict(list)
        self._pdq: list[KnownHash] = []
        for entry in entries:
            if entry.algorithm in EXACT_ALGORITHMS:
                self._exact[(entry.algorithm, entry.value.lower())].append(entry)
            elif entry.algorithm == "pdq":
                self._pdq.append(entry)
        self._index = PdqIndex([entry.value for entry in self._pdq])

    def match(self, items: Iterable[MediaHashes], dihedral: bool = True, batch: int = 10_000) -> Iterator[MatchResult]:
        """Exact then near matches of every item; one result per (item, entry), the closest."""
        pending: list[tuple[MediaHashes, str, str]] = []  # (item, query hash, via)
        for item in items:
            yield from self._exact_matches(item)
            pending.extend(self._queries(item, dihedral))
            if len(pending) >= batch:
                yield from self._near(pending)
                pending = []
        if pending:
            yield from self._near(pending)

    def _exact_matches(self, item: MediaHashes) -> Iterator[MatchResult]:
        for algorithm in EXACT_ALGORITHMS:
            value = getattr(item, algorithm)
            for entry in self._exact.get((algorithm, value.lower()), ()) if value else ():
                yield MatchResult(item.sha256, entry.ref, algorithm, 0, entry.status, algorithm)

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
        if not len(self._index):
            return
        widest = self.threshold + self.triage_drift
        best: dict[tuple[str, int], MatchResult] = {}
        for query, entry_index, distance in self._index.search([h for _, h, _ in pending], widest):
            item, _, via = pending[query]
            triage = item.pdq_method != EXACT and via.startswith("pdq")
            if not triage and distance > self.threshold:
                continue
            candidate = triage and distance > self.threshold - self.triage_drift
            entry = self._pdq[entry_index]
            key = (item.sha256, entry_index)
            result = MatchResult(item.sha256, entry.ref, "pdq", distance, entry.status, via, candidate)
            if key not in best or distance < best[key].distance:
                best[key] = result
        yield from best.values()


def item_status(results: Iterable[MatchResult]) -> str:
    """known / ignorable / unknown for one item from its (confirmed) matches."""
    statuses = {r.status for r in results if not r.needs_confirmation}
    if ILLEGAL in statuses:
        return "known"
    if statuses and statuses <= {IGNORABLE}:
        return "ignorable"
    return "unknown"


def needing_confirmation(results: Iterable[MatchResult]) -> set[str]:
    """SHA-256 of items to recompute with the exact PDQ pipeline before reporting."""
    return {r.sha256_of_item for r in results if r.needs_confirmation}
