"""Batch intake: hundreds of exhibits from one manifest, in parallel, resumable.

Each exhibit is one task: a worker (a local process or a Dask worker) runs the ordinary
per-exhibit :func:`~tantalio.ingest.pipeline.ingest` on its own connection to the case store.
Workers hash and parse in parallel; SQLite (WAL) lets one of them write at a time, and each
writes in short transactions (custody rows every 500 files or 2 s, one transaction per parsed
source), waiting for the lock with a long busy timeout. The audit chain is appended under
``BEGIN IMMEDIATE``, so concurrent ingests never fork it.

Resumable: an exhibit whose ingest completed (its ``ingest`` audit event names the same
sources) is not walked again unless ``recheck`` asks; one that was interrupted is run again,
and ingest itself skips what is already recorded and parsed. A per-exhibit lock file in the
case folder keeps two workers (say, an orphan Dask task and a re-run) off the same exhibit.

Workers must see the case folder and the evidence at the same paths, on the case's host:
SQLite's WAL needs all writers on one machine.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tantalio.exec import Executor
from tantalio.ingest.manifest import ManifestRow, check_against_case, read_manifest
from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.store.sqlite import CaseStore

WRITERS_WAIT_S = 3600
"""How long a batch write waits for the case's write lock (a worker writing a big source)."""
HASH_THREADS = 2
"""Hashing threads inside each exhibit's worker (digests release the GIL; overlaps I/O)."""


@dataclass(frozen=True, slots=True)
class ExhibitTask:
    """What a worker needs (plain data: it crosses process and machine boundaries)."""

    case: str
    row: ManifestRow


@dataclass(slots=True)
class ExhibitOutcome:
    exhibit: str
    files: int = 0
    bytes: int = 0
    new_files: int = 0
    parsed: dict[str, int] = field(default_factory=dict)  # parser -> sources of the exhibit parsed
    failed: int = 0
    warnings: int = 0
    state: str = "ingested"  # ingested | already ingested | failed
    error: str | None = None
    seconds: float = 0.0


@dataclass(slots=True)
class BatchReport:
    exhibits: list[ExhibitOutcome]
    seconds: float
    hashed_files: int  # custody records written by this run
    hashed_bytes: int

    @property
    def failed(self) -> list[ExhibitOutcome]:
        return [o for o in self.exhibits if o.state == "failed"]


class BatchProgress(Protocol):
    """What the batch reports while it runs; the CLI shows it on a Rich display."""

    def start(self, exhibits: int) -> None: ...

    def totals(self, files: int, nbytes: int) -> None:
        """Files and bytes on disk for the exhibits to run (known once a background scan ends)."""
        ...

    def update(self, exhibits_done: int, files: int, nbytes: int) -> None: ...

    def done(self) -> None: ...


class NullBatchProgress:
    def start(self, exhibits: int) -> None:
        pass

    def totals(self, files: int, nbytes: int) -> None:
        pass

    def update(self, exhibits_done: int, files: int, nbytes: int) -> None:
        pass

    def done(self) -> None:
        pass


def ingest_exhibit(task: ExhibitTask) -> ExhibitOutcome:
    """Worker side: ingest one exhibit into the case (its own connection, short transactions)."""
    started = time.monotonic()
    row = task.row
    case = Path(task.case)
    with exhibit_lock(case, row.exhibit), CaseStore.open(case, migrate=False) as store:
        store.wait_for_writers(WRITERS_WAIT_S)
        opts = IngestOptions(row.exhibit, row.owner, row.country, row.timezone, None, row.description, HASH_THREADS)
        report = ingest(store, [Path(s) for s in row.sources], opts)
        outcome = exhibit_outcome(store.conn, row.exhibit)
    outcome.new_files = report.new_files
    outcome.seconds = time.monotonic() - started
    return outcome


