"""Chat exports with lone carriage returns, CRLF and stray control bytes (issue 17 item 5):
every message keeps its own header, sender and time; control characters are removed for
matching only, the raw text keeps them, and one warning per file says how many."""

from __future__ import annotations

from pathlib import Path

import pytest

from tantalio.ingest.base import ExhibitInfo
from tantalio.ingest.context import run_parser
from tantalio.ingest.parsers.whatsapp_txt import WhatsAppTxtParser, split_lines
from tantalio.model.records import MessageRecord, RecordBatch

EXPORT = "".join(
    f"1/{day}/24, 9:{minute:02d} - {name}: message {day}-{minute}\n"
    for day in range(13, 18) for minute, name in enumerate(("Ann Lee", "Bo", "+44 7700 900123"))
) + "1/18/24, 9:00 - Bo: two\nlines\n"


def parse(tmp_path: Path, data: bytes) -> RecordBatch:
    root = tmp_path / "exhibit"
    root.mkdir(parents=True, exist_ok=True)
    (root / "WhatsApp Chat with Book club.txt").write_bytes(data)
    return run_parser(WhatsAppTxtParser(), [root], ExhibitInfo("EX-01"), tmp_path / "scratch")


def messages(batch: RecordBatch) -> list[MessageRecord]:
    return [r for r in batch.records if isinstance(r, MessageRecord)]


def test_split_lines() -> None:
    assert split_lines("a\r\nb\rc\nd\x00e\x07\n") == (["a", "b", "c", "de"], ["a", "b", "c", "d\x00e\x07"], 2)
    lines, raw, stray = split_lines("x\ty\n")
    assert lines is raw and stray == 0 and lines == ["x\ty"]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_every_line_ending_gives_the_same_messages(tmp_path: Path, ending: str) -> None:
    reference = [(m.sender, m.time, m.text) for m in messages(parse(tmp_path / "lf", EXPORT.encode()))]
    assert len(reference) == 16
    batch = parse(tmp_path / "x", EXPORT.replace("\n", ending).encode())
    assert [(m.sender, m.time, m.text) for m in messages(batch)] == reference
    assert reference[-1][2] == "two\nlines"
    assert batch.warnings == []


def test_mixed_line_endings(tmp_path: Path) -> None:
    lines = EXPORT.split("\n")
    mixed = "".join(ln + ("\r", "\r\n", "\n")[i % 3] for i, ln in enumerate(lines[:-1]))
    assert len(messages(parse(tmp_path, mixed.encode()))) == 16


def test_nul_and_control_bytes_are_removed_for_matching_and_kept_raw(tmp_path: Path) -> None:
    damaged = EXPORT.replace("1/15/24, 9:01", "\x001/15/24, 9:01").replace("message 16-2", "mess\x00age\x1b 16-2")
    batch = parse(tmp_path, damaged.encode())
    found = messages(batch)
    assert len(found) == 16
    by_text = {m.text: m for m in found}
    assert "message 16-2" in by_text and "\x00" in (by_text["message 16-2"].raw or "")
    assert "\x00" not in "".join(m.text for m in found)
    (warning,) = batch.warnings
    assert "3 NUL or other control character(s)" in warning.message and "raw text keeps them" in warning.message
