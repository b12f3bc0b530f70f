"""The case overview: a picture of the network, counts per country, role and group, the
operation's timeline, and apart from it the case's processing history.

The **operation timeline** holds only what happened in the network: every group's creation (from
the merged membership history, or the creation time a database recorded when no event survives;
a group whose creation time is unknown is listed without one), first sightings of unknown
material, first and last message. **Processing** (exhibits registered, ingests, hash-list imports,
analyses, reports) comes from the exhibit table and the audit log, in its own section: it happened
to the evidence, not in the network.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from markupsafe import Markup

from tantalio.network import sightings
from tantalio.report.caseview import CaseView
from tantalio.report.figures import GroupFigures
from tantalio.report.html import render
from tantalio.report.i18n import Translator
from tantalio.report.recovered import FileCount, SalvagedFile, salvaged_files
from tantalio.report.svg import main_role, network, timeline

NETWORK_LIMIT = 400   # persons drawn; beyond that the picture keeps the highest-priority ones
PROCESSING_ACTIONS = ("ingest", "hashlist.import", "analyze.media", "analyze.network", "persons.merge",
                      "persons.split", "persons.undo")


@dataclass(frozen=True, slots=True)
class Milestone:
    time: str | None
    what: str


@dataclass(frozen=True, slots=True)
class Overview:
    case: str
    synthetic: bool
    persons: int
    exhibits: int
    messages: int
    media: dict[str, int]
    per_country: tuple[tuple[str, int, int], ...]      # country, persons, exhibits
    per_role: tuple[tuple[str, int], ...]
    groups: tuple[GroupFigures, ...]
    milestones: tuple[Milestone, ...]
    processing: tuple[Milestone, ...]
    recovered: tuple[FileCount, ...]          # deleted rows carved per exhibit and file (never in a figure)
    salvaged: tuple[SalvagedFile, ...]        # damaged databases read from a recovered copy (live rows)
    drawn: int
    network_svg: str
    timeline_svg: str


def build_overview(view: CaseView, tr: Translator | None = None) -> Overview:
    tr = tr or Translator(view.context.lang)
    c = view.conn
    persons = list(view.persons.values())
    country_persons: Counter[str] = Counter(cc for p in persons for cc in (p.countries or ["(unknown)"]))
    country_exhibits: Counter[str] = Counter(cc or "(unknown)" for (cc,) in c.execute("SELECT country FROM exhibit"))
    per_country = tuple((cc, country_persons[cc], country_exhibits[cc])
                        for cc in sorted(set(country_persons) | set(country_exhibits)))
    per_role = tuple(sorted(Counter(r for p in persons for r in p.roles).items()))
    groups = tuple(view.groups[g] for g in sorted(view.groups))
    spells: list[tuple[str, str | None, str | None, list[str]]] = []
    milestones: list[Milestone] = []
    created_events = {view.chat_label(ch): (t, view.person_label(p)) for ch, p, t in c.execute(
        "SELECT chat_id, person_id, min(coalesce(time, '9999')) FROM group_event WHERE event='created' GROUP BY chat_id")}
    for g in groups:
        when, by = created_events.get(g.group, (None, None))
        when = g.created or (when if when and when != "9999" else None)
        by = by or g.creator
        what = tr("group %(group)s created", group=g.group) + (" " + tr("by %(person)s", person=by) if by else "")
        milestones.append(Milestone(when, what))
        start = min((t for t in (when, g.first_activity) if t), default=None)
        if start:
            spells.append((g.group, start, g.last_activity if g.last_activity and g.last_activity > start else None, []))
    status = dict(c.execute("SELECT sha256, status FROM media_item"))
    milestones += [Milestone(t, tr("first sighting of unknown family %(family)s (%(group)s, %(person)s)", family=fam,
                                   group=view.chat_label(ch) or "?",
                                   person=view.person_label(p) or tr("origin not observed")))
                   for fam, ch, p, t in ((s.family, s.chat_id, s.person_id, s.time)
                                         for s in sightings.by_family(c).values()
                                         if s.time is not None and status.get(s.sha256) == "unknown")]
    first, last = c.execute("SELECT min(time), max(time) FROM message WHERE time IS NOT NULL").fetchone()
    if first:
        milestones += [Milestone(first, tr("first message recorded")), Milestone(last, tr("last message recorded"))]
    daily = dict(c.execute("SELECT substr(time, 1, 10), count(*) FROM message WHERE time IS NOT NULL "
                           "GROUP BY 1 ORDER BY 1").fetchall())
    drawn = sorted(persons, key=lambda p: (-p.priority, p.person))[:NETWORK_LIMIT]
    drawn_ids = {p.person for p in drawn}
    picture = network(
        [(p.person, p.community, p.roles, p.priority) for p in sorted(drawn, key=lambda p: p.person)],
        [(g.group, g.name, [m for m in g.members if m in drawn_ids]) for g in groups])
    return Overview(
        view.case_name, view.synthetic, len(persons), sum(country_exhibits.values()), view.figures.messages,
        view.figures.media, per_country, per_role, groups,
        tuple(sorted(milestones, key=lambda m: (m.time is None, m.time or "", m.what))), _processing(view, tr),
        tuple(view.recovered.by_file()), tuple(salvaged_files(view.conn)), len(drawn), picture,
        timeline(spells, daily, tr("Operation timeline: group lifetimes and messages per day"),
                 {"messages": tr("messages"), "start": tr("start of the records"), "end": tr("end of the records"),
                  "admin": tr("admin from")}))


def _processing(view: CaseView, tr: Translator) -> tuple[Milestone, ...]:
    """What was done to the evidence: exhibits registered, then every audited processing step."""
    out = [Milestone(t, tr("exhibit %(exhibit)s registered (%(country)s)", exhibit=ex, country=cc or "?"))
           for ex, cc, t in view.conn.execute("SELECT id, country, registered_at FROM exhibit")]
    marks = ",".join("?" * len(PROCESSING_ACTIONS))
    for at, actor, action, details in view.conn.execute(
            f"SELECT at, actor, action, details FROM audit_event WHERE action IN ({marks}) ORDER BY seq",  # noqa: S608
            PROCESSING_ACTIONS):
        try:
            body = json.loads(details)
        except ValueError:
            body = {}
        subject = body.get("exhibit") or body.get("name") or ""
        out.append(Milestone(at, f"{action}{' ' + str(subject) if subject else ''} ({actor})"))
    return tuple(sorted(out, key=lambda m: (m.time or "", m.what)))


def render_overview(overview: Overview, lang: str = "en", meta: object = None) -> str:
    tr = Translator(lang)
    return render("overview.html.j2", lang, title=tr("Case overview"), case=overview.case,
                  synthetic=overview.synthetic, o=overview, meta=meta,
                  network_svg=Markup(overview.network_svg),  # noqa: S704 (built by svg.py, escaped there)
                  timeline_svg=Markup(overview.timeline_svg), main_role=main_role)  # noqa: S704
