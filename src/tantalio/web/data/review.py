"""Review by PDQ family, reveal grants (one at a time, enforced here) and reviewer exposure.

A family is what triage grouped as near-duplicates (media_item.family; an item alone is its own
family, keyed by its SHA-256): a reviewer judges it once, not once per re-encoded copy.

Reveals: the page asks for a grant (POST, CSRF-checked) and fetches the image with the grant's
one-time token. A reviewer holds at most one grant; a new one revokes the previous, a grant is
fetched once and expires after GRANT_SECONDS, so a second image cannot be revealed beside the
first, nor any image outside that flow. Every preview, reveal and download is audited and
counted in the reviewer's exposure for the day; a soft daily limit asks for confirmation before
going past it, and a long stretch without a pause brings a break reminder.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from tantalio.errors import UserError
from tantalio.store import CaseStore
from tantalio.web.data import HAS_FILE, LATEST_CATEGORY

GRANT_SECONDS = 60
FAMILY = "coalesce(m.family, m.sha256)"
QUEUE_FILTERS = {
    "all": "1=1",
    "unknown": "sum(m.status = 'unknown') > 0",
    "known": "sum(m.status = 'known') > 0",
    "ignorable": "sum(m.status = 'ignorable') = count(*)",
    "uncategorised": f"sum({LATEST_CATEGORY} IS NULL) > 0",
}


def family_queue(store: CaseStore, status: str = "all", offset: int = 0, limit: int = 48) -> dict[str, Any]:
    """One card per family: unknown material first (it may be new abuse), then uncategorised, biggest first."""
    having = QUEUE_FILTERS.get(status)
    if having is None:
        raise UserError(f"unknown queue filter {status!r}")
    conn = store.conn
    grouped = (f"SELECT {FAMILY} AS fam, count(*) AS n, sum(m.status = 'unknown') AS unknown, "  # noqa: S608 - constants
               f"sum(m.status = 'known') AS known, sum({LATEST_CATEGORY} IS NULL) AS open, "
               f"group_concat(DISTINCT {LATEST_CATEGORY}) AS categories, "
               f"min(CASE WHEN {HAS_FILE} AND m.mime LIKE 'image/%' THEN m.sha256 END) AS shown, "
               f"min(m.sha256) AS first FROM media_item m GROUP BY fam HAVING {having}")
    total = conn.execute(f"SELECT count(*) FROM ({grouped})").fetchone()[0]  # noqa: S608
    cards = []
    for fam, n, unknown, known, open_, categories, shown, first in conn.execute(
        f"SELECT * FROM ({grouped}) ORDER BY unknown = 0, open = 0, n DESC, fam LIMIT ? OFFSET ?",  # noqa: S608
        (limit, offset)
    ):
        cards.append({"family": fam, "count": n, "unknown": unknown, "known": known, "uncategorised": open_,
                      "categories": sorted((categories or "").split(",")) if categories else [],
                      "sha256": shown or first, "previewable": shown is not None,
                      "status": "unknown" if unknown else ("known" if known else "ignorable")})
    return {"status": status, "total": int(total), "offset": offset, "limit": limit, "cards": cards}


def family_members(store: CaseStore, family: str) -> list[str]:
    return [s for (s,) in store.conn.execute(
        f"SELECT sha256 FROM media_item m WHERE {FAMILY} = ? ORDER BY sha256", (family,))]  # noqa: S608


def family_context(store: CaseStore, family: str) -> dict[str, Any] | None:
    """What a reviewer needs beside the picture: members, posts, groups, first sighting, camera, list match."""
    conn = store.conn
    members = [
        {"sha256": s, "status": st, "list_category": cat, "reviewer_category": rc, "mime": mime, "width": w, "height": h,
         "has_file": bool(f), "previewable": bool(f and mime and mime.startswith("image/")),
         "camera": " ".join(x for x in (make, model) if x) or None, "serial": serial, "taken": taken,
         "gps": [lat, lon] if lat is not None else None}
        for s, st, cat, rc, mime, w, h, f, make, model, serial, taken, lat, lon in conn.execute(
            f"SELECT m.sha256, m.status, m.category, {LATEST_CATEGORY}, m.mime, m.width, m.height, {HAS_FILE}, "  # noqa: S608
            f"m.exif_make, m.exif_model, m.exif_serial, m.exif_taken, m.gps_lat, m.gps_lon FROM media_item m "
            f"WHERE {FAMILY} = ? ORDER BY {HAS_FILE} DESC, m.sha256", (family,))
    ]
    if not members:
        return None
    shas = [m["sha256"] for m in members]
    marks = ",".join("?" * len(shas))
    posts = [
        {"time": t, "group": g, "person": p, "forwarded": None if fwd is None else bool(fwd), "sha256": s}
        for t, g, p, fwd, s in conn.execute(
            f"SELECT p.time, c.label, pe.label, p.forwarded, p.sha256 FROM post p LEFT JOIN chat c ON c.id = p.chat_id "  # noqa: S608
            f"LEFT JOIN person pe ON pe.id = p.person_id WHERE p.sha256 IN ({marks}) "
            f"ORDER BY p.time IS NULL, p.time LIMIT 200", shas)
    ]
    post_total = conn.execute(f"SELECT count(*) FROM post WHERE sha256 IN ({marks})", shas).fetchone()[0]  # noqa: S608
    groups = [{"group": g, "name": n, "posts": k} for g, n, k in conn.execute(
        f"SELECT c.label, (SELECT name FROM chat_name WHERE chat_id = c.id ORDER BY last_seen DESC LIMIT 1), count(*) "  # noqa: S608
        f"FROM post p JOIN chat c ON c.id = p.chat_id WHERE p.sha256 IN ({marks}) GROUP BY c.id ORDER BY count(*) DESC, c.label",
        shas)]
    first = conn.execute(
        f"SELECT f.time, c.label, pe.label, f.origin, f.note, f.sha256 FROM first_sighting f "  # noqa: S608
        f"LEFT JOIN chat c ON c.id = f.chat_id LEFT JOIN person pe ON pe.id = f.person_id "
        f"WHERE f.family = ? OR f.sha256 IN ({marks}) ORDER BY f.time LIMIT 1", [family, *shas]).fetchone()
    matches = [{"list": ln, "algorithm": a, "distance": d, "category": c, "series": se, "sha256": s}
               for ln, a, d, c, se, s in conn.execute(
                   f"SELECT l.name, x.algorithm, x.distance, e.category, e.series, x.sha256 FROM match x "  # noqa: S608
                   f"JOIN hash_entry e ON e.id = x.entry_id JOIN hash_list l ON l.id = e.list_id "
                   f"WHERE x.sha256 IN ({marks}) ORDER BY x.distance, l.name", shas)]
    instances = conn.execute(f"SELECT count(*), count(DISTINCT exhibit_id) FROM media_instance "  # noqa: S608
                             f"WHERE sha256 IN ({marks})", shas).fetchone()
    cameras = sorted({(m["camera"], m["serial"]) for m in members if m["camera"] or m["serial"]},
                     key=lambda c: (c[0] or "", c[1] or ""))
    return {
        "family": family, "count": len(members), "members": members,
        "posts": posts, "post_total": post_total, "groups": groups,
        "first_sighting": None if first is None else {"time": first[0], "group": first[1], "person": first[2],
                                                      "origin": first[3], "note": first[4], "sha256": first[5]},
        "cameras": [{"camera": c, "serial": s} for c, s in cameras],
        "matches": matches, "instances": instances[0], "exhibits": instances[1],
    }


# -- reveal grants ---------------------------------------------------------------------------------

def grant_reveal(store: CaseStore, user: str, sha256: str) -> str:
    """A one-time token to fetch `sha256` revealed; revokes the reviewer's previous grant."""
    token = secrets.token_urlsafe(24)
    now = datetime.now(UTC)
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO reveal_grant(user, sha256, token_hash, granted_at, expires_at, fetched) VALUES (?,?,?,?,?,0) "
            "ON CONFLICT(user) DO UPDATE SET sha256=excluded.sha256, token_hash=excluded.token_hash, "
            "granted_at=excluded.granted_at, expires_at=excluded.expires_at, fetched=0",
            (user, sha256, _hash(token), _iso(now), _iso(now + timedelta(seconds=GRANT_SECONDS))))
    return token


