"""Builds small synthetic WhatsApp databases with the real table layouts (trimmed to the
columns the parsers read plus a few they must ignore). Everything here is invented: UK
drama numbers (+44 7700 900xxx), made-up names, a few bytes standing in for media files.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import sqlite3
from pathlib import Path

from tantalio.ingest.base import ExhibitInfo, Parser
from tantalio.ingest.context import run_parser
from tantalio.model import RecordBatch

ALICE = "447700900101@s.whatsapp.net"
BOB = "447700900102@s.whatsapp.net"
CAROL = "447700900104@s.whatsapp.net"
CAROL_LID = "99887766554433@lid"
DAVE = "447700900105@s.whatsapp.net"
ERIN = "447700900106@s.whatsapp.net"
GROUP = "120363000000000001@g.us"
OLD_GROUP = "447700900103-1461964508@g.us"  # legacy id: creator 447700900103, 2016-04-29T21:15:08Z
T0 = 1_700_000_000_000  # ms, 2023-11-14T22:13:20Z

IMAGE_BYTES = b"synthetic image bytes, not a real picture"
IMAGE_SHA = hashlib.sha256(IMAGE_BYTES).hexdigest()
IMAGE_B64 = base64.b64encode(hashlib.sha256(IMAGE_BYTES).digest()).decode()
GONE_BYTES = b"a file that was deleted from the phone"
GONE_SHA = hashlib.sha256(GONE_BYTES).hexdigest()
GONE_B64 = base64.b64encode(hashlib.sha256(GONE_BYTES).digest()).decode()
IMAGE_REL = "Media/WhatsApp Images/IMG-20231114-WA0001.jpg"

# every action_type FORMATS.md §2.2 lists, plus one nobody documents
ACTION_CODES = (1, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 27, 28, 52, 57, 79, 999)

CURRENT_SCHEMA = """
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL,
  agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
CREATE TABLE jid_map (lid_row_id INTEGER PRIMARY KEY NOT NULL, jid_row_id INTEGER NOT NULL,
  sort_id INTEGER NOT NULL DEFAULT 0);
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER UNIQUE, hidden INTEGER,
  subject TEXT, created_timestamp INTEGER, archived INTEGER, sort_timestamp INTEGER);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL,
  from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER,
  broadcast INTEGER, recipient_count INTEGER, participant_hash TEXT, origination_flags INTEGER,
  origin INTEGER, timestamp INTEGER, received_timestamp INTEGER, receipt_server_timestamp INTEGER,
  message_type INTEGER, text_data TEXT, starred INTEGER, lookup_tables INTEGER,
  sort_id INTEGER NOT NULL DEFAULT 0);
CREATE TABLE message_media (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, autotransfer_retry_enabled
  INTEGER, multicast_id TEXT, media_job_uuid TEXT, transferred INTEGER, transcoded INTEGER, file_path TEXT,
  file_size INTEGER, suspicious_content INTEGER, trim_from INTEGER, trim_to INTEGER, face_x INTEGER,
  face_y INTEGER, media_key BLOB, media_key_timestamp INTEGER, width INTEGER, height INTEGER,
  has_streaming_sidecar INTEGER, gif_attribution INTEGER, thumbnail_height_width_ratio REAL,
  direct_path TEXT, first_scan_sidecar BLOB, first_scan_length INTEGER, message_url TEXT, mime_type TEXT,
  file_length INTEGER, media_name TEXT, file_hash TEXT, media_duration INTEGER, page_count INTEGER,
  enc_file_hash TEXT, partial_media_hash TEXT, partial_media_enc_hash TEXT, is_animated_sticker INTEGER,
  original_file_hash TEXT, mute_video INTEGER, media_caption TEXT);
CREATE TABLE message_forwarded (message_row_id INTEGER PRIMARY KEY, forward_score INTEGER);
CREATE TABLE message_system (message_row_id INTEGER PRIMARY KEY, action_type INTEGER NOT NULL);
CREATE TABLE message_system_chat_participant (message_row_id INTEGER, user_jid_row_id INTEGER);
CREATE TABLE message_system_group (message_row_id INTEGER PRIMARY KEY, is_me_joined INTEGER);
CREATE TABLE message_system_value_change (message_row_id INTEGER PRIMARY KEY, old_data TEXT);
CREATE TABLE message_system_number_change (message_row_id INTEGER PRIMARY KEY, old_jid_row_id INTEGER,
  new_jid_row_id INTEGER);
