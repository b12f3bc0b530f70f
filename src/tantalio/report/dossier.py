"""The dossier of one person, as a view model: identity, involvement, timeline, co-members and an
evidence table. HTML, PDF and JSON are all rendered from this one object, so the three agree.

Every fact carries ``refs``: ids of rows in the evidence table (``E1``, ``E2`` ...), each naming
exhibit, file, line or row and the file's SHA-256. Media are referred to by SHA-256 only.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from tantalio.network import sightings
from tantalio.report.caseview import SYNTHETIC_BANNER, CaseView, EvidenceRef

MESSAGE_LIMIT = 200   # messages listed in full; the counts always cover all of them
SAME_MESSAGE_SECONDS = 120  # copies of one message on several phones: exports keep only minutes
POST_LIMIT = 500
JOIN_KINDS = ("created", "added", "joined_link", "joined")
LEAVE_KINDS = ("left", "removed")


@dataclass(frozen=True, slots=True)
class Evidence:
    ref: str
    fact: str
    exhibit: str | None
    path: str | None
    location: str | None
    file_sha256: str | None
    media_sha256: str | None
    chat: str | None


@dataclass(frozen=True, slots=True)
class Phone:
    number: str
    country: str | None


@dataclass(frozen=True, slots=True)
class NameSighting:
    name: str
    kind: str
    exhibit: str | None
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SeizedExhibit:
    id: str
    description: str | None
    country: str | None
    files: int


@dataclass(frozen=True, slots=True)
class Camera:
    make: str | None
    model: str | None
    serial: str
    media: tuple[str, ...]        # SHA-256 of the pictures carrying this serial
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupEventLine:
    time: str | None
    kind: str
    person: str | None
    by: str | None
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupInvolvement:
    group: str
    name: str
    names: tuple[str, ...]
    creator: bool
    admin: bool
    events: tuple[GroupEventLine, ...]


@dataclass(frozen=True, slots=True)
class RoleLine:
    role: str
    confidence: float
    evidence: tuple[str, ...]     # refs


@dataclass(frozen=True, slots=True)
class PostedCount:
    status: str
    category: str | None
    posts: int


@dataclass(frozen=True, slots=True)
class PostLine:
    time: str | None
    group: str | None
    sha256: str | None
    status: str | None
    category: str | None
    forwarded: bool | None
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FirstSightingLine:
    family: str
    sha256: str | None
    group: str | None
    time: str | None
    origin: str                     # observed | forwarded | undetermined
    note: str | None
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MessageLine:
    time: str | None
    group: str | None
    kind: str
    text: str
    refs: tuple[str, ...]
    copies: int = 1
    """How many recordings (phones, exports) of this one group message were found."""


@dataclass(frozen=True, slots=True)
class MembershipSpell:
    group: str
    start: str | None              # None: already a member when the records begin
    end: str | None                # None: still a member when the records end
    admin_from: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CoMember:
    person: str
    groups: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Dossier:
    person: str
    case: str
    synthetic: bool
    priority: float
    countries: tuple[str, ...]
    roles_summary: tuple[str, ...]
    counts: dict[str, int]
    phones: tuple[Phone, ...]
    names: tuple[NameSighting, ...]
    seized_exhibits: tuple[SeizedExhibit, ...]
    cameras: tuple[Camera, ...]
    groups: tuple[GroupInvolvement, ...]
    roles: tuple[RoleLine, ...]
    posted: tuple[PostedCount, ...]
    posts: tuple[PostLine, ...]
    posts_total: int
    first_sightings: tuple[FirstSightingLine, ...]
    messages: tuple[MessageLine, ...]
    messages_total: int
    co_members: tuple[CoMember, ...]
    spells: tuple[MembershipSpell, ...]
    activity: dict[str, int]      # messages per day (all of them, for the timeline)
    evidence: tuple[Evidence, ...]
    problems: tuple[str, ...] = field(default=())

    def to_json(self) -> str:
        """Stable JSON (sorted keys, no clocks): the same case gives the same bytes."""
        body = {"schema": "tantalio.dossier/1", **asdict(self)}
        if self.synthetic:
            body["header"] = SYNTHETIC_BANNER
        return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


class _EvidenceTable:
    """Numbers evidence rows in the order facts are met (queries are ordered, so stable)."""

    def __init__(self) -> None:
        self.rows: list[Evidence] = []
        self._seen: dict[tuple[Any, ...], str] = {}

    def add(self, fact: str, ref: EvidenceRef | None) -> tuple[str, ...]:
        if ref is None:
            return ()
        key = (fact, ref.exhibit, ref.path, ref.location, ref.media_sha256, ref.chat)
        if key in self._seen:
            return (self._seen[key],)
        ident = f"E{len(self.rows) + 1}"
        self._seen[key] = ident
        self.rows.append(Evidence(ident, fact, ref.exhibit, ref.path, ref.location, ref.file_sha256,
                                  ref.media_sha256, ref.chat))
        return (ident,)


def build_dossier(view: CaseView, person: str) -> Dossier:
    """The dossier of person ``person`` (its case-document id, e.g. ``P-001``)."""
    summary = view.persons.get(person, {})
    pid = view.person_ids.get(person)
    table = _EvidenceTable()
    c = view.conn
    phones = tuple(Phone(n, cc) for n, cc in c.execute(
        "SELECT DISTINCT normalized, country FROM identifier WHERE person_id=? AND kind='phone' ORDER BY normalized",
        (pid,)))
    names = []
    for name, kind, ex, path, loc, sha in c.execute(
            "SELECT n.value, a.name_kind, a.exhibit_id, f.path, a.location, f.sha256 FROM alias a "
            "JOIN identifier h ON h.id = a.identifier_id JOIN identifier n ON n.id = a.name_id "
            "LEFT JOIN source_file f ON f.id = a.source_file_id WHERE h.person_id=? OR n.person_id=? "
            "ORDER BY n.value, a.exhibit_id, a.name_kind", (pid, pid)).fetchall():
        names.append(NameSighting(name, kind, ex, table.add(f"named {name!r} ({kind})",
                                                            EvidenceRef(ex, path, loc, sha))))
    seized = tuple(SeizedExhibit(ex, desc, cc, n) for ex, desc, cc, n in c.execute(
        "SELECT e.id, e.description, e.country, (SELECT count(*) FROM source_file f WHERE f.exhibit_id = e.id) "
        "FROM exhibit e WHERE e.owner_phone IN (SELECT normalized FROM identifier WHERE person_id=? AND kind='phone') "
        "ORDER BY e.id", (pid,)))
    cameras = _cameras(view, pid, table)
    groups = _groups(view, pid, table)
    roles = []
    for role, conf, evidence in c.execute(
            "SELECT role, confidence, evidence FROM person_role WHERE person_id=? ORDER BY role", (pid,)).fetchall():
        refs: tuple[str, ...] = ()
        for item in view.json_list(evidence, f"roles of {person} ({role})"):
            if not isinstance(item, dict):
                continue
            ex, path = item.get("exhibit"), item.get("path")
            refs += table.add(f"{role}: {item.get('text') or ''}", EvidenceRef(
                ex, path, item.get("location"), view.file_sha256(ex, path), item.get("sha256"), item.get("chat")))
        roles.append(RoleLine(role, float(conf), refs))
    posts, posted, posts_total = _posts(view, pid, table)
    first = []
    for fam, sha, post_id, _, chat, time, origin, note in sightings.of_person(c, pid):
        first_refs: tuple[str, ...] = ()
        for mid in _post_messages(view, post_id):
            first_refs += table.add(f"first sighting of family {fam}",
                                    _with(view.message_ref(mid), sha, view.chat_label(chat)))
        first.append(FirstSightingLine(fam, sha, view.chat_label(chat), time, origin, note, first_refs))
    messages, messages_total = _messages(view, pid, table)
    return Dossier(
        person=person, case=view.case_name, synthetic=view.synthetic,
        priority=float(summary.get("priority") or 0.0),
        countries=tuple(summary.get("countries") or sorted({p.country for p in phones if p.country})),
        roles_summary=tuple(summary.get("roles") or [r.role for r in roles]),
        counts={k: int(summary.get(k) or 0) for k in
                ("messages", "media_posted", "known_posted", "unknown_posted", "first_posts")},
        phones=phones, names=tuple(names), seized_exhibits=seized, cameras=cameras, groups=groups,
        roles=tuple(roles), posted=posted, posts=posts, posts_total=posts_total, first_sightings=tuple(first),
        messages=messages, messages_total=messages_total, co_members=_co_members(view, person),
        spells=_spells(view, pid, person, groups),
        activity=dict(c.execute(
            "SELECT substr(m.time, 1, 10), count(*) FROM message m JOIN identifier i ON i.id = m.sender_identifier_id "
            "WHERE i.person_id=? AND m.time IS NOT NULL GROUP BY 1 ORDER BY 1", (pid,)).fetchall()),
        evidence=tuple(table.rows), problems=tuple(view.problems),
    )


def _with(ref: EvidenceRef | None, sha: str | None, chat: str | None) -> EvidenceRef | None:
    if ref is None:
        return None
    return EvidenceRef(ref.exhibit, ref.path, ref.location, ref.file_sha256, sha, chat)


def _post_messages(view: CaseView, post_id: int | None) -> list[int]:
    if post_id is None:
        return []
    row = view.conn.execute("SELECT message_ids FROM post WHERE id=?", (post_id,)).fetchone()
    return [m for m in view.json_list(row[0] if row else None, f"post {post_id}") if isinstance(m, int)]


def _cameras(view: CaseView, pid: int | None, table: _EvidenceTable) -> tuple[Camera, ...]:
    """Cameras linked by EXIF serial: originals on the person's own exhibits, or pictures they posted."""
    found: dict[str, dict[str, Any]] = {}
    rows = view.conn.execute(
        "SELECT i.exif_make, i.exif_model, i.exif_serial, i.sha256, n.exhibit_id, n.path, 'original on own exhibit' "
        "FROM media_item i JOIN media_instance n ON n.sha256 = i.sha256 WHERE i.exif_serial IS NOT NULL "
        "AND n.path IS NOT NULL AND n.exhibit_id IN (SELECT e.id FROM exhibit e JOIN identifier o "
        "ON o.kind='phone' AND o.normalized = e.owner_phone WHERE o.person_id=?) "
        "UNION SELECT i.exif_make, i.exif_model, i.exif_serial, i.sha256, NULL, NULL, 'posted' FROM media_item i "
        "JOIN post p ON p.sha256 = i.sha256 WHERE i.exif_serial IS NOT NULL AND p.person_id=? "
        "ORDER BY 3, 4, 5, 6", (pid, pid)).fetchall()
    for make, model, serial, sha, ex, path, how in rows:
        cam = found.setdefault(serial, {"make": make, "model": model, "media": [], "refs": ()})
        if sha not in cam["media"]:
            cam["media"].append(sha)
        if ex is not None:
            cam["refs"] += table.add(f"camera serial {serial}: {how}",
                                     EvidenceRef(ex, path, None, view.file_sha256(ex, path), sha))
    return tuple(Camera(v["make"], v["model"], s, tuple(v["media"]), v["refs"]) for s, v in sorted(found.items()))