@contextmanager
def exhibit_lock(case: Path, exhibit: str) -> Iterator[None]:
    """One ingest of an exhibit at a time (released by the OS if the holder dies)."""
    folder = case / "scratch" / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(exhibit.encode("utf-8")).hexdigest()[:32] + ".lock"
    with open(folder / name, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def exhibit_outcome(conn: sqlite3.Connection, exhibit: str) -> ExhibitOutcome:
    """What the case holds for one exhibit: files, bytes, parsed sources per parser, warnings."""
    files, nbytes = conn.execute(
        "SELECT count(*), coalesce(sum(size), 0) FROM source_file WHERE exhibit_id=?", (exhibit,)).fetchone()
    parsed = dict(conn.execute("SELECT parser, count(*) FROM source_file WHERE exhibit_id=? AND status='parsed'"
                               " GROUP BY parser ORDER BY parser", (exhibit,)).fetchall())
    failed = conn.execute("SELECT count(*) FROM source_file WHERE exhibit_id=? AND status='failed'",
                          (exhibit,)).fetchone()[0]
    warnings = conn.execute("SELECT count(*) FROM warning WHERE exhibit_id=?", (exhibit,)).fetchone()[0]
    return ExhibitOutcome(exhibit, int(files), int(nbytes), 0, {str(k): int(v) for k, v in parsed.items()},
                          int(failed), int(warnings))


def completed_exhibits(conn: sqlite3.Connection) -> dict[str, set[frozenset[str]]]:
    """Exhibit -> the source sets of its ingests that ran to the end (their audit events)."""
    done: dict[str, set[frozenset[str]]] = {}
    for details, in conn.execute("SELECT details FROM audit_event WHERE action='ingest'"):
        d = json.loads(details)
        done.setdefault(str(d.get("exhibit")), set()).add(frozenset(d.get("sources") or ()))
    return done


def ingest_batch(case: Path, manifest: Path, executor: Executor, progress: BatchProgress | None = None,
                 recheck: bool = False) -> BatchReport:
    """Ingest every exhibit of ``manifest`` into the case at ``case``; see the module docstring.

    The manifest is checked whole first (:class:`~tantalio.ingest.manifest.ManifestError`)."""
    started = time.monotonic()
    progress = progress or NullBatchProgress()
    case = Path(case).resolve()
    rows = read_manifest(manifest)
    with CaseStore.open(case) as store:  # migrates once, here, before any worker opens it
        store.wait_for_writers(WRITERS_WAIT_S)
        check_against_case(store.conn, rows, manifest)
        complete = completed_exhibits(store.conn)
        outcomes: dict[str, ExhibitOutcome] = {}
        todo: list[ManifestRow] = []
        for row in rows:
            if not recheck and frozenset(row.sources) in complete.get(row.exhibit, set()):
                outcome = exhibit_outcome(store.conn, row.exhibit)
                outcome.state = "already ingested"
                outcomes[row.exhibit] = outcome
            else:
                todo.append(row)
        progress.start(len(rows))
        watcher = _ProgressWatcher(case, [r.exhibit for r in todo], progress, len(outcomes))
        watcher.start(todo)
        try:
            tasks = ((row.exhibit, ExhibitTask(str(case), row)) for row in todo)
            for result in executor.map(ingest_exhibit, tasks):
                exhibit = str(result.task_id)
                if result.ok and result.value is not None:
                    outcomes[exhibit] = result.value
                else:
                    outcome = exhibit_outcome(store.conn, exhibit)
                    outcome.state, outcome.error = "failed", result.error
                    store.warn("intake", f"exhibit not ingested: {result.error}", exhibit)
                    outcomes[exhibit] = outcome
                watcher.exhibit_done()
        finally:
            hashed_files, hashed_bytes = watcher.stop()
            progress.done()
        report = BatchReport([outcomes[r.exhibit] for r in rows], time.monotonic() - started, hashed_files,
                             hashed_bytes)
        store.audit("ingest.batch", {
            "manifest": str(Path(manifest).resolve()), "manifest_sha256": _sha256(Path(manifest)),
            "exhibits": len(rows), "ingested": len(todo), "failed": [o.exhibit for o in report.failed],
        })
    return report


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _ProgressWatcher:
    """Follows the batch from the parent by reading the case store (workers may be anywhere):
    custody rows written since the start give files and bytes; a background scan of the sources
    on disk gives the totals for the rate and ETA."""

    POLL_S = 0.5

    def __init__(self, case: Path, exhibits: list[str], progress: BatchProgress, done: int) -> None:
        self._db = case / "case.sqlite"
        self._exhibits = json.dumps(exhibits)
        self._progress = progress
        self._done = done
        self._files = self._bytes = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._last_id = 0

    def start(self, rows: list[ManifestRow]) -> None:
        conn = self._connect()
        self._last_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM source_file").fetchone()[0])
        conn.close()
        for target, args in ((self._poll, ()), (self._scan, (rows,))):
            thread = threading.Thread(target=target, args=args, daemon=True, name="tantalio-batch-progress")
            thread.start()
            self._threads.append(thread)

    def exhibit_done(self) -> None:
        self._done += 1

    def stop(self) -> tuple[int, int]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._count()
        return self._files, self._bytes

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self._db}?mode=ro", uri=True, timeout=5, check_same_thread=False)

    def _count(self) -> None:
        conn = self._connect()
        try:
            # ids grow in commit order (one writer at a time), so new custody rows are id > last
            top, files, nbytes = conn.execute(
                "SELECT max(id), count(*), coalesce(sum(CASE WHEN instr(path, '!/') = 0 THEN size END), 0)"
                " FROM source_file WHERE id > ? AND exhibit_id IN (SELECT value FROM json_each(?))",
                (self._last_id, self._exhibits)).fetchone()
        except sqlite3.OperationalError:
            return  # busy checkpoint: next poll
        finally:
            conn.close()
        if top is not None:
            self._last_id = int(top)
            self._files += int(files)
            self._bytes += int(nbytes)
        self._progress.update(self._done, self._files, self._bytes)

    def _poll(self) -> None:
        while not self._stop.wait(self.POLL_S):
            self._count()

    def _scan(self, rows: list[ManifestRow]) -> None:
        files = nbytes = 0
        for row in rows:
            for source in row.sources:
                for size in _sizes(Path(source), self._stop):
                    files += 1
                    nbytes += size
                if self._stop.is_set():
                    return
        self._progress.totals(files, nbytes)


def _sizes(root: Path, stop: threading.Event) -> Iterator[int]:
    import os

    if root.is_file():
        yield root.stat().st_size
        return
    stack = [str(root)]
    while stack and not stop.is_set():
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        yield entry.stat(follow_symlinks=False).st_size
        except OSError:
            continue
