"""Person and group labels cited outside the case keep their meaning: a label retired by a merge
resolves to the label that now names the person (``person_label``) or the conversation
(``chat_label``), both written by network analysis.

Tolerant: on a case store without that table (older schema) nothing resolves.
"""

from __future__ import annotations

import sqlite3

LABEL_TABLES = ("person_label", "chat_label")


def successor_of(conn: sqlite3.Connection, label: str, table: str = "person_label") -> str | None:
    """The live label a merged-away `label` now goes by (following merges of merges), or None."""
    if table not in LABEL_TABLES:
        raise ValueError(f"not a label table: {table}")
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
    if not has_table:
        return None
    columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    if not {"label", "merged_into"} <= columns:
        return None
    seen = {label}
    current = label
    while True:
        row = conn.execute(f"SELECT merged_into FROM {table} WHERE label=?",  # noqa: S608 - table checked above
                           (current,)).fetchone()
        if row is None or not row[0] or row[0] in seen:
            break
        current = row[0]
        seen.add(current)
    return current if current != label else None
