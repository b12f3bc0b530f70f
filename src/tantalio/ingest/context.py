"""The read-only view of an exhibit that parsers get (:class:`~tantalio.ingest.base.ParseContext`)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from tantalio.errors import EvidenceError, ParseError
from tantalio.ingest.base import BatchSink, EvidenceFile, ExhibitInfo, Parser
from tantalio.ingest.sources import EvidenceTree, TolerantReader
from tantalio.ingest.sqlite_records import SQLITE_MAGIC, sqlite_page_size
from tantalio.ingest.sqlite_salvage import SalvageUnavailable, integrity_problems, recover
from tantalio.media.digests import digest_stream
from tantalio.model import RecordBatch, SourceRef
from tantalio.nogc import paused_gc


class ExhibitContext:
    """Gives parsers read access to every hashed file of one exhibit.

    SQLite evidence is opened with ``mode=ro&immutable=1`` when it stands alone. When it has a
    ``-wal`` beside it (whose committed pages belong to the database) or lives inside a zip,
    the database and its journal files are first copied to the case's scratch folder and read
    from there, so nothing is ever written beside evidence.
    """

    def __init__(self, exhibit: ExhibitInfo, tree: EvidenceTree, files: Iterable[EvidenceFile],
                 scratch: Path, parser_name: str = "") -> None:
        self.exhibit = exhibit
        self.tree = tree
        self._files = {f.path: f for f in files}
        self.scratch = scratch
        self.parser_name = parser_name
        self._connections: list[sqlite3.Connection] = []
        self._opened: dict[str, sqlite3.Connection] = {}
        self.notes: list[tuple[str, str]] = []
        """(path, message) the pipeline records as warnings: integrity failures, recoveries."""
        self.salvaged: dict[str, str] = {}
        """Paths of databases read from a recovered copy, with how (source_file.salvage)."""

    def open(self, file: EvidenceFile) -> BinaryIO:
        """The file's bytes up to the first damage (intake recorded and warned about any)."""
        path = file.path
        return TolerantReader(lambda: self.tree.open(path)).binary()

    def find(self, path: str) -> EvidenceFile | None:
        return self._files.get(path)

    def files(self, prefix: str = "") -> Iterator[EvidenceFile]:
        for path in sorted(self._files):
            if path.startswith(prefix):
                yield self._files[path]

    def ref(self, file: EvidenceFile) -> SourceRef:
        return SourceRef(self.exhibit.id, file.path, file.sha256, self.parser_name)

    def sqlite(self, file: EvidenceFile) -> sqlite3.Connection:
        """A read-only connection to ``file``, checked with SQLite's integrity check; a database
        that fails it is read from its recovered copy (:mod:`sqlite_salvage`), and ``notes`` /
        ``salvaged`` say so for the pipeline to record."""
        if file.path in self._opened:
            return self._opened[file.path]
        with self.open(file) as f:
            head = f.read(100)
            if head[:16] != SQLITE_MAGIC:
                raise ParseError(f"{file.path}: not a plain SQLite database (encrypted or corrupt?)")
        page = sqlite_page_size(head)
        if page and (file.size < page or file.size % page):
            self.notes.append((file.path, f"truncated: {file.size} bytes is not a whole number of its "
                               f"{page}-byte pages; rows past the cut are lost"))
        conn, copy = self._connect(file)
        problems = _schema_problems(conn) or integrity_problems(conn, file.size)
        if problems:
            conn.close()
            self.notes.append((file.path, "SQLite integrity check failed: " + "; ".join(problems[:5])
                               + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else "")))
            conn = self._salvaged(file, copy or self.scratch_copy(file), problems)
        self._connections.append(conn)
        self._opened[file.path] = conn
        return conn

    def _connect(self, file: EvidenceFile) -> tuple[sqlite3.Connection, Path | None]:
        wal = self.find(file.path + "-wal")
        local = self.tree.local_file(file.path)
        if local is not None and (wal is None or wal.size == 0):
            uri = f"file:{_uri_path(local)}?mode=ro&immutable=1"
            return sqlite3.connect(uri, uri=True, check_same_thread=False), None
        target = self.scratch_copy(file)
        # the copy is ours: SQLite reads the WAL frames beside it
        return sqlite3.connect(f"file:{_uri_path(target)}?mode=ro", uri=True, check_same_thread=False), target

    def scratch_copy(self, file: EvidenceFile) -> Path:
        """The database and its ``-wal`` copied into the case's scratch folder (each copy written
        under a temporary name and renamed, so a copy cut short by a kill is never reused)."""
        target = self.scratch / "sqlite" / file.sha256[:16] / file.name
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal"):
            member = self.find(file.path + suffix)
            if member is None:
                continue
            dest = Path(str(target) + suffix)
            if not dest.exists():
                partial = dest.with_name(dest.name + ".partial")
                with self.open(member) as src, open(partial, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
                partial.replace(dest)
        return target

    def _salvaged(self, file: EvidenceFile, copy: Path, problems: list[str]) -> sqlite3.Connection:
        target = copy.parent / "recovered" / copy.name
        try:
            salvage = recover(copy, target, problems)
        except SalvageUnavailable as e:
            self.notes.append((file.path, f"not recovered: {e}; read as it stands, rows may be missing"))
            conn, _ = self._connect(file)
            if _schema_problems(conn):
                conn.close()
                raise ParseError(f"{file.path}: unreadable SQLite database ({problems[0]}); {e}") from e
            return conn
        orphans = (f"; {salvage.orphans} orphan rows SQLite could not attribute to a table are left in "
                   "lost_and_found of the copy") if salvage.orphans else ""
        self.notes.append((file.path, f"{salvage.rows} rows recovered ({salvage.method}) into a scratch copy "
                           f"inside the case folder and parsed from there; its records are marked as recovered{orphans}"))
        self.salvaged[file.path] = salvage.note()
        return sqlite3.connect(f"file:{_uri_path(target)}?mode=ro", uri=True, check_same_thread=False)

    def close(self) -> None:
        for conn in self._connections:
            conn.close()
        self._connections.clear()
        self._opened.clear()


def _schema_problems(conn: sqlite3.Connection) -> list[str]:
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as e:  # a mangled schema can fail to decode
        return [f"schema unreadable: {e}"]
    return []


def _uri_path(path: Path) -> str:
    return str(path.resolve()).replace("?", "%3f").replace("#", "%23")


def hash_tree(tree: EvidenceTree) -> list[EvidenceFile]:
    """Hash every file of ``tree`` serially (the pipeline does this in parallel)."""
    out: list[EvidenceFile] = []
    for entry in tree.walk():
        reader = TolerantReader(entry.opener)
        with reader:
            d = digest_stream(reader.binary())
        if reader.error is None or d.size:
            out.append(EvidenceFile(entry.path, d.size, d.sha256, d.head))
    return out


def parse_file(parser: Parser, file: EvidenceFile, ctx: ExhibitContext, sink: BatchSink) -> None:
    """Run ``parser`` on one source file, with the cyclic GC paused while it builds records
    (:mod:`tantalio.nogc`)."""
    with paused_gc():
        parser.parse(file, ctx, sink)


def run_parser(parser: Parser, sources: list[Path], exhibit: ExhibitInfo, scratch: Path,
               path: str | None = None) -> RecordBatch:
    """Run one parser over an exhibit: on ``path`` if given, else on every file it detects.

    The same code the pipeline uses, without a case store; meant for tests and tools.
    """
    tree = EvidenceTree(sources)
    files = hash_tree(tree)
    ctx = ExhibitContext(exhibit, tree, files, scratch, parser.NAME)
    sink = BatchSink()
    try:
        targets = [f for f in files if f.path == path] if path else [f for f in files if parser.detect(f, ctx)]
        if path and not targets:
            raise EvidenceError(f"{path}: not found in the exhibit")
        for f in targets:
            parse_file(parser, f, ctx, sink)
    finally:
        ctx.close()
    return sink.batch
