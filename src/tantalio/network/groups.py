"""Which chat observations are the same group.

A group is recognised across exhibits by its JID where the source records one (databases).
A .txt export has no JID: it is matched to a known group by overlapping messages (the same
texts and media in the same order at nearly the same time, see :mod:`tantalio.network.align`),
and only as a last resort by a name no other group bears. Renamed groups are found by their
messages, not their names. The result also gives each recording's clock offset against the
group's reference recording, so later steps compare corrected times.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from tantalio.identity import clean_label
from tantalio.model.records import MEMBERSHIP_KINDS
from tantalio.network.align import Alignment, Entry, align, content_key, epoch
from tantalio.network.unionfind import DisjointSets

MIN_STRONG = 2          # matched texts/hashes needed to call two recordings one group
MIN_SHARE = 0.3         # ... and the share of the smaller recording's overlapping content they make


@dataclass(slots=True)
class Observation:
    id: int
    exhibit: str
    is_group: bool
    platform: str
    jid: str | None
    name: str | None
    created_at: str | None
    creator_identifier: int | None
    messages: int = 0
    soft_ids: int = 0          # device-specific labels among its senders and members
    chat_key: str = ""         # the recording's own key for the chat (JID, Telegram id, file)
    source_path: str = ""      # the file that records it


@dataclass(slots=True)
class ChatResolution:
    observations: dict[int, Observation]
    clusters: dict[int, list[int]]                   # root obs id -> member obs ids
    reasons: dict[int, list[dict[str, object]]] = field(default_factory=dict)
    offsets: dict[int, float] = field(default_factory=dict)   # obs id -> seconds to add
    alignments: list[tuple[int, int, Alignment]] = field(default_factory=list)


def load_observations(conn: sqlite3.Connection) -> dict[int, Observation]:
    obs = {
        r[0]: Observation(r[0], r[1], bool(r[2]), r[3], (r[4] or "").strip().lower() or None, r[5], r[6], r[7],
                          chat_key=r[8], source_path=r[9])
        for r in conn.execute(
            "SELECT o.id, o.exhibit_id, o.is_group, o.platform, o.jid, o.name, o.created_at, o.creator_identifier_id,"
            " o.chat_key, s.path FROM chat_obs o JOIN source_file s ON s.id = o.source_file_id")
    }
    for oid, n in conn.execute("SELECT chat_obs_id, count(*) FROM message GROUP BY chat_obs_id"):
        if oid in obs:
            obs[oid].messages = n
    for oid, n in conn.execute(
        "SELECT o, count(DISTINCT i.id) FROM ("
        " SELECT chat_obs_id o, sender_identifier_id x FROM message"
        " UNION ALL SELECT chat_obs_id, person_identifier_id FROM membership_event"
        " UNION ALL SELECT chat_obs_id, by_identifier_id FROM membership_event)"
        " JOIN identifier i ON i.id = x WHERE i.kind = 'display_name' GROUP BY o"
    ):
        if oid in obs:
            obs[oid].soft_ids = n
    return obs


def load_entries(conn: sqlite3.Connection, obs_id: int, owner_identifier: int | None,
                 with_events: bool = True) -> list[Entry]:
    """The content of one recording as alignment entries (messages, then membership events)."""
    entries: list[Entry] = []
    for row, time, text, kind, sha, sender, from_me in conn.execute(
        "SELECT m.id, m.time, m.text, m.kind, (SELECT min(sha256) FROM media_ref r WHERE r.message_id = m.id),"
        " m.sender_identifier_id, m.from_me FROM message m WHERE m.chat_obs_id = ?", (obs_id,)
    ):
        t = epoch(time)
        key = content_key(text, kind, sha)
        if t is None or key is None:
            continue
        who = sender if sender is not None else (owner_identifier if from_me else None)
        entries.append(Entry(row, t, key, (who,)))
    if with_events:
        kinds = sorted(MEMBERSHIP_KINDS)
        marks = ",".join("?" * len(kinds))
        for row, time, event, person, by in conn.execute(
            f"SELECT id, time, event, person_identifier_id, by_identifier_id FROM membership_event"  # noqa: S608  (placeholders only)
            f" WHERE chat_obs_id = ? AND event IN ({marks})", (obs_id, *kinds)
        ):
            t = epoch(time)
            if t is not None:
                entries.append(Entry(-row, t, "ev:" + event, (person, by)))
    return entries


def _overlap_share(al: Alignment, a: list[Entry], b: list[Entry]) -> float:
    """Matched strong pairs over the smaller side's content inside the common time window."""
    if not a or not b:
        return 0.0
    lo = max(min(e.t for e in a) + al.offset, min(e.t for e in b)) - 120
    hi = min(max(e.t for e in a) + al.offset, max(e.t for e in b)) + 120
    na = sum(1 for e in a if lo <= e.t + al.offset <= hi and not e.key.startswith("ev:"))
    nb = sum(1 for e in b if lo <= e.t <= hi and not e.key.startswith("ev:"))
    smaller = min(na, nb)
    return al.strong / smaller if smaller else 0.0


