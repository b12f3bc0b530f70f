"""A small pool of case-store connections for the web app's requests.

Opening a SQLite connection per request parses the whole schema again on its first statement
and allocates a fresh page cache each time: with dozens of worker threads doing that, the
server's memory grew with the number of requests served (freed blocks scattered over the
threads' malloc arenas are never handed back). Pooled connections are reused; a connection
comes back with any transaction rolled back and its busy timeout reset. The pool is bounded:
past `size` idle connections the extra ones are closed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tantalio.store import CaseStore


class PooledStore(CaseStore):
    """A CaseStore whose close() hands its connection back to the pool."""

    def __init__(self, folder: Path, conn: object, pool: StorePool) -> None:
        super().__init__(folder, conn)  # type: ignore[arg-type]
        self._pool: StorePool | None = pool

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.release(self)


class StorePool:
    def __init__(self, folder: Path, busy_timeout_ms: int, size: int = 16) -> None:
        self.folder = folder
        self.busy_timeout_ms = busy_timeout_ms
        self.size = size
        self._idle: list[CaseStore] = []
        self._lock = threading.Lock()
        self.opened = 0

    def acquire(self) -> CaseStore:
        with self._lock:
            base = self._idle.pop() if self._idle else None
        if base is None:
            base = CaseStore.open(self.folder, migrate=False)
            base.conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
            with self._lock:
                self.opened += 1
        return PooledStore(base.folder, base.conn, self)

    def release(self, store: CaseStore) -> None:
        conn = store.conn
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
        except Exception:  # a broken connection is not pooled again
            conn.close()
            return
        with self._lock:
            if len(self._idle) < self.size:
                self._idle.append(CaseStore(store.folder, conn))
                return
        conn.close()

    def close_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for store in idle:
            store.conn.close()