def _groups(view: CaseView, pid: int | None, table: _EvidenceTable) -> tuple[GroupInvolvement, ...]:
    events: dict[int, list[GroupEventLine]] = defaultdict(list)
    for chat, kind, person, actor, time, sources in view.conn.execute(
            "SELECT chat_id, kind, person_id, actor_person_id, time, sources FROM group_event "
            "WHERE person_id=? OR actor_person_id=? ORDER BY chat_id, coalesce(time, ''), id", (pid, pid)).fetchall():
        who, by, label = view.person_label(person), view.person_label(actor), view.chat_label(chat)
        refs: tuple[str, ...] = ()
        for source in view.json_list(sources, f"group event in {label}"):
            if isinstance(source, int):
                fact = f"{kind} {who or ''}{' by ' + by if by else ''} in {label}"
                refs += table.add(fact, _with(view.membership_event_ref(source), None, label))
        events[chat].append(GroupEventLine(time, kind, who, by, refs))
    chats = set(events) | {r[0] for r in view.conn.execute("SELECT DISTINCT chat_id FROM post WHERE person_id=?", (pid,))}
    me = view.person_label(pid)
    out = []
    for chat in chats:
        label = view.chat_label(chat) or ""
        group = view.groups.get(label, {})
        out.append(GroupInvolvement(
            label, view.group_name(label), tuple(group.get("names") or ()), group.get("creator") == me,
            me in (group.get("admins") or ()), tuple(events[chat])))
    out.sort(key=lambda g: g.group)
    return tuple(out)


