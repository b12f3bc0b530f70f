"""Greyscale, heavily blurred thumbnails for reports run with ``--thumbnails``.

Media are never embedded in reports. The one exception an analyst can ask for is a thumbnail so
degraded that nothing in it is recognisable (grey, shrunk to 24 pixels, blurred): enough to tell
a photo from a screenshot or to see that two items of a series look alike, nothing more. The
file is read read-only from the evidence through the exhibit's registered sources, and its
SHA-256 must match the media item's, otherwise nothing is shown.
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from tantalio.errors import EvidenceError
from tantalio.ingest.sources import EvidenceTree, recorded_tree
from tantalio.report.caseview import CaseView
from tantalio.store.sqlite import exhibit_sources

MAX_BYTES = 64 * 1024 * 1024
SHRINK = 24      # pixels on the long side before blurring: far below recognisability
SHOWN = 48       # pixels on the long side in the report
BLUR = 3.0

NOT_PRESENT = "file not present"


@dataclass(frozen=True, slots=True)
class Thumbnail:
    sha256: str
    data_uri: str | None      # data:image/png;base64,... or None
    note: str                 # why there is no picture ('' when there is one)


def degrade(raw: bytes) -> bytes:
    """PNG bytes of the unrecognisable thumbnail of a picture."""
    with Image.open(io.BytesIO(raw)) as img:
        img.draft("L", (SHRINK * 4, SHRINK * 4))   # JPEG: decode small, never at full size
        grey = ImageOps.grayscale(img)
    grey.thumbnail((SHRINK, SHRINK))
    big = grey.resize((max(1, grey.width * SHOWN // SHRINK), max(1, grey.height * SHOWN // SHRINK)),
                      Image.Resampling.BILINEAR)
    out = io.BytesIO()
    big.filter(ImageFilter.GaussianBlur(BLUR)).save(out, "PNG")
    return out.getvalue()


class ThumbnailMaker:
    """One per report run: caches each exhibit's evidence tree (walked once)."""

    def __init__(self, view: CaseView) -> None:
        self.view = view
        self._trees: dict[str, EvidenceTree | None] = {}
        self._done: dict[str, Thumbnail] = {}

    def _tree(self, exhibit: str) -> EvidenceTree | None:
        if exhibit not in self._trees:
            try:
                tree = recorded_tree(exhibit_sources(self.view.conn, exhibit))
                if tree is not None:
                    tree.entries()
            except EvidenceError:
                tree = None
            self._trees[exhibit] = tree
        return self._trees[exhibit]

    def get(self, sha256: str) -> Thumbnail:
        if sha256 not in self._done:
            self._done[sha256] = self._make(sha256)
        return self._done[sha256]

    def _make(self, sha256: str) -> Thumbnail:
        rows = self.view.conn.execute(
            "SELECT n.exhibit_id, coalesce(f.path, n.path) FROM media_instance n "
            "LEFT JOIN source_file f ON f.id = n.source_file_id WHERE n.sha256=? AND coalesce(f.path, n.path) IS NOT NULL "
            "ORDER BY n.exhibit_id, 2", (sha256,)).fetchall()
        note = NOT_PRESENT
        for exhibit, path in rows:
            tree = self._tree(exhibit)
            if tree is None or path not in tree.entries():
                continue
            try:
                with tree.open(path) as f:
                    raw = f.read(MAX_BYTES + 1)
            except (OSError, EvidenceError):
                continue
            if len(raw) > MAX_BYTES:
                note = "file too large for a thumbnail"
                continue
            if hashlib.sha256(raw).hexdigest() != sha256:
                note = "file on the evidence no longer matches its SHA-256"
                continue
            try:
                png = degrade(raw)
            except (UnidentifiedImageError, OSError, ValueError):
                note = "not a picture Pillow can read"
                continue
            return Thumbnail(sha256, "data:image/png;base64," + base64.b64encode(png).decode("ascii"), "")
        return Thumbnail(sha256, None, note)