CREATE TABLE group_participant_user (_id INTEGER PRIMARY KEY AUTOINCREMENT, group_jid_row_id INTEGER NOT NULL,
  user_jid_row_id INTEGER NOT NULL, rank INTEGER, pending INTEGER, add_timestamp INTEGER);
"""

LEGACY_SCHEMA = """
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL,
  key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT,
  timestamp INTEGER, media_url TEXT, media_mime_type TEXT, media_wa_type TEXT, media_size INTEGER,
  media_name TEXT, media_caption TEXT, media_hash TEXT, media_duration INTEGER, origin INTEGER,
  latitude REAL, longitude REAL, thumb_image TEXT, remote_resource TEXT, received_timestamp INTEGER,
  send_timestamp INTEGER, receipt_server_timestamp INTEGER, receipt_device_timestamp INTEGER,
  read_device_timestamp INTEGER, played_device_timestamp INTEGER, raw_data BLOB, recipient_count INTEGER,
  participant_hash TEXT, starred INTEGER, quoted_row_id INTEGER, mentioned_jids TEXT,
  multicast_id TEXT, edit_version INTEGER, media_enc_hash TEXT, payment_transaction_id TEXT,
  forwarded INTEGER, preview_type INTEGER, send_count INTEGER);
CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE,
  message_table_id INTEGER, subject TEXT, creation INTEGER, last_read_message_table_id INTEGER);
CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT NULL,
  jid TEXT NOT NULL, admin INTEGER, pending INTEGER, sent_sender_key INTEGER);
"""

WA_SCHEMA = """
CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL, is_whatsapp_user
  BOOLEAN NOT NULL, status TEXT, status_timestamp INTEGER, number TEXT, raw_contact_id INTEGER,
  display_name TEXT, phone_type INTEGER, phone_label TEXT, unseen_msg_count INTEGER, photo_ts INTEGER,
  thumb_ts INTEGER, photo_id_timestamp INTEGER, given_name TEXT, family_name TEXT, wa_name TEXT,
  sort_name TEXT, nickname TEXT, company TEXT, title TEXT, status_autodownload_disabled INTEGER);
CREATE TABLE wa_group_admin_settings (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT UNIQUE,
  restrict_mode BOOLEAN, announcement_group BOOLEAN, creator_jid TEXT);
"""


def _jid_rows(conn: sqlite3.Connection) -> dict[str, int]:
    ids: dict[str, int] = {}
    for raw, jtype in ((ALICE, 0), (BOB, 0), (GROUP, 1), (OLD_GROUP, 1), (CAROL_LID, 0), (CAROL, 0),
                       (DAVE, 0), (ERIN, 0)):
        user, server = raw.split("@")
        cur = conn.execute("INSERT INTO jid (user, server, type, raw_string) VALUES (?, ?, ?, ?)",
                           (user, server, jtype, raw))
        ids[raw] = int(cur.lastrowid or 0)
    conn.execute("INSERT INTO jid_map (lid_row_id, jid_row_id) VALUES (?, ?)", (ids[CAROL_LID], ids[CAROL]))
    return ids


class CurrentDb:
    """Writes the current schema: chats, messages (text, media, forwards), one system row per
    action code, participants. ``message_id`` counts up so tests can name rows."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.ids = _jid_rows(conn)
        conn.execute("INSERT INTO chat (_id, jid_row_id, subject, created_timestamp) VALUES (1, ?, NULL, NULL)",
                     (self.ids[ALICE],))
        conn.execute("INSERT INTO chat (_id, jid_row_id, subject, created_timestamp) VALUES (2, ?, ?, ?)",
                     (self.ids[GROUP], "Garden club", T0))
        conn.execute("INSERT INTO chat (_id, jid_row_id, subject, created_timestamp) VALUES (3, ?, ?, 0)",
                     (self.ids[OLD_GROUP], "Old allotment"))
        for user, rank in ((ALICE, 2), (BOB, 1), (CAROL_LID, 0)):
            conn.execute("INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id, rank, pending)"
                         " VALUES (?, ?, ?, 0)", (self.ids[GROUP], self.ids[user], rank))
        self.next_id = 1

    def message(self, chat: int, text: str | None, *, from_me: int = 0, sender: str | None = None,
                mtype: int = 0, flags: int | None = 0, key: str | None = None, ts: object = None) -> int:
        mid = self.next_id
        self.next_id += 1
        self.conn.execute(
            "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, timestamp, message_type,"
            " text_data, origination_flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (mid, chat, from_me, key or f"KEY{mid:04d}", self.ids[sender] if sender else 0,
             T0 + mid * 1000 if ts is None else ts, mtype, text, flags))
        return mid

    def media(self, mid: int, path: str | None, file_hash: str | None, name: str | None = None) -> None:
        self.conn.execute("INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, mime_type,"
                          " media_name, file_hash, media_caption) VALUES (?, 2, ?, 41, 'image/jpeg', ?, ?, ?)",
                          (mid, path, name, file_hash, "a caption"))

    def system(self, action: int, participants: tuple[str, ...] = (), text: str | None = None,
               from_me: int = 0, sender: str | None = ALICE) -> int:
        mid = self.message(2, text, from_me=from_me, sender=None if from_me else sender, mtype=7)
        self.conn.execute("INSERT INTO message_system VALUES (?, ?)", (mid, action))
        for p in participants:
            self.conn.execute("INSERT INTO message_system_chat_participant VALUES (?, ?)", (mid, self.ids[p]))
        return mid


