"""The dossier of one person, as a view model: identity, involvement, timeline, co-members and an
evidence table. HTML, PDF and JSON are all rendered from this one object, so the three agree, and
its counts come from the case's one set of figures (:mod:`tantalio.report.figures`).

Every fact carries ``refs``: ids of rows in the evidence table (``E1``, ``E2`` ...), each naming
exhibit, file, line or row and the file's SHA-256. Media are referred to by SHA-256 only. Every
exhibit the evidence table cites is described (device, seized from, country, registration).

The dossier is built in one language (:class:`~tantalio.report.i18n.Translator`): headings and
explanations are translated, evidence (names, message text, paths) is quoted as recorded.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from tantalio.network import sightings
from tantalio.report.caseview import SYNTHETIC_BANNER, CaseView, EvidenceRef, ExhibitLine, ReportContext
from tantalio.report.figures import message_copies
from tantalio.report.i18n import Translator
from tantalio.report.recovered import salvaged_messages
from tantalio.report.wording import (
    event_kind,
    evidence_sentence,
    name_kind,
    origin_note,
    priority_terms,
    recovered_area,
    recovered_place,
    recovered_state,
    role_name,
)

MESSAGE_LIMIT = 200   # messages listed in full; the counts always cover all of them
RECOVERED_LIMIT = 200
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
class PriorityTerm:
    term: str
    value: float


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
    salvaged: bool = False
    """Read (in one recording at least) from a recovered copy of a damaged database: a live row."""


@dataclass(frozen=True, slots=True)
class RecoveredLine:
    """A deleted message row carved from a message store whose sender resolves to the person:
    listed apart from the messages and never counted in the dossier's figures."""

    time: str | None
    group: str | None              # the chat's label, or its JID as recorded
    state: str                     # deleted | old_version
    area: str                      # where in the database file it was found
    exhibit: str
    path: str
    page: int
    offset: int
    wal_frame: int | None
    place: str                     # page, offset and WAL frame, in words
    text: str | None
    refs: tuple[str, ...]


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
    lang: str
    case_reference: str
    generated: str
    tool_version: str
    analyst: str
    priority: float
    priority_terms: tuple[PriorityTerm, ...]
    countries: tuple[str, ...]
    roles_summary: tuple[str, ...]
    counts: dict[str, int]
    phones: tuple[Phone, ...]
    names: tuple[NameSighting, ...]
    seized_exhibits: tuple[ExhibitLine, ...]
    cited_exhibits: tuple[ExhibitLine, ...]
    cameras: tuple[Camera, ...]
    groups: tuple[GroupInvolvement, ...]
    roles: tuple[RoleLine, ...]
    posted: tuple[PostedCount, ...]
    posts: tuple[PostLine, ...]
    posts_total: int
    first_sightings: tuple[FirstSightingLine, ...]
    messages: tuple[MessageLine, ...]
    messages_total: int
    recovered: tuple[RecoveredLine, ...]
    recovered_total: int
    co_members: tuple[CoMember, ...]
    spells: tuple[MembershipSpell, ...]
    activity: dict[str, int]      # messages per day (all of them, for the timeline)
    evidence: tuple[Evidence, ...]
    problems: tuple[str, ...] = field(default=())

    def to_json(self) -> str:
        """Stable JSON (sorted keys; the only clock is ``generated``, fixed per report run)."""
        body = {"schema": "tantalio.dossier/2", **asdict(self)}
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


