"""Fixtures shared by the media tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .pictures import CONFORMANCE, abstract_picture


@pytest.fixture
def conformance() -> Path:
    if not CONFORMANCE.is_dir():
        pytest.skip("shared PDQ conformance data absent")
    return CONFORMANCE


@pytest.fixture
def jpeg_file(tmp_path: Path) -> Path:
    path = tmp_path / "picture.bin"  # the extension is meaningless on purpose
    abstract_picture(1).save(path, "JPEG", quality=90)
    return path
