from __future__ import annotations

import csv
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile, ImageOps

from tantalio.media.pdq import EXACT, TRIAGE, TRIAGE_MAX_DRIFT, PdqResult, compute_pdq, hamming, vector_to_hex

from .pictures import CONFORMANCE, abstract_picture


def _expected(conformance: Path, name: str) -> list[tuple[Path, str, int]]:
    with open(conformance / "expected" / name, encoding="utf-8") as f:
        rows = list(csv.reader(line for line in f if not line.startswith("#")))
    return [(conformance / "data" / path, hexed, int(q)) for path, hexed, q in rows[1:]]


def test_hex_matches_the_reference_conversion() -> None:
    vector = np.random.default_rng(5).integers(0, 2, 256)
    assert vector_to_hex(vector) == "%064x" % int("".join(map(str, vector)), 2)  # noqa: UP031 - HASHING.md's form


@pytest.fixture(scope="module")
def exact_results() -> list[tuple[Path, str, int, PdqResult]]:
    if not CONFORMANCE.is_dir():
        pytest.skip("shared PDQ conformance data absent")
    rows = _expected(CONFORMANCE, "pdqhash-pil-fullres-hashes.csv")
    return [(p, h, q, compute_pdq(str(p))) for p, h, q in rows if p.exists()]


def test_exact_is_bit_exact_with_pdqhash_fullres_reference(exact_results: list[tuple[Path, str, int, PdqResult]]) -> None:
    assert len(exact_results) >= 30
    for path, expected, quality, result in exact_results:
        assert result.method == EXACT
        assert result.error is None, path
        assert hamming(result.hash or "", expected) == 0, path
        assert result.quality == quality, path


def test_pytx_expectations(conformance: Path) -> None:
    with open(conformance / "expected" / "upstream-expected-hashes.tsv", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if not line.startswith("#")][1:]
    checked = 0
    for path, source, expected, _quality in rows:
        if source != "tx-test":
            continue
        file = conformance / "threatexchange-test-resources" / path.removeprefix("TX/")
        if not file.exists():
            continue
        assert compute_pdq(str(file)).hash == expected, path
        checked += 1
    assert checked == 3


def test_triage_drift_is_bounded(exact_results: list[tuple[Path, str, int, PdqResult]]) -> None:
    """The triage pipeline's drift from exact, measured on every conformance image: max 14, mean ~5."""
    drifts = []
    for path, _, _, exact in exact_results:
        triage = compute_pdq(str(path), fast=True)
        assert triage.method == TRIAGE
        drifts.append(hamming(exact.hash or "", triage.hash or ""))
    assert max(drifts) <= TRIAGE_MAX_DRIFT
    assert sum(drifts) / len(drifts) <= 6


def test_dihedral_variants_match_rotated_files(conformance: Path) -> None:
    dih = conformance / "data" / "reg-test-input" / "dih"
    if not dih.is_dir():
        pytest.skip("dihedral images absent")
    original = compute_pdq(str(dih / "bridge-1-original.jpg"), dihedral=True)
    assert len(original.dihedral) == 8 and original.dihedral[0] == original.hash
    names = ["bridge-1-original", "bridge-2-rotate-90", "bridge-3-rotate-180", "bridge-4-rotate-270",
             "bridge-5-flipx", "bridge-6-flipy", "bridge-7-flip-plus-1", "bridge-8-flip-minus-1"]
    for slot, name in enumerate(names):
        rotated = compute_pdq(str(dih / f"{name}.jpg"))
        assert hamming(original.dihedral[slot], rotated.hash or "") <= 8, name  # HASHING.md: 0/2/8 bits


def test_exif_rotated_photo_matches_upright_through_dihedral(conformance: Path) -> None:
    path = conformance / "data" / "reg-test-input" / "exif-rotn" / "exif-rotn-6.jpg"
    if not path.exists():
        pytest.skip("exif-rotn absent")
    raw = compute_pdq(str(path), dihedral=True, fast=True)
    buffer = io.BytesIO()
    upright = ImageOps.exif_transpose(Image.open(path))
    upright.reduce(4).save(buffer, "PNG")  # what a messenger re-encode with orientation applied looks like
    baked = compute_pdq(buffer.getvalue(), fast=True)
    assert hamming(raw.hash or "", baked.hash or "") > 64
    assert min(hamming(h, baked.hash or "") for h in raw.dihedral) <= 31


def test_every_pillow_mode_hashes_via_rgb(tmp_path: Path) -> None:
    picture = abstract_picture(2, (300, 200))
    reference = compute_pdq(_png(picture)).hash or ""
    for mode in ("P", "L", "LA", "RGBA", "CMYK", "1"):
        path = tmp_path / f"{mode}.tif"
        picture.convert(mode).save(path, "TIFF")
        result = compute_pdq(str(path))
        assert result.error is None, mode
        assert hamming(result.hash or "", reference) <= 40, mode


def _png(img: Image.Image) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    return buffer.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def test_pixel_bomb_is_refused_before_decoding() -> None:
    result = compute_pdq(_png_declaring(100_000, 100_000))
    assert result.hash is None and result.error and result.error.startswith("refused")
    smaller_limit = compute_pdq(_png_declaring(5000, 5000), max_pixels=1_000_000)
    assert smaller_limit.error and "5000x5000" in smaller_limit.error


@pytest.mark.parametrize("lenient_global", [False, True])
def test_truncated_and_corrupt_images_give_errors(
    tmp_path: Path, lenient_global: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient_global)  # WeasyPrint sets True
    buffer = io.BytesIO()
    abstract_picture(4).save(buffer, "JPEG")
    data = buffer.getvalue()
    cases = {
        "truncated.jpg": data[: len(data) // 2],
        "garbage.jpg": data[:20] + bytes(range(256)) * 20,
        "zero.jpg": b"",
        "png-header-only.png": _png(abstract_picture(4))[:40],
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        for fast in (False, True):
            result = compute_pdq(str(tmp_path / name), fast=fast)
            assert result.hash is None and result.error, (name, fast)
    assert compute_pdq(str(tmp_path / "missing.jpg")).error


def test_tiny_and_flat_images() -> None:
    tiny = compute_pdq(_png(Image.new("RGB", (3, 3), (200, 10, 10))))
    assert tiny.error is None and tiny.quality == 0
    flat = compute_pdq(_png(Image.new("RGB", (200, 200), (90, 90, 90))))
    assert flat.quality == 0


def test_heic_decodes_through_pillow_heif() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    picture = abstract_picture(9, (640, 480))
    buffer = io.BytesIO()
    try:
        pillow_heif.from_pillow(picture).save(buffer, quality=90)
    except (ValueError, RuntimeError) as err:
        pytest.skip(f"pillow-heif cannot encode here: {err}")
    result = compute_pdq(buffer.getvalue())
    assert result.error is None and (result.width, result.height) == (640, 480)
    assert hamming(result.hash or "", compute_pdq(_png(picture)).hash or "") <= 31
