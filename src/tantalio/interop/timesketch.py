"""The case's timeline in Timesketch's JSONL import format: one JSON object per line with the
three fields Timesketch requires (``message``, ``datetime`` in ISO 8601, ``timestamp_desc``), the
``timestamp`` in microseconds, and flat attributes analysts filter on (``tantalio_kind``, group,
person, exhibit, file, location, hashes).

Events: every message once however many phones recorded it (the case's one set of figures; the
recordings are listed in ``recordings``), membership events, group creations, media posts, first
sightings of media families and EXIF capture times. Evidence text is written as recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from tantalio.report.figures import distinct_messages, recordings
from tantalio.store.sqlite import CaseStore


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _event(when: datetime, message: str, desc: str, **attributes: Any) -> dict[str, Any]:
    when = when.astimezone(UTC)
    return {"message": message, "datetime": when.isoformat(), "timestamp": int(when.timestamp() * 1_000_000),
            "timestamp_desc": desc, **{k: v for k, v in attributes.items() if v is not None}}


def timeline_events(store: CaseStore) -> Iterator[dict[str, Any]]:
    c = store.conn
    people = dict(c.execute("SELECT id, label FROM person"))
    chats = dict(c.execute("SELECT id, label FROM chat"))
    where = {mid: (ex, path, loc, sha) for mid, ex, path, loc, sha in c.execute(
        "SELECT m.id, m.exhibit_id, f.path, m.location, f.sha256 FROM message m JOIN source_file f ON f.id = m.source_file_id")}
    synthetic = {"synthetic": "SYNTHETIC DEMO DATA"} if store.meta("synthetic") == "1" else {}
    for copies in distinct_messages(recordings(c)):
        first = copies[0]
        when = _when(first.time)
        if when is None:
            continue
        group = chats.get(first.conversation)
        sender = people.get(first.sender) if first.sender is not None else None
        ex, path, loc, sha = where[first.id]
        yield _event(when, f"{sender or 'unknown sender'} in {group or 'chat'}: {first.text}", "Message sent",
                     tantalio_kind="message", message_kind=first.kind, group=group, person=sender, exhibit=ex,
                     source_file=path, location=loc, source_sha256=sha, copies=len(copies),
                     recordings="; ".join(" ".join(str(x) for x in where[r.id][:3]) for r in copies), **synthetic)
    for chat, kind, pid, actor, time in c.execute(
            "SELECT chat_id, event, person_id, by_person_id, time FROM group_event ORDER BY id"):
        when = _when(time)
        if when is None:
            continue
        who, by = people.get(pid), people.get(actor)
        yield _event(when, f"{kind}: {who or '?'}{' by ' + by if by else ''} in {chats.get(chat)}",
                     "Group created" if kind == "created" else "Membership event", tantalio_kind="membership",
                     event=kind, group=chats.get(chat), person=who, actor=by, **synthetic)
    for chat, pid, time, sha, family, fwd in c.execute(
            "SELECT p.chat_id, p.person_id, p.time, p.sha256, p.family, p.forwarded FROM post p ORDER BY p.id"):
        when = _when(time)
        if when is None:
            continue
        status = c.execute("SELECT status FROM media_item WHERE sha256=?", (sha,)).fetchone()
        yield _event(when, f"{people.get(pid) or '?'} posted media ({status[0] if status else 'not triaged'}) in "
                           f"{chats.get(chat)}", "Media posted", tantalio_kind="media_post", group=chats.get(chat),
                     person=people.get(pid), sha256=sha, family=family, media_status=status[0] if status else None,
                     forwarded=None if fwd is None else bool(fwd), **synthetic)
    for family, sha, pid, chat, time, origin in c.execute(
            "SELECT family, sha256, person_id, chat_id, time, origin FROM first_sighting ORDER BY family"):
        when = _when(time)
        if when is None:
            continue
        yield _event(when, f"first sighting of media family {family} in {chats.get(chat)} ({origin})",
                     "First sighting", tantalio_kind="first_sighting", family=family, sha256=sha,
                     person=people.get(pid), group=chats.get(chat), origin=origin, **synthetic)
    for sha, make, model, serial, taken, lat, lon in c.execute(
            "SELECT sha256, exif_make, exif_model, exif_serial, exif_taken, gps_lat, gps_lon FROM media_item "
            "WHERE exif_taken IS NOT NULL ORDER BY sha256"):
        when = _when(taken)
        if when is None:
            continue
        camera = " ".join(x for x in (make, model) if x) or "camera"
        yield _event(when, f"picture taken with {camera}{' serial ' + serial if serial else ''}",
                     "Content Creation Time (EXIF)", tantalio_kind="exif_taken", sha256=sha, camera=camera,
                     camera_serial=serial, latitude=lat, longitude=lon, **synthetic)


def write_timesketch(store: CaseStore, out: Any) -> int:
    """Write the JSONL timeline to ``out`` (a text stream), sorted by time; returns the event count."""
    events = sorted(timeline_events(store), key=lambda e: (e["timestamp"], e["timestamp_desc"], e["message"]))
    for event in events:
        out.write(json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n")
    return len(events)
