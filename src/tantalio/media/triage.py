"""One media file in, plain facts out: the unit of work media triage sends to workers.

``triage_file`` takes a path (or a picklable opener) and returns a ``MediaFacts`` made only of
plain values, so it runs unchanged in a local process pool or on Dask workers that read evidence
from a shared path. Digests are not recomputed here: intake already holds MD5/SHA-1/SHA-256 of
every evidence file. ``hash_file`` is the standalone ``tantalio hash FILE`` operation, which does
need them: one read for the digests, one decode for PDQ.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from tantalio.media.digests import HEAD, digest_stream
from tantalio.media.sniff import is_image, is_video, sniff

if TYPE_CHECKING:  # Pillow, pdqhash and PyAV load where an image or video is decoded (fast `tantalio hash`)
    from tantalio.media.exif import ExifFacts
    from tantalio.media.video import FrameHash

Opener = Callable[[], BinaryIO]
Source = str | os.PathLike[str] | Opener

VIDEO_KEYFRAMES = "video-keyframes"
VIDEO_FRAMES = "video-frames"


@dataclass(frozen=True, slots=True)
class MediaFacts:
    mime: str | None
    width: int | None = None
    height: int | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    pdq_method: str | None = None
    """"exact", "triage", "video-keyframes" or "video-frames"."""
    pdq_dihedral: tuple[str, ...] = ()
    video_frames: tuple[FrameHash, ...] = ()
    exif: ExifFacts | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _opener(source: Source) -> Opener:
    if callable(source):
        return source
    path = os.fspath(source)
    return lambda: open(path, "rb")  # noqa: SIM115 - the caller closes it


def _head(open_stream: Opener) -> bytes:
    with open_stream() as stream:
        return stream.read(HEAD)


def _exif_of(open_stream: Opener) -> ExifFacts | None:
    from PIL import Image

    from tantalio.media import pdq as pdq_mod
    from tantalio.media.exif import ExifFacts, read_exif

    try:
        with open_stream() as stream, pdq_mod.quiet_decoder_warnings():
            data = stream if stream.seekable() else io.BytesIO(stream.read())
            facts = read_exif(Image.open(data))
    except (OSError, ValueError, Image.DecompressionBombError) as err:
        return ExifFacts(problems=(f"cannot open for EXIF: {err}",))
    return None if facts.is_empty() and not facts.problems else facts


def triage_file(
    source: Source, mime: str | None = None, *, fast: bool = True, video_every_seconds: float | None = None
) -> MediaFacts:
    """PDQ (+ dihedral variants), EXIF and size of one image, or frame PDQs of one video.

    ``fast`` picks the triage PDQ pipeline for images; ``video_every_seconds`` switches videos from
    keyframes to vPDQ-style sampling. ``mime`` is sniffed from the first bytes when not given.
    Never raises for a bad file: ``error`` says what went wrong.
    """
    from tantalio.media import pdq as pdq_mod
    from tantalio.media.video import frame_hashes, keyframe_hashes

    open_stream = _opener(source)
    try:
        if mime is None:
            mime = sniff(_head(open_stream))
    except OSError as err:
        return MediaFacts(mime=None, error=f"cannot read file: {err}")
    if is_image(mime):
        result = pdq_mod.compute_pdq(open_stream, fast=fast, dihedral=True)
        exif = _exif_of(open_stream) if result.error is None else None
        return MediaFacts(
            mime, result.width, result.height, result.hash, result.quality, result.method,
            result.dihedral, (), exif, result.error,
        )
    if is_video(mime):
        if video_every_seconds is None:
            video, method = keyframe_hashes(open_stream), VIDEO_KEYFRAMES
        else:
            video, method = frame_hashes(open_stream, every_seconds=video_every_seconds), VIDEO_FRAMES
        return MediaFacts(
            mime, video.width, video.height, None, None, method if video.frames else None,
            (), video.frames, None, video.error,
        )
    return MediaFacts(mime=mime)


def hash_file(path: str | os.PathLike[str], *, fast: bool = False) -> dict[str, Any]:
    """The ``tantalio hash FILE`` record: path, md5, sha1, sha256, pdq, pdq_quality, mime.

    PDQ uses the exact pipeline by default (a single file: precision over speed). ``pdq`` and
    ``pdq_quality`` are null for non-images and for images that fail to decode (then ``error``
    is added). Raises OSError when the file cannot be read at all.
    """
    with open(path, "rb", buffering=0) as stream:
        digests = digest_stream(stream)
    mime = sniff(digests.head)
    record: dict[str, Any] = {
        "path": os.fspath(path), "md5": digests.md5, "sha1": digests.sha1, "sha256": digests.sha256,
        "pdq": None, "pdq_quality": None, "mime": mime,
    }
    if is_image(mime):
        from tantalio.media import pdq as pdq_mod

        result = pdq_mod.compute_pdq(os.fspath(path), fast=fast)
        record["pdq"], record["pdq_quality"] = result.hash, result.quality
        if result.error:
            record["error"] = result.error
    return record


__all__ = ["MediaFacts", "hash_file", "triage_file"]
