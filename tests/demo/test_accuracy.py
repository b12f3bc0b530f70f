"""bench/accuracy.py scores a perfect export at 1.0 and an empty one at 0."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from tantalio.demo import DemoConfig, generate

BENCH = Path(__file__).resolve().parents[2] / "bench" / "accuracy.py"


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("accuracy", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _perfect_export(truth: dict[str, Any], accuracy: Any) -> dict[str, Any]:
    observed = {g["id"] for g in truth["groups"] if g["observed_by"]}
    firsts = accuracy._family_firsts(truth)
    introducer = {f["id"]: f["introducer"] for f in truth["families"]}

    def first_seen(family: str) -> dict[str, Any] | None:
        seen = firsts.get(family)
        if seen is None:
            return None
        origin = "forwarded" if seen["forwarded"] else "observed" if seen["person"] == introducer[family] \
            else "undetermined"
        return {**seen, "origin": origin}

    return {
        "schema": "tantalio.case/1",
        "persons": [{"id": p["id"], "phones": p["phones"], "roles": p["roles"]} for p in truth["persons"]],
        "groups": [{"id": g["id"], "jids": [g["jid"]], "names": [n["name"] for n in g["names"]],
                    "members": g["members"]} for g in truth["groups"] if g["id"] in observed],
        "memberships": [{"group": g["id"], "person": e["person"], "event": e["kind"]}
                        for g in truth["groups"] if g["id"] in observed for e in g["events"]
                        if e["kind"] != "subject_changed"],
        "media": [{"sha256": m["sha256"], "first_seen": first_seen(m["family"]),
                   "status": "known" if m["known"] and m["known"]["how"] != "missed" else "unknown"}
                  for m in truth["media"]],
    }


def test_perfect_and_empty(tmp_path: Path) -> None:
    generate(tmp_path, DemoConfig.small())
    truth = json.loads((tmp_path / "ground_truth.json").read_text())
    accuracy = _scorer()
    perfect = accuracy.score(_perfect_export(truth, accuracy), truth)
    assert perfect["groups"]["recall"] == 1.0 and perfect["members"]["precision"] == 1.0
    assert perfect["first_poster"]["accuracy"] == 1.0 and perfect["origin"]["accuracy"] == 1.0
    assert all(r["recall"] == 1.0 and r["precision"] == 1.0 for r in perfect["roles"].values())
    empty = accuracy.score({"schema": "tantalio.case/1"}, truth)
    assert empty["groups"]["recall"] == 0.0 and empty["known_material"]["recall"] == 0.0
    assert empty["roles"]["producer"]["recall"] == 0.0 and empty["first_poster"]["coverage"] == 0.0
