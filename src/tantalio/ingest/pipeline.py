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

from tantalio.errors import EvidenceError, UserError
from tantalio.identity import normalize_phone
from tantalio.ingest.artefacts import known_artefact, why_unreadable
from tantalio.ingest.base import BatchSink, EvidenceFile, ExhibitInfo, Parser
from tantalio.ingest.context import ExhibitContext, parse_file
from tantalio.ingest.deleted_rows import CARVED_STORES, DeletedMessage, carve_messages, store_deleted
from tantalio.ingest.registry import ParserRegistry, default_registry
from tantalio.ingest.sources import EvidenceTree, RawEntry, TolerantReader
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
    damaged: list[str] = field(default_factory=list)  # read in part: custody of what could be read
    refused: list[str] = field(default_factory=list)
    parsed: dict[str, int] = field(default_factory=dict)  # parser -> sources parsed this run
    skipped_parsed: int = 0
    failed: list[str] = field(default_factory=list)
    artefacts: list[str] = field(default_factory=list)  # files at app-data paths that could not be read
    recovered_deleted: int = 0  # deleted message rows carved this run (stored apart from live messages)
    nothing_parsed: bool = False
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


@dataclass(frozen=True, slots=True)
class Hashed:
    """Digests of a file as far as it could be read; ``damage`` says why it stopped early."""

    digests: Digests
    damage: str | None = None


def _hash(entry: RawEntry) -> Hashed | ValueError:
    reader = TolerantReader(entry.opener)
    try:
        with reader:
            digests = digest_stream(reader.binary(), limit=entry.size if "!/" in entry.path else None)
    except ValueError as e:  # inflates beyond its declared size: refused, like a bomb
        return e
    damage = reader.error
    if damage is None and "!/" in entry.path and digests.size != entry.size:
        damage = f"member ends after {digests.size} of its declared {entry.size} bytes"
    return Hashed(digests, damage)


