"""No byte string may crash the WhatsApp .txt parser: random bytes and mutated exports."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tantalio.ingest.base import ExhibitInfo
from tantalio.ingest.context import run_parser
from tantalio.ingest.parsers.whatsapp_txt import WhatsAppTxtParser
from tantalio.model.records import MessageRecord

VALID = (
    "\ufeff[31/12/2022, 11:40:26] Family: \u200eMessages and calls are end-to-end encrypted.\n"
    "[31/12/2022, 11:40:27] Boris: \u200eBoris created group “Family”\n"
    "[31/12/2022, 11:41:00] ~\u202fPepe: \u200e<attached: 00000001-PHOTO-2022-12-31-11-41-00.jpg>\n"
    "[31/12/2022, 11:42:00 PM] Boris: two\nlines\n"
    "1/29/18, 12:24 - You added Mallory\n"
    "[1/1/2023, 09:00:00] Family: \u200eBoris removed ~\u202fPepe\n"
).encode("utf-8")


def parse_bytes(data: bytes) -> int:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "exhibit"
        root.mkdir()
        (root / "_chat.txt").write_bytes(data)
        batch = run_parser(WhatsAppTxtParser(), [root], ExhibitInfo("EX-F", "Europe/Madrid"), Path(d) / "s",
                           "_chat.txt")
    return len(batch.records) + len(batch.warnings)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    assert parse_bytes(data) >= 1  # at least the chat record


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(st.binary(min_size=1, max_size=6) | st.sampled_from(
            [b"\n", b"[", b"]", b": ", b" - ", b"\xe2\x80\x8e", b"\xef\xbb\xbf", b"\xc2\xa0PM", b"99", b"/"]))
        if op == "insert":
            data[pos:pos] = chunk
        elif op == "delete":
            del data[pos:pos + len(chunk)]
        else:
            data[pos:pos + len(chunk)] = chunk
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_exports(data: bytes) -> None:
    assert parse_bytes(data) >= 1


def test_valid_seed_parses_cleanly() -> None:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "exhibit"
        root.mkdir()
        (root / "_chat.txt").write_bytes(VALID)
        batch = run_parser(WhatsAppTxtParser(), [root], ExhibitInfo("EX-F"), Path(d) / "s")
    # the 12-hour and Android lines are foreign to the file's iOS 24-hour shape: kept inside messages
    assert sum(isinstance(r, MessageRecord) for r in batch.records) == 4