def take_grant(store: CaseStore, user: str, sha256: str, token: str) -> bool:
    """Use the grant (once): True when `token` is the reviewer's live grant for `sha256`.

    Call it inside the transaction that records the reveal, so that a reveal is either granted,
    used and audited, or none of these."""
    with store.transaction() as conn:
        row = conn.execute("SELECT sha256, token_hash, expires_at, fetched FROM reveal_grant WHERE user=?",
                           (user,)).fetchone()
        if row is None or row[0] != sha256 or row[3] or row[2] < _iso(datetime.now(UTC)):
            return False
        if not hmac.compare_digest(row[1], _hash(token)):
            return False
        conn.execute("UPDATE reveal_grant SET fetched=1 WHERE user=?", (user,))
    return True


def drop_grant(store: CaseStore, user: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM reveal_grant WHERE user=?", (user,))


# -- exposure --------------------------------------------------------------------------------------

def record_preview(store: CaseStore, user: str, sha256: str, occurred_at: str | None = None) -> None:
    """Audit a blurred preview and count it (`occurred_at`: when it was shown, if written later)."""
    day = (occurred_at or _iso(datetime.now(UTC)))[:10]
    with store.transaction() as conn:
        conn.execute("INSERT INTO exposure(user, day, reveals, previews) VALUES (?, ?, 0, 1) "
                     "ON CONFLICT(user, day) DO UPDATE SET previews = previews + 1", (user, day))
        store.audit("web.media_previewed", {"sha256": sha256, **({"occurred_at": occurred_at} if occurred_at else {})},
                    actor=user)


def replay_preview(store: CaseStore, payload: object) -> None:
    """Writes the audit of a preview shown while the store was busy."""
    user, sha256, at = cast(tuple[str, str, str], payload)
    record_preview(store, user, sha256, occurred_at=at)


def record_exposure(store: CaseStore, user: str, sha256: str, action: str, break_gap_minutes: float,
                    extra: dict[str, Any] | None = None) -> int:
    """Audit one reveal or download and count it; returns the reviewer's reveals today."""
    now = datetime.now(UTC)
    day = now.date().isoformat()
    with store.transaction() as conn:
        row = conn.execute("SELECT run_started_at, last_reveal_at FROM exposure WHERE user=? AND day=?",
                           (user, day)).fetchone()
        run_start = row[0] if row and row[0] else None
        if row is None or row[1] is None or row[1] < _iso(now - timedelta(minutes=break_gap_minutes)):
            run_start = _iso(now)
        conn.execute("INSERT INTO exposure(user, day, reveals, run_started_at, last_reveal_at) VALUES (?, ?, 1, ?, ?) "
                     "ON CONFLICT(user, day) DO UPDATE SET reveals = reveals + 1, run_started_at = excluded.run_started_at, "
                     "last_reveal_at = excluded.last_reveal_at", (user, day, run_start, _iso(now)))
        store.audit(action, {"sha256": sha256, **(extra or {})}, actor=user)
        return int(conn.execute("SELECT reveals FROM exposure WHERE user=? AND day=?", (user, day)).fetchone()[0])


def welfare_state(store: CaseStore, user: str, soft_limit: int, break_after_minutes: float,
                  break_gap_minutes: float) -> dict[str, Any]:
    now = datetime.now(UTC)
    row = store.conn.execute("SELECT reveals, previews, run_started_at, last_reveal_at FROM exposure WHERE user=? AND day=?",
                             (user, now.date().isoformat())).fetchone()
    reveals, previews, run_start, last = row if row else (0, 0, None, None)
    stretch = 0.0
    if run_start and last and last >= _iso(now - timedelta(minutes=break_gap_minutes)):
        stretch = (now - datetime.fromisoformat(run_start.replace("Z", "+00:00"))).total_seconds() / 60
    return {"reveals_today": reveals, "previews_today": previews, "soft_limit": soft_limit,
            "over_limit": reveals >= soft_limit, "reviewing_minutes": round(stretch, 1),
            "break_due": stretch >= break_after_minutes, "break_after_minutes": break_after_minutes}


def exposure_table(store: CaseStore, days: int = 30) -> list[dict[str, Any]]:
    """Reveals and previews per reviewer per day (admins watch over their reviewers)."""
    since = (datetime.now(UTC).date() - timedelta(days=days)).isoformat()
    return [{"user": u, "day": d, "reveals": r, "previews": p} for u, d, r, p in store.conn.execute(
        "SELECT user, day, reveals, previews FROM exposure WHERE day >= ? ORDER BY day DESC, user", (since,))]


def soft_limit(store: CaseStore, default: int) -> int:
    row = store.conn.execute("SELECT value FROM web_setting WHERE key='exposure_soft_limit'").fetchone()
    return int(row[0]) if row else default


def set_soft_limit(store: CaseStore, value: int, actor: str) -> None:
    if not 1 <= value <= 100_000:
        raise UserError("the soft limit is a number of reveals per day, 1 to 100000")
    with store.transaction() as conn:
        conn.execute("INSERT INTO web_setting(key, value) VALUES ('exposure_soft_limit', ?) "
                     "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (str(value),))
        store.audit("web.setting_changed", {"exposure_soft_limit": value}, actor=actor)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

