"""Benign procedural pictures: gradients, coloured shapes and light noise, drawn from a seed.

Nothing here depicts anything: every picture is an abstract composition. Camera originals carry
EXIF written with Pillow; shared copies are downscaled and re-encoded without metadata, which is
what WhatsApp does to a photo it sends (new SHA-256, near-identical PDQ).
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ORIGINAL_SIZE = (1024, 768)

# EXIF tag numbers (TIFF/EXIF 2.3)
TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_DATETIME = 0x0132
TAG_EXIF_IFD = 0x8769
TAG_GPS_IFD = 0x8825
TAG_DATETIME_ORIGINAL = 0x9003
TAG_BODY_SERIAL = 0xA431


@dataclass(frozen=True)
class CameraInfo:
    make: str
    model: str
    serial: str


@dataclass(frozen=True)
class Digests:
    sha256: str
    md5: str
    sha1: str


def digests(data: bytes) -> Digests:
    return Digests(
        sha256=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data).hexdigest(),  # noqa: S324 - hash lists need MD5
        sha1=hashlib.sha1(data).hexdigest(),  # noqa: S324
    )


def draw_abstract(seed: int, size: tuple[int, int] = ORIGINAL_SIZE) -> Image.Image:
    """An abstract composition: two-colour gradient, 6-14 shapes, soft blur and faint noise."""
    rng = random.Random(seed)
    width, height = size
    top = np.array([rng.randrange(256) for _ in range(3)], dtype=np.float32)
    bottom = np.array([rng.randrange(256) for _ in range(3)], dtype=np.float32)
    angle = rng.random()
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    xs = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    mix = (ys * (1 - angle) + xs * angle)[..., None]
    canvas = top * (1 - mix) + bottom * mix
    img = Image.fromarray(canvas.clip(0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(12, 24)):
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        x0, y0 = rng.randrange(-100, width), rng.randrange(-100, height)
        w, h = rng.randrange(40, width // 3), rng.randrange(40, height // 3)
        shape = rng.choice(("ellipse", "rectangle", "polygon", "stripes"))
        if shape == "ellipse":
            draw.ellipse((x0, y0, x0 + w, y0 + h), fill=colour)
        elif shape == "rectangle":
            draw.rectangle((x0, y0, x0 + w, y0 + h), fill=colour)
        elif shape == "polygon":
            points = [(x0 + rng.randrange(w), y0 + rng.randrange(h)) for _ in range(rng.randint(3, 6))]
            draw.polygon(points, fill=colour)
        else:
            step = rng.randrange(12, 40)
            for offset in range(0, w, step * 2):
                draw.rectangle((x0 + offset, y0, x0 + offset + step, y0 + h), fill=colour)
    img = img.filter(ImageFilter.GaussianBlur(0.7))
    noise_rng = np.random.default_rng(seed & 0xFFFFFFFF)
    noisy = np.asarray(img, dtype=np.int16) + noise_rng.integers(-6, 7, size=(height, width, 1), dtype=np.int16)
    return Image.fromarray(noisy.clip(0, 255).astype(np.uint8), "RGB")


def _rational(value: float) -> Fraction:
    return Fraction(value).limit_denominator(1_000_000)


def _gps_ifd(lat: float, lon: float) -> dict[int, object]:
    def dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
        value = abs(value)
        degrees = int(value)
        minutes_full = (value - degrees) * 60
        minutes = int(minutes_full)
        seconds = round((minutes_full - minutes) * 60, 4)
        return (Fraction(degrees), Fraction(minutes), _rational(seconds))

    return {
        0: b"\x02\x02\x00\x00",  # GPSVersionID
        1: "N" if lat >= 0 else "S",
        2: dms(lat),
        3: "E" if lon >= 0 else "W",
        4: dms(lon),
    }


def camera_original(
    seed: int,
    camera: CameraInfo,
    taken_local: datetime,
    gps: tuple[float, float] | None,
) -> bytes:
    """A 1024x768 JPEG as a phone camera writes it: Make/Model in IFD0, DateTimeOriginal and
    BodySerialNumber in the Exif IFD, optional GPS IFD. `taken_local` is the device-local wall time."""
    img = draw_abstract(seed)
    exif = Image.Exif()
    stamp = taken_local.strftime("%Y:%m:%d %H:%M:%S")
    exif[TAG_MAKE] = camera.make
    exif[TAG_MODEL] = camera.model
    exif[TAG_DATETIME] = stamp
    exif_ifd = exif.get_ifd(TAG_EXIF_IFD)
    exif_ifd[TAG_DATETIME_ORIGINAL] = stamp
    exif_ifd[TAG_BODY_SERIAL] = camera.serial
    if gps is not None:
        gps_ifd = exif.get_ifd(TAG_GPS_IFD)
        gps_ifd.update(_gps_ifd(*gps))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def plain_original(seed: int, size: tuple[int, int] = ORIGINAL_SIZE, quality: int = 90) -> bytes:
    """An original without camera metadata (material that reached the network from outside)."""
    out = io.BytesIO()
    draw_abstract(seed, size).save(out, "JPEG", quality=quality)
    return out.getvalue()


def recompress(data: bytes, width: int, quality: int) -> bytes:
    """What a messenger does to a photo it sends: downscale, re-encode, drop every metadata block."""
    with Image.open(io.BytesIO(data)) as src:
        img = src.convert("RGB")
    if img.width != width:
        height = max(1, round(img.height * width / img.width))
        img = img.resize((width, height), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=False)
    return out.getvalue()


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        return img.size


def pdq_hex(data: bytes) -> tuple[str, int]:
    """PDQ of the full-resolution RGB decode, as 64 lower-case hex digits, and its quality."""
    import pdqhash  # imported lazily: a compiled extension, only needed for hash lists

    with Image.open(io.BytesIO(data)) as img:
        pixels = np.asarray(img.convert("RGB"))
    vector, quality = pdqhash.compute(pixels)
    return f"{int(''.join(str(int(bit)) for bit in vector), 2):064x}", int(quality)


def sticker(seed: int) -> bytes:
    """A 512x512 WebP with transparency, as WhatsApp stickers are: an abstract blob."""
    img = draw_abstract(seed, (512, 512)).convert("RGBA")
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).ellipse((40, 40, 472, 472), fill=255)
    img.putalpha(mask)
    out = io.BytesIO()
    img.save(out, "WEBP", quality=70)
    return out.getvalue()


def voice_note(seed: int) -> bytes:
    """The head of an Ogg/Opus voice note (OggS page, OpusHead) and pseudo-random packets: only its
    type matters to the analysis; no audio is meant."""
    rng = random.Random(seed)
    head = b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
    return head + bytes(rng.randrange(256) for _ in range(2000 + rng.randrange(3000)))


def document_pdf(seed: int, title: str) -> bytes:
    """A one-page PDF holding a line of text (a shopping list, a timetable)."""
    body = f"BT /F1 12 Tf 72 720 Td ({title} {seed}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    for n, obj in enumerate(objects, start=1):
        out.write(f"{n} 0 obj\n".encode() + obj + b"\nendobj\n")
    out.write(b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    return out.getvalue()
