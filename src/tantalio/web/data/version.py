"""A cheap fingerprint of the case's content, for caches of pages computed from it.

The audit head is not one: it moves with every preview a reviewer looks at. What changes the
analysis is ingest, triage, hash-list imports and `analyze` (each writes a non-web audit event)
and reviewers' categorisations (rows of their own table); the row-id maxima catch a writer that
does not audit.
"""

from __future__ import annotations

import sqlite3

_VERSION_SQL = (
    "SELECT (SELECT max(seq) FROM audit_event WHERE action < 'web.' OR action >= 'web/'), "
    "(SELECT max(id) FROM message), (SELECT max(id) FROM person), "
    "(SELECT max(id) FROM group_event), (SELECT max(id) FROM source_file), (SELECT max(id) FROM warning)"
)


def case_version(conn: sqlite3.Connection, reviews: bool = True) -> tuple[object, ...]:
    """`reviews`: also change with reviewers' categorisations (the case document shows them; the
    network graph and conversations do not, and are not rebuilt for them)."""
    version = tuple(conn.execute(_VERSION_SQL).fetchone())
    if reviews:
        version += tuple(conn.execute("SELECT max(id) FROM categorisation").fetchone())
    return version
