"""SQLite evidence that SQLite itself calls damaged: check it, say so, and salvage what it can.

Every evidence database gets ``PRAGMA integrity_check`` (``quick_check`` when large) on the
read-only or scratch copy it is read from. When the check fails, or the schema cannot even be
read, the rows that can still be read are recovered with SQLite's own recovery (the ``.recover``
command of the ``sqlite3`` command-line tool, Debian package ``sqlite3``) from a scratch copy
into a new database inside the case folder, and the parser reads that. The evidence itself is
never opened for writing.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

LARGE = 256 << 20
"""Above this size only ``quick_check`` runs (it skips index/row cross-checks: O(N), not O(N log N))."""
MAX_PROBLEMS = 20
RECOVER_TIMEOUT = 3600


@dataclass(frozen=True, slots=True)
class Salvage:
    """A database read from its recovered copy: what SQLite reported and what was recovered."""

    problems: tuple[str, ...]
    recovered: Path
    rows: int
    orphans: int  # rows SQLite found but could not attribute to a table (lost_and_found)

    def note(self) -> str:
        return f"sqlite3 .recover: {self.rows} rows recovered; integrity: {'; '.join(self.problems[:3])}"


def integrity_problems(conn: sqlite3.Connection, size: int) -> list[str]:
    """What SQLite's own check reports (empty when the database is sound)."""
    pragma = "quick_check" if size > LARGE else "integrity_check"
    try:
        rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}({MAX_PROBLEMS})")]
    except (sqlite3.DatabaseError, UnicodeDecodeError) as e:
        return [f"{pragma} could not run: {e}"]
    return [] if rows == ["ok"] else rows


def sqlite_tool() -> str | None:
    return shutil.which("sqlite3")


class SalvageUnavailable(Exception):
    """Recovery could not run (no ``sqlite3`` tool, or it failed); the message says why."""


def recover(copy: Path, target: Path, problems: list[str]) -> Salvage:
    """Rebuild ``copy`` (a scratch copy, never the evidence) into ``target`` with ``.recover``."""
    tool = sqlite_tool()
    if tool is None:
        raise SalvageUnavailable("the sqlite3 command-line tool is not installed (Debian package sqlite3)")
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in (target, Path(f"{target}-journal")):
        stale.unlink(missing_ok=True)  # a recovery cut short by a kill is simply redone
    dump = subprocess.Popen([tool, "-bail", str(copy), ".recover --lost-and-found lost_and_found"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert dump.stdout is not None
    load = subprocess.run([tool, str(target)], stdin=dump.stdout, capture_output=True, timeout=RECOVER_TIMEOUT,
                          check=False)
    dump.stdout.close()
    dump_err = dump.communicate(timeout=RECOVER_TIMEOUT)[1]
    if not target.exists():
        why = (dump_err or load.stderr).decode("utf-8", "replace").strip().splitlines()[:1]
        raise SalvageUnavailable(f"sqlite3 .recover produced nothing ({why[0] if why else 'no output'})")
    conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        rows = orphans = 0
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"):
            n = int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])  # noqa: S608 - names from the recovered schema
            if name.startswith("lost_and_found"):
                orphans += n
            else:
                rows += n
    finally:
        conn.close()
    return Salvage(tuple(problems), target, rows, orphans)
