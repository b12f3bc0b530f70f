"""The web app's background chores, in one daemon thread: pending audit writes, the search
index catching up with ingest, and pruning of sessions and old throttle rows.

Each chore is a short write transaction; if the store is busy the chore waits for the next
round, so the thread never holds the lock while an ingest or `analyze` wants it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from tantalio.store import CaseStore
from tantalio.web import throttle
from tantalio.web.accounts import prune_sessions
from tantalio.web.busy import PendingWrites, is_busy
from tantalio.web.search.index import refresh

log = logging.getLogger("tantalio.web")
ROUND_S = 20.0
PRUNE_EVERY_S = 300.0
INDEX_ROWS_PER_ROUND = 200_000


class Housekeeper:
    def __init__(self, open_store: Callable[[], CaseStore], pending: PendingWrites, idle_minutes: float,
                 handlers: dict[str, Callable[[CaseStore, object], None]]) -> None:
        self._open = open_store
        self.pending = pending
        self._idle = idle_minutes
        self._handlers = handlers
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._last_prune = 0.0
        self.rounds = 0

    def start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="tantalio-housekeeper", daemon=True)
                self._thread.start()

    def nudge(self) -> None:
        """Run a round now (something is pending)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.round()
            except Exception:  # never let the thread die: log, and try again next round
                log.exception("housekeeping round failed")
            self._wake.wait(ROUND_S if not len(self.pending) else 1.0)
            self._wake.clear()

    def round(self) -> None:
        import time

        with self._open() as store:
            self.pending.flush(store, self._handlers)
            try:
                refresh(store, max_rows=INDEX_ROWS_PER_ROUND, check_deletions=self.rounds % 30 == 0)
                if time.monotonic() - self._last_prune > PRUNE_EVERY_S:
                    now = datetime.now(UTC)
                    with store.transaction() as conn:
                        prune_sessions(conn, now, self._idle)
                        throttle.prune(conn, now)
                    self._last_prune = time.monotonic()
            except sqlite3.OperationalError as e:
                if not is_busy(e):
                    raise
        self.rounds += 1
        release_free_memory()


def release_free_memory() -> None:
    """Hand memory that malloc keeps after requests back to the system (glibc's malloc_trim).

    Worker threads each allocate from their own arena; what they free is kept for reuse and,
    scattered across arenas, mostly never reused, so without this the server's resident size
    only grows. A no-op where the C library has no malloc_trim."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None
