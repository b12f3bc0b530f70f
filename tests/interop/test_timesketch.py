"""Timesketch JSONL: every line has message, datetime (ISO 8601) and timestamp_desc; messages
recorded on several phones appear once."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tantalio.cli import main

from ..report.casefixture import INJECTION_TEXT, build_case


def test_timeline_lines(tmp_path: Path) -> None:
    fx = build_case(tmp_path, synthetic=True)
    out = tmp_path / "timeline.jsonl"
    main(["export", str(fx.folder), "--timesketch", str(out)])
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for e in events:
        assert e["message"] and e["timestamp_desc"] and e["synthetic"] == "SYNTHETIC DEMO DATA"
        assert datetime.fromisoformat(e["datetime"]).utcoffset() is not None
        assert e["timestamp"] == int(datetime.fromisoformat(e["datetime"]).timestamp() * 1_000_000)
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)
    kinds = {e["tantalio_kind"] for e in events}
    assert kinds == {"message", "membership", "media_post", "first_sighting", "exif_taken"}
    messages = [e for e in events if e["tantalio_kind"] == "message"]
    assert len(messages) == 7                      # 8 rows, one message recorded on two phones
    both = next(m for m in messages if m["copies"] == 2)
    assert "EX-01" in both["recordings"] and "EX-02" in both["recordings"]
    assert any(INJECTION_TEXT in m["message"] for m in messages)      # evidence text as recorded
    created = [e for e in events if e["timestamp_desc"] == "Group created"]
    assert {e["group"] for e in created} == {"G-001", "G-002"}
