"""WhatsApp for iOS ``ChatStorage.sqlite`` (Core Data), with ``ContactsV2.sqlite`` and the
``Message/Media`` folder from the same AppGroup folder (FORMATS.md §3).

Core Data dates are seconds since 2001-01-01 UTC. Two columns mislead: for media rows
``ZWAMEDIAITEM.ZVCARDNAME`` holds the base64 SHA-256 of the file and ``ZVCARDSTRING`` its MIME
type, and ``ZLATITUDE``/``ZLONGITUDE`` hold image dimensions except on location messages.
``ZGROUPEVENTTYPE`` is only meaningful on event rows (``ZMESSAGETYPE`` 6 or 10): ordinary
incoming messages carry 2 there too.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from tantalio.errors import ParseError
from tantalio.ingest.base import EvidenceFile, ParseContext, Sink
from tantalio.ingest.parsers.jids import is_group_jid, jid_party, phone_digits
from tantalio.ingest.parsers.whatsapp_accounts import account_from_jid, ios_app
from tantalio.ingest.parsers.whatsapp_android_rows import (
    DB_ERRORS,
    DbReading,
    int_or_none,
    media_seen_as,
    raw_text,
    text_or_none,
)
from tantalio.ingest.parsers.whatsapp_ios_codes import (
    EVENT_TYPES,
    MEDIA_TYPES,
    SELF_EVENTS,
    forward_count,
    ios_event_kind,
    ios_message_kind,
)
from tantalio.ingest.sqlite_records import SQLITE_MAGIC
from tantalio.model import (
    AliasRecord,
    ChatRecord,
    FileReadRecord,
    MediaRefRecord,
    MemberRecord,
    MembershipEventRecord,
    MessageRecord,
    Party,
)

PLATFORM = "whatsapp"
CORE_DATA_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
_EARLIEST_S, _LATEST_S = 200_000_000.0, 3_100_000_000.0  # 2007 .. 2099
MESSAGE_COLUMNS = ("Z_PK", "ZCHATSESSION", "ZGROUPMEMBER", "ZISFROMME", "ZMESSAGEDATE", "ZFROMJID", "ZTOJID",
                   "ZTEXT", "ZMESSAGETYPE", "ZGROUPEVENTTYPE", "ZSTANZAID")
MEDIA_COLUMNS = ("ZMEDIALOCALPATH", "ZFILESIZE", "ZTITLE", "ZLATITUDE", "ZLONGITUDE", "ZVCARDNAME",
                 "ZVCARDSTRING", "ZMETADATA")


class WhatsAppIOSParser:
    NAME: ClassVar[str] = "whatsapp_ios"
    FORMAT: ClassVar[str] = "WhatsApp for iOS ChatStorage.sqlite (+ ContactsV2.sqlite, Message/Media)"
    REFERENCES: ClassVar[tuple[str, ...]] = (
        "https://github.com/abrignoni/iLEAPP/blob/main/scripts/artifacts/whatsApp.py",
        "https://github.com/KnugiHK/WhatsApp-Chat-Exporter/blob/main/Whatsapp_Chat_Exporter/ios_handler.py",
        "https://github.com/sepinf-inc/IPED (ExtractorIOS.java)",
    )

    def detect(self, file: EvidenceFile, ctx: ParseContext) -> bool:
        return file.name == "ChatStorage.sqlite" and file.head.startswith(SQLITE_MAGIC)

    def parse(self, file: EvidenceFile, ctx: ParseContext, sink: Sink) -> None:
        try:
            db = DbReading(ctx, file, sink, ctx.sqlite(file))
        except (ParseError, *DB_ERRORS) as e:
            sink.warn(ctx.ref(file), f"database not read: {e}")
            return
        if "Z_PK" not in db.columns("ZWAMESSAGE"):
            sink.warn(ctx.ref(file), "no ZWAMESSAGE table: not a ChatStorage.sqlite schema we know")
        reading = _IOSReading(db)
        for what, step in (("ZWACHATSESSION", reading.read_sessions), ("ZWAGROUPMEMBER", reading.read_members),
                           ("ZWAPROFILEPUSHNAME", reading.read_push_names), ("ZWAMESSAGE", reading.read_messages)):
            try:
                step()
            except DB_ERRORS as e:
                db.warn(what, f"could not read {what}: {e}")
        reading.report_owner(ios_app(file, ctx))
        self._read_contacts(file, ctx, sink)

    @staticmethod
    def _read_contacts(chats: EvidenceFile, ctx: ParseContext, sink: Sink) -> None:
        found = ctx.find(chats.sibling("ContactsV2.sqlite"))
        if found is None:
            return
        try:
            db = DbReading(ctx, found, sink, ctx.sqlite(found))
            sink.emit(FileReadRecord(ctx.ref(found)))
            cols = ("Z_PK", "ZFULLNAME", "ZGIVENNAME", "ZPHONENUMBER", "ZWHATSAPPID")
            if "Z_PK" not in db.columns("ZWAADDRESSBOOKCONTACT"):
                return
            sel = db.select_list("ZWAADDRESSBOOKCONTACT", "c", cols)
            for r in db.rows(f"SELECT {sel} FROM ZWAADDRESSBOOKCONTACT c", "ZWAADDRESSBOOKCONTACT"):  # noqa: S608
                name = text_or_none(r["ZFULLNAME"]) or text_or_none(r["ZGIVENNAME"])
                jid, phone = text_or_none(r["ZWHATSAPPID"]), text_or_none(r["ZPHONENUMBER"])
                who = jid_party(jid) if jid else Party("phone", phone) if phone else None
                if name and who:
                    sink.emit(AliasRecord(db.at(f"ZWAADDRESSBOOKCONTACT:{r['Z_PK']}"), who, name, "address_book"))
        except (ParseError, *DB_ERRORS) as e:
            sink.warn(ctx.ref(found), f"ContactsV2.sqlite not read (no address-book names): {e}")


class _IOSReading:
    """One ChatStorage.sqlite being read; sessions and group members are looked up by Z_PK."""

    def __init__(self, db: DbReading) -> None:
        self.db = db
        self.sessions: dict[int, tuple[str, bool]] = {}
        self.members: dict[int, str] = {}
        self.creators: dict[str, str] = {}
        # ZTOJID of rows not from me: the address incoming messages and events were sent to
        self.addressed_to: dict[str, tuple[int, object]] = {}

    def core_time(self, value: object, row: str) -> datetime | None:
        if value is None or value == 0:
            return None
        if not isinstance(value, int | float) or not _EARLIEST_S - 978_307_200 < value < _LATEST_S - 978_307_200:
            self.db.warn(row, f"date {value!r} is not Core Data seconds in a plausible range")
            return None
        return CORE_DATA_EPOCH + timedelta(seconds=value)

    def read_sessions(self) -> None:
        db = self.db
        info: dict[object, tuple[object, object]] = {}
        if "ZCHATSESSION" in db.columns("ZWAGROUPINFO"):
            sel = db.select_list("ZWAGROUPINFO", "g", ("ZCHATSESSION", "ZCREATIONDATE", "ZCREATORJID"))
            for r in db.rows(f"SELECT {sel} FROM ZWAGROUPINFO g", "ZWAGROUPINFO"):  # noqa: S608
                info[r["ZCHATSESSION"]] = (r["ZCREATIONDATE"], r["ZCREATORJID"])
        sel = db.select_list("ZWACHATSESSION", "s", ("Z_PK", "ZCONTACTJID", "ZPARTNERNAME", "ZSESSIONTYPE"))
        for r in db.rows(f"SELECT {sel} FROM ZWACHATSESSION s", "ZWACHATSESSION"):  # noqa: S608
            row = f"ZWACHATSESSION:{r['Z_PK']}"
            jid = text_or_none(r["ZCONTACTJID"])
            key = jid or row
            group = is_group_jid(jid) or r["ZSESSIONTYPE"] == 1
            if isinstance(r["Z_PK"], int):
                self.sessions[r["Z_PK"]] = (key, group)
            created, creator = info.get(r["Z_PK"], (None, None))
            creator_jid = text_or_none(creator)
            if creator_jid:
                self.creators[key] = creator_jid
            db.sink.emit(ChatRecord(db.at(row), key, PLATFORM, group, jid=jid, name=text_or_none(r["ZPARTNERNAME"]),
                                    created_at=self.core_time(created, row),
                                    creator=jid_party(creator_jid) if creator_jid else None))

    def read_members(self) -> None:
        db = self.db
        if "Z_PK" not in db.columns("ZWAGROUPMEMBER"):
            return
        sel = db.select_list("ZWAGROUPMEMBER", "g", ("Z_PK", "ZCHATSESSION", "ZMEMBERJID", "ZCONTACTNAME",
                                                     "ZFIRSTNAME", "ZISADMIN", "ZISACTIVE"))
        for r in db.rows(f"SELECT {sel} FROM ZWAGROUPMEMBER g", "ZWAGROUPMEMBER"):  # noqa: S608
            row = f"ZWAGROUPMEMBER:{r['Z_PK']}"
            jid = text_or_none(r["ZMEMBERJID"])
            if jid is None:
                db.warn(row, "group member row without ZMEMBERJID")
                continue
            self.members[r["Z_PK"]] = jid
            name = text_or_none(r["ZCONTACTNAME"]) or text_or_none(r["ZFIRSTNAME"])
            if name:
                db.sink.emit(AliasRecord(db.at(row), jid_party(jid), name, "address_book"))
            session = self.sessions.get(r["ZCHATSESSION"])
            # ZISACTIVE 0 marks a past member: kept as such (when they left is not recorded;
            # the event rows may say more)
            if session is not None:
                db.sink.emit(MemberRecord(db.at(row), session[0], jid_party(jid),
                                          "admin" if r["ZISADMIN"] == 1 else "member", r["ZISACTIVE"] != 0))

    def read_push_names(self) -> None:
        db = self.db
        if not {"ZJID", "ZPUSHNAME"} <= db.columns("ZWAPROFILEPUSHNAME"):
            return
        sel = db.select_list("ZWAPROFILEPUSHNAME", "p", ("Z_PK", "ZJID", "ZPUSHNAME"))
        for r in db.rows(f"SELECT {sel} FROM ZWAPROFILEPUSHNAME p", "ZWAPROFILEPUSHNAME"):  # noqa: S608
            jid, name = text_or_none(r["ZJID"]), text_or_none(r["ZPUSHNAME"])
            if jid and name:
                db.sink.emit(AliasRecord(db.at(f"ZWAPROFILEPUSHNAME:{r['Z_PK']}"), jid_party(jid), name, "push_name"))

    def read_messages(self) -> None:
        db = self.db
        if "Z_PK" not in db.columns("ZWAMESSAGE"):
            return
        media = db.columns("ZWAMEDIAITEM")
        if "ZMEDIAITEM" in db.columns("ZWAMESSAGE") and "Z_PK" in media:
            join = " LEFT JOIN ZWAMEDIAITEM i ON i.Z_PK = m.ZMEDIAITEM"
        elif "ZMESSAGE" in media:
            join = " LEFT JOIN ZWAMEDIAITEM i ON i.ZMESSAGE = m.Z_PK"
        else:
            join = ""
        items = db.select_list("ZWAMEDIAITEM", "i", MEDIA_COLUMNS) if join else ", ".join(
            f"NULL AS {c}" for c in MEDIA_COLUMNS)
        sql = f"SELECT {db.select_list('ZWAMESSAGE', 'm', MESSAGE_COLUMNS)}, {items} FROM ZWAMESSAGE m{join} ORDER BY m.Z_PK"  # noqa: S608,E501
        for r in db.rows(sql, "ZWAMESSAGE"):
            try:
                self._message(r)
            except (TypeError, ValueError, OverflowError) as e:
                db.warn(f"ZWAMESSAGE:{r['Z_PK']}", f"row skipped: {e}")

    def _message(self, r: sqlite3.Row) -> None:
        db = self.db
        row = f"ZWAMESSAGE:{r['Z_PK']}"
        session = self.sessions.get(r["ZCHATSESSION"])
        if session is None:
            db.warn(row, f"message belongs to unknown chat session {r['ZCHATSESSION']!r}")
            session = (f"ZWACHATSESSION:{r['ZCHATSESSION']}", False)
        chat, group = session
        from_me = bool(r["ZISFROMME"])
        to = text_or_none(r["ZTOJID"])
        if not from_me and to and phone_digits(to) and to != chat:
            seen = self.addressed_to.get(to)
            self.addressed_to[to] = (seen[0] + 1, seen[1]) if seen else (1, r["Z_PK"])
        member = self.members.get(r["ZGROUPMEMBER"]) if r["ZGROUPMEMBER"] is not None else None
        sender: Party | None
        if from_me:
            sender = Party.owner()
        elif group:
            sender = jid_party(member) if member else None
        else:
            peer = text_or_none(r["ZFROMJID"]) or (None if chat.startswith("ZWACHATSESSION:") else chat)
            sender = jid_party(peer) if peer else None
        code, event_code = r["ZMESSAGETYPE"], r["ZGROUPEVENTTYPE"]
        kind = ios_message_kind(code)
        is_event = code in EVENT_TYPES
        time = self.core_time(r["ZMESSAGEDATE"], row)
        score = forward_count(r["ZMETADATA"])
        text = text_or_none(r["ZTEXT"]) or ""
        raw = f"ZMESSAGETYPE={code}" + (f"; ZGROUPEVENTTYPE={event_code}" if is_event else "")
        if code == 5 and r["ZLATITUDE"] is not None:
            raw += f"; location={r['ZLATITUDE']},{r['ZLONGITUDE']}"
        if code == 4 and not text:
            text = text_or_none(r["ZVCARDNAME"]) or ""  # a contact card: ZVCARDNAME is the contact's name
        db.sink.emit(MessageRecord(db.at(row), chat, row, sender, time, raw_text(r["ZMESSAGEDATE"]),
                                   "" if is_event else text, kind, from_me,
                                   None if score is None else score > 0, score, text_or_none(r["ZSTANZAID"]), raw))
        if is_event:
            self._event(r, chat, sender, time, text)
        elif code in MEDIA_TYPES:
            self._media(r, chat, row)

    def report_owner(self, app: str) -> None:
        """The device's own JID when every row not from me is addressed to one (josh_ios15:
        ZTOJID of incoming group events); several addresses are said, not guessed between."""
        if len(self.addressed_to) == 1:
            (jid, (count, first)), = self.addressed_to.items()
            found = account_from_jid(self.db.at(f"ZWAMESSAGE:{first}"), jid, app,
                                     f"ZTOJID of {count} rows not from me")
            if found is not None:
                self.db.sink.emit(found)
        elif len(self.addressed_to) > 1:
            names = ", ".join(f"{j} ({n} rows)" for j, (n, _) in sorted(self.addressed_to.items()))
            self.db.warn("ZWAMESSAGE", f"rows not from me are addressed to several JIDs ({names}):"
                                       " the device's own account is not taken from ZTOJID")

    def _event(self, r: sqlite3.Row, chat: str, sender: Party | None, time: datetime | None, text: str) -> None:
        row = f"ZWAMESSAGE:{r['Z_PK']}"
        kind = ios_event_kind(r["ZMESSAGETYPE"], r["ZGROUPEVENTTYPE"])
        actor = sender
        members: list[str] = []
        # add/remove rows hold ``actorJid;member1,member2`` or a single JID in ZTEXT (IPED)
        if ";" in text and "@" in text:
            head, _, tail = text.partition(";")
            actor = jid_party(head.strip()) if head.strip() else actor
            members = [m.strip() for m in tail.split(",") if m.strip()]
        elif "@" in text and " " not in text.strip():
            members = [text.strip()]
        subjects = [jid_party(m) for m in members]
        if not subjects and kind == "created" and chat in self.creators:
            subjects = [jid_party(self.creators[chat])]
        elif not subjects and kind in SELF_EVENTS and actor is not None:
            subjects = [actor]
        detail = (f"ZMESSAGETYPE={r['ZMESSAGETYPE']}; ZGROUPEVENTTYPE={r['ZGROUPEVENTTYPE']}" if kind == "other"
                  else text if text and not members else None)
        targets: list[Party | None] = list(subjects) or [None]
        for subject in targets:
            self.db.sink.emit(MembershipEventRecord(self.db.at(row), chat, kind, subject, actor, time,
                                                    raw_text(r["ZMESSAGEDATE"]), detail, row))

    def _media(self, r: sqlite3.Row, chat: str, row: str) -> None:
        db = self.db
        stored = text_or_none(r["ZMEDIALOCALPATH"])
        path = self._local_file(stored) if stored else None
        sha = db.media_sha256(r["ZVCARDNAME"], row)
        seen_as = media_seen_as(path, sha)
        name = stored.rsplit("/", 1)[-1] if stored else None
        db.sink.emit(MediaRefRecord(db.at(row), chat, row, seen_as, path, sha, text_or_none(r["ZVCARDSTRING"]),
                                    int_or_none(r["ZFILESIZE"]) or None, name, text_or_none(r["ZTITLE"])))

    def _local_file(self, stored: str) -> str | None:
        """ZMEDIALOCALPATH is relative to the ``Message`` folder beside the database."""
        rel = stored.replace("\\", "/").lstrip("/")
        cut = rel.find("Message/Media/")
        if cut >= 0:
            rel = rel[cut + len("Message/"):]
        for candidate in (f"Message/{rel}", rel):
            found = self.db.ctx.find(self.db.file.sibling(candidate))
            if found is not None:
                return found.path
        return None
