"""A group's conversation merged across the devices that recorded it, and its members at a date.

Four seized phones in one group hold four copies of most messages. The copies are joined into
one row the way `analyze` aligns recordings (network/align.py): each recording's times are put
on the group's reference clock with the offset analysis measured (chat_obs_alignment), and two
copies join when they say the same thing (same text, or same media hash — a .txt export's
"<image omitted>" joins any media) within TOLERANCE_S, come from different recordings, and do
not name different senders. Every row keeps the exhibits and locations of all its copies.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from bisect import bisect_left
from collections import OrderedDict, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from tantalio.network.align import MEDIA, TOLERANCE_S, content_key, epoch, iso_s
from tantalio.web.data import person_labels
from tantalio.web.data.version import case_version

CACHE_ROWS = 400_000        # merged rows kept in memory across groups (~100 bytes each)


def exhibit_owners(conn: sqlite3.Connection) -> dict[str, int]:
    """Exhibit id -> the person it was seized from, as network analysis resolved them."""
    from tantalio.network.case_sections import owner_persons  # read only; kept out of the web's start-up

    return owner_persons(conn)


@dataclass(slots=True)
class _Open:
    """A merged row while it can still take copies."""

    t: float | None
    key: str | None
    person: int | None
    sha: str | None
    obs: set[int]
    ids: list[int] = field(default_factory=list)


def _merge(records: list[tuple[int, int, float | None, str | None, int | None, str | None]]
           ) -> list[tuple[float | None, tuple[int, ...]]]:
    """records: (message id, recording, time on the reference clock, content key, sender person, sha).

    Returns merged rows (time, message ids) in time order; undated messages come last, unmerged."""
    records.sort(key=lambda r: (r[2] is None, r[2] or 0.0, r[0]))
    by_key: dict[str, deque[_Open]] = defaultdict(deque)
    out: list[_Open] = []
    for mid, obs, t, key, person, sha in records:
        row = None
        if t is not None and key is not None:
            media = key == MEDIA or key.startswith("sha:")
            pool = by_key["#media" if media else key]
            while pool and t - pool[0].t > TOLERANCE_S:  # type: ignore[operator]
                pool.popleft()
            best = None
            for cand in pool:
                if obs in cand.obs or (person is not None and cand.person is not None and person != cand.person):
                    continue
                if media and sha and cand.sha and sha != cand.sha:
                    continue
                gap = abs(t - cand.t)  # type: ignore[operator]
                if gap <= TOLERANCE_S and (best is None or gap < best[0]):
                    best = (gap, cand)
            row = best[1] if best else None
        if row is None:
            row = _Open(t, key, person, sha, set())
            out.append(row)
            if t is not None and key is not None:
                by_key["#media" if key == MEDIA or key.startswith("sha:") else key].append(row)
        row.obs.add(obs)
        row.ids.append(mid)
        row.person = row.person if row.person is not None else person
        row.sha = row.sha or sha
    out.sort(key=lambda r: (r.t is None, r.t or 0.0, r.ids[0]))
    return [(r.t, tuple(r.ids)) for r in out]


class MergedCache:
    """Merged rows per group, rebuilt when the case changes; bounded by total rows."""

    def __init__(self, budget: int = CACHE_ROWS) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[int, list[tuple[float | None, tuple[int, ...]]]] = OrderedDict()
        self._rows = 0                        # rows held, summed over the groups
        self._budget = budget
        self._version: tuple[object, ...] | None = None

    def get(self, conn: sqlite3.Connection, chat_id: int) -> list[tuple[float | None, tuple[int, ...]]]:
        version = case_version(conn, reviews=False)
        with self._lock:
            if version != self._version:      # the case changed: every group's rows are stale
                self._items.clear()
                self._rows = 0
                self._version = version
            hit = self._items.get(chat_id)
            if hit is not None:
                self._items.move_to_end(chat_id)
                return hit
            # Built under the lock: after an `analyze` every group's rows go stale at once, and
            # sixteen sessions each rebuilding them in parallel would multiply the memory used.
            rows = merged_rows(conn, chat_id)
            self._items[chat_id] = rows
            self._rows += len(rows)
            while len(self._items) > 1 and self._rows > self._budget:
                self._rows -= len(self._items.popitem(last=False)[1])
        return rows


def merged_rows(conn: sqlite3.Connection, chat_id: int) -> list[tuple[float | None, tuple[int, ...]]]:
    owners = exhibit_owners(conn)
    offsets = {o: off for o, off in conn.execute(
        "SELECT o.id, coalesce(a.offset_s, 0) FROM chat_obs o LEFT JOIN chat_obs_alignment a ON a.chat_obs_id = o.id "
        "WHERE o.chat_id = ?", (chat_id,))}
    records = []
    for mid, obs, exhibit, time, kind, text, from_me, person, sha in conn.execute(
        "SELECT m.id, m.chat_obs_id, m.exhibit_id, m.time, m.kind, m.text, m.from_me, i.person_id, "
        "(SELECT r.sha256 FROM media_ref r WHERE r.message_id = m.id AND r.sha256 IS NOT NULL ORDER BY r.id LIMIT 1) "
        "FROM message m LEFT JOIN identifier i ON i.id = m.sender_identifier_id "
        "WHERE m.chat_obs_id IN (SELECT id FROM chat_obs WHERE chat_id = ?)", (chat_id,)
    ):
        t = epoch(time)
        if t is not None:
            t += offsets.get(obs, 0.0)
        if person is None and from_me:
            person = owners.get(exhibit)
        key = content_key(text, kind, sha)
        if key is None and text:
            key = "sys:" + " ".join(text.casefold().split())  # the same system line in the same language
        records.append((mid, obs, t, key, person, sha.lower() if sha else None))
    return _merge(records)


def copies_of(conn: sqlite3.Connection, cache: MergedCache,
              messages: list[tuple[int, int | None]]) -> dict[int, tuple[int, ...]]:
    """(message id, group id) -> every copy of that message the merged conversation joins into
    its row (the message alone in a group that one device recorded, or not analysed yet)."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for mid, chat in messages:
        if chat is not None:
            wanted[chat].add(mid)
    shared = {c for (c,) in conn.execute(
        "SELECT chat_id FROM chat_obs WHERE chat_id IS NOT NULL GROUP BY chat_id HAVING count(*) > 1")}
    out: dict[int, tuple[int, ...]] = {}
    for chat, mids in wanted.items():
        if chat not in shared:
            continue                         # copies only join across recordings
        for _, ids in cache.get(conn, chat):
            if len(ids) > 1 and not mids.isdisjoint(ids):
                out.update((m, ids) for m in ids if m in mids)
    return {mid: out.get(mid, (mid,)) for mid, _ in messages}


