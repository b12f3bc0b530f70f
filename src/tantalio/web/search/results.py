"""Search across the case: messages, persons, groups, evidence files, attachments and media.

Hits are resolved against the current analysis at query time (a message's group and sender, an
identifier's person), so the index never goes stale when `analyze` runs again. Filters narrow
every kind they apply to; a kind that a set filter cannot apply to (a date range on evidence
files, say) is left out, and the result says which kinds were left out and why.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any

from tantalio.errors import UserError
from tantalio.store import CaseStore
from tantalio.web.data import like_pattern
from tantalio.web.data.conversations import MergedCache, copies_of, exhibit_owners
from tantalio.web.search.index import backlog
from tantalio.web.search.query import parse

MARK_START, MARK_END = "\x02", "\x03"
KINDS = ("messages", "persons", "groups", "attachments", "media", "files")
STATUSES = ("known", "unknown", "ignorable")
# Which filters each kind understands.
APPLIES = {
    "messages": {"group", "person", "exhibit", "country", "date_from", "date_to", "status"},
    "attachments": {"group", "person", "exhibit", "country", "date_from", "date_to", "status"},
    "persons": {"group", "person", "country"},
    "groups": {"group", "person", "exhibit"},
    "media": {"group", "person", "exhibit", "status"},
    "files": {"exhibit", "status"},
}


@dataclass(frozen=True, slots=True)
class Filters:
    group: str | None = None        # chat label, e.g. G-001
    person: str | None = None       # person label
    exhibit: str | None = None
    country: str | None = None      # ISO 3166 alpha-2
    date_from: str | None = None    # YYYY-MM-DD (UTC), inclusive
    date_to: str | None = None      # YYYY-MM-DD (UTC), inclusive
    status: str | None = None       # known | unknown | ignorable

    def set_names(self) -> set[str]:
        return {k for k, v in asdict(self).items() if v}


@dataclass
class _Ids:
    """Filters resolved to row ids; `empty` when one names nothing in the case."""

    chat: int | None = None
    person: int | None = None
    person_exhibits: list[str] = field(default_factory=list)
    empty: bool = False


def run(store: CaseStore, text: str, filters: Filters | None = None, *, limit: int = 50, offset: int = 0,
        kinds: tuple[str, ...] = KINDS, order: str = "relevance", merged: MergedCache | None = None) -> dict[str, Any]:
    """Search the case; messages are paged by `offset`/`limit`, other kinds show their best `limit`.
    Message copies are joined as the merged conversations join them (``merged``: the web app's
    cache of merged rows; a search of its own builds the groups it needs)."""
    filters = filters or Filters()
    _validate(filters, order)
    parsed = parse(text)
    conn = store.conn
    ids = _resolve(conn, filters)
    active = filters.set_names()
    left_out = {k: sorted(active - APPLIES[k]) for k in kinds if active - APPLIES[k]}
    result: dict[str, Any] = {
        "query": text.strip(), "filters": {k: v for k, v in asdict(filters).items() if v}, "order": order,
        "offset": offset, "limit": limit, "left_out": left_out, "pending": backlog(conn).total,
        "counts": {}, **{k: [] for k in KINDS},
    }
    if parsed.match is None or ids.empty:
        result["counts"] = dict.fromkeys(KINDS, 0)
        return result
    for kind in kinds:
        if kind in left_out:
            result["counts"][kind] = 0
            continue
        if kind == "messages":
            rows, total = _messages(conn, parsed.match, filters, ids, limit, offset, order, merged or MergedCache())
        else:
            rows, total = _FINDERS[kind](conn, parsed.match, filters, ids, limit, offset, order)
        result[kind], result["counts"][kind] = rows, total
    if "persons" in kinds and "persons" not in left_out and not filters.set_names() - {"person"}:
        _add_label_hits(conn, text.strip(), result)
    return result


def _validate(filters: Filters, order: str) -> None:
    if filters.status and filters.status not in STATUSES:
        raise UserError(f"media status is one of {', '.join(STATUSES)}, not {filters.status!r}")
    for day in (filters.date_from, filters.date_to):
        if day and not (len(day) == 10 and day[4] == "-" and day[7] == "-" and day.replace("-", "").isdigit()):
            raise UserError(f"dates are written YYYY-MM-DD, not {day!r}")
    if order not in ("relevance", "time"):
        raise UserError("order is 'relevance' or 'time'")


def _resolve(conn: sqlite3.Connection, f: Filters) -> _Ids:
    ids = _Ids()
    if f.group:
        row = conn.execute("SELECT id FROM chat WHERE label=?", (f.group,)).fetchone()
        ids.chat = row[0] if row else None
        ids.empty |= row is None
    if f.person:
        row = conn.execute("SELECT id FROM person WHERE label=?", (f.person,)).fetchone()
        ids.person = row[0] if row else None
        ids.empty |= row is None
        ids.person_exhibits = [ex for ex, p in exhibit_owners(conn).items() if p == ids.person]
    return ids


def split_marks(snippet: str) -> list[dict[str, Any]]:
    """A snippet as segments {"text", "hit"}: templates escape each and wrap hits in <mark>."""
    out: list[dict[str, Any]] = []
    rest = snippet
    while rest:
        start = rest.find(MARK_START)
        if start < 0:
            out.append({"text": rest, "hit": False})
            break
        if start:
            out.append({"text": rest[:start], "hit": False})
        end = rest.find(MARK_END, start)
        end = len(rest) if end < 0 else end
        out.append({"text": rest[start + 1:end], "hit": True})
        rest = rest[end + 1:]
    return out


def _message_filters(f: Filters, ids: _Ids, alias: str = "m") -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if ids.chat is not None:
        where.append("o.chat_id = ?")
        args.append(ids.chat)
    if ids.person is not None:
        owned = ",".join("?" * len(ids.person_exhibits)) or "NULL"
        where.append(f"(i.person_id = ? OR ({alias}.from_me = 1 AND {alias}.exhibit_id IN ({owned})))")
        args += [ids.person, *ids.person_exhibits]
    if f.exhibit:
        where.append(f"{alias}.exhibit_id = ?")
        args.append(f.exhibit)
    if f.country:
        where.append("(i.country = ? OR i.person_id IN (SELECT person_id FROM identifier WHERE country = ?))")
        args += [f.country.upper(), f.country.upper()]
    if f.date_from:
        where.append(f"{alias}.time >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append(f"{alias}.time < date(?, '+1 day')")
        args.append(f.date_to)
    if f.status:
        where.append(f"EXISTS (SELECT 1 FROM media_ref r2 JOIN media_item s2 ON s2.sha256 = r2.sha256 "  # noqa: S608
                     f"WHERE r2.message_id = {alias}.id AND s2.status = ?)")
        args.append(f.status)
    return where, args


_MESSAGE_FROM = ("FROM search_message JOIN message m ON m.id = search_message.rowid "
                 "JOIN chat_obs o ON o.id = m.chat_obs_id LEFT JOIN identifier i ON i.id = m.sender_identifier_id ")


def _messages(conn: sqlite3.Connection, match: str, f: Filters, ids: _Ids, limit: int, offset: int,
              order: str, merged: MergedCache) -> tuple[list[dict[str, Any]], int]:
    """One hit per message as the merged conversation shows it: a group message four phones
    recorded is one hit, led by its best-matching copy, listing every copy."""
    where, args = _message_filters(f, ids)
    clause = " AND ".join(["search_message MATCH ?", *where])
    sort = "rank" if order == "relevance" else "m.time IS NULL, m.time, m.id"
    found = conn.execute(f"SELECT m.id, o.chat_id {_MESSAGE_FROM} WHERE {clause} ORDER BY {sort}",  # noqa: S608
                         [match, *args]).fetchall()
    copies = copies_of(conn, merged, found)
    leads: list[int] = []
    seen: set[tuple[int, ...]] = set()
    for mid, _ in found:
        if copies[mid] not in seen:
            seen.add(copies[mid])
            leads.append(mid)
    page = leads[offset:offset + limit]
    rows = {r[0]: r for r in conn.execute(
        f"SELECT m.id, m.time, m.exhibit_id, m.location, m.kind, m.from_me, i.value, i.person_id, o.chat_id, o.name, "  # noqa: S608
        f"snippet(search_message, 0, '{MARK_START}', '{MARK_END}', '…', 24) {_MESSAGE_FROM} "
        f"WHERE {clause} AND m.id IN (SELECT value FROM json_each(?))", [match, *args, json.dumps(page)])}
    recorded = {mid: (exhibit, location) for mid, exhibit, location in conn.execute(
        "SELECT id, exhibit_id, location FROM message WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps([c for lead in page for c in copies[lead]]),))}
    ordered = [rows[mid] for mid in page if mid in rows]
    owners = exhibit_owners(conn) if any(r[5] and r[7] is None for r in ordered) else {}
    ordered = [(*r[:7], r[7] if r[7] is not None or not r[5] else owners.get(r[2]), *r[8:]) for r in ordered]
    labels = _labels(conn, {r[7] for r in ordered}, {r[8] for r in ordered})
    hits = []
    for mid, time, exhibit, location, kind, from_me, sender, person, chat, chat_name, snippet in ordered:
        group = labels["chats"].get(chat)
        copy_list = sorted(({"exhibit": recorded[c][0], "message": c, "location": recorded[c][1]}
                            for c in copies[mid] if c in recorded), key=lambda c: (c["exhibit"], c["message"]))
        hits.append({"message": mid, "time": time, "exhibit": exhibit, "location": location, "kind": kind,
                     "sender": labels["persons"].get(person), "sender_identifier": sender or (
                         "device owner" if from_me else None),
                     "group": group, "conversation": chat_name, "snippet": split_marks(snippet),
                     "copies": copy_list, "exhibits": sorted({c["exhibit"] for c in copy_list}),
                     "href": f"/groups/{group}?message={mid}#m{mid}" if group else None})
    return hits, len(leads)


def _labels(conn: sqlite3.Connection, persons: set[Any], chats: set[Any]) -> dict[str, dict[int, str]]:
    def fetch(table: str, wanted: set[Any]) -> dict[int, str]:
        keys = [k for k in wanted if k is not None]
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        return dict(conn.execute(f"SELECT id, label FROM {table} WHERE id IN ({marks})", keys).fetchall())  # noqa: S608
    return {"persons": fetch("person", persons), "chats": fetch("chat", chats)}


def _entities(conn: sqlite3.Connection, kind: str, match: str, join: str, select: str, where: list[str],
              args: list[Any], limit: int) -> tuple[list[tuple[Any, ...]], int]:
    base = (f"FROM search_entity JOIN search_doc d ON d.id = search_entity.rowid {join} "
            f"WHERE search_entity MATCH ? AND d.kind = ? {''.join(' AND ' + w for w in where)}")
    total = conn.execute(f"SELECT count(*) {base}", [match, kind, *args]).fetchone()[0]  # noqa: S608
    rows = conn.execute(f"SELECT {select} {base} ORDER BY rank LIMIT ?", [match, kind, *args, limit]).fetchall()  # noqa: S608
    return rows, int(total)


# A name a device gave a number is its own identifier, tied to the person through `alias`.
_PERSON_OF = ("coalesce(i.person_id, (SELECT h.person_id FROM alias a JOIN identifier h ON h.id = a.identifier_id "
              "WHERE a.name_id = i.id AND h.person_id IS NOT NULL ORDER BY h.person_id LIMIT 1))")


def _persons(conn: sqlite3.Connection, match: str, f: Filters, ids: _Ids, limit: int, offset: int,
             order: str) -> tuple[list[dict[str, Any]], int]:
    where: list[str] = []
    args: list[Any] = []
    if ids.person is not None:
        where.append(f"{_PERSON_OF} = ?")
        args.append(ids.person)
    if ids.chat is not None:
        where.append(f"{_PERSON_OF} IN (SELECT person_id FROM group_event WHERE chat_id = ? "  # noqa: S608
                     "UNION SELECT person_id FROM membership_spell WHERE chat_id = ?)")
        args += [ids.chat, ids.chat]
    if f.country:
        where.append(f"(i.country = ? OR {_PERSON_OF} IN (SELECT person_id FROM identifier WHERE country = ?))")  # noqa: S608
        args += [f.country.upper(), f.country.upper()]
    rows, total = _entities(conn, "identifier", match, f"JOIN identifier i ON i.id = d.ref LEFT JOIN person p ON "
                            f"p.id = {_PERSON_OF}", "p.label, i.kind, i.value, i.country", where, args, limit)
    return [{"person": label, "kind": kind, "matched": value, "country": country,
             "href": f"/persons/{label}" if label else None} for label, kind, value, country in rows], total


def _add_label_hits(conn: sqlite3.Connection, text: str, result: dict[str, Any]) -> None:
    """Person labels (P-0042) are analysis results, not indexed words: matched directly."""
    if len(text) < 2:
        return
    known = {p["person"] for p in result["persons"]}
    for (label,) in conn.execute("SELECT label FROM person WHERE label LIKE ? ESCAPE '\\' ORDER BY label LIMIT 20",
                                 (like_pattern(text),)):
        if label not in known:
            result["persons"].insert(0, {"person": label, "kind": "label", "matched": label, "country": None,
                                         "href": f"/persons/{label}"})
            result["counts"]["persons"] += 1


def _groups(conn: sqlite3.Connection, match: str, f: Filters, ids: _Ids, limit: int, offset: int,
            order: str) -> tuple[list[dict[str, Any]], int]:
    where: list[str] = []
    args: list[Any] = []
    if ids.chat is not None:
        where.append("o.chat_id = ?")
        args.append(ids.chat)
    if f.exhibit:
        where.append("o.exhibit_id = ?")
        args.append(f.exhibit)
    if ids.person is not None:
        where.append("o.chat_id IN (SELECT chat_id FROM group_event WHERE person_id = ? "
                     "UNION SELECT chat_id FROM membership_spell WHERE person_id = ?)")
        args += [ids.person, ids.person]
    rows, total = _entities(conn, "chat", match, "JOIN chat_obs o ON o.id = d.ref LEFT JOIN chat c ON c.id = o.chat_id",
                            "c.label, o.name, o.jid, o.exhibit_id, o.is_group", where, args, limit)
    return [{"group": label, "name": name, "matched": name or jid, "exhibit": exhibit, "is_group": bool(is_group),
             "href": f"/groups/{label}" if label else None} for label, name, jid, exhibit, is_group in rows], total


def _files(conn: sqlite3.Connection, match: str, f: Filters, ids: _Ids, limit: int, offset: int,
           order: str) -> tuple[list[dict[str, Any]], int]:
    where: list[str] = []
    args: list[Any] = []
    if f.exhibit:
        where.append("s.exhibit_id = ?")
        args.append(f.exhibit)
    if f.status:
        where.append("s.sha256 IN (SELECT sha256 FROM media_item WHERE status = ?)")
        args.append(f.status)
    rows, total = _entities(conn, "file", match, "JOIN source_file s ON s.id = d.ref LEFT JOIN media_item mi ON "
                            "mi.sha256 = s.sha256", "s.exhibit_id, s.path, s.sha256, s.format, mi.status",
                            where, args, limit)
    return [{"exhibit": ex, "path": path, "sha256": sha, "format": fmt, "status": st,
             "href": f"/media/{sha}" if st else None} for ex, path, sha, fmt, st in rows], total


def _attachments(conn: sqlite3.Connection, match: str, f: Filters, ids: _Ids, limit: int, offset: int,
                 order: str) -> tuple[list[dict[str, Any]], int]:
    where, args = _message_filters(f, ids)
    rows, total = _entities(
        conn, "attachment", match,
        "JOIN media_ref r ON r.id = d.ref JOIN message m ON m.id = r.message_id JOIN chat_obs o ON o.id = m.chat_obs_id "
        "LEFT JOIN identifier i ON i.id = m.sender_identifier_id LEFT JOIN chat c ON c.id = o.chat_id",
        "r.name, r.caption, r.sha256, m.id, m.time, m.exhibit_id, c.label", where, args, limit)
    return [{"name": name, "caption": caption, "sha256": sha, "message": mid, "time": time, "exhibit": ex,
             "group": group, "href": f"/groups/{group}?message={mid}#m{mid}" if group else None}
            for name, caption, sha, mid, time, ex, group in rows], total


def _media(conn: sqlite3.Connection, match: str, f: Filters, ids: _Ids, limit: int, offset: int,
           order: str) -> tuple[list[dict[str, Any]], int]:
    where: list[str] = []
    args: list[Any] = []
    if f.status:
        where.append("mi.status = ?")
        args.append(f.status)
    if f.exhibit:
        where.append("EXISTS (SELECT 1 FROM media_instance x WHERE x.sha256 = mi.sha256 AND x.exhibit_id = ?)")
        args.append(f.exhibit)
    if ids.chat is not None:
        where.append("EXISTS (SELECT 1 FROM post p WHERE p.sha256 = mi.sha256 AND p.chat_id = ?)")
        args.append(ids.chat)
    if ids.person is not None:
        where.append("EXISTS (SELECT 1 FROM post p WHERE p.sha256 = mi.sha256 AND p.person_id = ?)")
        args.append(ids.person)
    rows, total = _entities(conn, "media", match, "JOIN media_item mi ON mi.sha256 = d.ref",
                            "mi.sha256, mi.status, mi.mime, mi.exif_make, mi.exif_model, mi.exif_serial",
                            where, args, limit)
    return [{"sha256": sha, "status": st, "mime": mime, "camera": " ".join(x for x in (make, model) if x) or None,
             "serial": serial, "href": f"/media/{sha}"} for sha, st, mime, make, model, serial in rows], total


_FINDERS = {"persons": _persons, "groups": _groups, "files": _files,
            "attachments": _attachments, "media": _media}
