"""The row-id normalised msgstore.db schema (``message``, ``jid``, ``chat``, ``message_media``,
``message_system*``, ``group_participant_user``; FORMATS.md §2.2)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from tantalio.ingest.parsers.jids import is_group_jid, jid_party, legacy_group_origin
from tantalio.ingest.parsers.whatsapp_accounts import account_from_jid, android_app
from tantalio.ingest.parsers.whatsapp_android_codes import (
    ACTIONS,
    MEDIA_KINDS,
    MESSAGE_TYPES,
    ONE_TO_ONE_EVENTS,
    SELF_EVENTS,
    VIEW_ONCE,
    describe,
    event_kind,
    member_rank,
    message_kind,
)
from tantalio.ingest.parsers.whatsapp_android_content import MessageContent, emit_updates, read_content
from tantalio.ingest.parsers.whatsapp_android_rows import (
    DbReading,
    int_or_none,
    media_seen_as,
    raw_text,
    text_or_none,
)
from tantalio.model import (
    ChatRecord,
    MediaRefRecord,
    MemberRecord,
    MembershipEventRecord,
    MessageRecord,
    Party,
)

PLATFORM = "whatsapp"
MESSAGE_COLUMNS = ("_id", "chat_row_id", "from_me", "key_id", "sender_jid_row_id", "timestamp",
                   "message_type", "text_data", "origination_flags")
MEDIA_COLUMNS = ("file_path", "file_size", "mime_type", "media_name", "media_caption", "file_hash")
MessageKey = tuple[str, bool, str]
"""(chat JID, from me, key_id): WhatsApp's own message key, used to drop the copy of a row a
transitional database keeps in both the legacy and the current table."""


@dataclass(frozen=True, slots=True)
class ChatInfo:
    key: str
    is_group: bool


@dataclass(slots=True)
class SystemDetails:
    """The ``message_system*`` side tables, keyed by message row id (system rows are few)."""

    action: dict[int, object] = field(default_factory=dict)
    participants: dict[int, list[object]] = field(default_factory=dict)
    old_value: dict[int, object] = field(default_factory=dict)
    number_change: dict[int, tuple[object, object]] = field(default_factory=dict)
    me_joined: set[int] = field(default_factory=set)


def chat_record(db: DbReading, row: str, jid: str, name: object, created: object,
                creators: dict[str, str]) -> ChatRecord:
    created_at = db.time_ms(created, row) if created not in (None, 0, -1) else None
    creator_jid = creators.get(jid)
    origin = legacy_group_origin(jid)
    if origin is not None:
        creator_jid = creator_jid or origin[0]
        created_at = created_at or origin[1]
    return ChatRecord(db.at(row), jid, PLATFORM, is_group_jid(jid), jid=jid, name=text_or_none(name),
                      created_at=created_at, creator=jid_party(creator_jid) if creator_jid else None)


def read_chats(db: DbReading, creators: dict[str, str]) -> dict[int, ChatInfo]:
    chats: dict[int, ChatInfo] = {}
    sel = db.select_list("chat", "c", ("_id", "jid_row_id", "subject", "created_timestamp"))
    for r in db.rows(f"SELECT {sel} FROM chat c", "chat"):  # noqa: S608 - see select_list
        row = f"chat:{r['_id']}"
        jid = db.jid(r["jid_row_id"])
        if not isinstance(r["_id"], int) or jid is None:
            db.warn(row, f"chat row names no known JID (jid_row_id={r['jid_row_id']!r}); its messages keep a row key")
            continue
        chats[r["_id"]] = ChatInfo(jid, is_group_jid(jid))
        if jid not in db.chats_seen:
            db.chats_seen.add(jid)
            db.sink.emit(chat_record(db, row, jid, r["subject"], r["created_timestamp"], creators))
    return chats


def read_members(db: DbReading) -> None:
    if not {"group_jid_row_id", "user_jid_row_id"} <= db.columns("group_participant_user"):
        return
    sel = db.select_list("group_participant_user", "g", ("_id", "group_jid_row_id", "user_jid_row_id", "rank"))
    for r in db.rows(f"SELECT {sel} FROM group_participant_user g", "group_participant_user"):  # noqa: S608
        row = f"group_participant_user:{r['_id']}"
        group, member = db.jid(r["group_jid_row_id"]), db.party(r["user_jid_row_id"])
        if group is None or member is None:
            db.warn(row, "participant row names an unknown group or user JID")
            continue
        db.sink.emit(MemberRecord(db.at(row), group, member, member_rank(r["rank"])))


def read_system_details(db: DbReading) -> SystemDetails:
    found = SystemDetails()
    if {"message_row_id", "action_type"} <= db.columns("message_system"):
        for r in db.rows("SELECT message_row_id, action_type FROM message_system", "message_system"):
            found.action[r["message_row_id"]] = r["action_type"]
    if {"message_row_id", "user_jid_row_id"} <= db.columns("message_system_chat_participant"):
        for r in db.rows("SELECT message_row_id, user_jid_row_id FROM message_system_chat_participant",
                         "message_system_chat_participant"):
            found.participants.setdefault(r["message_row_id"], []).append(r["user_jid_row_id"])
    if {"message_row_id", "old_data"} <= db.columns("message_system_value_change"):
        for r in db.rows("SELECT message_row_id, old_data FROM message_system_value_change",
                         "message_system_value_change"):
            found.old_value[r["message_row_id"]] = r["old_data"]
    if {"message_row_id", "old_jid_row_id", "new_jid_row_id"} <= db.columns("message_system_number_change"):
        for r in db.rows("SELECT message_row_id, old_jid_row_id, new_jid_row_id FROM message_system_number_change",
                         "message_system_number_change"):
            found.number_change[r["message_row_id"]] = (r["old_jid_row_id"], r["new_jid_row_id"])
    if {"message_row_id", "is_me_joined"} <= db.columns("message_system_group"):
        for r in db.rows("SELECT message_row_id FROM message_system_group WHERE is_me_joined = 1",
                         "message_system_group"):
            found.me_joined.add(r["message_row_id"])
    return found


def _message_sql(db: DbReading) -> str:
    parts = [db.select_list("message", "m", MESSAGE_COLUMNS)]
    joins = ""
    if "message_row_id" in db.columns("message_media"):
        parts.append(db.select_list("message_media", "mm", MEDIA_COLUMNS))
        joins += " LEFT JOIN message_media mm ON mm.message_row_id = m._id"
    else:
        parts.append(", ".join(f"NULL AS {c}" for c in MEDIA_COLUMNS))
    if {"message_row_id", "forward_score"} <= db.columns("message_forwarded"):
        parts.append("mf.forward_score AS forward_score")
        joins += " LEFT JOIN message_forwarded mf ON mf.message_row_id = m._id"
    else:
        parts.append("NULL AS forward_score")
    return f"SELECT {', '.join(parts)} FROM message m{joins} ORDER BY m._id"  # noqa: S608 - see select_list


def read_messages(db: DbReading, chats: dict[int, ChatInfo], seen: set[MessageKey] | None) -> None:
    if "_id" not in db.columns("message"):
        db.warn("message", "table 'message' has no _id column; not read")
        return
    system = read_system_details(db)
    content = read_content(db)
    for r in db.rows(_message_sql(db), "message"):
        try:
            _read_message(db, r, chats, system, content, seen)
        except (TypeError, ValueError, OverflowError) as e:
            db.warn(f"message:{r['_id']}", f"row skipped: {e}")


def is_placeholder(chat_row_id: object, key_id: object) -> bool:
    """The first row of every current and transitional ``message`` table (``_id=1``,
    ``chat_row_id=-1``, ``key_id='-1'``) belongs to no chat and is no message."""
    return chat_row_id == -1 and key_id in (None, "", "-1")


def _read_message(db: DbReading, r: sqlite3.Row, chats: dict[int, ChatInfo], system: SystemDetails,
                  content: MessageContent, seen: set[MessageKey] | None) -> None:
    row = f"message:{r['_id']}"
    if is_placeholder(r["chat_row_id"], r["key_id"]):
        return
    chat = chats.get(r["chat_row_id"])
    if chat is None:
        db.warn(row, f"message belongs to unknown chat row {r['chat_row_id']!r}")
        chat = ChatInfo(f"chat_row:{r['chat_row_id']}", False)
    from_me = bool(r["from_me"])
    key_id = text_or_none(r["key_id"])
    if seen is not None and key_id:
        seen.add((chat.key, from_me, key_id))
    sender: Party | None
    if from_me:
        sender = Party.owner()
    elif chat.is_group or chat.key.endswith("@broadcast"):
        # groups, status updates and broadcast lists name the sender; 1:1 rows do not
        sender = db.party(r["sender_jid_row_id"])
    else:
        sender = jid_party(chat.key) if not chat.key.startswith("chat_row:") else None
    code = r["message_type"]
    kind = message_kind(code)
    flags = int_or_none(r["origination_flags"])
    score = int_or_none(r["forward_score"])
    # origination_flags bit 0 marks a forward (IPED; WhatsApp's own legacy view maps the old
    # ``forwarded`` column onto it). forward_score counts hops: >0 also means forwarded.
    forwarded = (bool(flags & 1) if flags is not None else None) if not score else True
    text = text_or_none(r["text_data"]) or content.text_for(r["_id"]) or ""
    time = db.time_ms(r["timestamp"], row)
    action = system.action.get(r["_id"])
    raw = f"message_type={code}{describe(MESSAGE_TYPES, code)}"
    if action is not None:
        raw += f"; action_type={action}{describe(ACTIONS, action)}"
    if code in VIEW_ONCE:
        raw += "; view once"
    raw += content.raw_for(r["_id"])
    db.sink.emit(MessageRecord(db.at(row), chat.key, row, sender, time, raw_text(r["timestamp"]), text, kind,
                               from_me, forwarded, score, key_id, raw))
    if action is not None and (chat.is_group or event_kind(action) in ONE_TO_ONE_EVENTS):
        _emit_events(db, r, chat.key, sender, time, action, system)
    emit_updates(db, content, r["_id"], chat.key, sender)
    has_media = any(r[c] is not None for c in ("file_path", "file_hash", "mime_type"))
    if kind in MEDIA_KINDS or has_media:
        _emit_media(db, r, chat.key, row, text)


def _emit_events(db: DbReading, r: sqlite3.Row, chat_key: str, actor: Party | None,
                 time: datetime | None, action: object, system: SystemDetails) -> None:
    """One event per participant the row names; the actor is the row's sender."""
    row = f"message:{r['_id']}"
    kind = event_kind(action)

    def emit(subject: Party | None, detail: str | None) -> None:
        db.sink.emit(MembershipEventRecord(db.at(row), chat_key, kind, subject, actor, time,
                                           raw_text(r["timestamp"]), detail, row))

    text = text_or_none(r["text_data"])
    detail: str | None = None
    if kind == "other":
        detail = f"action_type={action}"
    elif kind in ("subject_changed", "description_changed", "created"):
        old = text_or_none(system.old_value.get(r["_id"]))
        detail = f"{old} -> {text}" if old and text else text
    if kind == "number_changed" and r["_id"] in system.number_change:
        old_id, new_id = system.number_change[r["_id"]]
        old_jid, new_jid = db.jid(old_id), db.jid(new_id)
        emit(jid_party(old_jid) if old_jid else actor, f"{old_jid} -> {new_jid}")
        return
    participants: list[Party] = []
    for jid_row in system.participants.get(r["_id"], []):
        party = db.party(jid_row)
        if party is None:
            db.warn(row, f"event names participant jid row {jid_row!r}, which is not in table jid")
        else:
            participants.append(party)
    _owner_evidence(db, r, chat_key, kind, participants, system)
    if not participants and kind in SELF_EVENTS and actor is not None:
        participants = [actor]
    subjects: list[Party | None] = list(participants) or [None]
    for subject in subjects:
        emit(subject, detail)


