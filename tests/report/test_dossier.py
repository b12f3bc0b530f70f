from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tantalio.report.build import write_reports
from tantalio.report.caseview import CaseView
from tantalio.report.dossier import build_dossier
from tantalio.store import CaseStore

from .casefixture import INJECTION_NAME, INJECTION_TEXT, build_case
from .conftest import GENERATED, Reports
from .safety import Page, off_document, output_texts, remote_strings


def test_dossier_identity_and_involvement(tmp_path: Path) -> None:
    fx = build_case(tmp_path)
    with CaseStore.open(fx.folder) as store:
        d = build_dossier(CaseView(store), "P-001")
    assert [(p.number, p.country) for p in d.phones] == [("+34639980001", "ES")]
    assert [(n.name, n.kind, n.exhibit) for n in d.names] == [("Ana", "address_book", "EX-01")]
    assert [e.id for e in d.seized_exhibits] == ["EX-01"]
    assert [c.serial for c in d.cameras] == ["SN-DEMO-0001"] and fx.camera_sha256 in d.cameras[0].media
    g1 = next(g for g in d.groups if g.group == "G-001")
    assert g1.creator and g1.name == INJECTION_NAME
    assert [e.kind for e in g1.events] == ["created", "added", "admin_granted"]
    assert {r.role for r in d.roles} == {"producer", "administrator"}
    assert {(p.status, p.category, p.posts) for p in d.posted} == {("unknown", None, 1), ("ignorable", "0", 1)}
    assert [f.family for f in d.first_sightings] == ["F-1"]
    assert {c.person for c in d.co_members} == {"P-002", "P-003", "P-004", "P-005"}
    assert [(s.group, s.start, s.end) for s in d.spells] == [
        ("G-001", "2017-01-05T10:00:00Z", None), ("G-002", "2017-01-21T18:00:00Z", None)]
    # every fact points at an evidence row naming exhibit, file, location or hash
    rows = {e.ref: e for e in d.evidence}
    refs = [r for n in d.names for r in n.refs] + [r for role in d.roles for r in role.evidence] + \
        [r for g in d.groups for e in g.events for r in e.refs] + [r for p in d.posts for r in p.refs] + \
        [r for f in d.first_sightings for r in f.refs] + [r for m in d.messages for r in m.refs]
    assert refs and set(refs) <= set(rows)
    for row in rows.values():
        assert row.exhibit and row.path and row.file_sha256 and len(row.file_sha256) == 64
    producer = next(r for r in d.roles if r.role == "producer")
    assert any(rows[r].path == "DCIM/Camera/IMG_0001.jpg" and rows[r].media_sha256 == fx.camera_sha256
               for r in producer.evidence)
    merged = next(e for e in g1.events if e.kind == "added" and e.person == "P-002")
    assert {(rows[r].exhibit, rows[r].location) for r in merged.refs} == {("EX-01", "row 502"), ("EX-02", "line 3")}


def test_person_figures_match_tables(tmp_path: Path) -> None:
    fx = build_case(tmp_path)
    with CaseStore.open(fx.folder) as store:
        view = CaseView(store)
    ben = view.persons["P-002"]
    assert ben.phones == ("+447700900123",) and ben.countries == ("GB",)
    assert set(ben.roles) == {"administrator", "bridge", "distributor"}
    assert ben.names == ("B<b>en</b>", "Ben")
    assert "P-002" in view.groups["G-001"].admins


def test_html_parses_and_every_reference_resolves(demo_reports: Reports) -> None:
    for path in sorted((demo_reports.out / "dossiers").glob("*.html")):
        page = Page(path.read_text(encoding="utf-8"))
        anchors = {a["id"] for tag in ("tr", "h2") for a in page.tags(tag) if a.get("id")}
        hrefs = [a["href"] or "" for a in page.tags("a")]
        assert {h[1:] for h in hrefs if h.startswith("#")} <= anchors, path.name
        for other in (h for h in hrefs if not h.startswith("#")):      # links to the run's other files
            assert (path.parent / other).resolve().is_file(), (path.name, other)
        assert "SYNTHETIC DEMO DATA" in page.all_text
        assert len(page.tags("svg")) >= 1
    ana = Page((demo_reports.out / "dossiers" / "P-001.html").read_text(encoding="utf-8"))
    for fact in ("+34639980001", "SN-DEMO-0001", "EX-01", "DCIM/Camera/IMG_0001.jpg", "row 502", "line 3"):
        assert fact in ana.all_text


