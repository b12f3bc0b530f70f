"""Newer Android message types with their content tables, and what the side tables record
against a message: reactions, edits, deletions for everyone, albums, polls. Synthetic rows in
the real table layouts (columns as in the chat-history-manager dumps and WhatsApp's queries)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tantalio.ingest.parsers.whatsapp_android import WhatsAppAndroidParser
from tantalio.ingest.parsers.whatsapp_android_content import ui_text
from tantalio.model import (
    DeviceAccountRecord,
    MembershipEventRecord,
    MessageRecord,
    MessageUpdateRecord,
    Party,
    RecordBatch,
)
from tests.ingest.parsers import dbfixtures as fx

SIDE_TABLES = """
CREATE TABLE message_ui_elements (_id INTEGER PRIMARY KEY AUTOINCREMENT, message_row_id INTEGER NOT NULL,
  element_type INTEGER, element_content TEXT);
CREATE TABLE message_location (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, latitude REAL,
  longitude REAL, place_name TEXT, place_address TEXT, url TEXT);
CREATE TABLE message_album (message_row_id INTEGER PRIMARY KEY, image_count INTEGER NOT NULL DEFAULT 0,
  video_count INTEGER NOT NULL DEFAULT 0, expected_image_count INTEGER, expected_video_count INTEGER);
CREATE TABLE message_association (_id INTEGER PRIMARY KEY AUTOINCREMENT, child_message_row_id INTEGER NOT NULL,
  parent_message_row_id INTEGER NOT NULL, association_type INTEGER NOT NULL);
CREATE TABLE message_order (message_row_id INTEGER PRIMARY KEY, order_id TEXT, thumbnail BLOB, order_title TEXT,
  item_count INTEGER, status INTEGER, surface INTEGER, message TEXT, seller_jid INTEGER, token TEXT,
  currency_code TEXT, total_amount_1000 INTEGER);
CREATE TABLE message_product (message_row_id INTEGER PRIMARY KEY, business_owner_jid INTEGER, product_id TEXT,
  title TEXT, description TEXT, currency_code TEXT, amount_1000 INTEGER);
CREATE TABLE message_poll_option (_id INTEGER PRIMARY KEY AUTOINCREMENT, message_row_id INTEGER,
  option_sha256 TEXT, option_name TEXT, vote_total INTEGER, option_hash TEXT);
CREATE TABLE message_add_on (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER, from_me INTEGER,
  key_id TEXT, sender_jid_row_id INTEGER, parent_message_row_id INTEGER, timestamp INTEGER, status INTEGER,
  message_add_on_type INTEGER);
CREATE TABLE message_add_on_reaction (message_add_on_row_id INTEGER PRIMARY KEY, reaction TEXT,
  sender_timestamp INTEGER);
CREATE TABLE message_edit_info (message_row_id INTEGER PRIMARY KEY, original_key_id TEXT NOT NULL,
  edited_timestamp INTEGER NOT NULL, sender_timestamp INTEGER NOT NULL);
CREATE TABLE message_revoked (message_row_id INTEGER PRIMARY KEY, revoked_key_id TEXT NOT NULL,
  admin_jid_row_id INTEGER, revoke_timestamp INTEGER);
