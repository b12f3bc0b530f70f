"""First sightings, read side: the one place reports, the web UI and the export ask "who was
first seen posting this media item, where, when, and was the origin observed".

Analysis computes first sightings once per PDQ family of material
(:func:`tantalio.network.attribution.first_sightings`); a file's first sighting is its family's
(a re-encoded copy was first seen when the picture it copies was). ``sha256`` is the copy that
was posted first, which may differ from the file asked about.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import NamedTuple

_COLUMNS = "f.family, f.sha256, f.post_id, f.person_id, f.chat_id, f.time, f.origin, f.note"


class Sighting(NamedTuple):
    family: str
    sha256: str | None          # the copy posted first
    post_id: int | None
    person_id: int | None       # the first observed poster (None: sender not resolved)
    chat_id: int | None
    time: str | None            # ISO UTC
    origin: str                 # observed | forwarded | undetermined
    note: str | None


def by_family(conn: sqlite3.Connection) -> dict[str, Sighting]:
    """Every first sighting, by family."""
    return {r[0]: Sighting(*r) for r in conn.execute(f"SELECT {_COLUMNS} FROM first_sighting f")}  # noqa: S608


def of_items(conn: sqlite3.Connection, sha256s: Iterable[str] | None = None) -> dict[str, Sighting]:
    """Media item SHA-256 -> its family's first sighting (items never posted are absent).
    ``None``: every media item of the case."""
    # every media item, and posted files that triage has not made items of (yet)
    sql = (f"SELECT x.sha256, {_COLUMNS} FROM (SELECT sha256, coalesce(family, sha256) family FROM media_item"  # noqa: S608
           " UNION SELECT sha256, family FROM post) x JOIN first_sighting f ON f.family = x.family")
    if sha256s is None:
        return {r[0]: Sighting(*r[1:]) for r in conn.execute(sql)}
    out = {}
    for sha in sorted(set(sha256s)):
        row = conn.execute(sql + " WHERE x.sha256 = ?", (sha,)).fetchone()
        if row is not None:
            out[row[0]] = Sighting(*row[1:])
    return out


def of_range(conn: sqlite3.Connection, low: str, high: str) -> dict[str, Sighting]:
    """:func:`of_items` for the media items and posted files whose SHA-256 lies in [low, high]
    (the export reads the case's media a slice at a time)."""
    rows = conn.execute(
        f"SELECT x.sha256, {_COLUMNS} FROM (SELECT sha256, coalesce(family, sha256) family FROM media_item"  # noqa: S608
        " WHERE sha256 BETWEEN ?1 AND ?2 UNION SELECT sha256, family FROM post WHERE sha256 BETWEEN ?1 AND ?2) x"
        " JOIN first_sighting f ON f.family = x.family", (low, high))
    return {r[0]: Sighting(*r[1:]) for r in rows}


def of_item(conn: sqlite3.Connection, sha256: str) -> Sighting | None:
    return of_items(conn, [sha256]).get(sha256)


def of_person(conn: sqlite3.Connection, person_id: int | None) -> list[Sighting]:
    """The first sightings a person is the first observed poster of, in time order."""
    if person_id is None:
        return []
    return [Sighting(*r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM first_sighting f WHERE f.person_id = ? ORDER BY f.time, f.family",  # noqa: S608
        (person_id,))]
