"""WhatsApp for Android msgstore.db / wa.db parser, on synthetic databases with the real schemas."""

from __future__ import annotations

import os
import sqlite3
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tantalio.ingest.base import EvidenceFile
from tantalio.ingest.parsers.jids import bare_jid, legacy_group_origin, phone_digits
from tantalio.ingest.parsers.whatsapp_android import WhatsAppAndroidParser
from tantalio.model import (
    AliasRecord,
    ChatRecord,
    MediaRefRecord,
    MemberRecord,
    MembershipEventRecord,
    MessageRecord,
    Party,
    RecordBatch,
)

from . import dbfixtures as fx

DB_DIR = "data/data/com.whatsapp/databases"


def run(root: Path, tmp: Path, path: str | None = None) -> RecordBatch:
    return fx.run_db_parser(WhatsAppAndroidParser(), root, tmp, "EX-01", path)


of = fx.of


@pytest.fixture
def phone(tmp_path: Path) -> Path:
    """An extraction: msgstore.db (+ -wal) and wa.db, media under sdcard/WhatsApp, and a decoy
    copy of the same relative path elsewhere."""
    root = tmp_path / "exhibit"
    fx.build_current(root / DB_DIR)
    fx.build_wa(root / DB_DIR)
    for base in ("sdcard/WhatsApp", "backup/old/WhatsApp"):
        media = root / base / fx.IMAGE_REL
        media.parent.mkdir(parents=True)
        media.write_bytes(fx.IMAGE_BYTES)
    return root


@pytest.fixture
def current(phone: Path, tmp_path: Path) -> RecordBatch:
    return run(phone, tmp_path)


def messages_by_key(batch: RecordBatch) -> dict[str, MessageRecord]:
    return {m.key_id: m for m in of(batch, MessageRecord)}


def test_jid_helpers() -> None:
    assert phone_digits("447700900101@s.whatsapp.net") == "447700900101"
    assert phone_digits("447700900101.0:3@s.whatsapp.net") == "447700900101"
    assert phone_digits(fx.GROUP) is None and phone_digits(fx.CAROL_LID) is None
    assert bare_jid("447700900101:7@s.whatsapp.net") == "447700900101@s.whatsapp.net"
    assert legacy_group_origin(fx.OLD_GROUP) == (
        "447700900103@s.whatsapp.net", datetime(2016, 4, 29, 21, 15, 8, tzinfo=UTC))
    assert legacy_group_origin(fx.GROUP) is None


def test_detect(tmp_path: Path) -> None:
    parser = WhatsAppAndroidParser()
    magic = b"SQLite format 3\x00" + bytes(48)
    assert parser.detect(EvidenceFile(f"{DB_DIR}/msgstore.db", 100, "0" * 64, magic), None)  # type: ignore[arg-type]
    assert not parser.detect(EvidenceFile("msgstore.db.crypt14", 100, "0" * 64, bytes(64)), None)  # type: ignore[arg-type]
    assert not parser.detect(EvidenceFile("msgstore.db", 100, "0" * 64, b"\x00" * 64), None)  # type: ignore[arg-type]
    assert not parser.detect(EvidenceFile("wa.db", 100, "0" * 64, magic), None)  # type: ignore[arg-type]


def test_current_schema_messages(current: RecordBatch) -> None:
    by_key = messages_by_key(current)
    assert by_key["KEY0001"].sender == Party("jid", fx.ALICE) and not by_key["KEY0001"].from_me
    assert by_key["KEY0002"].sender == Party.owner() and by_key["KEY0002"].from_me
    assert by_key["KEY0001"].time == datetime.fromtimestamp((fx.T0 + 1000) / 1000, UTC)
    assert by_key["KEY0003"].sender == Party("jid", fx.CAROL)  # @lid resolved through jid_map
    assert by_key["KEY0008"].forwarded is True and by_key["KEY0003"].forwarded is False
    assert by_key["KEY0009"].forwarded is True and by_key["KEY0009"].forward_score == 5
    assert by_key["KEY0010"].kind == "other" and "message_type=123" in (by_key["KEY0010"].raw or "")
    assert by_key["KEY0011"].time is None  # bad timestamp: warned, row still kept
    assert by_key["WALKEY"].text == "written after the last checkpoint"  # only in the -wal file
    assert all(m.ref.row == m.message_key and m.ref.row.startswith("message:") for m in of(current, MessageRecord))
    system = [m for m in of(current, MessageRecord) if m.kind == "system"]
    assert len(system) == len(fx.ACTION_CODES)


