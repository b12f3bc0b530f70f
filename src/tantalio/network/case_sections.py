"""The network sections of the `tantalio.case/1` document (DESIGN.md §4): persons, retired
person labels, groups, memberships, media, and each exhibit's owner. Deterministic: every list
is sorted, so the same case gives byte-identical JSON. (The document itself is assembled by
:mod:`tantalio.export`; link-chart formats are :mod:`tantalio.network.link_charts`.)"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tantalio.identity import clean_label, identifier_for
from tantalio.model import Party
from tantalio.model.records import MEMBERSHIP_KINDS
from tantalio.network.align import epoch, iso_s
from tantalio.network.labels import current_label
from tantalio.network.roles import ROLE_ORDER
from tantalio.network.sightings import of_range
from tantalio.store.sqlite import CaseStore


def _labels(conn: sqlite3.Connection) -> tuple[dict[int, str], dict[int, str]]:
    persons = dict(conn.execute("SELECT id, label FROM person"))
    chats = dict(conn.execute("SELECT id, label FROM chat"))
    return persons, chats


def owner_persons(conn: sqlite3.Connection) -> dict[str, int]:
    """exhibit id -> person id of its owner (read only: nothing is created here)."""
    out = {}
    for ex, phone, country in conn.execute("SELECT id, owner_phone, country FROM exhibit").fetchall():
        key = identifier_for(Party.owner(), ex, country, phone)
        row = conn.execute("SELECT person_id FROM identifier WHERE kind=? AND normalized=? AND scope=? AND context=?",
                           (key.kind, key.normalized, key.scope, key.context)).fetchone()
        if row and row[0] is not None:
            out[ex] = int(row[0])
    return out


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
        "groups": lambda: _groups(conn, person_label, chat_label),
        "memberships": lambda: _memberships(conn, person_label, chat_label),
        "media": lambda: _media(conn, person_label, chat_label),
    }


def _persons(conn: sqlite3.Connection, person_label: dict[int, str], chat_label: dict[int, str],
             owners: dict[str, int]) -> list[dict[str, Any]]:
    phones: dict[int, set[str]] = defaultdict(set)
    names: dict[int, set[str]] = defaultdict(set)
    countries: dict[int, set[str]] = defaultdict(set)
    exhibits: dict[int, set[str]] = defaultdict(set)
    for pid, kind, value, normalized, scope, country in conn.execute(
        "SELECT person_id, kind, value, normalized, scope, country FROM identifier WHERE person_id IS NOT NULL"
    ):
        if kind == "phone":
            phones[pid].add(normalized)
        elif kind == "display_name":
            names[pid].add(clean_label(value))
        if country:
            countries[pid].add(country)
        if scope:
            exhibits[pid].add(scope)
    for pid, name in conn.execute(
        "SELECT i.person_id, n.value FROM alias a JOIN identifier i ON i.id = a.identifier_id"
        " JOIN identifier n ON n.id = a.name_id WHERE i.person_id IS NOT NULL"
    ):
        names[pid].add(clean_label(name))
    for pid, ex in conn.execute(
        "SELECT i.person_id, m.exhibit_id FROM message m JOIN identifier i ON i.id = m.sender_identifier_id"
        " WHERE i.person_id IS NOT NULL GROUP BY 1, 2"
        " UNION SELECT i.person_id, e.exhibit_id FROM membership_event e JOIN identifier i"
        " ON i.id IN (e.subject_identifier_id, e.actor_identifier_id) WHERE i.person_id IS NOT NULL"
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
    groups: dict[int, set[str]] = defaultdict(set)
    for pid, chat in conn.execute("SELECT DISTINCT person_id, chat_id FROM membership_spell"):
        groups[pid].add(chat_label[chat])
    roles: dict[int, list[str]] = defaultdict(list)
    for pid, role in conn.execute("SELECT person_id, role FROM person_role"):
        roles[pid].append(role)
    scores = {r[0]: r[1:] for r in conn.execute(
        "SELECT person_id, messages, media_posted, known_posted, unknown_posted, first_posts, priority"
        " FROM person_score")}
    out = []
    for pid, label in sorted(person_label.items(), key=lambda kv: kv[1]):
        s = scores.get(pid, (0, 0, 0, 0, 0, 0.0))
        out.append({
            "id": label, "phones": sorted(phones[pid]), "names": sorted(n for n in names[pid] if n),
            "countries": sorted(countries[pid]), "exhibits": sorted(exhibits[pid]), "owner_of": sorted(owner_of[pid]),
            "groups": sorted(groups[pid]),
            "roles": sorted(roles[pid], key=ROLE_ORDER.index) if all(r in ROLE_ORDER for r in roles[pid])
            else sorted(roles[pid]),
            "messages": s[0], "media_posted": s[1], "known_posted": s[2], "unknown_posted": s[3],
            "first_posts": s[4], "priority": s[5],
        })
    return out


def _groups(conn: sqlite3.Connection, person_label: dict[int, str], chat_label: dict[int, str]) -> list[dict[str, Any]]:
    jids: dict[int, set[str]] = defaultdict(set)
    for chat, jid in conn.execute("SELECT chat_id, lower(jid) FROM chat_obs WHERE jid IS NOT NULL AND is_group = 1"):
        jids[chat].add(jid)
    names: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for chat, name, first in conn.execute("SELECT chat_id, name, first_seen FROM chat_name"):
        names[chat].append((first or "", name))
    admins: dict[int, set[int]] = defaultdict(set)
    for chat, pid in conn.execute(
        "SELECT id, creator_person_id FROM chat WHERE creator_person_id IS NOT NULL"
        " UNION SELECT chat_id, person_id FROM group_event WHERE kind IN ('created', 'admin_granted')"
        " AND person_id IS NOT NULL"
        " UNION SELECT co.chat_id, i.person_id FROM group_member gm JOIN chat_obs co ON co.id = gm.chat_obs_id"
        " JOIN identifier i ON i.id = gm.identifier_id WHERE gm.rank IN ('admin', 'creator')"
        " AND i.person_id IS NOT NULL"
    ):
        admins[chat].add(pid)
    members: dict[int, set[int]] = defaultdict(set)
    for chat, pid in conn.execute("SELECT DISTINCT chat_id, person_id FROM membership_spell"):
        members[chat].add(pid)
    out = []
    for chat, platform, created, creator in conn.execute(
        "SELECT id, platform, created_at, creator_person_id FROM chat WHERE is_group = 1"
    ):
        out.append({
            "id": chat_label[chat], "platform": platform, "jids": sorted(jids[chat]),
            "names": [n for _, n in sorted(names[chat])], "created": iso_s(epoch(created)),
            "creator": person_label.get(creator) if creator is not None else None,
            "admins": sorted(person_label[p] for p in admins[chat]),
            "members": sorted(person_label[p] for p in members[chat]),
        })
    return sorted(out, key=lambda g: g["id"])


def _memberships(conn: sqlite3.Connection, person_label: dict[int, str],
                 chat_label: dict[int, str]) -> list[dict[str, Any]]:
    kinds = sorted(MEMBERSHIP_KINDS)
    rows = conn.execute(
        f"SELECT chat_id, person_id, kind, time, actor_person_id FROM group_event WHERE kind IN"  # noqa: S608  (placeholders only)
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
