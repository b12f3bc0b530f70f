"""Case content compared between runs whose rows were written in a different order.

Parallel workers interleave their writes, so surrogate ids differ from run to run. Every table
is compared as a multiset of rows in which each integer id is replaced by the content of the
row it points to (foreign keys followed recursively) and the times a run happened at (hashed_at,
warning.at …) are left out. The audit log records runs, not content: it is checked apart.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

RUN_TIMES = {"registered_at", "hashed_at", "parsed_at", "applied_at", "imported_at", "triaged_at"}
RUN_TIMES_IN = {"warning": {"at"}, "person_merge": {"at"}, "person": {"created_at"}, "users": {"created_at"},
                "person_label": {"issued_at", "retired_at"}, "chat_label": {"issued_at", "retired_at"},
                "categorisation": {"at"}}
NOT_CONTENT = {"audit_event", "sqlite_sequence", "sessions"}


def case_content(case: Path) -> dict[str, Counter[tuple[Any, ...]]]:
    conn = sqlite3.connect(f"file:{case / 'case.sqlite'}?mode=ro", uri=True)
    try:
        return _Canonical(conn).all_tables()
    finally:
        conn.close()


class _Canonical:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        self.columns = {t: [r[0] for r in conn.execute("SELECT name FROM pragma_table_info(?)", (t,))]
                        for t in self.tables}
        self.keys = {t: {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list(?)", (t,))} for t in self.tables}
        self.memo: dict[tuple[str, Any], Any] = {}

    def kept(self, table: str) -> list[str]:
        drop = RUN_TIMES | RUN_TIMES_IN.get(table, set())
        return [c for c in self.columns[table] if c not in drop and not (c == "id" and self._surrogate(table))]

    def _surrogate(self, table: str) -> bool:
        return any(r[1] == "id" and r[5] and r[2].upper() == "INTEGER"
                   for r in self.conn.execute("SELECT * FROM pragma_table_info(?)", (table,)))

    def row(self, table: str, column: str, value: Any) -> Any:
        if value is None:
            return None
        key = (table, value)
        if key not in self.memo:
            cols = self.kept(table)
            found = self.conn.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE {column}=?",  # noqa: S608
                                      (value,)).fetchone()
            self.memo[key] = (table, self.resolve(table, cols, found)) if found else ("dangling", table, value)
        return self.memo[key]

    def resolve(self, table: str, cols: list[str], values: tuple[Any, ...]) -> tuple[Any, ...]:
        out = []
        for c, v in zip(cols, values, strict=True):
            ref = self.keys[table].get(c)
            out.append(self.row(ref[0], ref[1], v) if ref and ref[1] == "id" else v)
        return tuple(out)

    def all_tables(self) -> dict[str, Counter[tuple[Any, ...]]]:
        content: dict[str, Counter[tuple[Any, ...]]] = {}
        for table in self.tables:
            if table in NOT_CONTENT:
                continue
            cols = self.kept(table)
            rows = self.conn.execute(f"SELECT {', '.join(cols)} FROM {table}")  # noqa: S608
            content[table] = Counter(self.resolve(table, cols, r) for r in rows)
        content["meta"] = Counter(r for r in content.get("meta", Counter()) if r[0] not in ("audit_head", "created_at"))
        return content


def differences(a: dict[str, Counter[tuple[Any, ...]]], b: dict[str, Counter[tuple[Any, ...]]]) -> dict[str, Any]:
    """Per table, a few rows only one side has (empty when the contents are equal)."""
    out: dict[str, Any] = {}
    for table in sorted(set(a) | set(b)):
        only_a, only_b = a.get(table, Counter()) - b.get(table, Counter()), b.get(table, Counter()) - a.get(table, Counter())
        if only_a or only_b:
            out[table] = {"only_first": list(only_a)[:3], "only_second": list(only_b)[:3],
                          "counts": (sum(only_a.values()), sum(only_b.values()))}
    return out
