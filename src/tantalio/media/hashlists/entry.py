"""What every hash-list reader yields: validated entries and located problems.

Values are validated at the boundary (as python-threatexchange's signal types do): hex of the
right length, normalised to lower case; PDQ is 64 hex digits; PhotoDNA is kept as base64 (it is
stored for the record, never matched: no PhotoDNA implementation is licensed to us).
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
class HashListProblem:
    line: int
    message: str
    where: str = "line"
    """"line" for text lists, "media" for VICS JSON (``line`` is then the media index)."""

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
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as err:
            raise InvalidHash(f"photodna value is not base64: {err}") from err
        if len(raw) != PHOTODNA_BYTES:
            raise InvalidHash(f"photodna value decodes to {len(raw)} bytes, expected {PHOTODNA_BYTES}")
        return text
    expected = HEX_LENGTHS.get(algorithm)
    if expected is None:
        raise InvalidHash(f"unknown algorithm {algorithm!r}")
    if len(text) != expected:
        raise InvalidHash(f"{algorithm} must be {expected} hex digits, got {len(text)}: {text[:80]!r}")
    if not _HEX.match(text):
        raise InvalidHash(f"{algorithm} has non-hex characters: {text[:80]!r}")
    return text.lower()


def parse_flag(value: object) -> bool | None:
    """VICS writes booleans as "true"/"false" strings; CSV lists use yes/no/1/0."""
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
