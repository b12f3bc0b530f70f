from __future__ import annotations

from pathlib import Path

import pytest

from tantalio.exec.dask import DaskExecutor, DaskUnavailable
from tantalio.media.pdq import compute_pdq
from tantalio.media.triage import MediaFacts, triage_file

from ..media.pictures import abstract_picture

distributed = pytest.importorskip("distributed")


@pytest.mark.slow
def test_triage_tasks_on_a_local_cluster(tmp_path: Path) -> None:
    paths = []
    for i in range(8):
        path = tmp_path / f"picture-{i}"
        abstract_picture(100 + i, (800, 600)).save(path, "JPEG")
        paths.append(path)
    (tmp_path / "broken").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    tasks = [(str(p), str(p)) for p in [*paths, tmp_path / "broken"]]
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client, DaskExecutor(client) as executor:
            assert executor.workers == 2
            results = {r.task_id: r for r in executor.map(triage_file, tasks)}
            failing = list(executor.map(int, [("bad", "not a number")]))
    assert set(results) == {task_id for task_id, _ in tasks}
    for path in paths:
        facts = results[str(path)].value
        assert isinstance(facts, MediaFacts) and facts.mime == "image/jpeg"
        assert facts.pdq == compute_pdq(str(path), fast=True).hash
    broken = results[str(tmp_path / "broken")].value
    assert broken is not None and broken.error
    assert failing[0].task_id == "bad" and "ValueError" in (failing[0].error or "")


def test_unreachable_scheduler_is_a_clear_error() -> None:
    with pytest.raises(DaskUnavailable, match="cannot reach the Dask scheduler"):
        DaskExecutor("tcp://127.0.0.1:9", timeout="1s")


def test_missing_distributed_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(DaskUnavailable, match="pip install 'dask\\[distributed\\]'"):
        DaskExecutor("tcp://127.0.0.1:8786")