CREATE TABLE props (_id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE, value TEXT);
"""
T = fx.T0
UI = '{"title":"Delivery update","description":"Parcel 12 is on its way","buttons":[]}'


def build(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "msgstore.db"
    conn = sqlite3.connect(path)
    conn.executescript(fx.CURRENT_SCHEMA + SIDE_TABLES)
    jids = [(1, "447700900101", "s.whatsapp.net"), (2, "447700900102", "s.whatsapp.net"),
            (3, "120363000000000001", "g.us"), (4, "447700900100", "s.whatsapp.net")]
    conn.executemany("INSERT INTO jid (_id, user, server, raw_string) VALUES (?, ?, ?, ? || '@' || ?)",
                     [(i, u, s, u, s) for i, u, s in jids])
    conn.executemany("INSERT INTO chat (_id, jid_row_id, subject) VALUES (?, ?, ?)",
                     [(10, 3, "Garden club"), (11, 1, None)])
    rows = [  # _id, chat, from_me, key, sender, type, text
        (1, -1, 0, "-1", None, 0, None),  # the placeholder every real database starts with
        (2, 10, 0, "K2", 1, 0, "hello all"),
        (3, 10, 0, "K3", 2, 99, None),  # album parent
        (4, 10, 0, "K4", 2, 1, "first photo"),
        (5, 10, 0, "K5", 2, 1, None),
        (6, 10, 1, "K6", 0, 66, "Which day?"),  # poll
        (7, 11, 0, "K7", 0, 85, None),  # interactive
        (8, 11, 1, "K8", 0, 44, None),  # order
        (9, 11, 0, "K9", 0, 23, None),  # product
        (10, 11, 0, "K10", 0, 7, None),  # privacy notice in a one-to-one chat (action 67)
        (11, 10, 0, "K11", 1, 15, None),  # deleted for everyone by an admin
        (12, 11, 0, "K12", 0, 42, None),  # view-once image
        (13, 10, 1, "K13", 0, 7, None),  # the owner was added (is_me_joined)
    ]
    conn.executemany("INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, message_type,"
                     " text_data, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     [(*r, T + r[0] * 1000) for r in rows])
    conn.execute("INSERT INTO message_system VALUES (10, 67)")
    conn.execute("INSERT INTO message_system VALUES (13, 12)")
    conn.execute("INSERT INTO message_system_chat_participant VALUES (13, 4)")
    conn.execute("INSERT INTO message_system_group VALUES (13, 1)")
    conn.execute("INSERT INTO message_album VALUES (3, 2, 0, 2, 0)")
    conn.executemany("INSERT INTO message_association (child_message_row_id, parent_message_row_id,"
                     " association_type) VALUES (?, 3, 2)", [(5,), (4,)])
    conn.executemany("INSERT INTO message_poll_option (message_row_id, option_name, vote_total) VALUES (6, ?, ?)",
                     [("Saturday", 2), ("Sunday", 1)])
    conn.execute("INSERT INTO message_ui_elements (message_row_id, element_type, element_content) VALUES (7, 6, ?)",
                 (UI,))
    conn.execute("INSERT INTO message_location (message_row_id, chat_row_id, latitude, longitude, place_name)"
                 " VALUES (7, 11, 51.5, -0.12, 'Depot')")
    conn.execute("INSERT INTO message_order (message_row_id, order_title, item_count, currency_code,"
                 " total_amount_1000) VALUES (8, 'Seeds', 3, 'GBP', 4500)")
    conn.execute("INSERT INTO message_product (message_row_id, title, description) VALUES (9, 'Trowel', 'Steel')")
    conn.executemany("INSERT INTO message_add_on (_id, chat_row_id, from_me, key_id, sender_jid_row_id,"
                     " parent_message_row_id, timestamp, message_add_on_type) VALUES (?, 10, ?, ?, ?, 2, ?, 56)",
                     [(1, 0, "R1", 2, T + 50_000), (2, 1, "R2", 0, T + 60_000), (3, 0, "R3", 1, T + 70_000)])
    conn.executemany("INSERT INTO message_add_on_reaction VALUES (?, ?, ?)",
                     [(1, "👍", T + 50_000), (2, "🌱", T + 60_000), (3, "", T + 70_000)])
    conn.execute("INSERT INTO message_edit_info VALUES (2, 'K2-OLD', ?, ?)", (T + 80_000, T + 79_000))
    conn.execute("INSERT INTO message_revoked VALUES (11, 'K11-REVOKE', 1, ?)", (T + 90_000,))
    conn.execute("INSERT INTO props (key, value) VALUES ('user_push_name', 'Owner Example')")
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def batch(tmp_path: Path) -> RecordBatch:
    build(tmp_path / "exhibit")
    return fx.run_db_parser(WhatsAppAndroidParser(), tmp_path / "exhibit", tmp_path, "EX-01", "msgstore.db")


def test_types_and_their_content(batch: RecordBatch) -> None:
    msgs = {m.message_key: m for m in fx.of(batch, MessageRecord)}
    assert "message:1" not in msgs and not any(m.chat_key.startswith("chat_row:") for m in msgs.values())
    assert msgs["message:3"].kind == "album" and "album: 2 images, 0 videos" in (msgs["message:3"].raw or "")
    assert msgs["message:6"].kind == "poll" and msgs["message:6"].text == "Which day?"
    assert "poll options: Saturday (2 votes) | Sunday (1 votes)" in (msgs["message:6"].raw or "")
    assert msgs["message:7"].kind == "interactive"
    assert msgs["message:7"].text == "Delivery update\nParcel 12 is on its way"
    assert "location=51.5,-0.12 (Depot)" in (msgs["message:7"].raw or "")
    assert msgs["message:8"].kind == "order" and msgs["message:8"].text == "Seeds"
    assert "order: 3 items, 4.50 GBP" in (msgs["message:8"].raw or "")
    assert msgs["message:9"].kind == "product" and msgs["message:9"].text == "Trowel\nSteel"
    assert "view once" in (msgs["message:12"].raw or "") and msgs["message:12"].kind == "media"
    assert "(chat privacy notice (initial privacy provider)) [C]" in (msgs["message:10"].raw or "")
    assert batch.warnings == []


def test_one_to_one_system_rows_are_no_membership_events(batch: RecordBatch) -> None:
    events = {e.message_key: e for e in fx.of(batch, MembershipEventRecord)}
    assert "message:10" not in events  # action 67 in a one-to-one chat
    assert events["message:13"].event == "added"


def test_updates_recorded_against_their_message(batch: RecordBatch) -> None:
    updates = [(u.message_key, u.update, u.actor, u.detail, u.related_key) for u in fx.of(batch, MessageUpdateRecord)]
    bob, alice = Party("jid", fx.BOB), Party("jid", fx.ALICE)
    assert ("message:2", "reaction", bob, "👍", None) in updates
    assert ("message:2", "reaction", Party.owner(), "🌱", None) in updates
    assert ("message:2", "reaction_removed", alice, None, None) in updates
    assert ("message:2", "edited", alice, "original key K2-OLD", None) in updates
    assert ("message:11", "deleted_for_everyone", alice, "by a group admin; revoke key K11-REVOKE", None) in updates
    assert ("message:4", "album_member", None, None, "message:3") in updates
    assert ("message:5", "album_member", None, None, "message:3") in updates
    edited = next(u for u in fx.of(batch, MessageUpdateRecord) if u.update == "edited")
    assert edited.time is not None and edited.ref.row == "message_edit_info:2"


def test_owner_from_is_me_joined(batch: RecordBatch) -> None:
    (account,) = fx.of(batch, DeviceAccountRecord)
    assert account.account == Party("jid", "447700900100@s.whatsapp.net") and account.ref.row == "message:13"


def test_transitional_without_chat_list_is_silent(tmp_path: Path) -> None:
    db = build(tmp_path / "exhibit")
    conn = sqlite3.connect(db)
    conn.executescript(fx.LEGACY_SCHEMA.replace("CREATE TABLE chat_list", "CREATE TABLE unused_chat_list"))
    conn.commit()
    conn.close()
    batch = fx.run_db_parser(WhatsAppAndroidParser(), tmp_path / "exhibit", tmp_path, "EX-01", "msgstore.db")
    assert batch.warnings == []


def test_ui_text() -> None:
    assert ui_text(UI) == "Delivery update\nParcel 12 is on its way"
    assert ui_text("plain words") == "plain words" and ui_text("[1]") == "[1]"
    assert ui_text(None) is None and ui_text('{"buttons": []}') is None


_EDITABLE = {
    "message_add_on": ("parent_message_row_id", "from_me", "sender_jid_row_id", "timestamp"),
    "message_add_on_reaction": ("reaction", "sender_timestamp", "message_add_on_row_id"),
    "message_edit_info": ("edited_timestamp", "original_key_id", "message_row_id"),
    "message_revoked": ("admin_jid_row_id", "revoke_timestamp", "revoked_key_id"),
    "message_association": ("child_message_row_id", "parent_message_row_id", "association_type"),
    "message_ui_elements": ("element_content", "message_row_id"),
    "message_order": ("order_title", "item_count", "total_amount_1000", "currency_code"),
    "message_poll_option": ("option_name", "vote_total", "message_row_id"),
    "message_location": ("latitude", "place_name"),
    "message": ("message_type", "chat_row_id", "key_id", "timestamp"),
}
_ANY = st.one_of(st.none(), st.integers(-2**63, 2**63 - 1), st.text(max_size=12), st.binary(max_size=8),
                 st.floats(allow_nan=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(sorted(_EDITABLE)), st.integers(0, 12), st.integers(0, 3), _ANY),
                      min_size=1, max_size=8))
def test_fuzz_side_tables_never_crash(tmp_path_factory: pytest.TempPathFactory,
                                      edits: list[tuple[str, int, int, object]]) -> None:
    tmp = tmp_path_factory.mktemp("side")
    db = build(tmp / "exhibit")
    fx.mutate_rows(db, _EDITABLE, edits)
    batch = fx.run_db_parser(WhatsAppAndroidParser(), tmp / "exhibit", tmp, "EX-01", "msgstore.db")
    assert all(w.ref.path == "msgstore.db" for w in batch.warnings)


def test_owner_from_a_legacy_group_they_created(tmp_path: Path) -> None:
    db = fx.build_legacy(tmp_path / "exhibit")
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO messages (key_remote_jid, key_from_me, key_id, status, data, timestamp, media_wa_type,"
                 " media_size, remote_resource) VALUES (?, 1, 'LKEY9', 6, 'Old allotment', ?, '0', 11, '')",
                 (fx.OLD_GROUP, fx.T0 + 500))
    conn.commit()
    conn.close()
    batch = fx.run_db_parser(WhatsAppAndroidParser(), tmp_path / "exhibit", tmp_path, "EX-01", "msgstore.db")
    (account,) = fx.of(batch, DeviceAccountRecord)
    assert account.account == Party("jid", "447700900103@s.whatsapp.net")  # the creator phone in the group id
    assert "from_me" in account.basis or "key_from_me" in account.basis
