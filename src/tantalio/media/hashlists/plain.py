"""Plain hash lists: one hash per line.

NAME: plain
FORMAT: UTF-8 text, one MD5/SHA-1/SHA-256/PDQ hex value per line; blank lines and lines starting
with ``#`` are skipped; anything after the first whitespace, comma or semicolon is ignored
(``md5sum``/``sha256sum`` output ``HASH  name`` and PDQ tool output ``HASH,QUALITY,path`` work).
REFERENCES: the usual output of md5sum/sha1sum/sha256sum and of PDQ tools (TE
``pdq-photo-hasher`` prints ``hash,quality,path``).

The list has one kind (``kinds``): declared (``algorithm``), or settled from its first value; a
value of another length is a problem of its line, never re-guessed. A last line cut short (no
line end and not a valid value) means the file is truncated: an error unless ``accept_partial``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from tantalio.errors import HashListError
from tantalio.media.hashlists.entry import HashEntry, HashListProblem, InvalidHash, ListFacts, normalise
from tantalio.media.hashlists.kinds import SAMPLE, not_pdq, refuse_non_pdq, settle_kind

NAME = "plain"
_SPLIT = re.compile(r"[\s,;]")


def _lines(path: str | Path) -> Iterator[tuple[int, str, bool]]:
    """(line number, text, ended by a newline) of every line that is not blank or a comment."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as text:
        for number, raw in enumerate(text, start=1):
            line = raw.strip()
            if line and not line.startswith("#"):
                yield number, line, raw.endswith(("\n", "\r"))


def read_plain(path: str | Path, algorithm: str | None = None, *,
               accept_partial: bool = False) -> Iterator[HashEntry | HashListProblem | ListFacts]:
    lines = _lines(path)
    head: list[tuple[int, str, bool]] = []
    kind = algorithm
    for item in lines:
        head.append(item)
        if kind is None:
            kind = settle_kind(_SPLIT.split(item[1], maxsplit=1)[0], item[1], f"{path} line {item[0]}")
        if kind is not None and len(head) >= SAMPLE:
            break
    if kind == "pdq":
        refuse_non_pdq([(_SPLIT.split(line, maxsplit=1)[0], line) for _, line, _ in head], str(path))
    yield ListFacts("plain", kind)
    last: tuple[int, str, bool] | None = None
    for number, line, ended in chain(head, lines):
        last = (number, line, ended)
        if kind is None:
            yield HashListProblem(number, f"not a hash value: {line[:80]!r}")
            continue
        value = _SPLIT.split(line, maxsplit=1)[0]
        try:
            normalised = normalise(kind, value)
        except InvalidHash as err:
            if not ended:
                break
            yield HashListProblem(number, f"{err} (this is a {kind} list)")
            continue
        reason = not_pdq(normalised) if kind == "pdq" else None
        if reason:
            yield HashListProblem(number, reason)
            continue
        yield HashEntry(kind, normalised, line=number)
    else:
        return
    assert last is not None
    message = f"line {last[0]} is cut short (no line end, {last[1][:80]!r} is no {kind} value): the list is truncated"
    if not accept_partial:
        raise HashListError(f"{path}: {message}; nothing was imported (accept the lines before it with --accept-partial)")
    yield HashListProblem(last[0], message + "; the lines before it were imported", ends_read=True)