def fill_current(conn: sqlite3.Connection) -> CurrentDb:
    db = CurrentDb(conn)
    db.message(1, "Hello from Alice")  # 1: 1:1 incoming
    db.message(1, "Hello Alice", from_me=1)  # 2: 1:1 outgoing
    db.message(2, "Hi all, Carol here", sender=CAROL_LID)  # 3: group, sender is an @lid
    db.media(db.message(2, None, sender=BOB, mtype=1), IMAGE_REL, IMAGE_B64)  # 4: file present
    db.media(db.message(2, None, sender=BOB, mtype=1), "Media/WhatsApp Images/IMG-20231114-WA0002.jpg",
             GONE_B64)  # 5: file deleted, hash kept
    db.media(db.message(2, None, sender=BOB, mtype=3), None, None, "clip.mp4")  # 6: nothing left
    db.media(db.message(2, None, sender=BOB, mtype=1), None, "bm90IGEgaGFzaA==")  # 7: bad hash
    db.message(2, "forwarded text", sender=BOB, flags=1)  # 8
    mid = db.message(2, "forwarded many times", sender=BOB, flags=0)  # 9
    conn.execute("INSERT INTO message_forwarded VALUES (?, 5)", (mid,))
    db.message(2, "weird type", sender=BOB, mtype=123)  # 10: unknown message_type
    db.message(2, "bad time", sender=BOB, ts="yesterday")  # 11: unreadable timestamp
    for code in ACTION_CODES:
        if code in (4, 12, 7, 14, 15, 16):
            db.system(code, (DAVE, CAROL_LID), from_me=1 if code == 12 else 0)
        elif code in (5, 13, 20):
            db.system(code, sender=ERIN)
        elif code in (10, 28):
            mid = db.system(code, sender=BOB)
            conn.execute("INSERT INTO message_system_number_change VALUES (?, ?, ?)",
                         (mid, db.ids[BOB], db.ids[DAVE]))
        elif code == 1:
            mid = db.system(code, text="Garden club (new)")
            conn.execute("INSERT INTO message_system_value_change VALUES (?, 'Garden club')", (mid,))
        elif code == 11:
            db.system(code, text="Garden club")
        else:
            db.system(code)
    return db


def _write_wal(path: Path, fill_base, fill_wal) -> None:  # type: ignore[no-untyped-def]
    """Create ``path`` with ``fill_base`` checkpointed into the file and ``fill_wal``'s rows
    left only in ``path-wal``, as on a phone seized while WhatsApp was running."""
    work = path.parent / f".build-{path.name}"
    work.mkdir()
    db = work / path.name
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    result = fill_base(conn)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    fill_wal(conn, result)
    conn.commit()
    shutil.copyfile(db, path)
    shutil.copyfile(str(db) + "-wal", str(path) + "-wal")
    conn.close()
    shutil.rmtree(work)


def _plain(path: Path, script: str, fill) -> object:  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(path)
    conn.executescript(script)
    result = fill(conn)
    conn.commit()
    conn.close()
    return result


