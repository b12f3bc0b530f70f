from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from tantalio.media.pdq import hamming
from tantalio.media.video import frame_hashes, keyframe_hashes


def _moving_shapes(path: Path, seconds: int = 3, fps: int = 10, size: tuple[int, int] = (320, 240), gop: int = 10) -> None:
    """A benign clip: a gradient with a square and a bar sliding across it."""
    width, height = size
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264" if "libx264" in av.codecs_available else "mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = gop
        ys, xs = np.mgrid[0:height, 0:width]
        for i in range(seconds * fps):
            frame = np.zeros((height, width, 3), np.uint8)
            frame[..., 0] = (xs * 255 // width).astype(np.uint8)
            frame[..., 1] = (ys * 255 // height).astype(np.uint8)
            x = (i * 7) % (width - 60)
            frame[60:120, x : x + 60] = (250, 240, 20)
            frame[:, (i * 11) % width : (i * 11) % width + 15, 2] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("video") / "clip.mp4"
    _moving_shapes(path)
    return path


def test_keyframes_of_a_synthetic_clip(clip: Path) -> None:
    result = keyframe_hashes(str(clip))
    assert result.error is None and (result.width, result.height) == (320, 240)
    assert 2 <= len(result.frames) <= 4  # gop 10 at 10 fps over 3 s
    assert [f.seconds for f in result.frames][:2] == [0.0, 1.0]
    assert all(len(f.pdq) == 64 and f.quality > 0 for f in result.frames)


def test_one_frame_per_second(clip: Path) -> None:
    result = frame_hashes(str(clip), every_seconds=1.0)
    assert [round(f.seconds) for f in result.frames] == [0, 1, 2]
    assert [f.frame_index for f in result.frames] == [0, 10, 20]
    every = frame_hashes(str(clip), every_seconds=0)
    assert len(every.frames) == 30
    keyed = {f.frame_index: f.pdq for f in every.frames}
    assert all(keyed[f.frame_index] == f.pdq for f in result.frames)


def test_truncated_and_garbage_video(clip: Path, tmp_path: Path) -> None:
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    result = keyframe_hashes(str(cut))  # the index (moov) may be at the end: either an error or fewer frames
    assert result.error is not None or len(result.frames) <= 4
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(data[:32] + bytes(5000))
    assert keyframe_hashes(str(garbage)).error
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert frame_hashes(str(empty)).error


def _reference(conformance: Path, name: str) -> list[tuple[int, int, str, float]]:
    rows = (conformance / "vpdq-sample-hashes" / f"{name}.txt").read_text().split()
    return [(int(i), int(q), h, float(t)) for i, q, h, t in (row.split(",") for row in rows)]


@pytest.mark.parametrize("name", ["test-padded-dimensions", "pattern-sd-grey-bar"])
def test_every_frame_matches_vpdq_sample_hashes(conformance: Path, name: str) -> None:
    video = conformance / "videos" / f"{name}.mp4"
    if not video.exists():
        pytest.skip(f"{name}.mp4 absent")
    ours = frame_hashes(str(video), every_seconds=0)
    expected = _reference(conformance, name)
    assert len(ours.frames) == len(expected)
    for frame, (index, quality, pdq, seconds) in zip(ours.frames, expected, strict=True):
        assert frame.frame_index == index and abs(frame.seconds - seconds) < 0.002
        if quality >= 50:
            assert hamming(frame.pdq, pdq) <= 31  # upstream regression tolerance
    exact = sum(f.pdq == e[2] for f, e in zip(ours.frames, expected, strict=True))
    assert exact >= len(expected) // 2