def _posts(view: CaseView, pid: int | None, table: _EvidenceTable
           ) -> tuple[tuple[PostLine, ...], tuple[PostedCount, ...], int]:
    rows = view.conn.execute(
        "SELECT p.id, p.time, p.chat_id, p.sha256, i.status, i.category, p.forwarded, p.message_ids FROM post p "
        "LEFT JOIN media_item i ON i.sha256 = p.sha256 WHERE p.person_id=? ORDER BY coalesce(p.time, ''), p.id",
        (pid,)).fetchall()
    counts: dict[tuple[str, str | None], int] = defaultdict(int)
    lines: list[PostLine] = []
    for post_id, time, chat, sha, status, category, forwarded, mids in rows:
        counts[(status or "unknown", category)] += 1
        if len(lines) >= POST_LIMIT:
            continue
        label = view.chat_label(chat)
        refs: tuple[str, ...] = ()
        for mid in view.json_list(mids, f"post {post_id}"):
            if isinstance(mid, int):
                refs += table.add(f"posted media in {label}", _with(view.message_ref(mid), sha, label))
        lines.append(PostLine(time, label, sha, status, category, None if forwarded is None else bool(forwarded), refs))
    posted = tuple(PostedCount(s, c, n) for (s, c), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")))
    return tuple(lines), posted, len(rows)


def _messages(view: CaseView, pid: int | None, table: _EvidenceTable) -> tuple[tuple[MessageLine, ...], int]:
    """The person's messages, each group message once however many phones recorded it (same
    group, kind and text within ``SAME_MESSAGE_SECONDS``), citing every recording as evidence."""
    rows = view.conn.execute(
        "SELECT m.id, m.time, o.chat_id, m.kind, m.text FROM message m "
        "JOIN identifier i ON i.id = m.sender_identifier_id JOIN chat_obs o ON o.id = m.chat_obs_id "
        "WHERE i.person_id=? ORDER BY o.chat_id, m.kind, m.text, coalesce(m.time, ''), m.exhibit_id, m.id",
        (pid,)).fetchall()
    clusters: list[list[tuple[int, str | None, int, str, str]]] = []
    for row in rows:
        last = clusters[-1][0] if clusters else None
        if last is not None and last[2:] == row[2:] and _within(last[1], row[1], SAME_MESSAGE_SECONDS):
            clusters[-1].append(row)
        else:
            clusters.append([row])
    clusters.sort(key=lambda c: (c[0][1] or "", c[0][0]))
    lines: list[MessageLine] = []
    for copies in clusters[:MESSAGE_LIMIT]:
        _, time, chat, kind, text = copies[0]
        label = view.chat_label(chat)
        refs: tuple[str, ...] = ()
        for mid, *_ in copies:
            refs += table.add(f"message ({kind}) in {label}", _with(view.message_ref(mid), None, label))
        lines.append(MessageLine(time, label, kind, text, refs, len(copies)))
    return tuple(lines), len(clusters)


def _within(first: str | None, other: str | None, seconds: int) -> bool:
    if first is None or other is None:
        return first == other
    gap = datetime.fromisoformat(other) - datetime.fromisoformat(first)
    return abs(gap.total_seconds()) <= seconds


def _co_members(view: CaseView, person: str) -> tuple[CoMember, ...]:
    shared: dict[str, list[str]] = defaultdict(list)
    for label, group in sorted(view.groups.items()):
        members = set(group.get("members") or ())
        if person in members:
            for other in members - {person}:
                shared[other].append(label)
    return tuple(CoMember(p, tuple(g)) for p, g in sorted(shared.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def _spells(view: CaseView, pid: int | None, person: str, groups: tuple[GroupInvolvement, ...]
            ) -> tuple[MembershipSpell, ...]:
    """Membership spells as network analysis recorded them (``membership_spell``, migration 0004),
    or rebuilt from the person's join/leave events when that table is absent or empty."""
    admin: dict[str, list[str]] = defaultdict(list)
    for g in groups:
        admin[g.group] += [e.time for e in g.events if e.kind == "admin_granted" and e.person == person and e.time]
    if view.has_table("membership_spell"):
        rows = view.conn.execute("SELECT chat_id, start, end FROM membership_spell WHERE person_id=? "
                                 "ORDER BY chat_id, coalesce(start, ''), coalesce(end, '')", (pid,)).fetchall()
        if rows:
            return tuple(sorted((MembershipSpell(view.chat_label(ch) or "", start, end, tuple(admin[view.chat_label(ch) or ""]))
                                 for ch, start, end in rows), key=lambda s: (s.group, s.start or "")))
    spells = []
    for g in groups:
        start: str | None = None
        opened = False
        for e in g.events:
            if e.person != person or not e.time:
                continue
            if e.kind in JOIN_KINDS and not opened:
                start, opened = e.time, True
            elif e.kind in LEAVE_KINDS:
                spells.append(MembershipSpell(g.group, start, e.time, tuple(admin[g.group])))
                start, opened = None, False
        if opened:
            spells.append(MembershipSpell(g.group, start, None, tuple(admin[g.group])))
    return tuple(spells)
