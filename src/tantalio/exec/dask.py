"""Distributed execution on a Dask cluster (``tantalio analyze --scheduler tcp://HOST:PORT``).

Workers must be able to import ``tantalio`` and read the evidence at the same paths as the
client (a shared mount): tasks carry paths, never file contents.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypeVar

from tantalio.exec import TaskResult, describe_failure, run_task

R = TypeVar("R")

_MISSING = (
    "the Dask back end needs the 'distributed' package: pip install 'dask[distributed]' "
    "(or run without --scheduler to use the local process pool)"
)


class DaskUnavailable(RuntimeError):
    pass


class DaskExecutor:
    def __init__(self, address: str | Any, inflight_per_worker: int = 8, timeout: str = "20s") -> None:
        """``address`` is a scheduler address or an existing ``distributed.Client``."""
        try:
            import distributed
        except ImportError as err:
            raise DaskUnavailable(_MISSING) from err
        self._distributed = distributed
        if isinstance(address, distributed.Client):
            self.client, self._owns_client = address, False
        else:
            try:
                self.client, self._owns_client = distributed.Client(address, timeout=timeout), True
            except OSError as err:
                raise DaskUnavailable(f"cannot reach the Dask scheduler at {address}: {err}") from err
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self._inflight = self.workers * inflight_per_worker

    def map(self, fn: Callable[[Any], R], tasks: Iterable[tuple[Hashable, Any]]) -> Iterator[TaskResult[R]]:
        as_completed = self._distributed.as_completed(with_results=False)
        running: dict[Hashable, Hashable] = {}
        source = iter(tasks)

        def submit_one() -> bool:
            try:
                task_id, argument = next(source)
            except StopIteration:
                return False
            future = self.client.submit(run_task, fn, task_id, argument, pure=False)
            running[future.key] = task_id
            as_completed.add(future)
            return True

        while len(running) < self._inflight and submit_one():
            pass
        for future in as_completed:
            task_id = running.pop(future.key)
            try:
                yield future.result()
            except Exception as err:  # noqa: BLE001 - worker lost, result not deserialisable
                yield TaskResult(task_id, None, describe_failure(err))
            future.release()
            submit_one()

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
