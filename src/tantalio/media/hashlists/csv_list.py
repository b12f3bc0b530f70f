"""CSV hash lists with a header row.

NAME: csv
FORMAT: delimited text (comma, semicolon or tab, sniffed from the header) whose header names the
columns. Hash columns: md5, sha1, sha256, pdq, photodna, or a generic "hash" (kind by length).
Metadata columns: category, series, victim identified, offender identified, distributed. Header
names are matched case-insensitively ignoring spaces and punctuation, with common aliases
("MD5 Hash", "SHA-1", "Hash (SHA256)", "PhotoDNA", "Classification"...). Unrecognised columns
are kept per entry in ``extra``.
REFERENCES: exports of forensic suites and national databases commonly carry these columns;
NSRL RDSv2 ``NSRLFile.txt`` ("SHA-1","MD5",...) also reads as such a CSV.

A row with several hash columns yields one entry per hash, sharing the row's metadata.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from tantalio.errors import HashListError
from tantalio.media.hashlists.entry import (
    HashEntry,
    HashListProblem,
    InvalidHash,
    normalise,
    parse_flag,
    text_or_none,
)

NAME = "csv"
_ALIASES: dict[str, set[str]] = {
    "md5": {"md5", "md5hash", "md5sum", "md5value", "hashmd5", "md5hex"},
    "sha1": {"sha1", "sha1hash", "sha1sum", "hashsha1", "sha1hex", "sha"},
    "sha256": {"sha256", "sha256hash", "sha256sum", "hashsha256", "sha256hex", "sha2"},
    "pdq": {"pdq", "pdqhash", "pdqhex", "hashpdq"},
    "photodna": {"photodna", "pdna", "photodnahash"},
    "hash": {"hash", "hashvalue", "value", "digest"},
    "category": {"category", "cat", "classification", "grade", "severity", "caidcategory", "vicscategory"},
    "series": {"series", "seriesname", "seriesid"},
    "victim_identified": {"victimidentified", "victimid", "identifiedvictim"},
    "offender_identified": {"offenderidentified", "offenderid", "identifiedoffender"},
    "is_distributed": {"isdistributed", "distributed"},
}
_HASH_FIELDS = ("md5", "sha1", "sha256", "pdq", "photodna", "hash")
_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256"}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def column_roles(header: list[str]) -> dict[str, int]:
    """Which column holds what: {"md5": 0, "category": 3, ...}."""
    roles: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _key(name)
        for role, aliases in _ALIASES.items():
            if key in aliases and role not in roles:
                roles[role] = index
    return roles


def read_csv(path: str | Path, algorithm: str | None = None) -> Iterator[HashEntry | HashListProblem]:
    """Entries of a CSV list; ``algorithm`` names the kind of a generic "hash" column."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as text:
        first = text.readline()
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(first, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        header = next(csv.reader([first], dialect))
        roles = column_roles(header)
        if not any(role in roles for role in _HASH_FIELDS):
            raise HashListError(f"{path}: no hash column in the CSV header {header[:12]!r}")
        known = set(roles.values())
        for number, row in enumerate(csv.reader(text, dialect), start=2):
            if not row or all(not cell.strip() for cell in row):
                continue
            yield from _row(row, number, roles, header, known, algorithm)


def _cell(row: list[str], roles: dict[str, int], role: str) -> str | None:
    index = roles.get(role)
    return text_or_none(row[index]) if index is not None and index < len(row) else None


def _row(
    row: list[str], number: int, roles: dict[str, int], header: list[str], known: set[int], algorithm: str | None
) -> Iterator[HashEntry | HashListProblem]:
    if len(row) < len(header):
        yield HashListProblem(number, f"{len(row)} columns where the header has {len(header)}")
    try:
        flags = {name: parse_flag(_cell(row, roles, name)) for name in
                 ("victim_identified", "offender_identified", "is_distributed")}
    except ValueError as err:
        yield HashListProblem(number, str(err))
        flags = {}
    extra = {header[i]: cell for i, cell in enumerate(row) if i not in known and i < len(header) and cell.strip()}
    found = 0
    for role in _HASH_FIELDS:
        value = _cell(row, roles, role)
        if value is None:
            continue
        kind = role if role != "hash" else (algorithm or _BY_LENGTH.get(len(value)))
        if kind is None:
            yield HashListProblem(number, f"cannot tell the hash kind of a {len(value)}-character value")
            continue
        try:
            normalised = normalise(kind, value)
        except InvalidHash as err:
            yield HashListProblem(number, str(err))
            continue
        found += 1
        yield HashEntry(
            kind, normalised, _cell(row, roles, "category"), _cell(row, roles, "series"),
            flags.get("victim_identified"), flags.get("offender_identified"), flags.get("is_distributed"),
            number, extra,
        )
    if not found and not any(_cell(row, roles, role) for role in _HASH_FIELDS):
        yield HashListProblem(number, "no hash value in this row")