def build_current(folder: Path, *, wal: bool = True) -> Path:
    """``folder/msgstore.db`` in the current schema; with ``wal`` one more message (key
    ``WALKEY``) lives only in ``msgstore.db-wal``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "msgstore.db"

    def base(conn: sqlite3.Connection) -> CurrentDb:
        conn.executescript(CURRENT_SCHEMA)
        return fill_current(conn)

    def in_wal(conn: sqlite3.Connection, db: CurrentDb) -> None:
        db.message(2, "written after the last checkpoint", sender=ALICE, key="WALKEY")

    if wal:
        _write_wal(path, base, in_wal)
    else:
        conn = sqlite3.connect(path)
        base(conn)
        conn.commit()
        conn.close()
    return path


def fill_legacy(conn: sqlite3.Connection, *, with_dummy: bool = True) -> None:
    rows: list[tuple[object, ...]] = []
    if with_dummy:
        rows.append(("-1", 0, "-1", 0, None, 0, None, None, None, None, None, None, None))
    rows += [
        (ALICE, 0, "LKEY1", 0, "Old hello from Alice", T0, "0", None, None, None, None, None, 0),
        (OLD_GROUP, 1, "LKEY2", 0, "Old hello group", T0 + 1000, "0", None, None, None, None, None, 1),
        (OLD_GROUP, 0, "LKEY3", 0, None, T0 + 2000, "1", 41, "IMG-20160430-WA0001.jpg", IMAGE_B64, BOB, None, 0),
        # system rows: status 6, action code in media_size, remote_resource = the member concerned
        (OLD_GROUP, 0, "LKEY4", 6, None, T0 + 3000, "0", 12, None, None, DAVE, None, None),  # Dave added
        (OLD_GROUP, 0, "LKEY5", 6, None, T0 + 4000, "0", 5, None, None, ERIN, None, None),  # Erin left
        (OLD_GROUP, 0, "LKEY6", 6, "Renamed allotment", T0 + 5000, "0", 1, None, None, ALICE, None, None),
        (OLD_GROUP, 1, "LKEY7", 6, None, T0 + 6000, "0", 14, None, None, BOB, None, None),  # owner removed Bob
        (OLD_GROUP, 0, "LKEY8", 6, None, T0 + 7000, "0", 12, None, None, "", None, None),  # owner was added
    ]
    conn.executemany(
        "INSERT INTO messages (key_remote_jid, key_from_me, key_id, status, data, timestamp, media_wa_type,"
        " media_size, media_name, media_hash, remote_resource, thumb_image, forwarded)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("INSERT INTO chat_list (key_remote_jid, subject, creation) VALUES (?, NULL, NULL)", (ALICE,))
    conn.execute("INSERT INTO chat_list (key_remote_jid, subject, creation) VALUES (?, 'Old allotment', 0)",
                 (OLD_GROUP,))
    conn.executemany("INSERT INTO group_participants (gjid, jid, admin, pending) VALUES (?, ?, ?, 0)",
                     [(OLD_GROUP, "", 2), (OLD_GROUP, ALICE, 1), (OLD_GROUP, BOB, 0)])


def build_legacy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "msgstore.db"
    _plain(path, LEGACY_SCHEMA, fill_legacy)
    return path


def build_transitional(folder: Path) -> Path:
    """Both schemas; legacy rows LKEY1 duplicates current message 1 (same chat, direction, key)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "msgstore.db"

    def fill(conn: sqlite3.Connection) -> None:
        fill_current(conn)
        conn.execute("UPDATE message SET key_id = 'LKEY1' WHERE _id = 1")
        fill_legacy(conn)

    _plain(path, CURRENT_SCHEMA + LEGACY_SCHEMA, fill)
    return path


def build_wa(folder: Path, *, minimal: bool = False) -> Path:
    """``wa.db``; ``minimal`` keeps only ``jid`` and ``display_name`` (older or odd builds)."""
    path = folder / "wa.db"
    if minimal:
        _plain(path, "CREATE TABLE wa_contacts (jid TEXT, display_name TEXT);",
               lambda c: c.execute("INSERT INTO wa_contacts VALUES (?, 'Alice Book')", (ALICE,)))
        return path

    def fill(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO wa_contacts (jid, is_whatsapp_user, display_name, given_name, family_name, wa_name)"
            " VALUES (?, 1, ?, ?, ?, ?)",
            [(ALICE, "Alice Book", "Alice", "Example", "Ally"), (BOB, None, "Bob", "Sample", "Bobby"),
             (GROUP, "Garden club", None, None, None)])
        conn.execute("INSERT INTO wa_group_admin_settings (jid, creator_jid) VALUES (?, ?)", (GROUP, ALICE))

    _plain(path, WA_SCHEMA, fill)
    return path


# -- iOS ------------------------------------------------------------------------------------------
APPLE_EPOCH = 978_307_200
IOS_T0 = 720_000_000.0  # Core Data seconds: 2023-10-26T08:00:00Z
IOS_MEDIA_REL = "Media/447700900101@s.whatsapp.net/a/b/0a1b2c3d-0000-4000-8000-000000000001.jpg"