def _hash_all(entries: list[RawEntry], workers: int) -> Iterator[tuple[RawEntry, Hashed | ValueError]]:
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
                "INSERT INTO source_file(exhibit_id, path, size, sha256, md5, sha1, mtime, mime, hashed_at,"
                " bytes_read, read_error) VALUES (?,?,?,?,?,?,?,?,?,?,?)", custody)
        custody.clear()
        intake_warnings.clear()

    for entry, result in _hash_all(entries, opts.workers):
        progress.advance(1, entry.size)
        if isinstance(result, ValueError):
            msg = f"refused: {result}"
            report.refused.append(f"{entry.path}: {msg}")
            intake_warnings.append((entry.path, msg))
            continue
        d, damage = result.digests, result.damage
        if damage is not None and d.size == 0 and entry.size > 0:
            msg = f"unreadable: {damage}"
            report.unreadable.append(f"{entry.path}: {msg}")
            intake_warnings.append((entry.path, msg))
        elif damage is not None:
            msg = (f"damaged: read {d.size} of {entry.size} bytes, then {damage}; custody records the "
                   "readable part, which is parsed as far as it goes")
            report.damaged.append(f"{entry.path}: {msg}")
            intake_warnings.append((entry.path, msg))
        if not (damage is not None and d.size == 0):
            files.append(EvidenceFile(entry.path, d.size, d.sha256, d.head))
        report.files += 1
        report.bytes += d.size
        known = recorded.get(entry.path)
        if known == d.sha256:
            continue
        if known is not None:
            intake_warnings.append((entry.path, f"content changed since it was recorded (was sha256 {known},"
                                                f" now {d.sha256})"))
            continue
        mtime = datetime.fromtimestamp(entry.mtime, UTC).isoformat().replace("+00:00", "Z") if entry.mtime else None
        custody.append((info.id, entry.path, d.size if damage is None else max(entry.size, d.size), d.sha256, d.md5,
                        d.sha1, mtime, sniff(d.head), utcnow(), None if damage is None else d.size, damage))
        report.new_files += 1
        if len(custody) >= COMMIT_EVERY or time.monotonic() - flushed >= FLUSH_SECONDS:
            flush()
            flushed = time.monotonic()
    flush()
    progress.done()

    if report.files == len(report.unreadable) and (entries or tree.refusals):
        problems = report.unreadable + report.refused
        raise EvidenceError("nothing could be read from the evidence:\n  " + "\n  ".join(problems[:20]))

    _parse_all(store, tree, info, files, registry, forced, sources, report, progress)
    report.warnings = store.warning_count()
    store.audit("ingest", {
        "exhibit": info.id, "sources": [str(s.resolve()) for s in sources], "files": report.files,
        "bytes": report.bytes, "new_files": report.new_files, "parsed": report.parsed,
        "failed": report.failed, "unreadable": len(report.unreadable), "refused": len(report.refused),
        "damaged": len(report.damaged),
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
                    report.artefacts.append(f"{f.path}: {why}")
                    break
            else:
                _unclaimed_artefact(store, info, f, report)
    progress.phase("parsing", len(plan), sum(f.size for f, _ in plan))
    writer = BatchWriter(conn, ExhibitScope(info.id, info.country, info.owner_phone))
    for f, parser in plan:
        sid = status[f.path][0]
        ctx = ExhibitContext(info, tree, files, store.scratch / info.id, parser.NAME)
        sink = BatchSink()
        try:
            parse_file(parser, f, ctx, sink)
            deleted = _carve(ctx, f)
        except Exception as e:  # a parser bug or unreadable file must not stop the exhibit
            ctx.close()
            with store.transaction():
                _record_salvage(store, info, ctx, parser.NAME)
                store.warn(parser.NAME, f"could not be parsed: {e}", info.id, f.path)
                conn.execute("UPDATE source_file SET status='failed', format=?, parser=? WHERE id=?",
                             (parser.NAME, parser.NAME, sid))
            report.failed.append(f"{f.path}: {e}")
            progress.advance(1, f.size)
            continue
        ctx.close()
        with store.transaction(), paused_gc():  # the batch's records are acyclic, like the parse's
            writer.write(sid, sink.batch, parser.NAME)
            _record_salvage(store, info, ctx, parser.NAME)
            report.recovered_deleted += store_deleted(conn, info.id, sid, deleted)
            conn.execute("UPDATE source_file SET status='parsed', format=?, parser=?, parsed_at=? WHERE id=?",
                         (parser.NAME, parser.NAME, utcnow(), sid))
        report.parsed[parser.NAME] = report.parsed.get(parser.NAME, 0) + 1
        artefact = known_artefact(f)
        if artefact is not None and not sink.batch.records:  # claimed, yet nothing could be read
            why = (sink.batch.warnings[0].message if sink.batch.warnings else
                   ctx.notes[0][1] if ctx.notes else "no records in it")
            report.artefacts.append(f"{f.path}: {artefact.what} gave nothing: {why}")
        progress.advance(1, f.size)
    probe.close()
    progress.done()
    _nothing_parsed(store, info, report)


def _carve(ctx: ExhibitContext, f: EvidenceFile) -> list[DeletedMessage]:
    """Deleted message rows of a WhatsApp message store; a carving failure is a note, never an
    abort (the live rows are parsed already)."""
    if f.name.lower() not in CARVED_STORES:
        return []
    try:
        return carve_messages(ctx, f)
    except Exception as e:  # carving reads raw pages of possibly damaged files
        ctx.notes.append((f.path, f"deleted-record carving stopped: {type(e).__name__}: {e}"))
        return []


def _record_salvage(store: CaseStore, info: ExhibitInfo, ctx: ExhibitContext, stage: str) -> None:
    """Integrity failures and recoveries of the databases a parser opened, in the warning log,
    and the mark on what was read from a recovered copy (inside the source's transaction)."""
    for path, message in ctx.notes:
        store.warn(stage, message, info.id, path)
    for path, how in ctx.salvaged.items():
        row = store.conn.execute("SELECT id FROM source_file WHERE exhibit_id=? AND path=?", (info.id, path)).fetchone()
        if row is not None:
            store.conn.execute("UPDATE source_file SET salvage=? WHERE id=?", (how, row[0]))
            store.conn.execute("UPDATE message SET recovery='sqlite_recover' WHERE source_file_id=?", (row[0],))


def _unclaimed_artefact(store: CaseStore, info: ExhibitInfo, f: EvidenceFile, report: IngestReport) -> None:
    """A file named like an app's data that no parser could take is said out loud."""
    artefact = known_artefact(f)
    if artefact is None:
        return
    why = why_unreadable(f, artefact)
    if why is not None:
        report.artefacts.append(f"{f.path}: {artefact.what} not readable: {why}")
        store.warn("intake", f"{artefact.what} not readable: {why}", info.id, f.path)


def _nothing_parsed(store: CaseStore, info: ExhibitInfo, report: IngestReport) -> None:
    conn = store.conn
    files = conn.execute("SELECT count(*) FROM source_file WHERE exhibit_id=?", (info.id,)).fetchone()[0]
    # parsed means something came out: a chat, a message, an address-book name
    found = any(conn.execute(f"SELECT 1 FROM {table} WHERE exhibit_id=? LIMIT 1", (info.id,)).fetchone()  # noqa: S608
                for table in ("chat_obs", "message", "alias"))
    if files and not found:
        report.nothing_parsed = True
        with store.transaction():
            store.warn("intake", f"nothing was parsed from this exhibit: none of its {files} files gave a chat, message or "
                       "contact (custody and media triage still cover them)", info.id)


def _detects(parser: Parser, f: EvidenceFile, ctx: ExhibitContext) -> bool:
    try:
        return bool(parser.detect(f, ctx))
    except Exception:  # detection must never stop an ingest; the file simply isn't claimed
        return False
