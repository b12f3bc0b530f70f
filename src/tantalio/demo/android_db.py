"""msgstore.db and wa.db as WhatsApp for Android writes them: current, legacy and transitional schemas.

DDL strings are the ones the app itself issues (FORMATS.md §2, decompiled CREATE TABLE statements).
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import phonenumbers

from .observation import Exhibit, View
from .scenario import MembershipEvent, Operation, Post
from .written import WrittenFile

CURRENT_DDL = """
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL, agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
CREATE UNIQUE INDEX jid_raw_string_index ON jid (raw_string);
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT,jid_row_id INTEGER UNIQUE,hidden INTEGER,subject TEXT,created_timestamp INTEGER,display_message_row_id INTEGER,last_message_row_id INTEGER,last_read_message_row_id INTEGER,last_read_receipt_sent_message_row_id INTEGER,last_important_message_row_id INTEGER,archived INTEGER,sort_timestamp INTEGER,mod_tag INTEGER,gen REAL,spam_detection INTEGER,unseen_earliest_message_received_time INTEGER,unseen_message_count INTEGER,unseen_missed_calls_count INTEGER,unseen_row_count INTEGER,plaintext_disabled INTEGER,vcard_ui_dismissed INTEGER,change_number_notified_message_row_id INTEGER,show_group_description INTEGER,ephemeral_expiration INTEGER,last_read_ephemeral_message_row_id INTEGER,ephemeral_setting_timestamp INTEGER, unseen_important_message_count INTEGER NOT NULL DEFAULT 0, ephemeral_disappearing_messages_initiator INTEGER, group_type INTEGER NOT NULL DEFAULT 0);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL, from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER, broadcast INTEGER, recipient_count INTEGER, participant_hash TEXT, origination_flags INTEGER, origin INTEGER, timestamp INTEGER, received_timestamp INTEGER, receipt_server_timestamp INTEGER, message_type INTEGER, text_data TEXT, starred INTEGER, lookup_tables INTEGER, sort_id INTEGER NOT NULL DEFAULT 0 , message_add_on_flags INTEGER, view_mode INTEGER);
CREATE UNIQUE INDEX message_key_index ON message (chat_row_id, from_me, key_id, sender_jid_row_id);
CREATE TABLE message_media (  message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, autotransfer_retry_enabled INTEGER, multicast_id TEXT, media_job_uuid TEXT, transferred INTEGER, transcoded INTEGER, file_path TEXT, file_size INTEGER, suspicious_content INTEGER, trim_from INTEGER, trim_to INTEGER, face_x INTEGER, face_y INTEGER, media_key BLOB, media_key_timestamp INTEGER, width INTEGER, height INTEGER, has_streaming_sidecar INTEGER, gif_attribution INTEGER, thumbnail_height_width_ratio REAL, direct_path TEXT, first_scan_sidecar BLOB, first_scan_length INTEGER, message_url TEXT, mime_type TEXT, file_length INTEGER, media_name TEXT, file_hash TEXT, media_duration INTEGER, page_count INTEGER, enc_file_hash TEXT, partial_media_hash TEXT, partial_media_enc_hash TEXT, is_animated_sticker INTEGER, original_file_hash TEXT, mute_video INTEGER DEFAULT 0, media_caption TEXT);
CREATE TABLE message_forwarded(message_row_id INTEGER PRIMARY KEY, forward_score INTEGER);
CREATE TABLE message_system (message_row_id INTEGER PRIMARY KEY, action_type INTEGER NOT NULL);
CREATE TABLE message_system_chat_participant (message_row_id INTEGER, user_jid_row_id INTEGER);
CREATE TABLE message_system_group (message_row_id INTEGER PRIMARY KEY, is_me_joined INTEGER);
CREATE TABLE message_system_value_change (message_row_id INTEGER PRIMARY KEY, old_data TEXT);
CREATE TABLE message_system_number_change (message_row_id INTEGER PRIMARY KEY, old_jid_row_id INTEGER, new_jid_row_id INTEGER);
CREATE TABLE message_revoked (message_row_id INTEGER PRIMARY KEY, revoked_key_id TEXT NOT NULL, admin_jid_row_id INTEGER, revoke_timestamp INTEGER);
CREATE TABLE group_participant_user (_id INTEGER PRIMARY KEY AUTOINCREMENT, group_jid_row_id INTEGER NOT NULL, user_jid_row_id INTEGER NOT NULL, rank INTEGER, pending INTEGER);
CREATE UNIQUE INDEX group_participant_user_index on group_participant_user (group_jid_row_id, user_jid_row_id);
"""
LEGACY_DDL = """
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL, key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT, timestamp INTEGER, media_url TEXT, media_mime_type TEXT, media_wa_type TEXT, media_size INTEGER, media_name TEXT, media_caption TEXT, media_hash TEXT, media_duration INTEGER, origin INTEGER, latitude REAL, longitude REAL, thumb_image TEXT, remote_resource TEXT, received_timestamp INTEGER, send_timestamp INTEGER, receipt_server_timestamp INTEGER, receipt_device_timestamp INTEGER, read_device_timestamp INTEGER, played_device_timestamp INTEGER, raw_data BLOB, recipient_count INTEGER, participant_hash TEXT, starred INTEGER, quoted_row_id INTEGER, mentioned_jids TEXT, multicast_id TEXT, edit_version INTEGER, media_enc_hash TEXT, payment_transaction_id TEXT, forwarded INTEGER);
CREATE UNIQUE INDEX messages_key_index on messages (key_remote_jid, key_from_me, key_id);
CREATE INDEX media_hash_index on messages (media_hash);
CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE, message_table_id INTEGER, subject TEXT, creation INTEGER, last_read_message_table_id INTEGER, last_read_receipt_sent_message_table_id INTEGER, archived INTEGER, sort_timestamp INTEGER, mod_tag INTEGER, gen REAL, my_messages INTEGER, plaintext_disabled BOOLEAN, last_message_table_id INTEGER, unseen_message_count INTEGER, unseen_missed_calls_count INTEGER, unseen_row_count INTEGER, vcard_ui_dismissed INTEGER);
CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT NULL, jid TEXT NOT NULL, admin INTEGER, pending INTEGER, sent_sender_key INTEGER);
CREATE UNIQUE INDEX group_participants_index on group_participants (gjid, jid);
"""
COMMON_DDL = """
CREATE TABLE props (_id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE, value TEXT);
CREATE TABLE android_metadata (locale TEXT);
"""
WA_DDL = """
CREATE TABLE android_metadata (locale TEXT);
CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL, is_whatsapp_user BOOLEAN NOT NULL, status TEXT, status_timestamp INTEGER, number TEXT, raw_contact_id INTEGER, display_name TEXT, phone_type INTEGER, phone_label TEXT, unseen_msg_count INTEGER, photo_ts INTEGER, thumb_ts INTEGER, photo_id_timestamp INTEGER, given_name TEXT, family_name TEXT, wa_name TEXT, sort_name TEXT, nickname TEXT, company TEXT, title TEXT, status_autodownload_disabled INTEGER, keep_timestamp INTEGER, is_spam_reported INTEGER, is_sidelist_synced BOOLEAN DEFAULT 0, is_business_synced BOOLEAN DEFAULT 0);
CREATE TABLE wa_group_admin_settings (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT UNIQUE, restrict_mode BOOLEAN, announcement_group BOOLEAN, creator_jid TEXT);
"""
# message_type / media_wa_type per how a file is sent (FORMATS.md §2)
MEDIA_TYPE_CODES = {"image": 1, "audio": 2, "document": 9, "sticker": 20}
ACTION_CODES = {"created": 11, "added": 12, "left": 5, "removed": 14, "joined_link": 20, "subject_changed": 1,
                "admin_granted": 15, "admin_revoked": 16}


def ms(when: datetime, salt: int = 0) -> int:
    """Server timestamp in ms; the sub-second part is derived from the message so all phones agree."""
    return int(when.timestamp()) * 1000 + (salt * 137) % 1000


def b64_sha256(sha_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(sha_hex)).decode("ascii")


def _pseudo(seed: str, size: int) -> bytes:
    return hashlib.sha256(seed.encode()).digest()[:size]


class MsgstoreWriter:
    """``missing_media``: posts whose media file is not in the extraction (the DB keeps only
    its hash). ``written`` counts what :meth:`write` put in the database."""

    def __init__(self, op: Operation, exhibit: Exhibit, view: View, media_paths: dict[int, str],
                 seized: datetime, missing_media: frozenset[int] = frozenset()) -> None:
        self.op, self.exhibit, self.view, self.media_paths, self.seized = op, exhibit, view, media_paths, seized
        self.missing_media = missing_media
        self.owner = exhibit.owner
        self.jids: dict[str, int] = {}
        self.written = WrittenFile()

    def _count(self, item: Post | MembershipEvent) -> None:
        if isinstance(item, MembershipEvent):
            self.written.system_line(item.kind)
        elif item.media is None:
            self.written.message()
        else:
            self.written.message("db_hash" if item.seq in self.missing_media else "file")

    def _jid(self, db: sqlite3.Connection, raw: str) -> int:
        if raw not in self.jids:
            user, server = raw.split("@")
            jtype = {"g.us": 1, "broadcast": 5}.get(server, 0)
            cur = db.execute("INSERT INTO jid (user, server, agent, device, type, raw_string) VALUES (?,?,0,0,?,?)",
                             (user, server, jtype, raw))
            self.jids[raw] = int(cur.lastrowid or 0)
        return self.jids[raw]

    def _pjid(self, pid: str | None) -> str:
        return self.op.persons[pid].jid if pid else ""

    def _timeline(self) -> list[tuple[datetime, int, Post | MembershipEvent]]:
        rows: list[tuple[datetime, int, Post | MembershipEvent]] = [(p.time, 1, p) for p in self.view.posts]
        rows += [(e.time, 0, e) for e in self.view.events]
        rows.sort(key=lambda r: (r[0], r[1], r[2].seq))
        return rows

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=DELETE")
        schema = self.exhibit.schema or "current"
        db.executescript(COMMON_DDL)
        db.execute("INSERT INTO android_metadata VALUES ('en_US')")
        db.execute("INSERT INTO props (key, value) VALUES ('user_push_name', ?)", (self.owner.push_name,))
        timeline = self._timeline()
        cutover_index = len(timeline)
        if schema in ("legacy", "transitional"):
            db.executescript(LEGACY_DDL)
            # WhatsApp seeds the legacy table with a placeholder row whose jid is '-1'.
            db.execute("INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, needs_push, timestamp, "
                       "media_wa_type, media_size) VALUES (1, '-1', 0, '-1', -1, 0, 0, -1, -1)")
            if schema == "transitional":
                cutover_index = len(timeline) * 3 // 4
            self._write_legacy(db, timeline[:cutover_index])
        if schema in ("current", "transitional"):
            db.executescript(CURRENT_DDL)
            self._jid(db, "status@broadcast")
            self._jid(db, self.owner.jid)
            self._write_current(db, timeline[cutover_index:] if schema == "transitional" else timeline)
        db.commit()
        db.close()

    # -- helpers shared by both schemas --------------------------------------------------------
    def _subject(self, gid: str) -> str:
        group = self.op.groups[gid]
        spell = group.spells[self.owner.id]
        return group.name_at(min(spell.end or self.seized, self.seized))

    def _media_fields(self, post: Post) -> tuple[str, int, str, bytes, str]:
        media = self.op.files[post.media or ""]
        file_path = self.media_paths[post.seq]
        enc = base64.b64encode(_pseudo("enc" + media.sha256, 32)).decode()
        return file_path, len(media.data), b64_sha256(media.sha256), _pseudo("key" + media.sha256, 32), enc

    def _members_now(self, gid: str) -> list[tuple[str, int]]:
        group = self.op.groups[gid]
        if group.spells[self.owner.id].end is not None:
            return []  # a former member's phone no longer receives participant updates
        out: list[tuple[str, int]] = []
        revoked = {e.person for e in group.events if e.kind == "admin_revoked"}
        for pid in sorted(group.spells):
            if group.spells[pid].end is not None:
                continue
            rank = 2 if pid == group.creator else (1 if pid in group.admins and pid not in revoked else 0)
            out.append((pid, rank))
        return out

    # -- current schema ------------------------------------------------------------------------
    def _write_current(self, db: sqlite3.Connection, timeline: list[tuple[datetime, int, Post | MembershipEvent]]) -> None:
        chats: dict[str, int] = {}
        last: dict[str, tuple[int, int]] = {}
        for gid in self.view.groups:
            group = self.op.groups[gid]
            jid_row = self._jid(db, group.jid)
            cur = db.execute("INSERT INTO chat (jid_row_id, hidden, subject, created_timestamp, archived, "
                             "sort_timestamp) VALUES (?,0,?,?,0,0)", (jid_row, self._subject(gid), ms(group.created)))
            chats[gid] = int(cur.lastrowid or 0)
        for _, _, item in timeline:
            gid = item.group
            if isinstance(item, Post):
                row = self._current_post(db, chats[gid], item)
            else:
                row = self._current_event(db, chats[gid], item)
            self._count(item)
            last[gid] = (row, ms(item.time, item.seq))
        for gid, (row, stamp) in last.items():
            db.execute("UPDATE chat SET last_message_row_id=?, display_message_row_id=?, last_read_message_row_id=?, "
                       "sort_timestamp=? WHERE _id=?", (row, row, row, stamp, chats[gid]))
        for gid in self.view.groups:
            group_row = self._jid(db, self.op.groups[gid].jid)
            for pid, rank in self._members_now(gid):
                db.execute("INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id, rank, pending) "
                           "VALUES (?,?,?,0)", (group_row, self._jid(db, self._pjid(pid)), rank))

    def _insert_message(self, db: sqlite3.Connection, values: dict[str, object]) -> int:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = db.execute(f"INSERT INTO message ({columns}) VALUES ({marks})", tuple(values.values()))  # noqa: S608
        row = int(cur.lastrowid or 0)
        db.execute("UPDATE message SET sort_id=? WHERE _id=?", (row, row))
        return row

    def _current_post(self, db: sqlite3.Connection, chat_row: int, post: Post) -> int:
        from_me = post.sender == self.owner.id
        stamp = ms(post.time, post.seq)
        group = self.op.groups[post.group]
        members = sum(1 for pid in group.spells if group.is_member(pid, post.time))
        row = self._insert_message(db, {
            "chat_row_id": chat_row, "from_me": int(from_me), "key_id": post.key_id,
            "sender_jid_row_id": 0 if from_me else self._jid(db, self._pjid(post.sender)),
            "status": 13 if from_me else 0, "broadcast": 0, "recipient_count": members - 1 if from_me else 0,
            "origination_flags": 1 if post.forwarded else 0, "origin": 0, "timestamp": stamp,
            "received_timestamp": stamp if from_me else stamp + 800 + post.seq % 5000,
            "receipt_server_timestamp": -1,
            "message_type": MEDIA_TYPE_CODES[self.op.files[post.media].kind] if post.media else 0,
            "text_data": post.caption if post.media else post.text, "starred": 0, "lookup_tables": 0,
            "message_add_on_flags": 0,
        })
        if post.media:
            media = self.op.files[post.media]
            file_path, size, file_hash, key, enc = self._media_fields(post)
            db.execute(
                "INSERT INTO message_media (message_row_id, chat_row_id, autotransfer_retry_enabled, transferred, "
                "transcoded, file_path, file_size, suspicious_content, media_key, media_key_timestamp, width, height, "
                "direct_path, message_url, mime_type, file_length, media_name, file_hash, media_duration, enc_file_hash, "
                "media_caption) VALUES (?,?,0,1,0,?,?,0,?,?,?,?,?,?,?,?,?,?,0,?,?)",
                (row, chat_row, file_path, size, key, stamp // 1000, media.width, media.height,
                 f"/v/t62.7118-24/{media.sha256[:16]}.enc", f"https://mmg.whatsapp.net/d/f/{enc[:43]}.enc",
                 media.mime, size, media.name, file_hash, enc, post.caption),
            )
        if post.forwarded:
            db.execute("INSERT INTO message_forwarded VALUES (?,?)", (row, post.forward_score))
        return row

    def _current_event(self, db: sqlite3.Connection, chat_row: int, event: MembershipEvent) -> int:
        actor = event.actor if event.kind not in ("left", "joined_link") else event.person
        from_me = actor == self.owner.id
        key = hashlib.sha1(f"{self.exhibit.id}/{event.seq}".encode()).hexdigest().upper()[:32]  # noqa: S324
        row = self._insert_message(db, {
            "chat_row_id": chat_row, "from_me": int(from_me), "key_id": key,
            "sender_jid_row_id": 0 if from_me or actor is None else self._jid(db, self._pjid(actor)),
            "status": 6, "broadcast": 0, "recipient_count": 0, "origination_flags": 0, "origin": 0,
            "timestamp": ms(event.time, event.seq), "received_timestamp": ms(event.time, event.seq),
            "receipt_server_timestamp": -1, "message_type": 7,
            "text_data": event.new_subject if event.kind in ("created", "subject_changed") else None,
            "starred": 0, "lookup_tables": 0, "message_add_on_flags": 0,
        })
        db.execute("INSERT INTO message_system VALUES (?,?)", (row, ACTION_CODES[event.kind]))
        if event.kind not in ("created", "subject_changed"):
            db.execute("INSERT INTO message_system_chat_participant VALUES (?,?)",
                       (row, self._jid(db, self._pjid(event.person))))
        if event.kind == "subject_changed":
            db.execute("INSERT INTO message_system_value_change VALUES (?,?)", (row, event.old_subject))
        if event.person == self.owner.id and event.kind in ("created", "added", "joined_link"):
            db.execute("INSERT INTO message_system_group VALUES (?,1)", (row,))
        return row

    # -- legacy schema -------------------------------------------------------------------------
    def _write_legacy(self, db: sqlite3.Connection, timeline: list[tuple[datetime, int, Post | MembershipEvent]]) -> None:
        last: dict[str, tuple[int, int]] = {}
        for _, _, item in timeline:
            row = self._legacy_row(db, item)
            self._count(item)
            last[item.group] = (row, ms(item.time, item.seq))
        for gid in self.view.groups:
            group = self.op.groups[gid]
            row, stamp = last.get(gid, (0, ms(group.created)))
            db.execute("INSERT INTO chat_list (key_remote_jid, message_table_id, subject, creation, archived, "
                       "sort_timestamp, last_read_message_table_id) VALUES (?,?,?,?,0,?,?)",
                       (group.jid, row, self._subject(gid), ms(group.created), stamp, row))
            for pid, rank in self._members_now(gid):
                jid = "" if pid == self.owner.id else self._pjid(pid)  # the owner is stored as ''
                db.execute("INSERT INTO group_participants (gjid, jid, admin, pending, sent_sender_key) "
                           "VALUES (?,?,?,0,1)", (group.jid, jid, rank))

    def _legacy_row(self, db: sqlite3.Connection, item: Post | MembershipEvent) -> int:
        group = self.op.groups[item.group]
        stamp = ms(item.time, item.seq)
        if isinstance(item, Post):
            from_me = item.sender == self.owner.id
            values: dict[str, object] = {
                "key_remote_jid": group.jid, "key_from_me": int(from_me), "key_id": item.key_id,
                "status": 13 if from_me else 0, "needs_push": 0, "timestamp": stamp,
                "remote_resource": "" if from_me else self._pjid(item.sender),
                "received_timestamp": stamp if from_me else stamp + 800 + item.seq % 5000,
                "send_timestamp": -1, "receipt_server_timestamp": -1, "receipt_device_timestamp": -1,
                "read_device_timestamp": -1, "played_device_timestamp": -1, "recipient_count": 0,
                "starred": 0, "quoted_row_id": 0, "edit_version": 0, "forwarded": 1 if item.forwarded else 0,
                "origin": 0, "latitude": 0.0, "longitude": 0.0, "media_duration": 0,
            }
            if item.media:
                file_path, size, file_hash, _, enc = self._media_fields(item)
                media = self.op.files[item.media]
                values.update({"media_wa_type": str(MEDIA_TYPE_CODES[media.kind]), "media_mime_type": media.mime,
                               "media_size": size,
                               "media_name": file_path.rsplit("/", 1)[-1], "media_hash": file_hash,
                               "media_enc_hash": enc, "media_caption": item.caption,
                               "media_url": f"https://mmg.whatsapp.net/d/f/{enc[:43]}.enc"})
            else:
                values.update({"media_wa_type": "0", "media_size": 0, "data": item.text})
        else:
            actor = item.actor if item.kind not in ("left", "joined_link") else item.person
            key = hashlib.sha1(f"{self.exhibit.id}/{item.seq}".encode()).hexdigest().upper()[:32]  # noqa: S324
            values = {
                "key_remote_jid": group.jid, "key_from_me": int(actor == self.owner.id), "key_id": key,
                "status": 6, "needs_push": 0, "timestamp": stamp, "media_wa_type": "0",
                "media_size": ACTION_CODES[item.kind],
                "data": item.new_subject if item.kind in ("created", "subject_changed") else None,
                # The member concerned; the actor of someone else's add/remove is not kept here.
                "remote_resource": "" if item.person == self.owner.id else self._pjid(item.person),
                "received_timestamp": stamp, "send_timestamp": -1, "receipt_server_timestamp": -1,
                "receipt_device_timestamp": -1, "recipient_count": 0, "starred": 0, "forwarded": 0,
            }
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = db.execute(f"INSERT INTO messages ({columns}) VALUES ({marks})", tuple(values.values()))  # noqa: S608
        return int(cur.lastrowid or 0)


def write_wa_db(path: Path, op: Operation, exhibit: Exhibit, view: View, subject: Callable[[str], str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=DELETE")
    db.executescript(WA_DDL)
    db.execute("INSERT INTO android_metadata VALUES ('en_US')")
    seen: set[str] = set()
    for gid in view.groups:
        seen.update(op.groups[gid].spells)
    seen.discard(exhibit.owner.id)
    owner_region = exhibit.owner.country
    for raw_contact, pid in enumerate(sorted(seen), start=1):
        person = op.persons[pid]
        name = exhibit.contacts.get(pid)
        if name is None:
            db.execute("INSERT INTO wa_contacts (jid, is_whatsapp_user, wa_name, sort_name, is_spam_reported) "
                       "VALUES (?,1,?,NULL,0)", (person.jid, person.push_name))
            continue
        parsed = phonenumbers.parse(person.phone)
        style = phonenumbers.PhoneNumberFormat.NATIONAL if person.country == owner_region \
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        given, _, family = name.partition(" ")
        db.execute("INSERT INTO wa_contacts (jid, is_whatsapp_user, status, number, raw_contact_id, display_name, "
                   "phone_type, phone_label, given_name, family_name, wa_name, sort_name, is_spam_reported) "
                   "VALUES (?,1,'Hey there! I am using WhatsApp.',?,?,?,2,NULL,?,?,?,?,0)",
                   (person.jid, phonenumbers.format_number(parsed, style), raw_contact, name, given,
                    family or None, person.push_name, name))
    for gid in view.groups:
        group = op.groups[gid]
        db.execute("INSERT INTO wa_contacts (jid, is_whatsapp_user, display_name, is_spam_reported) VALUES (?,1,?,0)",
                   (group.jid, subject(gid)))
        db.execute("INSERT INTO wa_group_admin_settings (jid, restrict_mode, announcement_group, creator_jid) "
                   "VALUES (?,0,0,?)", (group.jid, op.persons[group.creator].jid))
    db.commit()
    db.close()
