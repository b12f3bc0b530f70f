"""The case dashboard (counts, countries, roles, activity over time) and the search box."""

from __future__ import annotations

import re
from typing import Any

from tantalio.store import CaseStore
from tantalio.web.data import chat_labels, latest_chat_names, like_pattern

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

_HEX = re.compile(r"^[0-9a-fA-F]{6,64}$")


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
    exhibits = [
        {"id": i, "description": d, "country": c, "owner_phone": o, "files": f}
        for i, d, c, o, f in conn.execute(
            "SELECT e.id, e.description, e.country, e.owner_phone, "
            "(SELECT count(*) FROM source_file s WHERE s.exhibit_id=e.id) FROM exhibit e ORDER BY e.id"
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


def search(store: CaseStore, query: str, limit: int = 50) -> dict[str, Any]:
    """Persons by phone, name or label; groups by name or label; media by hash prefix."""
    q = query.strip()
    result: dict[str, Any] = {"query": q, "persons": [], "groups": [], "media": []}
    if len(q) < 2:
        return result
    conn = store.conn
    pattern = like_pattern(q)
    # Phones are stored in E.164; a national "07700 900456" still finds +447700900456.
    digits = re.sub(r"[\s().+-]", "", q).lstrip("0")
    phone_pattern = like_pattern(digits) if digits else pattern
    seen: set[tuple[str, str]] = set()
    for label, kind, value in conn.execute(
        "SELECT p.label, i.kind, i.value FROM identifier i JOIN person p ON p.id=i.person_id "
        "WHERE i.value LIKE ? ESCAPE '\\' OR i.normalized LIKE ? ESCAPE '\\' OR p.label LIKE ? ESCAPE '\\' "
        "ORDER BY p.label, i.kind, i.value LIMIT ?",
        (pattern, phone_pattern, pattern, limit),
    ):
        if (label, value) not in seen:
            seen.add((label, value))
            result["persons"].append({"person": label, "matched": value, "kind": kind})
    for label, name in conn.execute(
        "SELECT i2.label, i.value FROM alias a JOIN identifier i ON i.id=a.name_id "
        "JOIN identifier h ON h.id=a.identifier_id JOIN person i2 ON i2.id=h.person_id "
        "WHERE i.value LIKE ? ESCAPE '\\' ORDER BY i2.label LIMIT ?", (pattern, limit)
    ):
        if (label, name) not in seen:
            seen.add((label, name))
            result["persons"].append({"person": label, "matched": name, "kind": "alias"})
    labels = chat_labels(conn)
    names = latest_chat_names(conn)
    group_hits: dict[int, str] = {}
    for chat_id, name in conn.execute(
        "SELECT chat_id, name FROM chat_name WHERE name LIKE ? ESCAPE '\\' UNION "
        "SELECT chat_id, name FROM chat_obs WHERE chat_id IS NOT NULL AND name LIKE ? ESCAPE '\\' UNION "
        "SELECT id, label FROM chat WHERE label LIKE ? ESCAPE '\\' LIMIT ?", (pattern, pattern, pattern, limit)
    ):
        group_hits.setdefault(chat_id, name)
    result["groups"] = [{"group": labels[c], "name": names.get(c), "matched": m}
                        for c, m in sorted(group_hits.items()) if c in labels]
    if _HEX.match(q):
        prefix = q.lower() + "%"
        media: dict[str, dict[str, Any]] = {}
        for s, st, m in conn.execute(
                "SELECT sha256, status, 'sha256' FROM media_item WHERE sha256 LIKE ? UNION "
                "SELECT sha256, status, 'md5' FROM media_item WHERE md5 LIKE ? UNION "
                "SELECT sha256, status, 'sha1' FROM media_item WHERE sha1 LIKE ? UNION "
                "SELECT sha256, status, 'pdq' FROM media_item WHERE pdq LIKE ? ORDER BY 1 LIMIT ?",
                (prefix, prefix, prefix, prefix, limit),
        ):
            media.setdefault(s, {"sha256": s, "status": st, "matched": m})
        result["media"] = list(media.values())
    return result
