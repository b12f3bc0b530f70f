"""The search index: query parsing, catching up by watermark, media re-indexed after triage,
deleted rows, and `tantalio search`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tantalio.cli import app, main
from tantalio.store import CaseStore
from tantalio.web import search
from tantalio.web.search.query import parse
from tests.web.casefixture import FixtureCase, build_case


@pytest.fixture
def case(tmp_path: Path) -> FixtureCase:
    return build_case(tmp_path)


def test_parse_never_passes_fts_syntax_through() -> None:
    assert parse("buenas noches").match == '"buenas" AND "noches"'
    assert parse('"gate code" noch*').match == '"gate code" AND "noch"*'
    assert parse("garden OR book").match == '("garden" OR "book")'
    assert parse('a"b NEAR( ) ^x:y').match is not None        # odd input is quoted, not interpreted
    assert parse("   ").match is None and parse("!!!").match is None
    phone = parse("07700 900456")
    assert phone.phone_digits == "7700900456" and '"7700900456"*' in (phone.match or "")
    assert parse("ffc9b80f").match == '"ffc9b80f"*'


def test_index_catches_up_and_survives_reanalysis(case: FixtureCase) -> None:
    with CaseStore.open(case.folder) as store:
        assert search.backlog(store.conn).total > 0
        first = search.refresh(store)
        assert first > 0 and search.backlog(store.conn).total == 0
        assert search.refresh(store) == 0                     # nothing new: nothing done
        with store.transaction() as conn:
            obs, src = conn.execute("SELECT chat_obs_id, source_file_id FROM message LIMIT 1").fetchone()
            conn.execute("INSERT INTO message(chat_obs_id, source_file_id, exhibit_id, message_key, location, time, "
                         "time_raw, text, kind) VALUES (?, ?, 'EX-01', 'late', 'line 99', '2023-06-01T00:00:00Z', '', "
                         "'Ünïcödé çafé arrives late', 'text')", (obs, src))
            # `analyze` rewrites derived rows only: the index does not care.
            conn.execute("UPDATE chat_obs SET chat_id = NULL")
        assert search.run(store, "cafe")["counts"]["messages"] == 0    # not indexed yet
        assert search.backlog(store.conn).rows["message"] == 1
        assert search.refresh(store) == 1
        hits = search.run(store, "CAFE unicode")
        assert hits["counts"]["messages"] == 1 and hits["messages"][0]["group"] is None   # chat not resolved now
        assert store.conn.execute("SELECT count(*) FROM search_message").fetchone()[0] == \
            store.conn.execute("SELECT count(*) FROM message").fetchone()[0]


def test_media_reindexed_after_triage_and_deletions_rebuild(case: FixtureCase) -> None:
    with CaseStore.open(case.folder) as store:
        search.refresh(store)
        assert search.run(store, "Zeiss")["counts"]["media"] == 0
        with store.transaction() as conn:
            conn.execute("UPDATE media_item SET exif_make='Zeiss', exif_serial='ZS-778', triaged_at='2024-02-02' "
                         "WHERE sha256=?", (case.media["c"],))
        search.refresh(store)
        assert [m["sha256"] for m in search.run(store, "zeiss")["media"]] == [case.media["c"]]
        assert search.run(store, "ZS-778")["counts"]["media"] == 1
        assert search.run(store, "fictocam")["counts"]["media"] == 1           # others untouched
        store.conn.execute("PRAGMA foreign_keys = OFF")   # no command deletes messages; a hand edit might
        with store.transaction() as conn:
            conn.execute("DELETE FROM message WHERE text LIKE 'hello%'")
        search.refresh(store, check_deletions=True)
        assert search.run(store, "hello")["counts"]["messages"] == 0
        assert search.run(store, "tomatoes")["counts"]["messages"] == 1


def test_search_cli(case: FixtureCase, capsys: pytest.CaptureFixture[str]) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["search", str(case.folder), "buenas noches", "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert result["counts"]["messages"] == 1 and "José" in result["messages"][0]["text"]
    assert result["messages"][0]["sender"] == "P-002"          # the device owner of EX-02
    r = runner.invoke(app, ["search", str(case.folder), "garden", "--group", "G-002"])
    assert r.exit_code == 0 and "0 messages" in r.output
    with pytest.raises(SystemExit) as stop:
        main(["search", str(case.folder), "garden", "--status", "bogus"])
    assert stop.value.code == 2 and "media status" in capsys.readouterr().err


def test_one_hit_per_message_whatever_the_devices_that_recorded_it(case: FixtureCase) -> None:
    """"hello garden club" was recorded by both phones in G-001: one hit listing both copies, as
    the merged conversation shows it; counts and pages count hits, not copies."""
    m = case.messages
    with CaseStore.open(case.folder) as store:
        search.refresh(store)
        result = search.run(store, "hello garden")
        assert result["counts"]["messages"] == len(result["messages"]) == 1
        hit = result["messages"][0]
        assert hit["exhibits"] == ["EX-01", "EX-02"] and hit["group"] == "G-001"
        assert {c["message"] for c in hit["copies"]} == {m["m1"], m["x1"]} and hit["message"] in (m["m1"], m["x1"])
        assert search.run(store, "hello garden", search.Filters(exhibit="EX-02"))["messages"][0]["exhibits"] == [
            "EX-01", "EX-02"]                     # the filter picks the copy; the hit still says who else has it
        every = search.run(store, "garden OR tomatoes OR noches", order="time")
        total = every["counts"]["messages"]
        paged = [h["message"] for n in range(total) for h in search.run(
            store, "garden OR tomatoes OR noches", order="time", limit=1, offset=n)["messages"]]
        assert paged == [h["message"] for h in every["messages"]] and len(set(paged)) == total
        copies = [c["message"] for h in every["messages"] for c in h["copies"]]
        assert len(copies) == len(set(copies)) > total          # no copy is a hit of its own
    r = CliRunner().invoke(app, ["search", str(case.folder), "hello garden", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["messages"][0]["exhibits"] == ["EX-01", "EX-02"]
    r = CliRunner().invoke(app, ["search", str(case.folder), "hello garden"])
    assert "1 messages" in r.output and "EX-01" in r.output and "EX-02" in r.output
