"""WhatsApp .txt parser against third-party fixtures (shared/conformance/chats; see MANIFEST.md).

Deliberate differences from chat-miner's expected output: we keep newlines inside multi-line
messages (chat-miner joins lines with a space), we keep system lines and ``X:.`` artefacts as
records (chat-miner drops them or rewrites them as ``<Disappearing Message>``), and an impossible
12-hour time (``13:37:00 p.m.`` in test_dateformat4) gets no time plus a warning where
chat-miner reads 13:37, and chat-miner turns NBSP inside text into a space (we keep it).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tantalio.ingest.base import ExhibitInfo
from tantalio.ingest.context import run_parser
from tantalio.ingest.parsers.whatsapp_txt import WhatsAppTxtParser
from tantalio.model.records import ChatRecord, MessageRecord, RecordBatch

CHATS = Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance" / "chats"
pytestmark = pytest.mark.skipif(not CHATS.is_dir(), reason="shared/conformance is absent")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> RecordBatch:
    # the WhatsR and chat-miner folders only: the iLEAPP zips are not ours to read here
    roots = [CHATS / "WhatsR", CHATS / "chat-miner"]
    out = RecordBatch()
    for root in roots:
        got = run_parser(WhatsAppTxtParser(), [root], ExhibitInfo("EX-C"), tmp_path_factory.mktemp("s"))
        out.records += got.records
        out.warnings += got.warnings
    return out


def by_file(batch: RecordBatch, name: str) -> list[MessageRecord]:
    return [r for r in batch.records if isinstance(r, MessageRecord) and r.ref.path.endswith(name)]


def test_every_txt_ingests(batch: RecordBatch) -> None:
    txts = {p.name for p in CHATS.rglob("*.txt")}  # includes chat-miner's Signal export: no crash either
    chats = {Path(r.chat_key).name for r in batch.records if isinstance(r, ChatRecord)}
    assert txts <= chats


MINER = CHATS / "chat-miner" / "test" / "whatsapp"


def comparable(msgs: list[MessageRecord]) -> list[tuple[str, str, str]]:
    out = []
    for m in msgs:
        if m.kind in ("system", "system_unknown", "other") or m.sender is None:
            continue
        stamp = m.time.strftime("%Y-%m-%dT%H:%M:%S") if m.time else "?"
        # chat-miner joins lines with a space and turns NBSP into a space; we keep both as written
        out.append((stamp, m.sender.value, m.text.replace("\n", " ").replace("\u00a0", " ")))
    return out


@pytest.mark.parametrize("name", ["test_ddmmyy_24hrs.txt", "test_mmddyy_24hrs.txt", "test_yyyymmdd_24hrs.txt",
                                  "test_mmddyyyy_12hrs.txt", "test_[mmddyy]_24hrs.txt"])
def test_chat_miner_target_json(batch: RecordBatch, name: str) -> None:
    target = json.loads((MINER / "target.json").read_text(encoding="utf-8"))
    expected = sorted((t["timestamp"], t["author"], t["message"]) for t in target)
    assert sorted(comparable(by_file(batch, name))) == expected


@pytest.mark.parametrize("stem", ["test_dateformat1", "test_dateformat2", "test_dateformat3", "test_dateformat4",
                                  "test_dateformat5", "test_dateformat6", "test_unicode"])
def test_chat_miner_target_csv(batch: RecordBatch, stem: str) -> None:
    with open(MINER / f"{stem}_target.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    msgs = by_file(batch, f"{stem}.txt")
    people = [r for r in rows if r["author"] != "System" and r["message"] != "<Disappearing Message>"]
    ours = comparable(msgs)
    assert len(ours) == len(people)
    for row in people:
        stamp = row["timestamp"].replace(" ", "T")
        # impossible 12-hour times: chat-miner invents 13:37, we keep no time ("?")
        assert (stamp, row["author"], row["message"]) in ours or ("?", row["author"], row["message"]) in ours
    assert sum(m.kind == "system" for m in msgs) == sum(r["author"] == "System" for r in rows)


_ANDROID = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{2}, \d{1,2}:\d{2}(?: [AP]M)? - (.*)$")
_IOS = re.compile(r"^\[\d{1,2}[./]\d{1,2}[./]\d{2}, \d{1,2}:\d{2}:\d{2}(?: [AP]M)?\] (.*)$")


@pytest.mark.parametrize("name", sorted(p.name for p in (CHATS / "WhatsR" / "inst").glob("*.txt"))
                         if (CHATS / "WhatsR" / "inst").is_dir() else [])
def test_whatsr_system_lines_all_recovered(batch: RecordBatch, name: str) -> None:
    present = 0
    for line in (CHATS / "WhatsR" / "inst" / name).read_text(encoding="utf-8").splitlines():
        line = line.replace("\ufeff", "").replace("\u200e", "")
        m = _ANDROID.match(line) or _IOS.match(line)
        if m and ": " not in m[1] and not m[1].endswith(":"):
            present += 1
    msgs = by_file(batch, name)
    assert present > 5
    assert sum(m.kind == "system" for m in msgs) == present
    assert not [m for m in msgs if m.kind == "system_unknown"]
