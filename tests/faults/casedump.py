"""Every table of a case store as comparable data, and a case's output folder as file digests.

What a repeated or resumed run may legitimately change is left out, and only that:
- ``audit_event`` and ``meta.audit_head``: the audit log records every run, the extra ones too;
- ``meta.created_at`` and every column named ``at`` or ``*_at`` (hashed_at, parsed_at,
  triaged_at, imported_at, registered_at, warning.at...): when something happened, not what.
Everything else, row ids included, must be identical.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

SKIP_TABLES = {"audit_event", "schema_migrations", "sqlite_sequence"}
SKIP_META = {"audit_head", "created_at"}


def dump_case(case: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(f"file:{case / 'case.sqlite'}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table in tables:
            if table in SKIP_TABLES or table.startswith("sqlite_"):
                continue
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            kept = [c for c in columns if not (c == "at" or c.endswith("_at"))]
            rows = conn.execute(f"SELECT {', '.join(kept)} FROM {table}").fetchall()  # noqa: S608 - our own names
            if table == "meta":
                rows = [r for r in rows if r[0] not in SKIP_META]
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        conn.close()


def dump_folder(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(a: dict[str, Any], b: dict[str, Any], limit: int = 5) -> list[str]:
    """Human-readable differences between two dumps (empty when equal)."""
    found: list[str] = []
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key), b.get(key)
        if left == right:
            continue
        if isinstance(left, list) and isinstance(right, list):
            only_a = [r for r in left if r not in right][:limit]
            only_b = [r for r in right if r not in left][:limit]
            found.append(f"{key}: {len(left)} vs {len(right)} rows; only in first {only_a}; only in second {only_b}")
        else:
            found.append(f"{key}: {left!r} vs {right!r}")
    return found