def build_dossier(view: CaseView, person: str, context: ReportContext | None = None) -> Dossier:
    """The dossier of person ``person`` (its label, e.g. ``P-0001``), in ``context.lang``."""
    context = context or view.context
    tr = Translator(context.lang)
    figures = view.figures.persons.get(person)
    pid = view.person_ids.get(person)
    table = _EvidenceTable()
    c = view.conn
    phones = tuple(Phone(n, cc) for n, cc in c.execute(
        "SELECT DISTINCT normalized, country FROM identifier WHERE person_id=? AND kind='phone' ORDER BY normalized",
        (pid,)))
    names = tuple(NameSighting(s.name, s.kind, s.exhibit, table.add(
        tr("named “%(name)s” (%(how)s)", name=s.name, how=name_kind(tr, s.kind)),
        EvidenceRef(s.exhibit, s.path, s.location, s.file_sha256))) for s in (figures.sightings if figures else ()))
    seized = tuple(view.exhibit(ex) for (ex,) in c.execute(
        "SELECT exhibit_id FROM exhibit_owner WHERE person_id=? ORDER BY exhibit_id", (pid,)))
    cameras = _cameras(view, pid, table, tr)
    groups = _groups(view, pid, table, tr)
    roles = []
    for role, conf, evidence in c.execute(
            "SELECT role, confidence, evidence FROM person_role WHERE person_id=? ORDER BY role", (pid,)).fetchall():
        refs: tuple[str, ...] = ()
        for item in view.json_list(evidence, f"roles of {person} ({role})"):
            if not isinstance(item, dict):
                continue
            ex, path = item.get("exhibit"), item.get("path")
            refs += table.add(f"{role_name(tr, role)}: {evidence_sentence(tr, item)}", EvidenceRef(
                ex, path, item.get("location"), view.file_sha256(ex, path), item.get("sha256"), item.get("chat")))
        roles.append(RoleLine(role, float(conf), refs))
    posts, posted, posts_total = _posts(view, pid, table, tr)
    first = []
    for fam, sha, post_id, _, chat, time, origin, note in sightings.of_person(c, pid):
        first_refs: tuple[str, ...] = ()
        for mid in _post_messages(view, post_id):
            first_refs += table.add(tr("first sighting of family %(family)s", family=fam),
                                    _with(view.message_ref(mid), sha, view.chat_label(chat)))
        first.append(FirstSightingLine(fam, sha, view.chat_label(chat), time, origin, origin_note(tr, origin, note),
                                       first_refs))
    messages, messages_total = _messages(view, pid, table, tr)
    recovered, recovered_total = _recovered(view, pid, table, tr)
    cited = sorted({e.exhibit for e in table.rows if e.exhibit} | {e.id for e in seized})
    return Dossier(
        person=person, case=view.case_name, synthetic=view.synthetic, lang=context.lang,
        case_reference=context.case_reference, generated=context.generated, tool_version=context.tool_version,
        analyst=context.analyst,
        priority=figures.priority if figures else 0.0, priority_terms=_priority_terms(view, pid),
        countries=figures.countries if figures else tuple(sorted({p.country for p in phones if p.country})),
        roles_summary=figures.roles if figures else tuple(r.role for r in roles),
        counts=figures.counts() if figures else {},
        phones=phones, names=names, seized_exhibits=seized, cited_exhibits=tuple(view.exhibit(ex) for ex in cited),
        cameras=cameras, groups=groups, roles=tuple(roles), posted=posted, posts=posts, posts_total=posts_total,
        first_sightings=tuple(first), messages=messages, messages_total=messages_total,
        recovered=recovered, recovered_total=recovered_total,
        co_members=_co_members(view, person), spells=_spells(view, pid, person, groups),
        activity=_activity(view, pid), evidence=tuple(table.rows), problems=tuple(view.problems),
    )


def _priority_terms(view: CaseView, pid: int | None) -> tuple[PriorityTerm, ...]:
    row = view.conn.execute("SELECT explanation FROM person_score WHERE person_id=?", (pid,)).fetchone()
    if not row:
        return ()
    try:
        terms = json.loads(row[0])
    except ValueError:
        view.problems.append(f"priority explanation of person {view.person_label(pid)}: not valid JSON")
        return ()
    if not isinstance(terms, dict):
        return ()
    known = [t for t in priority_terms() if t in terms] + sorted(t for t in terms if t not in priority_terms())
    return tuple(PriorityTerm(t, float(terms[t])) for t in known if isinstance(terms[t], int | float))


