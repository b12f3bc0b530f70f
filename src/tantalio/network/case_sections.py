"""The network sections of the `tantalio.case/1` document (DESIGN.md §4): persons, retired
person labels, groups, memberships, media, and each exhibit's owner. Deterministic: every list
is sorted, so the same case gives byte-identical JSON. (The document itself is assembled by
:mod:`tantalio.export`; link-chart formats are :mod:`tantalio.network.link_charts`.)"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tantalio.model.records import MEMBERSHIP_KINDS
from tantalio.network import figures
from tantalio.network.group_labels import retired_chat_labels
from tantalio.network.labels import current_label
from tantalio.network.sightings import of_range
from tantalio.store.sqlite import CaseStore


def _labels(conn: sqlite3.Connection) -> tuple[dict[int, str], dict[int, str]]:
    persons = dict(conn.execute("SELECT id, label FROM person"))
    chats = dict(conn.execute("SELECT id, label FROM chat"))
    return persons, chats


def owner_persons(conn: sqlite3.Connection) -> dict[str, int]:
    """exhibit id -> person id of its owner, as network analysis resolved them (``exhibit_owner``)."""
    return dict(conn.execute("SELECT exhibit_id, person_id FROM exhibit_owner"))


def owner_labels(conn: sqlite3.Connection) -> dict[str, str]:
    """exhibit id -> person label of its owner."""
    person_label = dict(conn.execute("SELECT id, label FROM person"))
    return {ex: person_label[pid] for ex, pid in owner_persons(conn).items() if person_label.get(pid) is not None}


def network_sections(store: CaseStore) -> dict[str, Callable[[], Iterable[dict[str, Any]]]]:
    """The network's sections of the document by name, each read when the writer calls it
    (media a chunk at a time: a case holds hundreds of thousands of items)."""
    conn = store.conn
    person_label, chat_label = _labels(conn)
    return {
        "persons": lambda: _persons(conn, person_label, chat_label, owner_persons(conn)),
        "retired_persons": lambda: retired_labels(conn),
        "retired_groups": lambda: retired_chat_labels(conn),
        "groups": lambda: _groups(conn, person_label, chat_label),
        "memberships": lambda: _memberships(conn, person_label, chat_label),
        "media": lambda: _media(conn, person_label, chat_label),
    }


def _persons(conn: sqlite3.Connection, person_label: dict[int, str], chat_label: dict[int, str],
             owners: dict[str, int]) -> list[dict[str, Any]]:
    phones, countries = figures.person_phones_countries(conn)
    exhibits: dict[int, set[str]] = defaultdict(set)
    for pid, scope in conn.execute("SELECT DISTINCT person_id, scope FROM identifier WHERE person_id IS NOT NULL"
                                   " AND scope != ''"):
        exhibits[pid].add(scope)
    for pid, ex in conn.execute(
        "SELECT i.person_id, m.exhibit_id FROM message m JOIN identifier i ON i.id = m.sender_identifier_id"
        " WHERE i.person_id IS NOT NULL GROUP BY 1, 2"
        " UNION SELECT i.person_id, e.exhibit_id FROM membership_event e JOIN identifier i"
        " ON i.id IN (e.person_identifier_id, e.by_identifier_id) WHERE i.person_id IS NOT NULL"
        " UNION SELECT i.person_id, co.exhibit_id FROM group_member g JOIN chat_obs co ON co.id = g.chat_obs_id"
        " JOIN identifier i ON i.id = g.identifier_id WHERE i.person_id IS NOT NULL"
        " UNION SELECT i.person_id, a.exhibit_id FROM alias a JOIN identifier i ON i.id = a.identifier_id"
        " WHERE i.person_id IS NOT NULL"
    ):
        exhibits[pid].add(ex)
    owner_of: dict[int, set[str]] = defaultdict(set)
    for ex, pid in owners.items():
        owner_of[pid].add(ex)
        exhibits[pid].add(ex)
    groups = figures.person_groups(conn)
    roles = figures.person_roles(conn)
    names = figures.name_sightings(conn)
    posted = figures.posted_counts(conn)
    messages = figures.message_counts(conn, owners).by_sender
    priority = dict(conn.execute("SELECT person_id, priority FROM person_score"))
    out = []
    for pid, label in sorted(person_label.items(), key=lambda kv: kv[1]):
        counts = posted.get(pid, figures.PostedCounts())
        out.append({
            "id": label, "phones": sorted(phones[pid]), "names": list(figures.distinct_names(names.get(pid, []))),
            "countries": sorted(countries[pid]), "exhibits": sorted(exhibits[pid]), "owner_of": sorted(owner_of[pid]),
            "groups": sorted(chat_label[c] for c in groups[pid]), "roles": roles.get(pid, []),
            "messages": messages[pid], "media_posted": counts.media_posted, "known_posted": counts.known_posted,
            "unknown_posted": counts.unknown_posted, "first_posts": counts.first_posts,
            "priority": priority.get(pid, 0.0),
        })
    return out


def _groups(conn: sqlite3.Connection, person_label: dict[int, str], chat_label: dict[int, str]) -> list[dict[str, Any]]:
    jids: dict[int, set[str]] = defaultdict(set)
    for chat, jid in conn.execute("SELECT chat_id, lower(jid) FROM chat_obs WHERE jid IS NOT NULL AND is_group = 1"):
        jids[chat].add(jid)
    out = []
    for chat, roster in figures.group_rosters(conn).items():
        out.append({
            "id": chat_label[chat], "platform": roster.platform, "jids": sorted(jids[chat]),
            "names": list(roster.names), "created": roster.created,
            "creator": person_label.get(roster.creator) if roster.creator is not None else None,
            "admins": sorted(person_label[p] for p in roster.admins if p in person_label),
            "members": sorted(person_label[p] for p in roster.members if p in person_label),
        })
    return sorted(out, key=lambda g: g["id"])


def _memberships(conn: sqlite3.Connection, person_label: dict[int, str],
                 chat_label: dict[int, str]) -> list[dict[str, Any]]:
    kinds = sorted(MEMBERSHIP_KINDS)
    rows = conn.execute(
        f"SELECT chat_id, person_id, event, time, by_person_id FROM group_event WHERE event IN"  # noqa: S608  (placeholders only)
        f" ({','.join('?' * len(kinds))}) AND person_id IS NOT NULL", kinds).fetchall()
    out = [{"group": chat_label[c], "person": person_label[p], "event": k, "time": t,
            "by": person_label.get(a) if a is not None else None} for c, p, k, t, a in rows]
    return sorted(out, key=lambda m: (m["group"], m["time"] or "", m["event"], m["person"], m["by"] or ""))


MEDIA_CHUNK = 2_000
"""Media items read per slice of the SHA-256 range: each slice's rows are read with the same
queries bounded to its hashes, so the export holds one slice, not the case's media."""


