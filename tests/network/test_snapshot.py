"""Analysis computes on a read snapshot: other users' writes go through while it runs, and a
failure half-way leaves the case as it was (issue 15 item 9)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tantalio.network import rebuild
from tantalio.network.rebuild import rebuild_network

from .test_resolution import build


class WritesWhileComputing:
    """A progress sink that, at every analysis step, writes to the case from another connection
    the way the web UI does (a session row, an audit-like row), with a short lock timeout."""

    def __init__(self, path: Path) -> None:
        self.other = sqlite3.connect(path, timeout=0.5, isolation_level=None)
        self.writes = 0

    def phase(self, name: str, total_files: int, total_bytes: int) -> None:
        pass

    def advance(self, files: int, nbytes: int) -> None:
        self.other.execute("BEGIN IMMEDIATE")
        self.other.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('web.probe', ?)", (str(self.writes),))
        self.other.execute("COMMIT")
        self.writes += 1

    def done(self) -> None:
        pass


def test_other_writers_are_not_locked_out_while_analysis_computes(tmp_path: Path) -> None:
    store = build(tmp_path)
    probe = WritesWhileComputing(store.folder / "case.sqlite")
    summary = rebuild_network(store, probe)
    assert probe.writes == len(rebuild.STEPS)
    assert store.meta("web.probe") == str(len(rebuild.STEPS) - 1)
    assert summary["write_lock_seconds"] < 5
    assert store.conn.execute("SELECT count(*) FROM person").fetchone()[0] == summary["persons"]
    assert store.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'analyze.network'").fetchone()[0] == 1
    assert store.verify_audit() is None
    # no shadow is left on the connection: its reads see the case again
    assert not store.conn.execute("SELECT name FROM sqlite_temp_master WHERE name IN ('person', 'post')").fetchall()
    # published by swapping staged tables: nothing staged is left, every reference holds, and the
    # indexes came along (their names alternate between runs)
    rebuild_network(store)
    assert not store.conn.execute("SELECT name FROM sqlite_master WHERE name GLOB '*__next' OR name GLOB '*__old'"
                                  ).fetchall()
    assert not store.conn.execute("PRAGMA foreign_key_check").fetchall()
    indexes = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'post'"
                                                " AND type = 'index'")}
    assert indexes == {"post_family", "post_sha256"}   # post_sha256: migration 0016 (export slices)
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_failure_while_computing_leaves_the_case_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = build(tmp_path)
    rebuild_network(store)
    before = {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()  # noqa: S608
              for t in ("person", "person_role", "post", "identifier", "person_label")}

    def broken(*args: object) -> None:
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(rebuild, "write_scores", broken)
    with pytest.raises(RuntimeError):
        rebuild_network(store)
    after = {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in before}  # noqa: S608
    assert after == before and not store.conn.in_transaction