IOS_SCHEMA = """
CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZARCHIVED INTEGER,
  ZREMOVED INTEGER, ZSESSIONTYPE INTEGER, ZGROUPINFO INTEGER, ZLASTMESSAGEDATE TIMESTAMP,
  ZCONTACTJID VARCHAR, ZPARTNERNAME VARCHAR);
CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFLAGS INTEGER,
  ZGROUPEVENTTYPE INTEGER, ZISFROMME INTEGER, ZMESSAGESTATUS INTEGER, ZMESSAGETYPE INTEGER, ZSORT INTEGER,
  ZSTARRED INTEGER, ZCHATSESSION INTEGER, ZGROUPMEMBER INTEGER, ZMEDIAITEM INTEGER, ZMESSAGEINFO INTEGER,
  ZPARENTMESSAGE INTEGER, ZMESSAGEDATE TIMESTAMP, ZSENTDATE TIMESTAMP, ZFROMJID VARCHAR, ZPUSHNAME VARCHAR,
  ZSTANZAID VARCHAR, ZTEXT VARCHAR, ZTOJID VARCHAR);
CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFILESIZE INTEGER,
  ZMESSAGE INTEGER, ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZMEDIALOCALPATH VARCHAR, ZMEDIAURL VARCHAR,
  ZTITLE VARCHAR, ZVCARDNAME VARCHAR, ZVCARDSTRING VARCHAR, ZXMPPTHUMBPATH VARCHAR, ZMETADATA BLOB);
CREATE TABLE ZWAGROUPMEMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZISACTIVE INTEGER,
  ZISADMIN INTEGER, ZCHATSESSION INTEGER, ZCONTACTNAME VARCHAR, ZFIRSTNAME VARCHAR, ZMEMBERJID VARCHAR);
CREATE TABLE ZWAGROUPINFO (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZSTATE INTEGER,
  ZCHATSESSION INTEGER, ZCREATIONDATE TIMESTAMP, ZCREATORJID VARCHAR, ZOWNERJID VARCHAR);
CREATE TABLE ZWAPROFILEPUSHNAME (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZJID VARCHAR,
  ZPUSHNAME VARCHAR);
"""
CONTACTS_SCHEMA = """
CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZFULLNAME VARCHAR, ZGIVENNAME VARCHAR, ZIDENTIFIER VARCHAR, ZPHONENUMBER VARCHAR, ZWHATSAPPID VARCHAR);
"""


def _forward_metadata(count: int) -> bytes:
    """A ZMETADATA protobuf holding field 17 (forward count) after an unrelated string field."""
    return b"\x2a\x03abc" + bytes([0x88, 0x01, count])


