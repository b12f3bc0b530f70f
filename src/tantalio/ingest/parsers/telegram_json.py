"""Telegram Desktop JSON export (``result.json``): a single chat or a full account export
(``chats.list[]`` and ``left_chats.list[]``), FORMATS.md §4.

``date_unixtime`` (epoch seconds) is trusted; ``date`` is the exporting PC's local time without
an offset, used only as a fallback with the exhibit's timezone and a warning. Service members
are names, not ids. The file is read with ``json.load``: exports run to a few hundred MB at
most, which fits in memory; a streaming reader would be the next step if that stops holding.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tantalio.ingest.base import EvidenceFile, ParseContext, Sink
from tantalio.model import (
    AliasRecord,
    ChatRecord,
    EventKind,
    MediaRefRecord,
    MembershipEventRecord,
    MessageKind,
    MessageRecord,
    Party,
    SourceRef,
)

PLATFORM = "telegram"
GROUP_TYPES = frozenset({"private_group", "private_supergroup", "public_supergroup", "private_channel",
                         "public_channel"})
_MARKERS = (b'"date_unixtime"', b'"personal_information"', b'"chats"', b'"left_chats"')
_SNIFF_BYTES = 4096
_MEDIA_FIELDS = ("photo", "file")
_MISSING_FILE = "(File not included"
ACTIONS: dict[str, EventKind] = {
    "create_group": "created", "invite_members": "added", "remove_members": "removed",
    "join_group_by_link": "joined_link", "join_group_by_request": "joined_link",
    "edit_group_title": "subject_changed", "edit_group_photo": "icon_changed",
    "delete_group_photo": "icon_changed", "migrate_to_supergroup": "other", "migrate_from_group": "other",
}
_MEDIA_KINDS: dict[str, MessageKind] = {"sticker": "sticker"}


def plain_text(value: object) -> str:
    """``text`` as a string, or the concatenation of an entity list's pieces."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) if isinstance(p, dict) else ""
                       for p in value)
    return ""


class TelegramJsonParser:
    NAME: ClassVar[str] = "telegram_json"
    FORMAT: ClassVar[str] = "Telegram Desktop JSON export (result.json)"
    REFERENCES: ClassVar[tuple[str, ...]] = (
        "https://github.com/telegramdesktop/tdesktop/blob/dev/Telegram/SourceFiles/export/output/export_output_json.cpp",
        "https://github.com/joweich/chat-miner/blob/main/chatminer/chatparsers.py",
    )

    def detect(self, file: EvidenceFile, ctx: ParseContext) -> bool:
        if not file.name.lower().endswith(".json") or not file.head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            return False
        if file.name.lower() == "result.json":
            return True
        with ctx.open(file) as f:
            head = f.read(_SNIFF_BYTES)
        return any(m in head for m in _MARKERS) and (b'"messages"' in head or b'"chats"' in head)

    def parse(self, file: EvidenceFile, ctx: ParseContext, sink: Sink) -> None:
        ref = ctx.ref(file)
        try:
            with ctx.open(file) as f:
                root = json.load(f)
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            sink.warn(ref, f"not readable as JSON: {e}")
            return
        if not isinstance(root, dict):
            sink.warn(ref, "JSON root is not an object: not a Telegram export")
            return
        _Export(file, ctx, sink, ref, root).read()


