"""Evidence containers read in place: folders, zips (safely) and single files.

Nothing here writes beside evidence. Files are opened read-only (with ``O_NOATIME`` where
the OS allows it); zip members are read through the archive, never extracted next to it.
A member whose name would escape the archive root (``..``, absolute or drive paths) is
refused, and so are members whose declared size or compression ratio marks a zip bomb.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

from tantalio.errors import EvidenceError, UnsafeEntry
from tantalio.ingest.archives import TAR_SUFFIXES, UNSUPPORTED_TAR_SUFFIXES, tar_kind, walk_tar
from tantalio.ingest.backups import ios_backup_view, is_ios_backup, ufdr_names

MAX_MEMBER_BYTES = 64 << 30
"""A zip member declaring more than this is refused."""
MAX_RATIO = 200
"""A member expanding more than this many times (and beyond ``RATIO_FLOOR``) is a bomb."""
RATIO_FLOOR = 64 << 20
MAX_NESTING = 2
"""Zips inside zips are read to this depth (an iOS export zip inside a phone extraction zip)."""


@dataclass(frozen=True, slots=True)
class RawEntry:
    """A file found while walking an exhibit, before hashing."""

    path: str
    size: int
    mtime: float | None
    opener: Callable[[], BinaryIO]


@dataclass(frozen=True, slots=True)
class Refusal:
    """A file that was found but could not or must not be read, with the reason."""

    path: str
    reason: str


class ReadDamage(OSError):
    """Evidence that could not be read to its end intact (raised at the point of damage)."""


READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError, EOFError, zlib.error, zipfile.BadZipFile, RuntimeError, NotImplementedError,
)
"""What reading damaged evidence raises: I/O errors, truncated or corrupt compressed data, bad
CRCs, members that are encrypted (RuntimeError) or use a compression we lack."""


def describe_read_error(e: BaseException) -> str:
    """One line naming the cause, e.g. ``zlib.error: Error -3 while decompressing data``."""
    if isinstance(e, OSError) and e.strerror and not isinstance(e, ReadDamage):
        return f"{type(e).__name__}: {e.strerror}"
    kind = "zlib.error" if isinstance(e, zlib.error) else type(e).__name__
    return f"{kind}: {e}" if str(e) else kind


class _ReadStream(io.RawIOBase):
    """A readable raw stream whose subclass provides ``read``; ``readinto`` copies from it."""

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(b))
        n = len(data)
        b[:n] = data
        return n


class TolerantReader(_ReadStream):
    """Reads an evidence stream up to the first failure, then reports end of data.

    Hashing and parsing a damaged file both keep every byte before the damage; ``error``
    names the damage and ``bytes_read`` says how far the read got. ``opener`` failing (an
    encrypted member, a file the OS refuses) counts as damage at byte 0.
    """

    def __init__(self, opener: Callable[[], BinaryIO]) -> None:
        self.bytes_read = 0
        self.error: str | None = None
        self._inner: BinaryIO | None = None
        try:
            self._inner = opener()
        except READ_ERRORS as e:
            self.error = describe_read_error(e)

    def binary(self) -> BinaryIO:
        return cast(BinaryIO, self)

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        if size is None or size < 0:
            parts = []
            while chunk := self.read(1 << 20):
                parts.append(chunk)
            return b"".join(parts)
        if self._inner is None or self.error is not None:
            return b""
        try:
            data = self._inner.read(size)
        except READ_ERRORS as e:
            self.error = describe_read_error(e)
            return b""
        self.bytes_read += len(data)
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def seekable(self) -> bool:
        return self._inner is not None and self._inner.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        if self._inner is None:
            raise OSError("unreadable evidence stream")
        return self._inner.seek(offset, whence)

    def tell(self) -> int:
        return self._inner.tell() if self._inner is not None else 0

    def close(self) -> None:
        if not self.closed and self._inner is not None:
            self._inner.close()
        super().close()


def _open_readonly(path: Path) -> BinaryIO:
    flags = os.O_RDONLY | getattr(os, "O_NOATIME", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        if not getattr(os, "O_NOATIME", 0):
            raise
        fd = os.open(path, os.O_RDONLY)  # O_NOATIME needs ownership; fall back
    return os.fdopen(fd, "rb", buffering=0)


def safe_member_name(name: str) -> str:
    """The member's path inside the archive, or :class:`UnsafeEntry` if it would escape."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":"):
        raise UnsafeEntry(f"absolute path in archive: {name!r}")
    parts = PurePosixPath(clean).parts
    if any(p == ".." for p in parts):
        raise UnsafeEntry(f"path escapes the archive root: {name!r}")
    return "/".join(p for p in parts if p not in ("", "."))


