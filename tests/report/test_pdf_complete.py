"""Every header and cell of every HTML table of a dossier is in its PDF (pdftotext): no column
falls off the page."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import Reports


class _Cells(HTMLParser):
    """The text of every <th> and <td>, as the reader sees it; a cell with line breaks gives one
    entry per line (a tall cell may be split by a page break, and the page header lands inside)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self._depth = 0
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th"):
            self._depth, self._text = 1, []
        elif tag == "br" and self._depth:
            self.cells.append("".join(self._text))
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._depth:
            self.cells.append("".join(self._text))
            self._depth = 0

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._text.append(data)


def _squash(text: str) -> str:
    return "".join(text.split())


def _pdf_text(pdf: bytes, tmp: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp / "page.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def _missing(html: str, pdf: bytes, tmp: Path) -> list[str]:
    text = _squash(_pdf_text(pdf, tmp))
    cells = [c for c in (_squash(c) for c in _Cells(html).cells) if c]
    assert len(cells) > 50
    return [c for c in cells if c not in text]


def test_every_table_cell_of_the_unit_dossiers_is_in_the_pdf(demo_reports: Reports, tmp_path: Path) -> None:
    for html_path in sorted((demo_reports.out / "dossiers").glob("*.html")):
        pdf = html_path.with_suffix(".pdf").read_bytes()
        assert _missing(html_path.read_text(encoding="utf-8"), pdf, tmp_path) == [], html_path.name


def test_every_table_cell_of_a_translated_package_dossier_is_in_the_pdf(demo_reports: Reports, tmp_path: Path) -> None:
    with zipfile.ZipFile(demo_reports.out / "packages" / "ES.zip") as zf:
        html, pdf = zf.read("dossiers/P-001.html").decode("utf-8"), zf.read("dossiers/P-001.pdf")
    assert 'lang="es"' in html
    assert _missing(html, pdf, tmp_path) == []
