"""MD5, SHA-1 and SHA-256 of a stream in one read.

Custody hashing on arrival uses this, so every evidence file is read once for all three
digests and media triage never reads a file again for digests.

MD5 cannot be vectorised and is the slowest of the three (HASHING.md §4): one core does MD5 at
about the speed SHA-1 and SHA-256 together reach with SHA-NI. So the work runs in two lanes, MD5
on a helper thread and SHA-1 + SHA-256 on the calling thread; hashlib releases the GIL on large
updates, so on two cores the whole costs about what MD5 alone costs (``md5sum``).

* A large regular file is memory-mapped read-only: both lanes hash the same page-cache pages, no
  copy into Python buffers, no hand-off per block. The mapping is private to this call and the
  size is checked again at the end, so a file that changed while it was hashed is an error, not
  a wrong digest.
* Anything else (pipes, zip members, small files) is read in blocks into two alternating buffers;
  MD5 of block n runs while block n+1 is read and SHA-hashed, strictly in order.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import stat
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO

BLOCK = 1 << 20
HEAD = 64
MAP_MIN = 8 << 20
"""Below this a mapping and a thread hop cost more than they save."""
SHA_SLICE = 1 << 20
"""SHA-1 then SHA-256 over the same slice while it sits in the core's cache."""
MAP_WINDOW = 128 << 20
"""A large file is mapped this much at a time (a multiple of mmap.ALLOCATIONGRANULARITY)."""
_md5_lane = ThreadPoolExecutor(max_workers=8, thread_name_prefix="tantalio-md5")


@dataclass(frozen=True, slots=True)
class Digests:
    md5: str
    sha1: str
    sha256: str
    size: int
    head: bytes
    """The first bytes of the file, for content sniffing (magic numbers) without a re-read."""


def _hashers() -> tuple[Any, Any, Any]:
    return hashlib.md5(usedforsecurity=False), hashlib.sha1(usedforsecurity=False), hashlib.sha256()


def _reader(stream: BinaryIO):  # type: ignore[no-untyped-def]
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        return readinto

    def fallback(buf: bytearray) -> int:
        data = stream.read(len(buf))
        buf[: len(data)] = data
        return len(data)

    return fallback


def _mappable_size(stream: BinaryIO) -> int | None:
    """Size of a large regular file read from its start, else None (stream it instead)."""
    try:
        info = os.fstat(stream.fileno())
        at_start = stream.tell() == 0
    except (AttributeError, OSError, ValueError):  # no descriptor: BytesIO, zip member, socket
        return None
    if not stat.S_ISREG(info.st_mode) or not at_start or info.st_size < MAP_MIN:
        return None
    return info.st_size


def digest_stream(stream: BinaryIO, limit: int | None = None) -> Digests:
    """Hash ``stream`` to its end in one pass. ``limit``: refuse streams longer than this
    (a zip member that inflates beyond its declared size)."""
    size = _mappable_size(stream)
    if size is not None and (limit is None or size <= limit):
        return _digest_mapped(stream, size)
    return _digest_blocks(stream, limit)


def _digest_mapped(stream: BinaryIO, size: int) -> Digests:
    """Hash a regular file through ``MAP_WINDOW``-sized read-only mappings, one after another: the
    file's pages count in this process's resident memory only while their window is mapped, so a
    100 GB image costs one window, not 100 GB of RSS (measured: a 0.9 GB hash list mapped whole
    showed as 0.9 GB of peak RSS)."""
    md5, sha1, sha256 = _hashers()
    fd = stream.fileno()
    head = b""
    for offset in range(0, size, MAP_WINDOW):
        length = min(MAP_WINDOW, size - offset)
        with mmap.mmap(fd, length, access=mmap.ACCESS_READ, offset=offset) as mapped:
            if hasattr(mapped, "madvise"):
                mapped.madvise(mmap.MADV_SEQUENTIAL)
            with memoryview(mapped) as view:
                md5_done = _md5_lane.submit(md5.update, view)
                try:
                    for start in range(0, length, SHA_SLICE):
                        part = view[start : start + SHA_SLICE]
                        sha1.update(part)
                        sha256.update(part)
                        part.release()
                finally:
                    md5_done.result()
                if offset == 0:
                    head = bytes(view[:HEAD])
    if os.fstat(fd).st_size != size:
        raise OSError(f"file changed size while it was hashed ({size} -> {os.fstat(fd).st_size} bytes)")
    stream.seek(size)
    return Digests(md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), size, head)


def _digest_blocks(stream: BinaryIO, limit: int | None) -> Digests:
    md5, sha1, sha256 = _hashers()
    read = _reader(stream)
    bufs = (bytearray(BLOCK), bytearray(BLOCK))
    views = (memoryview(bufs[0]), memoryview(bufs[1]))
    size = 0
    head = b""
    i = 0
    n = read(bufs[0])
    pending: Future[None] | None = None
    try:
        while n:
            chunk = views[i][:n]
            if size < HEAD:
                head += bytes(chunk[: HEAD - size])
            size += n
            if limit is not None and size > limit:
                raise ValueError(f"stream larger than its declared size ({limit} bytes)")
            if pending is not None:
                pending.result()  # MD5 of the previous block is done: order kept, its buffer free
                pending = None
            if n == BLOCK or size > BLOCK:
                pending = _md5_lane.submit(md5.update, chunk)
            else:
                md5.update(chunk)  # a small file: a thread hop costs more than it saves
            sha1.update(chunk)
            sha256.update(chunk)
            i ^= 1
            n = read(bufs[i])
    finally:
        if pending is not None:
            pending.result()
    return Digests(md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), size, head)


def digest_file(path: str) -> Digests:
    with open(path, "rb", buffering=0) as f:
        return digest_stream(f)
