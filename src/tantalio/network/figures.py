"""What each figure of the case counts, defined once: the case export (``tantalio.case/1``), the
dossiers, overview, packages and web pages all call these functions, so a person's message count
or a group's member list is the same wherever it is read (issue 14 item 2). Network analysis
stores the same figures in ``person_score`` and quotes them in role evidence.

* a **message** is one group or chat message however many phones or exports recorded it: rows
  with the same conversation, sender, kind and text within ``SAME_MESSAGE_SECONDS`` of the first
  copy are one message (exports keep only minutes, and phone clocks drift). System lines
  (``system``, ``system_unknown``) are membership events, not messages. A row's **sender** is the
  person of its sender identifier, or for the device owner's own rows ("from me") with no
  resolved sender, the person who owns the exhibit. *Recordings* are the rows themselves;
* **media posted** counts a person's posts (one shared message carrying media, de-duplicated
  across phones: the ``post`` table), split into **known** and **unknown** by the status of the
  item's PDQ family (known if any copy matched a list, ignorable if every copy is, else unknown);
  **first posts** are the families of material the person is the first observed poster of;
* a group's **members** are everyone ever a member (network analysis's membership spells); its
  **admins** everyone who ever held admin rights (creator, creation and admin-grant events,
  creator/admin ranks a group database lists); its **names** every name seen, oldest first; its
  **creation** the time a database recorded, else the earliest creation event;
* a person's **names** are every display name, address-book name, push name, export label and
  username tied to them, each with where it was read (:class:`NameSeen`);
* a person's **roles** are listed in order of concern (:data:`tantalio.network.roles.ROLE_ORDER`).

Reads the store only; the counting pass streams (SQLite sorts), so a case of millions of messages
is never held in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from tantalio.identity import clean_label
from tantalio.network.align import epoch, iso_s
from tantalio.network.roles import ROLE_ORDER

SAME_MESSAGE_SECONDS = 120
ADMIN_RANKS = ("admin", "creator", "superadmin")

# Every recorded message row with its sender (see the module doc); :owners is a JSON object
# exhibit id -> person id of the exhibit's owner.
_RECORDINGS = """
SELECT m.id, m.time, m.exhibit_id, coalesce(o.chat_id, -o.id) AS conversation, m.kind, m.text,
       coalesce(i.person_id, w.person_id) AS sender
FROM message m JOIN chat_obs o ON o.id = m.chat_obs_id
LEFT JOIN identifier i ON i.id = m.sender_identifier_id
LEFT JOIN (SELECT key AS exhibit_id, value AS person_id FROM json_each(:owners)) w
       ON m.from_me = 1 AND w.exhibit_id = m.exhibit_id
WHERE m.kind NOT IN ('system', 'system_unknown')
"""
_CLUSTER_ORDER = " ORDER BY conversation, coalesce(sender, -1), kind, text, coalesce(time, ''), exhibit_id, id"


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


@dataclass(slots=True)
class MessageCounts:
    """Distinct messages per sender and per conversation, and the case's totals."""

    by_sender: Counter[int] = field(default_factory=Counter)
    by_conversation: Counter[int] = field(default_factory=Counter)
    recordings_by_conversation: Counter[int] = field(default_factory=Counter)
    messages: int = 0
    recordings: int = 0


@dataclass(frozen=True, slots=True)
class PostedCounts:
    media_posted: int = 0
    known_posted: int = 0
    unknown_posted: int = 0
    first_posts: int = 0


@dataclass(frozen=True, slots=True)
class GroupRoster:
    """Who a group had and when it began (see the module doc)."""

    platform: str
    created: str | None
    creator: int | None                    # person id
    admins: frozenset[int]
    members: frozenset[int]
    names: tuple[str, ...]


# -- messages ------------------------------------------------------------------------------------

def _owners_json(owners: dict[str, int]) -> str:
    return json.dumps(owners, sort_keys=True)


