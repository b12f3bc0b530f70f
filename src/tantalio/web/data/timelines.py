"""Timelines of the case, a group or a person: counts per period, with zoom and date ranges.

The period length follows the range shown (years down to hours) so a chart has at most about
MAX_BARS bars; clicking a bar zooms into it. Counted, per period:
* messages — for a group, rows of its merged conversation (a message recorded by four phones
  counts once); for the case and a person, messages that agree on group, minute and text count once;
* media posts (de-duplicated across phones by analysis);
* membership events (merged across exhibits by analysis): joins and departures.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from tantalio.errors import UserError
from tantalio.network.align import iso_s

MAX_BARS = 120
# period name, characters of the ISO time that name a period, and its length (for choosing one)
PERIODS = (("hour", 13, timedelta(hours=1)), ("day", 10, timedelta(days=1)), ("month", 7, timedelta(days=31)),
           ("year", 4, timedelta(days=366)))
SERIES = ("messages", "media_posts", "joins", "departures")
JOIN_KINDS = ("created", "added", "joined_link", "joined_invite", "joined_community")
LEAVE_KINDS = ("left", "removed")


def _day(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as e:
        raise UserError(f"{name}: dates are written YYYY-MM-DD, not {text!r}") from e


def choose_period(start: datetime, end: datetime) -> tuple[str, int]:
    span = end - start
    for name, width, length in PERIODS:
        if span / length <= MAX_BARS:
            return name, width
    return "year", 4


def _next(period: str, start: datetime) -> datetime:
    if period == "hour":
        return start + timedelta(hours=1)
    if period == "day":
        return start + timedelta(days=1)
    if period == "month":
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start.replace(year=start.year + 1)


def _period_start(key: str) -> datetime:
    if len(key) == 4:
        return datetime(int(key), 1, 1, tzinfo=UTC)
    if len(key) == 7:
        return datetime(int(key[:4]), int(key[5:7]), 1, tzinfo=UTC)
    if len(key) == 10:
        return datetime.strptime(key, "%Y-%m-%d").replace(tzinfo=UTC)
    return datetime.strptime(key, "%Y-%m-%dT%H").replace(tzinfo=UTC)


def timeline(conn: sqlite3.Connection, scope: str, chat_id: int | None = None, person_id: int | None = None,
             date_from: str | None = None, date_to: str | None = None,
             merged_times: list[float | None] | None = None) -> dict[str, Any]:
    """Counts per period for scope 'case', 'group' (chat_id) or 'person' (person_id)."""
    sources = _sources(scope, chat_id, person_id)
    lo, hi = _extent(conn, sources, merged_times)
    start = _day(date_from, "from") or lo
    last = _day(date_to, "to")
    end = last + timedelta(days=1) if last is not None else hi
    if start is None or end is None:
        return {"scope": scope, "period": None, "from": date_from, "to": date_to, "bars": [], "totals": {},
                "events": []}
    if end <= start:
        end = start + timedelta(days=1)
    period, width = choose_period(start, end)
    counts: dict[str, dict[str, int]] = {}
    lo_iso, hi_iso = _iso(start), _iso(end)
    for series, sql, args in sources:
        if series == "messages" and merged_times is not None:
            for t in merged_times:
                text = iso_s(t) if t is not None else None
                if text and lo_iso <= text < hi_iso:
                    counts.setdefault(text[:width], {}).setdefault(series, 0)
                    counts[text[:width]][series] += 1
            continue
        for key, n in conn.execute(f"SELECT substr(t, 1, {width}) AS k, count(*) FROM ({sql}) "  # noqa: S608 - constants
                                   "WHERE t >= ? AND t < ? GROUP BY k", [*args, lo_iso, hi_iso]):
            counts.setdefault(key, {})[series] = n
    bars: list[dict[str, Any]] = []
    cursor = _period_start(_iso(start)[:width])
    while cursor < end and len(bars) <= MAX_BARS * 2:
        key = _iso(cursor)[:width]
        nxt = _next(period, cursor)
        values = {s: counts.get(key, {}).get(s, 0) for s in SERIES}
        bars.append({"key": key, "from": cursor.date().isoformat(), "to": (nxt - timedelta(seconds=1)).date().isoformat(),
                     **values})
        cursor = nxt
    totals = {s: sum(b[s] for b in bars) for s in SERIES}
    return {"scope": scope, "period": period, "from": start.date().isoformat(),
            "to": (end - timedelta(seconds=1)).date().isoformat(), "bars": bars, "totals": totals,
            "events": _events(conn, scope, chat_id, person_id, lo_iso, hi_iso),
            "extent": {"from": lo.date().isoformat() if lo else None, "to": hi.date().isoformat() if hi else None}}


def _sources(scope: str, chat_id: int | None, person_id: int | None) -> list[tuple[str, str, list[Any]]]:
    joins = ",".join(f"'{k}'" for k in JOIN_KINDS)
    leaves = ",".join(f"'{k}'" for k in LEAVE_KINDS)
    dedup = ("SELECT min(m.time) AS t FROM message m JOIN chat_obs o ON o.id = m.chat_obs_id "
             "LEFT JOIN identifier i ON i.id = m.sender_identifier_id WHERE m.time IS NOT NULL {where} "
             "GROUP BY o.chat_id, substr(m.time, 1, 16), m.text")
    if scope == "case":
        return [("messages", dedup.format(where=""), []),
                ("media_posts", "SELECT time AS t FROM post", []),
                ("joins", f"SELECT time AS t FROM group_event WHERE event IN ({joins})", []),  # noqa: S608
                ("departures", f"SELECT time AS t FROM group_event WHERE event IN ({leaves})", [])]  # noqa: S608
    if scope == "group":
        return [("messages", dedup.format(where="AND o.chat_id = ?"), [chat_id]),
                ("media_posts", "SELECT time AS t FROM post WHERE chat_id = ?", [chat_id]),
                ("joins", f"SELECT time AS t FROM group_event WHERE chat_id = ? AND event IN ({joins})", [chat_id]),  # noqa: S608
                ("departures", f"SELECT time AS t FROM group_event WHERE chat_id = ? AND event IN ({leaves})",  # noqa: S608
                 [chat_id])]
    if scope == "person":
        return [("messages", dedup.format(where="AND i.person_id = ?"), [person_id]),
                ("media_posts", "SELECT time AS t FROM post WHERE person_id = ?", [person_id]),
                ("joins", f"SELECT time AS t FROM group_event WHERE person_id = ? AND event IN ({joins})", [person_id]),  # noqa: S608
                ("departures", f"SELECT time AS t FROM group_event WHERE person_id = ? AND event IN ({leaves})",  # noqa: S608
                 [person_id])]
    raise UserError(f"unknown timeline scope {scope!r}")


def _extent(conn: sqlite3.Connection, sources: list[tuple[str, str, list[Any]]],
            merged_times: list[float | None] | None) -> tuple[datetime | None, datetime | None]:
    lows, highs = [], []
    for series, sql, args in sources:
        if series == "messages" and merged_times is not None:
            dated = [t for t in merged_times if t is not None]
            if dated:
                lows.append(iso_s(min(dated)))
                highs.append(iso_s(max(dated)))
            continue
        lo, hi = conn.execute(f"SELECT min(t), max(t) FROM ({sql}) WHERE t IS NOT NULL", args).fetchone()  # noqa: S608
        if lo:
            lows.append(lo)
            highs.append(hi)
    if not lows:
        return None, None
    low = _day(min(x for x in lows if x), "extent")
    high = _day(max(x for x in highs if x), "extent")
    return low, (high + timedelta(days=1)) if high else None


def _events(conn: sqlite3.Connection, scope: str, chat_id: int | None, person_id: int | None, lo: str, hi: str,
            limit: int = 200) -> list[dict[str, Any]]:
    """Membership events in the range, to read beside the chart."""
    where = "g.time >= ? AND g.time < ?"
    args: list[Any] = [lo, hi]
    if scope == "group":
        where += " AND g.chat_id = ?"
        args.append(chat_id)
    elif scope == "person":
        where += " AND (g.person_id = ? OR g.by_person_id = ?)"
        args += [person_id, person_id]
    return [{"time": t, "event": k, "group": c, "person": p, "by": a} for t, k, c, p, a in conn.execute(
        f"SELECT g.time, g.event, c.label, p.label, a.label FROM group_event g JOIN chat c ON c.id = g.chat_id "  # noqa: S608
        f"LEFT JOIN person p ON p.id = g.person_id LEFT JOIN person a ON a.id = g.by_person_id WHERE {where} "
        f"ORDER BY g.time, g.id LIMIT ?", [*args, limit])]


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def chart(tl: dict[str, Any], width: int = 900, height: int = 180) -> dict[str, Any]:
    """SVG geometry: grouped bars per period (computed here so the page needs no script)."""
    bars = tl.get("bars") or []
    if not bars:
        return {"width": width, "height": height, "rects": [], "ticks": []}
    peak = max(max(b[s] for s in SERIES) for b in bars) or 1
    slot = width / len(bars)
    rects = []
    for i, b in enumerate(bars):
        for j, series in enumerate(SERIES):
            h = round((height - 20) * b[series] / peak, 1)
            w = max(slot / len(SERIES) - 0.5, 0.5)
            rects.append({"x": round(i * slot + j * slot / len(SERIES), 1), "y": round(height - 20 - h, 1),
                          "w": round(w, 1), "h": h, "series": series, "bar": b,
                          "title": f"{b['key']}: {b[series]} {series.replace('_', ' ')}"})
    step = max(1, len(bars) // 8)
    ticks = [{"x": round(i * slot, 1), "label": b["key"]} for i, b in enumerate(bars) if i % step == 0]
    return {"width": width, "height": height, "rects": rects, "ticks": ticks, "slot": slot}


def zoom_out(tl: dict[str, Any]) -> dict[str, str] | None:
    """The range twice as long around the one shown (None when it already covers everything)."""
    if not tl.get("from") or not tl.get("to"):
        return None
    start = datetime.strptime(tl["from"], "%Y-%m-%d").replace(tzinfo=UTC)
    end = datetime.strptime(tl["to"], "%Y-%m-%d").replace(tzinfo=UTC)
    half = max((end - start) / 2, timedelta(days=1))
    extent = tl.get("extent") or {}
    new_from, new_to = (start - half).date().isoformat(), (end + half).date().isoformat()
    if extent.get("from") and extent.get("to") and new_from <= extent["from"] and new_to >= extent["to"]:
        return {"from": "", "to": ""}
    return {"from": new_from, "to": new_to}
