"""CSV hash lists with a header row.

NAME: csv
FORMAT: delimited text (comma, semicolon, tab or pipe, sniffed from the header) whose header
names the columns. Hash columns: md5, sha1, sha256, pdq, photodna, or a generic "hash" whose kind
comes from a "hash type" column on each row, from the caller (``--format``), or is settled once
from the first value (``kinds``), never guessed row by row.
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
from itertools import chain
from pathlib import Path

from tantalio.errors import HashListError
from tantalio.media.hashlists.entry import (
    HashEntry,
    HashListProblem,
    InvalidHash,
    ListFacts,
    normalise,
    parse_flag,
    text_or_none,
)
from tantalio.media.hashlists.kinds import SAMPLE, refuse_non_pdq, settle_kind

NAME = "csv"
_ALIASES: dict[str, set[str]] = {
    "md5": {"md5", "md5hash", "md5sum", "md5value", "hashmd5", "md5hex"},
    "sha1": {"sha1", "sha1hash", "sha1sum", "hashsha1", "sha1hex", "sha"},
    "sha256": {"sha256", "sha256hash", "sha256sum", "hashsha256", "sha256hex", "sha2"},
    "pdq": {"pdq", "pdqhash", "pdqhex", "hashpdq"},
    "photodna": {"photodna", "pdna", "photodnahash"},
    "hash": {"hash", "hashvalue", "value", "digest"},
    "hash_type": {"hashtype", "hashname", "hashalgorithm", "algorithm", "hashkind"},
    "category": {"category", "cat", "classification", "grade", "severity", "caidcategory", "vicscategory"},
    "series": {"series", "seriesname", "seriesid"},
    "victim_identified": {"victimidentified", "victimid", "identifiedvictim"},
    "offender_identified": {"offenderidentified", "offenderid", "identifiedoffender"},
    "is_distributed": {"isdistributed", "distributed"},
}
_HASH_FIELDS = ("md5", "sha1", "sha256", "pdq", "photodna", "hash")
_TYPE_NAMES = {"md5": "md5", "sha1": "sha1", "sha-1": "sha1", "sha256": "sha256", "sha-256": "sha256",
               "pdq": "pdq", "photodna": "photodna", "pdna": "photodna"}


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


def read_csv(path: str | Path, algorithm: str | None = None, *,
             accept_partial: bool = False) -> Iterator[HashEntry | HashListProblem | ListFacts]:
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
        rows = ((number, row) for number, row in enumerate(csv.reader(text, dialect), start=2)
                if row and any(cell.strip() for cell in row))
        head: list[tuple[int, list[str]]] = []
        if "hash" in roles and "hash_type" not in roles:
            for number, row in rows:
                head.append((number, row))
                value = _cell(row, roles, "hash")
                if algorithm is None and value:
                    algorithm = settle_kind(value, value, f"{path} line {number}")
                if algorithm is not None and len(head) >= SAMPLE:
                    break
            if algorithm == "pdq":
                sample = [(v, v) for v in (_cell(row, roles, "hash") for _, row in head) if v]
                refuse_non_pdq(sample, str(path))
        yield ListFacts("csv", algorithm if "hash" in roles and "hash_type" not in roles else None)
        columns = _Columns(header, roles, known, algorithm)
        last = 0
        for number, row in chain(head, rows):
            last = number
            yield from columns.row(row, number)
        if first and last and not _ends_with_newline(path) and columns.last_row_bad:
            message = f"line {last} is cut short (no line end, a bad last row): the list is truncated"
            if not accept_partial:
                raise HashListError(f"{path}: {message}; nothing was imported (accept the rows before it with "
                                    "--accept-partial)")
            yield HashListProblem(last, message + "; the rows before it were imported", ends_read=True)


def _ends_with_newline(path: str | Path) -> bool:
    with open(path, "rb") as raw:
        raw.seek(0, 2)
        if raw.tell() == 0:
            return True
        raw.seek(-1, 2)
        return raw.read(1) in (b"\n", b"\r")


def _cell(row: list[str], roles: dict[str, int], role: str) -> str | None:
    index = roles.get(role)
    return text_or_none(row[index]) if index is not None and index < len(row) else None


class _Columns:
    def __init__(self, header: list[str], roles: dict[str, int], known: set[int], algorithm: str | None) -> None:
        self.header, self.roles, self.known, self.algorithm = header, roles, known, algorithm
        self.last_row_bad = False

    def _kind(self, row: list[str], role: str) -> str | None:
        if role != "hash":
            return role
        if "hash_type" in self.roles:
            declared = (_cell(row, self.roles, "hash_type") or "").lower().replace(" ", "")
            return _TYPE_NAMES.get(declared)
        return self.algorithm

    def row(self, row: list[str], number: int) -> Iterator[HashEntry | HashListProblem]:
        roles = self.roles
        self.last_row_bad = False
        if len(row) < len(self.header):
            self.last_row_bad = True
            yield HashListProblem(number, f"{len(row)} columns where the header has {len(self.header)}")
        try:
            flags = {name: parse_flag(_cell(row, roles, name)) for name in
                     ("victim_identified", "offender_identified", "is_distributed")}
        except ValueError as err:
            yield HashListProblem(number, str(err))
            flags = {}
        extra = {self.header[i]: cell for i, cell in enumerate(row)
                 if i not in self.known and i < len(self.header) and cell.strip()}
        found = 0
        for role in _HASH_FIELDS:
            value = _cell(row, roles, role)
            if value is None:
                continue
            kind = self._kind(row, role)
            if kind is None:
                self.last_row_bad = True
                yield HashListProblem(number, "no hash kind for this value: the hash type column is empty or unknown"
                                      if "hash_type" in roles else "the list's hash kind is not settled")
                continue
            try:
                normalised = normalise(kind, value)
            except InvalidHash as err:
                self.last_row_bad = True
                yield HashListProblem(number, str(err))
                continue
            found += 1
            yield HashEntry(
                kind, normalised, _cell(row, roles, "category"), _cell(row, roles, "series"),
                flags.get("victim_identified"), flags.get("offender_identified"), flags.get("is_distributed"),
                number, extra,
            )
        if not found and not any(_cell(row, roles, role) for role in _HASH_FIELDS):
            self.last_row_bad = True
            yield HashListProblem(number, "no hash value in this row")
