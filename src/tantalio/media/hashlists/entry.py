"""What every hash-list reader yields: validated entries and located problems.

Values are validated at the boundary (as python-threatexchange's signal types do): hex of the
right length, normalised to lower case; PDQ is 64 hex digits; PhotoDNA (144 bytes) arrives as
base64 (192 characters, IPED HashDBTool) or hex (288 digits) and is kept as base64 (it is stored
for the record, never matched: no PhotoDNA implementation is licensed to us).

A reader yields, in file order: one ``ListFacts`` (what the list says about itself: format,
VICS version and profile), then ``HashEntry`` and ``HashListProblem`` items.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}
ALGORITHMS = ("md5", "sha1", "sha256", "pdq", "photodna")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
PHOTODNA_BYTES = 144
"""PhotoDNA hashes are 144 bytes, 192 base64 characters (IPED HashDBTool)."""


@dataclass(frozen=True, slots=True)
class HashEntry:
    algorithm: str
    """"md5", "sha1", "sha256", "pdq" or "photodna"."""
    value: str
    """Lower-case hex; base64 for photodna."""
    category: str | None = None
    """The list's own category code as written ("1", "A"...); its meaning is the list's scheme."""
    series: str | None = None
    victim_identified: bool | None = None
    offender_identified: bool | None = None
    is_distributed: bool | None = None
    line: int = 0
    """Line number in a text list; 1-based media index in a VICS JSON list."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ListFacts:
    """What a list declares about itself, kept with the imported list."""

    format: str
    """"vics", "csv" or "plain"."""
    algorithm: str | None = None
    """The one hash kind of a plain list or generic hash column (declared, or settled once)."""
    version: str | None = None
    """VICS data-model version ("1.2", "1.3", "2.0") from the OData context."""
    profile: str | None = None
    """VICS regional profile ("US", "UK", "CUSTOM", "Default") from a 2.0 context."""
    context: str | None = None


@dataclass(frozen=True, slots=True)
class HashListProblem:
    line: int
    message: str
    where: str = "line"
    """"line" for text lists, "media" for VICS JSON (``line`` is then the media index)."""
    ends_read: bool = False
    """The list is broken or truncated here and the analyst accepted the part before it."""

    def __str__(self) -> str:
        return f"{self.where} {self.line}: {self.message}"


class InvalidHash(ValueError):
    pass


def normalise(algorithm: str, value: object) -> str:
    """The canonical form of a hash value, or InvalidHash naming what is wrong."""
    if not isinstance(value, str):
        raise InvalidHash(f"{algorithm} value is {type(value).__name__}, not text")
    text = value.strip()
    if algorithm == "photodna":
        return _photodna(text)
    expected = HEX_LENGTHS.get(algorithm)
    if expected is None:
        raise InvalidHash(f"unknown algorithm {algorithm!r}")
    if len(text) != expected:
        raise InvalidHash(f"{algorithm} must be {expected} hex digits, got {len(text)}: {text[:80]!r}")
    if not _HEX.match(text):
        raise InvalidHash(f"{algorithm} has non-hex characters: {text[:80]!r}")
    return text.lower()


_FLAGS = {"true": True, "false": False, "True": True, "False": False, "yes": True, "no": False}


def parse_flag(value: object) -> bool | None:
    """VICS writes booleans as "true"/"false" strings; CSV lists use yes/no/1/0."""
    if type(value) is str and value in _FLAGS:  # the common spellings, without normalising
        return _FLAGS[value]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1", "t"):
        return True
    if text in ("false", "no", "n", "0", "f"):
        return False
    if text == "":
        return None
    raise ValueError(f"not a yes/no value: {text[:40]!r}")


def text_or_none(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _photodna(text: str) -> str:
    if len(text) == 2 * PHOTODNA_BYTES and _HEX.match(text):
        return base64.b64encode(bytes.fromhex(text)).decode("ascii")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as err:
        raise InvalidHash(f"photodna value is neither base64 nor {2 * PHOTODNA_BYTES} hex digits: {err}") from err
    if len(raw) != PHOTODNA_BYTES:
        raise InvalidHash(f"photodna value decodes to {len(raw)} bytes, expected {PHOTODNA_BYTES}")
    return base64.b64encode(raw).decode("ascii")


def set_bits(hex_value: str) -> int:
    return int(hex_value, 16).bit_count()


PDQ_MAX_SET_BITS = 128
"""A PDQ hash sets bit k iff DCT coefficient k is above the median of the 256: at most 128 bits
(exactly 128 on every reference image, fewer only with ties). Half of all SHA-256 values have
more, which tells a SHA-256 list offered as PDQ apart."""
