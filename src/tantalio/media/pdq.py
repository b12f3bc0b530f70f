"""PDQ perceptual hashes of still images, in two pipelines.

NAME: pdq
FORMAT: any image Pillow (plus pillow-heif for HEIC/HEIF) decodes.
REFERENCES: facebook/ThreatExchange ``pdq/cpp`` (the algorithm, wrapped bit-exactly by the
``pdqhash`` package), python-threatexchange ``PdqSignal`` (the full-resolution convention),
/work/shared/HASHING.md section 1 (measurements behind every choice below).

Pipelines (the one used is recorded with every hash, as ``method``):

* ``exact`` ("A" in HASHING.md): full-resolution decode, ``.convert("RGB")`` for every Pillow mode
  (palette images hashed as indices would be 42 bits off), then ``pdqhash.compute``. Bit-exact with
  the ThreatExchange Python tooling (pytx, HMA) and with our conformance file
  ``pdqhash-pil-fullres-hashes.csv``. About 2 images/s on a 12-megapixel photo.
* ``triage`` ("D"): for JPEG, ``Image.draft`` lets libjpeg decode at 1/2, 1/4 or 1/8 scale in the
  DCT domain (never below 512 px), then an integer box ``reduce`` brings the longest side to at most
  512 px. About 18x faster than ``exact`` on 12 MP photos. It drifts a few bits from ``exact``
  (measured on the conformance JPEGs: see ``TRIAGE_MAX_DRIFT``; tests pin it). Because of that
  drift a triage hash is never reported as a near match on its own: see ``needs_confirmation`` and
  ``match.confirm_band``; candidates in the band are recomputed with ``exact``.

EXIF orientation: we hash the **raw stored pixels** (no ``exif_transpose``) and handle rotation
by **dihedral matching** (``dihedral_hashes``: the 8 rotations/flips derive from one DCT, so
they cost nothing extra). Why: neither reference tool (C++ CLI, pdqhash/pytx) applies EXIF
orientation, so list providers hashed raw pixels too; transposing would move a rotated phone
photo 126-132 bits away from the hash a list holds for the very same file. A copy whose
orientation was baked into the pixels by a messenger (WhatsApp re-encodes and drops EXIF) is
caught by the dihedral variants: the best of 8 is within 0-2 bits of the upright hash.

Bombs and broken files: an image declaring more than ``max_pixels`` is refused before any pixel
is decoded; truncated or corrupt files give a ``PdqResult`` with ``error`` set, never an exception.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pdqhash
from PIL import Image, ImageFile

try:  # HEIC/HEIF (iPhone photos); optional at runtime so a missing wheel only loses that format
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    pass

EXACT = "exact"
TRIAGE = "triage"

MAX_PIXELS = 180_000_000
"""Refuse images declaring more pixels than this (about 540 MB of RGB). The largest camera
sensors are about 100 MP; a PNG header declaring 100000x100000 is a decompression bomb."""

TRIAGE_SIDE = 512
TRIAGE_MAX_DRIFT = 14
"""Largest Hamming distance measured between ``triage`` and ``exact`` on the conformance JPEGs
(HASHING.md measured 4.6 on average, 14 at most, on 37 reference JPEGs). Pinned by a test."""

QUALITY_MIN = 50
"""pytx ``PdqSignal.QUALITY_THRESHOLD``; TE pdq README: discard quality <= 49."""

Opener = Callable[[], BinaryIO]


@dataclass(frozen=True, slots=True)
class PdqResult:
    hash: str | None
    """64 lower-case hex digits in the ThreatExchange text form, None when not computed."""
    quality: int | None
    method: str
    width: int | None = None
    height: int | None = None
    error: str | None = None
    dihedral: tuple[str, ...] = ()
    """The 8 dihedral hashes (orig, rot90, rot180, rot270, flipx, flipy, flipplus, flipminus)
    when asked for; ``dihedral[0] == hash``."""


class ImageRefused(Exception):
    """An image the hasher will not decode (bomb, unreadable header)."""


def vector_to_hex(vector: np.ndarray) -> str:
    """pdqhash's 256 bits (MSB first) to the reference hex: equals
    ``'%064x' % int(''.join(map(str, vec)), 2)`` (HASHING.md), computed without big ints."""
    return np.packbits(np.asarray(vector, dtype=np.uint8)).tobytes().hex()


def hex_to_bytes(value: str) -> bytes:
    return bytes.fromhex(value)


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def hash_pixels(rgb: np.ndarray, dihedral: bool = False) -> tuple[str, int, tuple[str, ...]]:
    """PDQ of an HxWx3 uint8 RGB array: (hex, quality, dihedral hexes or ())."""
    if dihedral:
        vectors, quality = pdqhash.compute_dihedral(rgb)
        hexes = tuple(vector_to_hex(v) for v in vectors)
        return hexes[0], int(quality), hexes
    vector, quality = pdqhash.compute(rgb)
    return vector_to_hex(vector), int(quality), ()


def _open_source(source: str | Opener | bytes) -> BinaryIO:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if callable(source):
        stream = source()
        if not stream.seekable():  # Pillow seeks; a non-seekable member is read into memory
            with stream:
                return io.BytesIO(stream.read())
        return stream
    return open(source, "rb")  # noqa: SIM115 - closed by the caller's with-block


@contextlib.contextmanager
def quiet_decoder_warnings() -> Iterator[None]:
    """Silence Pillow's bomb warning (our own ``max_pixels`` check decides, with a clear error)
    and its "Corrupt EXIF data" UserWarnings (hostile files would flood worker logs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


@contextlib.contextmanager
def strict_truncation() -> Iterator[None]:
    """Make a truncated file an error while we decode. WeasyPrint sets Pillow's process-wide
    ``LOAD_TRUNCATED_IMAGES = True`` on import, which would silently hash a grey-filled partial
    picture; the flag is restored afterwards (a process-global, as Pillow made it)."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _open_image(stream: BinaryIO, max_pixels: int) -> Image.Image:
    # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; we apply our own limit
    with quiet_decoder_warnings():
        try:
            img = Image.open(stream)
        except Image.DecompressionBombError as err:
            raise ImageRefused(f"refused: decompression bomb ({err})") from err
    width, height = img.size
    if width * height > max_pixels:
        raise ImageRefused(f"refused: image declares {width}x{height} pixels, above the {max_pixels} limit")
    return img


def _rgb_exact(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"))


def _rgb_triage(img: Image.Image) -> np.ndarray:
    if img.format == "JPEG":
        img.draft("RGB", (TRIAGE_SIDE, TRIAGE_SIDE))  # DCT-domain scaling, never below 512 px
    longest = max(img.size)
    factor = -(-longest // TRIAGE_SIDE)
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    if factor > 1:
        img = img.reduce(factor)
    return np.asarray(img.convert("RGB"))


def compute_pdq(
    source: str | Opener | bytes,
    *,
    fast: bool = False,
    dihedral: bool = False,
    max_pixels: int = MAX_PIXELS,
) -> PdqResult:
    """PDQ of one image file (path, opener returning a binary stream, or bytes).

    ``fast=False`` is the ``exact`` pipeline, ``fast=True`` the ``triage`` one. Never raises for
    a bad image: the result carries ``error`` instead.
    """
    method = TRIAGE if fast else EXACT
    width = height = None
    try:
        with _open_source(source) as stream:
            img = _open_image(stream, max_pixels)
            width, height = img.size
            with quiet_decoder_warnings(), strict_truncation():
                rgb = _rgb_triage(img) if fast else _rgb_exact(img)
        hexed, quality, variants = hash_pixels(rgb, dihedral)
    except ImageRefused as err:
        return PdqResult(None, None, method, width, height, str(err))
    except OSError as err:  # missing, unreadable, truncated ("image file is truncated"), unknown format
        return PdqResult(None, None, method, width, height, f"cannot decode image: {err}")
    except Exception as err:  # noqa: BLE001 - decoders of hostile files raise arbitrary types;
        # one file is the smallest unit we can degrade at, and the message names the cause
        return PdqResult(None, None, method, width, height, f"cannot decode image: {type(err).__name__}: {err}")
    return PdqResult(hexed, quality, method, width, height, None, variants)


def needs_confirmation(result: PdqResult) -> bool:
    """Whether a hash must be recomputed with ``exact`` before a near match is reported."""
    return result.method != EXACT
