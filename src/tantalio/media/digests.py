"""MD5, SHA-1 and SHA-256 of a stream in one read.

Custody hashing on arrival uses this, so every evidence file is read once for all three
digests and media triage never reads a file again for digests.

MD5 cannot be vectorised and is the slowest of the three (HASHING.md §4), so for files larger
than one block it runs on a helper thread while the calling thread does SHA-1 and SHA-256 and
reads the next block into a second buffer. hashlib releases the GIL on large updates, so the
two lanes really run in parallel; blocks reach MD5 strictly in order.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

BLOCK = 1 << 20
HEAD = 64
_md5_lane = ThreadPoolExecutor(max_workers=8, thread_name_prefix="tantalio-md5")


@dataclass(frozen=True, slots=True)
class Digests:
    md5: str
    sha1: str
    sha256: str
    size: int
    head: bytes
    """The first bytes of the file, for content sniffing (magic numbers) without a re-read."""


def _reader(stream: BinaryIO):  # type: ignore[no-untyped-def]
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        return readinto

    def fallback(buf: bytearray) -> int:
        data = stream.read(len(buf))
        buf[: len(data)] = data
        return len(data)

    return fallback


def digest_stream(stream: BinaryIO, limit: int | None = None) -> Digests:
    """Hash ``stream`` to its end in one pass. ``limit``: refuse streams longer than this
    (a zip member that inflates beyond its declared size)."""
    md5, sha1, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha1(usedforsecurity=False), hashlib.sha256()
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
