from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from tantalio.media import digests
from tantalio.media.digests import HEAD, MAP_MIN, digest_file, digest_stream


def _expected(data: bytes) -> tuple[str, str, str]:
    return hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(), hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("size", [0, 1, HEAD + 3, (1 << 20) + 17, MAP_MIN - 1, MAP_MIN, MAP_MIN + (3 << 20) + 5])
def test_file_digests_in_both_lanes_equal_hashlib(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    found = digest_file(str(path))
    assert (found.md5, found.sha1, found.sha256) == _expected(data)
    assert found.size == size and found.head == data[:HEAD]
    streamed = digest_stream(io.BytesIO(data))  # no descriptor: the block path
    assert streamed == found


def test_a_stream_not_at_its_start_is_read_from_where_it_is(tmp_path: Path) -> None:
    data = b"a" * (MAP_MIN + 10)
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    with open(path, "rb") as f:
        f.read(10)
        found = digest_stream(f)
    assert (found.md5, found.size) == (hashlib.md5(data[10:]).hexdigest(), len(data) - 10)


def test_limit_refuses_a_stream_longer_than_declared(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        digest_stream(io.BytesIO(b"z" * 5000), limit=4000)
    path = tmp_path / "big.bin"
    path.write_bytes(b"z" * (MAP_MIN + 1))
    with open(path, "rb") as f, pytest.raises(ValueError):
        digest_stream(f, limit=MAP_MIN)


def test_small_mapping_threshold_still_correct(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many slices (the SHA lane walks the mapping slice by slice)."""
    monkeypatch.setattr(digests, "MAP_MIN", 1024)
    monkeypatch.setattr(digests, "SHA_SLICE", 4096)
    data = bytes(range(256)) * 1000 + b"tail"
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    found = digest_file(str(path))
    assert (found.md5, found.sha1, found.sha256) == _expected(data)


@pytest.mark.parametrize("windows", [1, 3])
def test_a_file_mapped_window_by_window_hashes_as_a_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          windows: int) -> None:
    """A large file is mapped a window at a time (its pages count in RSS one window at a time):
    whole windows, a part window at the end, and a file of exactly whole windows all hash as one."""
    import mmap

    window = mmap.ALLOCATIONGRANULARITY * 4
    monkeypatch.setattr(digests, "MAP_MIN", 1024)
    monkeypatch.setattr(digests, "MAP_WINDOW", window)
    monkeypatch.setattr(digests, "SHA_SLICE", 4096)
    for size in (window * windows, window * windows + 777):
        data = (bytes(range(251)) * (size // 251 + 1))[:size]
        path = tmp_path / f"blob-{size}.bin"
        path.write_bytes(data)
        found = digest_file(str(path))
        assert (found.md5, found.sha1, found.sha256) == _expected(data)
        assert found.size == size and found.head == data[:HEAD]