def fill_ios(conn: sqlite3.Connection) -> None:
    conn.executemany("INSERT INTO ZWACHATSESSION (Z_PK, ZSESSIONTYPE, ZCONTACTJID, ZPARTNERNAME) VALUES (?, ?, ?, ?)",
                     [(1, 1, GROUP, "Garden club"), (2, 0, ALICE, "Alice Book")])
    conn.execute("INSERT INTO ZWAGROUPINFO (Z_PK, ZCHATSESSION, ZCREATIONDATE, ZCREATORJID) VALUES (1, 1, ?, ?)",
                 (IOS_T0, ALICE))
    conn.executemany("INSERT INTO ZWAGROUPMEMBER (Z_PK, ZCHATSESSION, ZMEMBERJID, ZCONTACTNAME, ZISADMIN, ZISACTIVE)"
                     " VALUES (?, 1, ?, ?, ?, ?)",
                     [(1, ALICE, "Alice Book", 1, 1), (2, BOB, None, 0, 1), (3, CAROL_LID, None, 0, 0)])
    conn.execute("INSERT INTO ZWAPROFILEPUSHNAME (Z_PK, ZJID, ZPUSHNAME) VALUES (1, ?, 'Bobby')", (BOB,))
    msgs = [  # Z_PK, session, member, from_me, type, event, text, media item, from, to
        (1, 1, None, 0, 6, 12, None, None, GROUP, None),  # group created
        (2, 1, None, 0, 6, 2, f"{ALICE};{BOB},{CAROL_LID}", None, GROUP, None),  # Alice added Bob, Carol
        (3, 1, 2, 0, 0, 2, "ordinary message with event type 2", None, GROUP, None),
        (4, 1, None, 0, 6, 3, DAVE, None, GROUP, None),  # Dave left
        (5, 1, None, 0, 6, 15, ERIN, None, GROUP, None),  # Erin joined by link
        (6, 1, None, 0, 6, 99, None, None, GROUP, None),  # undocumented event
        (7, 1, 2, 0, 1, 2, None, 1, GROUP, None),  # image, file present
        (8, 1, 2, 0, 1, 2, None, 2, GROUP, None),  # image, file gone, hash kept
        (9, 2, None, 1, 0, 0, "Hello Alice", 3, None, ALICE),  # outgoing, forwarded 3 times
        (10, 2, None, 0, 5, 0, None, 4, ALICE, None),  # location
        (11, 2, None, 0, 0, 0, "bad date", None, ALICE, None),
    ]
    for pk, session, member, me, mtype, event, text, item, frm, to in msgs:
        conn.execute("INSERT INTO ZWAMESSAGE (Z_PK, ZCHATSESSION, ZGROUPMEMBER, ZISFROMME, ZMESSAGETYPE,"
                     " ZGROUPEVENTTYPE, ZTEXT, ZMEDIAITEM, ZFROMJID, ZTOJID, ZMESSAGEDATE, ZSTANZAID)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (pk, session, member, me, mtype, event, text, item, frm, to,
                      "not a date" if pk == 11 else IOS_T0 + pk * 60.5, f"STANZA{pk}"))
    conn.executemany("INSERT INTO ZWAMEDIAITEM (Z_PK, ZMESSAGE, ZFILESIZE, ZMEDIALOCALPATH, ZVCARDNAME,"
                     " ZVCARDSTRING, ZLATITUDE, ZLONGITUDE, ZMETADATA) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(1, 7, 41, IOS_MEDIA_REL, IMAGE_B64, "image/jpeg", 452.0, 603.0, None),
                      (2, 8, 38, "Media/447700900101@s.whatsapp.net/c/d/gone.jpg", GONE_B64, "image/jpeg",
                       525.0, 526.0, None),
                      (3, 9, 0, None, None, None, 0.0, 0.0, _forward_metadata(3)),
                      (4, 10, 0, None, None, None, 51.5007, -0.1246, None)])


def build_ios(folder: Path, *, contacts: bool = True, media: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ChatStorage.sqlite"
    _plain(path, IOS_SCHEMA, fill_ios)
    if contacts:
        _plain(folder / "ContactsV2.sqlite", CONTACTS_SCHEMA, lambda c: c.executemany(
            "INSERT INTO ZWAADDRESSBOOKCONTACT (ZFULLNAME, ZPHONENUMBER, ZWHATSAPPID) VALUES (?, ?, ?)",
            [("Alice Book", "07700 900101", ALICE), ("Nobody Yet", "07700 900199", None), ("No Number", None, None)]))
    if media:
        target = folder / "Message" / IOS_MEDIA_REL
        target.parent.mkdir(parents=True)
        target.write_bytes(IMAGE_BYTES)
    return path


def mutate_rows(db: Path, editable: dict[str, tuple[str, ...]], edits: list[tuple[str, int, int, object]]) -> None:
    """Write fuzzed values into real columns of real rows (table, row offset, column index, value)."""
    conn = sqlite3.connect(db)
    for table, row, col, value in edits:
        column = editable[table][col % len(editable[table])]
        rowid = conn.execute(f"SELECT rowid FROM {table} LIMIT 1 OFFSET ?", (row,)).fetchone()  # noqa: S608
        if rowid:
            try:
                conn.execute(f"UPDATE OR IGNORE {table} SET {column} = ? WHERE rowid = ?", (value, rowid[0]))  # noqa: S608
            except sqlite3.IntegrityError:
                pass  # a value the schema itself refuses (e.g. NULL into an INTEGER PRIMARY KEY) is not a row a phone holds
    conn.commit()
    conn.close()


def run_db_parser(parser: Parser, root: Path, tmp: Path, exhibit: str, path: str | None = None) -> RecordBatch:
    """Run a database parser over an exhibit folder (or one file in it) with a scratch folder in tmp."""
    scratch = tmp / "scratch"
    scratch.mkdir(exist_ok=True)
    return run_parser(parser, [root], ExhibitInfo(exhibit), scratch, path)


def of(batch: RecordBatch, kind: type) -> list:  # type: ignore[type-arg]
    return [r for r in batch.records if isinstance(r, kind)]
