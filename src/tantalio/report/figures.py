"""One set of figures for the whole case: every count a page, dossier, overview or package shows.

Web pages (``tantalio.web.data``), dossiers, the overview and country packages all take their
counts from :func:`case_figures`, and the case export (``tantalio.case/1``) computes the same
figures with the same functions: what each figure counts is defined once, in
:mod:`tantalio.network.figures` (messages, media posted, first posts, members, admins, names),
so a group's member count or a person's message count is the same wherever it is read.

Reads the store only.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from tantalio.network import figures as defined
from tantalio.network.case_sections import owner_persons
from tantalio.network.figures import NameSeen, Recording, distinct_messages, name_sightings

__all__ = ["CaseFigures", "GroupFigures", "NameSeen", "PersonFigures", "Recording", "case_figures",
           "distinct_messages", "message_copies", "name_sightings", "recordings"]


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


def _labels(conn: sqlite3.Connection, table: str) -> dict[int, str]:
    return dict(conn.execute(f"SELECT id, label FROM {table}"))  # noqa: S608 - table names are ours


def case_figures(conn: sqlite3.Connection) -> CaseFigures:
    """Every figure of the case (see :mod:`tantalio.network.figures` for what each counts)."""
    people, chats = _labels(conn, "person"), _labels(conn, "chat")
    counted = defined.message_counts(conn, owner_persons(conn))
    span = {chat: (lo, hi) for chat, lo, hi in conn.execute(
        "SELECT chat_id, min(m.time), max(m.time) FROM message m JOIN chat_obs o ON o.id = m.chat_obs_id "
        "WHERE m.kind NOT IN ('system', 'system_unknown') AND m.time IS NOT NULL AND m.time != '' "
        "AND chat_id IS NOT NULL GROUP BY chat_id")}
    posts = dict(conn.execute("SELECT chat_id, count(*) FROM post GROUP BY chat_id").fetchall())

    groups: dict[str, GroupFigures] = {}
    for cid, roster in defined.group_rosters(conn).items():
        label = chats[cid]
        first, last = span.get(cid, (None, None))
        groups[label] = GroupFigures(
            label, roster.names[-1] if roster.names else label, roster.names, roster.platform, roster.created,
            people.get(roster.creator) if roster.creator is not None else None,
            tuple(sorted(people[p] for p in roster.admins if p in people)),
            tuple(sorted(people[p] for p in roster.members if p in people)),
            counted.by_conversation[cid], counted.recordings_by_conversation[cid], int(posts.get(cid, 0)), first, last)
    groups = dict(sorted(groups.items()))

    posted = defined.posted_counts(conn)
    phones, countries = defined.person_phones_countries(conn)
    roles = defined.person_roles(conn)
    member_of = defined.person_groups(conn)
    scores = {pid: (pr, com) for pid, pr, com in conn.execute("SELECT person_id, priority, community FROM person_score")}
    sightings = name_sightings(conn)

    persons: dict[str, PersonFigures] = {}
    for pid, label in sorted(people.items(), key=lambda kv: kv[1]):
        seen = sightings.get(pid, [])
        counts = posted.get(pid, defined.PostedCounts())
        priority, community = scores.get(pid, (0.0, None))
        persons[label] = PersonFigures(
            label, tuple(sorted(phones[pid])), tuple(sorted(countries[pid])), defined.distinct_names(seen), tuple(seen),
            tuple(roles.get(pid, ())), float(priority or 0.0), community,
            tuple(sorted(chats[c] for c in member_of[pid] if c in chats)),
            counted.by_sender[pid], counts.media_posted, counts.known_posted, counts.unknown_posted, counts.first_posts)
    media = dict(sorted(Counter(s for (s,) in conn.execute("SELECT status FROM media_item")).items()))
    return CaseFigures(persons, groups, counted.messages, counted.recordings, media)


def recordings(conn: sqlite3.Connection, person_id: int | None = None) -> list[Recording]:
    """Message rows (system lines left out), optionally only those a person sent."""
    return defined.recordings(conn, owner_persons(conn), person_id)


def message_copies(conn: sqlite3.Connection, person_id: int) -> Iterator[list[Recording]]:
    """A person's messages (see :func:`distinct_messages`), oldest first."""
    yield from distinct_messages(recordings(conn, person_id))