def _activity(view: CaseView, pid: int | None) -> dict[str, int]:
    days: dict[str, int] = defaultdict(int)
    for copies in message_copies(view.conn, pid) if pid is not None else ():
        if copies[0].time:
            days[copies[0].time[:10]] += 1
    return dict(sorted(days.items()))


def _with(ref: EvidenceRef | None, sha: str | None, chat: str | None) -> EvidenceRef | None:
    if ref is None:
        return None
    return EvidenceRef(ref.exhibit, ref.path, ref.location, ref.file_sha256, sha, chat)


def _post_messages(view: CaseView, post_id: int | None) -> list[int]:
    if post_id is None:
        return []
    row = view.conn.execute("SELECT message_ids FROM post WHERE id=?", (post_id,)).fetchone()
    return [m for m in view.json_list(row[0] if row else None, f"post {post_id}") if isinstance(m, int)]


def _cameras(view: CaseView, pid: int | None, table: _EvidenceTable, tr: Translator) -> tuple[Camera, ...]:
    """Cameras linked by EXIF serial: originals on the person's own exhibits, or pictures they posted."""
    found: dict[str, dict[str, Any]] = {}
    rows = view.conn.execute(
        "SELECT i.exif_make, i.exif_model, i.exif_serial, i.sha256, n.exhibit_id, n.path, 'own' "
        "FROM media_item i JOIN media_instance n ON n.sha256 = i.sha256 WHERE i.exif_serial IS NOT NULL "
        "AND n.path IS NOT NULL AND n.exhibit_id IN (SELECT exhibit_id FROM exhibit_owner WHERE person_id=?) "
        "UNION SELECT i.exif_make, i.exif_model, i.exif_serial, i.sha256, NULL, NULL, 'posted' FROM media_item i "
        "JOIN post p ON p.sha256 = i.sha256 WHERE i.exif_serial IS NOT NULL AND p.person_id=? "
        "ORDER BY 3, 4, 5, 6", (pid, pid)).fetchall()
    for make, model, serial, sha, ex, path, _how in rows:
        cam = found.setdefault(serial, {"make": make, "model": model, "media": [], "refs": ()})
        if sha not in cam["media"]:
            cam["media"].append(sha)
        if ex is not None:
            cam["refs"] += table.add(tr("camera serial %(serial)s: original on the person's own exhibit", serial=serial),
                                     EvidenceRef(ex, path, None, view.file_sha256(ex, path), sha))
    return tuple(Camera(v["make"], v["model"], s, tuple(v["media"]), v["refs"]) for s, v in sorted(found.items()))


def _groups(view: CaseView, pid: int | None, table: _EvidenceTable, tr: Translator) -> tuple[GroupInvolvement, ...]:
    events: dict[int, list[GroupEventLine]] = defaultdict(list)
    for chat, kind, person, actor, time, sources in view.conn.execute(
            "SELECT chat_id, event, person_id, by_person_id, time, sources FROM group_event "
            "WHERE person_id=? OR by_person_id=? ORDER BY chat_id, coalesce(time, ''), id", (pid, pid)).fetchall():
        who, by, label = view.person_label(person), view.person_label(actor), view.chat_label(chat)
        refs: tuple[str, ...] = ()
        for source in view.json_list(sources, f"group event in {label}"):
            if isinstance(source, int):
                fact = tr("%(event)s: %(member)s (by %(actor)s) in %(group)s", event=event_kind(tr, kind),
                          member=who or "?", actor=by or "-", group=label)
                refs += table.add(fact, _with(view.membership_event_ref(source), None, label))
        events[chat].append(GroupEventLine(time, kind, who, by, refs))
    chats = set(events) | {r[0] for r in view.conn.execute("SELECT DISTINCT chat_id FROM post WHERE person_id=?", (pid,))}
    me = view.person_label(pid)
    out = []
    for chat in chats:
        label = view.chat_label(chat) or ""
        group = view.figures.groups.get(label)
        out.append(GroupInvolvement(
            label, view.group_name(label), group.names if group else (), bool(group and group.creator == me),
            bool(group and me in group.admins), tuple(events[chat])))
    out.sort(key=lambda g: g.group)
    return tuple(out)


