"""The workspace over real HTTP: tables and CSV, merged conversations, timelines, warnings,
the audit page, retired person labels, and a busy store answered 503."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import time
from typing import Any

import httpx

from tantalio.store import CaseStore
from tantalio.web.data.tables import neutralise
from tests.web.casefixture import HOSTILE_TEXT
from tests.web.conftest import LiveServer, login, serving


def _rows(html: str, table: str) -> list[str]:
    body = html.split(f'id="{table}-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_persons_table_sorts_filters_and_pages(analyst: tuple[httpx.Client, str]) -> None:
    client, _ = analyst
    by_priority = _rows(client.get("/persons").text, "persons")
    assert "P-001" in by_priority[0] and "P-004" in by_priority[-1]      # default: priority, highest first
    by_label = _rows(client.get("/persons", params={"sort": "id", "dir": "desc"}).text, "persons")
    assert "P-004" in by_label[0]
    us = _rows(client.get("/persons", params={"f_countries": "us"}).text, "persons")
    assert len(us) == 2 and all("US" in r for r in us)
    anywhere = _rows(client.get("/persons", params={"q": "cleo"}).text, "persons")
    assert len(anywhere) == 1 and "P-003" in anywhere[0]
    page = client.get("/persons", params={"sort": "id", "limit": 25, "offset": 2}).text
    assert len(_rows(page, "persons")) == 2 and "rows 3–4 of 4" in page


def test_csv_export_is_the_filtered_view_with_neutralised_cells(analyst: tuple[httpx.Client, str]) -> None:
    client, _ = analyst
    r = client.get("/persons.csv", params={"f_countries": "GB", "sort": "id"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["SYNTHETIC DEMO DATA"] and rows[1][0] == "Person"
    assert [row[0] for row in rows[2:]] == ["P-001", "P-002"]
    assert rows[2][2] == "'+447700900123"                       # a leading + would be a formula
    warnings = list(csv.reader(io.StringIO(client.get("/warnings.csv").text)))
    assert any(cell.startswith("'=HYPERLINK") for row in warnings for cell in row)
    assert not any(cell.startswith(("=", "+", "@")) for row in warnings for cell in row)
    media = list(csv.reader(io.StringIO(client.get("/media.csv", params={"f_status": "unknown"}).text)))
    assert len(media) == 2 + 3 and all(row[1] == "unknown" for row in media[2:])


def test_neutralise() -> None:
    for dangerous in ("=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("plain") == "plain" and neutralise(-3) == -3 and neutralise(None) == "" and neutralise(["a", "b"]) == "a, b"


def test_media_evidence_and_warnings_tables(analyst: tuple[httpx.Client, str]) -> None:
    client, _ = analyst
    media = client.get("/media", params={"sort": "posts", "dir": "desc"}).text
    assert len(_rows(media, "media")) == 5
    evidence = client.get("/evidence", params={"f_exhibit": "EX-02"}).text
    assert len(_rows(evidence, "evidence")) == 1 and "Garden club.txt" in evidence
    warnings = client.get("/warnings").text
    assert 'id="warning-summary"' in warnings and "EX-02" in warnings and "2 warnings in 1 files" in warnings
    by_file = client.get("/warnings", params={"f_exhibit": "EX-01", "f_path": "chat.txt"}).text
    assert len(_rows(by_file, "warnings")) == 2
    assert client.get("/api/warnings").json()[0]["exhibit"] == "EX-01"


def test_conversation_is_merged_across_devices(analyst: tuple[httpx.Client, str], server: LiveServer) -> None:
    client, _ = analyst
    talk = client.get("/api/groups/G-001/conversation").json()
    m = server.case.messages
    assert talk["recorded"] == 6 and talk["total"] == 4     # two messages were recorded by both phones
    merged = {tuple(sorted(r["messages"])) for r in talk["rows"]}
    assert tuple(sorted((m["m1"], m["x1"]))) in merged and tuple(sorted((m["m2"], m["x2"]))) in merged
    both = next(r for r in talk["rows"] if m["m2"] in r["messages"])
    assert [c["exhibit"] for c in both["copies"]] == ["EX-01", "EX-02"] and both["sender"] == "P-002"
    page = client.get("/groups/G-001", params={"message": m["x3"]}).text
    assert f'id="m{m["x3"]}"' in page and 'class="focus"' in page
    assert HOSTILE_TEXT not in page
    dated = client.get("/api/groups/G-001/conversation", params={"date": "2023-03-01", "limit": 1}).json()
    assert dated["offset"] == 3 and dated["rows"][0]["text"].startswith("tomatoes")


def test_members_at_a_date(analyst: tuple[httpx.Client, str]) -> None:
    client, _ = analyst
    assert [x["person"] for x in client.get("/api/groups/G-002/members", params={"at": "2023-04-01"}).json()
            ["members"]] == ["P-003", "P-004"]
    assert [x["person"] for x in client.get("/api/groups/G-002/members").json()["members"]] == ["P-003"]
    page = client.get("/groups/G-001", params={"at": "2023-01-15"}).text
    assert "Members on 2023-01-15 (2)" in page


def test_timelines(analyst: tuple[httpx.Client, str]) -> None:
    client, _ = analyst
    case = client.get("/api/timeline").json()
    assert case["period"] == "month" and case["totals"]["messages"] >= 7 and case["totals"]["departures"] == 1
    zoomed = client.get("/api/timeline", params={"from": "2023-02-01", "to": "2023-02-03"}).json()
    assert zoomed["period"] == "hour" and zoomed["totals"]["media_posts"] == 2
    group = client.get("/api/timeline", params={"scope": "group", "label": "G-001"}).json()
    assert group["totals"]["messages"] == 4                      # merged rows, not device copies
    person = client.get("/api/timeline", params={"scope": "person", "label": "P-004"}).json()
    assert person["totals"]["departures"] == 1 and person["events"][-1]["event"] == "left"
    assert client.get("/api/timeline", params={"scope": "group"}).status_code == 422
    page = client.get("/timeline", params={"from": "2023-02-01", "to": "2023-02-28"}).text
    assert 'class="zoom"' in page and 'id="zoom-out"' in page


def test_audit_page_shows_the_chain(admin: tuple[httpx.Client, str]) -> None:
    client, _ = admin
    page = client.get("/admin/audit", params={"f_action": "web.login"}).text
    assert "Hash chain intact" in page and "web.login" in page
    rows = _rows(page, "audit")
    assert rows and all("web.login" in r for r in rows)
    assert client.get("/admin/audit.csv").status_code == 200


def test_retired_label_says_where_it_went(analyst: tuple[httpx.Client, str]) -> None:
    client, _ = analyst
    page = client.get("/persons/P-005")
    assert page.status_code == 404 and "merged into" in page.text and 'href="/persons/P-001"' in page.text
    assert client.get("/persons/P-005/merged").headers["location"] == "/persons/P-001"
    assert client.get("/persons/P-999").status_code == 404
    group = client.get("/groups/G-009")      # a group label retired by a merge says where it went too
    assert group.status_code == 404 and "merged into" in group.text and 'href="/groups/G-001"' in group.text
    assert client.get("/groups/G-404").status_code == 404


def test_error_pages_have_the_navigation_bar(analyst: tuple[httpx.Client, str]) -> None:
    client, _ = analyst
    page = client.get("/groups/G-404")
    assert page.status_code == 404 and "<nav>" in page.text and "SYNTHETIC DEMO DATA" in page.text


def test_busy_store_is_a_503_with_retry_after_and_failed_logins_are_still_audited(server: LiveServer) -> None:
    """Another process holds the write lock longer than the app waits: writes get 503, reads go on."""
    from tantalio.web.app import create_app

    app = create_app(server.case.folder, busy_timeout_s=0.3)
    config = app.state.web
    with serving(app) as url:
        _busy_checks(server, url, config)


def _busy_checks(server: LiveServer, url: str, config: Any) -> None:
    with httpx.Client(base_url=url, follow_redirects=False) as client:
        csrf = login(client, "rev")
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        holder = sqlite3.connect(server.case.folder / "case.sqlite", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            assert client.get("/persons").status_code == 200                       # reads go on
            preview = client.get(f"/media/{server.case.media['d']}/preview")      # blurred: shown, audited later
            assert preview.status_code == 200
            r = client.post("/api/reveals", json={"sha256": server.case.media["a"]}, headers={"X-CSRF-Token": csrf})
            assert r.status_code == 503 and r.headers["retry-after"] == "5"
            with httpx.Client(base_url=url, follow_redirects=False) as other:
                other.get("/login")
                bad = other.post("/login", data={"username": "ana", "password": "not-it-at-all",
                                                 "csrf_token": other.cookies["tantalio_login_csrf"]})
                assert bad.status_code == 401
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        deadline = time.monotonic() + 10
        while len(config.pending) and time.monotonic() < deadline:
            time.sleep(0.1)
        with CaseStore.open(server.case.folder, migrate=False) as store:
            rows = store.conn.execute("SELECT details FROM audit_event WHERE action='web.login_failed' "
                                      "AND details LIKE '%occurred_at%'").fetchall()
            assert rows and store.verify_audit() is None
            later = store.conn.execute("SELECT count(*) FROM audit_event WHERE action='web.media_previewed' "
                                       "AND details LIKE '%occurred_at%'").fetchone()[0]
            assert later >= 1
