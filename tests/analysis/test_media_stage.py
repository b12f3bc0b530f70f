"""Media triage and matching on the small synthetic case, checked against its ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tantalio.analysis.hashlist_import import import_hashlist
from tantalio.analysis.media_stage import assign_families, collect_media, match_media, triage_media
from tantalio.demo import DemoConfig, generate
from tantalio.errors import HashListError
from tantalio.exec.local import LocalExecutor
from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.store import CaseStore


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[CaseStore, dict, Path]:
    root = tmp_path_factory.mktemp("demo")
    manifest = generate(root, DemoConfig.small()).to_json()
    store = CaseStore.create(root / "case")
    for ex in manifest["exhibits"]:
        ingest(store, [root / ex["path"]], IngestOptions(ex["id"], ex["owner_phone"], ex["country"], ex["timezone"]))
    import_hashlist(store, root / "hashlists" / "known.vics.json", "vics", "known", "illegal")
    executor = LocalExecutor(1)
    collect_media(store)
    triage_media(store, executor)
    match_media(store, executor)
    assign_families(store)
    truth = json.loads((root / "ground_truth.json").read_text())
    return store, truth, root


def test_every_file_and_db_hash_is_a_media_item(demo_case: tuple[CaseStore, dict, Path]) -> None:
    store, truth, _ = demo_case
    items = {r[0] for r in store.conn.execute("SELECT sha256 FROM media_item")}
    posted = {m["sha256"] for m in truth["media"] if m["posts"] and m.get("first_observed_with_media")}
    assert posted <= items
    # hash-only instances (file deleted, DB kept the hash) are kept as instances too
    assert store.conn.execute("SELECT count(*) FROM media_instance WHERE seen_as='db_hash'").fetchone()[0] >= 1


def test_known_material_is_found_and_nothing_else(demo_case: tuple[CaseStore, dict, Path]) -> None:
    store, truth, _ = demo_case
    status = dict(store.conn.execute("SELECT sha256, status FROM media_item"))
    truly_known = {m["sha256"] for m in truth["media"] if m.get("known")}
    found_known = {s for s, st in status.items() if st == "known"}
    in_case = truly_known & set(status)
    assert in_case, "the small case should circulate known material"
    missing = {s for s in in_case if s not in found_known}
    # items seen only by DB hash have no pixels: they can match exactly, never perceptually
    pixel_less = {r[0] for r in store.conn.execute("SELECT sha256 FROM media_item WHERE pdq IS NULL")}
    assert missing <= pixel_less
    assert found_known <= truly_known, "a benign item was reported as known"


def test_camera_originals_carry_exif(demo_case: tuple[CaseStore, dict, Path]) -> None:
    store, truth, _ = demo_case
    for cam in truth["camera_originals"]:
        row = store.conn.execute("SELECT exif_make, exif_serial, gps_lat FROM media_item WHERE sha256=?",
                                 (cam["sha256"],)).fetchone()
        assert row is not None and row[0] == cam["make"] and row[1] == cam["serial"]
        if cam.get("gps"):
            assert row[2] == pytest.approx(cam["gps"][0], abs=1e-4)


def test_families_group_recompressed_copies(demo_case: tuple[CaseStore, dict, Path]) -> None:
    store, truth, _ = demo_case
    family_of = dict(store.conn.execute("SELECT sha256, family FROM media_item WHERE pdq IS NOT NULL"))
    found = {}
    for fam in truth["families"]:
        members = [s for s in [fam["original_sha256"], *fam["files"]] if s in family_of]
        assert len({family_of[s] for s in members}) <= 1, fam["id"]
        if members:
            found[fam["id"]] = family_of[members[0]]
    # different pictures are different families (not everything one family)
    assert len(set(found.values())) == len(found) > 1


def test_hashlist_problems_are_warnings(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "case")
    bad = tmp_path / "list.csv"
    bad.write_text("md5,category\n" + "0" * 32 + ",1\nnot-a-hash,1\n" + "f" * 32 + ",2\n", encoding="utf-8")
    report = import_hashlist(store, bad, "csv", kind="illegal")
    assert (report.entries, report.problems) == (2, 1)
    loc = store.conn.execute("SELECT location FROM warning WHERE stage='hashlist'").fetchone()[0]
    assert loc == "line 3"
    with pytest.raises(HashListError):
        import_hashlist(store, bad, "csv")  # same name twice


def test_one_clusterer_keeps_family_ids_when_new_copies_arrive(tmp_path: Path) -> None:
    """Reports cite family ids: a copy with a smaller SHA-256 joining a family does not rename it;
    items without a usable PDQ (low quality, none) are their own family."""

    store = CaseStore.create(tmp_path / "case")
    base = "f" * 64
    near = "e" + "f" * 63                          # 1 bit away
    far = "0" * 64

    def add(sha: str, pdq: str | None, quality: int = 90) -> None:
        with store.transaction():
            store.conn.execute("INSERT INTO media_item(sha256, pdq, pdq_quality) VALUES (?,?,?)", (sha, pdq, quality))

    add("b" * 64, base)
    add("c" * 64, far)
    add("d" * 64, near, quality=20)               # too poor to cluster
    add("e" * 64, None)
    assert assign_families(store) == 4
    add("a" * 64, near)                           # a new copy of the first picture, smaller SHA-256
    assert assign_families(store) == 4
    family = dict(store.conn.execute("SELECT sha256, family FROM media_item"))
    assert family["a" * 64] == family["b" * 64] == "b" * 64
    assert family["c" * 64] == "c" * 64 and family["d" * 64] == "d" * 64 and family["e" * 64] == "e" * 64
