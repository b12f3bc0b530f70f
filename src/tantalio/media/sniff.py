"""Content type from magic bytes, never from the file name.

NAME: sniff
FORMAT: the first 64 bytes of a file (``Digests.head`` from intake, so no re-read).
REFERENCES: JPEG (ITU T.81 SOI FFD8FF), PNG (RFC 2083 signature), GIF87a/89a, RIFF/WEBP,
BMP "BM", TIFF "II*\\0"/"MM\\0*", ISO-BMFF ``ftyp`` brands (ISO/IEC 14496-12; HEIF brands from
ISO/IEC 23008-12), EBML 1A45DFA3 (Matroska/WebM, DocType decides), PDF "%PDF-", ZIP "PK\\3\\4",
"SQLite format 3\\0", Ogg "OggS" (Opus when the first page carries "OpusHead").

Messaging exports rename media freely (WhatsApp ``.opus``, Telegram ``.file``) and offenders
rename deliberately, so the extension is never consulted.
"""

from __future__ import annotations

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}
_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V ",
               b"MSNV", b"f4v "}
_QT_BRANDS = {b"qt  "}
_M4A_BRANDS = {b"M4A ", b"M4B "}


def _ftyp(head: bytes) -> str | None:
    major = head[8:12]
    # compatible brands follow the minor version; consult them when the major brand is unknown
    box_size = int.from_bytes(head[0:4], "big")
    compatible = [head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)]
    for brand in [major, *compatible]:
        if brand == b"avif":
            return "image/avif"
        if brand in _HEIF_BRANDS:
            return "image/heic" if brand in {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"} else "image/heif"
        if brand.startswith(b"3g2"):
            return "video/3gpp2"
        if brand.startswith(b"3gp"):
            return "video/3gpp"
        if brand in _QT_BRANDS:
            return "video/quicktime"
        if brand in _M4A_BRANDS:
            return "audio/mp4"
        if brand in _MP4_BRANDS:
            return "video/mp4"
    return None


def sniff(head: bytes) -> str | None:
    """The MIME type of a file from its first bytes (64 are enough), or None when unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:2] == b"BM" and len(head) >= 14 and int.from_bytes(head[2:6], "little") >= 14:
        return "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _ftyp(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in head else "video/x-matroska"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "application/zip"
    if head.startswith(b"SQLite format 3\x00"):
        return "application/vnd.sqlite3"
    if head.startswith(b"OggS"):
        return "audio/ogg; codecs=opus" if b"OpusHead" in head else "audio/ogg"
    return None


def is_image(mime: str | None) -> bool:
    return mime is not None and mime.startswith("image/")


def is_video(mime: str | None) -> bool:
    return mime is not None and mime.startswith("video/")