def _owner_evidence(db: DbReading, r: sqlite3.Row, chat_key: str, kind: str, participants: list[Party],
                    system: SystemDetails) -> None:
    """The device's own JID where a system row shows it: the one participant of a row flagged
    ``is_me_joined`` (KnugiHK reads it as "you were added"; chat-history-manager as the owner's
    JID), and the creator phone in the id of a legacy group whose "created" row is the owner's."""
    row = f"message:{r['_id']}"
    app = android_app(db.file.path)
    found = None
    if r["_id"] in system.me_joined and len(participants) == 1:
        found = account_from_jid(db.at(row), participants[0].value, app,
                                 "the participant of a system row flagged message_system_group.is_me_joined")
    elif kind == "created" and r["from_me"]:
        origin = legacy_group_origin(chat_key)
        if origin is not None:
            found = account_from_jid(db.at(row), origin[0], app,
                                     "creator phone in the id of a group whose 'created' row is from_me")
    if found is not None:
        db.sink.emit(found)


def _emit_media(db: DbReading, r: sqlite3.Row, chat_key: str, row: str, text: str) -> None:
    stored = text_or_none(r["file_path"])
    path = db.media_path(stored)
    sha = db.media_sha256(r["file_hash"], row)
    seen_as = media_seen_as(path, sha)
    name = text_or_none(r["media_name"]) or (stored.replace("\\", "/").rsplit("/", 1)[-1] if stored else None)
    caption = text_or_none(r["media_caption"]) or (text or None)
    size = int_or_none(r["file_size"])
    db.sink.emit(MediaRefRecord(db.at(row), chat_key, row, seen_as, path, sha, text_or_none(r["mime_type"]),
                                size, name, caption))
