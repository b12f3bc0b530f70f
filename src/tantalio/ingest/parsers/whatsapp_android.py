"""WhatsApp for Android databases: ``msgstore.db`` with ``wa.db`` from the same folder.

The schema is recognised by the tables present: the current row-id normalised one
(``message``/``jid``/``chat``…, :mod:`whatsapp_android_current`), the legacy one (``messages``,
:mod:`whatsapp_android_legacy`), or a transitional database holding both, where rows present
in both tables are read once. Times are milliseconds since 1970, UTC.

Encrypted backups (``msgstore.db.crypt12/14/15``) are not detected: they need the key from
the device (``files/key``) and decrypting them is outside this parser. Their name is enough
for the analyst to see them in the exhibit's list of files no parser handled.
"""

from __future__ import annotations

from typing import ClassVar

from tantalio.errors import ParseError
from tantalio.ingest.base import EvidenceFile, ParseContext, Sink
from tantalio.ingest.parsers.jids import is_group_jid, jid_party
from tantalio.ingest.parsers.whatsapp_android_current import (
    MessageKey,
    read_chats,
    read_members,
    read_messages,
)
from tantalio.ingest.parsers.whatsapp_android_legacy import (
    read_legacy_chats,
    read_legacy_members,
    read_legacy_messages,
)
from tantalio.ingest.parsers.whatsapp_android_rows import DB_ERRORS, DbReading, text_or_none
from tantalio.ingest.sqlite_records import SQLITE_MAGIC
from tantalio.model import AliasRecord, FileReadRecord, Party


class WhatsAppAndroidParser:
    NAME: ClassVar[str] = "whatsapp_android"
    FORMAT: ClassVar[str] = "WhatsApp for Android msgstore.db (+ wa.db)"
    REFERENCES: ClassVar[tuple[str, ...]] = (
        "https://github.com/abrignoni/ALEAPP/blob/main/scripts/artifacts/WhatsApp.py",
        "https://github.com/KnugiHK/WhatsApp-Chat-Exporter/blob/main/Whatsapp_Chat_Exporter/android_handler.py",
        "https://github.com/sepinf-inc/IPED (ExtractorAndroid.java, ExtractorAndroidNew.java)",
    )

    def detect(self, file: EvidenceFile, ctx: ParseContext) -> bool:
        return file.name.lower() == "msgstore.db" and file.head.startswith(SQLITE_MAGIC)

    def parse(self, file: EvidenceFile, ctx: ParseContext, sink: Sink) -> None:
        ref = ctx.ref(file)
        try:
            conn = ctx.sqlite(file)
            db = DbReading(ctx, file, sink, conn)
        except (ParseError, *DB_ERRORS) as e:
            sink.warn(ref, f"database not read: {e}")
            return
        current = {"message", "chat"} <= db.tables
        legacy = "messages" in db.tables
        if not current and not legacy:
            sink.warn(ref, "no WhatsApp message table ('message' or 'messages'): not a msgstore.db schema we know")
        creators = self._read_wa_db(file, ctx, sink)
        # a transitional DB keeps some rows in both tables: remember the current ones' keys
        seen: set[MessageKey] | None = set() if current and legacy else None
        steps = []
        if current:
            steps += [("jid", db.load_jids), ("chat", lambda: self._current(db, creators, seen))]
        if {"key", "value"} <= db.columns("props"):
            steps.append(("props", lambda: self._own_push_name(db)))
        if legacy:
            steps += [("chat_list", lambda: read_legacy_chats(db, creators)),
                      ("group_participants", lambda: read_legacy_members(db)),
                      ("messages", lambda: read_legacy_messages(db, seen))]
        for what, step in steps:
            try:
                step()
            except DB_ERRORS as e:
                db.warn(what, f"could not read {what}: {e}")

    @staticmethod
    def _current(db: DbReading, creators: dict[str, str], seen: set[MessageKey] | None) -> None:
        chats = read_chats(db, creators)
        try:
            read_members(db)
        except DB_ERRORS as e:
            db.warn("group_participant_user", f"could not read group_participant_user: {e}")
        read_messages(db, chats, seen)

    @staticmethod
    def _own_push_name(db: DbReading) -> None:
        """``props.user_push_name`` is the name the device's own account shows to others."""
        for r in db.rows("SELECT _id, value FROM props WHERE key = 'user_push_name'"
                         if "_id" in db.columns("props") else
                         "SELECT rowid AS _id, value FROM props WHERE key = 'user_push_name'", "props"):
            name = text_or_none(r["value"])
            if name:
                db.sink.emit(AliasRecord(db.at(f"props:{r['_id']}"), Party.owner(), name, "push_name"))

    def _read_wa_db(self, msgstore: EvidenceFile, ctx: ParseContext, sink: Sink) -> dict[str, str]:
        """Names from ``wa_contacts`` (emitted as aliases) and group creators from
        ``wa_group_admin_settings`` (returned, group JID → creator JID)."""
        wa = ctx.find(msgstore.sibling("wa.db"))
        if wa is None:
            return {}
        try:
            db = DbReading(ctx, wa, sink, ctx.sqlite(wa))
        except (ParseError, *DB_ERRORS) as e:
            sink.warn(ctx.ref(wa), f"wa.db not read (no contact names): {e}")
            return {}
        sink.emit(FileReadRecord(ctx.ref(wa)))
        creators: dict[str, str] = {}
        try:
            self._contacts(db)
            if {"jid", "creator_jid"} <= db.columns("wa_group_admin_settings"):
                for r in db.rows("SELECT jid, creator_jid FROM wa_group_admin_settings", "wa_group_admin_settings"):
                    group, creator = text_or_none(r["jid"]), text_or_none(r["creator_jid"])
                    if group and creator:
                        creators[group] = creator
        except DB_ERRORS as e:
            db.warn("wa_contacts", f"could not read wa.db: {e}")
        return creators

    @staticmethod
    def _contacts(db: DbReading) -> None:
        if "jid" not in db.columns("wa_contacts"):
            return
        sel = db.select_list("wa_contacts", "c", ("_id", "jid", "display_name", "given_name", "family_name",
                                                  "wa_name"))
        for r in db.rows(f"SELECT {sel} FROM wa_contacts c", "wa_contacts"):  # noqa: S608 - see select_list
            jid = text_or_none(r["jid"])
            if jid is None or is_group_jid(jid) or "@" not in jid or jid.endswith("@broadcast"):
                continue  # groups are named by their chat record; broadcast lists name nobody
            ref = db.at(f"wa_contacts:{r['_id']}")
            given = " ".join(n for n in (text_or_none(r["given_name"]), text_or_none(r["family_name"])) if n)
            book = text_or_none(r["display_name"]) or given or None
            if book:
                db.sink.emit(AliasRecord(ref, jid_party(jid), book, "address_book"))
            push = text_or_none(r["wa_name"])
            if push:
                db.sink.emit(AliasRecord(ref, jid_party(jid), push, "push_name"))
