"""Hash lists police import (Project VIC/VICS JSON, CAID, CSV exports, plain lists).

``read_hashlist(path, format)`` yields ``HashEntry`` and ``HashListProblem`` in file order,
validated, in bounded memory. Formats: ``vics``, ``csv``, ``plain`` (kind by length), or a
single algorithm for a plain list (``md5``, ``sha1``, ``sha256``, ``pdq``), or ``auto``.
A file that is not the format at all raises ``HashListError``; bad rows are problems.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tantalio.errors import HashListError
from tantalio.media.hashlists.csv_list import column_roles, read_csv
from tantalio.media.hashlists.entry import HashEntry, HashListProblem
from tantalio.media.hashlists.plain import read_plain
from tantalio.media.hashlists.vics import looks_like_vics, read_vics

FORMATS = ("auto", "vics", "csv", "plain", "md5", "sha1", "sha256", "pdq")


def detect_format(path: str | Path) -> str:
    """"vics", "csv" or "plain" from the first bytes (never the extension)."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if looks_like_vics(head):
        return "vics"
    first = head.decode("utf-8", "replace").lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    if any(sep in first for sep in ",;\t") and column_roles(_split_header(first)):
        return "csv"
    return "plain"


def _split_header(line: str) -> list[str]:
    for sep in (",", ";", "\t"):
        if sep in line:
            return [cell.strip().strip('"') for cell in line.split(sep)]
    return [line]


def read_hashlist(path: str | Path, format: str = "auto") -> Iterator[HashEntry | HashListProblem]:
    """Entries and problems of one hash list. ``format`` is one of ``FORMATS``."""
    if format not in FORMATS:
        raise HashListError(f"unknown hash-list format {format!r}; use one of {', '.join(FORMATS)}")
    try:
        kind = detect_format(path) if format == "auto" else format
    except OSError as err:
        raise HashListError(f"cannot read hash list {path}: {err}") from err
    if kind == "vics":
        return read_vics(path)
    if kind == "csv":
        return read_csv(path)
    if kind == "plain":
        return read_plain(path)
    return read_plain(path, algorithm=kind)


__all__ = ["FORMATS", "HashEntry", "HashListProblem", "detect_format", "read_hashlist"]
