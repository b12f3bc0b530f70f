"""Media triage on the case store: media items and their instances, PDQ/EXIF through an
executor (local pool or Dask), matching against imported hash lists, PDQ-near families.

Digests come from intake (every evidence file was hashed on arrival), so no file is read
again for them; triage only decodes images and videos. Media that app databases record only by
hash (a WhatsApp SHA-256 whose file is gone) become media items too, matchable on SHA-256.
"""

from __future__ import annotations

import json
import time
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tantalio.errors import EvidenceError
from tantalio.exec import Executor, TaskResult
from tantalio.ingest.sources import EvidenceTree, recorded_tree
from tantalio.media.hashlists.rows import stored_known_hashes
from tantalio.media.index import PdqIndex
from tantalio.media.match import (
    KnownHash,
    Matcher,
    MatchResult,
    MediaHashes,
    best_match,
    item_status,
    needing_confirmation,
)
from tantalio.media.sniff import is_image, is_video
from tantalio.media.triage import MediaFacts, triage_file
from tantalio.network.unionfind import DisjointSets
from tantalio.store.sqlite import CaseStore, exhibit_sources, utcnow

FAMILY_THRESHOLD = 31
PDQ_MIN_QUALITY = 50


@dataclass(frozen=True, slots=True)
class TriageTask:
    """Serialisable: workers open the evidence themselves from a shared path."""

    sha256: str
    locations: tuple[tuple[str, str], ...]  # (source location, label) of the exhibit
    path: str
    mime: str | None
    fast: bool = True


@lru_cache(maxsize=16)
def _tree(locations: tuple[tuple[str, str], ...]) -> EvidenceTree:
    tree = recorded_tree(locations)
    if tree is None:
        raise EvidenceError("none of the exhibit's evidence sources is reachable from this worker")
    return tree


def run_triage_task(task: TriageTask) -> MediaFacts:
    """Worker side: open one evidence file read-only and triage it. A plain file is opened by
    its path; only media inside a container needs the exhibit walked (once per worker)."""
    tree = _tree(task.locations)
    local = tree.local_file(task.path)
    if local is not None:
        return triage_file(str(local), task.mime, fast=task.fast)
    tree.entries()
    return triage_file(lambda: tree.open(task.path), task.mime, fast=task.fast)


def collect_media(store: CaseStore) -> int:
    """Create media items and instances from evidence files and app media references."""
    conn = store.conn
    with store.transaction():
        before = conn.execute("SELECT count(*) FROM media_item").fetchone()[0]
        # a file read only in part (read_error) has digests of that part, not of the picture:
        # it is no media item (it would count as new unknown material); custody keeps it.
        # Every insert here is idempotent: media_instance_once (0009) holds with NULL columns.
        conn.execute(
            "INSERT OR IGNORE INTO media_item(sha256, md5, sha1, size, mime) "
            "SELECT sha256, md5, sha1, size, mime FROM source_file "
            "WHERE (mime LIKE 'image/%' OR mime LIKE 'video/%') AND read_error IS NULL ORDER BY id")
        conn.execute(
            "INSERT OR IGNORE INTO media_item(sha256, size, mime) "
            "SELECT sha256, size, mime FROM media_ref WHERE sha256 IS NOT NULL ORDER BY id")
        # a file found later for a hash-only item fills in its digests
        conn.execute(
            "UPDATE media_item SET md5=(SELECT md5 FROM source_file s WHERE s.sha256=media_item.sha256 LIMIT 1),"
            " sha1=(SELECT sha1 FROM source_file s WHERE s.sha256=media_item.sha256 LIMIT 1) WHERE md5 IS NULL")
        conn.execute(
            "INSERT OR IGNORE INTO media_instance(sha256, exhibit_id, source_file_id, path, message_id, seen_as) "
            "SELECT sha256, exhibit_id, id, path, NULL, 'file' FROM source_file "
            "WHERE sha256 IN (SELECT sha256 FROM media_item) AND read_error IS NULL ORDER BY id")
        conn.execute(
            "INSERT OR IGNORE INTO media_instance(sha256, exhibit_id, source_file_id, path, message_id, seen_as) "
            "SELECT r.sha256, r.exhibit_id, s.id, r.path, r.message_id, r.seen_as FROM media_ref r "
            "LEFT JOIN source_file s ON s.exhibit_id=r.exhibit_id AND s.path=r.path "
            "WHERE r.sha256 IS NOT NULL ORDER BY r.id")
        after = conn.execute("SELECT count(*) FROM media_item").fetchone()[0]
    return int(after - before)


def _locations(store: CaseStore) -> dict[str, tuple[tuple[str, str], ...]]:
    exhibits = [r[0] for r in store.conn.execute("SELECT id FROM exhibit ORDER BY id")]
    return {ex: tuple(exhibit_sources(store.conn, ex)) for ex in exhibits}


