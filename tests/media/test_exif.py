from __future__ import annotations

import io
from fractions import Fraction

import pytest
from PIL import Image

from tantalio.media.exif import (
    IFD_EXIF,
    IFD_GPS,
    TAG_BODY_SERIAL,
    TAG_DATETIME_ORIGINAL,
    TAG_LENS_SERIAL,
    TAG_MAKE,
    TAG_MODEL,
    TAG_OFFSET_TIME_ORIGINAL,
    TAG_SOFTWARE,
    read_exif,
)

from .pictures import abstract_picture


def _with_exif(fill: dict[int, object], exif_ifd: dict[int, object], gps_ifd: dict[int, object]) -> Image.Image:
    picture = abstract_picture(7, (120, 90))
    exif = Image.Exif()
    for tag, value in fill.items():
        exif[tag] = value
    if exif_ifd:
        exif.get_ifd(IFD_EXIF).update(exif_ifd)
    if gps_ifd:
        exif.get_ifd(IFD_GPS).update(gps_ifd)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif)
    buffer.seek(0)
    return Image.open(buffer)


def test_camera_fields_time_and_gps() -> None:
    img = _with_exif(
        {TAG_MAKE: "Fictional Optics", TAG_MODEL: "FO-100", TAG_SOFTWARE: "FO firmware 1.2"},
        {TAG_BODY_SERIAL: "SN-0000-TEST", TAG_LENS_SERIAL: "LENS-42", TAG_DATETIME_ORIGINAL: "2021:03:04 22:15:09",
         TAG_OFFSET_TIME_ORIGINAL: "+02:00"},
        {1: "S", 2: (Fraction(33, 1), Fraction(52, 1), Fraction(1248, 100)), 3: "W",
         4: (Fraction(151, 1), Fraction(12, 1), Fraction(3600, 100))},
    )
    facts = read_exif(img)
    assert (facts.make, facts.model, facts.software) == ("Fictional Optics", "FO-100", "FO firmware 1.2")
    assert (facts.body_serial, facts.lens_serial) == ("SN-0000-TEST", "LENS-42")
    assert facts.taken_raw == "2021:03:04 22:15:09" and facts.taken_offset == "+02:00"
    assert facts.taken_utc == "2021-03-04T20:15:09Z"
    assert facts.gps_lat is not None and abs(facts.gps_lat - -33.8701333) < 1e-6
    assert facts.gps_lon is not None and abs(facts.gps_lon - -151.21) < 1e-6
    assert facts.problems == ()


def test_no_offset_keeps_local_time_only() -> None:
    facts = read_exif(_with_exif({}, {TAG_DATETIME_ORIGINAL: "2021:03:04 22:15:09"}, {}))
    assert facts.taken_raw == "2021:03:04 22:15:09" and facts.taken_utc is None


def test_garbage_loses_only_the_bad_field() -> None:
    img = _with_exif(
        {TAG_MAKE: "Fictional Optics"},
        {TAG_DATETIME_ORIGINAL: "not a date", TAG_OFFSET_TIME_ORIGINAL: "+2"},
        {1: "N", 2: (Fraction(1, 1), Fraction(0, 1)), 3: "E", 4: (Fraction(151, 1),)},
    )
    facts = read_exif(img)
    assert facts.make == "Fictional Optics"
    assert facts.taken_utc is None and facts.gps_lat is None and facts.gps_lon is None
    assert len(facts.problems) >= 2


def test_image_without_exif_is_empty() -> None:
    buffer = io.BytesIO()
    abstract_picture(1, (50, 50)).save(buffer, "PNG")
    buffer.seek(0)
    facts = read_exif(Image.open(buffer))
    assert facts.is_empty() and facts.problems == ()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_corrupt_exif_block_does_not_raise() -> None:
    buffer = io.BytesIO()
    abstract_picture(1, (50, 50)).save(buffer, "JPEG", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff" + b"\x01" * 30)
    buffer.seek(0)
    facts = read_exif(Image.open(buffer))
    assert facts.make is None