def _media(conn: sqlite3.Connection, person_label: dict[int, str],
           chat_label: dict[int, str]) -> Iterator[dict[str, Any]]:
    for low, high in _media_slices(conn, MEDIA_CHUNK):
        yield from _media_slice(conn, person_label, chat_label, low, high)


def _media_slices(conn: sqlite3.Connection, size: int) -> list[tuple[str, str]]:
    """[low, high] SHA-256 ranges holding ``size`` media each: items and files messages referred
    to (media_ref hashes are stored lower-case: the store writer lowers them)."""
    bounds: list[tuple[str, str]] = []
    low = previous = None
    count = 0
    for (sha,) in conn.execute("SELECT sha256 FROM media_item UNION SELECT sha256 FROM media_ref"
                               " WHERE sha256 IS NOT NULL ORDER BY 1"):
        if low is None:
            low = sha
        previous, count = sha, count + 1
        if count == size:
            bounds.append((low, sha))
            low, count = None, 0
    if low is not None and previous is not None:
        bounds.append((low, previous))
    return bounds


def _media_slice(conn: sqlite3.Connection, person_label: dict[int, str], chat_label: dict[int, str],
                 low: str, high: str) -> Iterator[dict[str, Any]]:
    span = (low, high)
    items = {r[0]: r for r in conn.execute(
        "SELECT sha256, md5, pdq, status, category, exif_make, exif_model, exif_serial, gps_lat, gps_lon"
        " FROM media_item WHERE sha256 BETWEEN ? AND ?", span)}
    referenced = {sha for (sha,) in conn.execute(
        "SELECT DISTINCT lower(sha256) FROM media_ref WHERE sha256 IS NOT NULL AND sha256 BETWEEN ? AND ?", span)}
    matches: dict[str, tuple[Any, ...]] = {}
    for sha, name, algorithm, distance, category in conn.execute(
        "SELECT m.sha256, l.name, m.algorithm, m.distance, e.category FROM match m"
        " JOIN hash_entry e ON e.id = m.entry_id JOIN hash_list l ON l.id = e.list_id WHERE m.sha256 BETWEEN ? AND ?"
        " ORDER BY m.sha256, l.kind = 'ignorable', m.distance, l.name, m.algorithm, e.id", span
    ):
        matches.setdefault(sha, (name, algorithm, distance, category))
    first = of_range(conn, low, high)
    posts: dict[str, int] = dict(conn.execute(
        "SELECT sha256, count(*) FROM post WHERE sha256 BETWEEN ? AND ? GROUP BY sha256", span))
    instances = dict(conn.execute(
        "SELECT sha256, count(*) FROM media_instance WHERE sha256 BETWEEN ? AND ? GROUP BY sha256", span))
    refs = dict(conn.execute("SELECT lower(sha256), count(*) FROM media_ref WHERE sha256 IS NOT NULL"
                             " AND sha256 BETWEEN ? AND ? GROUP BY 1", span))
    for sha in sorted(set(items) | referenced):
        item = items.get(sha)
        match = matches.get(sha)
        seen = first.get(sha)
        exif = None
        if item is not None and any(x is not None for x in item[5:10]):
            exif = {"make": item[5], "model": item[6], "serial": item[7],
                    "gps": [item[8], item[9]] if item[8] is not None and item[9] is not None else None}
        yield {
            "sha256": sha, "md5": item[1] if item else None, "pdq": item[2] if item else None,
            "status": item[3] if item else "unknown",
            "category": (item[4] if item and item[4] else None) or (match[3] if match else None),
            "match": {"list": match[0], "algorithm": match[1], "distance": match[2]} if match else None,
            "first_seen": {"person": person_label.get(seen.person_id) if seen.person_id is not None else None,
                           "group": chat_label.get(seen.chat_id) if seen.chat_id is not None else None,
                           "time": seen.time, "origin": seen.origin, "family": seen.family,
                           "sha256": seen.sha256} if seen else None,
            "posts": posts.get(sha, 0),
            "instances": instances.get(sha, 0) if item is not None else refs.get(sha, 0),
            "exif": exif,
        }


def retired_labels(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Person labels issued earlier that no longer name a person of their own: merged into another
    label (which now names that person) or retired. A label cited abroad resolves through this."""
    return [{"id": label, "status": status, "merged_into": into, "now": current_label(conn, label),
             "at": at, "by": by, "reason": reason}
            for label, status, into, at, by, reason in conn.execute(
                "SELECT label, status, merged_into, retired_at, retired_by, reason FROM person_label"
                " WHERE status != 'active' ORDER BY number").fetchall()]