TASK_PAGE = 1000
WRITE_EVERY = 500
WRITE_SECONDS = 1.0


def _tasks(store: CaseStore, fast: bool, only: set[str] | None = None) -> Iterator[tuple[Hashable, TriageTask]]:
    """Triage tasks read a page at a time (a case may hold millions of media items: nothing per
    item is kept beyond the page). Each item is read from its first recorded file, and items come
    in custody order (exhibit by exhibit, folder by folder), which keeps disk reads and each
    worker's view of an exhibit local."""
    conn = store.conn
    locations = _locations(store)
    if only is not None:
        chosen = sorted(only)
        for start in range(0, len(chosen), TASK_PAGE):
            page = conn.execute(
                "SELECT s.id, s.sha256, s.exhibit_id, s.path, m.mime FROM media_item m JOIN source_file s"
                " ON s.id = (SELECT min(id) FROM source_file f WHERE f.sha256 = m.sha256)"
                " WHERE m.sha256 IN (SELECT value FROM json_each(?)) ORDER BY s.id",
                (json.dumps(chosen[start:start + TASK_PAGE]),)).fetchall()
            yield from _page_tasks(page, locations, fast)
        return
    last = 0
    while True:
        page = conn.execute(
            "SELECT s.id, s.sha256, s.exhibit_id, s.path, m.mime FROM source_file s JOIN media_item m"
            " ON m.sha256 = s.sha256 WHERE s.id > ? AND m.triaged_at IS NULL"
            " AND s.id = (SELECT min(id) FROM source_file f WHERE f.sha256 = s.sha256) ORDER BY s.id LIMIT ?",
            (last, TASK_PAGE)).fetchall()
        if not page:
            return
        last = page[-1][0]
        yield from _page_tasks(page, locations, fast)


def _page_tasks(page: list[tuple[int, str, str, str, str | None]], locations: dict[str, tuple[tuple[str, str], ...]],
                fast: bool) -> Iterator[tuple[Hashable, TriageTask]]:
    for _, sha, ex, path, mime in page:
        if ex in locations and (is_image(mime) or is_video(mime)):
            yield sha, TriageTask(sha, locations[ex], path, mime, fast)


def _count_tasks(store: CaseStore, only: set[str] | None) -> int:
    if only is not None:
        return len(only)
    return int(store.conn.execute(
        "SELECT count(*) FROM media_item m WHERE triaged_at IS NULL AND (mime LIKE 'image/%' OR mime LIKE 'video/%')"
        " AND EXISTS (SELECT 1 FROM source_file s WHERE s.sha256 = m.sha256)").fetchone()[0])


def triage_media(store: CaseStore, executor: Executor, progress: Any = None, fast: bool = True,
                 only: set[str] | None = None) -> int:
    """PDQ/EXIF for every untriaged media item that has a file (``only``: these items, again).

    Workers decode; this process writes their facts in short transactions (every 500 results or
    second), never holding the case's write lock while waiting for workers, so the web UI and
    other writers get their turn and a kill loses at most a second of results."""
    if progress is not None:
        progress.phase("triage", _count_tasks(store, only), 0)
    done = 0
    results: list[TaskResult[MediaFacts]] = []
    written = time.monotonic()
    for result in executor.map(run_triage_task, _tasks(store, fast, only)):
        results.append(result)
        done += 1
        if progress is not None:
            progress.advance(1, 0)
        if len(results) >= WRITE_EVERY or time.monotonic() - written >= WRITE_SECONDS:
            _write_results(store, results)
            written = time.monotonic()
    _write_results(store, results)
    if progress is not None:
        progress.done()
    return done


def _write_results(store: CaseStore, results: list[TaskResult[MediaFacts]]) -> None:
    with store.transaction():
        for result in results:
            sha = str(result.task_id)
            if not result.ok or result.value is None:
                store.warn("triage", f"triage failed: {result.error}", None, sha)
                store.conn.execute("UPDATE media_item SET triage_error=?, triaged_at=? WHERE sha256=?",
                                   (result.error, utcnow(), sha))
            else:
                _store_facts(store, sha, result.value)
    results.clear()


def _store_facts(store: CaseStore, sha: str, f: MediaFacts) -> None:
    exif = f.exif
    frames = json.dumps([[fr.pdq, fr.quality] for fr in f.video_frames]) if f.video_frames else None
    store.conn.execute(
        "UPDATE media_item SET mime=coalesce(?, mime), width=?, height=?, pdq=?, pdq_quality=?, pdq_method=?,"
        " pdq_dihedral=?, frames=?, exif_make=?, exif_model=?, exif_serial=?, exif_lens_serial=?, exif_taken=?,"
        " exif_software=?, gps_lat=?, gps_lon=?, triage_error=?, triaged_at=? WHERE sha256=?",
        (f.mime, f.width, f.height, f.pdq, f.pdq_quality, f.pdq_method,
         json.dumps(list(f.pdq_dihedral)) if f.pdq_dihedral else None, frames,
         getattr(exif, "make", None), getattr(exif, "model", None), getattr(exif, "body_serial", None),
         getattr(exif, "lens_serial", None), getattr(exif, "taken_utc", None) or getattr(exif, "taken_raw", None),
         getattr(exif, "software", None), getattr(exif, "gps_lat", None), getattr(exif, "gps_lon", None),
         f.error, utcnow(), sha),
    )
    if f.error:
        store.warn("triage", f.error, None, sha)


