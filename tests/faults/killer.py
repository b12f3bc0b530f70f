"""Run the `tantalio` CLI and SIGKILL it at a chosen point (used by the fault tests in a subprocess).

    python killer.py sql:N       ARGS...   kill just before the N-th SQL statement of the case store
    python killer.py call:MOD:FN:N ARGS... kill on the N-th call of MOD.FN (e.g. a report file write)
    python killer.py count:FILE  ARGS...   run to the end; write how many statements ran to FILE

SQLite's trace callback fires as each statement starts, so "before statement N" covers every
place a process can die between two writes: inside a transaction (before its COMMIT) and
between transactions. Nothing in the package knows about this harness.
"""

from __future__ import annotations

import importlib
import os
import signal
import sqlite3
import sys
from pathlib import Path


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    point, args = sys.argv[1], sys.argv[2:]
    from tantalio.store import sqlite as store_sqlite

    statements = 0
    kind, _, rest = point.partition(":")
    limit = int(rest) if kind == "sql" else 0
    original_connect = store_sqlite._connect

    def trace(_statement: str) -> None:
        nonlocal statements
        statements += 1
        if limit and statements >= limit:
            _die()

    def connect(path: Path) -> sqlite3.Connection:
        conn = original_connect(path)
        conn.set_trace_callback(trace)
        return conn

    store_sqlite._connect = connect  # type: ignore[assignment]
    if kind == "call":
        module_name, name, nth = rest.rsplit(":", 2)
        module = importlib.import_module(module_name)
        original = getattr(module, name)
        calls = 0

        def wrapped(*a: object, **kw: object) -> object:
            nonlocal calls
            calls += 1
            if calls >= int(nth):
                _die()
            return original(*a, **kw)

        setattr(module, name, wrapped)
    from tantalio.cli import main as cli_main

    try:
        cli_main(args)
    finally:
        if kind == "count":
            Path(rest).write_text(str(statements), encoding="utf-8")


if __name__ == "__main__":
    main()
