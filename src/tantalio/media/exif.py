"""Camera facts from EXIF: who made the picture, with what, when and where.

NAME: exif
FORMAT: EXIF in JPEG/TIFF/WebP/PNG/HEIC as Pillow exposes it (``Image.getexif()`` with the
Exif IFD 0x8769 and GPS IFD 0x8825 read through ``get_ifd``).
REFERENCES: CIPA DC-008 (EXIF 2.32) tag numbers: Make 0x010F, Model 0x0110, Software 0x0131,
DateTimeOriginal 0x9003, OffsetTimeOriginal 0x9011, BodySerialNumber 0xA431,
LensSerialNumber 0xA435; GPS LatitudeRef 1, Latitude 2, LongitudeRef 3, Longitude 4.

A body serial number links a picture to one camera, which is how a producer's originals are
tied to a seized phone. Every field is read on its own: a garbage value loses that field (and is
named in ``problems``), never the others.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from PIL import Image

TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_SOFTWARE = 0x0131
TAG_ORIENTATION = 0x0112
IFD_EXIF = 0x8769
IFD_GPS = 0x8825
TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011
TAG_BODY_SERIAL = 0xA431
TAG_LENS_SERIAL = 0xA435
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4


@dataclass(frozen=True, slots=True)
class ExifFacts:
    make: str | None = None
    model: str | None = None
    body_serial: str | None = None
    lens_serial: str | None = None
    software: str | None = None
    taken_raw: str | None = None
    """DateTimeOriginal as written ("YYYY:MM:DD HH:MM:SS", camera-local time)."""
    taken_offset: str | None = None
    """OffsetTimeOriginal ("+02:00") when the camera wrote it."""
    taken_utc: str | None = None
    """ISO 8601 UTC, only when the offset is known (otherwise the exhibit's timezone decides)."""
    gps_lat: float | None = None
    gps_lon: float | None = None
    orientation: int | None = None
    problems: tuple[str, ...] = field(default=())

    def is_empty(self) -> bool:
        return all(getattr(self, name) in (None, ()) for name in self.__slots__ if name != "problems")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text or None


def _rational(value: Any) -> float:
    if isinstance(value, tuple) and len(value) == 2:  # old-style (num, den)
        return float(value[0]) / float(value[1])
    return float(value)


def _degrees(value: Any, ref: Any) -> float | None:
    parts = [_rational(v) for v in value]
    if len(parts) != 3 or not all(math.isfinite(p) for p in parts):
        raise ValueError(f"GPS coordinate {value!r}")
    degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    ref_text = _text(ref)
    if ref_text and ref_text.upper()[:1] in ("S", "W"):
        degrees = -degrees
    return round(degrees, 7)


def read_exif(img: Image.Image) -> ExifFacts:
    """EXIF facts of an opened image (pixels are not decoded). Pillow's warnings about a corrupt
    block become ``problems`` instead of going to stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        facts = _read_exif(img)
    if caught:
        noted = tuple(f"EXIF: {w.message}" for w in caught if issubclass(w.category, UserWarning))
        facts = replace(facts, problems=facts.problems + noted)
    return facts


def _read_exif(img: Image.Image) -> ExifFacts:
    problems: list[str] = []
    values: dict[str, Any] = {}
    try:
        base = img.getexif()
    except Exception as err:  # noqa: BLE001 - a malformed EXIF block raises many types in Pillow
        return ExifFacts(problems=(f"EXIF unreadable: {type(err).__name__}: {err}",))

    def ifd(tag: int) -> Any:
        try:
            return base.get_ifd(tag)
        except Exception as err:  # noqa: BLE001 - same: degrade to "no such IFD"
            problems.append(f"IFD {tag:#x} unreadable: {type(err).__name__}")
            return {}

    exif_ifd, gps_ifd = ifd(IFD_EXIF), ifd(IFD_GPS)

    def take(name: str, getter: Any) -> None:
        try:
            values[name] = getter()
        except (ValueError, TypeError, ZeroDivisionError, IndexError, KeyError, AttributeError) as err:
            problems.append(f"{name}: {type(err).__name__}: {err}")

    take("make", lambda: _text(base.get(TAG_MAKE)))
    take("model", lambda: _text(base.get(TAG_MODEL)))
    take("software", lambda: _text(base.get(TAG_SOFTWARE)))
    take("orientation", lambda: int(base[TAG_ORIENTATION]) if TAG_ORIENTATION in base else None)
    take("body_serial", lambda: _text(exif_ifd.get(TAG_BODY_SERIAL)))
    take("lens_serial", lambda: _text(exif_ifd.get(TAG_LENS_SERIAL)))
    take("taken_raw", lambda: _text(exif_ifd.get(TAG_DATETIME_ORIGINAL)))
    take("taken_offset", lambda: _text(exif_ifd.get(TAG_OFFSET_TIME_ORIGINAL)))
    if values.get("taken_raw") and values.get("taken_offset"):

        def utc() -> str:
            stamp = values["taken_raw"][:19] + values["taken_offset"]
            aware = datetime.strptime(stamp, "%Y:%m:%d %H:%M:%S%z")
            return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")

        take("taken_utc", utc)
    if GPS_LAT in gps_ifd and GPS_LON in gps_ifd:
        take("gps_lat", lambda: _degrees(gps_ifd[GPS_LAT], gps_ifd.get(GPS_LAT_REF)))
        take("gps_lon", lambda: _degrees(gps_ifd[GPS_LON], gps_ifd.get(GPS_LON_REF)))
        lat, lon = values.get("gps_lat"), values.get("gps_lon")
        if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            problems.append(f"GPS out of range: {lat}, {lon}")
            values["gps_lat"] = values["gps_lon"] = None
    return ExifFacts(**values, problems=tuple(problems))