def _known_hashes(store: CaseStore) -> Iterator[KnownHash]:
    return stored_known_hashes(store.conn)  # streamed: the matcher keeps entries compactly


def _media_hashes(store: CaseStore, only: set[str] | None = None) -> list[MediaHashes]:
    items = []
    for sha, md5, sha1, pdq, q, method, dihedral, frames in store.conn.execute(
        "SELECT sha256, md5, sha1, pdq, pdq_quality, pdq_method, pdq_dihedral, frames FROM media_item ORDER BY sha256"
    ):
        if only is not None and sha not in only:
            continue
        items.append(MediaHashes(
            sha, md5, sha1, pdq, q, method or "exact", tuple(json.loads(dihedral)) if dihedral else (),
            tuple((h, int(qq)) for h, qq in json.loads(frames)) if frames else ()))
    return items


def match_media(store: CaseStore, executor: Executor, threshold: int = 31) -> dict[str, int]:
    """Match every media item against the imported lists and set its status and category."""
    matcher = Matcher(_known_hashes(store), threshold=threshold)
    results = list(matcher.match(_media_hashes(store)))
    recheck = needing_confirmation(results)
    if recheck:  # triage-path hashes near the threshold: recompute exactly, then match again
        triage_media(store, executor, fast=False, only=recheck)
        results = [r for r in results if r.sha256_of_item not in recheck]
        results += list(matcher.match(_media_hashes(store, recheck)))
    by_item: dict[str, list[MatchResult]] = {}
    for r in results:
        if not r.needs_confirmation:
            by_item.setdefault(r.sha256_of_item, []).append(r)
    conn = store.conn
    with store.transaction():
        conn.execute("DELETE FROM match")
        conn.execute("UPDATE media_item SET status='unknown', category=NULL")
        for sha, found in by_item.items():
            status = item_status(found)
            best = best_match(found)
            assert best is not None     # only items with matches are here
            category = conn.execute("SELECT category FROM hash_entry WHERE id=?", (best.entry_ref,)).fetchone()[0]
            conn.execute("UPDATE media_item SET status=?, category=? WHERE sha256=?",
                         (status, category if status != "unknown" else None, sha))
            for r in found:
                conn.execute("INSERT OR REPLACE INTO match(sha256, entry_id, algorithm, distance) VALUES (?,?,?,?)",
                             (sha, r.entry_ref, r.algorithm, r.distance))
    counts = dict(conn.execute("SELECT status, count(*) FROM media_item GROUP BY status").fetchall())
    return {k: int(v) for k, v in counts.items()}


def assign_families(store: CaseStore, threshold: int = FAMILY_THRESHOLD) -> int:
    """The one PDQ family clusterer: items whose PDQs are within ``threshold`` (quality >= 50,
    HASHING.md) are copies of one picture (re-encodes, screenshots), grouped by union-find over
    the pairs the index finds. Items without a usable PDQ are their own family.

    A family keeps the id it had: of the ids its items carried from an earlier run, the smallest
    not taken by another family; a new family is named by its smallest SHA-256. Dossiers and
    reports cite family ids, so a new exhibit joining a family does not rename it. Returns the
    number of families."""
    rows = store.conn.execute(
        "SELECT sha256, pdq, pdq_quality, family FROM media_item ORDER BY sha256").fetchall()
    sets = DisjointSets(range(len(rows)))
    usable = [(i, pdq) for i, (_, pdq, quality, _) in enumerate(rows)
              if pdq and len(pdq) == 64 and (quality or 0) >= PDQ_MIN_QUALITY]
    if usable:
        index = PdqIndex([pdq for _, pdq in usable])
        for q, e, _ in index.search([pdq for _, pdq in usable], threshold):
            sets.union(usable[q][0], usable[e][0])
    taken: set[str] = set()
    updates: list[tuple[str, str]] = []
    components = sorted(sets.groups().values(), key=lambda members: rows[members[0]][0])
    for members in components:
        earlier = sorted({rows[m][3] for m in members if rows[m][3]} - taken)
        family = earlier[0] if earlier else rows[members[0]][0]
        taken.add(family)
        updates.extend((family, rows[m][0]) for m in members if rows[m][3] != family)
    with store.transaction():
        store.conn.executemany("UPDATE media_item SET family=? WHERE sha256=?", updates)
    return len(components)
