"""Manual identity decisions: list persons and their merge log, merge two persons, split an
identifier off or undo a merge. Decisions are rows of ``person_merge`` (actor = the analyst),
replayed by every ``analyze`` run, so they survive re-ingest and re-analysis."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from tantalio.errors import UserError
from tantalio.identity import clean_label, normalize_phone
from tantalio.network.identities import ANALYZE_ACTOR
from tantalio.network.labels import current_label
from tantalio.store.sqlite import CaseStore, current_actor, utcnow


@dataclass(frozen=True, slots=True)
class PersonSummary:
    label: str
    phones: list[str]
    names: list[str]
    roles: list[str]
    priority: float


def list_persons(store: CaseStore) -> list[PersonSummary]:
    conn = store.conn
    out = []
    for pid, label in conn.execute("SELECT id, label FROM person ORDER BY label").fetchall():
        phones = [r[0] for r in conn.execute(
            "SELECT normalized FROM identifier WHERE person_id=? AND kind='phone' ORDER BY normalized", (pid,))]
        names = [f"{r[0]} ({r[1]})" for r in conn.execute(  # one line per exhibit, however many chats
            "SELECT DISTINCT value, scope FROM identifier WHERE person_id=? AND kind='display_name'"
            " ORDER BY scope, value", (pid,))]
        roles = [r[0] for r in conn.execute("SELECT role FROM person_role WHERE person_id=? ORDER BY role", (pid,))]
        row = conn.execute("SELECT priority FROM person_score WHERE person_id=?", (pid,)).fetchone()
        out.append(PersonSummary(label, phones, names, roles, float(row[0]) if row else 0.0))
    return out


def show_person(store: CaseStore, label: str) -> dict[str, Any]:
    """What a person label names now. A merged label says which label now names its person, when
    and by whom (analysis or an analyst); a retired one says why. An active one lists its
    identifiers, roles, the labels merged into it and where it was split from."""
    conn = store.conn
    row = conn.execute("SELECT label, status, anchor_identifier_id, issued_at, split_from, merged_into, retired_at,"
                       " retired_by, reason FROM person_label WHERE label = ?", (label.strip().upper(),)).fetchone()
    if row is None:
        raise UserError(f"no person label {label!r} was ever issued in this case")
    label, status, anchor, issued, split_from, merged_into, retired_at, retired_by, reason = row
    out: dict[str, Any] = {"label": label, "status": status, "issued_at": issued, "split_from": split_from}
    if status != "active":
        out.update({"merged_into": merged_into, "now": current_label(conn, label), "at": retired_at,
                    "by": retired_by, "reason": reason})
        return out
    pid = conn.execute("SELECT id FROM person WHERE label = ?", (label,)).fetchone()
    ident = conn.execute("SELECT kind, normalized FROM identifier WHERE id = ?", (anchor,)).fetchone()
    out["anchor"] = f"{ident[0]}:{ident[1]}" if ident else None
    out["identifiers"] = [f"{k}:{v}" + (f" ({s})" if s else "") for k, v, s in conn.execute(
        "SELECT kind, normalized, scope FROM identifier WHERE person_id = ? ORDER BY kind, normalized, scope",
        (pid[0] if pid else -1,))]
    out["roles"] = [{"role": r, "confidence": c} for r, c in conn.execute(
        "SELECT role, confidence FROM person_role WHERE person_id = ? ORDER BY role", (pid[0] if pid else -1,))]
    out["merged_from"] = [{"label": m, "at": at, "by": by, "reason": why} for m, at, by, why in conn.execute(
        "SELECT label, retired_at, retired_by, reason FROM person_label WHERE merged_into = ? ORDER BY number",
        (label,))]
    return out


def merge_log(store: CaseStore) -> list[dict[str, Any]]:
    rows = store.conn.execute(
        "SELECT pm.id, pm.op, p.label, pm.reason, pm.confidence, pm.evidence, pm.actor, pm.at, pm.undone_at"
        " FROM person_merge pm LEFT JOIN person p ON p.id = pm.person_id ORDER BY pm.id").fetchall()
    return [{"id": r[0], "op": r[1], "person": r[2], "reason": r[3], "confidence": r[4],
             "evidence": json.loads(r[5] or "{}"), "actor": r[6], "at": r[7], "undone_at": r[8]} for r in rows]


def find_identifiers(conn: sqlite3.Connection, ref: str, chat: str | None = None) -> list[int]:
    """The identifiers an analyst means: a person label (its first hard identifier), a phone
    number in any writing, ``kind:value``, or ``EXHIBIT:display name``.

    A display name is kept per chat it was seen in (plus once for the device's address book
    and push names), so ``EXHIBIT:name`` means all of them together; ``chat`` narrows it to
    the label seen in one chat, given as its chat label (G-001) or its key in the source (the
    group JID, or the export's path)."""
    ref = ref.strip()
    row = conn.execute(
        "SELECT i.id FROM identifier i JOIN person p ON p.id = i.person_id WHERE p.label = ?"
        " ORDER BY i.kind = 'display_name', i.id LIMIT 1", (ref,)).fetchone()
    if row:
        return [int(row[0])]
    phone = normalize_phone(ref)
    if phone:
        row = conn.execute("SELECT id FROM identifier WHERE kind='phone' AND normalized=?", (phone[0],)).fetchone()
        if row:
            return [int(row[0])]
    head, _, tail = ref.partition(":")
    if tail:
        row = conn.execute("SELECT id FROM identifier WHERE kind=? AND normalized IN (?, ?)",
                           (head, tail, tail.lower())).fetchone()
        if row:
            return [int(row[0])]
        labels = _labels(conn, head, clean_label(tail), chat)
        if labels:
            return labels
    within = f" in chat {chat!r}" if chat else ""
    raise UserError(f"no person or identifier {ref!r}{within} (use P-0001, a phone number, kind:value or EXHIBIT:name)")


def _labels(conn: sqlite3.Connection, exhibit: str, name: str, chat: str | None) -> list[int]:
    rows = conn.execute("SELECT id, context FROM identifier WHERE kind='display_name' AND scope=? AND normalized=?"
                        " ORDER BY context, id", (exhibit, name)).fetchall()
    if chat is None:
        return [int(r[0]) for r in rows]
    keys = {chat} | {k for (k,) in conn.execute(
        "SELECT o.chat_key FROM chat_obs o JOIN chat c ON c.id = o.chat_id WHERE o.exhibit_id=? AND c.label=?",
        (exhibit, chat))}
    return [int(r[0]) for r in rows if r[1] in keys]


def find_identifier(conn: sqlite3.Connection, ref: str, chat: str | None = None) -> int:
    """The first of :func:`find_identifiers` (a device-wide name before its chat labels)."""
    return find_identifiers(conn, ref, chat)[0]


def _record(store: CaseStore, op: str, identifiers: list[int], reason: str,
            extra: dict[str, Any] | None = None) -> int:
    with store.transaction():
        pid = store.conn.execute("SELECT person_id FROM identifier WHERE id=?", (identifiers[0],)).fetchone()
        cur = store.conn.execute(
            "INSERT INTO person_merge(op, person_id, identifier_id, reason, confidence, evidence, actor, at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (op, pid[0] if pid else None, identifiers[0], reason, 1.0, json.dumps({"identifiers": identifiers, **(extra or {})}),
             current_actor(), utcnow()))
        row_id = int(cur.lastrowid or 0)
        store.audit(f"persons.{op}", {"identifiers": identifiers, "reason": reason, "row": row_id})
    return row_id


