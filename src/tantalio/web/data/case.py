"""The case dashboard: counts, countries, roles, activity over time."""

from __future__ import annotations

from typing import Any

from tantalio.store import CaseStore

_COUNTS = {
    "exhibits": "SELECT count(*) FROM exhibit",
    "source_files": "SELECT count(*) FROM source_file",
    "persons": "SELECT count(*) FROM person",
    "groups": "SELECT count(*) FROM chat WHERE is_group=1",
    "messages": "SELECT count(*) FROM message",
    "media_items": "SELECT count(*) FROM media_item",
    "media_known": "SELECT count(*) FROM media_item WHERE status='known'",
    "media_unknown": "SELECT count(*) FROM media_item WHERE status='unknown'",
    "media_ignorable": "SELECT count(*) FROM media_item WHERE status='ignorable'",
    "media_categorised": "SELECT count(DISTINCT sha256) FROM categorisation",
    "hash_matches": "SELECT count(DISTINCT sha256) FROM match",
    "warnings": "SELECT count(*) FROM warning",
}



def dashboard(store: CaseStore) -> dict[str, Any]:
    from tantalio.report.figures import case_figures

    conn = store.conn
    counts = {name: int(conn.execute(sql).fetchone()[0]) for name, sql in _COUNTS.items()}
    figures = case_figures(conn)       # the reports' figures: one message however many phones recorded it
    counts["messages"], counts["message_recordings"] = figures.messages, figures.recordings
    countries = [
        {"country": c or "unknown", "persons": n}
        for c, n in conn.execute(
            "SELECT country, count(DISTINCT person_id) FROM identifier WHERE kind='phone' AND person_id IS NOT NULL "
            "GROUP BY country ORDER BY count(DISTINCT person_id) DESC, country"
        )
    ]
    roles = [{"role": r, "persons": n} for r, n in conn.execute(
        "SELECT role, count(*) FROM person_role GROUP BY role ORDER BY count(*) DESC, role")]
    months: dict[str, dict[str, Any]] = {}
    for month, n in conn.execute(
        "SELECT substr(time, 1, 7), count(*) FROM message WHERE time IS NOT NULL GROUP BY 1"
    ):
        months.setdefault(month, {"month": month, "messages": 0, "media_posts": 0})["messages"] = n
    for month, n in conn.execute("SELECT substr(time, 1, 7), count(*) FROM post WHERE time IS NOT NULL GROUP BY 1"):
        months.setdefault(month, {"month": month, "messages": 0, "media_posts": 0})["media_posts"] = n
    exhibits = [  # seized from: the owner as analysis resolved them (--owner, or the evidence's own account)
        {"id": i, "description": d, "country": c, "owner_phone": o, "files": f, "seized_from": p, "owner_basis": b}
        for i, d, c, o, f, p, b in conn.execute(
            "SELECT e.id, e.description, e.country, e.owner_phone, "
            "(SELECT count(*) FROM source_file s WHERE s.exhibit_id=e.id), p.label, eo.basis FROM exhibit e "
            "LEFT JOIN exhibit_owner eo ON eo.exhibit_id = e.id LEFT JOIN person p ON p.id = eo.person_id ORDER BY e.id"
        )
    ]
    top = [
        {"person": label, "priority": pr}
        for label, pr in conn.execute(
            "SELECT p.label, s.priority FROM person_score s JOIN person p ON p.id=s.person_id "
            "ORDER BY s.priority DESC, p.label LIMIT 10"
        )
    ]
    return {
        "case": store.meta("name"),
        "counts": counts,
        "countries": countries,
        "roles": roles,
        "timeline": [months[m] for m in sorted(months)],
        "exhibits": exhibits,
        "top_priority": top,
    }


def timeline_bars(timeline: list[dict[str, Any]], width: int = 760, height: int = 160) -> list[dict[str, Any]]:
    """Geometry of the dashboard's SVG bar chart, computed here so the page needs no script."""
    if not timeline:
        return []
    peak = max(max(m["messages"], m["media_posts"]) for m in timeline) or 1
    slot = width / len(timeline)
    bars = []
    for i, m in enumerate(timeline):
        for j, key in enumerate(("messages", "media_posts")):
            h = round(height * m[key] / peak, 1)
            bars.append({"x": round(i * slot + j * slot / 2, 1), "y": round(height - h, 1),
                         "w": max(round(slot / 2 - 1, 1), 1), "h": h, "kind": key,
                         "title": f"{m['month']}: {m[key]} {key.replace('_', ' ')}"})
    return bars
