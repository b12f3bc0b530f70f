"""Identity facts the evidence states outright, written beside the records that state them.

* ``device_account``: the device owner's own account as a file names it (the network stage
  makes the owner one person from these: :mod:`tantalio.network.device_owner`). When the
  analyst's ``--owner`` is a different number, that is said in a warning naming both.
* ``identity_link``: one record giving two hard identifiers of one account (a Telegram
  contact's user id with its phone number). Such a link is written to ``person_merge`` as a
  merge by the evidence (actor ``evidence``, with the file and row), so every ``analyze``
  replays it and an analyst can undo it like any merge. A link that contradicts one already in
  the case (the same phone tied to another user id) is not merged: a warning names both.
"""

from __future__ import annotations

import json
import sqlite3

from tantalio.identity import identifier_for
from tantalio.model import DeviceAccountRecord, IdentityLinkRecord, Party

EVIDENCE_ACTOR = "evidence"
"""``person_merge.actor`` of merges the evidence states itself (not an analyst, not a heuristic)."""
LINK_REASON = "the evidence gives both identifiers for one account"


def phone_of(party: Party, country: str | None) -> str | None:
    """The E.164 number a party stands for (a phone, a phone JID), else None."""
    key = identifier_for(party, "", country, None)
    return key.normalized if key.kind == "phone" else None


def record_account(conn: sqlite3.Connection, exhibit: str, source_file_id: int, identifier_id: int,
                   rec: DeviceAccountRecord, owner_phone: str | None, country: str | None) -> list[str]:
    """Store one device-account record; returns warnings (``--owner`` disagreeing with it)."""
    if not identifier_id:
        return []
    conn.execute(
        "INSERT OR IGNORE INTO device_account(exhibit_id, source_file_id, identifier_id, app, basis, location)"
        " VALUES (?,?,?,?,?,?)",
        (exhibit, source_file_id, identifier_id, rec.app, rec.basis, rec.ref.row or ""))
    phone = phone_of(rec.account, country)
    if owner_phone and phone and phone != owner_phone:
        return [f"--owner {owner_phone} disagrees with the evidence: {rec.basis} names {rec.account.value}"
                f" ({phone}) as the {rec.app} account of this device"]
    return []


def record_link(conn: sqlite3.Connection, exhibit: str, source_file_id: int, identifier_id: int, other_id: int,
                rec: IdentityLinkRecord, now: str) -> list[str]:
    """Store one identity link and, unless it contradicts the case, its merge; returns warnings."""
    if not identifier_id or not other_id or identifier_id == other_id:
        return []
    cur = conn.execute(
        "INSERT OR IGNORE INTO identity_link(exhibit_id, source_file_id, identifier_id, other_id, basis, location)"
        " VALUES (?,?,?,?,?,?)", (exhibit, source_file_id, identifier_id, other_id, rec.basis, rec.ref.row or ""))
    if not cur.rowcount:
        return []
    link_id = int(cur.lastrowid or 0)
    clash = _contradiction(conn, identifier_id, other_id) or _contradiction(conn, other_id, identifier_id)
    if clash:
        return [f"{rec.identifier.value} and {rec.same_as.value} given as one account ({rec.basis}), but the case"
                f" already ties {clash}: not merged, confirm with `tantalio persons merge`"]
    pair = sorted((identifier_id, other_id))
    known = conn.execute("SELECT evidence FROM person_merge WHERE actor=? AND op='merge'", (EVIDENCE_ACTOR,))
    if not any(sorted(json.loads(e or "{}").get("identifiers", [])) == pair for (e,) in known):
        evidence = {"identifiers": [identifier_id, other_id], "basis": rec.basis, "exhibit": exhibit,
                    "path": rec.ref.path, "location": rec.ref.row or ""}
        conn.execute(
            "INSERT INTO person_merge(op, person_id, other_id, identifier_id, reason, confidence, evidence, actor, at)"
            " VALUES ('merge', NULL, NULL, ?, ?, 1.0, ?, ?, ?)",
            (identifier_id, LINK_REASON, json.dumps(evidence, sort_keys=True, ensure_ascii=False), EVIDENCE_ACTOR, now))
    conn.execute("UPDATE identity_link SET applied = 1 WHERE id = ?", (link_id,))
    return []


def _contradiction(conn: sqlite3.Connection, ident: int, partner: int) -> str | None:
    """Another identifier of ``partner``'s kind that the case already links to ``ident``."""
    kind = conn.execute("SELECT kind FROM identifier WHERE id=?", (partner,)).fetchone()
    rows = conn.execute(
        "SELECT i.value, o.value FROM identity_link l JOIN identifier i ON i.id = ? "
        " JOIN identifier o ON o.id = CASE WHEN l.identifier_id = ? THEN l.other_id ELSE l.identifier_id END"
        " WHERE (l.identifier_id = ? OR l.other_id = ?) AND o.id != ? AND o.kind = ?",
        (ident, ident, ident, ident, partner, kind[0] if kind else "")).fetchone()
    return f"{rows[0]} to {rows[1]}" if rows else None
