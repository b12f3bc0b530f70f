"""Full disk and other environment errors (issue 17 item 6): one line naming the real cause,
exit code 5, and a case left consistent, so the same command run again (once there is room)
gives what one clean run gives.

The disk is a size-limited tmpfs mounted for the test, so these run only as root (and where
mounting is allowed); elsewhere they skip. The classification itself is tested everywhere.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tantalio.demo.config import DemoConfig
from tantalio.demo.generator import generate
from tantalio.errors import EnvironmentProblem, StoreError, environment_problem

from .casedump import differences, dump_case


def tantalio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tantalio", *args], capture_output=True, text=True, timeout=300)


def _mount(target: Path, size: str, *extra: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    options = ",".join((f"size={size}", *extra))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tantalio-test", str(target)],
                          capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a size-limited file system needs root")
    mnt = tmp_path / "disk"
    if not _mount(mnt, "16m"):
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _resize(mnt: Path, size: str, *extra: str) -> None:
    subprocess.run(["mount", "-o", ",".join(("remount", f"size={size}", *extra)), str(mnt)], check=True)


def _init_on_a_nearly_full_disk(mnt: Path, case: Path, headroom_kib: int = 32) -> None:
    """A new case, then the file system shrunk to what it holds plus a little: the case schema
    grows with every migration, so the disk is sized after it rather than guessed before."""
    assert tantalio("case", "init", str(case), "--name", "op").returncode == 0
    st = os.statvfs(mnt)
    used_kib = (st.f_blocks - st.f_bfree) * st.f_frsize // 1024
    _resize(mnt, f"{used_kib + headroom_kib}k")


def _one_line_environment_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    err = result.stderr.strip()
    assert result.returncode == 5, (result.returncode, err)
    assert len(err.splitlines()) == 1 and err.startswith("error:"), err
    assert "Traceback" not in err and "cannot rollback" not in err
    assert any(w in err for w in words), err


def _consistent(case: Path) -> None:
    conn = sqlite3.connect(f"file:{case / 'case.sqlite'}?mode=ro", uri=True)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = tmp_path_factory.mktemp("envdemo")
    manifest = generate(root, DemoConfig.small()).to_json()
    exhibit = max(manifest["exhibits"], key=lambda ex: sum(
        p.stat().st_size for p in (root / ex["path"]).rglob("*") if p.is_file()))
    return root, exhibit


def test_ingest_on_a_full_disk_then_again_with_room(small_disk: Path, tmp_path: Path,
                                                   demo: tuple[Path, dict[str, object]]) -> None:
    root, ex = demo
    args = [str(root / str(ex["path"])), "--exhibit", str(ex["id"]), "--workers", "1"]
    reference = tmp_path / "reference"
    assert tantalio("case", "init", str(reference), "--name", "op").returncode == 0
    assert tantalio("ingest", str(reference), *args).returncode == 0

    case = small_disk / "case"
    _init_on_a_nearly_full_disk(small_disk, case)
    result = tantalio("ingest", str(case), *args)
    _one_line_environment_error(result, "full", "no space left")
    _consistent(case)
    _resize(small_disk, "64m")
    again = tantalio("ingest", str(case), *args)
    assert again.returncode == 0, again.stderr
    assert not differences(dump_case(reference), dump_case(case))


def test_hashlist_import_on_a_full_disk_names_the_real_cause(small_disk: Path, tmp_path: Path) -> None:
    case = small_disk / "case"
    _init_on_a_nearly_full_disk(small_disk, case)
    listing = tmp_path / "big.md5"
    listing.write_text("".join(f"{i:032x}\n" for i in range(40_000)), encoding="ascii")
    result = tantalio("hashlist", "import", str(case), str(listing), "--format", "md5")
    _one_line_environment_error(result, "full", "no space left")
    _consistent(case)
    _resize(small_disk, "64m")
    again = tantalio("hashlist", "import", str(case), str(listing), "--format", "md5")
    assert again.returncode == 0, again.stderr
    conn = sqlite3.connect(case / "case.sqlite")
    assert conn.execute("SELECT count(*) FROM hash_entry").fetchone()[0] == 40_000
    assert conn.execute("SELECT count(*) FROM hash_list").fetchone()[0] == 1
    conn.close()


def test_read_only_case_folder(small_disk: Path, demo: tuple[Path, dict[str, object]]) -> None:
    root, ex = demo
    _resize(small_disk, "64m")
    case = small_disk / "case"
    assert tantalio("case", "init", str(case)).returncode == 0
    _resize(small_disk, "64m", "ro")
    result = tantalio("ingest", str(case), str(root / str(ex["path"])), "--exhibit", str(ex["id"]))
    _one_line_environment_error(result, "read-only")


def test_causes_are_found_behind_wrappers() -> None:
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13  # type: ignore[attr-defined]
    wrapped = StoreError("store failed")
    wrapped.__cause__ = full
    problem = environment_problem(wrapped)
    assert isinstance(problem, EnvironmentProblem) and "disk is full" in str(problem) and problem.exit_code == 5
    denied = environment_problem(PermissionError(errno.EACCES, "Permission denied", "/case/scratch"))
    assert denied is not None and "permission denied (/case/scratch)" in str(denied)
    assert environment_problem(ValueError("a bug")) is None
