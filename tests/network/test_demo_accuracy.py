"""End to end on the small synthetic demo: generate, ingest every exhibit, triage, analyze,
export, and score against the planted ground truth with bench/accuracy.py."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ACCURACY = Path(__file__).resolve().parents[2] / "bench" / "accuracy.py"


def _scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_accuracy", ACCURACY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score


@pytest.mark.skipif(not ACCURACY.is_file(), reason="bench/accuracy.py is absent")
def test_small_demo_against_ground_truth(tmp_path: Path) -> None:
    demo_run = pytest.importorskip("tantalio.demo.run")
    from tantalio.demo.config import DemoConfig
    from tantalio.exec.local import LocalExecutor

    executor = LocalExecutor(1)
    try:
        result = demo_run.run_demo(tmp_path, executor, DemoConfig.small(), reports=False)
    finally:
        executor.close()
    truth = json.loads(result.ground_truth.read_text(encoding="utf-8"))
    scores = _scorer()(result.document, truth)
    assert scores["groups"]["precision"] == 1.0 and scores["groups"]["recall"] == 1.0
    assert scores["identities"]["wrong_merges"] == 0 and scores["identities"]["split"] == 0
    # Labels seen only by name on export-only phones stay unresolved rather than being merged on a
    # shared display name (0.88 on this seed; 0.91 if such labels were merged, wrongly half the time).
    assert scores["members"]["recall"] >= 0.85
    assert scores["membership_events"]["precision"] >= 0.85
    assert scores["first_poster"]["coverage"] >= 0.9 and scores["first_poster"]["accuracy"] >= 0.7
    assert scores["roles"]["producer"]["precision"] == 1.0
    assert scores["roles"]["administrator"]["precision"] >= 0.8