def check_bomb(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_MEMBER_BYTES:
        raise UnsafeEntry(f"member declares {info.file_size} bytes (limit {MAX_MEMBER_BYTES})")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise UnsafeEntry(
            f"member expands {info.file_size / max(info.compress_size, 1):.0f}x: refused as a zip bomb"
        )


ZIP_SUFFIXES = (".zip", ".ufdr")
"""Zips walked in place; a ``.ufdr`` (Cellebrite report) is a zip whose report.xml names its members."""
ARCHIVE_SUFFIXES = ZIP_SUFFIXES + TAR_SUFFIXES + UNSUPPORTED_TAR_SUFFIXES


def is_zip(head: bytes, name: str) -> bool:
    return head[:4] == b"PK\x03\x04" and name.lower().endswith(ZIP_SUFFIXES)


class EvidenceTree:
    """All files of one exhibit, from one or more sources (folders, zips, single files).

    With one source, paths are relative to it (a zip's members at the root); with several,
    each source's paths are prefixed by its name. Zips found inside are walked too, their
    members written ``box.zip!/member``.
    """

    def __init__(self, sources: list[Path], labels: list[str] | None = None) -> None:
        if not sources:
            raise EvidenceError("no evidence source given")
        self.sources = [Path(s) for s in sources]
        for s in self.sources:
            if not s.exists():
                raise EvidenceError(f"{s}: no such file or folder")
        if labels is not None and len(labels) != len(self.sources):
            raise ValueError("one label per source")
        self._given_labels = labels
        self.refusals: list[Refusal] = []
        self._entries: dict[str, RawEntry] = {}
        self._walked = False

    def labels(self) -> list[str]:
        """The path prefix of each source's files ('' for a source ingested alone)."""
        return self._labels()

    def _labels(self) -> list[str]:
        if self._given_labels is not None:
            return list(self._given_labels)
        if len(self.sources) == 1:
            return [""]
        labels: list[str] = []
        for s in self.sources:
            label = s.name or "source"
            while label in labels:
                label += "_"
            labels.append(label)
        return labels

    def walk(self) -> Iterator[RawEntry]:
        """Yield every readable file in a stable order; refusals are collected on the side."""
        for source, label in zip(self.sources, self._labels(), strict=True):
            if source.is_dir():
                yield from self._walk_folder(source, label)
            elif zipfile.is_zipfile(source) and source.suffix.lower() in ZIP_SUFFIXES:
                st = source.stat()
                yield self._remember(RawEntry(label or source.name, st.st_size, st.st_mtime,
                                              partial(_open_readonly, source)))
                yield from self._walk_zip(partial(_open_readonly, source), label + "!" if label else "", 1,
                                          ufdr=source.suffix.lower() == ".ufdr")
            elif source.name.lower().endswith(TAR_SUFFIXES + UNSUPPORTED_TAR_SUFFIXES):
                st = source.stat()
                entry = self._remember(RawEntry(label or source.name, st.st_size, st.st_mtime,
                                                partial(_open_readonly, source)))
                yield entry
                yield from self._walk_nested(entry, 1, prefix=label + "!" if label else "")
            else:
                st = source.stat()
                yield self._remember(RawEntry(label or source.name, st.st_size, st.st_mtime,
                                              partial(_open_readonly, source)))
        self._walked = True

    def _remember(self, entry: RawEntry) -> RawEntry:
        self._entries[entry.path] = entry
        return entry

    def _walk_folder(self, root: Path, label: str) -> Iterator[RawEntry]:
        def onerror(err: OSError) -> None:
            rel = os.path.relpath(err.filename or str(root), root)
            self.refusals.append(Refusal(_join(label, rel.replace(os.sep, "/")), f"unreadable folder: {err.strerror}"))

        backups: list[tuple[Path, dict[str, str], str]] = []  # iOS backup roots: stored name -> device name
        for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
            dirnames.sort()
            here = Path(dirpath)
            while backups and backups[-1][0] not in (here, *here.parents):
                backups.pop()
            if is_ios_backup(filenames):
                view = ios_backup_view(here)
                home = here.relative_to(root).as_posix()
                if view.problem:
                    self.refusals.append(Refusal(_join(label, home if home != "." else ""), view.problem))
                backups.append((here, view.names, _join(label, f"{home}/Manifest.db" if home != "." else "Manifest.db")))
            for fname in sorted(filenames):
                full = here / fname
                rel = _join(label, full.relative_to(root).as_posix())
                if backups and backups[-1][1]:
                    shown = backups[-1][1].get(full.relative_to(backups[-1][0]).as_posix())
                    rel = f"{backups[-1][2]}!/{shown}" if shown else rel
                try:
                    st = full.lstat()
                except OSError as e:
                    self.refusals.append(Refusal(rel, f"cannot stat: {e.strerror}"))
                    continue
                if stat.S_ISLNK(st.st_mode):
                    self.refusals.append(Refusal(rel, f"symbolic link to {os.readlink(full)!r} not followed"))
                    continue
                if not stat.S_ISREG(st.st_mode):
                    self.refusals.append(Refusal(rel, "not a regular file"))
                    continue
                entry = self._remember(RawEntry(rel, st.st_size, st.st_mtime, partial(_open_readonly, full)))
                yield entry
                if rel.lower().endswith(ARCHIVE_SUFFIXES):
                    yield from self._walk_nested(entry, 1)

    def _walk_nested(self, entry: RawEntry, depth: int, prefix: str | None = None) -> Iterator[RawEntry]:
        """Members of an archive found as a file (or given as a source: ``prefix`` is then its label)."""
        if depth > MAX_NESTING:
            return
        try:
            with entry.opener() as f:
                head = f.read(512)
        except (OSError, EOFError, ValueError):
            return  # the unreadable file itself is reported when it is hashed
        prefix = entry.path + "!" if prefix is None else prefix
        kind = tar_kind(entry.path, head)
        if kind is not None:
            yield from self._walk_tar(entry.opener, prefix, kind, entry.size, depth, entry.path)
        elif head[:4] == b"PK\x03\x04":
            yield from self._walk_zip(entry.opener, prefix, depth, ufdr=entry.path.lower().endswith(".ufdr"))

    def _walk_tar(self, opener: Callable[[], BinaryIO], prefix: str, kind: str, size: int,
                  depth: int, where: str) -> Iterator[RawEntry]:
        def refuse(name: str, why: str) -> None:
            self.refusals.append(Refusal(_join(prefix, name) if name else where, why))

        for m in walk_tar(opener, kind, size, refuse, MAX_MEMBER_BYTES, MAX_RATIO, RATIO_FLOOR):
            entry = self._remember(RawEntry(_join(prefix, m.name), m.size, m.mtime, m.opener))
            yield entry
            if m.name.lower().endswith(ARCHIVE_SUFFIXES):
                yield from self._walk_nested(entry, depth + 1)

    def _walk_zip(self, opener: Callable[[], BinaryIO], prefix: str, depth: int,
                  ufdr: bool = False) -> Iterator[RawEntry]:
        try:
            with opener() as raw, zipfile.ZipFile(_seekable(raw)) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            self.refusals.append(Refusal(prefix or "(zip)", f"unreadable zip: {e}"))
            return
        shown: dict[str, str] = {}
        report = next((i for i in infos if i.filename == "report.xml"), None) if ufdr else None
        if report is not None:
            shown = ufdr_names(partial(_ZipMember.open, opener, report),
                               lambda why: self.refusals.append(Refusal(_join(prefix, "report.xml"), why)))
        seen: set[str] = set()
        for info in infos:
            if info.is_dir():
                continue
            try:
                name = safe_member_name(info.filename)
                check_bomb(info)
                device_name = safe_member_name(shown[name]) if name in shown else name
            except UnsafeEntry as e:
                self.refusals.append(Refusal(_join(prefix, info.filename), str(e)))
                continue
            # two UFDR members with one device path (a deleted copy): the second keeps its zip name
            name = device_name if _join(prefix, device_name) not in seen else name
            path = _join(prefix, name)
            if path in seen:
                self.refusals.append(Refusal(path, "duplicate member name in zip; first kept"))
                continue
            seen.add(path)
            entry = self._remember(
                RawEntry(path, info.file_size, None, partial(_ZipMember.open, opener, info))
            )
            yield entry
            if name.lower().endswith(ARCHIVE_SUFFIXES):
                yield from self._walk_nested(entry, depth + 1)

    def open(self, path: str) -> BinaryIO:
        entry = self._entries.get(path)
        if entry is None:
            raise EvidenceError(f"{path}: not part of this exhibit")
        return entry.opener()

    def local_file(self, path: str) -> Path | None:
        """The file's real filesystem path when it is a plain file (not inside a zip)."""
        if "!/" in path:
            return None
        for source, label in zip(self.sources, self._labels(), strict=True):
            if source.is_dir():
                if label and not path.startswith(label + "/"):
                    continue
                cand = source / (path[len(label) + 1:] if label else path)
                if cand.is_file():
                    return cand
            elif path == (label or source.name):
                return source
        return None

    def entries(self) -> dict[str, RawEntry]:
        if not self._walked:
            for _ in self.walk():
                pass
        return self._entries


def recorded_tree(sources: Iterable[tuple[str, str]]) -> EvidenceTree | None:
    """An exhibit's evidence reopened as ingest recorded it: its ``(location, label)`` sources
    that are still present, with the same labels, so paths come out exactly as recorded.
    None when no source is reachable any more."""
    present = [(Path(loc), label) for loc, label in sources if Path(loc).exists()]
    if not present:
        return None
    return EvidenceTree([p for p, _ in present], labels=[label for _, label in present])


def _join(label: str, rel: str) -> str:
    return f"{label}/{rel}" if label else rel


def _seekable(raw: BinaryIO) -> BinaryIO:
    if raw.seekable():
        return raw
    return io.BytesIO(raw.read())


class _ZipMember:
    """Opens one zip member for reading; the archive stays open while the member is read."""

    @staticmethod
    def open(opener: Callable[[], BinaryIO], info: zipfile.ZipInfo) -> BinaryIO:
        raw = opener()
        try:
            zf = zipfile.ZipFile(_seekable(raw))
            member = zf.open(info, "r")
        except Exception:
            raw.close()
            raise
        # zipfile checks the CRC inside the read that reaches the end and then drops that read's
        # data: we check it ourselves, after every byte has been handed over (ReadDamage at EOF)
        if hasattr(member, "_expected_crc"):
            member._expected_crc = None
            return _Closing(member, (zf, raw), info.CRC)  # type: ignore[arg-type,return-value]
        return _Closing(member, (zf, raw))  # type: ignore[arg-type,return-value]


class _Closing(_ReadStream):
    def __init__(self, inner: BinaryIO, also: tuple[object, ...], crc: int | None = None) -> None:
        self._inner = inner
        self._also = also
        self._crc_expected = crc
        self._crc = 0
        self._damage: ReadDamage | None = None

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        if self._damage is not None:
            damage, self._damage = self._damage, None
            raise damage
        data = self._inner.read(size)
        if self._crc_expected is not None:
            if data:
                self._crc = zlib.crc32(data, self._crc)
            if not data and size != 0:
                self._check_crc()
            elif size is None or size < 0:
                try:
                    self._check_crc()
                except ReadDamage as e:
                    self._damage = e  # the caller gets every byte now, the verdict on its next read
        return data

    def _check_crc(self) -> None:
        expected, self._crc_expected = self._crc_expected, None  # one verdict per read-through
        if expected is not None and self._crc != expected:
            raise ReadDamage(f"CRC-32 mismatch (stored {expected:08x}, content {self._crc:08x})")

    def seekable(self) -> bool:
        return self._inner.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        pos = self._inner.seek(offset, whence)
        self._crc_expected = None  # a reader that jumps around gets no CRC verdict
        return pos

    def tell(self) -> int:
        return self._inner.tell()

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
            for obj in self._also:
                close = getattr(obj, "close", None)
                if close:
                    close()
        super().close()
