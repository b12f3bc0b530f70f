"""Pausing CPython's cyclic garbage collector while a parser builds records.

The collector runs a pass every few hundred new container objects, and a full pass over every
live container whenever their number has grown by a quarter. A parser builds hundreds of
thousands of records that all stay alive until they are written, and a record is a tuple
subclass the collector never stops watching, so those passes add up to a third of the parse of
a large export while finding nothing: records hold no cycles. Pausing it for one source file is
the remedy Mercurial uses (``util.nogc``) for the same reason. Reference counting still frees
everything as usual; only cycles wait until the pause ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic GC for the block; nested and concurrent pauses restore it once, when the
    last one ends, to the state it had before the first."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
