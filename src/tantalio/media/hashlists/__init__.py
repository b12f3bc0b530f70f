"""Hash lists police import (Project VIC/VICS JSON, CAID, CSV/TSV exports, plain lists).

``read_hashlist(path, format)`` yields one ``ListFacts`` then ``HashEntry`` and
``HashListProblem`` items in file order, validated, in bounded memory. Formats: ``vics``, ``csv``
(also TSV), ``plain`` (one kind, settled once from the first value), or a single algorithm for a
plain list (``md5``, ``sha1``, ``sha256``, ``pdq``), or ``auto``.

A file that is not the format at all raises ``HashListError`` once: a reader that finds only
problems in its first ``FORMAT_PROBE`` records is reading the wrong format, and says so in one
error instead of one warning per line. Bad rows of a good list are problems. A truncated or
broken list raises unless ``accept_partial``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tantalio.errors import HashListError
from tantalio.media.hashlists.csv_list import column_roles, read_csv
from tantalio.media.hashlists.entry import HashEntry, HashListProblem, ListFacts
from tantalio.media.hashlists.kinds import DECLARED
from tantalio.media.hashlists.plain import read_plain
from tantalio.media.hashlists.vics import looks_like_vics, read_vics

FORMATS = ("auto", "vics", "csv", "plain", *DECLARED)
FORMAT_PROBE = 10

Item = HashEntry | HashListProblem | ListFacts


def detect_format(path: str | Path) -> str:
    """"vics", "csv" or "plain" from the first bytes (never the extension)."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if looks_like_vics(head):
        return "vics"
    first = head.decode("utf-8", "replace").lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    if any(sep in first for sep in ",;\t|") and column_roles(_split_header(first)):
        return "csv"
    return "plain"


def _split_header(line: str) -> list[str]:
    for sep in (",", ";", "\t", "|"):
        if sep in line:
            return [cell.strip().strip('"') for cell in line.split(sep)]
    return [line]


def read_hashlist(path: str | Path, format: str = "auto", *, algorithm: str | None = None,
                  accept_partial: bool = False) -> Iterator[Item]:
    """Facts, entries and problems of one hash list. ``format`` is one of ``FORMATS``;
    ``algorithm`` declares the kind of a plain list or of a CSV's generic hash column."""
    if format not in FORMATS:
        raise HashListError(f"unknown hash-list format {format!r}; use one of {', '.join(FORMATS)}")
    if algorithm is not None and algorithm not in DECLARED:
        raise HashListError(f"unknown hash kind {algorithm!r}; use one of {', '.join(DECLARED)}")
    try:
        kind = detect_format(path) if format == "auto" else format
    except OSError as err:
        raise HashListError(f"cannot read hash list {path}: {err}") from err
    if kind == "vics":
        items = read_vics(path, accept_partial=accept_partial)
    elif kind == "csv":
        items = read_csv(path, algorithm, accept_partial=accept_partial)
    else:
        items = read_plain(path, algorithm or (None if kind == "plain" else kind), accept_partial=accept_partial)
    return _refuse_wrong_format(items, path, kind)


def _refuse_wrong_format(items: Iterator[Item], path: str | Path, kind: str) -> Iterator[Item]:
    held: list[HashListProblem] = []
    for item in items:
        if isinstance(item, HashEntry):
            yield from held
            held = []
            yield item
            yield from items
            return
        if isinstance(item, ListFacts):
            yield item
            continue
        held.append(item)
        if len(held) >= FORMAT_PROBE:
            raise HashListError(
                f"{path}: not readable as a {kind} list: its first {len(held)} records are all bad "
                f"({held[0]}); check --format")
    yield from held


__all__ = ["FORMATS", "HashEntry", "HashListProblem", "ListFacts", "detect_format", "read_hashlist"]
