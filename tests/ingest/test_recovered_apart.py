"""Deleted rows stay apart from live ones (issue 17 item 4): only the carving that writes them, the
export section that lists them and report/recovered.py (the reports' and web UI's marked sections)
name their table; analysis and every figure read ``message`` and never see them."""

from __future__ import annotations

from pathlib import Path

import tantalio

ALLOWED = {"ingest/deleted_rows.py", "export.py", "store/migrations/0009_damaged_evidence.sql",
           "report/recovered.py"}   # reports and the web read them there, always marked as recovered


def test_only_carving_export_and_the_marked_sections_read_recovered_rows() -> None:
    root = Path(tantalio.__file__).parent
    readers = {p.relative_to(root).as_posix() for p in root.rglob("*")
               if p.suffix in (".py", ".sql", ".j2", ".html") and "recovered_record" in p.read_text(encoding="utf-8")}
    assert readers == ALLOWED
