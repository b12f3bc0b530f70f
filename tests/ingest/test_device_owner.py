"""The device owner from the evidence: one person without ``--owner``, a warning naming both
when ``--owner`` disagrees, no automatic merge when the evidence names two numbers, and merges
an analyst undid stay undone. Synthetic databases and numbers from the UK drama range."""

from __future__ import annotations

import json
from pathlib import Path

from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.network.device_owner import OWNER_REASON
from tantalio.network.persons import undo_merge
from tantalio.network.rebuild import rebuild_network as analyze
from tantalio.store.evidence_links import EVIDENCE_ACTOR
from tantalio.store.sqlite import CaseStore
from tests.ingest.parsers import dbfixtures as fx
from tests.ingest.parsers.test_whatsapp_prefs import _prefs

OWNER = "+447700900100"
OTHER = "+447700900107"


def _phone(app: str, root: Path, number: str) -> Path:
    fx.build_current(root / "data" / "data" / app / "databases", wal=False)
    prefs = root / "data" / "data" / app / "shared_prefs"
    prefs.mkdir(parents=True)
    (prefs / f"{app}_preferences_light.xml").write_bytes(_prefs({"registration_jid": number.lstrip("+")}))
    return root


def _owner_persons(store: CaseStore, *phones: str) -> set[int | None]:
    marks = ",".join("?" * len(phones))
    return {r[0] for r in store.conn.execute(
        f"SELECT person_id FROM identifier WHERE (kind='phone' AND normalized IN ({marks}))"  # noqa: S608
        " OR (kind='owner' AND scope='EX-01')", phones)}


def _evidence_merges(store: CaseStore) -> list[tuple[int, str | None]]:
    return store.conn.execute("SELECT id, undone_at FROM person_merge WHERE actor=? AND reason=? ORDER BY id",
                              (EVIDENCE_ACTOR, OWNER_REASON)).fetchall()


def test_one_person_without_owner_option(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "case")
    ingest(store, [_phone("com.whatsapp", tmp_path / "phone", OWNER)], IngestOptions("EX-01"))
    analyze(store)
    assert len(_owner_persons(store, OWNER)) == 1 and None not in _owner_persons(store, OWNER)
    merges = _evidence_merges(store)
    analyze(store)  # a re-run finds the same merges, not new ones
    assert _evidence_merges(store) == merges and len(merges) == 1
    evidence = json.loads(store.conn.execute("SELECT evidence FROM person_merge WHERE id=?",
                                             (merges[0][0],)).fetchone()[0])
    assert evidence["path"].endswith("com.whatsapp_preferences_light.xml") and evidence["app"] == "com.whatsapp"
    # the analyst undoes it: it stays undone through re-analysis
    undo_merge(store, merges[0][0], "checking the SIM records first")
    analyze(store)
    assert len(_owner_persons(store, OWNER)) == 2
    assert [m[0] for m in _evidence_merges(store)] == [merges[0][0]]
    store.close()


def test_owner_option_disagreeing_with_evidence_is_warned(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "case")
    ingest(store, [_phone("com.whatsapp", tmp_path / "phone", OTHER)], IngestOptions("EX-01", owner=OWNER))
    warned = [m for (m,) in store.conn.execute("SELECT message FROM warning")]
    assert any(m.startswith(f"--owner {OWNER} disagrees with the evidence: registration_jid") and OTHER in m
               for m in warned), warned
    analyze(store)
    owner = store.conn.execute("SELECT person_id FROM identifier WHERE kind='phone' AND normalized=?",
                               (OWNER,)).fetchone()[0]
    other = store.conn.execute("SELECT person_id FROM identifier WHERE kind='phone' AND normalized=?",
                               (OTHER,)).fetchone()[0]
    assert owner != other and _evidence_merges(store) == []  # the analyst's number stands; nothing merged
    store.close()


def test_two_numbers_are_not_merged_automatically(tmp_path: Path) -> None:
    root = _phone("com.whatsapp", tmp_path / "phone", OWNER)
    _phone("com.whatsapp.w4b", root, OTHER)
    store = CaseStore.create(tmp_path / "case")
    ingest(store, [root], IngestOptions("EX-01"))
    analyze(store)
    assert _evidence_merges(store) == []
    warned = [m for (m,) in store.conn.execute("SELECT message FROM warning WHERE stage='analyze'")]
    assert any("2 different phones as this device's own account" in m and "com.whatsapp.w4b" in m for m in warned)
    analyze(store)
    assert store.conn.execute("SELECT count(*) FROM warning WHERE message LIKE '%different phones%'").fetchone()[0] == 1
    store.close()


def test_telegram_contact_links(tmp_path: Path) -> None:
    def export(folder: Path, user: int) -> Path:
        folder.mkdir(parents=True)
        (folder / "result.json").write_text(json.dumps({
            "personal_information": {"user_id": 1000, "phone_number": OWNER},
            "contacts": {"list": [{"user_id": user, "first_name": "Alice", "phone_number": "+44 7700 900101"}]},
            "chats": {"list": []}}))
        return folder

    store = CaseStore.create(tmp_path / "case")
    ingest(store, [export(tmp_path / "one", 1001), export(tmp_path / "two", 1002)], IngestOptions("EX-01"))
    links = store.conn.execute("SELECT applied FROM identity_link ORDER BY id").fetchall()
    assert links == [(1,), (0,)]  # the second export ties the phone to another user id: not merged
    warned = [m for (m,) in store.conn.execute("SELECT message FROM warning")]
    assert any("already ties" in m and "user1001" in m for m in warned), warned
    analyze(store)
    alice = {r[0] for r in store.conn.execute(
        "SELECT person_id FROM identifier WHERE normalized IN ('+447700900101', 'user1001')")}
    assert len(alice) == 1
    store.close()