def merge_persons(store: CaseStore, a: str, b: str, reason: str, chat: str | None = None) -> int:
    """Put everything ``a`` and ``b`` name into one person (``chat`` narrows display names)."""
    ia, ib = find_identifiers(store.conn, a, chat), find_identifiers(store.conn, b, chat)
    if set(ia) == set(ib):
        raise UserError(f"{a} and {b} are the same identifier")
    ids = ia + [i for i in ib if i not in ia]
    return _record(store, "merge", ids, reason)


def split_identifier(store: CaseStore, ref: str, reason: str, chat: str | None = None) -> int:
    """Detach what ``ref`` names from its person (each stays alone unless an analyst merges
    it); ``EXHIBIT:name`` detaches that label in every chat unless ``chat`` picks one."""
    ids = find_identifiers(store.conn, ref, chat)
    return _record(store, "split", ids, reason, {"detach": True})


def undo_merge(store: CaseStore, merge_id: int, reason: str) -> int:
    row = store.conn.execute("SELECT op, evidence, actor, undone_at FROM person_merge WHERE id=?",
                             (merge_id,)).fetchone()
    if row is None or row[0] != "merge":
        raise UserError(f"no merge #{merge_id} in the merge log (see `tantalio persons list CASE --merges`)")
    if row[3] is not None:
        raise UserError(f"merge #{merge_id} was already undone")
    ids = [int(x) for x in json.loads(row[1] or "{}").get("identifiers", [])]
    if row[2] != ANALYZE_ACTOR:
        with store.transaction():
            store.conn.execute("UPDATE person_merge SET undone_at=? WHERE id=?", (utcnow(), merge_id))
            store.audit("persons.undo", {"merge": merge_id, "reason": reason})
        return merge_id
    # an automatic merge is rebuilt on every run: forbid it instead
    return _record(store, "split", ids[:2], reason)
