"""An interrupted report is never taken for a complete one: a marker stays until the run ends,
files appear whole or not at all, PDF workers die with the killed parent, and running the same
command again gives the same files as one clean run (SOURCE_DATE_EPOCH fixes the run time, and
Ed25519 signatures are deterministic, so even the signed packages are the same bytes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tantalio.report.build import MARKER, write_reports
from tantalio.store import CaseStore

from .casefixture import build_case

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1493631000", "TANTALIO_USER": "analyst1"}


def _command(case: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", "from tantalio.cli import main; main()", "report", str(case), str(out),
            "--country", "ES"]


def _children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def _running(pid: int) -> bool:
    """Still a live process (not gone, not a zombie); one ending while it is read has ended."""
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return False


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_killed_report_is_marked_and_a_rerun_matches_a_clean_run(tmp_path: Path) -> None:
    fx = build_case(tmp_path)
    out = tmp_path / "out"
    run = subprocess.Popen(_command(fx.folder, out), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and run.poll() is None:
        workers = _children(run.pid)
        if len(workers) >= 2 and (out / MARKER).exists():     # the PDF pool is at work
            break
        time.sleep(0.05)
    finished_first = run.poll() is not None
    run.send_signal(signal.SIGKILL)
    run.wait()
    if not finished_first:
        assert (out / MARKER).exists(), "a killed run must leave its folder marked incomplete"
        assert not (out / "packages" / "ES.zip").exists()
        gone = time.monotonic() + 20
        while time.monotonic() < gone and any(Path(f"/proc/{w}").exists() for w in workers):
            time.sleep(0.1)
        alive = [w for w in workers if _running(w)]
        assert alive == [], "PDF workers outlived the killed report"
    again = subprocess.run(_command(fx.folder, out), env=ENV, timeout=300, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert not (out / MARKER).exists() and not list(out.rglob(".*.partial"))
    clean = tmp_path / "clean"          # one clean run, in this process, with the same clock and analyst
    with CaseStore.open(fx.folder) as store:
        write_reports(store, clean, country="ES", workers=1, analyst="analyst1",
                      generated=datetime.fromtimestamp(int(ENV["SOURCE_DATE_EPOCH"]), UTC))
    assert _files(out) == _files(clean)
