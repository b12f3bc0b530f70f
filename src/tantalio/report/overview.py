"""The case overview: a picture of the network, counts per country, role and group, and the
operation's timeline (group lifetimes, messages per day, dated milestones)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from markupsafe import Markup

from tantalio.network import sightings
from tantalio.report.caseview import CaseView
from tantalio.report.html import render
from tantalio.report.svg import main_role, network, timeline

NETWORK_LIMIT = 400   # persons drawn; beyond that the picture keeps the highest-priority ones


@dataclass(frozen=True, slots=True)
class GroupLine:
    group: str
    name: str
    platform: str
    created: str | None
    creator: str | None
    admins: int
    members: int
    posts: int
    first_activity: str | None
    last_activity: str | None


@dataclass(frozen=True, slots=True)
class Milestone:
    time: str
    what: str


@dataclass(frozen=True, slots=True)
class Overview:
    case: str
    synthetic: bool
    persons: int
    exhibits: int
    media: dict[str, int]
    per_country: tuple[tuple[str, int, int], ...]      # country, persons, exhibits
    per_role: tuple[tuple[str, int], ...]
    groups: tuple[GroupLine, ...]
    milestones: tuple[Milestone, ...]
    drawn: int
    network_svg: str
    timeline_svg: str


def build_overview(view: CaseView) -> Overview:
    c = view.conn
    persons = view.doc["persons"]
    country_persons: Counter[str] = Counter(cc for p in persons for cc in (p.get("countries") or ["(unknown)"]))
    country_exhibits: Counter[str] = Counter(cc or "(unknown)" for (cc,) in c.execute("SELECT country FROM exhibit"))
    per_country = tuple((cc, country_persons[cc], country_exhibits[cc])
                        for cc in sorted(set(country_persons) | set(country_exhibits)))
    per_role = tuple(sorted(Counter(r for p in persons for r in (p.get("roles") or [])).items()))
    activity = {r[0]: (r[1], r[2]) for r in c.execute(
        "SELECT o.chat_id, min(m.time), max(m.time) FROM message m JOIN chat_obs o ON o.id = m.chat_obs_id "
        "WHERE o.chat_id IS NOT NULL AND m.time IS NOT NULL GROUP BY o.chat_id")}
    post_counts = dict(c.execute("SELECT chat_id, count(*) FROM post GROUP BY chat_id").fetchall())
    groups = []
    spells: list[tuple[str, str | None, str | None, list[str]]] = []
    for label, g in sorted(view.groups.items()):
        cid = view.chat_ids.get(label)
        first, last = activity.get(cid, (None, None))
        start = min((t for t in (g.get("created"), first) if t), default=None)
        groups.append(GroupLine(label, view.group_name(label), str(g.get("platform") or ""), g.get("created"),
                                g.get("creator"), len(g.get("admins") or ()), len(g.get("members") or ()),
                                post_counts.get(cid, 0), first, last))
        if start:
            spells.append((label, start, last if last and last > start else None, []))
    milestones = [Milestone(t, f"group {view.chat_label(ch)} created"
                               + (f" by {view.person_label(p)}" if p else ""))
                  for ch, p, t in c.execute("SELECT chat_id, person_id, time FROM group_event "
                                            "WHERE kind='created' AND time IS NOT NULL")]
    status = dict(c.execute("SELECT sha256, status FROM media_item"))
    milestones += [Milestone(t, f"first sighting of unknown family {fam} ({view.chat_label(ch) or '?'}, "
                                f"{view.person_label(p) or 'origin not observed'})")
                   for fam, ch, p, t in ((s.family, s.chat_id, s.person_id, s.time)
                                         for s in sightings.by_family(c).values()
                                         if s.time is not None and status.get(s.sha256) == "unknown")]
    milestones += [Milestone(t, f"exhibit {ex} registered ({cc or '?'})")
                   for ex, cc, t in c.execute("SELECT id, country, registered_at FROM exhibit")]
    daily = dict(c.execute("SELECT substr(time, 1, 10), count(*) FROM message WHERE time IS NOT NULL "
                           "GROUP BY 1 ORDER BY 1").fetchall())
    media = dict(sorted(Counter(str(m.get("status")) for m in view.doc["media"]).items()))
    drawn = sorted(persons, key=lambda p: (-float(p.get("priority") or 0), p["id"]))[:NETWORK_LIMIT]
    drawn_ids = {p["id"] for p in drawn}
    communities = {view.person_label(pid): com for pid, com in c.execute(
        "SELECT person_id, community FROM person_score")}
    picture = network(
        [(p["id"], communities.get(p["id"]), tuple(p.get("roles") or ()), float(p.get("priority") or 0))
         for p in sorted(drawn, key=lambda p: p["id"])],
        [(label, view.group_name(label), [m for m in (g.get("members") or ()) if m in drawn_ids])
         for label, g in sorted(view.groups.items())])
    return Overview(
        view.case_name, view.synthetic, len(persons), sum(country_exhibits.values()),
        media, per_country, per_role, tuple(groups),
        tuple(sorted(milestones, key=lambda m: (m.time, m.what))), len(drawn), picture,
        timeline(spells, daily, "Operation timeline: group lifetimes and messages per day"))


def render_overview(overview: Overview) -> str:
    return render("overview.html.j2", title="Case overview", case=overview.case, synthetic=overview.synthetic,
                  o=overview, network_svg=Markup(overview.network_svg),  # noqa: S704 (built by svg.py, escaped there)
                  timeline_svg=Markup(overview.timeline_svg), main_role=main_role)  # noqa: S704
