from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tantalio.cli import main
from tantalio.errors import IntegrityError
from tantalio.report.caseview import CaseView
from tantalio.report.overview import build_overview
from tantalio.report.packages import MANIFEST, verify_package, write_zip
from tantalio.report.thumbnails import NOT_PRESENT, ThumbnailMaker
from tantalio.report.vid_queue import VICS_CONTEXT, build_queue
from tantalio.store import CaseStore

from .casefixture import build_case
from .conftest import Reports


def _members(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_one_package_per_country_with_its_persons(demo_reports: Reports) -> None:
    packages = demo_reports.out / "packages"
    assert sorted(p.name for p in packages.iterdir()) == ["DE.zip", "ES.zip", "GB.zip"]
    expected = {"ES": ["P-001", "P-003"], "GB": ["P-002", "P-004"], "DE": ["P-005"]}
    for cc, persons in expected.items():
        files = _members(packages / f"{cc}.zip")
        manifest = json.loads(files[MANIFEST])
        assert manifest["country"] == cc and manifest["persons"] == persons
        assert {f["path"] for f in manifest["files"]} == set(files) - {MANIFEST}
        for p in persons:
            assert {f"dossiers/{p}.{ext}" for ext in ("html", "json", "pdf")} <= set(files)
        rows = list(csv.reader(io.StringIO(files["summary.csv"].decode())))
        assert rows[0] == ["# SYNTHETIC DEMO DATA"] and [r[0] for r in rows[2:]] == persons
        assert verify_package(packages / f"{cc}.zip").files == len(files) - 1
        with zipfile.ZipFile(packages / f"{cc}.zip") as zf:
            assert [i.filename for i in zf.infolist()] == sorted(files)
            assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("tamper, message", [
    ("alter", "altered file dossiers/P-002.html"),
    ("remove", "missing file summary.csv"),
    ("add", "unexpected file notes.txt"),
    ("manifest", "manifest.json is damaged"),
])
def test_tampered_package_is_rejected(demo_reports: Reports, tmp_path: Path, tamper: str, message: str) -> None:
    files = _members(demo_reports.out / "packages" / "GB.zip")
    if tamper == "alter":
        files["dossiers/P-002.html"] += b"<!-- edited -->"
    elif tamper == "remove":
        del files["summary.csv"]
    elif tamper == "add":
        files["notes.txt"] = b"added later"
    else:
        files[MANIFEST] = b"{not json"
    bad = tmp_path / "GB.zip"
    write_zip(bad, files)
    with pytest.raises(IntegrityError, match=message):
        verify_package(bad)
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "verify", str(bad)])
    assert exit_info.value.code == 4


def test_cli_report_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fx = build_case(tmp_path)
    main(["report", str(fx.folder), str(tmp_path / "out"), "--no-pdf", "--country", "gb"])
    assert sorted(p.name for p in (tmp_path / "out").rglob("*") if p.is_file()) == ["GB.zip"]
    main(["report", "build", str(fx.folder), str(tmp_path / "one"), "--person", "P-005", "--no-pdf"])
    assert sorted(p.name for p in (tmp_path / "one" / "dossiers").iterdir()) == ["P-005.html", "P-005.json"]
    main(["report", "verify", str(tmp_path / "out" / "packages" / "GB.zip")])
    assert "package verified" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(fx.folder), str(tmp_path / "x"), "--person", "P-999"])
    assert exit_info.value.code == 2


def test_vid_queue_ranks_suspect_camera_material_first(tmp_path: Path) -> None:
    fx = build_case(tmp_path, categorisations=True)
    with CaseStore.open(fx.folder) as store:
        queue = build_queue(CaseView(store))
    order = [q.sha256 for q in queue.items]
    assert set(order) == {fx.sha[k] for k in ("camera", "near", "spread", "gone")}
    tier = [q.suspect_camera for q in queue.items]
    assert tier == sorted(tier, reverse=True) and order[-1] == fx.sha["spread"]
    by_sha = {q.sha256: q for q in queue.items}
    camera = by_sha[fx.camera_sha256]
    assert camera.suspects == ("P-001",) and camera.gps == (40.4168, -3.7038) and camera.taken
    # one series: PDQ family F-1 (camera + near copy) joined with F-5 by the same camera serial
    assert by_sha[fx.sha["near"]].series == camera.series == by_sha[fx.sha["gone"]].series
    assert by_sha[fx.sha["spread"]].series != camera.series
    assert camera.categorisation == "2"          # the later of two decisions


def test_vics_export_shape(demo_reports: Reports) -> None:
    doc = json.loads((demo_reports.out / "vid-queue-vics.json").read_text(encoding="utf-8"))
    assert doc["@odata.context"] == VICS_CONTEXT
    (media,) = doc["value"]                      # the non-numeric custom category cannot be shared
    assert media["Category"] == 2 and media["MD5"] == "A" * 32 and media["SHA1"] == "A" * 40
    assert media["MediaID"] == 1 and media["Series"].startswith("S-")
    rows = list(csv.DictReader(io.StringIO(
        (demo_reports.out / "vid-queue.csv").read_text(encoding="utf-8").split("\n", 1)[1])))
    assert rows[0]["rank"] == "1" and rows[0]["suspect_camera"] == "yes"


def test_queue_without_categorisation_table(tmp_path: Path) -> None:
    fx = build_case(tmp_path)
    with CaseStore.open(fx.folder) as store:
        store.conn.execute("DROP TABLE categorisation")
        view = CaseView(store)
        assert view.categorisations() == []
        assert all(q.categorisation is None for q in build_queue(view).items)


def test_thumbnails_are_grey_blurred_and_checked(tmp_path: Path) -> None:
    fx = build_case(tmp_path)
    with CaseStore.open(fx.folder) as store:
        maker = ThumbnailMaker(CaseView(store))
        thumb = maker.get(fx.camera_sha256)
        assert thumb.data_uri and thumb.data_uri.startswith("data:image/png;base64,")
        import base64
        img = Image.open(io.BytesIO(base64.b64decode(thumb.data_uri.split(",", 1)[1])))
        assert img.mode == "L" and max(img.size) <= 48
        assert maker.get(fx.sha["gone"]).note == NOT_PRESENT
        assert ThumbnailMaker(CaseView(store)).get(fx.sha["spread"]).note == NOT_PRESENT
    # the file on the evidence changed since it was hashed: nothing is shown
    picture = fx.evidence / "DCIM" / "Camera" / "IMG_0001.jpg"
    shutil.copy(picture, tmp_path / "keep.jpg")
    picture.write_bytes(picture.read_bytes() + b"\0")
    with CaseStore.open(fx.folder) as store:
        assert "no longer matches" in ThumbnailMaker(CaseView(store)).get(fx.camera_sha256).note


def test_overview_counts_and_network(demo_reports: Reports, tmp_path: Path) -> None:
    fx = build_case(tmp_path)
    with CaseStore.open(fx.folder) as store:
        o = build_overview(CaseView(store))
    assert o.persons == 5 and o.exhibits == 2
    assert o.per_country == (("DE", 1, 0), ("ES", 2, 1), ("GB", 2, 1))
    assert dict(o.per_role)["consumer"] == 3 and dict(o.per_role)["administrator"] == 2
    assert [(g.group, g.members) for g in o.groups] == [("G-001", 4), ("G-002", 4)]
    assert o.network_svg.count("<title>P-") == 5 and "#0072B2" in o.network_svg and "#E69F00" in o.network_svg
    assert any("group G-001 created by P-001" in m.what for m in o.milestones)
    assert "Case overview" in (demo_reports.out / "overview.html").read_text(encoding="utf-8")
