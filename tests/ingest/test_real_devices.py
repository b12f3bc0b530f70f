"""Third-party samples from real app versions (../shared/conformance, skipped when absent):
chat-history-manager's three Android SQL dumps (built into databases here) and 17 Telegram
Desktop exports (2020-2025), and iLEAPP's iOS 15 full-file-system zip. Every one ingests with
counts that match its source and no warning beyond the few each sample earns; the device owner
comes out as one person without ``--owner``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tantalio.ingest.base import ExhibitInfo
from tantalio.ingest.context import run_parser
from tantalio.ingest.parsers.telegram_json import TelegramJsonParser
from tantalio.ingest.parsers.whatsapp_android import WhatsAppAndroidParser
from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.model import (
    DeviceAccountRecord,
    MessageRecord,
    MessageUpdateRecord,
    RecordBatch,
)
from tantalio.network.rebuild import rebuild_network as analyze
from tantalio.store.sqlite import CaseStore

CONFORMANCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "chats"
CHM = CONFORMANCE / "chat-history-manager" / "crates" / "loaders" / "resources" / "test"
IOS15 = (CONFORMANCE / "iLEAPP" / "admin" / "test" / "cases" / "data" / "whatsApp"
         / "testdata.whatsApp.whatsAppMessages.josh_ios15_ffs.zip")
ANDROID_DUMPS = ("whatsapp-android_2023-10", "whatsapp-android_2026-01", "whatsapp-android_2026-05")
TELEGRAM = sorted(p.name for p in CHM.glob("telegram_*")) if CHM.is_dir() else []
OWNER_ID = "user11111111"
OWNER_PHONE = "+998911234567"

needs_chm = pytest.mark.skipif(not CHM.is_dir(), reason="../shared/conformance is not present")

# what each Android sample's rows are, by kind, and the warnings it earns (its file_hash holds
# the placeholder 'meh', which is not a hash)
ANDROID_KINDS = {
    "whatsapp-android_2023-10": {"system": 1, "text": 1, "location": 1, "deleted": 1},
    "whatsapp-android_2026-01": {"interactive": 1},
    "whatsapp-android_2026-05": {"album": 1, "media": 2, "order": 1, "product": 1},
}
ANDROID_WARNINGS = {"whatsapp-android_2026-05": 4}


def _build(dump: str, tmp: Path) -> Path:
    folder = tmp / dump / "databases"
    folder.mkdir(parents=True)
    for name in ("msgstore", "wa"):
        conn = sqlite3.connect(folder / f"{name}.db")
        conn.executescript((CHM / dump / f"{name}.sql").read_text(encoding="utf-8"))
        conn.commit()
        conn.close()
    return tmp / dump


def _count(batch: RecordBatch, kind: type) -> int:
    return sum(isinstance(r, kind) for r in batch.records)


@needs_chm
@pytest.mark.parametrize("dump", ANDROID_DUMPS)
def test_android_dumps_match_their_rows(tmp_path: Path, dump: str) -> None:
    root = _build(dump, tmp_path)
    conn = sqlite3.connect(root / "databases" / "msgstore.db")
    rows = conn.execute("SELECT count(*) FROM message WHERE NOT (chat_row_id = -1 AND key_id = '-1')").fetchone()[0]
    conn.close()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    batch = run_parser(WhatsAppAndroidParser(), [root], ExhibitInfo("EX-01"), scratch, "databases/msgstore.db")
    messages = [r for r in batch.records if isinstance(r, MessageRecord)]
    assert len(messages) == rows
    kinds: dict[str, int] = {}
    for m in messages:
        kinds[m.kind] = kinds.get(m.kind, 0) + 1
    assert kinds == ANDROID_KINDS[dump]
    assert len(batch.warnings) == ANDROID_WARNINGS.get(dump, 0), batch.warnings
    assert all("is not a base64 SHA-256" in w.message for w in batch.warnings)


@needs_chm
def test_android_side_tables_land_on_their_messages(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    new = tmp_path / "new"
    new.mkdir()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    first = run_parser(WhatsAppAndroidParser(), [_build(ANDROID_DUMPS[0], old)], ExhibitInfo("EX-01"), scratch,
                       "databases/msgstore.db")
    updates = {(u.message_key, u.update) for u in first.records if isinstance(u, MessageUpdateRecord)}
    assert updates == {("message:750", "edited"), ("message:7454", "deleted_for_everyone")}
    owner = [r for r in first.records if isinstance(r, DeviceAccountRecord)]
    assert [o.account.value for o in owner] == ["00000@s.whatsapp.net"]  # is_me_joined names the owner
    last = run_parser(WhatsAppAndroidParser(), [_build(ANDROID_DUMPS[2], new)], ExhibitInfo("EX-01"), scratch,
                      "databases/msgstore.db")
    album = {(u.message_key, u.related_key) for u in last.records
             if isinstance(u, MessageUpdateRecord) and u.update == "album_member"}
    assert album == {("message:12115", "message:12114"), ("message:12116", "message:12114")}


def _telegram_messages(doc: dict) -> int:  # type: ignore[type-arg]
    chats = [doc] if isinstance(doc.get("messages"), list) else []
    for section in ("chats", "left_chats"):
        chats += (doc.get(section) or {}).get("list", [])
    return sum(len(c.get("messages", [])) for c in chats)


@needs_chm
@pytest.mark.parametrize("export", TELEGRAM)
def test_telegram_exports_match_their_messages(tmp_path: Path, export: str) -> None:
    doc = json.loads((CHM / export / "result.json").read_bytes())
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    batch = run_parser(TelegramJsonParser(), [CHM / export], ExhibitInfo("EX-01"), scratch, "result.json")
    assert _count(batch, MessageRecord) == _telegram_messages(doc)
    senders = {r.sender.value for r in batch.records if isinstance(r, MessageRecord) and r.from_me and r.sender}
    assert senders <= {OWNER_ID}  # integer ids of old exports and user<id> of new ones are one account
    # the only warnings these samples earn: old exports have no date_unixtime (said once per file)
    # and one deleted account in an invite
    for w in batch.warnings:
        assert "have no date_unixtime" in w.message or "deleted account" in w.message, w
    assert sum("have no date_unixtime" in w.message for w in batch.warnings) <= 1


@needs_chm
def test_telegram_owner_is_one_person_across_versions(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "case")
    ingest(store, [CHM / e for e in TELEGRAM], IngestOptions("EX-01"))
    analyze(store)
    conn = store.conn
    assert conn.execute("SELECT count(*) FROM identifier WHERE kind='telegram_id' AND normalized=?",
                        (OWNER_ID,)).fetchone()[0] == 1
    owner = {r[0] for r in conn.execute(
        "SELECT person_id FROM identifier WHERE (kind='telegram_id' AND normalized=?) OR (kind='phone' AND normalized=?)"
        " OR (kind='owner' AND scope='EX-01')", (OWNER_ID, OWNER_PHONE))}
    assert len(owner) == 1 and None not in owner
    mine = {r[0] for r in conn.execute(
        "SELECT DISTINCT i.person_id FROM message m JOIN identifier i ON i.id = m.sender_identifier_id"
        " WHERE m.from_me = 1")}
    assert mine == owner
    assert conn.execute("SELECT count(*) FROM message WHERE from_me = 1").fetchone()[0] == 39
    created = conn.execute("SELECT count(*) FROM membership_event WHERE event='created'").fetchone()[0]
    assert created == 3  # two create_group, one create_channel
    store.close()


@pytest.mark.skipif(not IOS15.is_file(), reason="../shared/conformance is not present")
def test_ios15_owner_is_one_person(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "case")
    report = ingest(store, [IOS15], IngestOptions("EX-01"))
    assert report.failed == [] and store.warning_count() == 0
    analyze(store)
    conn = store.conn
    owner = {r[0] for r in conn.execute(
        "SELECT person_id FROM identifier WHERE (kind='phone' AND normalized='+19195794674')"
        " OR (kind='owner' AND scope='EX-01')")}
    assert len(owner) == 1 and None not in owner
    label = conn.execute("SELECT label FROM person WHERE id=?", (owner.pop(),)).fetchone()[0]
    from tantalio.export import build_case_document

    doc = build_case_document(store)
    assert doc["exhibits"][0]["owner"] == label
    past = conn.execute("SELECT count(*) FROM group_member WHERE active = 0").fetchone()[0]
    assert past == 4  # the @lid member left all four groups (ZISACTIVE=0): kept as a past member
    store.close()
