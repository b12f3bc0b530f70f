"""Media facts, the review queue, reviewers' categorisations and their exposure counter.

Categorisations and reveals are the only things the web UI writes about evidence; each is
appended to the case's audit log with the reviewer's name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tantalio.errors import UserError
from tantalio.media.hashlists.categories import CategoryScheme
from tantalio.network import sightings
from tantalio.store import CaseStore, utcnow
from tantalio.web.data import HAS_FILE, LATEST_CATEGORY, chat_labels, person_labels


def review_queue(store: CaseStore, status: str = "all", offset: int = 0, limit: int = 48) -> dict[str, Any]:
    """Unknown material first (nothing matched it: it may be new abuse), then uncategorised, then the rest."""
    where = {"all": "1=1", "unknown": "m.status='unknown'", "known": "m.status='known'",
             "ignorable": "m.status='ignorable'", "uncategorised": f"{LATEST_CATEGORY} IS NULL"}.get(status)
    if where is None:
        raise UserError(f"unknown queue filter {status!r}")
    conn = store.conn
    total = int(conn.execute(f"SELECT count(*) FROM media_item m WHERE {where}").fetchone()[0])  # noqa: S608 - constant SQL
    items = [
        {"sha256": s, "status": st, "category": cat, "reviewer_category": rc, "family": fam, "mime": mime,
         "width": w, "height": h, "posts": posts, "has_file": bool(f),
         "previewable": bool(f and mime and mime.startswith("image/"))}
        for s, st, cat, rc, fam, mime, w, h, posts, f in conn.execute(
            f"SELECT m.sha256, m.status, m.category, {LATEST_CATEGORY}, m.family, m.mime, m.width, m.height, "  # noqa: S608 - constant SQL
            f"(SELECT count(*) FROM post p WHERE p.sha256=m.sha256), {HAS_FILE} FROM media_item m "
            f"WHERE {where} ORDER BY CASE m.status WHEN 'unknown' THEN 0 WHEN 'known' THEN 1 ELSE 2 END, "
            f"{LATEST_CATEGORY} IS NOT NULL, {HAS_FILE} DESC, m.family, m.sha256 LIMIT ? OFFSET ?",
            (limit, offset))
    ]
    return {"status": status, "total": total, "offset": offset, "limit": limit, "items": items}


def media_page(store: CaseStore, sha256: str) -> dict[str, Any] | None:
    conn = store.conn
    cols = ("sha256", "md5", "sha1", "size", "mime", "width", "height", "pdq", "pdq_quality", "status", "category",
            "family", "exif_make", "exif_model", "exif_serial", "exif_taken", "exif_software", "gps_lat", "gps_lon",
            "triage_error")
    row = conn.execute(f"SELECT {', '.join(cols)} FROM media_item WHERE sha256=?", (sha256,)).fetchone()  # noqa: S608 - constant SQL
    if row is None:
        return None
    item: dict[str, Any] = dict(zip(cols, row, strict=True))
    chats, people = chat_labels(conn), person_labels(conn)
    item["has_file"] = bool(conn.execute("SELECT 1 FROM source_file WHERE sha256=? LIMIT 1", (sha256,)).fetchone())
    item["previewable"] = bool(item["has_file"] and item["mime"] and item["mime"].startswith("image/"))
    item["matches"] = [
        {"list": ln, "algorithm": a, "distance": d, "category": c, "series": s}
        for ln, a, d, c, s in conn.execute(
            "SELECT l.name, x.algorithm, x.distance, e.category, e.series FROM match x "
            "JOIN hash_entry e ON e.id=x.entry_id JOIN hash_list l ON l.id=e.list_id WHERE x.sha256=? "
            "ORDER BY x.distance, l.name", (sha256,))
    ]
    item["instances"] = [
        {"exhibit": e, "path": p, "seen_as": how, "time": t, "group": chats.get(c) if c else None,
         "sender": people.get(sp) if sp else None}
        for e, p, how, t, c, sp in conn.execute(
            "SELECT i.exhibit_id, i.path, i.seen_as, m.time, o.chat_id, s.person_id FROM media_instance i "
            "LEFT JOIN message m ON m.id=i.message_id LEFT JOIN chat_obs o ON o.id=m.chat_obs_id "
            "LEFT JOIN identifier s ON s.id=m.sender_identifier_id WHERE i.sha256=? ORDER BY m.time, i.exhibit_id, i.path",
            (sha256,))
    ]
    first = sightings.of_item(conn, sha256)
    item["first_seen"] = None if first is None else {
        "person": people.get(first.person_id) if first.person_id else None,
        "group": chats.get(first.chat_id) if first.chat_id else None,
        "time": first.time, "origin": first.origin, "note": first.note}
    item["family_members"] = [s for (s,) in conn.execute(
        "SELECT sha256 FROM media_item WHERE family=? AND sha256<>? ORDER BY sha256", (item["family"], sha256)
    )] if item["family"] else []
    item["categorisations"] = [
        {"category": c, "scheme": sc, "user": u, "at": at}
        for c, sc, u, at in conn.execute(
            "SELECT category, scheme, user, at FROM categorisation WHERE sha256=? ORDER BY id DESC", (sha256,))
    ]
    item["reviewer_category"] = item["categorisations"][0]["category"] if item["categorisations"] else None
    return item


def categorise(store: CaseStore, sha256s: list[str], category: str, scheme: CategoryScheme, user: str,
               family: str | None = None) -> list[str]:
    """Record a reviewer's category for media items; returns the SHA-256s categorised."""
    code = category.strip().upper()
    if scheme.category(code) is None:
        raise UserError(f"{category!r} is not a category of scheme {scheme.name}")
    at = utcnow()
    with store.transaction() as conn:
        known = [s for s in sha256s if conn.execute("SELECT 1 FROM media_item WHERE sha256=?", (s,)).fetchone()]
        if not known:
            raise LookupError("no such media item")
        conn.executemany("INSERT INTO categorisation(sha256, category, scheme, user, at) VALUES (?,?,?,?,?)",
                         [(s, code, scheme.name, user, at) for s in known])
        details: dict[str, Any] = {"sha256": known, "category": code, "scheme": scheme.name}
        if family is not None:
            details["family"] = family
        store.audit("web.media_categorised", details, actor=user)
    return known


def exposure_today(store: CaseStore, user: str) -> int:
    day = datetime.now(UTC).date().isoformat()
    row = store.conn.execute("SELECT reveals FROM exposure WHERE user=? AND day=?", (user, day)).fetchone()
    return int(row[0]) if row else 0
