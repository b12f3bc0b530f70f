"""Telegram Desktop JSON export (``result.json``): a single chat or a full account export
(``chats.list[]`` and ``left_chats.list[]``), FORMATS.md §4.

``date_unixtime`` (epoch seconds) is trusted; ``date`` is the exporting PC's local time without
an offset, used only as a fallback with the exhibit's timezone (one warning per file: exports
before 2021 have no ``date_unixtime``). Service members are names, not ids.

Identities: exports before 2021 write ``from_id``/``actor_id``/``user_id`` as integers, later
ones as ``user<id>`` (``channel<id>`` for channels): both are read as ``user<id>``, so one
account is one identifier across export versions. ``personal_information`` names the device's
own account (user id and phone); a contact listed with both a user id and a phone ties the two.

The file may be in any Unicode encoding with a BOM (UTF-8, UTF-16, UTF-32; ``json`` detects
which). It is read with ``json.loads``: exports run to a few hundred MB at most, which fits in
memory; a streaming reader would be the next step if that stops holding.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tantalio.ingest.base import EvidenceFile, ParseContext, Sink
from tantalio.ingest.parsers.telegram_actions import MEMBERSHIP_ACTIONS, OTHER_ACTIONS, ActionReader
from tantalio.model import (
    AliasRecord,
    ChatRecord,
    DeviceAccountRecord,
    IdentityLinkRecord,
    MediaRefRecord,
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
_SKIPPED_FILE = "(File "  # "(File not included. …)", "(File unavailable, …)", "(File exceeds maximum size. …)"
_MEDIA_KINDS: dict[str, MessageKind] = {"sticker": "sticker"}
_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SERVICE_NOISE = frozenset({"text", "text_entities", "date", "date_unixtime"})
TELEGRAM_APP = "telegram"


def decoded_head(head: bytes) -> str:
    """The first bytes as text, whatever Unicode encoding a BOM (or the JSON rules) announce."""
    try:
        return head.decode(json.detect_encoding(head), errors="ignore").lstrip("\ufeff \t\r\n")
    except LookupError:
        return ""


def account_id(value: object) -> str | None:
    """A Telegram peer id as ``user<id>``/``channel<id>``: old exports write bare integers."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if text.lstrip("-").isdigit():
        return None if int(text) == 0 else f"user{text}"
    return text


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
        if not file.name.lower().endswith(".json"):
            return False
        start = decoded_head(file.head)[:1]
        if file.name.lower() == "result.json":  # the export's own name: claimed, and any shape is said
            return start in ("{", "[") or file.head.startswith(_BOMS)
        if start != "{":
            return False
        with ctx.open(file) as f:
            head = decoded_head(f.read(_SNIFF_BYTES))
        return any(m.decode() in head for m in _MARKERS) and ('"messages"' in head or '"chats"' in head)

    def parse(self, file: EvidenceFile, ctx: ParseContext, sink: Sink) -> None:
        ref = ctx.ref(file)
        try:
            with ctx.open(file) as f:
                root = json.loads(f.read())  # bytes: json picks UTF-8/16/32 from the BOM or first bytes
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            sink.warn(ref, f"not readable as JSON: {e}")
            return
        if not isinstance(root, dict):
            sink.warn(ref, f"JSON root is {type(root).__name__ if root is not None else 'null'}, not an object:"
                           " not a Telegram export")
            return
        _Export(file, ctx, sink, ref, root).read()


