"""The batch-intake manifest: one CSV row per exhibit, checked whole before anything starts.

Columns (header row required, names case-insensitive, order free): ``exhibit`` and ``path``
are required; ``owner``, ``country``, ``timezone`` and ``description`` may be empty. ``path``
lists the exhibit's sources (folders, zips or files of one seized device) separated by ``;``;
relative paths are taken from the manifest's folder. Every bad row is reported with its line
number in one error, so a 300-row manifest is fixed in one pass, not one failure at a time.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import phonenumbers

from tantalio.errors import UserError
from tantalio.identity import normalize_phone

COLUMNS = ("exhibit", "path", "owner", "country", "timezone", "description")
REQUIRED = ("exhibit", "path")
SOURCE_SEPARATOR = ";"
EXHIBIT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ManifestError(UserError):
    """The manifest has bad rows; nothing was ingested."""


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """One exhibit to ingest, as the manifest gives it (sources resolved to absolute paths)."""

    line: int
    exhibit: str
    sources: tuple[str, ...]
    owner: str | None = None
    country: str | None = None
    timezone: str | None = None
    description: str | None = None


def read_manifest(path: Path) -> list[ManifestRow]:
    """Read and check the whole manifest; :class:`ManifestError` lists every bad row."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ManifestError(f"{path}: cannot read the manifest: {e}") from e
    reader = csv.reader(text.splitlines(keepends=True))
    problems: list[str] = []
    header = next(reader, None)
    if header is None:
        raise ManifestError(f"{path}: empty manifest (expected a header: {','.join(COLUMNS)})")
    names = [h.strip().lower() for h in header]
    unknown = [n for n in names if n not in COLUMNS]
    missing = [n for n in REQUIRED if n not in names]
    if unknown or missing or len(set(names)) != len(names):
        raise ManifestError(f"{path} line 1: the header must name the columns {', '.join(COLUMNS)} "
                            f"(exhibit and path required); unknown {unknown or '-'}, missing {missing or '-'}")
    rows: list[ManifestRow] = []
    seen_exhibits: dict[str, int] = {}
    seen_sources: dict[str, tuple[str, int]] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if len(cells) > len(names):
            problems.append(f"line {line}: {len(cells)} cells for {len(names)} columns (a comma in a path? quote it)")
            continue
        values = {n: (cells[i].strip() if i < len(cells) else "") for i, n in enumerate(names)}
        row, row_problems = _check_row(line, values, path.parent)
        problems += [f"line {line}: {p}" for p in row_problems]
        key = row.exhibit.casefold()
        if key in seen_exhibits:
            problems.append(f"line {line}: exhibit {row.exhibit} is already listed on line {seen_exhibits[key]}")
        seen_exhibits.setdefault(key, line)
        for source in row.sources:
            if source in seen_sources and seen_sources[source][0] != row.exhibit:
                other, other_line = seen_sources[source]
                problems.append(f"line {line}: {source} is also a source of {other} (line {other_line})")
            seen_sources.setdefault(source, (row.exhibit, line))
        if not row_problems:
            rows.append(row)
    if problems:
        raise ManifestError(_listing(path, problems))
    if not rows:
        raise ManifestError(f"{path}: no exhibits listed")
    return rows


def _check_row(line: int, values: dict[str, str], base: Path) -> tuple[ManifestRow, list[str]]:
    """The row as given (sources that exist, resolved) and what is wrong with it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    problems: list[str] = []
    exhibit = values.get("exhibit", "")
    if not EXHIBIT_ID.match(exhibit):
        problems.append(f"exhibit id {exhibit!r} must be letters, digits, '.', '_' or '-' (e.g. EX-07)")
    sources: list[str] = []
    listed = [s.strip() for s in values.get("path", "").split(SOURCE_SEPARATOR) if s.strip()]
    if not listed:
        problems.append("no path given")
    for given in listed:
        source = Path(given).expanduser()
        source = (source if source.is_absolute() else base / source).resolve()
        if not source.exists():
            problems.append(f"path {given!r} does not exist ({source})")
        elif str(source) in sources:
            problems.append(f"path {given!r} is listed twice")
        else:
            sources.append(str(source))
    country = values.get("country", "").upper() or None
    if country and country not in phonenumbers.SUPPORTED_REGIONS:
        problems.append(f"country {values['country']!r} is not an ISO 3166 two-letter code (e.g. ES)")
        country = None
    owner = values.get("owner") or None
    if owner and normalize_phone(owner, country) is None:
        problems.append(f"owner {owner!r} is not a phone number (write it with +country code)")
    timezone = values.get("timezone") or None
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"unknown timezone {timezone!r} (use an IANA name such as Europe/Madrid)")
    return ManifestRow(line, exhibit, tuple(sources), owner, country, timezone,
                       values.get("description") or None), problems


def check_against_case(conn: sqlite3.Connection, rows: list[ManifestRow], manifest: Path) -> None:
    """Refuse rows that contradict an exhibit already recorded in the case (owner, country,
    timezone), before anything starts."""
    recorded = {r[0]: r[1:] for r in conn.execute("SELECT id, owner_phone, country, timezone FROM exhibit")}
    problems = []
    for row in rows:
        if row.exhibit not in recorded:
            continue
        owner_rec, country_rec, tz_rec = recorded[row.exhibit]
        norm = normalize_phone(row.owner, row.country) if row.owner else None
        given = (("owner", norm[0] if norm else None, owner_rec), ("country", row.country, country_rec),
                 ("timezone", row.timezone, tz_rec))
        for label, value, was in given:
            if value and was and value != was:
                problems.append(f"line {row.line}: exhibit {row.exhibit} is recorded with {label} {was}, not {value}")
    if problems:
        raise ManifestError(_listing(manifest, problems))


def _listing(path: Path, problems: list[str], shown: int = 50) -> str:
    more = f"\n  … and {len(problems) - shown} more" if len(problems) > shown else ""
    return (f"{path}: {len(problems)} bad row(s), nothing was ingested:\n  " + "\n  ".join(problems[:shown]) + more)


def write_manifest(path: Path, rows: list[dict[str, str | None]]) -> Path:
    """Write a manifest (used by the demo and the benchmark): ``rows`` keyed by :data:`COLUMNS`."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row.get(c) or "" for c in COLUMNS])
    return path
