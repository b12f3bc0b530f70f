"""Tar and tar.gz archives read in place: names, content, custody, links, traversal, bombs and
damage. Every archive here is built by the test from invented bytes."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tantalio.ingest import archives
from tantalio.ingest.archives import tar_kind, walk_tar
from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.ingest.sources import EvidenceTree
from tantalio.store.sqlite import CaseStore

FILES = {
    "private/var/mobile/Containers/Shared/AppGroup/A1/ChatStorage-note.txt": b"synthetic ios bytes " * 50,
    "data/data/com.whatsapp/databases/notes.txt": b"synthetic android bytes " * 40,
    "data/media/0/WhatsApp/Media/WhatsApp Images/IMG-20240101-WA0001.jpg": os.urandom(300_000),
    "data/media/0/WhatsApp Business/Media/WhatsApp Business Images/IMG-20240101-WA0002.jpg": os.urandom(70_000),
}


def _add(tf: tarfile.TarFile, name: str, data: bytes, **extra: object) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in extra.items():
        setattr(info, key, value)
    tf.addfile(info, io.BytesIO(data))


def _build(path: Path, mode: str = "w", prefix: str = "") -> None:
    with tarfile.open(path, mode) as tf:
        for name, data in FILES.items():
            _add(tf, prefix + name, data)
        link = tarfile.TarInfo(prefix + "private/var/mobile/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
        hard = tarfile.TarInfo(prefix + "data/data/com.whatsapp/databases/hardlink.txt")
        hard.type, hard.linkname = tarfile.LNKTYPE, prefix + "data/data/com.whatsapp/databases/notes.txt"
        tf.addfile(hard)
        _add(tf, "../../escape.txt", b"nope")


def _read(tree: EvidenceTree, path: str) -> bytes:
    with tree.open(path) as f:
        return f.read()


@pytest.mark.parametrize(("name", "mode", "prefix"), [("ffs.tar", "w", ""), ("ffs.tar.gz", "w:gz", "/"),
                                                      ("ffs.tgz", "w:gz", "./")])
def test_members_read_in_place(tmp_path: Path, name: str, mode: str, prefix: str) -> None:
    archive = tmp_path / name
    _build(archive, mode, prefix)
    before = sorted(os.listdir(tmp_path))
    tree = EvidenceTree([archive])
    entries = {e.path: e for e in tree.walk()}
    assert set(entries) == {name, *FILES, "data/data/com.whatsapp/databases/hardlink.txt"}
    for member, data in FILES.items():
        assert _read(tree, member) == data and entries[member].size == len(data)
    assert _read(tree, "data/data/com.whatsapp/databases/hardlink.txt") == FILES[
        "data/data/com.whatsapp/databases/notes.txt"]
    reasons = {r.path: r.reason for r in tree.refusals}
    assert "escapes the archive root" in reasons["../../escape.txt"]
    assert reasons[name] == "not read (no content of their own): 1 symbolic links"
    assert sorted(os.listdir(tmp_path)) == before  # nothing written beside the evidence


def test_gzip_members_open_in_any_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MIN_SPACING", 64 << 10)  # many seek points on a small archive
    archive = tmp_path / "ffs.tar.gz"
    big = {f"data/media/0/DCIM/{i:03d}.bin": os.urandom(90_000) for i in range(30)}
    with tarfile.open(archive, "w:gz") as tf:
        for member, data in big.items():
            _add(tf, member, data)
    tree = EvidenceTree([archive])
    list(tree.walk())
    for member in reversed(sorted(big)):  # backwards: every open resumes from a seek point
        assert _read(tree, member) == big[member]
    with tree.open("data/media/0/DCIM/007.bin") as f:  # seeking inside a member
        f.seek(80_000)
        tail = f.read()
        f.seek(10)
        head = f.read(5)
    assert tail == big["data/media/0/DCIM/007.bin"][80_000:] and head == big["data/media/0/DCIM/007.bin"][10:15]


def test_concatenated_gzip_and_trailing_zeros(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tf:
        _add(tf, "a.txt", b"first " * 1000)
        _add(tf, "b.txt", b"second " * 1000)
    data = raw.getvalue()
    archive = tmp_path / "two.tar.gz"
    archive.write_bytes(gzip.compress(data[:4096]) + gzip.compress(data[4096:]) + b"\0" * 512)
    tree = EvidenceTree([archive])
    assert {e.path for e in tree.walk()} == {"two.tar.gz", "a.txt", "b.txt"}
    assert _read(tree, "b.txt") == b"second " * 1000 and tree.refusals == []


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    archive = tmp_path / "cut.tar.gz"
    full = io.BytesIO()
    with tarfile.open(fileobj=full, mode="w:gz") as tf:
        _add(tf, "first.txt", b"kept")
        _add(tf, "second.bin", os.urandom(200_000))
    archive.write_bytes(full.getvalue()[: len(full.getvalue()) // 2])
    tree = EvidenceTree([archive])
    paths = {e.path for e in tree.walk()}
    assert "first.txt" in paths
    assert any("unreadable tar" in r.reason for r in tree.refusals)


def test_bombs_and_unsupported_compression_are_refused(tmp_path: Path) -> None:
    refusals: list[tuple[str, str]] = []
    archive = tmp_path / "big.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        _add(tf, "small.txt", b"x")
        _add(tf, "zeros.bin", bytes(2_000_000))
        _add(tf, "after.txt", b"y")
    opener = lambda: open(archive, "rb")  # noqa: E731
    names = [m.name for m in walk_tar(opener, "tar.gz", archive.stat().st_size, lambda n, w: refusals.append((n, w)),
                                      max_member=1 << 30, max_ratio=10, ratio_floor=1000)]
    assert names == ["small.txt"] and "refused as a bomb" in refusals[0][1]
    refusals.clear()
    assert list(walk_tar(opener, "tar", archive.stat().st_size, lambda n, w: refusals.append((n, w)),
                         max_member=1000, max_ratio=200, ratio_floor=1 << 30)) == []
    assert refusals and "unreadable tar" in refusals[-1][1]  # gzip bytes are no plain tar
    refusals.clear()
    names = [m.name for m in walk_tar(opener, "tar.gz", archive.stat().st_size,
                                      lambda n, w: refusals.append((n, w)), max_member=1000, max_ratio=10**6,
                                      ratio_floor=1 << 40)]
    assert names == ["small.txt", "after.txt"] and refusals == [("zeros.bin", "member declares 2000000 bytes"
                                                                               " (limit 1000)")]
    xz = tmp_path / "ffs.tar.xz"
    xz.write_bytes(b"\xfd7zXZ\x00" + bytes(100))
    tree = EvidenceTree([xz])
    assert [e.path for e in tree.walk()] == ["ffs.tar.xz"]
    assert "not read in place" in tree.refusals[0].reason


def test_tar_kind() -> None:
    header = tarfile.TarInfo("x").tobuf()
    assert tar_kind("a.tar", header) == "tar" and tar_kind("a.TAR.GZ", b"\x1f\x8b\x08") == "tar.gz"
    assert tar_kind("a.tar", b"not a tar") is None and tar_kind("a.tar.gz", b"PK") is None
    assert tar_kind("a.tbz2", b"") == "unsupported" and tar_kind("a.txt", header) is None


def test_nested_archives_in_a_folder(tmp_path: Path) -> None:
    root = tmp_path / "exhibit"
    root.mkdir()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("_chat.txt", "synthetic chat")
    with tarfile.open(root / "extraction.tar", "w") as tf:
        _add(tf, "sdcard/export.zip", inner.getvalue())
    tree = EvidenceTree([root])
    paths = {e.path for e in tree.walk()}
    assert "extraction.tar!/sdcard/export.zip!/_chat.txt" in paths
    assert _read(tree, "extraction.tar!/sdcard/export.zip!/_chat.txt") == b"synthetic chat"


def test_ingest_hashes_every_member(tmp_path: Path) -> None:
    archive = tmp_path / "ffs.tar.gz"
    _build(archive, "w:gz")
    store = CaseStore.create(tmp_path / "case")
    ingest(store, [archive], IngestOptions("EX-01"))
    custody = dict(store.conn.execute("SELECT path, sha256 FROM source_file"))
    for member, data in FILES.items():
        assert custody[member] == hashlib.sha256(data).hexdigest()
    assert custody["ffs.tar.gz"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    warned = {m for (m,) in store.conn.execute("SELECT message FROM warning")}
    assert any("escapes the archive root" in m for m in warned)
    store.close()


def test_android_extraction_in_a_tar(tmp_path: Path) -> None:
    """A msgstore.db with its -wal under data/data and its media under data/media/0, all inside
    one tar.gz: the database (and the row only its WAL holds) is read from a scratch copy in the
    case folder, and the image is linked to its message by the member's path."""
    from tests.ingest.parsers import dbfixtures as fx

    device = tmp_path / "device"
    fx.build_current(device / "data/data/com.whatsapp/databases")
    image = device / "data/media/0/WhatsApp" / fx.IMAGE_REL
    image.parent.mkdir(parents=True)
    image.write_bytes(fx.IMAGE_BYTES)
    archive = tmp_path / "evidence" / "android_ffs.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(device, arcname=".")
    store = CaseStore.create(tmp_path / "case")
    report = ingest(store, [archive], IngestOptions("EX-01"))
    assert report.parsed == {"whatsapp_android": 1} and os.listdir(archive.parent) == ["android_ffs.tar.gz"]
    conn = store.conn
    assert conn.execute("SELECT count(*) FROM message WHERE key_id='WALKEY'").fetchone()[0] == 1
    (path, seen) = conn.execute("SELECT path, seen_as FROM media_ref WHERE sha256=?", (fx.IMAGE_SHA,)).fetchone()
    assert path == f"data/media/0/WhatsApp/{fx.IMAGE_REL}" and seen == "file"
    store.close()


def _valid_archives() -> dict[str, bytes]:
    out = {}
    for name, mode in (("f.tar", "w"), ("f.tar.gz", "w:gz")):
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode=mode) as tf:
            _add(tf, "data/data/com.whatsapp/databases/notes.txt", b"synthetic " * 300)
            _add(tf, "private/var/x.bin", bytes(range(256)) * 20)
            _add(tf, "/abs/y.txt", b"y")
        out[name] = raw.getvalue()
    return out


_VALID = _valid_archives()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(_VALID)), flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
                                                            max_size=12), cut=st.integers(0, 4000))
def test_fuzz_damaged_archives_never_crash(tmp_path_factory: pytest.TempPathFactory, name: str,
                                           flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(_VALID[name])
    for pos, value in flips:
        data[pos % len(data)] = value
    path = tmp_path_factory.mktemp("tarfuzz") / name
    path.write_bytes(bytes(data[: max(1, len(data) - cut)]))
    tree = EvidenceTree([path])
    for entry in list(tree.walk()):
        try:
            with entry.opener() as f:
                while f.read(1 << 16):
                    pass
        except (OSError, ValueError, EOFError):
            pass  # what the custody hashing reports as unreadable
