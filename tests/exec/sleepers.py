"""Task functions for worker-lifetime tests (workers import them by module name)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def note_pid_and_sleep(folder: str) -> int:
    (Path(folder) / f"{os.getpid()}.pid").write_text("", encoding="utf-8")
    time.sleep(120)
    return os.getpid()
