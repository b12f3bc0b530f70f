"""The cyclic GC pause around a parse restores the collector's state exactly once."""

from __future__ import annotations

import gc
import threading

from tantalio.nogc import paused_gc


def test_pause_nests_and_restores() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still runs
    assert gc.isenabled()


def test_pause_keeps_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_in_threads_end_enabled() -> None:
    inside, release = threading.Barrier(3), threading.Event()

    def work() -> None:
        with paused_gc():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    assert not gc.isenabled()
    release.set()
    for t in threads:
        t.join()
    assert gc.isenabled()


def test_pause_ends_on_error() -> None:
    try:
        with paused_gc():
            raise ValueError("parser bug")
    except ValueError:
        pass
    assert gc.isenabled()
