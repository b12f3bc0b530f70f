"""The legacy msgstore.db schema (before about 2021–22): ``messages`` keyed by chat JID,
``chat_list``, ``group_participants`` (FORMATS.md §2.1).

System rows have ``status = 6`` with the action code in ``media_size`` (IPED
``decodeMessageType``; WhatsApp's own migration view maps them to ``message_type`` 7). On those
rows ``remote_resource`` names the member the event is about (IPED shows it as "X joined",
"X left"), empty meaning the device owner; the actor of someone else's add or remove is not
stored, so it is left unknown unless the row is the owner's own (``key_from_me``). One source
only for that reading (IPED ``ExtractorAndroid``): UNVERIFIED on a real device.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from tantalio.ingest.parsers.jids import is_group_jid, jid_party, legacy_group_origin
from tantalio.ingest.parsers.whatsapp_accounts import account_from_jid, android_app
from tantalio.ingest.parsers.whatsapp_android_codes import (
    ACTIONS,
    MEDIA_KINDS,
    MESSAGE_TYPES,
    SELF_EVENTS,
    describe,
    event_kind,
    member_rank,
    message_kind,
)
from tantalio.ingest.parsers.whatsapp_android_current import MessageKey, chat_record
from tantalio.ingest.parsers.whatsapp_android_rows import (
    DbReading,
    int_or_none,
    media_seen_as,
    raw_text,
    text_or_none,
)
from tantalio.model import (
    MEMBERSHIP_KINDS,
    MediaRefRecord,
    MemberRecord,
    MembershipEventRecord,
    MessageRecord,
    Party,
)

LEGACY_SYSTEM_STATUS = 6
COLUMNS = ("_id", "key_remote_jid", "key_from_me", "key_id", "status", "data", "timestamp",
           "media_wa_type", "media_mime_type", "media_size", "media_name", "media_caption",
           "media_hash", "remote_resource", "forwarded")
_DUMMY_CHAT = "-1"  # the first row of a legacy table is a placeholder with key_remote_jid '-1'


def read_legacy_chats(db: DbReading, creators: dict[str, str]) -> None:
    if "key_remote_jid" not in db.columns("chat_list"):
        return  # a transitional database keeps its chats in ``chat`` only
    sel = db.select_list("chat_list", "c", ("_id", "key_remote_jid", "subject", "creation"))
    for r in db.rows(f"SELECT {sel} FROM chat_list c", "chat_list"):  # noqa: S608 - see select_list
        jid = text_or_none(r["key_remote_jid"])
        if jid is None or jid in db.chats_seen:
            continue
        db.chats_seen.add(jid)
        db.sink.emit(chat_record(db, f"chat_list:{r['_id']}", jid, r["subject"], r["creation"], creators))


def read_legacy_members(db: DbReading) -> None:
    if not {"gjid", "jid"} <= db.columns("group_participants"):
        return
    sel = db.select_list("group_participants", "g", ("_id", "gjid", "jid", "admin"))
    for r in db.rows(f"SELECT {sel} FROM group_participants g", "group_participants"):  # noqa: S608
        group, jid = text_or_none(r["gjid"]), r["jid"]
        if group is None or not isinstance(jid, str):
            db.warn(f"group_participants:{r['_id']}", "participant row without group or member JID")
            continue
        # the device owner is listed with an empty jid
        member = jid_party(jid) if jid else Party.owner()
        db.sink.emit(MemberRecord(db.at(f"group_participants:{r['_id']}"), group, member, member_rank(r["admin"])))


def read_legacy_messages(db: DbReading, seen: set[MessageKey] | None) -> None:
    have = db.columns("messages")
    if not {"_id", "key_remote_jid"} <= have:
        db.warn("messages", "table 'messages' lacks _id or key_remote_jid; not read")
        return
    sel = db.select_list("messages", "m", COLUMNS)
    sql = f"SELECT {sel} FROM messages m ORDER BY m._id"  # noqa: S608 - see select_list
    for r in db.rows(sql, "messages"):
        try:
            _read_row(db, r, seen)
        except (TypeError, ValueError, OverflowError) as e:
            db.warn(f"messages:{r['_id']}", f"row skipped: {e}")


def _read_row(db: DbReading, r: sqlite3.Row, seen: set[MessageKey] | None) -> None:
    row = f"messages:{r['_id']}"
    chat = text_or_none(r["key_remote_jid"])
    if chat == _DUMMY_CHAT:
        return
    if chat is None:
        db.warn(row, "message without key_remote_jid (chat JID)")
        chat = f"messages_row:{r['_id']}"
    from_me = bool(r["key_from_me"])
    key_id = text_or_none(r["key_id"])
    if seen is not None and key_id and (chat, from_me, key_id) in seen:
        return  # also in the current ``message`` table, already read from there
    group = is_group_jid(chat)
    sender_jid = text_or_none(r["remote_resource"])
    sender: Party | None
    if from_me:
        sender = Party.owner()
    elif group or chat.endswith("@broadcast"):
        sender = jid_party(sender_jid) if sender_jid else None
    else:
        sender = jid_party(chat)
    is_system = r["status"] == LEGACY_SYSTEM_STATUS
    code = r["media_wa_type"]
    kind = "system" if is_system else message_kind(code if code is not None else 0)
    action = r["media_size"] if is_system else None
    time = db.time_ms(r["timestamp"], row)
    if is_system and group:
        sender = _emit_event(db, r, chat, time, action)
    fwd = int_or_none(r["forwarded"])
    text = "" if is_system and not isinstance(r["data"], str) else (text_or_none(r["data"]) or "")
    raw = (f"media_wa_type={code}{'' if is_system else describe(MESSAGE_TYPES, code)}; status={r['status']}"
           + (f"; action={action}{describe(ACTIONS, action)}" if is_system else ""))
    db.sink.emit(MessageRecord(db.at(row), chat, row, sender, time, raw_text(r["timestamp"]), text, kind, from_me,
                               bool(fwd) if fwd is not None else None, None, key_id, raw))
    if not is_system and (kind in MEDIA_KINDS or r["media_hash"] is not None):
        _emit_media(db, r, chat, row)


def _concerned(r: sqlite3.Row) -> Party | None:
    """The member a legacy system row is about: ``remote_resource``, '' for the owner."""
    who = r["remote_resource"]
    if not isinstance(who, str):
        return None
    return jid_party(who) if who else Party.owner()


def _emit_event(db: DbReading, r: sqlite3.Row, chat: str, time: datetime | None, action: object) -> Party | None:
    """Emit the event of a legacy system row; returns its actor (the row's sender)."""
    row = f"messages:{r['_id']}"
    kind = event_kind(action)
    concerned = _concerned(r)
    if kind in MEMBERSHIP_KINDS or kind == "number_changed":
        subject = concerned
        actor = Party.owner() if r["key_from_me"] else concerned if kind in SELF_EVENTS else None
    else:  # subject, icon, description...: the member named is the one who did it
        subject = None
        actor = Party.owner() if r["key_from_me"] else concerned
    detail: str | None = None
    if kind == "other":
        detail = f"action={action}"
    elif kind in ("created", "subject_changed", "description_changed"):
        detail = text_or_none(r["data"])
    origin = legacy_group_origin(chat)
    if kind == "created" and r["key_from_me"] and origin is not None:
        found = account_from_jid(db.at(row), origin[0], android_app(db.file.path),
                                 "creator phone in the id of a group whose 'created' row is key_from_me")
        if found is not None:
            db.sink.emit(found)
    db.sink.emit(MembershipEventRecord(db.at(row), chat, kind, subject, actor, time, raw_text(r["timestamp"]),
                                       detail, row))
    return actor


def _emit_media(db: DbReading, r: sqlite3.Row, chat: str, row: str) -> None:
    name = text_or_none(r["media_name"])
    path = db.locator().find_by_name(name) if name else None
    sha = db.media_sha256(r["media_hash"], row)
    seen_as = media_seen_as(path, sha)
    db.sink.emit(MediaRefRecord(db.at(row), chat, row, seen_as, path, sha, text_or_none(r["media_mime_type"]),
                                int_or_none(r["media_size"]), name, text_or_none(r["media_caption"])))