def conversation(conn: sqlite3.Connection, cache: MergedCache, chat_id: int, *, offset: int = 0, limit: int = 100,
                 message: int | None = None, date: str | None = None) -> dict[str, Any]:
    """One page of the merged conversation; `message` or `date` choose the page that holds them."""
    rows = cache.get(conn, chat_id)
    focus = None
    if message is not None:
        for n, (_, ids) in enumerate(rows):
            if message in ids:
                focus = n
                break
    elif date:
        start = epoch(date + "T00:00:00+00:00")
        if start is not None:
            dated = [t for t, _ in rows if t is not None]
            focus = min(bisect_left(dated, start), max(len(rows) - 1, 0))
    if focus is not None:
        offset = focus - focus % limit
    page = rows[offset:offset + limit]
    return {
        "total": len(rows), "recorded": sum(len(ids) for _, ids in rows), "offset": offset, "limit": limit,
        "focus_message": message, "date": date, "months": _months(rows, limit),
        "rows": _details(conn, page),
    }


def _months(rows: list[tuple[float | None, tuple[int, ...]]], limit: int) -> list[dict[str, Any]]:
    """Date navigation: each month with its row count and the page offset where it starts."""
    months: dict[str, dict[str, Any]] = {}
    for n, (t, _) in enumerate(rows):
        if t is None:
            continue
        month = (iso_s(t) or "")[:7]
        entry = months.setdefault(month, {"month": month, "rows": 0, "offset": n - n % limit, "date": month + "-01"})
        entry["rows"] += 1
    return list(months.values())


