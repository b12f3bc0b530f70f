"""triage_media: workers decode, the case is written in short transactions, never locked while
waiting for workers; tasks are read a page at a time with the same results."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tantalio.analysis import media_stage
from tantalio.analysis.media_stage import collect_media, triage_media
from tantalio.exec import TaskResult
from tantalio.exec.local import LocalExecutor
from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.store import CaseStore

from ..media.pictures import abstract_picture

FACTS = "SELECT sha256, width, height, pdq, pdq_quality, exif_make, triage_error IS NULL FROM media_item ORDER BY sha256"


class ProbingExecutor:
    """A real in-process executor that, before handing over each result, checks that another
    connection can take the case's write lock at once (as the web UI must)."""

    def __init__(self, case: Path) -> None:
        self.inner = LocalExecutor(workers=1)
        self.workers = 1
        self.probe = sqlite3.connect(case / "case.sqlite", timeout=0, isolation_level=None)
        self.probes = 0

    def map(self, fn: Callable[[Any], Any], tasks: Iterable[tuple[Hashable, Any]]) -> Iterator[TaskResult[Any]]:
        for result in self.inner.map(fn, tasks):
            self.probe.execute("BEGIN IMMEDIATE")  # raises 'database is locked' if triage holds the lock
            self.probe.execute("COMMIT")
            self.probes += 1
            yield result

    def close(self) -> None:
        self.probe.close()


def make_case(root: Path, pictures: int) -> CaseStore:
    evidence = root / "evidence"
    evidence.mkdir(parents=True)
    for i in range(pictures):
        abstract_picture(i, (96, 64)).save(evidence / f"IMG_{i:03d}.jpg", "JPEG")
    (evidence / "copy.jpg").write_bytes((evidence / "IMG_000.jpg").read_bytes())
    (evidence / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(64))
    store = CaseStore.create(root / "case")
    ingest(store, [evidence], IngestOptions("EX-01"))
    collect_media(store)
    return store


def test_triage_never_holds_the_write_lock_while_workers_compute(tmp_path: Path) -> None:
    store = make_case(tmp_path, 12)
    executor = ProbingExecutor(store.folder)
    assert triage_media(store, executor) == 13
    executor.close()
    assert executor.probes == 13
    assert store.conn.execute("SELECT count(*) FROM media_item WHERE triaged_at IS NULL").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM media_item WHERE triage_error IS NOT NULL").fetchone()[0] == 1


def test_paged_tasks_give_the_same_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, paged = make_case(tmp_path / "a", 9), make_case(tmp_path / "b", 9)
    triage_media(whole, LocalExecutor(workers=1))
    monkeypatch.setattr(media_stage, "TASK_PAGE", 2)
    monkeypatch.setattr(media_stage, "WRITE_EVERY", 3)
    with LocalExecutor(workers=2) as executor:
        assert triage_media(paged, executor) == 10
    assert whole.conn.execute(FACTS).fetchall() == paged.conn.execute(FACTS).fetchall()
    again = sorted(r[0] for r in paged.conn.execute("SELECT sha256 FROM media_item LIMIT 3"))
    with LocalExecutor(workers=2) as executor:
        assert triage_media(paged, executor, only=set(again)) == 3
    assert whole.conn.execute(FACTS).fetchall() == paged.conn.execute(FACTS).fetchall()
