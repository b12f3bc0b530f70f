"""One set of figures for the whole case: every count a page, dossier, overview or package shows.

Web pages (``tantalio.web.data``), dossiers, the overview and country packages all take their
counts from :func:`case_figures`, so a group's member count or a person's message count is the
same wherever it is read. The definitions, once:

* a **message** is one group or chat message however many phones or exports recorded it: rows
  with the same conversation, sender, kind and text within ``SAME_MESSAGE_SECONDS`` of the first
  copy are one message (exports keep only minutes, and phone clocks drift). System lines
  (``system``, ``system_unknown``) are membership events, not messages. ``recordings`` counts the
  rows themselves;
* a group's **members** are everyone ever a member (network analysis's membership spells, the
  ``groups[].members`` of the case document); its **admins** everyone who ever held admin rights
  (creator, admin grants, database ranks);
* a person's **names** are every display name, address-book name, push name, export label and
  username tied to them, each with where it was read (:class:`NameSeen`);
* **media posted** counts posts (one shared message carrying media, de-duplicated across phones),
  split by the status of the item's PDQ family as analysis reads it.

Reads the store only.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from tantalio.identity import clean_label

SAME_MESSAGE_SECONDS = 120

# Who sent a message: the sender's person, or for the device owner's own rows ("from me") with no
# sender recorded, the person who owns the exhibit.
_SENDER = """
SELECT m.id, m.time, m.exhibit_id, coalesce(o.chat_id, -o.id) AS conversation, m.kind, m.text,
       coalesce(i.person_id, CASE WHEN m.from_me = 1 THEN (
           SELECT eo.person_id FROM exhibit_owner eo WHERE eo.exhibit_id = m.exhibit_id) END) AS sender
