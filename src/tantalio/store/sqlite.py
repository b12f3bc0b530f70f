"""The SQLite case store (``CASE/case.sqlite``): one writer, named and versioned migrations,
and an append-only audit log whose rows form a SHA-256 hash chain."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from tantalio.errors import CaseExists, CaseNotFound, StoreError

STORE_NAME = "case.sqlite"
GENESIS = "0" * 64
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, seconds precision unless there are fractions."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        raise ValueError("naive datetime reached the store")
    text = dt.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def current_actor() -> str:
    user = os.environ.get("TANTALIO_USER")
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped with the package, in version order (duplicates refused)."""
    found: dict[int, Migration] = {}
    for entry in resources.files("tantalio.store.migrations").iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if not m:
            continue
        version = int(m.group(1))
        if version in found:
            raise StoreError(f"two migrations with version {version}: {found[version].name}, {m.group(2)}")
        found[version] = Migration(version, m.group(2), entry.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


@dataclass(frozen=True, slots=True)
class AuditProblem:
    seq: int
    reason: str


class CaseStore:
    """A case folder and its SQLite store. Use :meth:`create` or :meth:`open`."""

    def __init__(self, folder: Path, conn: sqlite3.Connection) -> None:
        self.folder = folder
        self.conn = conn

    # -- lifecycle -------------------------------------------------------------------------
    @classmethod
    def create(cls, folder: Path, name: str | None = None, timezone: str = "UTC") -> CaseStore:
        folder = Path(folder)
        if (folder / STORE_NAME).exists():
            raise CaseExists(f"{folder}: a case already exists here")
        _check_timezone(timezone)
        folder.mkdir(parents=True, exist_ok=True)
        store = cls(folder, _connect(folder / STORE_NAME))
        store.migrate()
        with store.transaction():
            store.set_meta("name", name or folder.resolve().name)
            store.set_meta("timezone", timezone)
            store.set_meta("created_at", utcnow())
            store.audit("case.init", {"name": name or folder.resolve().name, "timezone": timezone})
        return store

    @classmethod
    def open(cls, folder: Path, migrate: bool = True) -> CaseStore:
        folder = Path(folder)
        path = folder / STORE_NAME
        if not path.is_file():
            raise CaseNotFound(f"{folder}: no Tantalio case here (run `tantalio case init {folder}`)")
        store = cls(folder, _connect(path))
        if migrate:
            store.migrate()
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def scratch(self) -> Path:
        """Working space inside the case folder (never beside evidence)."""
        path = self.folder / "scratch"
        path.mkdir(exist_ok=True)
        return path

    # -- schema ----------------------------------------------------------------------------
    def schema_version(self) -> int:
        row = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
        ).fetchone()
        if row is None:
            return 0
        return int(self.conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])

    def migrate(self) -> list[str]:
        """Apply every migration newer than the store's version, each in its own transaction."""
        known = migrations()
        current = self.schema_version()
        if known and current > known[-1].version:
            raise StoreError(
                f"case schema version {current} is newer than this Tantalio knows ({known[-1].version}); upgrade Tantalio"
            )
        applied = []
        for m in known:
            if m.version <= current:
                continue
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                for statement in _split_sql(m.sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    (m.version, m.name, utcnow()),
                )
                self.conn.execute("COMMIT")
            except sqlite3.Error as e:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise StoreError(f"migration {m.version:04d}_{m.name} failed: {e}") from e
            applied.append(f"{m.version:04d}_{m.name}")
        return applied

    # -- transactions and meta --------------------------------------------------------------
    def wait_for_writers(self, seconds: float) -> None:
        """How long a write waits for another connection's write lock before failing (default 30 s;
        batch intake waits longer, as a parallel worker may be writing a large source)."""
        self.conn.execute(f"PRAGMA busy_timeout={int(seconds * 1000):d}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work (nested calls join the outer transaction)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            # after SQLITE_FULL or an I/O error SQLite has already rolled back: a second ROLLBACK
            # would raise "cannot rollback - no transaction is active" and hide the real cause
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    # -- warnings ----------------------------------------------------------------------------
    def warn(self, stage: str, message: str, exhibit: str | None = None, path: str | None = None,
             location: str = "") -> None:
        """Count a problem in the case's warning log (the same problem twice is one row)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO warning(exhibit_id, path, location, stage, message, at) VALUES (?,?,?,?,?,?)",
            (exhibit, path, location, stage, message, utcnow()),
        )

    def warning_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM warning").fetchone()[0])

    # -- audit -----------------------------------------------------------------------------
    def audit(self, action: str, details: dict[str, Any], actor: str | None = None) -> int:
        """Append an audit event chained to the previous one; returns its sequence number."""
        with self.transaction():
            row = self.conn.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
            at = utcnow()
            who = actor or current_actor()
            body = _canonical(details)
            digest = audit_hash(prev, seq, at, who, action, body)
            self.conn.execute(
                "INSERT INTO audit_event(seq, at, actor, action, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
                (seq, at, who, action, body, prev, digest),
            )
            self.set_meta("audit_head", f"{seq}:{digest}")
        return seq

    def verify_audit(self) -> AuditProblem | None:
        """Recompute the chain; the first row that does not fit, or None when intact."""
        prev = GENESIS
        expected_seq = 1
        for seq, at, actor, action, details, prev_hash, digest in self.conn.execute(
            "SELECT seq, at, actor, action, details, prev_hash, hash FROM audit_event ORDER BY seq"
        ):
            if seq != expected_seq:
                return AuditProblem(expected_seq, f"audit row {expected_seq} is missing")
            if prev_hash != prev:
                return AuditProblem(seq, f"audit row {seq} does not follow row {seq - 1} (a row was deleted or altered)")
            if audit_hash(prev_hash, seq, at, actor, action, details) != digest:
                return AuditProblem(seq, f"audit row {seq} was altered (its content no longer matches its hash)")
            prev = digest
            expected_seq += 1
        head = self.meta("audit_head")
        if head is not None and head != f"{expected_seq - 1}:{prev}":
            return AuditProblem(expected_seq, f"audit log ends at row {expected_seq - 1} but its head records {head.split(':')[0]} (rows removed from the end?)")
        return None


def exhibit_sources(conn: sqlite3.Connection, exhibit_id: str) -> list[tuple[str, str]]:
    """``(location, label)`` of every source an exhibit was ingested from (see ``recorded_tree``)."""
    return [(loc, label) for loc, label in conn.execute(
        "SELECT location, label FROM exhibit_source WHERE exhibit_id=? ORDER BY location", (exhibit_id,))]


def audit_hash(prev: str, seq: int, at: str, actor: str, action: str, details: str) -> str:
    payload = json.dumps([prev, seq, at, actor, action, details], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _connect(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as e:
        from tantalio.errors import EnvironmentProblem

        folder = path.parent
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            raise EnvironmentProblem(f"the case folder {folder} is on a read-only file system ({e})") from e
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise EnvironmentProblem(f"permission denied: cannot write the case store in {folder} ({e})") from e
        raise StoreError(f"{path}: not a usable case store: {e}") from e
    return conn


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (no semicolons inside our string literals)."""
    lines = [ln for ln in script.splitlines() if not ln.lstrip().startswith("--")]
    body = "\n".join(ln.split("--", 1)[0] for ln in lines)
    return [s.strip() for s in body.split(";") if s.strip()]


def _check_timezone(tz: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from tantalio.errors import UserError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise UserError(f"unknown timezone {tz!r} (use an IANA name such as Europe/Madrid)") from e