def test_current_schema_chats_members_aliases(current: RecordBatch) -> None:
    chats = {c.chat_key: c for c in of(current, ChatRecord)}
    assert chats[fx.GROUP].name == "Garden club" and chats[fx.GROUP].is_group
    assert chats[fx.GROUP].creator == Party("jid", fx.ALICE)  # wa_group_admin_settings
    assert chats[fx.OLD_GROUP].creator == Party("jid", "447700900103@s.whatsapp.net")
    assert chats[fx.OLD_GROUP].created_at == datetime(2016, 4, 29, 21, 15, 8, tzinfo=UTC)
    assert not chats[fx.ALICE].is_group
    members = {(m.member.value, m.rank) for m in of(current, MemberRecord)}
    assert members == {(fx.ALICE, "creator"), (fx.BOB, "admin"), (fx.CAROL, "member")}
    aliases = {(a.identifier.value, a.alias, a.name_kind) for a in of(current, AliasRecord)}
    assert (fx.ALICE, "Alice Book", "address_book") in aliases
    assert (fx.BOB, "Bob Sample", "address_book") in aliases  # from given + family name
    assert (fx.BOB, "Bobby", "push_name") in aliases
    assert not any(a[0] == fx.GROUP for a in aliases)
    assert all(a.ref.path.endswith("wa.db") for a in of(current, AliasRecord))


def test_current_schema_media(current: RecordBatch) -> None:
    media = {m.message_key: m for m in of(current, MediaRefRecord)}
    present = media["message:4"]
    assert present.seen_as == "file" and present.sha256 == fx.IMAGE_SHA
    assert present.path == f"sdcard/WhatsApp/{fx.IMAGE_REL}"  # preferred root over the decoy
    assert present.mime == "image/jpeg" and present.size == 41 and present.file_name == "IMG-20231114-WA0001.jpg"
    assert present.caption == "a caption"
    assert media["message:5"].seen_as == "db_hash" and media["message:5"].sha256 == fx.GONE_SHA
    assert media["message:6"].seen_as == "omitted" and media["message:6"].file_name == "clip.mp4"
    assert media["message:7"].sha256 is None and media["message:7"].seen_as == "omitted"


def test_current_schema_warnings_name_rows(current: RecordBatch) -> None:
    rows = sorted(w.ref.row or "" for w in current.warnings)
    assert rows == ["message:11", "message:7"], current.warnings
    assert all(w.ref.path == f"{DB_DIR}/msgstore.db" for w in current.warnings)


def test_every_action_code(current: RecordBatch) -> None:
    events = of(current, MembershipEventRecord)
    code_of = {m.message_key: int((m.raw or "").rsplit("action_type=", 1)[1].split(" ")[0])
               for m in of(current, MessageRecord) if m.kind == "system"}
    by_code: dict[int, list[MembershipEventRecord]] = {}
    for e in events:
        by_code.setdefault(code_of[e.message_key or ""], []).append(e)
    assert set(by_code) == set(fx.ACTION_CODES)
    expected = {1: "subject_changed", 4: "added", 5: "left", 6: "icon_changed", 7: "removed",
                10: "number_changed", 11: "created", 12: "added", 13: "left", 14: "removed",
                15: "admin_granted", 16: "admin_revoked", 18: "security_code_changed", 19: "encrypted_notice",
                20: "joined_link", 21: "invite_link_reset", 27: "description_changed", 28: "number_changed",
                52: "joined_invite", 57: "security_code_changed", 79: "joined_community", 999: "other"}
    assert {c: {e.event for e in es} for c, es in by_code.items()} == {c: {k} for c, k in expected.items()}
    added = by_code[12]
    assert {e.person for e in added} == {Party("jid", fx.DAVE), Party("jid", fx.CAROL)}  # one per participant
    assert all(e.by == Party.owner() for e in added)
    assert {e.by for e in by_code[4]} == {Party("jid", fx.ALICE)}
    assert by_code[5][0].person == by_code[5][0].by == Party("jid", fx.ERIN)
    assert by_code[10][0].person == Party("jid", fx.BOB) and by_code[10][0].detail == f"{fx.BOB} -> {fx.DAVE}"
    assert by_code[1][0].detail == "Garden club -> Garden club (new)"
    assert by_code[11][0].person == Party("jid", fx.ALICE) and by_code[11][0].detail == "Garden club"
    assert by_code[999][0].detail == "action_type=999"
    assert all(e.time is not None and e.chat_key == fx.GROUP for e in events)


