"""Local execution: a process pool (default), or in-process with ``workers=1``.

Workers start with ``forkserver`` (not ``fork``): the parent may hold threads (faiss/OpenMP,
hashing threads) and forking a threaded process can deadlock a child. At most
``workers * inflight_per_worker`` tasks are in flight, so a million-file task stream is never
submitted at once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from tantalio.exec import TaskResult, describe_failure, run_task

R = TypeVar("R")


class LocalExecutor:
    def __init__(self, workers: int | None = None, inflight_per_worker: int = 4) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._inflight = self.workers * inflight_per_worker
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"))
        return self._pool

    def map(self, fn: Callable[[Any], R], tasks: Iterable[tuple[Hashable, Any]]) -> Iterator[TaskResult[R]]:
        if self.workers == 1:
            for task_id, argument in tasks:
                yield run_task(fn, task_id, argument)
            return
        pool = self._get_pool()
        running: dict[Future[TaskResult[R]], Hashable] = {}
        source = iter(tasks)
        exhausted = False
        while running or not exhausted:
            while not exhausted and len(running) < self._inflight:
                try:
                    task_id, argument = next(source)
                except StopIteration:
                    exhausted = True
                    break
                running[pool.submit(run_task, fn, task_id, argument)] = task_id
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                task_id = running.pop(future)
                try:
                    yield future.result()
                except Exception as err:  # noqa: BLE001 - a worker died or a result failed to unpickle
                    yield TaskResult(task_id, None, describe_failure(err))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
