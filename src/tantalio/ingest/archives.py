"""Tar archives read in place, as full-file-system extraction tools write them (``.tar``,
``.tar.gz``/``.tgz``).

Nothing is extracted: every member is read through the archive. A plain tar is read by seeking
to each member's data. A gzip-compressed tar cannot seek, so the walk, which decompresses it
once anyway, records seek points (the decompressor's state every few MB, as zlib's ``zran``
example does); opening a member later resumes from the nearest seek point, or from a stream
already positioned before it, so reading members in archive order costs one pass and reading
one out of order costs at most the distance between seek points.

Member names follow the zip rules (:func:`tantalio.ingest.sources.safe_member_name`): ``..`` is
refused. A leading ``/`` is dropped, as GNU tar does when it extracts (``/private/var/…`` is the
device path, not an instruction to write at the root). Links, devices and sparse members carry
no content of their own: hard links are read as their target, the rest are counted in one
refusal per archive. Members declaring more than the zip limit, or an archive expanding beyond
the zip ratio, are refused as bombs.
"""

from __future__ import annotations

import bisect
import io
import tarfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import BinaryIO

from tantalio.errors import UnsafeEntry

TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz")
UNSUPPORTED_TAR_SUFFIXES = (".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst")
GZIP_MAGIC = b"\x1f\x8b"
_IN_CHUNK = 1 << 16
_SKIP_CHUNK = 1 << 20
_POOL = 4
MIN_SPACING = 8 << 20
MAX_SEEK_POINTS = 4096


def tar_kind(name: str, head: bytes) -> str | None:
    """``'tar'``, ``'tar.gz'``, ``'unsupported'`` (bz2/xz/zstd tars) or None, from name and magic."""
    low = name.lower()
    if low.endswith((".tar.gz", ".tgz")):
        return "tar.gz" if head.startswith(GZIP_MAGIC) else None
    if low.endswith(".tar"):
        return "tar" if len(head) >= 262 and head[257:262] == b"ustar" or _old_tar(head) else None
    if low.endswith(UNSUPPORTED_TAR_SUFFIXES):
        return "unsupported"
    return None


def _old_tar(head: bytes) -> bool:
    """A pre-POSIX (v7) tar has no ``ustar`` magic: check the header checksum instead."""
    if len(head) < 512:
        return False
    try:
        stored = int(head[148:156].split(b"\0", 1)[0].strip() or b"-1", 8)
    except ValueError:
        return False
    return stored == sum(head[:148]) + 8 * 32 + sum(head[156:512])


def safe_tar_name(name: str) -> str:
    from tantalio.ingest.sources import safe_member_name

    clean = name.replace("\\", "/")
    while clean.startswith("/"):
        clean = clean[1:]
    return safe_member_name(clean)


# -- gzip with seek points ------------------------------------------------------------------
@dataclass(slots=True)
class _SeekPoint:
    upos: int                  # uncompressed offset
    cpos: int                  # offset in the compressed file of the next byte not yet consumed
    state: zlib._Decompress | None  # None: the start of a gzip member


@dataclass(slots=True)
class _SeekIndex:
    spacing: int
    points: list[_SeekPoint] = field(default_factory=lambda: [_SeekPoint(0, 0, None)])

    def maybe_add(self, upos: int, cpos: int, state: zlib._Decompress) -> None:
        if upos - self.points[-1].upos >= self.spacing and len(self.points) < MAX_SEEK_POINTS:
            self.points.append(_SeekPoint(upos, cpos, state.copy()))

    def before(self, upos: int) -> _SeekPoint:
        i = bisect.bisect_right([p.upos for p in self.points], upos) - 1
        return self.points[max(i, 0)]


