"""Deleted message rows carved from a damaged message store are shown to analysts, always marked as
recovered, with where they were found, and never counted as live messages: the overview, a dossier
(in English and in a receiving country's language), recovered-deleted.csv and the web UI's table.
Their text is untrusted: escaped in HTML, neutralised in CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.network.rebuild import rebuild_network
from tantalio.report.build import write_reports
from tantalio.report.caseview import CaseView
from tantalio.report.dossier import build_dossier
from tantalio.report.overview import build_overview
from tantalio.store import CaseStore
from tantalio.web.accounts import add_user
from tantalio.web.app import create_app
from tests.ingest.deleted_fixture import PEOPLE, build_android, corrupt_a_table_page
from tests.web.conftest import login, serving

from .conftest import GENERATED
from .safety import Page

HOSTILE = "<script>alert('x')</script> & <b>bold</b>"
FORMULA = '=HYPERLINK("http://example.invalid","x")'
PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class RecoveredCase:
    folder: Path
    out: Path
    recovered: int          # rows in recovered_record
    live: int               # live message rows (recordings)
    distinct: int           # live messages, each once however many phones recorded it
    person: str             # the person the hostile row resolves to
    person_recovered: int   # that person's recovered rows
    totals: dict[str, tuple[int, int]]   # every person's (live messages, recovered rows) in their dossier


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> RecoveredCase:
    root = tmp_path_factory.mktemp("recovered")
    build_android(root / "ev", count=120, wal=True)
    corrupt_a_table_page(build_android(root / "ev2", count=120, wal=False).path)   # read through .recover
    folder = root / "case"
    with CaseStore.create(folder) as store:
        ingest(store, [root / "ev"], IngestOptions("EX-01"))
        ingest(store, [root / "ev2"], IngestOptions("EX-02"))
        rebuild_network(store)
        conn = store.conn
        sender = PEOPLE[0]
        ids = [i for (i,) in conn.execute("SELECT id FROM recovered_record WHERE sender=? AND exhibit_id='EX-01' "
                                          "ORDER BY id", (sender,))]
        assert len(ids) >= 2
        # Carved text is whatever the device held: make two rows hostile (markup, a spreadsheet formula).
        conn.execute("UPDATE recovered_record SET text=? WHERE id=?", (HOSTILE, ids[0]))
        conn.execute("UPDATE recovered_record SET text=? WHERE id=?", (FORMULA, ids[1]))
        conn.commit()
        person = conn.execute("SELECT p.label FROM identifier i JOIN person p ON p.id = i.person_id "
                              "WHERE i.normalized LIKE ?", (f"%{sender.split('@')[0]}%",)).fetchone()[0]
        recovered = conn.execute("SELECT count(*) FROM recovered_record").fetchone()[0]
        live = conn.execute("SELECT count(*) FROM message").fetchone()[0]
        add_user(store, "ana", "analyst", PASSWORD, actor="fixture")
        write_reports(store, root / "out", pdf=False, generated=GENERATED)
        write_reports(store, root / "out-es", person=person, pdf=False, lang="es", generated=GENERATED)
        view = CaseView(store)
        distinct = view.figures.messages
        totals = {label: (d.messages_total, d.recovered_total)
                  for (label,) in conn.execute("SELECT label FROM person") if (d := build_dossier(view, label))}
    return RecoveredCase(folder, root / "out", recovered, live, distinct, person, totals[person][1], totals)


def _html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_overview_shows_recovered_rows_apart_from_the_figures(case: RecoveredCase) -> None:
    assert 0 < case.recovered and 0 < case.live
    html = _html(case.out / "overview.html")
    assert 'id="recovered"' in html and "Recovered deleted records" in html
    text = Page(html).all_text
    assert "counted in none of the figures above" in text
    assert "msgstore.db" in text and "free block inside a page" in text
    with CaseStore.open(case.folder) as store:
        view = CaseView(store)
        assert view.figures.recordings == case.live         # live message rows only
        assert view.figures.messages == case.distinct < case.live   # both exhibits recorded the group
        files = view.recovered.by_file()
        assert [(f.exhibit, f.path) for f in files] == [("EX-01", "msgstore.db"), ("EX-02", "msgstore.db")]
        assert sum(f.total for f in files) == sum(f.attributed or 0 for f in files) == case.recovered
        assert all(set(f.states) <= {"deleted", "old_version"} for f in files)
        # the damaged database read through SQLite's recovery: live rows, counted, and said so
        (salvaged,) = [s for s in build_overview(view).salvaged]
        assert (salvaged.exhibit, salvaged.path) == ("EX-02", "msgstore.db") and salvaged.messages > 0
        assert "rows recovered; integrity:" in salvaged.how
    assert "read from a copy repaired by SQLite" in text and "rows recovered; integrity:" in text


def test_recovered_csv_lists_every_row_neutralised(case: RecoveredCase) -> None:
    rows = list(csv.reader(io.StringIO((case.out / "recovered-deleted.csv").read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    assert header[:7] == ["exhibit", "file", "file_sha256", "state", "area", "page", "offset"]
    assert len(body) == case.recovered
    texts = [r[header.index("text")] for r in body]
    assert FORMULA not in texts and "'" + FORMULA in texts     # a spreadsheet shows it as text
    assert HOSTILE in texts                                     # CSV keeps the text as recovered
    assert {r[header.index("state")] for r in body} <= {"deleted", "old_version"}


def test_dossier_lists_the_persons_recovered_rows_marked_and_escaped(case: RecoveredCase) -> None:
    assert case.person_recovered >= 2
    html = _html(case.out / "dossiers" / f"{case.person}.html")
    assert 'id="recovered"' in html and "Recovered deleted messages" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    page = Page(html)
    text = page.all_text
    assert HOSTILE in text                                      # shown as text, as recovered
    assert "recovered, deleted" in text and "are not counted in this dossier's figures" in text
    assert "EX-01 msgstore.db, page " in text and ", offset " in text
    assert not [e for e in page.tags("script")]
    doc = json.loads((case.out / "dossiers" / f"{case.person}.json").read_text(encoding="utf-8"))
    assert doc["recovered_total"] == case.person_recovered == len(doc["recovered"])
    assert {r["state"] for r in doc["recovered"]} <= {"deleted", "old_version"}
    assert all(r["exhibit"] in ("EX-01", "EX-02") and r["path"] == "msgstore.db" and r["page"] > 0
               for r in doc["recovered"])
    # live rows of the damaged database (EX-02) are listed with the messages, marked as salvaged
    assert any(m["salvaged"] for m in doc["messages"]) and not all(m["salvaged"] for m in doc["messages"])
    assert "read from a recovered copy of a damaged database" in text
    # each row's evidence reference says it is a recovered row, and where in which file it lies
    evidence = {e["ref"]: e for e in doc["evidence"]}
    for row in doc["recovered"]:
        (ref,) = row["refs"]
        assert "recovered, " in evidence[ref]["fact"] and evidence[ref]["location"] == row["place"]
        assert evidence[ref]["exhibit"] == row["exhibit"] and evidence[ref]["path"] == "msgstore.db"


def test_dossier_figures_count_live_messages_only(case: RecoveredCase) -> None:
    """Every live message has one sender, so the dossiers' message counts add up to the live
    messages; the recovered rows add up separately (all of them resolve to a sender here)."""
    assert sum(live for live, _ in case.totals.values()) == case.distinct
    assert sum(rec for _, rec in case.totals.values()) == case.recovered


def test_spanish_dossier_translates_the_recovered_section(case: RecoveredCase) -> None:
    text = Page(_html(case.out.parent / "out-es" / "dossiers" / f"{case.person}.html")).all_text
    assert "Mensajes eliminados recuperados" in text and "recuperado, eliminado" in text
    assert "página " in text and "desplazamiento" in text
    assert "leído de una copia recuperada de una base de datos dañada" in text
    assert "Recovered deleted messages" not in text and "recovered, deleted" not in text
    assert HOSTILE in text                                      # evidence stays as recorded


def test_web_table_marks_resolves_and_escapes_recovered_rows(case: RecoveredCase) -> None:
    with serving(create_app(case.folder)) as url, httpx.Client(base_url=url, timeout=20) as client:
        login(client, "ana", PASSWORD)
        r = client.get("/recovered", params={"limit": 500})
        assert r.status_code == 200
        assert "Recovered, not live." in r.text and "<script>alert" not in r.text
        assert "&lt;script&gt;alert(" in r.text
        page = Page(r.text)
        text = page.all_text
        assert f"rows 1–{case.recovered} of {case.recovered}" in text
        assert text.count("recovered, deleted") + text.count("recovered, old version") == case.recovered
        assert any(a.get("href") == f"/persons/{case.person}" for a in page.tags("a"))
        assert "free block inside a page" in text
        # a column resolved per page is not sortable: asking for it falls back to the default order
        assert client.get("/recovered", params={"sort": "person"}).status_code == 200
        # filters work on the recorded values
        only = client.get("/recovered", params={"f_text": "alert"})
        assert "rows 1–1 of 1" in Page(only.text).all_text
        body = client.get("/recovered.csv").text
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0][0] == "Recovered as" and len(rows) == case.recovered + 1
        assert any(row[rows[0].index("Person")] == case.person for row in rows[1:])
        assert "'" + FORMULA in body.replace('""', '"') and f",{FORMULA}" not in body
        assert "Recovered" in client.get("/").text                  # the navigation leads there
        # the person page lists the person's recovered rows apart from their messages
        person = client.get(f"/persons/{case.person}").text
        assert f"Recovered deleted messages ({case.person_recovered})" in person and "Recovered, not live" in person
        assert "&lt;script&gt;alert(" in person and "<script>alert" not in person
        assert "recovered, deleted" in person and "free block inside a page" in person
        assert "(read from a recovered copy of a damaged database)" in person
        # live rows read from the damaged database's recovered copy say so in the conversation
        group = client.get("/groups/G-001").text
        assert "(recovered copy)" in group and "read from a recovered copy of a damaged database" in group
