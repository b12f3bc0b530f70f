"""Plain hash lists: one hash per line.

NAME: plain
FORMAT: UTF-8 text, one MD5/SHA-1/SHA-256/PDQ hex value per line; blank lines and lines starting
with ``#`` are skipped; anything after the first whitespace or comma is ignored (md5sum-style
``HASH  filename`` lines work).
REFERENCES: the usual output of md5sum/sha1sum/sha256sum and of PDQ tools (``pdq-photo-hasher``
prints ``hash,quality,path``).

The kind is inferred from the length (32 → md5, 40 → sha1, 64 → sha256) unless the caller says
which: a 64-digit value is ambiguous between SHA-256 and PDQ, so PDQ lists must be imported with
``algorithm="pdq"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from tantalio.media.hashlists.entry import HashEntry, HashListProblem, InvalidHash, normalise

NAME = "plain"
_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256"}
_SPLIT = re.compile(r"[\s,;]")


def read_plain(path: str | Path, algorithm: str | None = None) -> Iterator[HashEntry | HashListProblem]:
    with open(path, encoding="utf-8-sig", errors="replace") as text:
        for number, raw in enumerate(text, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            value = _SPLIT.split(line, maxsplit=1)[0]
            kind = algorithm or _BY_LENGTH.get(len(value))
            if kind is None:
                yield HashListProblem(number, f"cannot tell the hash kind of a {len(value)}-character value")
                continue
            try:
                yield HashEntry(kind, normalise(kind, value), line=number)
            except InvalidHash as err:
                yield HashListProblem(number, str(err))
