"""Charts drawn server side as inline SVG text: a person's membership and activity timeline, and
the network picture of the case overview.

Written by hand (no plotting library) so the output is small, deterministic (coordinates rounded,
layout seeded) and free of anything remote. Every label is XML-escaped here; the templates insert
the result as markup.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

import igraph

# Colour-blind-safe palette (Okabe-Ito) for communities; grey when the community is unknown.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
NO_COMMUNITY = "#999999"
ROLE_ORDER = ("producer", "suspected_producer", "administrator", "distributor", "bridge", "consumer")
ROLE_SHAPE = {"producer": "triangle", "suspected_producer": "triangle-open", "administrator": "diamond",
              "distributor": "square", "bridge": "hexagon", "consumer": "circle"}


def _t(text: object) -> str:
    return escape(str(text))


def _a(text: object) -> str:
    return quoteattr(str(text))


def _when(iso: str) -> float:
    text = iso.replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        dt = datetime.fromisoformat(text[:10])
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def community_colour(community: int | None) -> str:
    return NO_COMMUNITY if community is None else PALETTE[community % len(PALETTE)]


def timeline(spells: Sequence[tuple[str, str | None, str | None, Sequence[str]]], activity: dict[str, int],
             title: str = "Membership and activity", labels: dict[str, str] | None = None) -> str:
    """Membership spells per group (bars; an open start or end is drawn dashed), admin grants
    (diamonds) and messages per day (histogram) on one time axis. ``labels``: the chart's words in
    the report's language (keys messages, start, end, admin)."""
    words = {"messages": "messages", "start": "start of data", "end": "end of data", "admin": "admin from",
             **(labels or {})}
    times = [_when(s[1]) for s in spells if s[1]] + [_when(s[2]) for s in spells if s[2]] + \
        [_when(d) for d in activity] + [_when(t) for s in spells for t in s[3]]
    if not times:
        return f'<svg class="chart" width="700" height="40" role="img"><text x="8" y="24">{_t(title)}: no dated ' \
               "activity</text></svg>"
    lo, hi = min(times), max(times)
    if hi - lo < 86400:
        lo, hi = lo - 43200, hi + 43200
    left, width, row = 110, 570, 20
    height = 30 + row * len(spells) + 90

    def x(ts: float) -> float:
        return round(left + (ts - lo) / (hi - lo) * width, 1)

    out = [f'<svg class="chart" width="700" height="{height}" viewBox="0 0 700 {height}" role="img">',
           f'<title>{_t(title)}</title>', f'<text x="8" y="16" class="ct">{_t(title)}</text>']
    for i, (group, start, end, admin) in enumerate(spells):
        y = 28 + i * row
        x0 = x(_when(start)) if start else left
        x1 = x(_when(end)) if end else left + width
        dash = "" if end and start else ' stroke-dasharray="4 3"'
        out.append(f'<text x="8" y="{y + 12}">{_t(group)}</text>')
        out.append(f'<rect x="{x0}" y="{y}" width="{max(round(x1 - x0, 1), 2)}" height="14" fill="#9ecae1" '
                   f'stroke="#3182bd"{dash}><title>{_t(group)}: {_t(start or words["start"])} – {_t(end or words["end"])}</title></rect>')
        for when in admin:
            ax = x(_when(when))
            out.append(f'<path d="M{ax} {y - 2}l5 9-5 9-5-9z" fill="#d62728"><title>{_t(words["admin"])} {_t(when)}</title></path>')
    base = 28 + row * len(spells) + 60
    bins = 60
    counts = [0] * bins
    for day, n in activity.items():
        counts[min(int((_when(day) - lo) / (hi - lo) * bins), bins - 1)] += n
    top = max(counts) or 1
    bar = width / bins
    out.append(f'<text x="8" y="{base - 20}">{_t(words["messages"])}</text>')
    for i, n in enumerate(counts):
        if n:
            h = round(50 * n / top, 1)
            out.append(f'<rect x="{round(left + i * bar, 1)}" y="{round(base - h, 1)}" width="{round(bar - 1, 1)}" '
                       f'height="{h}" fill="#636363"><title>{n}</title></rect>')
    out.append(f'<line x1="{left}" y1="{base}" x2="{left + width}" y2="{base}" stroke="#000"/>')
    for k in range(5):
        ts = lo + (hi - lo) * k / 4
        anchor = "end" if k == 4 else "middle"    # the last date ends at the axis, inside the picture
        out.append(f'<text x="{x(ts)}" y="{base + 16}" text-anchor="{anchor}" font-size="10">{_day(ts)}</text>')
    out.append("</svg>")
    return "".join(out)