class _Export:
    def __init__(self, file: EvidenceFile, ctx: ParseContext, sink: Sink, ref: SourceRef,
                 root: dict[str, Any]) -> None:
        self.file, self.ctx, self.sink, self.ref, self.root = file, ctx, sink, ref, root
        self.names_seen: set[tuple[str, str]] = set()
        me = root.get("personal_information")
        self.owner_id = account_id(me.get("user_id")) if isinstance(me, dict) else None
        self.local_dates = 0
        self.actions = ActionReader(sink.emit, sink.warn)
        try:
            self.zone: ZoneInfo = ZoneInfo(ctx.exhibit.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo("UTC")

    def read(self) -> None:
        self._account()
        self._contacts()
        found = False
        for where, chat in self._chats():
            found = True
            if isinstance(chat, dict):
                self._chat(where, chat)
            else:
                self.sink.warn(self.ref.at_row(where), "chat entry is not an object")
        if not found and not any(k in self.root for k in ("messages", "chats", "left_chats")):
            self.sink.warn(self.ref, "no 'messages' or 'chats' in this JSON: not a Telegram export")
        if self.local_dates:
            self.sink.warn(self.ref, f"{self.local_dates} messages have no date_unixtime (an export from before"
                                     f" 2021): their local 'date' was read in {self.zone.key}")

    def _chats(self) -> Iterator[tuple[str, object]]:
        messages = self.root.get("messages")
        if isinstance(messages, list):
            yield "chat", self.root
        elif messages is not None:
            self.sink.warn(self.ref.at_row("messages"), f"'messages' is {type(messages).__name__}, not a list: not read")
        for section in ("chats", "left_chats"):
            block = self.root.get(section)
            if block is None:
                continue
            chats = block.get("list") if isinstance(block, dict) else None
            if not isinstance(chats, list):
                self.sink.warn(self.ref.at_row(section), f"'{section}' has no list of chats: not read")
                continue
            for i, chat in enumerate(chats):
                yield f"{section}.list[{i}]", chat

    def _account(self) -> None:
        me = self.root.get("personal_information")
        if me is not None and not isinstance(me, dict):
            self.sink.warn(self.ref.at_row("personal_information"), "'personal_information' is not an object")
        if not isinstance(me, dict) or not self.owner_id:
            return
        row = self.ref.at_row("personal_information")
        owner = Party("telegram_id", self.owner_id)
        self.sink.emit(DeviceAccountRecord(row, owner, TELEGRAM_APP, "personal_information.user_id"))
        phone = str(me["phone_number"]).strip() if me.get("phone_number") else ""
        if phone:
            self.sink.emit(DeviceAccountRecord(row, Party("phone", phone), TELEGRAM_APP,
                                               "personal_information.phone_number"))
        # names go on the user id only: the phone is the same account (a device account above), and
        # one name on two hard identifiers would read as two contacts sharing it
        name = " ".join(str(me[k]) for k in ("first_name", "last_name") if me.get(k))
        if name:
            self.sink.emit(AliasRecord(row, owner, name, "profile"))
        if me.get("username"):
            self.sink.emit(AliasRecord(row, owner, str(me["username"]), "profile"))

    def _contacts(self) -> None:
        contacts = self.root.get("contacts")
        entries = contacts.get("list") if isinstance(contacts, dict) else None
        if contacts is not None and not isinstance(entries, list):
            self.sink.warn(self.ref.at_row("contacts"), "'contacts' has no list: not read")
            return
        for i, c in enumerate(entries or []):
            if not isinstance(c, dict):
                continue
            row = self.ref.at_row(f"contacts.list[{i}]")
            name = " ".join(str(c[k]) for k in ("first_name", "last_name") if c.get(k))
            phone = str(c["phone_number"]).strip() if c.get("phone_number") else ""
            user = account_id(c.get("user_id"))
            if name and (user or phone):  # on the user id when there is one (see _account)
                who = Party("telegram_id", user) if user else Party("phone", phone)
                self.sink.emit(AliasRecord(row, who, name, "address_book"))
            if phone and user:
                self.sink.emit(IdentityLinkRecord(row, Party("telegram_id", user), Party("phone", phone),
                                                  "contacts.list: user_id with phone_number"))

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

    def _party(self, ref: SourceRef, ident: str | None, name: object) -> Party | None:
        if ident:
            party = Party("telegram_id", ident)
            if isinstance(name, str) and name and (ident, name) not in self.names_seen:
                self.names_seen.add((ident, name))
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
                self.local_dates += 1  # one warning for the file (see read)
                return naive.replace(tzinfo=self.zone).astimezone(UTC), local
        self.sink.warn(self.ref.at_row(row), "message has no readable date")
        return None, str(local or unix or "")

    def _message(self, chat: str, row: str, msg: dict[str, Any]) -> None:
        msg_key = f"{chat}/{msg.get('id', row)}"
        ref = self.ref.at_row(row)
        time, time_raw = self._time(msg, row)
        mtype = msg.get("type", "message")
        ident = account_id(msg.get("actor_id") if mtype == "service" else msg.get("from_id"))
        sender = self._party(ref, ident, msg.get("actor") if mtype == "service" else msg.get("from"))
        from_me = self.owner_id is not None and ident == self.owner_id
        kind = self._kind(msg, mtype)
        text = plain_text(msg.get("text"))
        forwarded = "forwarded_from" in msg
        action = msg.get("action") if mtype == "service" else None
        if mtype == "service":  # kept raw: an action we do not know loses nothing
            raw: str | None = json.dumps({k: v for k, v in msg.items() if k not in _SERVICE_NOISE},
                                         ensure_ascii=False, sort_keys=True, default=str)
        else:
            raw = f"type={mtype}" if mtype != "message" else None
        self.sink.emit(MessageRecord(ref, chat, msg_key, sender, time, time_raw, text, kind, from_me,
                                     forwarded if mtype == "message" else None, None, None, raw))
        if isinstance(action, str) and action in MEMBERSHIP_ACTIONS:
            self.actions.events(ref, chat, msg_key, msg, action, sender, ident, time, time_raw)
        for field in _MEDIA_FIELDS:
            if isinstance(msg.get(field), str):
                self._media(ref, chat, msg_key, msg, msg[field], text)

    @staticmethod
    def _kind(msg: dict[str, Any], mtype: object) -> MessageKind:
        if mtype == "service":
            action = msg.get("action")
            if action == "phone_call":
                return "call"
            return "system" if action in MEMBERSHIP_ACTIONS or action in OTHER_ACTIONS else "system_unknown"
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

    def _media(self, ref: SourceRef, chat: str, msg_key: str, msg: dict[str, Any], stored: str,
               text: str) -> None:
        path = None
        skipped = stored.startswith(_SKIPPED_FILE)
        if stored and not skipped:
            rel = stored.replace("\\", "/")
            found = self.ctx.find(self.file.sibling(rel[2:] if rel.startswith("./") else rel))
            path = found.path if found else None
        size = msg.get("file_size") if isinstance(msg.get("file_size"), int) else None
        # the name survives when the file was not exported: newer exports keep ``file_name``
        given = msg.get("file_name") if isinstance(msg.get("file_name"), str) and msg.get("file_name") else None
        name = given or (stored.replace("\\", "/").rsplit("/", 1)[-1] if stored and not skipped else None)
        mime = msg.get("mime_type") if isinstance(msg.get("mime_type"), str) else None
        self.sink.emit(MediaRefRecord(ref, chat, msg_key, "export_attachment" if path else "omitted", path, None,
                                      mime, size, name, text or None))
