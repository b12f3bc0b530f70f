"""Each group's history across exhibits: names over time, creator, membership events merged
without duplicates, and membership spells ("who was in the group at time t").

Runs after persons are resolved (identifier.person_id is filled), so the same event recorded
by several phones (each naming the member in its own way) collapses into one.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from tantalio.model.records import MEMBERSHIP_KINDS
from tantalio.network.align import epoch, int_list_json, iso_s
from tantalio.network.group_labels import chat_labels
from tantalio.network.groups import ChatResolution

EVENT_TOLERANCE_S = 300.0
START_KINDS = frozenset({"created", "added", "joined_link", "joined_invite", "joined_community"})
END_KINDS = frozenset({"left", "removed"})
HISTORY_KINDS = tuple(sorted(MEMBERSHIP_KINDS | {"subject_changed"}))


@dataclass(slots=True)
class MergedEvent:
    chat: int
    event: str
    person: int             # the member concerned; -1 when they could not be resolved
    t: float | None
    by: int | None
    detail: str | None
    sources: list[int]
    precise: bool


@dataclass(slots=True)
class Spell:
    start: float | None
    end: float | None
    start_kind: str
    end_kind: str | None = None


def _first_time(conn: sqlite3.Connection) -> dict[int, float]:
    out = {}
    for oid, t in conn.execute("SELECT chat_obs_id, min(time) FROM message GROUP BY chat_obs_id"):
        e = epoch(t)
        if e is not None:
            out[oid] = e
    return out


def write_chats(conn: sqlite3.Connection, chats: ChatResolution, now: str) -> dict[int, int]:
    """chat rows (G-001 for groups, C-0001 for one-to-one chats: stable labels, new ones numbered
    oldest first, :mod:`tantalio.network.group_labels`) and chat_obs.chat_id.
    Returns obs id -> chat id. Existing chat rows are reused by label."""
    obs = chats.observations
    first = _first_time(conn)

    def order(members: list[int]) -> tuple[float, str, str, int]:
        times = [t for m in members for t in (epoch(obs[m].created_at), first.get(m)) if t is not None]
        jids = sorted(obs[m].jid or "" for m in members if obs[m].jid)
        names = sorted(obs[m].name or "" for m in members)
        return (min(times) if times else float("inf"), jids[0] if jids else "", names[0], min(members))

    groups = sorted((m for m in chats.clusters.values() if obs[m[0]].is_group), key=order)
    direct = sorted((m for m in chats.clusters.values() if not obs[m[0]].is_group), key=order)
    existing = {label: cid for cid, label in conn.execute("SELECT id, label FROM chat")}
    obs_chat: dict[int, int] = {}
    wanted = set()
    conversations = [(True, m) for m in groups] + [(False, m) for m in direct]
    for (_, members), label in zip(conversations, chat_labels(conn, obs, conversations, now), strict=True):
        wanted.add(label)
        platform = obs[members[0]].platform
        is_group = int(obs[members[0]].is_group)
        if label in existing:
            cid = existing[label]
            conn.execute("UPDATE chat SET platform=?, is_group=?, created_at=NULL, creator_person_id=NULL"
                         " WHERE id=?", (platform, is_group, cid))
        else:
            cur = conn.execute("INSERT INTO chat(label, platform, is_group) VALUES (?,?,?)",
                               (label, platform, is_group))
            cid = int(cur.lastrowid or 0)
        for m in members:
            obs_chat[m] = cid
    conn.executemany("UPDATE chat_obs SET chat_id=? WHERE id=?", [(c, o) for o, c in obs_chat.items()])
    conn.executemany("DELETE FROM chat WHERE id=?", [(cid,) for label, cid in existing.items() if label not in wanted])

    matched: dict[int, tuple[int, int]] = {}
    for a, b, al in chats.alignments:
        if a in chats.offsets and a not in matched:
            matched[a] = (b, len(al.pairs))
    rows = []
    for members in chats.clusters.values():
        for m in members:
            reasons: list[dict[str, object]] = []
            if obs[m].jid and len(members) > 1:
                reasons.append({"reason": "same JID", "jid": obs[m].jid})
            reasons.extend(chats.reasons.get(m, []))
            ref, n = matched.get(m, (None, 0))
            rows.append((m, obs_chat[m], chats.offsets.get(m, 0.0), ref, n, json.dumps(reasons, sort_keys=True)))
    conn.executemany("INSERT INTO chat_obs_alignment VALUES (?,?,?,?,?,?)", rows)
    return obs_chat


def write_history(conn: sqlite3.Connection, chats: ChatResolution, owner_person: dict[str, int]) -> None:
    """chat_name, group_event, membership_spell, chat.created_at and chat.creator_person_id."""
    offsets = chats.offsets
    marks = ",".join("?" * len(HISTORY_KINDS))
    events = []
    for row in conn.execute(
        f"SELECT me.id, co.chat_id, me.chat_obs_id, me.event, p.person_id, b.person_id, me.time, me.detail,"  # noqa: S608  (placeholders only)
        f" co.jid IS NOT NULL FROM membership_event me JOIN chat_obs co ON co.id = me.chat_obs_id"
        f" LEFT JOIN identifier p ON p.id = me.person_identifier_id"
        f" LEFT JOIN identifier b ON b.id = me.by_identifier_id"
        f" WHERE co.is_group = 1 AND me.event IN ({marks})", HISTORY_KINDS
    ):
        eid, chat, oid, event, person, by, time, detail, precise = row
        t = epoch(time)
        if t is not None:
            t += offsets.get(oid, 0.0)
        if event == "created" and person is None:
            person = by
        events.append((chat, event, person if person is not None else -1, t, eid, by, detail, precise))
    events.sort(key=lambda e: (e[0], e[1], e[2], e[3] if e[3] is not None else float("inf"), e[4]))
    merged: list[MergedEvent] = []
    for chat, event, person, t, eid, by, detail, precise in events:
        last = merged[-1] if merged else None
        if (last is not None and last.chat == chat and last.event == event and last.person == person
                and person != -1 and t is not None and last.t is not None
                and abs(t - last.t) <= EVENT_TOLERANCE_S
                and (by is None or last.by is None or by == last.by)):
            last.sources.append(eid)
            last.by = last.by or by
            last.detail = last.detail or detail
            if precise and not last.precise:
                last.t, last.precise = t, True
            continue
        merged.append(MergedEvent(chat, event, person, t, by, detail, [eid], bool(precise)))
    del events                  # millions of rows at full scale: free before the next pass
    conn.executemany(
        "INSERT INTO group_event(chat_id, event, person_id, by_person_id, time, detail, sources, confidence)"
        " VALUES (?,?,?,?,?,?,?,?)",
        ((e.chat, e.event, None if e.person == -1 else e.person, e.by, iso_s(e.t), e.detail,
          int_list_json(sorted(e.sources)), 1.0 if e.person != -1 else 0.5) for e in merged))
    _write_names(conn, chats)
    _write_creators(conn)
    _write_spells(conn, merged, owner_person)


def _write_names(conn: sqlite3.Connection, chats: ChatResolution) -> None:
    seen: dict[tuple[int, str], list[float | None]] = {}

    def note(chat: int, name: str | None, t: float | None) -> None:
        if not name or not name.strip():
            return
        span = seen.setdefault((chat, name.strip()), [None, None])
        if t is not None:
            span[0] = t if span[0] is None else min(span[0], t)
            span[1] = t if span[1] is None else max(span[1], t)

    last_message = {oid: epoch(t) for oid, t in conn.execute(
        "SELECT chat_obs_id, max(time) FROM message GROUP BY chat_obs_id")}
    for oid, chat, name in conn.execute("SELECT id, chat_id, name FROM chat_obs WHERE is_group = 1"):
        note(chat, name, last_message.get(oid))
    for chat, time, detail in conn.execute(
        "SELECT chat_id, time, detail FROM group_event WHERE event IN ('subject_changed', 'created')"
    ):
        note(chat, detail, epoch(time))
    conn.executemany("INSERT INTO chat_name(chat_id, name, first_seen, last_seen) VALUES (?,?,?,?)",
                     [(c, n, iso_s(a), iso_s(b)) for (c, n), (a, b) in sorted(seen.items())])


def _write_creators(conn: sqlite3.Connection) -> None:
    conn.execute(
        "UPDATE chat SET created_at = (SELECT min(t) FROM ("
        "  SELECT created_at t FROM chat_obs o WHERE o.chat_id = chat.id AND created_at IS NOT NULL"
        "  UNION ALL SELECT time FROM group_event g WHERE g.chat_id = chat.id AND g.event = 'created'))"
        " WHERE is_group = 1")
    conn.execute(
        "UPDATE chat SET creator_person_id = coalesce("
        " (SELECT i.person_id FROM chat_obs o JOIN identifier i ON i.id = o.creator_identifier_id"
        "  WHERE o.chat_id = chat.id ORDER BY o.jid IS NULL, o.id LIMIT 1),"
        " (SELECT person_id FROM group_event g WHERE g.chat_id = chat.id AND g.event = 'created'"
        "  AND person_id IS NOT NULL ORDER BY time LIMIT 1)) WHERE is_group = 1")
    # created_at as stored by databases may carry fractions; keep the whole-second export form
    rows = conn.execute("SELECT id, created_at FROM chat WHERE created_at IS NOT NULL").fetchall()
    conn.executemany("UPDATE chat SET created_at=? WHERE id=?", [(iso_s(epoch(t)), cid) for cid, t in rows])


def _write_spells(conn: sqlite3.Connection, events: list[MergedEvent], owner_person: dict[str, int]) -> None:
    by_member: dict[tuple[int, int], list[tuple[float, str]]] = defaultdict(list)
    for e in events:
        if e.person != -1 and (e.event in START_KINDS or e.event in END_KINDS):
            by_member[(e.chat, e.person)].append((e.t if e.t is not None else float("-inf"), e.event))
    observed = observed_members(conn, owner_person)

    # streamed into SQLite rather than collected: there are millions of (group, member) pairs
    def spell_rows() -> Iterator[tuple[int, int, str | None, str | None, str, str | None]]:
        for key in sorted(set(by_member) | observed):
            found = by_member.get(key)
            # the common cases (no event; one join) without building Spell objects: millions of keys
            if not found:
                yield (key[0], key[1], None, None, "observed", None)
                continue
            if len(found) == 1 and found[0][1] in START_KINDS:
                t, kind = found[0]
                yield (key[0], key[1], None if t == float("-inf") else iso_s(t), None, kind, None)
                continue
            spells: list[Spell] = []
            open_spell: Spell | None = None
            for t, kind in sorted(found):
                when = None if t == float("-inf") else t
                if kind in START_KINDS:
                    if open_spell is None:
                        open_spell = Spell(when, None, kind)
                else:
                    if open_spell is None:
                        if not spells:
                            spells.append(Spell(None, when, "observed", kind))
                    else:
                        open_spell.end, open_spell.end_kind = when, kind
                        spells.append(open_spell)
                        open_spell = None
            if open_spell is not None:
                spells.append(open_spell)
            if not spells:
                spells.append(Spell(None, None, "observed"))
            yield from ((key[0], key[1], iso_s(s.start), iso_s(s.end), s.start_kind, s.end_kind) for s in spells)

    conn.executemany("INSERT INTO membership_spell(chat_id, person_id, start, end, start_kind, end_kind)"
                     " VALUES (?,?,?,?,?,?)", spell_rows())


def observed_members(conn: sqlite3.Connection, owner_person: dict[str, int]) -> set[tuple[int, int]]:
    """(chat, person) pairs seen as members without a join event: posters, listed members, actors,
    and the owners of the phones that recorded the group."""
    found: set[tuple[int, int]] = set()
    for chat, person in conn.execute(
        "SELECT DISTINCT co.chat_id, i.person_id FROM message m JOIN chat_obs co ON co.id = m.chat_obs_id"
        " JOIN identifier i ON i.id = m.sender_identifier_id WHERE co.is_group = 1 AND m.kind NOT IN"
        " ('system', 'system_unknown') AND i.person_id IS NOT NULL"
        " UNION SELECT DISTINCT co.chat_id, i.person_id FROM group_member gm JOIN chat_obs co ON co.id = gm.chat_obs_id"
        " JOIN identifier i ON i.id = gm.identifier_id WHERE co.is_group = 1 AND i.person_id IS NOT NULL"
        " UNION SELECT DISTINCT chat_id, by_person_id FROM group_event WHERE by_person_id IS NOT NULL"
        " AND event IN ('added', 'removed', 'admin_granted', 'admin_revoked', 'created')"
    ):
        found.add((chat, person))
    for chat, exhibit in conn.execute("SELECT DISTINCT chat_id, exhibit_id FROM chat_obs WHERE is_group = 1"):
        if exhibit in owner_person:
            found.add((chat, owner_person[exhibit]))
    return found


def was_member(spells: list[tuple[float | None, float | None]], t: float, tolerance: float = 60.0) -> bool:
    return any((s is None or s <= t + tolerance) and (e is None or t <= e + tolerance) for s, e in spells)


def members_at(conn: sqlite3.Connection, chat_id: int, when: str) -> list[int]:
    """Person ids who were members of ``chat_id`` at ``when`` (ISO UTC), from the spells."""
    return [pid for (pid,) in conn.execute(
        "SELECT DISTINCT person_id FROM membership_spell WHERE chat_id = ? AND (start IS NULL OR start <= ?)"
        " AND (end IS NULL OR end >= ?) ORDER BY person_id", (chat_id, when, when))]
