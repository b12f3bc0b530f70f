from __future__ import annotations

import io

import pytest
from PIL import Image

from tantalio.media.sniff import is_image, is_video, sniff

from .pictures import abstract_picture


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00" * 16


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (_ftyp(b"heic", b"mif1", b"heic"), "image/heic"),
        (_ftyp(b"mif1", b"heic"), "image/heif"),
        (_ftyp(b"msf1"), "image/heif"),
        (_ftyp(b"hevc"), "image/heic"),
        (_ftyp(b"isom", b"iso2", b"mp41"), "video/mp4"),
        (_ftyp(b"mp42"), "video/mp4"),
        (_ftyp(b"3gp4"), "video/3gpp"),
        (_ftyp(b"qt  "), "video/quicktime"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", "video/x-matroska"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"PK\x03\x04\x14\x00", "application/zip"),
        (b"SQLite format 3\x00" + b"\x10\x00", "application/vnd.sqlite3"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead", "audio/ogg; codecs=opus"),
        (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
        (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
        (b"", None),
        (b"hello world, plain text", None),
    ],
)
def test_magic_bytes(head: bytes, mime: str | None) -> None:
    assert sniff(head[:64]) == mime


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp"), ("BMP", "image/bmp"),
     ("TIFF", "image/tiff")],
)
def test_images_pillow_writes(fmt: str, mime: str) -> None:
    buffer = io.BytesIO()
    abstract_picture(3, (64, 48)).save(buffer, fmt)
    assert sniff(buffer.getvalue()[:64]) == mime


def test_heic_written_by_pillow_heif() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    buffer = io.BytesIO()
    try:
        pillow_heif.from_pillow(abstract_picture(3, (64, 48))).save(buffer, quality=80)
    except (ValueError, RuntimeError) as err:  # a build without an HEVC encoder
        pytest.skip(f"pillow-heif cannot encode here: {err}")
    assert sniff(buffer.getvalue()[:64]) in ("image/heic", "image/heif")
    assert Image.open(buffer).size == (64, 48)


def test_kind_predicates() -> None:
    assert is_image("image/jpeg") and not is_image("video/mp4") and not is_image(None)
    assert is_video("video/webm") and not is_video("image/png") and not is_video(None)