def _details(conn: sqlite3.Connection, page: list[tuple[float | None, tuple[int, ...]]]) -> list[dict[str, Any]]:
    ids = [i for _, group in page for i in group]
    if not ids:
        return []
    wanted = json.dumps(ids)
    owners = exhibit_owners(conn)
    labels = person_labels(conn)
    messages: dict[int, dict[str, Any]] = {}
    for mid, exhibit, location, time, raw, text, kind, fwd, person, sender, from_me, path, recovery in conn.execute(
        "SELECT m.id, m.exhibit_id, m.location, m.time, m.time_raw, m.text, m.kind, m.forwarded, i.person_id, i.value, "
        "m.from_me, s.path, m.recovery FROM message m LEFT JOIN identifier i ON i.id = m.sender_identifier_id "
        "JOIN source_file s ON s.id = m.source_file_id WHERE m.id IN (SELECT value FROM json_each(?))", (wanted,)
    ):
        if person is None and from_me:
            person = owners.get(exhibit)
        messages[mid] = {"message": mid, "exhibit": exhibit, "path": path, "location": location, "time": time,
                         "time_raw": raw, "text": text, "kind": kind, "forwarded": fwd, "person": person,
                         "sender_identifier": sender or ("device owner" if from_me else None),
                         "recovery": recovery}
    media: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for mid, sha, seen_as, mime, name, caption, status, has_file in conn.execute(
        "SELECT r.message_id, r.sha256, r.seen_as, coalesce(mi.mime, r.mime), r.name, r.caption, mi.status, "
        "EXISTS (SELECT 1 FROM source_file s WHERE s.sha256 = r.sha256) FROM media_ref r "
        "LEFT JOIN media_item mi ON mi.sha256 = r.sha256 WHERE r.message_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY r.id", (wanted,)
    ):
        media[mid].append({"sha256": sha, "seen_as": seen_as, "mime": mime, "name": name, "caption": caption,
                           "status": status, "in_case": status is not None,
                           "previewable": bool(has_file and mime and mime.startswith("image/"))})
    out = []
    for t, group in page:
        copies = [messages[i] for i in group if i in messages]
        if not copies:
            continue
        # The copy with the most precise time speaks for the row (a database keeps seconds, an export minutes).
        lead = max(copies, key=lambda c: (c["time"] is not None and not str(c["time"]).endswith(":00Z"), len(c["text"])))
        states = {c["forwarded"] for c in copies if c["forwarded"] is not None}
        refs: dict[str, dict[str, Any]] = {}
        for c in copies:
            for ref in media.get(c["message"], []):
                refs.setdefault(ref["sha256"] or f"{c['message']}:{len(refs)}", ref)
        person = next((c["person"] for c in copies if c["person"] is not None), None)
        out.append({
            "id": lead["message"], "time": iso_s(t) if t is not None else None, "text": lead["text"],
            "kind": lead["kind"], "sender": labels.get(person) if person is not None else None,
            "sender_identifier": lead["sender_identifier"],
            "forwarded": None if not states else (True in states),
            "media": list(refs.values()),
            "copies": [{"exhibit": c["exhibit"], "message": c["message"], "path": c["path"], "location": c["location"],
                        "time": c["time"], "time_raw": c["time_raw"], "recovery": c["recovery"]} for c in sorted(copies, key=lambda c: c["exhibit"])],
            "messages": [c["message"] for c in copies],
        })
    return out


def members_at(conn: sqlite3.Connection, chat_id: int, at: str | None) -> dict[str, Any]:
    """Who was in the group at `at` (ISO date or time, UTC; None: the latest state recorded)."""
    moment = None
    if at:
        moment = at if "T" in at else at + "T23:59:59Z"
    rows = conn.execute(
        "SELECT p.label, s.start, s.end, s.start_kind, s.end_kind FROM membership_spell s JOIN person p ON p.id = s.person_id "
        "WHERE s.chat_id = ? ORDER BY p.label, s.start", (chat_id,)).fetchall()
    members: dict[str, dict[str, Any]] = {}
    for label, start, end, start_kind, end_kind in rows:
        inside = (start is None or moment is None or start <= moment) and (
            end is None or (moment is not None and end > moment))
        if inside:
            members.setdefault(label, {"person": label, "since": start, "how": start_kind, "until": end,
                                       "ended_by": end_kind})
    admins = {lbl for (lbl,) in conn.execute(
        "SELECT p.label FROM group_event g JOIN person p ON p.id = g.person_id WHERE g.chat_id = ? AND "
        "g.event = 'admin_granted' AND (? IS NULL OR g.time <= ?) AND NOT EXISTS (SELECT 1 FROM group_event r WHERE "
        "r.chat_id = g.chat_id AND r.person_id = g.person_id AND r.event = 'admin_revoked' AND r.time > g.time "
        "AND (? IS NULL OR r.time <= ?))", (chat_id, moment, moment, moment, moment))}
    creator = conn.execute("SELECT p.label FROM chat c JOIN person p ON p.id = c.creator_person_id WHERE c.id = ? "
                           "AND NOT EXISTS (SELECT 1 FROM group_event r WHERE r.chat_id = c.id AND "
                           "r.person_id = c.creator_person_id AND r.event = 'admin_revoked' AND (? IS NULL OR r.time <= ?))",
                           (chat_id, moment, moment)).fetchone()
    if creator:
        admins.add(creator[0])   # WhatsApp and Telegram make a group's creator its first admin
    for label, member in members.items():
        member["admin"] = label in admins
    return {"at": at, "members": list(members.values()), "spells": len(rows)}
