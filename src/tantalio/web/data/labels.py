"""Person labels cited outside the case keep their meaning: a label retired by a merge resolves
to the label that now names the person (``person_label``, written by network analysis).

Tolerant: on a case store without that table (older schema) nothing resolves.
"""

from __future__ import annotations

import sqlite3


def successor_of(conn: sqlite3.Connection, label: str) -> str | None:
    """The live label a merged-away `label` now goes by (following merges of merges), or None."""
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='person_label'").fetchone()
    if not has_table:
        return None
    columns = {row[1] for row in conn.execute("PRAGMA table_info(person_label)")}
    if not {"label", "merged_into"} <= columns:
        return None
    seen = {label}
    current = label
    while True:
        row = conn.execute("SELECT merged_into FROM person_label WHERE label=?", (current,)).fetchone()
        if row is None or not row[0] or row[0] in seen:
            break
        current = row[0]
        seen.add(current)
    return current if current != label else None
