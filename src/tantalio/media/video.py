"""PDQ of video frames: keyframes for triage, one frame per N seconds for vPDQ-style matching.

NAME: video
FORMAT: any container/codec the FFmpeg bundled with PyAV decodes (MP4, MOV, 3GP, MKV, WebM...).
REFERENCES: facebook/ThreatExchange ``vpdq`` (bag of per-frame PDQ hashes, quality >= 50,
distance <= 31, regression tolerance 31 across FFmpeg builds); HASHING.md section 5 (keyframes
only + scaling to 512 px is ~340x realtime on 1080p, because non-key frames are never decoded).

Each frame hash is ``FrameHash(frame_index, seconds, pdq, quality)``. ``frame_index`` counts
decoded frames from 0 in presentation order as vpdq does; for keyframes it is the index among
all frames estimated from the timestamp (``seconds * fps``), since the others were skipped.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import av

from tantalio.media.pdq import hash_pixels

Opener = Callable[[], BinaryIO]
TRIAGE_SIDE = 512
MAX_FRAMES = 100_000
"""Stop after this many hashed frames: a long or hostile stream cannot run a worker forever."""


@dataclass(frozen=True, slots=True)
class FrameHash:
    frame_index: int
    seconds: float
    pdq: str
    quality: int


@dataclass(frozen=True, slots=True)
class VideoHashes:
    frames: tuple[FrameHash, ...]
    width: int | None
    height: int | None
    duration: float | None
    error: str | None = None


def _open(source: str | Opener | bytes) -> Any:
    if isinstance(source, bytes):
        return av.open(io.BytesIO(source))
    if callable(source):
        return av.open(source())
    return av.open(source)


def _scaled(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    if max_side is None or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _frames(container: Any, keyframes_only: bool) -> Iterator[Any]:
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    if keyframes_only:
        stream.codec_context.skip_frame = "NONKEY"
    yield from container.decode(stream)


def _hash_video(
    source: str | Opener | bytes, *, keyframes_only: bool, every_seconds: float, max_side: int | None
) -> VideoHashes:
    hashes: list[FrameHash] = []
    width = height = None
    duration = None
    try:
        with _open(source) as container:
            if not container.streams.video:
                return VideoHashes((), None, None, None, "no video stream")
            stream = container.streams.video[0]
            width, height = stream.codec_context.width or None, stream.codec_context.height or None
            rate = float(stream.average_rate or stream.guessed_rate or 0) or None
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            next_due = 0.0
            for decoded, frame in enumerate(_frames(container, keyframes_only)):
                seconds = float(frame.time) if frame.time is not None else decoded / (rate or 25.0)
                if not keyframes_only and every_seconds > 0:
                    if seconds + 1e-6 < next_due:
                        continue
                    next_due += every_seconds * max(1, int((seconds - next_due) // every_seconds) + 1)
                w, h = _scaled(frame.width, frame.height, max_side)
                rgb = frame.to_ndarray(format="rgb24", width=w, height=h)
                pdq, quality, _ = hash_pixels(rgb)
                index = round(seconds * rate) if keyframes_only and rate else decoded
                hashes.append(FrameHash(index, round(seconds, 3), pdq, quality))
                if len(hashes) >= MAX_FRAMES:
                    break
    except (av.FFmpegError, OSError, ValueError) as err:
        # a corrupt tail still leaves the frames decoded before it; report both
        return VideoHashes(tuple(hashes), width, height, duration, f"cannot decode video: {err}")
    return VideoHashes(tuple(hashes), width, height, duration)


def keyframe_hashes(source: str | Opener | bytes, *, max_side: int | None = TRIAGE_SIDE) -> VideoHashes:
    """PDQ of every keyframe (non-key frames are skipped by the decoder), scaled to <= 512 px."""
    return _hash_video(source, keyframes_only=True, every_seconds=0, max_side=max_side)


def frame_hashes(
    source: str | Opener | bytes, *, every_seconds: float = 1.0, max_side: int | None = None
) -> VideoHashes:
    """vPDQ-style: PDQ of one frame every ``every_seconds`` (0 = every frame), full size by default."""
    return _hash_video(source, keyframes_only=False, every_seconds=every_seconds, max_side=max_side)
