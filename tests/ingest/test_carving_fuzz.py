"""The carver and the page-by-page salvage read raw pages of damaged files: flipped bytes,
zeroed or duplicated pages and cut files must never make them raise or hang."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from tantalio.ingest.btree_salvage import salvage_by_pages
from tantalio.ingest.deleted_rows import carve_rows

from .deleted_fixture import build_android


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_android(tmp_path_factory.mktemp("fuzz"), count=300, wal=True).path


def _mutate(data: bytearray, rng: random.Random, page: int) -> bytearray:
    kind = rng.randrange(4)
    if kind == 0:
        for _ in range(rng.randrange(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1:
        at = rng.randrange(len(data) // page) * page
        data[at:at + page] = bytes(page)
    elif kind == 2:
        a, b = (rng.randrange(len(data) // page) * page for _ in range(2))
        data[b:b + page] = data[a:a + page]
    else:
        del data[rng.randrange(100, len(data)):]
    return data


@pytest.mark.parametrize("seed", range(24))
def test_damaged_pages_never_crash_the_carver_or_the_salvage(planted: Path, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    live = tmp_path / "live.db"
    shutil.copy(planted, live)
    shutil.copy(f"{planted}-wal", f"{live}-wal")
    conn = sqlite3.connect(live)  # the live view the parser had, from the sound copy
    db = tmp_path / "msgstore.db"
    db.write_bytes(bytes(_mutate(bytearray(planted.read_bytes()), rng, 4096)))
    wal = tmp_path / "msgstore.db-wal"
    wal.write_bytes(bytes(_mutate(bytearray(Path(f"{planted}-wal").read_bytes()), rng, 4096 + 24)))
    with open(db, "rb") as f, open(wal, "rb") as w:
        try:
            carve_rows(conn, f, w)
        except ValueError as e:  # a header that is no longer SQLite's: refused up front
            assert "page size" in str(e) or "not an SQLite" in str(e)
    conn.close()
    try:
        rows, orphans = salvage_by_pages(db, tmp_path / "recovered.db")
    except ValueError as e:  # the same refusal; the pipeline reports it as "not recovered"
        assert "page size" in str(e) or "not an SQLite" in str(e)
    else:
        assert rows >= 0 and orphans >= 0


@pytest.mark.parametrize("length", [16, 21, 99])
def test_a_header_cut_short_is_refused_with_a_reason(tmp_path: Path, length: int) -> None:
    """Found by the Android fuzz test: the SQLite magic followed by a cut header (a file truncated
    within its first 100 bytes) must be an error the salvage reports, not an IndexError."""
    cut = tmp_path / "msgstore.db"
    cut.write_bytes((b"SQLite format 3\x00" + b"\x10\x00\x01\x01" + b"\x00" * 100)[:length])
    with pytest.raises(ValueError, match="truncated"):
        salvage_by_pages(cut, tmp_path / "out.db")
