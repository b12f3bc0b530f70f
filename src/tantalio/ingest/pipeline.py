"""Ingest: register an exhibit, hash every file on arrival (custody), detect formats and run
parsers, writing each source's records in one transaction.

Resumable: a file already recorded with the same SHA-256 is not written again, and a source
already parsed is skipped; an interrupted run leaves no half-written source because a
source's records and its "parsed" mark are committed together.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from tantalio.errors import EvidenceError, TantalioError, UserError
from tantalio.identity import normalize_phone
from tantalio.ingest.base import BatchSink, EvidenceFile, ExhibitInfo, Parser
from tantalio.ingest.context import ExhibitContext, parse_file
from tantalio.ingest.registry import ParserRegistry, default_registry
from tantalio.ingest.sources import EvidenceTree, RawEntry
from tantalio.media.digests import Digests, digest_stream
from tantalio.media.sniff import sniff
from tantalio.nogc import paused_gc
from tantalio.store.sqlite import CaseStore, utcnow
from tantalio.store.writer import BatchWriter, ExhibitScope, get_or_create_identifier

COMMIT_EVERY = 500
FLUSH_SECONDS = 2.0

# Artefacts we recognise but cannot read without a key: warn, so "no data" never looks like
# "nothing there" (a crypt14 backup beside an unreadable msgstore.db is a lead, not noise).
KEY_NEEDED = (
    (re.compile(r"(^|/)msgstore[^/]*\.db\.crypt\d+$", re.I), "encrypted WhatsApp backup: the key file is needed"),
    (re.compile(r"(^|/)wa\.db\.crypt\d+$", re.I), "encrypted WhatsApp contacts backup: the key file is needed"),
)


class Progress(Protocol):
    """What long work reports; the CLI shows it as Rich progress bars."""

    def phase(self, name: str, total_files: int, total_bytes: int) -> None: ...

    def advance(self, files: int, nbytes: int) -> None: ...

    def done(self) -> None: ...


class NullProgress:
    def phase(self, name: str, total_files: int, total_bytes: int) -> None:
        pass

    def advance(self, files: int, nbytes: int) -> None:
        pass

    def done(self) -> None:
        pass


@dataclass(slots=True)
class IngestOptions:
    exhibit_id: str
    owner: str | None = None
    country: str | None = None
    timezone: str | None = None
    format: str | None = None
    description: str | None = None
    workers: int = 2


@dataclass(slots=True)
class IngestReport:
    exhibit_id: str
    files: int = 0
    bytes: int = 0
    new_files: int = 0
    unreadable: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    parsed: dict[str, int] = field(default_factory=dict)  # parser -> sources parsed this run
    skipped_parsed: int = 0
    failed: list[str] = field(default_factory=list)
    warnings: int = 0


def register_exhibit(store: CaseStore, opts: IngestOptions, tree: EvidenceTree) -> ExhibitInfo:
    """Create the exhibit (or check it against what is recorded) and return its parameters."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    conn = store.conn
    row = conn.execute("SELECT owner_phone, country, timezone FROM exhibit WHERE id=?", (opts.exhibit_id,)).fetchone()
    owner = None
    country = opts.country.upper() if opts.country else None
    if opts.owner:
        norm = normalize_phone(opts.owner, country)
        if norm is None:
            raise UserError(f"--owner {opts.owner!r} is not a phone number (write it with +country code)")
        owner, region = norm
        country = country or region
    tz = opts.timezone or (row[2] if row else None) or store.meta("timezone") or "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise UserError(f"unknown timezone {tz!r}") from e
    with store.transaction():
        if row is None:
            conn.execute(
                "INSERT INTO exhibit(id, description, owner_phone, country, timezone, registered_at) VALUES (?,?,?,?,?,?)",
                (opts.exhibit_id, opts.description, owner, country, tz, utcnow()),
            )
        else:
            for label, given, recorded in (("owner", owner, row[0]), ("country", country, row[1]), ("timezone", opts.timezone, row[2])):
                if given and recorded and given != recorded:
                    raise UserError(f"exhibit {opts.exhibit_id} is recorded with {label} {recorded}, not {given}")
            owner, country, tz = owner or row[0], country or row[1], row[2]
            conn.execute("UPDATE exhibit SET owner_phone=?, country=? WHERE id=?", (owner, country, opts.exhibit_id))
        for s, label in zip(tree.sources, tree.labels(), strict=True):
            kind = "folder" if s.is_dir() else "zip" if zipfile.is_zipfile(s) else "file"
            conn.execute("INSERT OR IGNORE INTO exhibit_source(exhibit_id, location, kind, label) VALUES (?,?,?,?)",
                         (opts.exhibit_id, str(s.resolve()), kind, label))
        if owner:
            get_or_create_identifier(conn, _owner_key(owner, country))
    return ExhibitInfo(opts.exhibit_id, tz, country, owner)