class _GzipStream:
    """Decompresses a (possibly multi-member) gzip file from a seek point, forward only."""

    def __init__(self, raw: BinaryIO, point: _SeekPoint, index: _SeekIndex | None = None) -> None:
        self.raw = raw
        raw.seek(point.cpos)
        self.cpos, self.upos = point.cpos, point.upos
        self.d = point.state.copy() if point.state is not None else zlib.decompressobj(31)
        self.fresh = point.state is None   # a new gzip member: nothing consumed yet
        self.members = 0 if point.upos == 0 else 1
        self.pending = b""
        self.index = index

    def read(self, n: int = -1) -> bytes:
        n = _SKIP_CHUNK if n is None or n < 0 else n
        while True:
            if not self.pending:
                self.pending = self.raw.read(_IN_CHUNK)
                if not self.pending:
                    if not self.fresh:
                        raise EOFError("compressed archive ends in the middle of its data (truncated?)")
                    return b""
            if self.fresh and self.members and not self.pending.strip(b"\0"):
                self.cpos += len(self.pending)  # zero padding after the last member
                self.pending = b""
                continue
            before = len(self.pending)
            try:
                out = self.d.decompress(self.pending, n)
            except zlib.error as e:
                if self.fresh and self.members:  # trailing bytes that are no gzip member: the end
                    self.pending = b""
                    return b""
                # a ValueError, like every other damaged-input error readers of evidence handle
                raise ValueError(f"damaged gzip data near compressed byte {self.cpos}: {e}") from e
            self.fresh = False
            if self.d.eof:
                rest = self.d.unused_data
                self.cpos += before - len(rest)
                self.pending = rest
                self.d = zlib.decompressobj(31)
                self.fresh = True
                self.members += 1
            else:
                self.pending = self.d.unconsumed_tail
                self.cpos += before - len(self.pending)
            self.upos += len(out)
            if self.index is not None and not self.fresh:
                self.index.maybe_add(self.upos, self.cpos, self.d)
            if out:
                return out

    def skip(self, count: int) -> None:
        while count > 0:
            got = self.read(min(count, _SKIP_CHUNK))
            if not got:
                raise EOFError("compressed archive ends before the member's data")
            count -= len(got)

    def close(self) -> None:
        self.raw.close()


class _Source:
    """Positioned readers over an archive's uncompressed bytes."""

    def __init__(self, opener: Callable[[], BinaryIO], index: _SeekIndex | None) -> None:
        self.opener = opener
        self.index = index  # None: a plain tar, seekable as it is
        self._pool: list[_GzipStream] = []
        self._lock = threading.Lock()

    def acquire(self, offset: int) -> _GzipStream | BinaryIO:
        if self.index is None:
            raw = self.opener()
            raw.seek(offset)
            return raw
        with self._lock:
            ready = [s for s in self._pool if s.upos <= offset]
            best = max(ready, key=lambda s: s.upos) if ready else None
            point = self.index.before(offset)
            if best is not None and best.upos >= point.upos:
                self._pool.remove(best)
                stream = best
            else:
                stream = None
        if stream is None:
            stream = _GzipStream(self.opener(), point)
        try:
            stream.skip(offset - stream.upos)
        except BaseException:
            stream.close()
            raise
        return stream

    def release(self, stream: _GzipStream | BinaryIO) -> None:
        if not isinstance(stream, _GzipStream):
            stream.close()
            return
        with self._lock:
            self._pool.append(stream)
            if len(self._pool) > _POOL:
                oldest = min(self._pool, key=lambda s: s.upos)
                self._pool.remove(oldest)
                oldest.close()


class _MemberReader(io.RawIOBase):
    """One tar member's bytes, read in place; seekable (forward cheaply, backward by reopening)."""

    def __init__(self, source: _Source, offset: int, size: int) -> None:
        self._source, self._offset, self._size = source, offset, size
        self._pos = 0
        self._stream: _GzipStream | BinaryIO | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        want = min(len(b), self._size - self._pos)
        if want <= 0:
            return 0
        if self._stream is None:
            self._stream = self._source.acquire(self._offset + self._pos)
        data = self._stream.read(want)
        if not data:
            raise EOFError("archive ends inside this member")
        b[:len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        target = {0: offset, 1: self._pos + offset, 2: self._size + offset}[whence]
        target = max(0, min(target, self._size))
        if target != self._pos and self._stream is not None:
            if target > self._pos and isinstance(self._stream, _GzipStream):
                self._stream.skip(target - self._pos)
            else:
                self._source.release(self._stream)
                self._stream = None
        self._pos = target
        return target

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if self._stream is not None:
            self._source.release(self._stream)
            self._stream = None
        super().close()


# -- walking ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TarMember:
    """A member found in a tar: its path inside the archive, size and how to open it."""

    name: str
    size: int
    mtime: float | None
    opener: Callable[[], BinaryIO]


class _Walk(io.RawIOBase):
    """The walk's own sequential reader (records the seek points of a gzip archive)."""

    def __init__(self, stream: _GzipStream) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(b))
        b[:len(data)] = data
        return len(data)


