"""WhatsApp for iOS ChatStorage.sqlite parser: a synthetic database, then iLEAPP's real test
image (josh_ios15) checked against iLEAPP's own expected output."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tantalio.ingest.base import BatchSink, EvidenceFile, ExhibitInfo
from tantalio.ingest.context import ExhibitContext, hash_tree, run_parser
from tantalio.ingest.parsers.whatsapp_ios import WhatsAppIOSParser
from tantalio.ingest.parsers.whatsapp_ios_codes import forward_count
from tantalio.ingest.sources import EvidenceTree
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

CONFORMANCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance" / "chats" / "iLEAPP" / "admin" / "test"
ILEAPP_ZIP = CONFORMANCE / "cases/data/whatsApp/testdata.whatsApp.whatsAppMessages.josh_ios15_ffs.zip"
ILEAPP_RESULT = CONFORMANCE / "results/whatsApp/whatsApp.whatsAppMessages.josh_ios15_ffs.20250621193412.json"
APPGROUP = "mobile/Containers/Shared/AppGroup/0A1B2C3D-0000-4000-8000-00000000ABCD"


def run(root: Path, tmp: Path, path: str | None = None) -> RecordBatch:
    return fx.run_db_parser(WhatsAppIOSParser(), root, tmp, "EX-02", path)


of = fx.of


@pytest.fixture
def synthetic(tmp_path: Path) -> RecordBatch:
    root = tmp_path / "exhibit"
    fx.build_ios(root / APPGROUP)
    return run(root, tmp_path)


def test_messages_and_times(synthetic: RecordBatch) -> None:
    msgs = {m.message_key: m for m in of(synthetic, MessageRecord)}
    assert len(msgs) == 11
    first = msgs["ZWAMESSAGE:1"]
    assert first.time == datetime(2001, 1, 1, tzinfo=UTC) + timedelta(seconds=fx.IOS_T0 + 60.5)
    assert first.kind == "system" and first.chat_key == fx.GROUP
    ordinary = msgs["ZWAMESSAGE:3"]
    assert ordinary.kind == "text" and ordinary.sender == Party("jid", fx.BOB)
    assert msgs["ZWAMESSAGE:9"].sender == Party.owner() and msgs["ZWAMESSAGE:9"].forward_score == 3
    assert msgs["ZWAMESSAGE:9"].forwarded is True and msgs["ZWAMESSAGE:9"].key_id == "STANZA9"
    assert msgs["ZWAMESSAGE:10"].kind == "location" and "location=51.5007,-0.1246" in (msgs["ZWAMESSAGE:10"].raw or "")
    assert msgs["ZWAMESSAGE:10"].sender == Party("jid", fx.ALICE)
    assert msgs["ZWAMESSAGE:11"].time is None
    assert [w.ref.row for w in synthetic.warnings] == ["ZWAMESSAGE:11"]


def test_group_events_only_on_event_rows(synthetic: RecordBatch) -> None:
    events = of(synthetic, MembershipEventRecord)
    assert "ZWAMESSAGE:3" not in {e.message_key for e in events}  # type 0 with event type 2: not an event
    by_row: dict[str, list[MembershipEventRecord]] = {}
    for e in events:
        by_row.setdefault(e.message_key or "", []).append(e)
    (created,) = by_row["ZWAMESSAGE:1"]
    assert created.event == "created" and created.person == Party("jid", fx.ALICE)  # ZWAGROUPINFO creator
    added = by_row["ZWAMESSAGE:2"]
    assert {e.person for e in added} == {Party("jid", fx.BOB), Party("lid", fx.CAROL_LID)}
    assert {e.by for e in added} == {Party("jid", fx.ALICE)}
    assert by_row["ZWAMESSAGE:4"][0].event == "left" and by_row["ZWAMESSAGE:4"][0].person == Party("jid", fx.DAVE)
    assert by_row["ZWAMESSAGE:5"][0].event == "joined_link"
    assert by_row["ZWAMESSAGE:6"][0].event == "other" and "ZGROUPEVENTTYPE=99" in (by_row["ZWAMESSAGE:6"][0].detail or "")


def test_chats_members_names(synthetic: RecordBatch) -> None:
    chats = {c.chat_key: c for c in of(synthetic, ChatRecord)}
    assert chats[fx.GROUP].is_group and chats[fx.GROUP].name == "Garden club"
    assert chats[fx.GROUP].creator == Party("jid", fx.ALICE)
    assert chats[fx.GROUP].created_at == datetime(2001, 1, 1, tzinfo=UTC) + timedelta(seconds=fx.IOS_T0)
    assert not chats[fx.ALICE].is_group
    members = {(m.member.value, m.rank, m.active) for m in of(synthetic, MemberRecord)}
    # Carol is inactive: kept as a past member, with the row that says so
    assert members == {(fx.ALICE, "admin", True), (fx.BOB, "member", True), (fx.CAROL_LID, "member", False)}
    aliases = {(a.identifier.kind, a.identifier.value, a.alias, a.name_kind) for a in of(synthetic, AliasRecord)}
    assert ("jid", fx.BOB, "Bobby", "push_name") in aliases
    assert ("jid", fx.ALICE, "Alice Book", "address_book") in aliases
    assert ("phone", "07700 900199", "Nobody Yet", "address_book") in aliases
    assert not any(a[2] == "No Number" for a in aliases)
    assert any(a.ref.path.endswith("ContactsV2.sqlite") for a in of(synthetic, AliasRecord))


def test_media(synthetic: RecordBatch) -> None:
    media = {m.message_key: m for m in of(synthetic, MediaRefRecord)}
    assert set(media) == {"ZWAMESSAGE:7", "ZWAMESSAGE:8"}
    present, gone = media["ZWAMESSAGE:7"], media["ZWAMESSAGE:8"]
    assert present.seen_as == "file" and present.path == f"{APPGROUP}/Message/{fx.IOS_MEDIA_REL}"
    assert present.sha256 == fx.IMAGE_SHA and present.mime == "image/jpeg" and present.size == 41
    assert gone.seen_as == "db_hash" and gone.sha256 == fx.GONE_SHA and gone.path is None


def test_forward_count_decoding() -> None:
    assert forward_count(fx._forward_metadata(7)) == 7
    assert forward_count(b"\x2a\x03abc") is None
    assert forward_count(b"\xff") is None and forward_count(None) is None


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_evidence_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "exhibit"
    fx.build_ios(root / APPGROUP)
    before = _snapshot(root)
    run(root, tmp_path)
    assert _snapshot(root) == before


@pytest.mark.parametrize("content", [b"SQLite format 3\x00" + os.urandom(2000), b"\x00" * 100])
def test_corrupt_database_is_a_warning(tmp_path: Path, content: bytes) -> None:
    root = tmp_path / "exhibit"
    root.mkdir()
    (root / "ChatStorage.sqlite").write_bytes(content)
    batch = run(root, tmp_path, path="ChatStorage.sqlite")
    assert batch.records == [] and len(batch.warnings) == 1


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_never_crashes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    valid = bytearray(fx.build_ios(tmp / "valid", contacts=False, media=False).read_bytes())
    for _ in range(data.draw(st.integers(1, 40))):
        valid[data.draw(st.integers(16, len(valid) - 1))] = data.draw(st.integers(0, 255))
    root = tmp / "exhibit"
    root.mkdir()
    (root / "ChatStorage.sqlite").write_bytes(bytes(valid))
    run(root, tmp, path="ChatStorage.sqlite")


# -- conformance: iLEAPP's josh_ios15 test image ---------------------------------------------------

@pytest.fixture(scope="module")
def josh(tmp_path_factory: pytest.TempPathFactory) -> tuple[RecordBatch, list[list[object]]]:
    if not ILEAPP_ZIP.exists() or not ILEAPP_RESULT.exists():
        pytest.skip("iLEAPP conformance data not present")
    batch = run_parser(WhatsAppIOSParser(), [ILEAPP_ZIP], ExhibitInfo("EX-C"), tmp_path_factory.mktemp("scratch"))
    expected = json.loads(ILEAPP_RESULT.read_text(encoding="utf-8"))["data"]
    return batch, expected


def test_ileapp_josh_ios15_messages_agree(josh: tuple[RecordBatch, list[list[object]]]) -> None:
    batch, expected = josh
    assert batch.warnings == []
    msgs = sorted(of(batch, MessageRecord), key=lambda m: int(m.message_key.split(":")[1]))
    # iLEAPP lists one row per ZWAMESSAGE in Z_PK order, as we do
    assert len(msgs) == len(expected) == 32
    for ours, row in zip(msgs, expected, strict=True):
        stamp, sender_name, from_id, _receiver, to_id, text, attachment = row[:7]
        assert ours.time is not None and int(ours.time.timestamp()) == stamp  # iLEAPP truncates to seconds
        # direction: iLEAPP leaves From ID empty on outgoing rows
        assert ours.from_me == (from_id is None), ours
        if from_id is not None and not ours.kind == "system":
            assert ours.sender == Party("jid", str(from_id))
        if ours.from_me:
            assert to_id == ours.chat_key
        # iLEAPP shows NULL text for event rows, whose ZTEXT is empty anyway
        assert (ours.text or None) == text, ours
        if attachment:
            # iLEAPP renames media "mock_hash_for_<file uuid>.jpg"; the uuid is our file name
            media = next(m for m in of(batch, MediaRefRecord) if m.message_key == ours.message_key)
            assert media.file_name == str(attachment).removeprefix("mock_hash_for_")
            assert media.sha256 is not None and len(media.sha256) == 64 and media.seen_as == "db_hash"
        if row[11] != "":
            # coordinates only on location rows (ZLATITUDE is the image width elsewhere)
            assert ours.kind == "location"
            lat, lon = (float(v) for v in (ours.raw or "").split("location=")[1].split(","))
            assert lat == pytest.approx(float(str(row[11])), abs=1e-6)
            assert lon == pytest.approx(float(str(row[12])), abs=1e-6)
        else:
            assert "location=" not in (ours.raw or "")
        assert sender_name  # names come from other records (chats, aliases), not checked here


def test_ileapp_josh_ios15_groups(josh: tuple[RecordBatch, list[list[object]]]) -> None:
    batch, _ = josh
    chats = {c.chat_key: c for c in of(batch, ChatRecord)}
    assert {c.name for c in chats.values() if c.is_group} == {
        "Our Test Group", "Med Report Review", "Med Report 2", "Working Group"}
    kinds = sorted(e.event for e in of(batch, MembershipEventRecord))
    # (6,12) created x4, (6,2) added x2, (10,2) "now end-to-end encrypted" x5
    assert kinds == ["added"] * 2 + ["created"] * 4 + ["encrypted_notice"] * 5
    hashes = {m.sha256 for m in of(batch, MediaRefRecord)}
    assert hashes == {"89fa55657cdcb4885777c42017754a4a3742fc5884057ff7bc126e861c641909",
                      "34c97cec092b6c28d5c82fbe5e5e67a02d08dae1c436c5eb0b606e004f48bcc7"}


_ANY_VALUE = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=True),
                       st.text(max_size=20), st.binary(max_size=20))
_EDITABLE = {
    "ZWAMESSAGE": ("ZCHATSESSION", "ZGROUPMEMBER", "ZISFROMME", "ZMESSAGEDATE", "ZFROMJID", "ZTEXT",
                   "ZMESSAGETYPE", "ZGROUPEVENTTYPE", "ZMEDIAITEM", "ZSTANZAID"),
    "ZWAMEDIAITEM": ("ZMEDIALOCALPATH", "ZFILESIZE", "ZVCARDNAME", "ZVCARDSTRING", "ZLATITUDE", "ZMETADATA"),
    "ZWACHATSESSION": ("ZCONTACTJID", "ZPARTNERNAME", "ZSESSIONTYPE"),
    "ZWAGROUPMEMBER": ("ZMEMBERJID", "ZCHATSESSION", "ZISACTIVE", "ZCONTACTNAME"),
    "ZWAGROUPINFO": ("ZCHATSESSION", "ZCREATIONDATE", "ZCREATORJID"),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(sorted(_EDITABLE)), st.integers(0, 12), st.integers(0, 9),
                                _ANY_VALUE), min_size=1, max_size=8))
def test_bad_values_in_rows_never_crash(tmp_path_factory: pytest.TempPathFactory,
                                        edits: list[tuple[str, int, int, object]]) -> None:
    tmp = tmp_path_factory.mktemp("values")
    db = fx.build_ios(tmp / "exhibit")
    fx.mutate_rows(db, _EDITABLE, edits)
    batch = run(tmp / "exhibit", tmp, path="ChatStorage.sqlite")
    assert any(isinstance(r, MessageRecord) for r in batch.records)


def test_ileapp_josh_ios15_forward_counts(josh: tuple[RecordBatch, list[list[object]]]) -> None:
    batch, expected = josh
    msgs = sorted(of(batch, MessageRecord), key=lambda m: int(m.message_key.split(":")[1]))
    for ours, row in zip(msgs, expected, strict=True):
        # iLEAPP prints "None" when ZMETADATA exists without field 17, "" when there is none
        assert row[9] in ("", "None") and ours.forward_score is None and ours.forwarded is None


ILEAPP_CONTACTS_ZIP = CONFORMANCE / "cases/data/whatsApp/testdata.whatsApp.whatsAppContacts.josh_ios15_ffs.zip"
ILEAPP_CONTACTS = CONFORMANCE / "results/whatsApp/whatsApp.whatsAppContacts.josh_ios15_ffs.20250621193412.json"


def test_ileapp_josh_ios15_contacts_agree(tmp_path: Path) -> None:
    """ContactsV2.sqlite as read beside a ChatStorage.sqlite, against iLEAPP's contact list."""
    if not ILEAPP_CONTACTS_ZIP.exists() or not ILEAPP_CONTACTS.exists():
        pytest.skip("iLEAPP conformance data not present")
    tree = EvidenceTree([ILEAPP_CONTACTS_ZIP])
    files = hash_tree(tree)
    folder = next(f for f in files if f.name == "ContactsV2.sqlite").parent
    ctx = ExhibitContext(ExhibitInfo("EX-C"), tree, files, tmp_path, WhatsAppIOSParser.NAME)
    sink = BatchSink()
    try:  # the zip holds no ChatStorage.sqlite: stand one in at the same folder
        WhatsAppIOSParser._read_contacts(EvidenceFile(f"{folder}/ChatStorage.sqlite", 0, "0" * 64), ctx, sink)
    finally:
        ctx.close()
    ours = {(a.identifier.value, a.alias) for a in sink.batch.records if isinstance(a, AliasRecord)}
    rows = json.loads(ILEAPP_CONTACTS.read_text(encoding="utf-8"))["data"]
    theirs = {(str(r[5] or r[3]), str(r[0])) for r in rows if r[5] or r[3]}
    assert ours == theirs and sink.batch.warnings == []
