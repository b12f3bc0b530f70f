"""When another process holds the case's write lock (an ingest or `analyze` writing), analysts
get a clear "busy, retry in a moment" instead of a failure, and nothing that must be audited is lost.

SQLite in WAL mode lets readers go on while one writer writes, so pages keep loading; a request
that itself needs to write waits up to WebConfig.busy_timeout_s for the lock and, failing that,
is answered 503 Service Unavailable with Retry-After. An audit event that could not be written
then (a failed login) is kept in memory and written as soon as the lock is free, with the time
it happened.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tantalio.store import CaseStore, utcnow

RETRY_AFTER_S = 5


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "database table is locked" / SQLITE_BUSY."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


@dataclass
class PendingWrites:
    """Writes that must not be lost but could not get the lock in time: replayed in order."""

    _items: deque[tuple[str, Any]] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_audit(self, action: str, details: dict[str, Any], actor: str) -> None:
        with self._lock:
            self._items.append(("audit", (action, {**details, "occurred_at": utcnow()}, actor)))

    def add(self, kind: str, payload: Any) -> None:
        with self._lock:
            self._items.append((kind, payload))

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def flush(self, store: CaseStore, handlers: dict[str, Any]) -> int:
        """Write what is pending, oldest first; stops (keeping the rest) if the store is still busy."""
        done = 0
        while True:
            with self._lock:
                if not self._items:
                    return done
                kind, payload = self._items[0]
            try:
                with store.transaction():
                    if kind == "audit":
                        action, details, actor = payload
                        store.audit(action, details, actor=actor)
                    else:
                        handlers[kind](store, payload)
            except sqlite3.OperationalError as e:
                if is_busy(e):
                    return done
                raise
            with self._lock:
                self._items.popleft()
            done += 1
