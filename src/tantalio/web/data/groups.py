"""Groups: the list and the group page (names, membership timeline, messages with media)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from tantalio.store import CaseStore
from tantalio.web.data import person_labels


def groups(store: CaseStore) -> list[dict[str, Any]]:
    """The group list; its figures are the reports' (tantalio.report.figures), so they agree."""
    from tantalio.report.figures import case_figures

    figures = case_figures(store.conn)
    return [{"id": g.group, "name": g.name, "platform": g.platform, "created": g.created, "creator": g.creator,
             "members": len(g.members), "messages": g.messages, "recordings": g.recordings,
             "media_posts": g.media_posts, "admins": len(g.admins)} for g in figures.groups.values()]


def group_page(store: CaseStore, label: str, offset: int = 0, limit: int = 200) -> dict[str, Any] | None:
    conn = store.conn
    row = conn.execute(
        "SELECT id, label, platform, is_group, created_at, creator_person_id FROM chat WHERE label=?", (label,)
    ).fetchone()
    if row is None:
        return None
    cid, label, platform, is_group, created, creator = row
    people = person_labels(conn)
    names = [
        {"name": n, "first_seen": f, "last_seen": la}
        for n, f, la in conn.execute(
            "SELECT name, first_seen, last_seen FROM chat_name WHERE chat_id=? ORDER BY coalesce(first_seen, '')", (cid,))
    ]
    if not names:
        names = [{"name": n, "first_seen": None, "last_seen": None} for (n,) in conn.execute(
            "SELECT DISTINCT name FROM chat_obs WHERE chat_id=? AND name IS NOT NULL ORDER BY name", (cid,))]
    observed_in = [
        {"exhibit": e, "jid": j, "name": n, "path": p}
        for e, j, n, p in conn.execute(
            "SELECT o.exhibit_id, o.jid, o.name, s.path FROM chat_obs o JOIN source_file s ON s.id=o.source_file_id "
            "WHERE o.chat_id=? ORDER BY o.exhibit_id, s.path", (cid,))
    ]
    timeline = [
        {"event": k, "person": people.get(p) if p else None, "by": people.get(a) if a else None, "time": t,
         "detail": d, "confidence": c}
        for k, p, a, t, d, c in conn.execute(
            "SELECT event, person_id, by_person_id, time, detail, confidence FROM group_event WHERE chat_id=? "
            "ORDER BY time IS NULL, time, id", (cid,))
    ]
    total = int(conn.execute(
        "SELECT count(*) FROM message m JOIN chat_obs o ON o.id=m.chat_obs_id WHERE o.chat_id=?", (cid,)
    ).fetchone()[0])
    messages: list[dict[str, Any]] = []
    by_id: dict[int, dict[str, Any]] = {}
    for mid, exhibit, location, time, text, kind, fwd, sender_person, sender_value, from_me in conn.execute(
        "SELECT m.id, m.exhibit_id, m.location, m.time, m.text, m.kind, m.forwarded, i.person_id, i.value, m.from_me "
        "FROM message m JOIN chat_obs o ON o.id=m.chat_obs_id LEFT JOIN identifier i ON i.id=m.sender_identifier_id "
        "WHERE o.chat_id=? ORDER BY m.time IS NULL, m.time, m.id LIMIT ? OFFSET ?", (cid, limit, offset)
    ):
        msg = {"exhibit": exhibit, "location": location, "time": time, "text": text, "kind": kind,
               "forwarded": None if fwd is None else bool(fwd),
               "sender": people.get(sender_person) if sender_person else None,
               "sender_identifier": sender_value if sender_value else ("device owner" if from_me else None),
               "media": []}
        messages.append(msg)
        by_id[mid] = msg
    refs: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if by_id:
        for mid, sha, seen_as, mime, name, caption, status, has_file in conn.execute(
            "SELECT r.message_id, r.sha256, r.seen_as, coalesce(mi.mime, r.mime), r.name, r.caption, mi.status, "
            "EXISTS (SELECT 1 FROM source_file s WHERE s.sha256=r.sha256) FROM media_ref r "
            "LEFT JOIN media_item mi ON mi.sha256=r.sha256 WHERE r.message_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY r.id", (json.dumps(list(by_id)),)
        ):
            refs[mid].append({"sha256": sha, "seen_as": seen_as, "mime": mime, "name": name, "caption": caption,
                              "status": status, "in_case": status is not None,
                              "previewable": bool(has_file and mime and mime.startswith("image/"))})
    for mid, msg in by_id.items():
        msg["media"] = refs.get(mid, [])
    return {
        "id": label, "platform": platform, "is_group": bool(is_group), "created": created,
        "creator": people.get(creator) if creator else None, "names": names, "observed_in": observed_in,
        "timeline": timeline, "messages": messages, "message_total": total, "offset": offset, "limit": limit,
    }
