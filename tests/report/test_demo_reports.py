"""End to end on the small synthetic demo case: generate, ingest, analyze, then every report."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tantalio.export import build_case_document
from tantalio.report.build import write_reports
from tantalio.report.packages import verify_package
from tantalio.store import CaseStore

from .conftest import GENERATED
from .safety import off_document, output_texts, remote_strings

if importlib.util.find_spec("tantalio.demo.run") is None or importlib.util.find_spec("tantalio.network.rebuild") is None:
    pytest.skip("the demo generator or network analysis is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def demo_case(small_demo: Path) -> Path:
    return small_demo


def test_reports_of_the_demo_case(demo_case: Path, tmp_path: Path) -> None:
    with CaseStore.open(demo_case) as store:
        doc_persons = {p["id"] for p in build_case_document(store)["persons"]}
        first = write_reports(store, tmp_path / "a", thumbnails=True, pdf=False, generated=GENERATED)
        write_reports(store, tmp_path / "b", thumbnails=True, pdf=False, generated=GENERATED)
    assert first.dossiers == len(doc_persons) > 0 and first.packages
    texts = output_texts(tmp_path / "a")
    for name, text in texts.items():
        assert "SYNTHETIC DEMO DATA" in text, name
        assert remote_strings(text) == [], name
        if name.endswith(".html"):
            assert off_document(text) == [], name
    for package in sorted((tmp_path / "a" / "packages").glob("*.zip")):
        verify_package(package)
    again = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()} == again


def test_one_demo_dossier_as_pdf(demo_case: Path, tmp_path: Path) -> None:
    with CaseStore.open(demo_case) as store:
        person = max(build_case_document(store)["persons"], key=lambda p: (p["priority"], p["id"]))["id"]
        run = write_reports(store, tmp_path, person=person)
    pdf = tmp_path / "dossiers" / f"{person}.pdf"
    assert pdf in run.written and pdf.read_bytes().startswith(b"%PDF")


def test_a_group_message_seen_on_several_phones_is_listed_once(demo_case: Path) -> None:
    import json

    copies_seen = 0
    with CaseStore.open(demo_case) as store:
        out = demo_case.parent / "dossier-check"
        write_reports(store, out, pdf=False)
    for path in sorted((out / "dossiers").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        lines = doc["messages"]
        keys = [(m["group"], m["kind"], m["text"], (m["time"] or "")[:16]) for m in lines]
        assert len(keys) == len(set(keys)), path.name
        copies_seen += sum(m["copies"] > 1 for m in lines)
        assert all(len(m["refs"]) == m["copies"] for m in lines), path.name
    assert copies_seen > 0, "the demo records shared groups on several phones"


def test_streamed_export_equals_the_whole_document(demo_case: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """`tantalio export` writes the document item by item; the bytes are those of the whole
    document dumped at once, whatever the size of the media slices it reads."""
    from tantalio.export import dumps, write_case_document
    from tantalio.network import case_sections

    out = tmp_path / "case.json"
    with CaseStore.open(demo_case) as store:
        whole = dumps(build_case_document(store))
        for size in (1, 7, case_sections.MEDIA_CHUNK):
            monkeypatch.setattr(case_sections, "MEDIA_CHUNK", size)
            counts = write_case_document(store, out)
            assert out.read_text(encoding="utf-8") == whole, size
        doc = json.loads(whole)
        assert counts == {k: len(v) for k, v in doc.items() if isinstance(v, list)} and counts["media"] > 7

        def broken() -> Iterator[dict[str, Any]]:
            yield {"sha256": "0" * 64}
            raise OSError("disk gone")

        monkeypatch.setattr(case_sections, "_media", lambda *args: broken())
        with pytest.raises(OSError):
            write_case_document(store, out)
    assert out.read_text(encoding="utf-8") == whole      # an interrupted export leaves the previous one
    assert [p.name for p in tmp_path.iterdir()] == ["case.json"]
