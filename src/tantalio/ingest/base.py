"""What a parser sees: the evidence file it detected, read-only access to the rest of the
exhibit, and a sink for records and warnings. Parsers never touch the case store."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, ClassVar, Protocol, runtime_checkable

from tantalio.model import ParseWarning, Record, RecordBatch, SourceRef


@dataclass(frozen=True, slots=True)
class ExhibitInfo:
    """Case parameters of the exhibit being parsed."""

    id: str
    timezone: str = "UTC"
    country: str | None = None
    owner_phone: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """One file of an exhibit, hashed on arrival. ``path`` is relative to the exhibit root with
    ``/`` separators; members of a container read in place are written ``box.zip!/member``."""

    path: str
    size: int
    sha256: str
    head: bytes = b""

    @property
    def name(self) -> str:
        return self.path.rsplit("!/", 1)[-1].rsplit("/", 1)[-1]

    @property
    def parent(self) -> str:
        """Folder holding this file ('' at the root); ``box.zip!`` for a zip's top level, so
        ``parent + "/" + name`` is always a sibling's path."""
        cut = self.path.rfind("/")
        return self.path[:cut] if cut >= 0 else ""

    def sibling(self, name: str) -> str:
        return f"{self.parent}/{name}" if self.parent else name


class ParseContext(Protocol):
    """Read-only access to an exhibit for one parser run."""

    exhibit: ExhibitInfo

    def open(self, file: EvidenceFile) -> BinaryIO:
        """Open an evidence file for reading (never writable)."""
        ...

    def find(self, path: str) -> EvidenceFile | None:
        """The exhibit file at ``path`` (relative to the exhibit root), if any."""
        ...

    def files(self, prefix: str = "") -> Iterator[EvidenceFile]:
        """Every exhibit file whose path starts with ``prefix``."""
        ...

    def sqlite(self, file: EvidenceFile) -> sqlite3.Connection:
        """A read-only connection to an SQLite evidence file, including its ``-wal`` contents
        when one is present (read from a scratch copy; nothing is written beside evidence)."""
        ...

    def ref(self, file: EvidenceFile) -> SourceRef:
        """Provenance for records read from ``file``."""
        ...


class Sink(Protocol):
    def emit(self, record: Record) -> None: ...

    def emit_all(self, records: Iterable[Record]) -> None: ...

    def warn(self, ref: SourceRef, message: str) -> None: ...


class BatchSink:
    """Collects one parser run's output in memory, to be written in one transaction."""

    def __init__(self) -> None:
        self.batch = RecordBatch()

    def emit(self, record: Record) -> None:
        self.batch.records.append(record)

    def emit_all(self, records: Iterable[Record]) -> None:
        self.batch.records.extend(records)

    def warn(self, ref: SourceRef, message: str) -> None:
        self.batch.warnings.append(ParseWarning(ref, message))


@runtime_checkable
class Parser(Protocol):
    """A parser for one evidence format. ``detect`` is cheap (name and first bytes only);
    ``parse`` reads the file (and siblings through ``ctx``) and emits records."""

    NAME: ClassVar[str]
    FORMAT: ClassVar[str]
    REFERENCES: ClassVar[tuple[str, ...]]

    def detect(self, file: EvidenceFile, ctx: ParseContext) -> bool: ...

    def parse(self, file: EvidenceFile, ctx: ParseContext, sink: Sink) -> None: ...


ParserFactory = Callable[[], Parser]

