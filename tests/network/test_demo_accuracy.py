"""End to end on synthetic demo cases, scored against the planted ground truth with
bench/accuracy.py: the small default demo, and a fast subset of the generator variants that
bench/accuracy.py runs over many seeds (the full table is in the issue note)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from tantalio.demo.config import DemoConfig
from tantalio.demo.run import run_demo
from tantalio.exec.local import LocalExecutor

ACCURACY = Path(__file__).resolve().parents[2] / "bench" / "accuracy.py"
# chosen before looking at their scores: every confounder at once, the low-degree broker, groups
# where members add members
FAST_SUBSET = (("mixed", 1), ("low_degree_broker", 1), ("members_add", 1))
FLOORED = ("administrator", "distributor", "bridge")


def _accuracy() -> Any:
    spec = importlib.util.spec_from_file_location("bench_accuracy", ACCURACY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_demo_against_ground_truth(tmp_path: Path) -> None:
    executor = LocalExecutor(1)
    try:
        result = run_demo(tmp_path, executor, DemoConfig.small(), reports=False)
    finally:
        executor.close()
    truth = json.loads(result.ground_truth.read_text(encoding="utf-8"))
    scores = _accuracy().score(result.document, truth)
    assert scores["groups"]["precision"] == 1.0 and scores["groups"]["recall"] == 1.0
    assert scores["identities"]["wrong_merges"] == 0
    # Labels seen only by name on export-only phones stay unresolved rather than being merged on a
    # shared display name.
    assert scores["members"]["recall"] >= 0.8
    assert scores["membership_events"]["precision"] >= 0.85
    assert scores["first_poster"]["coverage"] >= 0.9 and scores["first_poster"]["accuracy"] >= 0.8
    assert scores["origin"]["observed_accuracy"] >= 0.9
    assert scores["roles"]["producer"]["precision"] == 1.0
    assert scores["roles"]["administrator"]["precision"] >= 0.8


@pytest.mark.slow
def test_roles_hold_on_generator_variants(tmp_path: Path) -> None:
    """No false producer anywhere; administrator, distributor and bridge precision at least 0.8 in
    every run, and their recall over what the seized data shows at least 0.8 over the subset.
    (Recall is pooled: a run has three planted bridges, and its misses come from labels left
    unresolved in export-only groups - identity, which the analysis refuses to guess.)"""
    accuracy = _accuracy()
    runs = [(variant, seed, accuracy.run_case(variant, seed, "medium", tmp_path / f"{variant}-{seed}"))
            for variant, seed in FAST_SUBSET]
    for variant, seed, scores in runs:
        roles = scores["roles"]
        assert roles["producer"]["precision"] == 1.0, (variant, seed, roles["producer"]["false"])
        for role in FLOORED:
            assert roles[role]["precision"] >= 0.8, (variant, seed, role, roles[role])
        assert scores["origin"]["observed_accuracy"] >= 0.9, (variant, seed, scores["origin"])
    for role in FLOORED:
        found = sum(r["roles"][role]["observable_hits"] for _, _, r in runs)
        total = sum(r["roles"][role]["observable"] for _, _, r in runs)
        assert found / total >= 0.8, (role, [(v, s, r["roles"][role]) for v, s, r in runs])
