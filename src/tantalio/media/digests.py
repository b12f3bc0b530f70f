"""MD5, SHA-1 and SHA-256 of a stream in one read.

Custody hashing on arrival uses this, so every evidence file is read once for all three
digests and media triage never reads a file again for digests. hashlib releases the GIL on
large updates, so several files hash in parallel on threads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

BLOCK = 1 << 20
HEAD = 64


@dataclass(frozen=True, slots=True)
class Digests:
    md5: str
    sha1: str
    sha256: str
    size: int
    head: bytes
    """The first bytes of the file, for content sniffing (magic numbers) without a re-read."""


def digest_stream(stream: BinaryIO, limit: int | None = None) -> Digests:
    """Hash ``stream`` to its end (or ``limit`` bytes) in one pass."""
    md5, sha1, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha1(usedforsecurity=False), hashlib.sha256()
    buf = bytearray(BLOCK)
    view = memoryview(buf)
    size = 0
    head = b""
    readinto = getattr(stream, "readinto", None)
    while True:
        if readinto is not None:
            n = readinto(buf)
            chunk = view[:n] if n else b""
        else:
            chunk = stream.read(BLOCK)
            n = len(chunk)
        if not n:
            break
        if size < HEAD:
            head += bytes(chunk[: HEAD - size])
        size += n
        md5.update(chunk)
        sha1.update(chunk)
        sha256.update(chunk)
        if limit is not None and size > limit:
            raise ValueError(f"stream larger than its declared size ({limit} bytes)")
    return Digests(md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), size, head)


def digest_file(path: str) -> Digests:
    with open(path, "rb", buffering=0) as f:
        return digest_stream(f)