class _Export:
    def __init__(self, file: EvidenceFile, ctx: ParseContext, sink: Sink, ref: SourceRef,
                 root: dict[str, Any]) -> None:
        self.file, self.ctx, self.sink, self.ref, self.root = file, ctx, sink, ref, root
        self.names_seen: set[tuple[str, str]] = set()
        me = root.get("personal_information")
        self.owner_id = f"user{me['user_id']}" if isinstance(me, dict) and "user_id" in me else None
        try:
            self.zone: ZoneInfo = ZoneInfo(ctx.exhibit.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo("UTC")

    def read(self) -> None:
        self._account()
        found = False
        for where, chat in self._chats():
            found = True
            if isinstance(chat, dict):
                self._chat(where, chat)
            else:
                self.sink.warn(self.ref.at_row(where), "chat entry is not an object")
        if not found:
            self.sink.warn(self.ref, "no 'messages' or 'chats' in this JSON: not a Telegram export")

    def _chats(self) -> Iterator[tuple[str, object]]:
        if isinstance(self.root.get("messages"), list):
            yield "chat", self.root
        for section in ("chats", "left_chats"):
            block = self.root.get(section)
            chats = block.get("list") if isinstance(block, dict) else None
            if isinstance(chats, list):
                for i, chat in enumerate(chats):
                    yield f"{section}.list[{i}]", chat

    def _account(self) -> None:
        me = self.root.get("personal_information")
        if isinstance(me, dict) and self.owner_id:
            name = " ".join(str(me[k]) for k in ("first_name", "last_name") if me.get(k))
            row = self.ref.at_row("personal_information")
            if name:
                self.sink.emit(AliasRecord(row, Party("telegram_id", self.owner_id), name, "profile"))
            if me.get("username"):
                self.sink.emit(AliasRecord(row, Party("telegram_id", self.owner_id), str(me["username"]), "profile"))
            if me.get("phone_number") and name:
                self.sink.emit(AliasRecord(row, Party("phone", str(me["phone_number"])), name, "profile"))
        contacts = self.root.get("contacts")
        for i, c in enumerate(contacts.get("list", []) if isinstance(contacts, dict) else []):
            if not isinstance(c, dict):
                continue
            name = " ".join(str(c[k]) for k in ("first_name", "last_name") if c.get(k))
            if name and c.get("phone_number"):
                self.sink.emit(AliasRecord(self.ref.at_row(f"contacts.list[{i}]"),
                                           Party("phone", str(c["phone_number"])), name, "address_book"))

    def _chat(self, where: str, chat: dict[str, Any]) -> None:
        chat_id = chat.get("id")
        key = f"telegram:{chat_id}" if chat_id is not None else f"telegram:{where}"
        ctype = str(chat.get("type", ""))
        name = chat.get("name") if isinstance(chat.get("name"), str) else None
        self.sink.emit(ChatRecord(self.ref.at_row(where), key, PLATFORM, ctype in GROUP_TYPES, name=name))
        messages = chat.get("messages")
        if not isinstance(messages, list):
            self.sink.warn(self.ref.at_row(where), "chat has no messages list")
            return
        for j, msg in enumerate(messages):
            row = f"{where}.messages[{j}]"
            if not isinstance(msg, dict):
                self.sink.warn(self.ref.at_row(row), "message entry is not an object")
                continue
            try:
                self._message(key, row, msg)
            except (TypeError, ValueError, AttributeError, OverflowError) as e:
                self.sink.warn(self.ref.at_row(row), f"message skipped: {e}")

    def _party(self, ref: SourceRef, ident: object, name: object) -> Party | None:
        if isinstance(ident, str | int) and str(ident):
            party = Party("telegram_id", str(ident))
            if isinstance(name, str) and name and (str(ident), name) not in self.names_seen:
                self.names_seen.add((str(ident), name))
                self.sink.emit(AliasRecord(ref, party, name, "telegram_name"))
            return party
        return Party("display_name", name) if isinstance(name, str) and name else None

    def _time(self, msg: dict[str, Any], row: str) -> tuple[datetime | None, str]:
        unix = msg.get("date_unixtime")
        if isinstance(unix, str | int) and str(unix).lstrip("-").isdigit():
            return datetime.fromtimestamp(int(unix), UTC), str(unix)
        local = msg.get("date")
        if isinstance(local, str):
            try:
                naive = datetime.fromisoformat(local)
            except ValueError:
                naive = None
            if naive is not None and naive.tzinfo is None:
                self.sink.warn(self.ref.at_row(row), f"no date_unixtime: local 'date' read in {self.zone.key}")
                return naive.replace(tzinfo=self.zone).astimezone(UTC), local
        self.sink.warn(self.ref.at_row(row), "message has no readable date")
        return None, str(local or unix or "")

    def _message(self, chat: str, row: str, msg: dict[str, Any]) -> None:
        msg_key = f"{chat}/{msg.get('id', row)}"
        ref = self.ref.at_row(row)
        time, time_raw = self._time(msg, row)
        mtype = msg.get("type", "message")
        if mtype == "service":
            sender = self._party(ref, msg.get("actor_id"), msg.get("actor"))
        else:
            sender = self._party(ref, msg.get("from_id"), msg.get("from"))
        from_me = self.owner_id is not None and str(msg.get("from_id", msg.get("actor_id"))) == self.owner_id
        kind = self._kind(msg, mtype)
        text = plain_text(msg.get("text"))
        forwarded = "forwarded_from" in msg
        action = msg.get("action") if mtype == "service" else None
        raw = f"action={action}" if action else (f"type={mtype}" if mtype != "message" else None)
        self.sink.emit(MessageRecord(ref, chat, msg_key, sender, time, time_raw, text, kind, from_me,
                                     forwarded if mtype == "message" else None, None, None, raw))
        if isinstance(action, str) and action in ACTIONS:
            self._events(ref, chat, msg_key, msg, action, sender, time, time_raw)
        for field in _MEDIA_FIELDS:
            if isinstance(msg.get(field), str):
                self._media(ref, chat, msg_key, msg, msg[field], text)

    @staticmethod
    def _kind(msg: dict[str, Any], mtype: object) -> MessageKind:
        if mtype == "service":
            return "call" if msg.get("action") == "phone_call" else "system"
        if mtype != "message":
            return "other"
        if "poll" in msg:
            return "poll"
        if "location_information" in msg:
            return "location"
        if "contact_information" in msg:
            return "contact"
        if "photo" in msg or "file" in msg:
            return _MEDIA_KINDS.get(str(msg.get("media_type")), "media")
        return "text"

    def _events(self, ref: SourceRef, chat: str, msg_key: str, msg: dict[str, Any], action: str,
                actor: Party | None, time: datetime | None, time_raw: str) -> None:
        kind = ACTIONS[action]
        names = [m for m in msg.get("members", []) if isinstance(m, str) and m] \
            if isinstance(msg.get("members"), list) else []

        def emit(k: EventKind, subject: Party | None, by: Party | None, detail: str | None) -> None:
            self.sink.emit(MembershipEventRecord(ref, chat, k, subject, by, time, time_raw, detail, msg_key))

        if action == "create_group":
            emit("created", actor, actor, msg.get("title") if isinstance(msg.get("title"), str) else None)
            for name in names:
                emit("added", Party("display_name", name), actor, "member at creation")
        elif action in ("invite_members", "remove_members"):
            for name in names:
                # Telegram writes a member leaving as remove_members naming themself
                leaving = action == "remove_members" and name == msg.get("actor")
                emit("left" if leaving else kind, Party("display_name", name), actor, None)
        elif action in ("join_group_by_link", "join_group_by_request"):
            inviter = msg.get("inviter")
            by = Party("display_name", inviter) if isinstance(inviter, str) and inviter else None
            emit(kind, actor, by, action if action == "join_group_by_request" else None)
        elif action == "edit_group_title":
            emit(kind, None, actor, msg.get("title") if isinstance(msg.get("title"), str) else None)
        else:
            emit(kind, None, actor, action)

    def _media(self, ref: SourceRef, chat: str, msg_key: str, msg: dict[str, Any], stored: str,
               text: str) -> None:
        path = None
        if stored and not stored.startswith(_MISSING_FILE):
            rel = stored.replace("\\", "/")
            found = self.ctx.find(self.file.sibling(rel[2:] if rel.startswith("./") else rel))
            path = found.path if found else None
        size = msg.get("file_size") if isinstance(msg.get("file_size"), int) else None
        name = stored.replace("\\", "/").rsplit("/", 1)[-1] if path else None
        mime = msg.get("mime_type") if isinstance(msg.get("mime_type"), str) else None
        self.sink.emit(MediaRefRecord(ref, chat, msg_key, "export_attachment" if path else "omitted", path, None,
                                      mime, size, name, text or None))