def test_legacy_schema(tmp_path: Path) -> None:
    root = tmp_path / "exhibit"
    fx.build_legacy(root / DB_DIR)
    media = root / "sdcard/WhatsApp/Media/WhatsApp Images/IMG-20160430-WA0001.jpg"
    media.parent.mkdir(parents=True)
    media.write_bytes(fx.IMAGE_BYTES)
    batch = run(root, tmp_path)
    assert batch.warnings == []
    by_key = messages_by_key(batch)
    assert set(by_key) == {f"LKEY{i}" for i in range(1, 9)}  # '-1' placeholder skipped
    assert by_key["LKEY2"].sender == Party.owner() and by_key["LKEY2"].forwarded is True
    assert by_key["LKEY3"].sender == Party("jid", fx.BOB) and by_key["LKEY3"].kind == "media"
    assert by_key["LKEY4"].kind == "system"
    events = {e.message_key: e for e in of(batch, MembershipEventRecord)}
    added = events["messages:5"]  # someone else's add: the actor is not stored in legacy rows
    assert (added.event, added.person, added.by) == ("added", Party("jid", fx.DAVE), None)
    left = events["messages:6"]
    assert (left.event, left.person, left.by) == ("left", Party("jid", fx.ERIN), Party("jid", fx.ERIN))
    renamed = events["messages:7"]
    assert (renamed.event, renamed.person, renamed.by) == ("subject_changed", None, Party("jid", fx.ALICE))
    assert renamed.detail == "Renamed allotment"
    removed = events["messages:8"]
    assert (removed.event, removed.person, removed.by) == ("removed", Party("jid", fx.BOB), Party.owner())
    assert events["messages:9"].person == Party.owner() and events["messages:9"].event == "added"
    assert by_key["LKEY4"].sender is None and by_key["LKEY7"].sender == Party.owner()
    (ref,) = of(batch, MediaRefRecord)
    assert ref.seen_as == "file" and ref.sha256 == fx.IMAGE_SHA and ref.path.endswith("IMG-20160430-WA0001.jpg")
    chats = {c.chat_key: c for c in of(batch, ChatRecord)}
    assert chats[fx.OLD_GROUP].created_at == datetime(2016, 4, 29, 21, 15, 8, tzinfo=UTC)
    members = {(m.member, m.rank) for m in of(batch, MemberRecord)}
    assert (Party.owner(), "creator") in members and (Party("jid", fx.ALICE), "admin") in members


def test_transitional_schema_reads_both_without_duplicates(tmp_path: Path) -> None:
    root = tmp_path / "exhibit"
    fx.build_transitional(root)
    batch = run(root, tmp_path)
    keys = Counter(m.key_id for m in of(batch, MessageRecord))
    assert keys["LKEY1"] == 1  # in both tables, read once (from the current one)
    assert keys["LKEY2"] == 1 and keys["LKEY8"] == 1  # only in the legacy table
    assert keys["KEY0002"] == 1
    lkey1 = next(m for m in of(batch, MessageRecord) if m.key_id == "LKEY1")
    assert lkey1.message_key == "message:1"
    assert Counter(c.chat_key for c in of(batch, ChatRecord))[fx.OLD_GROUP] == 1


def test_missing_columns_and_tables_are_tolerated(tmp_path: Path) -> None:
    root = tmp_path / "exhibit"
    root.mkdir()
    conn = sqlite3.connect(root / "msgstore.db")
    conn.executescript("""
        CREATE TABLE jid (_id INTEGER PRIMARY KEY, raw_string TEXT);
        CREATE TABLE chat (_id INTEGER PRIMARY KEY, jid_row_id INTEGER);
        CREATE TABLE message (_id INTEGER PRIMARY KEY, chat_row_id INTEGER, text_data TEXT);
        INSERT INTO jid VALUES (1, '447700900101@s.whatsapp.net');
        INSERT INTO chat VALUES (1, 1);
        INSERT INTO message VALUES (1, 1, 'only three columns'), (2, 9, 'orphan');
    """)
    conn.commit()
    conn.close()
    fx.build_wa(root, minimal=True)
    batch = run(root, tmp_path)
    texts = {m.text: m for m in of(batch, MessageRecord)}
    assert texts["only three columns"].time is None and texts["only three columns"].chat_key == fx.ALICE
    assert texts["orphan"].chat_key == "chat_row:9"
    assert [w.ref.row for w in batch.warnings] == ["message:2"]
    assert [(a.alias, a.name_kind) for a in of(batch, AliasRecord)] == [("Alice Book", "address_book")]


