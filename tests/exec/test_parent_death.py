"""Workers end with their parent: a SIGKILL of the command must not leave workers running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys; sys.path.insert(0, {root!r})
from tantalio.exec.local import LocalExecutor
from tests.exec.sleepers import note_pid_and_sleep

if __name__ == "__main__":
    with LocalExecutor(workers=2, inflight_per_worker=1) as executor:
        for _ in executor.map(note_pid_and_sleep, [(i, {folder!r}) for i in range(4)]):
            pass
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:   # the process may end between the signal check and this read
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return not stat.split(") ", 1)[-1].startswith("Z")  # zombie: ended


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
def test_sigkill_of_the_parent_ends_its_workers(tmp_path: Path) -> None:
    script = tmp_path / "pool.py"
    script.write_text(SCRIPT.format(root=str(ROOT), folder=str(tmp_path)), encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)])
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("*.pid"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = [int(p.stem) for p in tmp_path.glob("*.pid")]
        assert len(workers) == 2 and all(alive(w) for w in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 15
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if alive(w)], "workers outlived their killed parent"
    finally:
        parent.kill()
        for p in tmp_path.glob("*.pid"):
            try:
                os.kill(int(p.stem), signal.SIGKILL)
            except ProcessLookupError:
                pass
