"""Reading a media item's bytes back from the evidence, and the images the UI sends.

Evidence is opened read-only through the same EvidenceTree that ingest used (folders and zips
read in place), and the bytes are checked against the recorded SHA-256 before anything is shown.
Images are always re-encoded server-side: a blurred greyscale preview by default, a downscaled
PNG on reveal. The original bytes leave only as an attachment.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from pathlib import Path

from PIL import Image, ImageFilter, ImageOps

from tantalio.errors import EvidenceError
from tantalio.ingest.sources import EvidenceTree
from tantalio.store import CaseStore
from tantalio.store.sqlite import exhibit_sources

try:  # HEIC photos from iPhones; pillow-heif is a declared dependency
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover
    pass

MAX_BYTES = 256 * 1024 * 1024
MAX_PIXELS = 180_000_000
PREVIEW_SIZE = 96
PREVIEW_BLUR = 6  # on a 96 px image this leaves shapes and tones, no detail
REVEAL_SIZE = 1024


class MediaUnavailable(Exception):
    """The item's bytes are not in the evidence any more, or cannot be decoded."""


def read_media(store: CaseStore, sha256: str) -> bytes:
    """The item's bytes from any evidence file recorded with that SHA-256 (verified)."""
    files = store.conn.execute(
        "SELECT exhibit_id, path, size FROM source_file WHERE sha256=? ORDER BY exhibit_id, path", (sha256,)
    ).fetchall()
    for exhibit, path, size in files:
        if size > MAX_BYTES:
            raise MediaUnavailable(f"{size} bytes is larger than the UI will load")
        for location, label in exhibit_sources(store.conn, exhibit):
            data = _read_from_source(Path(location), label, path)
            if data is not None and hashlib.sha256(data).hexdigest() == sha256:
                return data
    raise MediaUnavailable("no evidence file with this content is reachable")


def _read_from_source(location: Path, label: str, path: str) -> bytes | None:
    if not location.exists():
        return None
    try:
        tree = EvidenceTree([location], labels=[label])
        local = tree.local_file(path)
        if local is not None:
            return local.read_bytes()
        if "!/" not in path and location.is_dir():
            return None
        outer = path.split("!/", 1)[0]
        outer_file = tree.local_file(outer) if location.is_dir() else None
        if outer_file is not None:
            # A zip inside a folder: walk only that zip, not the whole exhibit.
            tree = EvidenceTree([outer_file], labels=[outer])
        if path not in tree.entries():
            return None
        with tree.open(path) as f:
            return f.read(MAX_BYTES + 1)
    except (EvidenceError, OSError):
        return None


def _decode(data: bytes) -> Image.Image:
    try:
        opened = Image.open(io.BytesIO(data))
        if opened.width * opened.height > MAX_PIXELS:
            raise MediaUnavailable("image declares too many pixels")
        opened.draft("RGB", (REVEAL_SIZE, REVEAL_SIZE))  # JPEG: decode at reduced size, cheaper
        img = ImageOps.exif_transpose(opened)
        img.load()
        return img
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as e:
        raise MediaUnavailable(f"not a decodable image: {e}") from e


def blurred_preview(data: bytes) -> bytes:
    """Small, greyscale, strongly blurred PNG: enough to sort and triage, not to see."""
    img = _decode(data).convert("L")
    img.thumbnail((PREVIEW_SIZE, PREVIEW_SIZE))
    img = img.filter(ImageFilter.GaussianBlur(PREVIEW_BLUR))
    return _png(img)


def revealed_image(data: bytes) -> bytes:
    """The image itself, downscaled and re-encoded (drops metadata and anything that is not pixels)."""
    img = _decode(data)
    img = img.convert("RGBA" if img.mode in ("RGBA", "LA", "P") else "RGB")
    img.thumbnail((REVEAL_SIZE, REVEAL_SIZE))
    return _png(img)


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False)
    return out.getvalue()


class PreviewCache:
    """Blurred previews kept in memory (never on disk): the queue shows the same ones repeatedly."""

    def __init__(self, capacity: int = 512) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, sha256: str) -> bytes | None:
        with self._lock:
            found = self._items.get(sha256)
            if found is not None:
                self._items.move_to_end(sha256)
            return found

    def put(self, sha256: str, preview: bytes) -> None:
        with self._lock:
            self._items[sha256] = preview
            self._items.move_to_end(sha256)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
