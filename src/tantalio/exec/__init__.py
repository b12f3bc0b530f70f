"""Where work runs: a small protocol with a local process pool and a Dask back end.

``Executor.map(fn, tasks)`` takes ``(task_id, argument)`` pairs and yields ``TaskResult`` in
completion order (not submission order): each carries its ``task_id``. A task whose function
raises yields a result with ``error`` set (type, message and the remote traceback's last lines)
instead of stopping the run: one bad file is one warning. ``fn`` and arguments must be
picklable (module-level functions, plain data), since they cross process or machine boundaries.

Import rule (DESIGN.md): this package imports nothing else of Tantalio's.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

A = TypeVar("A")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class TaskResult(Generic[R]):
    task_id: Hashable
    value: R | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Executor(Protocol):
    workers: int

    def map(self, fn: Callable[[Any], R], tasks: Iterable[tuple[Hashable, Any]]) -> Iterator[TaskResult[R]]: ...

    def close(self) -> None: ...


def describe_failure(err: BaseException) -> str:
    """``Type: message`` plus the innermost frame, enough to locate the bug from a warning."""
    frames = traceback.extract_tb(err.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(err).__name__}: {err}{where}"


def run_task(fn: Callable[[A], R], task_id: Hashable, argument: A) -> TaskResult[R]:
    """Run one task, turning an exception into an error result (runs on the worker)."""
    try:
        return TaskResult(task_id, fn(argument))
    except Exception as err:  # noqa: BLE001 - the per-task boundary: every failure becomes a result
        return TaskResult(task_id, None, describe_failure(err))


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The CLI's choice: Dask when ``scheduler`` (``tcp://HOST:PORT``) is given, else local."""
    if scheduler:
        from tantalio.exec.dask import DaskExecutor

        return DaskExecutor(scheduler)
    from tantalio.exec.local import LocalExecutor

    return LocalExecutor(workers)


__all__ = ["Executor", "TaskResult", "describe_failure", "make_executor", "run_task"]