@pytest.mark.parametrize("content", [
    b"SQLite format 3\x00" + os.urandom(3000),
    b"not sqlite at all",
])
def test_corrupt_database_is_a_warning(tmp_path: Path, content: bytes) -> None:
    root = tmp_path / "exhibit"
    root.mkdir()
    (root / "msgstore.db").write_bytes(content)
    batch = run(root, tmp_path, path="msgstore.db")
    assert batch.records == [] and len(batch.warnings) == 1
    assert batch.warnings[0].ref.path == "msgstore.db"


def test_truncated_database_keeps_what_it_can(tmp_path: Path) -> None:
    root = tmp_path / "exhibit"
    full = fx.build_current(tmp_path / "full", wal=False)
    root.mkdir()
    data = full.read_bytes()
    (root / "msgstore.db").write_bytes(data[: len(data) * 2 // 3])
    batch = run(root, tmp_path, path="msgstore.db")
    assert batch.warnings  # each unreadable part named, nothing raised


def test_inside_a_zip(tmp_path: Path) -> None:
    build = tmp_path / "build"
    db = fx.build_current(build / DB_DIR)
    box = tmp_path / "phone.zip"
    with zipfile.ZipFile(box, "w") as z:
        for f in (db, Path(str(db) + "-wal")):
            z.write(f, f"{DB_DIR}/{f.name}")
        z.writestr(f"sdcard/WhatsApp/{fx.IMAGE_REL}", fx.IMAGE_BYTES)
    batch = run(box, tmp_path)
    assert "WALKEY" in messages_by_key(batch)
    media = {m.message_key: m for m in of(batch, MediaRefRecord)}
    assert media["message:4"].path == f"sdcard/WhatsApp/{fx.IMAGE_REL}"


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("with_wal", [True, False])
def test_evidence_unchanged(tmp_path: Path, with_wal: bool) -> None:
    root = tmp_path / "exhibit"
    fx.build_current(root / DB_DIR, wal=with_wal)
    fx.build_wa(root / DB_DIR)
    before = _snapshot(root)
    run(root, tmp_path)
    assert _snapshot(root) == before  # same files, bytes and mtimes: no -journal/-wal/-shm created


_VALID: list[bytes] = []


def _valid_db_bytes(tmp: Path) -> bytes:
    if not _VALID:
        _VALID.append(fx.build_current(tmp / "valid", wal=False).read_bytes())
    return _VALID[0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_never_crashes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    valid = _valid_db_bytes(tmp_path_factory.getbasetemp())
    if data.draw(st.booleans()):
        content = b"SQLite format 3\x00" + data.draw(st.binary(max_size=2048))
    else:
        mutated = bytearray(valid)
        for _ in range(data.draw(st.integers(1, 40))):
            mutated[data.draw(st.integers(16, len(mutated) - 1))] = data.draw(st.integers(0, 255))
        content = bytes(mutated[: data.draw(st.integers(100, len(mutated)))])
    root = tmp / "exhibit"
    root.mkdir()
    (root / "msgstore.db").write_bytes(content)
    batch = run(root, tmp, path="msgstore.db")
    assert all(w.ref.path == "msgstore.db" for w in batch.warnings)


_ANY_VALUE = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=True),
                       st.text(max_size=20), st.binary(max_size=20))
_EDITABLE = {
    "message": ("chat_row_id", "from_me", "key_id", "sender_jid_row_id", "timestamp", "message_type", "text_data",
                "origination_flags"),
    "message_media": ("file_path", "file_size", "mime_type", "media_name", "file_hash"),
    "message_system": ("action_type",),
    "jid": ("raw_string", "user", "server"),
    "chat": ("jid_row_id", "subject", "created_timestamp"),
    "messages": ("key_remote_jid", "key_from_me", "status", "data", "timestamp", "media_wa_type", "media_size",
                 "media_hash", "remote_resource", "forwarded"),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(sorted(_EDITABLE)), st.integers(0, 30), st.integers(0, 9),
                                _ANY_VALUE), min_size=1, max_size=8))
def test_bad_values_in_rows_never_crash(tmp_path_factory: pytest.TempPathFactory,
                                        edits: list[tuple[str, int, int, object]]) -> None:
    tmp = tmp_path_factory.mktemp("values")
    db = fx.build_transitional(tmp / "exhibit")
    fx.mutate_rows(db, _EDITABLE, edits)
    batch = run(tmp / "exhibit", tmp, path="msgstore.db")
    assert any(isinstance(r, MessageRecord) for r in batch.records)
