"""Local execution: a process pool (default), or in-process with ``workers=1``.

Workers start with ``forkserver`` (not ``fork``): the parent may hold threads (faiss/OpenMP,
hashing threads) and forking a threaded process can deadlock a child. At most
``workers * inflight_per_worker`` tasks are in flight, so a million-file task stream is never
submitted at once.

Workers die with the process that started them: a SIGKILL of ``tantalio analyze`` or
``ingest-batch`` must not leave workers hashing or writing to the case. Each worker watches
the parent's pid (a pidfd where Linux has one) and, on Linux, also asks the kernel for
SIGKILL when its own parent (the forkserver, which exits with the parent) goes.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from tantalio.exec import TaskResult, describe_failure, run_task

R = TypeVar("R")

_PR_SET_PDEATHSIG = 1


def bind_to_parent(parent_pid: int) -> None:
    """Worker initializer: end this process when ``parent_pid`` ends, however it ends."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass  # the watcher thread below still covers it
    threading.Thread(target=_die_with, args=(parent_pid,), name="tantalio-parent-watch", daemon=True).start()


def _die_with(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        fd = -2  # already gone
    except (AttributeError, OSError):
        fd = -1  # no pidfd here: poll
    if fd >= 0:
        select.select([fd], [], [])  # readable once the process has ended
    elif fd == -1:
        while _alive(pid):
            time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LocalExecutor:
    def __init__(self, workers: int | None = None, inflight_per_worker: int = 4) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._inflight = self.workers * inflight_per_worker
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"),
                                             initializer=bind_to_parent, initargs=(os.getpid(),))
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
