"""Deleted-row recovery compared with established open-source carvers on the same files.

Synthetic WhatsApp stores (tests/ingest/deleted_fixture.py: secure_delete off; scattered deletes,
a long run of deletes, deletes after the last checkpoint, a transaction whose commit frame is
damaged) are carved by
- Tantalio's carver (tantalio.ingest.deleted_rows.carve_rows),
- DC3's sqlite-dissect (PyPI ``sqlite-dissect``: ``-c -f`` carving with freelists, WAL read),
- sqlite-carver (PyPI ``sqlite-carver``: free blocks and unallocated space),
- SQLite's own ``.recover`` (``--lost-and-found``), where the sqlite3 tool can run it.
Figures: planted rows deleted (committed) and uncommitted, how many of each every tool
recovered (a row counts when its unique key appears in a record the tool reports as carved or
deleted), and live rows a tool reported as deleted (false alarms), with the time each took.

Run from the project root:
    PYTHONPATH=. python bench/carving_compare.py [--tools DIR]
``--tools``: a folder holding the ``sqlite_dissect`` and ``sqlite-carver`` commands (a venv's
bin/ with ``pip install sqlite-dissect sqlite-carver``); missing tools are reported as such.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.ingest.deleted_fixture import Planted, build_android, build_ios

from tantalio.ingest.deleted_rows import carve_rows

csv.field_size_limit(1 << 30)


def live_view(planted: Planted, work: Path) -> sqlite3.Connection:
    """The database as SQLite shows it (WAL applied), from a copy."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(planted.path, work / planted.path.name)
    wal = Path(f"{planted.path}-wal")
    if wal.exists():
        shutil.copy(wal, work / wal.name)
    return sqlite3.connect(work / planted.path.name)


def ours(planted: Planted, work: Path) -> set[str]:
    conn = live_view(planted, work / "ours")
    wal = Path(f"{planted.path}-wal")
    with open(planted.path, "rb") as db:
        wal_stream = open(wal, "rb") if wal.exists() else None  # noqa: SIM115
        try:
            rows = carve_rows(conn, db, wal_stream)
        finally:
            if wal_stream:
                wal_stream.close()
    conn.close()
    return {" ".join(str(v) for v in r.values.values()) for r in rows}


def sqlite_dissect(tool: Path, planted: Planted, work: Path) -> set[str]:
    out = work / "dissect"
    table = "message" if planted.path.name == "msgstore.db" else "ZWAMESSAGE"
    args = [str(tool), str(planted.path), "-d", str(out), "-e", "csv", "-c", "-f", "-b", table, "-l", "off"]
    wal = Path(f"{planted.path}-wal")
    args += ["-w", str(wal)] if wal.exists() else ["-n"]
    subprocess.run(args, capture_output=True, check=False, timeout=600)
    found: set[str] = set()
    for path in out.glob("*.csv"):
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            for row in csv.DictReader(f):
                if row.get("Operation") in ("Carved", "Deleted") or row.get("File Source") == "WAL":
                    found.add(" ".join(row.values()))
    return found


def sqlite_carver(tool: Path, planted: Planted, work: Path) -> set[str]:
    report = work / "carver.tsv"
    subprocess.run([str(tool), "-f", str(planted.path), "-o", str(report)], capture_output=True, check=False,
                   timeout=600)
    if not report.exists():
        return set()
    return set(report.read_text(encoding="utf-8", errors="replace").splitlines()[1:])


def sqlite_recover(planted: Planted, work: Path) -> set[str] | str:
    tool = shutil.which("sqlite3")
    if tool is None:
        return "sqlite3 not installed"
    done = subprocess.run([tool, str(planted.path), ".recover --lost-and-found lost_and_found"],
                          capture_output=True, check=False, timeout=600)
    err = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode or "error" in err.lower():
        return f"cannot run here ({err.splitlines()[0] if err else done.returncode})"
    return {line for line in done.stdout.decode("utf-8", "replace").splitlines() if "lost_and_found" in line}


def score(found: set[str], planted: Planted) -> tuple[int, int, int]:
    text = "\n".join(found)
    hits = {k for k in planted.planted if k in text}
    return len(hits & planted.deleted), len(hits & planted.uncommitted), len(hits & planted.live)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=Path, default=Path(sys.executable).parent)
    args = parser.parse_args()
    dissect, carver = args.tools / "sqlite_dissect", args.tools / "sqlite-carver"
    print("store      rows  wal | deleted uncommitted | tool                     deleted found  uncommitted found  "
          "live reported  seconds")
    for build, label in ((build_android, "msgstore"), (build_ios, "ChatStorage")):
        for count in (400, 2000):
            for wal in (False, True):
                with tempfile.TemporaryDirectory() as tmp:
                    work = Path(tmp)
                    planted = build(work / "evidence", count=count, wal=wal)
                    results: list[tuple[str, set[str] | str, float]] = []
                    for name, run in (
                        ("tantalio", lambda p=planted, w=work: ours(p, w)),
                        ("sqlite-dissect", lambda p=planted, w=work: sqlite_dissect(dissect, p, w)
                         if dissect.exists() else "not installed"),
                        ("sqlite-carver", lambda p=planted, w=work: sqlite_carver(carver, p, w)
                         if carver.exists() else "not installed"),
                        ("sqlite3 .recover", lambda p=planted, w=work: sqlite_recover(p, w)),
                    ):
                        start = time.perf_counter()
                        found = run()
                        results.append((name, found, time.perf_counter() - start))
                    raw = planted.path.read_bytes() + (Path(f"{planted.path}-wal").read_bytes()
                                                       if Path(f"{planted.path}-wal").exists() else b"")
                    results.insert(0, ("(key still in the bytes)", {k for k in planted.planted - planted.live
                                                                    if k.encode() in raw}, 0.0))
                    for name, found, seconds in results:
                        head = f"{label:11s}{count:5d}  {'yes' if wal else 'no ':3s} | {len(planted.deleted):7d} " \
                               f"{len(planted.uncommitted):11d} | {name:25s}"
                        if isinstance(found, str):
                            print(f"{head}{found}")
                            continue
                        deleted, uncommitted, live = score(found, planted)
                        print(f"{head}{deleted:7d} ({deleted / len(planted.deleted):4.0%}) {uncommitted:11d}"
                              f"{live:21d}  {seconds:7.2f}")


if __name__ == "__main__":
    main()