def recordings(conn: sqlite3.Connection, owners: dict[str, int], person_id: int | None = None) -> list[Recording]:
    """Message rows (system lines left out), optionally only those a person sent."""
    sql = f"SELECT * FROM ({_RECORDINGS})"  # noqa: S608 - constant SQL
    params: dict[str, object] = {"owners": _owners_json(owners)}
    if person_id is not None:
        sql += " WHERE sender = :person"
        params["person"] = person_id
    return [Recording(*row) for row in conn.execute(sql, params)]


def _same_time(first: str | None, other: str | None) -> bool:
    if first is None or other is None:
        return first == other
    try:
        gap = datetime.fromisoformat(other) - datetime.fromisoformat(first)
    except ValueError:
        return first == other
    return abs(gap.total_seconds()) <= SAME_MESSAGE_SECONDS


def _clusters(rows: Iterable[Recording]) -> Iterator[list[Recording]]:
    """Recordings already ordered by (conversation, sender, kind, text, time) grouped into messages."""
    cluster: list[Recording] = []
    for row in rows:
        if cluster:
            first = cluster[0]
            if (first.conversation, first.sender, first.kind, first.text) == \
                    (row.conversation, row.sender, row.kind, row.text) and _same_time(first.time, row.time):
                cluster.append(row)
                continue
            yield cluster
        cluster = [row]
    if cluster:
        yield cluster


def distinct_messages(rows: list[Recording]) -> list[list[Recording]]:
    """Recordings grouped into messages (see the module docstring), each group ordered by time and
    the groups ordered by their first copy's time. Person-filtered and whole-case runs give the
    same groups for a person, since the sender is part of the key."""
    rows = sorted(rows, key=lambda r: (r.conversation, r.sender if r.sender is not None else -1, r.kind, r.text,
                                       r.time or "", r.exhibit, r.id))
    clusters = list(_clusters(rows))
    clusters.sort(key=lambda c: (c[0].time or "", c[0].id))
    return clusters


def message_counts(conn: sqlite3.Connection, owners: dict[str, int]) -> MessageCounts:
    """Distinct messages of the whole case, counted in one streamed pass (SQLite sorts)."""
    out = MessageCounts()
    rows = (Recording(*r) for r in conn.execute(f"SELECT * FROM ({_RECORDINGS}){_CLUSTER_ORDER}",  # noqa: S608 - constant SQL
                                                {"owners": _owners_json(owners)}))
    for cluster in _clusters(rows):
        first = cluster[0]
        out.messages += 1
        out.recordings += len(cluster)
        out.by_conversation[first.conversation] += 1
        out.recordings_by_conversation[first.conversation] += len(cluster)
        if first.sender is not None:
            out.by_sender[first.sender] += 1
    return out


# -- media posted --------------------------------------------------------------------------------

def family_status(conn: sqlite3.Connection) -> dict[str, str]:
    """Status of each PDQ family: known if any copy is known, ignorable if every copy is, else unknown."""
    statuses: dict[str, set[str]] = defaultdict(set)
    for family, status in conn.execute("SELECT coalesce(family, sha256), status FROM media_item"):
        statuses[family].add(status)
    return {f: "known" if "known" in s else "ignorable" if s == {"ignorable"} else "unknown"
            for f, s in statuses.items()}


def posted_counts(conn: sqlite3.Connection) -> dict[int, PostedCounts]:
    """person id -> media posted, known, unknown, first posts (persons with none are absent)."""
    status = family_status(conn)
    posted: dict[int, Counter[str]] = defaultdict(Counter)
    for pid, family, sha in conn.execute("SELECT person_id, family, sha256 FROM post WHERE person_id IS NOT NULL"):
        posted[pid][status.get(family or sha or "", "unknown")] += 1
    firsts = dict(conn.execute("SELECT person_id, count(*) FROM first_sighting WHERE person_id IS NOT NULL "
                               "GROUP BY person_id").fetchall())
    return {pid: PostedCounts(sum(posted[pid].values()), posted[pid]["known"], posted[pid]["unknown"],
                              int(firsts.get(pid, 0)))
            for pid in sorted(set(posted) | set(firsts))}


