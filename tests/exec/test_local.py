from __future__ import annotations

import os

from tantalio.exec import TaskResult, make_executor
from tantalio.exec.local import LocalExecutor


def square(n: int) -> int:
    if n == 13:
        raise ValueError("unlucky task")
    return n * n


def test_in_process_with_one_worker() -> None:
    results = list(LocalExecutor(workers=1).map(square, ((i, i) for i in range(20))))
    assert [r.task_id for r in results] == list(range(20))
    failed = [r for r in results if not r.ok]
    assert len(failed) == 1 and failed[0].task_id == 13 and "unlucky task" in (failed[0].error or "")


def test_process_pool_results_carry_their_ids() -> None:
    with LocalExecutor(workers=2, inflight_per_worker=2) as executor:
        results = list(executor.map(square, ((f"t{i}", i) for i in range(50))))
    by_id = {r.task_id: r for r in results}
    assert len(by_id) == 50
    assert by_id["t7"] == TaskResult("t7", 49)
    assert by_id["t13"].value is None and "ValueError" in (by_id["t13"].error or "")


def test_defaults() -> None:
    assert make_executor().workers == (os.cpu_count() or 1)
    assert LocalExecutor(workers=None).workers == (os.cpu_count() or 1)