def test_nothing_remote_in_any_output(demo_reports: Reports, plain_reports: Reports) -> None:
    for reports in (demo_reports, plain_reports):
        texts = output_texts(reports.out)
        assert any(name.endswith(".html") for name in texts) and any(".zip!/" in name for name in texts)
        for name, text in texts.items():
            assert remote_strings(text) == [], name
            if name.endswith(".html"):
                assert off_document(text) == [], name


def test_injection_renders_inert(demo_reports: Reports) -> None:
    for name in ("P-001.html", "P-003.html"):
        html = (demo_reports.out / "dossiers" / name).read_text(encoding="utf-8")
        page = Page(html)
        assert page.tags("script") == [] and page.tags("iframe") == []
        assert all((a.get("src") or "").startswith("data:image/png;base64,") for a in page.tags("img"))
        assert len(page.tags("style")) == 1          # the report's own stylesheet only
        assert not any(k.startswith("on") for _, attrs in page.elements for k in attrs)
        assert INJECTION_NAME in page.all_text
    carla = Page((demo_reports.out / "dossiers" / "P-003.html").read_text(encoding="utf-8"))
    assert INJECTION_TEXT.replace("&amp;", "&") in carla.all_text or INJECTION_TEXT in carla.all_text
    overview = Page((demo_reports.out / "overview.html").read_text(encoding="utf-8"))
    assert overview.tags("script") == [] and INJECTION_NAME in overview.all_text


def _pdftotext(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_pdf_carries_the_key_facts_and_inert_markup(demo_reports: Reports) -> None:
    text = _pdftotext(demo_reports.out / "dossiers" / "P-001.pdf")
    for fact in ("SYNTHETIC DEMO DATA", "Dossier P-001", "+34639980001", "SN-DEMO-0001", "producer", "EX-01"):
        assert fact in text, fact
    assert INJECTION_NAME in text               # drawn as text, not run
    carla = _pdftotext(demo_reports.out / "dossiers" / "P-003.pdf")
    assert "<img src=x onerror=alert(2)>" in carla.replace("\n", "")


def test_same_case_gives_identical_bytes(tmp_path: Path, demo_reports: Reports) -> None:
    with CaseStore.open(demo_reports.case.folder) as store:
        write_reports(store, tmp_path / "again", thumbnails=True, pdf=True, generated=GENERATED, analyst="analyst1",
                      unit_pdfs=True)
    first = {p.relative_to(demo_reports.out): p.read_bytes() for p in demo_reports.out.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again").rglob("*")
              if p.is_file()}
    assert first.keys() == second.keys()
    differing = sorted(str(k) for k in first if first[k] != second[k])
    assert differing == []


def test_synthetic_banner_everywhere_and_nothing_else_changes(demo_reports: Reports, plain_reports: Reports) -> None:
    for name, text in output_texts(demo_reports.out).items():
        assert "SYNTHETIC DEMO DATA" in text, name
    for name, text in output_texts(plain_reports.out).items():
        assert "SYNTHETIC" not in text, name
    syn = json.loads((demo_reports.out / "dossiers" / "P-002.json").read_text(encoding="utf-8"))
    plain = json.loads((plain_reports.out / "dossiers" / "P-002.json").read_text(encoding="utf-8"))
    assert syn.pop("synthetic") is True and syn.pop("header") == "SYNTHETIC DEMO DATA"
    assert plain.pop("synthetic") is False
    assert syn == plain
