"""The demo generator's exports parse back to every message and event it wrote.

The generator counts, per chat-bearing file, what it writes (``ground_truth.json`` →
``exhibits[].written``). Each exhibit is run through the real WhatsApp parsers, which find the
files themselves (``detect``); per file the parsed messages, system lines, membership events by
kind and media references by ``seen_as`` must equal those counts, with no parser warning.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from tantalio.demo import DemoConfig, generate
from tantalio.ingest.base import ExhibitInfo, Parser
from tantalio.ingest.context import run_parser
from tantalio.ingest.parsers.whatsapp_android import WhatsAppAndroidParser
from tantalio.ingest.parsers.whatsapp_txt import WhatsAppTxtParser
from tantalio.model.records import MediaRefRecord, MembershipEventRecord, MessageRecord, RecordBatch

PARSERS: tuple[Parser, ...] = (WhatsAppAndroidParser(), WhatsAppTxtParser())


def _parsed(batch: RecordBatch) -> dict[str, dict[str, Any]]:
    """What the parser read back, per source file, in the shape of ``written``."""
    found: dict[str, dict[str, Any]] = defaultdict(lambda: {"kinds": Counter(), "events": Counter(),
                                                            "media": Counter()})
    for record in batch.records:
        path = record.ref.path
        if isinstance(record, MessageRecord):
            found[path]["kinds"][record.kind] += 1
        elif isinstance(record, MembershipEventRecord):
            found[path]["events"][record.event] += 1
        elif isinstance(record, MediaRefRecord):
            found[path]["media"][record.seen_as] += 1
    return dict(found)


def _expected(written: dict[str, Any]) -> dict[str, Any]:
    media = sum(written["media"].values())
    kinds = Counter({"text": written["messages"] - media, "media": media, "system": written["system"]})
    return {"kinds": +kinds, "events": Counter(written["events"]),
            "media": +Counter(written["media"])}


def _roundtrip(case: Path, scratch: Path) -> list[str]:
    """Mismatches between what was written and what was parsed, one line each."""
    truth = json.loads((case / "ground_truth.json").read_text(encoding="utf-8"))
    problems: list[str] = []
    for exhibit in truth["exhibits"]:
        root = case / "evidence" / exhibit["id"]
        info = ExhibitInfo(exhibit["id"], exhibit["timezone"], None, exhibit["owner_phone"])
        parsed: dict[str, dict[str, Any]] = {}
        for parser in PARSERS:
            batch = run_parser(parser, [root], info, scratch / exhibit["id"])
            problems += [f"{exhibit['id']} {w.ref.location()}: warning {w.message}" for w in batch.warnings]
            parsed.update(_parsed(batch))
        written = exhibit["written"]
        assert written, f"{exhibit['id']}: the generator reports no chat file"
        if set(parsed) != set(written):
            problems.append(f"{exhibit['id']}: parsed {sorted(parsed)}, written {sorted(written)}")
        for path in sorted(set(parsed) & set(written)):
            expected = _expected(written[path])
            for aspect in ("kinds", "events", "media"):
                if parsed[path][aspect] != expected[aspect]:
                    problems.append(f"{exhibit['id']} {path}: {aspect} parsed {dict(parsed[path][aspect])}, "
                                    f"written {dict(expected[aspect])}")
    return problems


def test_small_case_parses_back_to_what_was_written(tmp_path: Path) -> None:
    generate(tmp_path / "case", DemoConfig.small())
    assert _roundtrip(tmp_path / "case", tmp_path / "scratch") == []


@pytest.mark.slow
def test_default_case_parses_back_to_what_was_written(tmp_path: Path) -> None:
    generate(tmp_path / "case", DemoConfig())
    assert _roundtrip(tmp_path / "case", tmp_path / "scratch") == []


def test_written_counts_cover_every_export_format(tmp_path: Path) -> None:
    """The small case holds each kind of chat file, so the round trip above tests them all."""
    generate(tmp_path, DemoConfig.small())
    truth = json.loads((tmp_path / "ground_truth.json").read_text(encoding="utf-8"))
    kinds = {(e["kind"], e["schema"]) for e in truth["exhibits"] if e["written"]}
    assert {("android_extraction", "current"), ("android_extraction", "legacy"),
            ("android_extraction", "transitional"), ("android_export", None), ("ios_export", None)} <= kinds
    seen_as = Counter[str]()
    for exhibit in truth["exhibits"]:
        for counts in exhibit["written"].values():
            seen_as.update(counts["media"])
    assert all(seen_as[k] > 0 for k in ("file", "db_hash", "export_attachment", "omitted")), seen_as