FROM message m JOIN chat_obs o ON o.id = m.chat_obs_id
LEFT JOIN identifier i ON i.id = m.sender_identifier_id
WHERE m.kind NOT IN ('system', 'system_unknown')
"""


@dataclass(frozen=True, slots=True)
class Recording:
    """One row of the message table: a message as one phone or export recorded it."""

    id: int
    time: str | None
    exhibit: str
    conversation: int          # chat id (negative: a recording not tied to any chat)
    kind: str
    text: str
    sender: int | None         # person id


@dataclass(frozen=True, slots=True)
class NameSeen:
    """A name a person was seen under, and where it was read."""

    name: str
    kind: str                  # address_book | push_name | export_label | display_name | username ...
    exhibit: str | None
    path: str | None
    location: str | None
    file_sha256: str | None


@dataclass(frozen=True, slots=True)
class PersonFigures:
    person: str
    phones: tuple[str, ...]
    countries: tuple[str, ...]
    names: tuple[str, ...]                 # distinct names, as matched (NFC, single spaces)
    sightings: tuple[NameSeen, ...]        # every name with where it was seen
    roles: tuple[str, ...]
    priority: float
    community: int | None
    groups: tuple[str, ...]                # groups they were ever a member of
    messages: int
    media_posted: int
    known_posted: int
    unknown_posted: int
    first_posts: int

    def counts(self) -> dict[str, int]:
        return {"messages": self.messages, "media_posted": self.media_posted, "known_posted": self.known_posted,
                "unknown_posted": self.unknown_posted, "first_posts": self.first_posts}


@dataclass(frozen=True, slots=True)
class GroupFigures:
    group: str
    name: str                              # the latest name seen (the label when none)
    names: tuple[str, ...]                 # every name, oldest first
    platform: str
    created: str | None
    creator: str | None
    admins: tuple[str, ...]
    members: tuple[str, ...]
    messages: int
    recordings: int
    media_posts: int
    first_activity: str | None
    last_activity: str | None


@dataclass(frozen=True, slots=True)
class CaseFigures:
    persons: dict[str, PersonFigures]
    groups: dict[str, GroupFigures]
    messages: int                          # every distinct message of the case
    recordings: int
    media: dict[str, int] = field(default_factory=dict)   # media items by status


def recordings(conn: sqlite3.Connection, person_id: int | None = None) -> list[Recording]:
    """Message rows (system lines left out), optionally only those a person sent."""
    sql = f"SELECT * FROM ({_SENDER})"  # noqa: S608 - constant SQL
    params: tuple[object, ...] = ()
    if person_id is not None:
        sql += " WHERE sender = ?"
        params = (person_id,)
    return [Recording(*row) for row in conn.execute(sql, params)]


def distinct_messages(rows: list[Recording]) -> list[list[Recording]]:
    """Recordings grouped into messages (see the module docstring), each group ordered by time and
    the groups ordered by their first copy's time. Person-filtered and whole-case runs give the
    same groups for a person, since the sender is part of the key."""
    rows = sorted(rows, key=lambda r: (r.conversation, r.sender if r.sender is not None else -1, r.kind, r.text,
                                       r.time or "", r.exhibit, r.id))
    clusters: list[list[Recording]] = []
    for row in rows:
        first = clusters[-1][0] if clusters else None
        if first is not None and (first.conversation, first.sender, first.kind, first.text) == \
                (row.conversation, row.sender, row.kind, row.text) and _within(first.time, row.time):
            clusters[-1].append(row)
        else:
            clusters.append([row])
    clusters.sort(key=lambda c: (c[0].time or "", c[0].id))
    return clusters


def _within(first: str | None, other: str | None) -> bool:
    if first is None or other is None:
        return first == other
    try:
        gap = datetime.fromisoformat(other) - datetime.fromisoformat(first)
    except ValueError:
        return first == other
    return abs(gap.total_seconds()) <= SAME_MESSAGE_SECONDS


def family_status(conn: sqlite3.Connection) -> dict[str, str]:
    """Status of each PDQ family: known if any copy is known, ignorable if every copy is, else unknown."""
    statuses: dict[str, set[str]] = defaultdict(set)
    for family, status in conn.execute("SELECT coalesce(family, sha256), status FROM media_item"):
        statuses[family].add(status)
    return {f: "known" if "known" in s else "ignorable" if s == {"ignorable"} else "unknown"
            for f, s in statuses.items()}


def name_sightings(conn: sqlite3.Connection, person_id: int | None = None) -> dict[int, list[NameSeen]]:
    """Every name each person was seen under, with where: aliases a device gave one of their hard
    identifiers (address book, push name, export label), and names or usernames that are
    identifiers of their own (cited at the first message or membership event that carries them)."""
    only = "" if person_id is None else " AND person = ?"
    params: tuple[object, ...] = () if person_id is None else (person_id, person_id)
    out: dict[int, list[NameSeen]] = defaultdict(list)
    rows = conn.execute(
        "SELECT * FROM (SELECT coalesce(h.person_id, n.person_id) AS person, n.value, a.name_kind, a.exhibit_id, "  # noqa: S608
        "f.path, a.location, f.sha256 FROM alias a JOIN identifier h ON h.id = a.identifier_id "
        "JOIN identifier n ON n.id = a.name_id LEFT JOIN source_file f ON f.id = a.source_file_id) "
        f"WHERE person IS NOT NULL{only} "
        "UNION SELECT * FROM (SELECT i.person_id AS person, i.value, i.kind, "
        "coalesce(m.exhibit_id, e.exhibit_id, nullif(i.scope, '')), coalesce(mf.path, ef.path, nullif(i.context, '')), "
        "coalesce(m.location, e.location), coalesce(mf.sha256, ef.sha256) FROM identifier i "
        "LEFT JOIN message m ON m.id = (SELECT min(id) FROM message WHERE sender_identifier_id = i.id) "
        "LEFT JOIN source_file mf ON mf.id = m.source_file_id "
        "LEFT JOIN membership_event e ON m.id IS NULL AND e.id = (SELECT min(id) FROM membership_event "
        "WHERE person_identifier_id = i.id OR by_identifier_id = i.id) "
        "LEFT JOIN source_file ef ON ef.id = e.source_file_id "
        "WHERE i.kind IN ('display_name', 'username') AND i.id NOT IN (SELECT name_id FROM alias)) "
        f"WHERE person IS NOT NULL{only} ORDER BY 1, 2, 4, 3, 5, 6", params)
    for person, name, kind, exhibit, path, location, sha in rows:
        if clean_label(name):
            out[person].append(NameSeen(name, kind, exhibit, path, location, sha))
    return out


def _labels(conn: sqlite3.Connection, table: str) -> dict[int, str]:
    return dict(conn.execute(f"SELECT id, label FROM {table}"))  # noqa: S608 - table names are ours


def case_figures(conn: sqlite3.Connection) -> CaseFigures:
    """Every figure of the case (see the module docstring for what each counts)."""
    people, chats = _labels(conn, "person"), _labels(conn, "chat")
    rows = recordings(conn)
    messages = distinct_messages(rows)
    by_sender: Counter[int] = Counter(c[0].sender for c in messages if c[0].sender is not None)
    by_chat: Counter[int] = Counter(c[0].conversation for c in messages)
    copies_by_chat: Counter[int] = Counter(r.conversation for r in rows)
    span: dict[int, tuple[str, str]] = {}
    for r in rows:
        if r.time:
            lo, hi = span.get(r.conversation, (r.time, r.time))
            span[r.conversation] = (min(lo, r.time), max(hi, r.time))

    spells: dict[int, set[int]] = defaultdict(set)
    member_of: dict[int, set[int]] = defaultdict(set)
    for chat, pid in conn.execute("SELECT DISTINCT chat_id, person_id FROM membership_spell"):
        spells[chat].add(pid)
        member_of[pid].add(chat)
    admins: dict[int, set[int]] = defaultdict(set)
    for chat, pid in conn.execute(
            "SELECT id, creator_person_id FROM chat WHERE creator_person_id IS NOT NULL "
            "UNION SELECT chat_id, person_id FROM group_event WHERE event IN ('created', 'admin_granted') "
            "AND person_id IS NOT NULL "
            "UNION SELECT o.chat_id, i.person_id FROM group_member g JOIN chat_obs o ON o.id = g.chat_obs_id "
            "JOIN identifier i ON i.id = g.identifier_id WHERE g.rank IN ('admin', 'creator', 'superadmin') "
            "AND i.person_id IS NOT NULL AND o.chat_id IS NOT NULL"):
        admins[chat].add(pid)
    names: dict[int, list[str]] = defaultdict(list)
    for chat, name in conn.execute("SELECT chat_id, name FROM chat_name ORDER BY chat_id, coalesce(first_seen, ''), name"):
        names[chat].append(name)
    for chat, name in conn.execute("SELECT DISTINCT chat_id, name FROM chat_obs WHERE chat_id IS NOT NULL AND "
                                   "name IS NOT NULL AND chat_id NOT IN (SELECT chat_id FROM chat_name) ORDER BY 1, 2"):
        names[chat].append(name)
    posts = dict(conn.execute("SELECT chat_id, count(*) FROM post GROUP BY chat_id").fetchall())
    created = {chat: t for chat, t in conn.execute(
        "SELECT chat_id, min(time) FROM group_event WHERE event = 'created' AND time IS NOT NULL GROUP BY chat_id")}

    groups: dict[str, GroupFigures] = {}
    for cid, label, platform, created_at, creator in conn.execute(
            "SELECT id, label, platform, created_at, creator_person_id FROM chat WHERE is_group = 1 ORDER BY label"):
        first, last = span.get(cid, (None, None))
        groups[label] = GroupFigures(
            label, names[cid][-1] if names[cid] else label, tuple(names[cid]), platform,
            created_at or created.get(cid), people.get(creator) if creator is not None else None,
            tuple(sorted(people[p] for p in admins[cid] if p in people)),
            tuple(sorted(people[p] for p in spells[cid] if p in people)),
            by_chat[cid], copies_by_chat[cid], int(posts.get(cid, 0)), first, last)

    status = family_status(conn)
    posted: dict[int, Counter[str]] = defaultdict(Counter)
    for pid, family, sha in conn.execute("SELECT person_id, family, sha256 FROM post WHERE person_id IS NOT NULL"):
        posted[pid][status.get(family or sha or "", "unknown")] += 1
    first_posts = dict(conn.execute("SELECT person_id, count(*) FROM first_sighting WHERE person_id IS NOT NULL "
                                    "GROUP BY person_id").fetchall())
    phones: dict[int, set[str]] = defaultdict(set)
    countries: dict[int, set[str]] = defaultdict(set)
    for pid, kind, norm, country in conn.execute(
            "SELECT person_id, kind, normalized, country FROM identifier WHERE person_id IS NOT NULL"):
        if kind == "phone":
            phones[pid].add(norm)
        if country:
            countries[pid].add(country)
    roles: dict[int, list[str]] = defaultdict(list)
    for pid, role in conn.execute("SELECT person_id, role FROM person_role ORDER BY person_id, role"):
        roles[pid].append(role)
    scores = {pid: (pr, com) for pid, pr, com in conn.execute("SELECT person_id, priority, community FROM person_score")}
    sightings = name_sightings(conn)

    persons: dict[str, PersonFigures] = {}
    for pid, label in sorted(people.items(), key=lambda kv: kv[1]):
        seen = sightings.get(pid, [])
        counts = posted.get(pid, Counter())
        priority, community = scores.get(pid, (0.0, None))
        persons[label] = PersonFigures(
            label, tuple(sorted(phones[pid])), tuple(sorted(countries[pid])),
            tuple(sorted({clean_label(s.name) for s in seen})), tuple(seen), tuple(roles_in_order(roles[pid])),
            float(priority or 0.0), community, tuple(sorted(chats[c] for c in member_of[pid] if c in chats)),
            by_sender[pid], sum(counts.values()), counts["known"], counts["unknown"], int(first_posts.get(pid, 0)))
    media = dict(sorted(Counter(s for (s,) in conn.execute("SELECT status FROM media_item")).items()))
    return CaseFigures(persons, groups, len(messages), len(rows), media)


ROLE_ORDER = ("producer", "suspected_producer", "distributor", "administrator", "bridge", "consumer")


def roles_in_order(roles: list[str]) -> list[str]:
    """Roles in order of concern (unknown role names after, alphabetically)."""
    return sorted(roles, key=lambda r: (ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER), r))


def message_copies(conn: sqlite3.Connection, person_id: int) -> Iterator[list[Recording]]:
    """A person's messages (see :func:`distinct_messages`), oldest first."""
    yield from distinct_messages(recordings(conn, person_id))
