from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image

from tantalio.media.exif import IFD_EXIF, IFD_GPS, TAG_BODY_SERIAL, TAG_MAKE
from tantalio.media.pdq import compute_pdq, hamming
from tantalio.media.triage import MediaFacts, hash_file, triage_file

from .pictures import abstract_picture
from .test_video import _moving_shapes


def test_image_facts_with_exif(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[TAG_MAKE] = "Fictional Optics"
    exif.get_ifd(IFD_EXIF)[TAG_BODY_SERIAL] = "SN-TEST-1"
    exif.get_ifd(IFD_GPS).update({1: "N", 2: (Fraction(40), Fraction(25), Fraction(0)), 3: "W", 4: (Fraction(3), Fraction(42), Fraction(0))})
    path = tmp_path / "IMG_0001"
    abstract_picture(11, (1600, 1200)).save(path, "JPEG", exif=exif)
    fast = triage_file(path)
    assert fast.mime == "image/jpeg" and (fast.width, fast.height) == (1600, 1200)
    assert fast.pdq_method == "triage" and fast.pdq and len(fast.pdq_dihedral) == 8 and fast.error is None
    assert fast.exif and fast.exif.make == "Fictional Optics" and fast.exif.body_serial == "SN-TEST-1"
    assert fast.exif.gps_lat == pytest.approx(40.4166667) and fast.exif.gps_lon == pytest.approx(-3.7)
    exact = triage_file(str(path), "image/jpeg", fast=False)
    assert exact.pdq_method == "exact" and exact.pdq == compute_pdq(str(path)).hash
    assert hamming(exact.pdq or "", fast.pdq) <= 14
    assert pickle.loads(pickle.dumps(fast)) == fast  # crosses process boundaries
    json.dumps(fast.to_dict())


def test_video_facts(tmp_path: Path) -> None:
    path = tmp_path / "VID_0001"
    _moving_shapes(path, seconds=2)
    facts = triage_file(path)
    assert facts.mime == "video/mp4" and facts.pdq_method == "video-keyframes" and facts.pdq is None
    assert len(facts.video_frames) == 2
    sampled = triage_file(path, video_every_seconds=1.0)
    assert sampled.pdq_method == "video-frames" and len(sampled.video_frames) == 2


def test_opener_instead_of_path(jpeg_file: Path) -> None:
    data = jpeg_file.read_bytes()
    facts = triage_file(lambda: io.BytesIO(data))
    assert facts.mime == "image/jpeg" and facts.pdq == triage_file(jpeg_file).pdq


def test_bad_inputs_never_raise(tmp_path: Path) -> None:
    (tmp_path / "zero").write_bytes(b"")
    assert triage_file(tmp_path / "zero") == MediaFacts(mime=None)
    (tmp_path / "text").write_text("just words")
    assert triage_file(tmp_path / "text").pdq is None
    buffer = io.BytesIO()
    abstract_picture(2).save(buffer, "PNG")
    (tmp_path / "cut").write_bytes(buffer.getvalue()[:300])
    cut = triage_file(tmp_path / "cut")
    assert cut.mime == "image/png" and cut.pdq is None and cut.error
    missing = triage_file(tmp_path / "missing")
    assert missing.error and "cannot read" in missing.error
    assert triage_file(tmp_path).error  # a directory: unreadable as a file, even for root
    (tmp_path / "fake-video").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(4000))
    assert triage_file(tmp_path / "fake-video").error


def test_unreadable_file(tmp_path: Path) -> None:
    """Runs in a child without the capabilities that let root ignore permissions (CI runs as root)."""
    path = tmp_path / "locked"
    abstract_picture(1, (40, 40)).save(path, "PNG")
    path.chmod(0)
    code = (f"from tantalio.media.triage import triage_file; r = triage_file({str(path)!r}); "
            "assert r.error and 'cannot read' in r.error, r; print('ok')")
    cmd = [sys.executable, "-c", code]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        drop = "-dac_override,-dac_read_search"
        cmd = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", "--", *cmd]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    finally:
        path.chmod(0o600)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr


def test_hash_file_record(jpeg_file: Path, tmp_path: Path) -> None:
    record = hash_file(jpeg_file)
    assert set(record) == {"path", "md5", "sha1", "sha256", "pdq", "pdq_quality", "mime"}
    assert record["mime"] == "image/jpeg" and record["pdq"] == compute_pdq(str(jpeg_file)).hash
    assert record["pdq_quality"] > 0 and len(record["sha256"]) == 64
    other = tmp_path / "notes"
    other.write_text("no picture")
    assert hash_file(other)["pdq"] is None and hash_file(other)["pdq_quality"] is None
    with pytest.raises(OSError):
        hash_file(tmp_path / "missing")