def _owner_key(owner: str, country: str | None):  # type: ignore[no-untyped-def]
    from tantalio.identity import IdentifierKey

    return IdentifierKey("phone", owner, owner, "", country)


def _hash(entry: RawEntry) -> Digests | OSError | TantalioError | ValueError:
    try:
        with entry.opener() as f:
            return digest_stream(f, limit=entry.size if "!/" in entry.path else None)
    except (OSError, TantalioError, ValueError, zipfile.BadZipFile, EOFError) as e:
        return e if isinstance(e, OSError | TantalioError | ValueError) else OSError(str(e))


def _hash_all(entries: list[RawEntry], workers: int) -> Iterator[tuple[RawEntry, Digests | Exception]]:
    if workers <= 1:
        for e in entries:
            yield e, _hash(e)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(entries), 256):
            chunk = entries[start:start + 256]
            yield from zip(chunk, pool.map(_hash, chunk), strict=True)


def ingest(store: CaseStore, sources: list[Path], opts: IngestOptions,
           registry: ParserRegistry | None = None, progress: Progress | None = None) -> IngestReport:
    """Ingest ``sources`` as exhibit ``opts.exhibit_id`` into ``store``."""
    progress = progress or NullProgress()
    registry = registry or default_registry()
    forced: Parser | None = registry.get(opts.format) if opts.format else None
    sources = [Path(s) for s in sources]
    tree = EvidenceTree(sources)
    info = register_exhibit(store, opts, tree)
    report = IngestReport(info.id)
    conn = store.conn

    entries = list(tree.walk())
    for refusal in tree.refusals:
        report.refused.append(f"{refusal.path}: {refusal.reason}")
        store.warn("intake", refusal.reason, info.id, refusal.path)
    progress.phase("hashing", len(entries), sum(e.size for e in entries))

    files: list[EvidenceFile] = []
    recorded = {p: s for p, s in conn.execute("SELECT path, sha256 FROM source_file WHERE exhibit_id=?", (info.id,))}
    # Hash without holding the case's write lock; record custody in short transactions (every
    # COMMIT_EVERY files or FLUSH_SECONDS), so parallel ingests interleave and a kill loses little.
    custody: list[tuple[object, ...]] = []
    intake_warnings: list[tuple[str, str]] = []
    flushed = time.monotonic()

    def flush() -> None:
        with store.transaction():
            for path, msg in intake_warnings:
                store.warn("intake", msg, info.id, path)
            conn.executemany(
                "INSERT INTO source_file(exhibit_id, path, size, sha256, md5, sha1, mtime, mime, hashed_at)"
                " VALUES (?,?,?,?,?,?,?,?,?)", custody)
        custody.clear()
        intake_warnings.clear()

    for entry, result in _hash_all(entries, opts.workers):
        progress.advance(1, entry.size)
        if isinstance(result, Exception):
            msg = f"unreadable: {getattr(result, 'strerror', None) or result}"
            report.unreadable.append(f"{entry.path}: {msg}")
            intake_warnings.append((entry.path, msg))
            continue
        d = result
        files.append(EvidenceFile(entry.path, d.size, d.sha256, d.head))
        report.files += 1
        report.bytes += d.size
        known = recorded.get(entry.path)
        if known == d.sha256:
            continue
        if known is not None:
            intake_warnings.append((entry.path, f"content intake_warnings since it was recorded (was sha256 {known}, now {d.sha256})"))
            continue
        mtime = datetime.fromtimestamp(entry.mtime, UTC).isoformat().replace("+00:00", "Z") if entry.mtime else None
        custody.append((info.id, entry.path, d.size, d.sha256, d.md5, d.sha1, mtime, sniff(d.head), utcnow()))
        report.new_files += 1
        if len(custody) >= COMMIT_EVERY or time.monotonic() - flushed >= FLUSH_SECONDS:
            flush()
            flushed = time.monotonic()
    flush()
    progress.done()

    if not files and (entries or tree.refusals):
        problems = report.unreadable + report.refused
        raise EvidenceError("nothing could be read from the evidence:\n  " + "\n  ".join(problems[:20]))

    _parse_all(store, tree, info, files, registry, forced, sources, report, progress)
    report.warnings = store.warning_count()
    store.audit("ingest", {
        "exhibit": info.id, "sources": [str(s.resolve()) for s in sources], "files": report.files,
        "bytes": report.bytes, "new_files": report.new_files, "parsed": report.parsed,
        "failed": report.failed, "unreadable": len(report.unreadable), "refused": len(report.refused),
    })
    return report


