"""Which hash kind a list (or a generic hash column) holds: declared, or settled once per list.

A kind is never guessed line by line from the value's length: a 40-digit fragment of a SHA-256
would become a SHA-1, a PDQ a SHA-256. The analyst declares it (``--format md5|sha1|sha256|pdq``,
a column named for its algorithm, a "hash type" column), or it is settled once from the list's
first value and its line shape, and every other value must then be of that kind:

* 32 hex digits: MD5; 40: SHA-1 (no other common kind has these lengths).
* 64 hex digits are SHA-256 or PDQ. ``sha256sum`` lines (``HASH  name`` or ``HASH *name``) are
  SHA-256; PDQ tool lines (``HASH,QUALITY[,path]``, TE ``pdq-photo-hasher``) are PDQ; a bare value
  is refused with one error asking which.
* A list declared PDQ whose values set more than 128 bits is not PDQ (``PDQ_MAX_SET_BITS``): a
  SHA-256 list offered as ``--format pdq`` is refused with one error.
"""

from __future__ import annotations

import re

from tantalio.errors import HashListError
from tantalio.media.hashlists.entry import PDQ_MAX_SET_BITS, set_bits

DECLARED = ("md5", "sha1", "sha256", "pdq")
_BY_LENGTH = {32: "md5", 40: "sha1"}
_SUM_LINE = re.compile(r"^[0-9a-fA-F]+ [ *]\S")
"""md5sum/sha1sum/sha256sum output: the digest, a space, then a space (text) or * (binary mode)."""
_PDQ_LINE = re.compile(r"^[0-9a-fA-F]{64}\s*,\s*\d{1,3}\s*(,|$)")
SAMPLE = 32


def settle_kind(value: str, line: str, where: str) -> str | None:
    """The kind of a list from its first hex value (None: not a hash value at all)."""
    if not re.fullmatch(r"[0-9a-fA-F]+", value):
        return None
    if len(value) in _BY_LENGTH:
        return _BY_LENGTH[len(value)]
    if len(value) == 64:
        if _SUM_LINE.match(line):
            return "sha256"
        if _PDQ_LINE.match(line):
            return "pdq"
        raise HashListError(f"{where}: 64 hex digits are a SHA-256 or a PDQ hash; say which with "
                            "--format sha256 or --format pdq (or name the column)")
    return None


def refuse_non_pdq(sample: list[tuple[str, str]], where: str) -> None:
    """One error if a list declared PDQ is plainly something else (a sha256sum file, or values
    with more set bits than PDQ allows). ``sample``: (value, whole line) of its first values."""
    if not sample:
        return
    if all(_SUM_LINE.match(line) for _, line in sample):
        raise HashListError(f"{where}: lines shaped like sha256sum output ('HASH  name'): a SHA-256 list, "
                            "not PDQ (use --format sha256)")
    too_many = [v for v, _ in sample if len(v) == 64 and re.fullmatch(r"[0-9a-fA-F]+", v)
                and set_bits(v) > PDQ_MAX_SET_BITS]
    if too_many and len(too_many) * 4 >= len(sample):
        raise HashListError(
            f"{where}: {len(too_many)} of the first {len(sample)} values set more than {PDQ_MAX_SET_BITS} of 256 "
            f"bits (e.g. {too_many[0][:16]}…: {set_bits(too_many[0])}); a PDQ hash never does. A SHA-256 list? "
            "(use --format sha256)")


def not_pdq(value: str) -> str | None:
    """Why one value of a PDQ list cannot be a PDQ hash, or None."""
    bits = set_bits(value)
    return f"not a PDQ hash: {bits} of 256 bits set (PDQ sets at most {PDQ_MAX_SET_BITS})" if bits > PDQ_MAX_SET_BITS else None