def resolve_chats(conn: sqlite3.Connection, owner_identifiers: dict[str, int]) -> ChatResolution:
    """Cluster chat observations into chats; group JIDs first, then content, then unique names."""
    observations = load_observations(conn)
    sets = DisjointSets(observations)
    reasons: dict[int, list[dict[str, object]]] = defaultdict(list)
    by_jid: dict[tuple[bool, str], int] = {}
    for o in observations.values():
        if o.jid is None:
            continue
        key = (o.is_group, o.jid if o.is_group else f"{o.exhibit}|{o.jid}")
        if key in by_jid:
            sets.union(by_jid[key], o.id)
        else:
            by_jid[key] = o.id

    entries_cache: dict[int, list[Entry]] = {}

    def entries(oid: int) -> list[Entry]:
        if oid not in entries_cache:
            ex = observations[oid].exhibit
            entries_cache[oid] = load_entries(conn, oid, owner_identifiers.get(ex))
        return entries_cache[oid]

    jidless = [o for o in observations.values() if o.is_group and o.jid is None]
    for o in sorted(jidless, key=lambda o: o.id):
        accepted: list[tuple[int, float, int, Alignment]] = []
        for cand in _candidates(conn, o.id, observations):
            al = align(entries(o.id), entries(cand))
            share = _overlap_share(al, entries(o.id), entries(cand))
            texts = sum(1 for x, _ in al.pairs if x.key.startswith("t:"))
            if al.strong >= MIN_STRONG and texts >= MIN_STRONG and share >= MIN_SHARE:
                accepted.append((al.strong, share, cand, al))
        # every recording that matches joins (a phone's history may overlap only another export),
        # best first, never across two different group JIDs
        for strong, share, cand, al in sorted(accepted, key=lambda x: (-x[0], -x[1], x[2])):
            if sets.find(cand) != sets.find(o.id) and _compatible_jids(sets, observations, o.id, cand):
                sets.union(o.id, cand)
                reasons[o.id].append({"reason": "overlapping messages", "with_observation": cand,
                                      "matched": strong, "share": round(share, 3), "offset_s": round(al.offset, 1)})

    # Last resort: a JID-less recording alone in its cluster whose name exactly one other chat bears.
    names = _cluster_names(conn, sets, observations)
    for o in sorted(jidless, key=lambda o: o.id):
        root = sets.find(o.id)
        if len([x for x in observations if sets.find(x) == root]) > 1 or not o.name:
            continue
        wanted = clean_label(o.name).casefold()
        holders = {r for r, ns in names.items() if wanted in ns and r != root}
        if len(holders) == 1:
            other = holders.pop()
            sets.union(o.id, other)
            reasons[o.id].append({"reason": "same group name, no other group bears it", "with_observation": other,
                                  "confidence": 0.5})
            names = _cluster_names(conn, sets, observations)

    clusters = sets.groups()
    resolution = ChatResolution(observations, clusters, dict(reasons))
    _offsets_and_alignments(resolution, entries)
    return resolution


def _compatible_jids(sets: DisjointSets, observations: dict[int, Observation], a: int, b: int) -> bool:
    ra, rb = sets.find(a), sets.find(b)
    ja = {o.jid for o in observations.values() if o.jid and sets.find(o.id) == ra}
    jb = {o.jid for o in observations.values() if o.jid and sets.find(o.id) == rb}
    return not ja or not jb or bool(ja & jb)


def _candidates(conn: sqlite3.Connection, obs_id: int, observations: dict[int, Observation]) -> list[int]:
    """Group recordings sharing a message text or a media hash with ``obs_id`` (cheap prefilter)."""
    found: set[int] = set()
    for (oid,) in conn.execute(
        "SELECT DISTINCT b.chat_obs_id FROM message a JOIN message b ON b.text = a.text AND b.chat_obs_id != a.chat_obs_id"
        " WHERE a.chat_obs_id = ? AND length(a.text) > 0 AND a.kind NOT IN ('system', 'system_unknown')", (obs_id,)
    ):
        found.add(oid)
    for (oid,) in conn.execute(
        "SELECT DISTINCT mb.chat_obs_id FROM media_ref ra JOIN message ma ON ma.id = ra.message_id"
        " JOIN media_ref rb ON rb.sha256 = ra.sha256 JOIN message mb ON mb.id = rb.message_id"
        " WHERE ma.chat_obs_id = ? AND mb.chat_obs_id != ?", (obs_id, obs_id)
    ):
        found.add(oid)
    return sorted(o for o in found if o in observations and observations[o].is_group)


def _cluster_names(conn: sqlite3.Connection, sets: DisjointSets,
                   observations: dict[int, Observation]) -> dict[int, set[str]]:
    names: dict[int, set[str]] = defaultdict(set)
    for o in observations.values():
        if o.is_group and o.name:
            names[sets.find(o.id)].add(clean_label(o.name).casefold())
    for oid, detail in conn.execute(
        "SELECT chat_obs_id, detail FROM membership_event WHERE event IN ('subject_changed', 'created')"
        " AND detail IS NOT NULL AND detail != ''"
    ):
        if oid in observations:
            names[sets.find(oid)].add(clean_label(detail).casefold())
    return names


def _offsets_and_alignments(resolution: ChatResolution, entries) -> None:  # type: ignore[no-untyped-def]
    """Align each recording of a multi-recording group with the group's reference recording.

    The reference is a database recording (it has the JID and second-precision times) with the
    most messages. Recordings are aligned only when it can teach something: when one of the two
    names people by device-specific labels, or has no JID (its clock may be off)."""
    obs = resolution.observations
    for members in resolution.clusters.values():
        if len(members) < 2:
            continue
        ref = max(members, key=lambda m: (obs[m].jid is not None, obs[m].messages, -m))
        for m in members:
            if m == ref:
                continue
            if obs[m].jid is not None and obs[ref].jid is not None and not (obs[m].soft_ids or obs[ref].soft_ids):
                continue
            al = align(entries(m), entries(ref))
            resolution.offsets[m] = al.offset
            resolution.alignments.append((m, ref, al))
        # Two label-only recordings of a group: align them with each other too (no DB to anchor them).
        soft = [m for m in members if m != ref and obs[m].soft_ids]
        for i, m in enumerate(soft):
            for n in soft[i + 1:]:
                resolution.alignments.append((m, n, align(entries(m), entries(n))))
