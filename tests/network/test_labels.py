"""Stable person labels: never renumbered, merges keep the older label, splits mint new ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from tantalio.analysis.hashlist_import import import_hashlist
from tantalio.analysis.run import analyze
from tantalio.cli.app import app
from tantalio.demo import DemoConfig, generate
from tantalio.exec.local import LocalExecutor
from tantalio.export import build_case_document
from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.network.identities import Identifier
from tantalio.network.labels import IssuedLabel, plan_labels
from tantalio.network.persons import merge_persons, show_person, split_identifier
from tantalio.network.rebuild import rebuild_network
from tantalio.store import CaseStore


def ident(i: int, kind: str = "phone") -> Identifier:
    return Identifier(i, kind, f"+3460000{i:04d}" if kind == "phone" else f"name {i}", "" if kind == "phone" else "EX")


def no_cause(merged: set[int], kept: set[int]) -> tuple[str, str]:
    return "analyze", "test"


def test_labels_follow_their_anchor_whatever_the_order_of_persons() -> None:
    issued = [IssuedLabel("P-0001", 1, 10), IssuedLabel("P-0002", 2, 20)]
    # a new person sorts first (its phone is smaller) but takes the next number, not P-0001
    plan = plan_labels({5: [ident(5)], 10: [ident(10)], 20: [ident(20), ident(21, "display_name")]}, issued,
                       {10: "P-0001", 20: "P-0002"}, no_cause, highest=2)
    assert plan.label_of == {10: "P-0001", 20: "P-0002", 5: "P-0003"} and not plan.retired


def test_merge_keeps_the_older_label_and_split_mints_a_new_one() -> None:
    issued = [IssuedLabel("P-0001", 1, 10), IssuedLabel("P-0002", 2, 20)]
    merged = plan_labels({10: [ident(10), ident(20)]}, issued, {10: "P-0001", 20: "P-0002"}, no_cause, 2)
    assert merged.label_of == {10: "P-0001"}
    assert [(r.label, r.merged_into) for r in merged.retired] == [("P-0002", "P-0001")]
    split = plan_labels({10: [ident(10)], 30: [ident(30, "display_name")]}, [IssuedLabel("P-0001", 1, 10)],
                        {10: "P-0001", 30: "P-0001"}, no_cause, highest=7)
    assert split.label_of[30] == "P-0008" and split.issued == [("P-0008", 8, "P-0001")]


def test_anchor_moves_up_to_a_phone_never_sideways() -> None:
    plan = plan_labels({30: [ident(30, "display_name"), ident(12)]}, [IssuedLabel("P-0004", 4, 30)],
                       {30: "P-0004"}, no_cause, 4)
    assert plan.anchors == {"P-0004": 12}
    again = plan_labels({12: [ident(12), ident(13)]}, [IssuedLabel("P-0004", 4, 12)], {}, no_cause, 4)
    assert again.anchors == {}


def _ingest(store: CaseStore, root: Path, exhibits: list[dict[str, str]]) -> None:
    for ex in exhibits:
        ingest(store, [root / ex["path"]], IngestOptions(ex["id"], owner=ex["owner_phone"], country=ex["country"],
                                                          timezone=ex["timezone"]))


def test_half_case_then_full_case_keeps_every_label(tmp_path: Path) -> None:
    """Issue 12: ingest half a case, analyze, export; ingest the rest, analyze, export: every label
    of the first export still names the same identifiers, or is recorded as merged."""
    root = tmp_path / "demo"
    manifest = generate(root, DemoConfig.small(seed=7)).to_json()
    store = CaseStore.create(tmp_path / "case")
    executor = LocalExecutor(1)
    try:
        exhibits = manifest["exhibits"]
        # the second half first: its phones see the later part of the history
        _ingest(store, root, exhibits[len(exhibits) // 2:])
        for hl in manifest["hashlists"]:
            if hl["format"] == "vics":
                import_hashlist(store, root / hl["path"], "vics", hl.get("name"), hl.get("kind", "illegal"))
        analyze(store, executor)
        first = build_case_document(store)
        _ingest(store, root, exhibits[:len(exhibits) // 2])
        analyze(store, executor)
        second = build_case_document(store)
    finally:
        executor.close()
    now = {p["id"]: p for p in second["persons"]}
    retired = {r["id"]: r for r in second["retired_persons"]}
    # the rest of the case brought in persons whose numbers sort before earlier ones: numbering
    # persons in phone order, as labels once were, would have moved labels
    issued_first = {p["id"] for p in first["persons"]}
    new_phones = [p["phones"][0] for p in second["persons"] if p["id"] not in issued_first and p["phones"]]
    assert new_phones and min(new_phones) < max(p["phones"][0] for p in first["persons"] if p["phones"])
    for person in first["persons"]:
        if person["id"] in now:
            later = now[person["id"]]
            assert set(person["phones"]) <= set(later["phones"]), person["id"]
            assert person["phones"] or set(person["names"]) <= set(later["names"]), person["id"]
        else:
            gone = retired[person["id"]]
            assert gone["status"] == "merged" and set(person["phones"]) <= set(now[gone["now"]]["phones"])
    numbers = [int(p["id"].split("-")[1]) for p in second["persons"]]
    assert min(int(p["id"].split("-")[1]) for p in second["persons"] if p["id"] not in issued_first) > max(
        int(label.split("-")[1]) for label in issued_first) and len(numbers) == len(set(numbers))


def test_manual_merge_retires_the_newer_label_and_survives_reanalysis(tmp_path: Path) -> None:
    from .test_resolution import ANA, PEPE, build

    store = build(tmp_path)
    rebuild_network(store)
    label = dict((v, k) for k, v in store.conn.execute(
        "SELECT p.label, i.normalized FROM person p JOIN identifier i ON i.person_id = p.id WHERE i.kind = 'phone'"))
    older, newer = sorted((label[PEPE], label[ANA]))
    kept_phone, other_phone = (PEPE, ANA) if label[PEPE] == older else (ANA, PEPE)
    merge_persons(store, PEPE, ANA, "same man, two SIMs (test)")
    rebuild_network(store)
    rebuild_network(store)
    gone = show_person(store, newer)
    assert gone["status"] == "merged" and gone["merged_into"] == older and gone["by"] != "analyze"
    assert "two SIMs" in gone["reason"]
    result = CliRunner().invoke(app, ["persons", "show", str(store.folder), newer])
    assert result.exit_code == 0 and f"merged into {older}" in result.output
    split_identifier(store, other_phone, "not the same after all (test)")
    rebuild_network(store)

    def label_of(number: str) -> str:
        return str(store.conn.execute("SELECT p.label FROM person p JOIN identifier i ON i.person_id = p.id"
                                      " WHERE i.normalized = ?", (number,)).fetchone()[0])

    assert label_of(kept_phone) == older and show_person(store, older)["status"] == "active"
    split_off = label_of(other_phone)
    assert split_off not in (older, newer)            # a split mints a new label; retired ones stay retired
    assert show_person(store, split_off)["split_from"] == older
    doc = build_case_document(store)
    assert newer in {r["id"] for r in doc["retired_persons"]}
    shutil.rmtree(tmp_path / "case")
    json.dumps(doc)