# -- persons -------------------------------------------------------------------------------------

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


def distinct_names(seen: Iterable[NameSeen]) -> tuple[str, ...]:
    """A person's names as matched (NFC, single spaces), sorted."""
    return tuple(sorted({clean_label(s.name) for s in seen}))


def roles_in_order(roles: Iterable[str]) -> list[str]:
    """Roles in order of concern (unknown role names after, alphabetically)."""
    return sorted(roles, key=lambda r: (ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER), r))


def person_roles(conn: sqlite3.Connection) -> dict[int, list[str]]:
    roles: dict[int, list[str]] = defaultdict(list)
    for pid, role in conn.execute("SELECT person_id, role FROM person_role ORDER BY person_id, role"):
        roles[pid].append(role)
    return {pid: roles_in_order(found) for pid, found in roles.items()}


def person_groups(conn: sqlite3.Connection) -> dict[int, set[int]]:
    """person id -> the groups (chat ids) they were ever a member of."""
    out: dict[int, set[int]] = defaultdict(set)
    for chat, pid in conn.execute("SELECT DISTINCT chat_id, person_id FROM membership_spell"):
        out[pid].add(chat)
    return out


def person_phones_countries(conn: sqlite3.Connection) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """person id -> phone numbers (E.164), and -> countries of any of their identifiers."""
    phones: dict[int, set[str]] = defaultdict(set)
    countries: dict[int, set[str]] = defaultdict(set)
    for pid, kind, norm, country in conn.execute(
            "SELECT person_id, kind, normalized, country FROM identifier WHERE person_id IS NOT NULL"):
        if kind == "phone":
            phones[pid].add(norm)
        if country:
            countries[pid].add(country)
    return phones, countries


# -- groups --------------------------------------------------------------------------------------

def group_rosters(conn: sqlite3.Connection) -> dict[int, GroupRoster]:
    """chat id -> its roster, for every group of the case."""
    members: dict[int, set[int]] = defaultdict(set)
    for chat, pid in conn.execute("SELECT DISTINCT chat_id, person_id FROM membership_spell"):
        members[chat].add(pid)
    admins: dict[int, set[int]] = defaultdict(set)
    marks = ",".join("?" * len(ADMIN_RANKS))
    for chat, pid in conn.execute(
            "SELECT id, creator_person_id FROM chat WHERE creator_person_id IS NOT NULL "  # noqa: S608 - placeholders
            "UNION SELECT chat_id, person_id FROM group_event WHERE event IN ('created', 'admin_granted') "
            "AND person_id IS NOT NULL "
            "UNION SELECT o.chat_id, i.person_id FROM group_member g JOIN chat_obs o ON o.id = g.chat_obs_id "
            f"JOIN identifier i ON i.id = g.identifier_id WHERE g.rank IN ({marks}) "
            "AND i.person_id IS NOT NULL AND o.chat_id IS NOT NULL", ADMIN_RANKS):
        admins[chat].add(pid)
    names: dict[int, list[str]] = defaultdict(list)
    for chat, name in conn.execute("SELECT chat_id, name FROM chat_name ORDER BY chat_id, coalesce(first_seen, ''), name"):
        names[chat].append(name)
    for chat, name in conn.execute("SELECT DISTINCT chat_id, name FROM chat_obs WHERE chat_id IS NOT NULL AND "
                                   "name IS NOT NULL AND chat_id NOT IN (SELECT chat_id FROM chat_name) ORDER BY 1, 2"):
        names[chat].append(name)
    created = dict(conn.execute(
        "SELECT chat_id, min(time) FROM group_event WHERE event = 'created' AND time IS NOT NULL GROUP BY chat_id"))
    return {cid: GroupRoster(platform, iso_s(epoch(created_at)) or created.get(cid), creator,
                             frozenset(admins[cid]), frozenset(members[cid]), tuple(names[cid]))
            for cid, platform, created_at, creator in conn.execute(
                "SELECT id, platform, created_at, creator_person_id FROM chat WHERE is_group = 1 ORDER BY id")}