def _posts(view: CaseView, pid: int | None, table: _EvidenceTable, tr: Translator
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
                refs += table.add(tr("posted media in %(group)s", group=label),
                                  _with(view.message_ref(mid), sha, label))
        lines.append(PostLine(time, label, sha, status, category, None if forwarded is None else bool(forwarded), refs))
    posted = tuple(PostedCount(s, c, n) for (s, c), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")))
    return tuple(lines), posted, len(rows)


def _messages(view: CaseView, pid: int | None, table: _EvidenceTable, tr: Translator
              ) -> tuple[tuple[MessageLine, ...], int]:
    """The person's messages, each once however many phones recorded it, citing every recording."""
    clusters = list(message_copies(view.conn, pid)) if pid is not None else []
    lines: list[MessageLine] = []
    salvaged = salvaged_messages(view.conn, [rec.id for copies in clusters[:MESSAGE_LIMIT] for rec in copies])
    for copies in clusters[:MESSAGE_LIMIT]:
        first = copies[0]
        label = view.chat_label(first.conversation) if first.conversation > 0 else None
        refs: tuple[str, ...] = ()
        for rec in copies:
            fact = (tr("message (%(kind)s) in %(group)s, read from a recovered copy of a damaged database",
                       kind=rec.kind, group=label or "-") if rec.id in salvaged
                    else tr("message (%(kind)s) in %(group)s", kind=rec.kind, group=label or "-"))
            refs += table.add(fact, _with(view.message_ref(rec.id), None, label))
        lines.append(MessageLine(first.time, label, first.kind, first.text, refs, len(copies),
                                 any(rec.id in salvaged for rec in copies)))
    return tuple(lines), len(clusters)


def _recovered(view: CaseView, pid: int | None, table: _EvidenceTable, tr: Translator
               ) -> tuple[tuple[RecoveredLine, ...], int]:
    """Deleted rows carved from message stores that resolve to the person (report/recovered.py)."""
    rows = view.recovered.of_person(pid)
    lines = []
    for r in rows[:RECOVERED_LIMIT]:
        fact = tr("Message in %(group)s: %(state)s (%(area)s)", state=recovered_state(tr, r.state),
                  area=recovered_area(tr, r.area), group=r.group or r.chat or "-")
        place = recovered_place(tr, r.page, r.offset, r.wal_frame)
        refs = table.add(fact, EvidenceRef(r.exhibit, r.path, place, r.file_sha256, None, r.group))
        lines.append(RecoveredLine(r.time, r.group or r.chat, r.state, r.area, r.exhibit, r.path, r.page, r.offset,
                                   r.wal_frame, place, r.text, refs))
    return tuple(lines), len(rows)


def _co_members(view: CaseView, person: str) -> tuple[CoMember, ...]:
    shared: dict[str, list[str]] = defaultdict(list)
    for label, group in sorted(view.figures.groups.items()):
        members = set(group.members)
        if person in members:
            for other in members - {person}:
                shared[other].append(label)
    return tuple(CoMember(p, tuple(g)) for p, g in sorted(shared.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def _spells(view: CaseView, pid: int | None, person: str, groups: tuple[GroupInvolvement, ...]
            ) -> tuple[MembershipSpell, ...]:
    """Membership spells as network analysis recorded them (``membership_spell``), or rebuilt from
    the person's join/leave events when that table is empty."""
    admin: dict[str, list[str]] = defaultdict(list)
    for g in groups:
        admin[g.group] += [e.time for e in g.events if e.kind == "admin_granted" and e.person == person and e.time]
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
