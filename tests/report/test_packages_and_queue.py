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
from tantalio.report.packages import MANIFEST, SIGNATURE, verify_package, zip_bytes
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
        assert {f["path"] for f in manifest["files"]} == set(files) - {MANIFEST, SIGNATURE}
        for p in persons:
            assert {f"dossiers/{p}.{ext}" for ext in ("html", "json", "pdf")} <= set(files)
        rows = list(csv.reader(io.StringIO(files["summary.csv"].decode())))
        assert rows[0] == ["# SYNTHETIC DEMO DATA"] and [r[0] for r in rows[2:]] == persons
        assert verify_package(packages / f"{cc}.zip").files == len(files) - 2
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
    bad.write_bytes(zip_bytes(files))
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


def test_vid_queue_is_one_row_per_family_carrying_camera_time_and_gps(tmp_path: Path) -> None:
    fx = build_case(tmp_path, categorisations=True)
    with CaseStore.open(fx.folder) as store:
        queue = build_queue(CaseView(store))
    # F-2 is known and F-3 ignorable: not in the queue. F-1 (camera original + a near copy posted
    # first, unforwarded, by the producer) and F-5 (camera serial only on the producer's phone,
    # never posted) are new with suspect camera evidence; F-4 is new without any camera.
    assert [q.family for q in queue.items] == ["F-1", "F-5", "F-4"]
    f1 = queue.items[0]
    assert f1.members == tuple(sorted((fx.camera_sha256, fx.sha["near"])))
    assert f1.sha256 == fx.camera_sha256            # the camera original represents its family
    assert (f1.camera, f1.camera_serial, f1.taken, f1.gps) == (
        "DemoCam X1", "SN-DEMO-0001", "2017-01-09T19:00:00Z", (40.4168, -3.7038))
    assert f1.new_material and f1.origin == "observed" and f1.suspects == ("P-001",)
    assert f1.first_poster == "P-001" and f1.posts == 1 and f1.instances == 3
    assert f1.categorisation == "2"                  # the latest decision over the family
    f5 = queue.items[1]
    assert f5.new_material and f5.posts == 0 and f5.suspect_camera and f5.gps is None
    # one series: F-1 joined with F-5 by the same camera serial; F-4 alone
    assert f1.series == f5.series != queue.items[2].series
    assert not queue.items[2].suspect_camera and queue.items[2].groups == 1 and queue.items[2].posts == 3


def test_vics_export_round_trips_through_the_hashlist_importer(demo_reports: Reports, tmp_path: Path) -> None:
    from tantalio.analysis.hashlist_import import import_hashlist

    path = demo_reports.out / "vid-queue-vics.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["@odata.context"] == VICS_CONTEXT
    exported = {m["AlternativeHashes"][0]["HashValue"].lower(): m for m in doc["value"]}
    fx = demo_reports.case
    assert set(exported) == {fx.camera_sha256, fx.sha["near"], fx.sha["gone"], fx.sha["spread"]}
    camera = exported[fx.camera_sha256]
    assert camera["Category"] == 2 and camera["MD5"] == "A" * 32 and camera["SHA1"] == "A" * 40
    assert "Category" not in exported[fx.sha["near"]]    # a non-numeric custom category cannot be shared
    assert camera["Series"] == exported[fx.sha["gone"]]["Series"] != exported[fx.sha["spread"]]["Series"]
    rows = list(csv.DictReader(io.StringIO(
        (demo_reports.out / "vid-queue.csv").read_text(encoding="utf-8").split("\n", 1)[1])))
    assert rows[0]["rank"] == "1" and rows[0]["suspect_camera"] == "yes" and rows[0]["family"] == "F-1"
    # read back with the importer every analyst uses
    other = build_case(tmp_path)
    with CaseStore.open(other.folder) as store:
        import_hashlist(store, path, "vics", "vid-queue-return", "illegal")
        entries = {(a, v): (c, s) for a, v, c, s in store.conn.execute(
            "SELECT e.algorithm, e.value, e.category, e.series FROM hash_entry e JOIN hash_list l ON l.id = e.list_id "
            "WHERE l.name = 'vid-queue-return'")}
    for sha, media in exported.items():
        category = str(media["Category"]) if "Category" in media else None
        assert entries[("sha256", sha)] == (category, media["Series"]), sha
        assert entries[("md5", media["MD5"].lower())] == (category, media["Series"])
        assert entries[("sha1", media["SHA1"].lower())] == (category, media["Series"])
        assert ("pdq", media["AlternativeHashes"][1]["HashValue"].lower()) in entries   # the fixture shares one PDQ


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
    assert [(g.group, len(g.members)) for g in o.groups] == [("G-001", 4), ("G-002", 4)]
    assert o.network_svg.count("<title>P-") == 5 and "#0072B2" in o.network_svg and "#E69F00" in o.network_svg
    assert any("group G-001 created by P-001" in m.what for m in o.milestones)
    assert "Case overview" in (demo_reports.out / "overview.html").read_text(encoding="utf-8")
