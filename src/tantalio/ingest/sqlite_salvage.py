"""SQLite evidence that SQLite itself calls damaged: check it, say so, and salvage what it can.

Every evidence database gets ``PRAGMA integrity_check`` (``quick_check`` when large) on the
read-only or scratch copy it is read from. When the check fails, or the schema cannot even be
read, the rows that can still be read are recovered from a scratch copy into a new database
inside the case folder, and the parser reads that: with SQLite's own recovery (the ``.recover``
command of the ``sqlite3`` command-line tool) where it works, else page by page
(:mod:`btree_salvage`; Debian 12's ``sqlite3`` lacks the ``sqlite_dbpage`` table ``.recover``
needs). The evidence itself is never opened for writing.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tantalio.ingest.btree_salvage import salvage_by_pages

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
    orphans: int  # rows found on pages no table reaches (lost_and_found)
    method: str

    def note(self) -> str:
        return f"{self.method}: {self.rows} rows recovered; integrity: {'; '.join(self.problems[:3])}"


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
    """Recovery could not run at all; the message says why."""


def recover(copy: Path, target: Path, problems: list[str]) -> Salvage:
    """Rebuild ``copy`` (a scratch copy, never the evidence) into ``target``: with the sqlite3
    tool's ``.recover`` where it works, else page by page (:mod:`btree_salvage`)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in (target, Path(f"{target}-journal")):
        stale.unlink(missing_ok=True)  # a recovery cut short by a kill is simply redone
    why = _sqlite3_recover(copy, target)
    if why is None:
        rows, orphans = _count(target)
        return Salvage(tuple(problems), target, rows, orphans, "sqlite3 .recover")
    target.unlink(missing_ok=True)
    try:
        rows, orphans = salvage_by_pages(copy, target)
    except (ValueError, OSError, sqlite3.Error) as e:
        raise SalvageUnavailable(f"{why}; reading page by page failed too: {e}") from e
    return Salvage(tuple(problems), target, rows, orphans, f"page-by-page b-tree read ({why})")


def _sqlite3_recover(copy: Path, target: Path) -> str | None:
    """None when ``.recover`` rebuilt ``target``; else why it could not."""
    tool = sqlite_tool()
    if tool is None:
        return "the sqlite3 command-line tool is not installed"
    dump = subprocess.run([tool, str(copy), ".recover --lost-and-found lost_and_found"], capture_output=True,
                          timeout=RECOVER_TIMEOUT, check=False)
    err = dump.stderr.decode("utf-8", "replace").strip()
    if dump.returncode != 0 or "error" in err.lower() or b"CREATE TABLE" not in dump.stdout:
        first = err.splitlines()[0] if err else "no tables in its output"
        return f"sqlite3 .recover failed: {first}"
    load = subprocess.run([tool, str(target)], input=dump.stdout, capture_output=True, timeout=RECOVER_TIMEOUT,
                          check=False)
    if load.returncode != 0 or not target.exists():
        return "sqlite3 could not load what .recover wrote"
    return None


def _count(target: Path) -> tuple[int, int]:
    conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        rows = orphans = 0
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"):
            n = int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])  # noqa: S608 - names from the recovered schema
            if name.startswith("lost_and_found"):
                orphans += n
            else:
                rows += n
        return rows, orphans
    finally:
        conn.close()