def _shape(kind: str, cx: float, cy: float, r: float, fill: str, tip: str) -> str:
    title = f"<title>{_t(tip)}</title>"
    stroke = ' stroke="#222" stroke-width="1"'
    if kind == "triangle" or kind == "triangle-open":
        pts = f"{cx},{round(cy - r * 1.2, 1)} {round(cx + r, 1)},{round(cy + r * 0.8, 1)} {round(cx - r, 1)},{round(cy + r * 0.8, 1)}"
        extra = ' stroke-dasharray="2 1"' if kind == "triangle-open" else ""
        return f'<polygon points="{pts}" fill="{fill}"{stroke}{extra}>{title}</polygon>'
    if kind == "diamond":
        return f'<path d="M{cx} {round(cy - r * 1.2, 1)}l{r} {round(r * 1.2, 1)}-{r} {round(r * 1.2, 1)}-{r}-{round(r * 1.2, 1)}z" fill="{fill}"{stroke}>{title}</path>'
    if kind == "square":
        return f'<rect x="{round(cx - r, 1)}" y="{round(cy - r, 1)}" width="{2 * r}" height="{2 * r}" fill="{fill}"{stroke}>{title}</rect>'
    if kind == "hexagon":
        h = round(r * 0.87, 1)
        pts = " ".join(f"{round(cx + dx, 1)},{round(cy + dy, 1)}" for dx, dy in
                       ((r, 0), (r / 2, h), (-r / 2, h), (-r, 0), (-r / 2, -h), (r / 2, -h)))
        return f'<polygon points="{pts}" fill="{fill}"{stroke}>{title}</polygon>'
    return f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{fill}"{stroke}>{title}</circle>'


def main_role(roles: Sequence[str]) -> str:
    for role in ROLE_ORDER:
        if role in roles:
            return role
    return "consumer"


def network(persons: Sequence[tuple[str, int | None, Sequence[str], float]],
            groups: Sequence[tuple[str, str, Sequence[str]]], size: int = 680) -> str:
    """Person-group picture. ``persons``: (id, community, roles, priority); ``groups``: (id, name,
    member ids). Persons are coloured by community and shaped by their main role; groups are grey
    squares. Layout: igraph Fruchterman-Reingold, seeded so the same case draws the same picture."""
    index = {p[0]: i for i, p in enumerate(persons)}
    n_p = len(persons)
    edges = [(index[m], n_p + j) for j, g in enumerate(groups) for m in g[2] if m in index]
    graph = igraph.Graph(n=n_p + len(groups), edges=edges)
    if graph.vcount() == 0:
        return '<svg class="chart" width="300" height="40" role="img"><text x="8" y="24">no persons</text></svg>'
    seeded = random.Random(20170131)
    start = [[seeded.uniform(-1, 1), seeded.uniform(-1, 1)] for _ in range(graph.vcount())]
    previous = random.getstate()
    igraph.set_random_number_generator(seeded)
    try:
        coords = graph.layout_fruchterman_reingold(seed=start, niter=500).coords
    finally:
        igraph.set_random_number_generator(random)
        random.setstate(previous)
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    pad = 45   # room for labels at the edges

    def pos(i: int) -> tuple[float, float]:
        return (round(pad + (xs[i] - min(xs)) / span_x * (size - 2 * pad), 1),
                round(pad + (ys[i] - min(ys)) / span_y * (size - 2 * pad), 1))

    out = [f'<svg class="chart network" width="{size}" height="{size + 90}" viewBox="0 0 {size} {size + 90}" role="img">',
           "<title>Network: persons and the groups they belong to</title>", '<g stroke="#bbb" stroke-width="0.7">']
    for a, b in edges:
        (x1, y1), (x2, y2) = pos(a), pos(b)
        out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>')
    out.append("</g>")
    for j, (gid, name, _members) in enumerate(groups):
        gx, gy = pos(n_p + j)
        out.append(f'<rect x="{round(gx - 6, 1)}" y="{round(gy - 6, 1)}" width="12" height="12" fill="#ddd" '
                   f'stroke="#555"><title>{_t(gid)}: {_t(name)}</title></rect>')
        out.append(f'<text x="{round(gx + 8, 1)}" y="{round(gy + 4, 1)}" font-size="9" fill="#555">{_t(gid)}</text>')
    for i, (pid, community, roles, priority) in enumerate(persons):
        px, py = pos(i)
        r = round(4 + 6 * max(0.0, min(priority, 1.0)), 1)
        role = main_role(roles)
        tip = f"{pid}: {', '.join(roles) or 'no role'}; community {community if community is not None else '?'}"
        out.append(_shape(ROLE_SHAPE[role], px, py, r, community_colour(community), tip))
        if role != "consumer":
            out.append(f'<text x="{round(px + r + 2, 1)}" y="{round(py - r, 1)}" font-size="9">{_t(pid)}</text>')
    y = size + 10
    for k, role in enumerate(ROLE_ORDER):
        lx = 20 + (k % 3) * 230
        ly = y + 20 * (k // 3) + 10
        out.append(_shape(ROLE_SHAPE[role], lx, ly, 6, "#fff", role))
        out.append(f'<text x="{lx + 12}" y="{ly + 4}" font-size="11">{_t(role.replace("_", " "))}</text>')
    out.append(f'<rect x="14" y="{y + 44}" width="12" height="12" fill="#ddd" stroke="#555"/>'
               f'<text x="32" y="{y + 54}" font-size="11">group</text>'
               f'<text x="250" y="{y + 54}" font-size="11">colour = community, size = priority</text>')
    out.append("</svg>")
    return "".join(out)