def walk_tar(opener: Callable[[], BinaryIO], kind: str, archive_size: int,
             refuse: Callable[[str, str], None], max_member: int, max_ratio: int,
             ratio_floor: int) -> Iterator[TarMember]:
    """Members of a tar (``kind`` from :func:`tar_kind`); problems go to ``refuse(name, why)``."""
    if kind == "unsupported":
        refuse("", "bzip2/xz/zstd-compressed tar: not read in place (decompress it into a copy outside the"
                   " evidence folder, or ask for .tar, .tar.gz or .zip)")
        return
    index = _SeekIndex(max(MIN_SPACING, 4 * archive_size // MAX_SEEK_POINTS)) if kind == "tar.gz" else None
    source = _Source(opener, index)
    try:
        raw = opener()
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:  # a damaged zip holding the tar
        refuse("", f"unreadable archive: {e}")
        return
    skipped: dict[str, int] = {}
    seen: dict[str, tuple[int, int]] = {}
    total = 0
    try:
        if index is not None:
            tf = tarfile.open(fileobj=io.BufferedReader(_Walk(_GzipStream(raw, index.points[0], index)),
                                                       buffer_size=_IN_CHUNK), mode="r|")
        else:
            tf = tarfile.open(fileobj=raw, mode="r:" if raw.seekable() else "r|")
        with tf:
            while True:
                info = tf.next()
                if info is None:
                    break
                tf.members.clear()  # type: ignore[attr-defined]  # our own map: a million TarInfos add up
                found = _member(info, source, seen, skipped, refuse, max_member)
                if found is None:
                    continue
                total += found.size
                if kind == "tar.gz" and total > ratio_floor and total > max_ratio * max(archive_size, 1):
                    refuse("", f"archive expands more than {max_ratio}x: refused as a bomb after {len(seen)} members")
                    return
                yield found
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as e:
        refuse("", f"unreadable tar after {len(seen)} members: {e}")
    finally:
        raw.close()
        if skipped:
            refuse("", "not read (no content of their own): " + ", ".join(f"{n} {k}" for k, n in sorted(skipped.items())))


def _member(info: tarfile.TarInfo, source: _Source, seen: dict[str, tuple[int, int]], skipped: dict[str, int],
            refuse: Callable[[str, str], None], max_member: int) -> TarMember | None:
    if info.isdir():
        return None
    try:
        name = safe_tar_name(info.name)
    except UnsafeEntry as e:
        refuse(info.name, str(e))
        return None
    if not name:
        return None
    if info.islnk():  # a hard link's content is its target's
        target = seen.get(safe_tar_name(info.linkname)) if info.linkname else None
        if target is None:
            skipped["hard links to members not seen before them"] = skipped.get(
                "hard links to members not seen before them", 0) + 1
            return None
        offset, size = target
    elif info.isreg() and not info.issparse():
        offset, size = info.offset_data, info.size
    else:
        kind = "symbolic links" if info.issym() else "sparse files" if info.issparse() else "devices, fifos and others"
        skipped[kind] = skipped.get(kind, 0) + 1
        return None
    if size > max_member:
        refuse(name, f"member declares {size} bytes (limit {max_member})")
        return None
    if name in seen:
        refuse(name, "duplicate member name in tar; first kept")
        return None
    seen[name] = (offset, size)
    return TarMember(name, size, float(info.mtime) if info.mtime else None,
                     partial(_MemberReader, source, offset, size))  # type: ignore[arg-type]
