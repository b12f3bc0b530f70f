from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tantalio.errors import CaseExists, CaseNotFound, StoreError, UserError
from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.store import CaseStore
from tantalio.store import sqlite as store_sqlite
from tantalio.verify import verify_case

from ..ingest.lines_parser import registry
from ..ingest.test_pipeline import make_exhibit

DESIGN_TABLES = {
    "exhibit", "source_file", "identifier", "person", "chat", "membership_event", "message", "media_item",
    "media_instance", "hash_list", "hash_entry", "match", "warning", "audit_event",
}


def test_schema_covers_the_data_model(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "c", "Op", "Europe/Madrid")
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert DESIGN_TABLES <= tables
    assert store.meta("timezone") == "Europe/Madrid" and store.meta("name") == "Op"
    assert store.schema_version() == store_sqlite.migrations()[-1].version


def test_create_twice_and_open_missing(tmp_path: Path) -> None:
    CaseStore.create(tmp_path / "c").close()
    with pytest.raises(CaseExists):
        CaseStore.create(tmp_path / "c")
    with pytest.raises(CaseNotFound):
        CaseStore.open(tmp_path / "nothing")
    with pytest.raises(UserError):
        CaseStore.create(tmp_path / "d", timezone="Mars/Olympus")


def test_later_version_migrates_an_older_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    CaseStore.create(tmp_path / "c").close()
    shipped = store_sqlite.migrations()
    extra = store_sqlite.Migration(shipped[-1].version + 1, "add_note", "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);")
    monkeypatch.setattr(store_sqlite, "migrations", lambda: [*shipped, extra])
    store = CaseStore.open(tmp_path / "c")
    assert store.schema_version() == extra.version
    store.conn.execute("INSERT INTO note(body) VALUES ('x')")
    names = [r[0] for r in store.conn.execute("SELECT name FROM schema_migrations ORDER BY version")]
    assert names[-1] == "add_note"
    store.close()
    monkeypatch.setattr(store_sqlite, "migrations", lambda: shipped)
    with pytest.raises(StoreError, match="newer"):
        CaseStore.open(tmp_path / "c")


def _ingested_case(tmp_path: Path) -> tuple[Path, Path]:
    ev = make_exhibit(tmp_path / "ev")
    store = CaseStore.create(tmp_path / "case")
    ingest(store, [ev], IngestOptions("EX-01"), registry=registry())
    store.audit("note", {"text": "analyst looked at it"})
    store.close()
    return tmp_path / "case", ev


def _verify(case: Path) -> list[str]:
    with CaseStore.open(case) as store:
        return verify_case(store).problems


def test_verify_intact_case(tmp_path: Path) -> None:
    case, _ = _ingested_case(tmp_path)
    assert _verify(case) == []


def test_verify_detects_edited_audit_row(tmp_path: Path) -> None:
    case, _ = _ingested_case(tmp_path)
    conn = sqlite3.connect(case / "case.sqlite")
    conn.execute("UPDATE audit_event SET actor='someone else' WHERE seq=2")
    conn.commit()
    problems = _verify(case)
    assert problems and "audit row 2" in problems[0]


def test_verify_detects_deleted_audit_rows(tmp_path: Path) -> None:
    case, _ = _ingested_case(tmp_path)
    conn = sqlite3.connect(case / "case.sqlite")
    conn.execute("DELETE FROM audit_event WHERE seq=2")
    conn.commit()
    assert "audit row 2" in _verify(case)[0]
    conn.execute("DELETE FROM audit_event WHERE seq=3")  # the last one
    conn.commit()
    assert _verify(case)


def test_verify_detects_deleted_last_row(tmp_path: Path) -> None:
    case, _ = _ingested_case(tmp_path)
    conn = sqlite3.connect(case / "case.sqlite")
    conn.execute("DELETE FROM audit_event WHERE seq=(SELECT max(seq) FROM audit_event)")
    conn.commit()
    assert "removed from the end" in _verify(case)[0]


def test_verify_detects_changed_evidence(tmp_path: Path) -> None:
    case, ev = _ingested_case(tmp_path)
    (ev / "group1.chat").write_text("tampered\n", encoding="utf-8")
    problems = _verify(case)
    assert len(problems) == 1 and "group1.chat" in problems[0] and "altered" in problems[0]


def test_verify_tolerates_evidence_no_longer_present(tmp_path: Path) -> None:
    case, ev = _ingested_case(tmp_path)
    (ev / "group1.chat").unlink()
    with CaseStore.open(case) as store:
        result = verify_case(store)
    assert result.problems == [] and result.files_missing == 1
