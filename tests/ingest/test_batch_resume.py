"""`ingest-batch` killed (SIGKILL of the command) at several points, then run again, leaves the
same case as one uninterrupted run; no worker outlives the killed command."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tantalio.store import CaseStore

from .batchfixture import batch_corpus
from .casecontent import case_content, differences

EXHIBITS = 15
# (what to watch, how far it must have got) - hashing, parsing, and whole exhibits done
KILL_POINTS = (
    ("SELECT count(*) FROM source_file", 1),
    ("SELECT count(*) FROM source_file WHERE status='parsed'", 8),
    ("SELECT count(*) FROM audit_event WHERE action='ingest'", 11),
)


def tantalio(*args: str) -> list[str]:
    return [sys.executable, "-c", "from tantalio.cli import main; main()", *args]


def ingest_batch(case: Path, manifest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(tantalio("ingest-batch", str(case), str(manifest), "--workers", "2"),
                          capture_output=True, text=True, timeout=300)


def progress_of(case: Path, query: str) -> int:
    try:
        with sqlite3.connect(f"file:{case / 'case.sqlite'}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute(query).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_kill_at_several_points_then_rerun_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    manifest = batch_corpus(tmp_path, copies=EXHIBITS // 5)
    clean = tmp_path / "clean"
    CaseStore.create(clean, "op").close()
    done = ingest_batch(clean, manifest)
    assert done.returncode == 0, done.stderr
    assert "ingest-batch" in done.stdout and f"{EXHIBITS} exhibits" in done.stdout
    expected = case_content(clean)

    for n, (query, threshold) in enumerate(KILL_POINTS):
        case = tmp_path / f"killed-{n}"
        CaseStore.create(case, "op").close()
        proc = subprocess.Popen(tantalio("ingest-batch", str(case), str(manifest), "--workers", "2"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        family: set[int] = set()
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            family |= {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
            if progress_of(case, query) >= threshold:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        finished = progress_of(case, "SELECT count(*) FROM audit_event WHERE action='ingest'")
        assert finished < EXHIBITS, f"kill point {n} came after the end"
        assert family, "the command had started no workers"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and [p for p in family if psutil.pid_exists(p) and _running(p)]:
            time.sleep(0.1)
        assert not [p for p in family if psutil.pid_exists(p) and _running(p)], "workers outlived the command"

        again = ingest_batch(case, manifest)
        assert again.returncode == 0, again.stderr
        assert differences(case_content(case), expected) == {}, f"kill point {n}"
        with CaseStore.open(case) as store:
            assert store.verify_audit() is None
            ingested = {r[0] for r in store.conn.execute(
                "SELECT json_extract(details, '$.exhibit') FROM audit_event WHERE action='ingest'")}
        assert len(ingested) == EXHIBITS


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_concurrent_audit_appends_never_fork_the_chain(tmp_path: Path) -> None:
    case = tmp_path / "case"
    CaseStore.create(case).close()
    script = ("import sys; from pathlib import Path; from tantalio.store import CaseStore\n"
              "s = CaseStore.open(Path(sys.argv[1]), migrate=False)\n"
              "for i in range(40): s.audit('test.append', {'writer': sys.argv[2], 'i': i})\n")
    writers = [subprocess.Popen([sys.executable, "-c", script, str(case), str(w)]) for w in range(4)]
    assert [w.wait(timeout=120) for w in writers] == [0] * 4
    with CaseStore.open(case) as store:
        assert store.verify_audit() is None
        seqs = [s for s, in store.conn.execute("SELECT seq FROM audit_event ORDER BY seq")]
    assert seqs == list(range(1, 1 + 1 + 4 * 40)) and os.path.exists(case / "case.sqlite")