def _parse_all(store: CaseStore, tree: EvidenceTree, info: ExhibitInfo, files: list[EvidenceFile],
               registry: ParserRegistry, forced: Parser | None, sources: list[Path], report: IngestReport,
               progress: Progress) -> None:
    conn = store.conn
    status = {p: (i, s) for p, i, s in conn.execute(
        "SELECT path, id, status FROM source_file WHERE exhibit_id=?", (info.id,))}
    top_files = {s.name for s in sources if s.is_file()} if len(sources) == 1 else set()
    parsers = [forced] if forced else list(registry)
    probe = ExhibitContext(info, tree, files, store.scratch / info.id)
    plan: list[tuple[EvidenceFile, Parser]] = []
    for f in files:
        sid, state = status.get(f.path, (None, None))
        if sid is None:
            continue
        if state == "parsed":
            report.skipped_parsed += 1
            continue
        for parser in parsers:
            if (forced is not None and f.path in top_files) or _detects(parser, f, probe):
                plan.append((f, parser))
                break
        else:
            for pattern, why in KEY_NEEDED:
                if pattern.search(f.path):
                    store.warn("intake", why, info.id, f.path)
    progress.phase("parsing", len(plan), sum(f.size for f, _ in plan))
    writer = BatchWriter(conn, ExhibitScope(info.id, info.country, info.owner_phone))
    for f, parser in plan:
        sid = status[f.path][0]
        ctx = ExhibitContext(info, tree, files, store.scratch / info.id, parser.NAME)
        sink = BatchSink()
        try:
            parse_file(parser, f, ctx, sink)
        except Exception as e:  # a parser bug or unreadable file must not stop the exhibit
            ctx.close()
            with store.transaction():
                store.warn(parser.NAME, f"could not be parsed: {e}", info.id, f.path)
                conn.execute("UPDATE source_file SET status='failed', format=?, parser=? WHERE id=?",
                             (parser.NAME, parser.NAME, sid))
            report.failed.append(f"{f.path}: {e}")
            progress.advance(1, f.size)
            continue
        ctx.close()
        with store.transaction(), paused_gc():  # the batch's records are acyclic, like the parse's
            writer.write(sid, sink.batch, parser.NAME)
            conn.execute("UPDATE source_file SET status='parsed', format=?, parser=?, parsed_at=? WHERE id=?",
                         (parser.NAME, parser.NAME, utcnow(), sid))
        report.parsed[parser.NAME] = report.parsed.get(parser.NAME, 0) + 1
        progress.advance(1, f.size)
    probe.close()
    progress.done()


def _detects(parser: Parser, f: EvidenceFile, ctx: ExhibitContext) -> bool:
    try:
        return bool(parser.detect(f, ctx))
    except Exception:  # detection must never stop an ingest; the file simply isn't claimed
        return False
