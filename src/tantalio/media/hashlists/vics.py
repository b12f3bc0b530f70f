"""Project VIC / VICS hash lists (OData JSON), read as a stream with ijson (yajl2 C backend).

NAME: vics
FORMAT: ``{"@odata.context": ".../2.0.xml/<US|UK|CUSTOM|Default>/$metadata#Media", "value": [Media...]}``
(VICS 2.0), ``{"odata.metadata": ".../1.3.xml#Media", "value": [...]}`` (1.1-1.3; NIST publishes
NSRL in the 1.2 form), and the ``#Cases`` form whose ``value`` holds cases each carrying
``Media[]``. Per Media: ``MD5``, ``SHA1`` (upper-case hex in the wild), ``Category`` (int),
``Series``, ``VictimIdentified``, ``OffenderIdentified``, ``IsDistributed`` (the strings
"true"/"false", or JSON booleans), ``PhotoDNA``, ``DateUpdated``, ``MediaFiles[{FileName,
FilePath…}]``, ``AlternativeHashes[{HashName, HashValue}]`` (SHA256, PDQ, PhotoDNA…) and, in 2.0,
``Segments[{SegmentIndex, Start, End, Category}]``. Keys are matched case-insensitively at every
level (writers differ: ``hashName``, ``SHA256`` at the top level…).
REFERENCES: HASHING.md section 3 (field list of a public C VICS writer, cross-checked with
sepinf-inc/IPED ``ProjectVICHashLookup.java`` and ``HashDBTool``).

Memory stays bounded for multi-gigabyte files: ijson hands over one Media record at a time (it
beat our former hand-written tokenizer on time and memory on a 10M-media list: bench/
bench_vics_memory.py). The first MiB is scanned once for the layout (spelling of ``value`` and
``Media``, the OData context: VICS version and profile). A bad value costs that value (a problem
naming the media index). JSON broken or cut short is an error naming the byte offset and the
media record, unless the analyst accepts a partial import (``accept_partial``): then the records
before it are kept and the break is one problem. PhotoDNA is stored, never matched.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import ijson

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

NAME = "vics"
CONTEXT_KEYS = ("@odata.context", "odata.metadata")
LAYOUT_SCAN = 1 << 20
READ_SIZE = 1 << 18
_EXTRA_FIELDS = ("mediaid", "mediasize", "isprecategorized", "issuspected", "mimetype", "tags", "comments")
_ALTERNATIVE = {"pdq": "pdq", "photodna": "photodna", "pdna": "photodna", "sha256": "sha256", "sha-256": "sha256",
                "md5": "md5", "sha1": "sha1", "sha-1": "sha1"}
_TOP_HASHES = ("md5", "sha1", "sha256", "photodna")
_VERSION = re.compile(r"DataModels/(\d+(?:\.\d+)*)\.xml(?:/([^/$#]+))?", re.IGNORECASE)


def looks_like_vics(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head[: len(head) // 2 * 2].decode("utf-16", "replace").encode("utf-8")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and (b"odata" in head or b'"value"' in head.lower())


@dataclass(slots=True)
class _Layout:
    value_key: str | None = None
    media_key: str | None = None
    """Set for the #Cases form: the key of each case's Media array."""
    context: str | None = None


class _Counted:
    """The file as ijson reads it, remembering where the last chunk started (error offsets)."""

    def __init__(self, stream: BinaryIO, start: int) -> None:
        self._stream = stream
        self.chunk = b""
        self.chunk_start = start
        self.end = start

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if size:
            self.chunk, self.chunk_start = data, self.end
            self.end += len(data)
        return data


class _Utf16:
    """A UTF-16 VICS export (some Windows writers) re-encoded to UTF-8 for the parser."""

    def __init__(self, stream: BinaryIO) -> None:
        self._reader = codecs.getreader("utf-16")(stream)

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        return self._reader.read(size if size < 0 else max(1, size // 2)).encode("utf-8")


def _open_text(raw: BinaryIO) -> tuple[BinaryIO | _Utf16, int, str]:
    """The stream to parse, where its JSON starts, and a note for offsets."""
    start = raw.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raw.seek(0)
        return _Utf16(raw), 0, " of the UTF-8 re-encoding of this UTF-16 file"
    skip = 3 if start.startswith(codecs.BOM_UTF8) else 0
    raw.seek(skip)
    return raw, skip, ""


def _layout(head: bytes, path: str | Path) -> _Layout:
    """Spelling of the top-level keys and the list's form, from the first MiB of the file."""
    found = _Layout()
    depth_of_element: str | None = None
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(head)):
            if prefix == "" and event not in ("start_map", "map_key", "end_map"):
                raise HashListError(f"{path}: not a VICS JSON list (no top-level object)")
            if prefix == "" and event == "map_key":
                lowered = value.lower()
                if lowered == "value" and found.value_key is None:
                    found.value_key = value
                    depth_of_element = f"{value}.item"
            elif event == "string" and prefix.lower() in CONTEXT_KEYS:
                found.context = found.context or value
            elif depth_of_element and prefix == depth_of_element and event == "map_key" and value.lower() == "media":
                found.media_key = value
            elif depth_of_element and prefix == depth_of_element and event == "end_map":
                break
    except ijson.JSONError:
        pass  # the scan stops at the end of the first MiB; real breaks are reported by the full read
    return found


def _facts(layout: _Layout) -> ListFacts:
    version = profile = None
    if layout.context:
        match = _VERSION.search(layout.context)
        if match:
            version, profile = match.group(1), match.group(2)
    return ListFacts("vics", None, version, profile, layout.context)


def read_vics(path: str | Path, *, accept_partial: bool = False) -> Iterator[HashEntry | HashListProblem | ListFacts]:
    """Entries of a VICS JSON list, in file order. Raises HashListError if it is not VICS at all,
    or if it is broken or truncated and ``accept_partial`` is false."""
    with open(path, "rb") as raw:
        stream, start, note = _open_text(raw)
        head = stream.read(LAYOUT_SCAN)
        layout = _layout(head, path)
        if layout.value_key is None:
            if not head.lstrip().startswith(b"{"):
                raise HashListError(f"{path}: not a VICS JSON list (no top-level object)")
            raise HashListError(f"{path}: JSON without a VICS 'value' array in its first MiB")
        yield _facts(layout)
        if isinstance(stream, _Utf16):
            raw.seek(0)
            stream = _Utf16(raw)
        else:
            raw.seek(start)
        counted = _Counted(stream, start)  # type: ignore[arg-type]
        prefix = f"{layout.value_key}.item" + (f".{layout.media_key}.item" if layout.media_key else "")
        media = 0
        try:
            for record in ijson.items(counted, prefix, buf_size=READ_SIZE):  # use_float breaks on big ints
                media += 1
                yield from media_entries(record, media)
        except ijson.JSONError as err:
            message = _broken(err, counted, media, note)
            if not accept_partial:
                raise HashListError(f"{path}: {message}; nothing was imported (accept the records before it with "
                                    "--accept-partial)") from None
            yield HashListProblem(media + 1, f"{message}; the {media} media records before it were imported", "media",
                                  ends_read=True)


def _broken(err: ijson.JSONError, counted: _Counted, media: int, note: str) -> str:
    """'JSON broken at byte N …' from a yajl error, whose verbose text shows the failing spot."""
    text = err.args[0] if err.args else ""
    raw = text if isinstance(text, bytes) else str(text).encode("utf-8", "replace")
    lines = raw.split(b"\n")
    reason = lines[0].decode("utf-8", "replace").strip()
    where = f"after {media} complete media records"
    if b"premature EOF" in lines[0]:
        return f"the file ends at byte {counted.end}{note} inside the JSON ({where}): it is truncated"
    offset = _offset_in_chunk(lines[1] if len(lines) > 1 else b"", lines[2] if len(lines) > 2 else b"",
                              counted.chunk)
    if offset is None:
        return (f"JSON broken between bytes {counted.chunk_start} and {counted.chunk_start + len(counted.chunk)}{note} "
                f"({where}): {reason}")
    return f"JSON broken at byte {counted.chunk_start + offset}{note} ({where}): {reason}"


def _offset_in_chunk(snippet_line: bytes, arrow_line: bytes, chunk: bytes) -> int | None:
    """yajl's verbose error shows up to 30 bytes either side of the failing spot of the chunk it
    was parsing (line ends shown as spaces), padded so that the spot sits above the arrow's '^'.
    Where that snippet starts in the chunk, plus the arrow's column, is the offset."""
    text = snippet_line.lstrip(b" ")
    caret = arrow_line.find(b"^")
    if not text or caret < 0:
        return None
    at = chunk.replace(b"\n", b" ").replace(b"\r", b" ").find(text)
    return None if at < 0 else at + caret - (len(snippet_line) - len(text))


def _category(value: Any) -> str | None:
    if isinstance(value, bool):
        raise ValueError(f"category {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal) and value == int(value):
        return str(int(value))
    return text_or_none(value)


def _plain_number(value: Any) -> Any:
    """ijson reads non-integers as Decimal (exact); JSON columns take them as numbers."""
    return float(value) if isinstance(value, Decimal) else value


def _lower_keys(record: dict[str, Any]) -> dict[str, Any]:
    return dict(zip(map(str.lower, record), record.values(), strict=True))  # JSON keys are always text


def _records(value: Any) -> list[dict[str, Any]]:
    return [_lower_keys(v) for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _files(fields: dict[str, Any]) -> list[dict[str, str]]:
    """MediaFiles: where the list's maintainers saw the file (name, path, parent archive)."""
    kept = []
    for media_file in _records(fields.get("mediafiles")):
        entry = {name: str(media_file[key]) for name, key in (("name", "filename"), ("path", "filepath"),
                                                            ("parent", "parentfilename"))
                 if media_file.get(key) not in (None, "")}
        if entry:
            kept.append(entry)
    return kept


def _segments(fields: dict[str, Any]) -> list[dict[str, Any]]:
    """VICS 2.0 Segments: a category per time range of a video."""
    kept = []
    for segment in _records(fields.get("segments")):
        entry = {name: _plain_number(segment[key]) for name, key in (("index", "segmentindex"), ("start", "start"), ("end", "end"),
                                                       ("category", "category")) if segment.get(key) not in (None, "")}
        if entry:
            kept.append(entry)
    return kept


def media_entries(media: Any, index: int) -> Iterator[HashEntry | HashListProblem]:
    """The hash entries of one VICS Media record (one per distinct hash it carries)."""
    if not isinstance(media, dict):
        yield HashListProblem(index, f"media record is {type(media).__name__}, not an object", "media")
        return
    fields = _lower_keys(media)
    meta: dict[str, Any] = {}
    for name, key in (("victim_identified", "victimidentified"), ("offender_identified", "offenderidentified"),
                      ("is_distributed", "isdistributed")):
        try:
            meta[name] = parse_flag(fields.get(key))
        except ValueError as err:
            yield HashListProblem(index, f"{key}: {err}", "media")
    try:
        meta["category"] = _category(fields.get("category"))
    except ValueError as err:
        yield HashListProblem(index, str(err), "media")
    series = fields.get("series")
    meta["series"] = text_or_none(series) if not isinstance(series, bool) else None
    extra = {key: fields[key] for key in _EXTRA_FIELDS if fields.get(key) not in (None, "")}
    if fields.get("dateupdated") not in (None, ""):
        extra["date_updated"] = str(fields["dateupdated"])
    if files := _files(fields):
        extra["files"] = files
    if segments := _segments(fields):
        extra["segments"] = segments

    candidates: list[tuple[str, Any]] = [(alg, fields.get(alg)) for alg in _TOP_HASHES]
    alternatives = fields.get("alternativehashes") or []
    if not isinstance(alternatives, list):
        yield HashListProblem(index, "AlternativeHashes is not a list", "media")
        alternatives = []
    for alternative in _records(alternatives):
        name = str(alternative.get("hashname", "")).strip().lower()
        if name in _ALTERNATIVE:
            candidates.append((_ALTERNATIVE[name], alternative.get("hashvalue")))
        elif name:
            extra.setdefault("other_hashes", []).append({"name": name, "value": alternative.get("hashvalue")})
    found = 0
    seen: set[tuple[str, str]] = set()
    for algorithm, value in candidates:
        if value in (None, ""):
            continue
        try:
            normalised = normalise(algorithm, value)
        except InvalidHash as err:
            yield HashListProblem(index, str(err), "media")
            continue
        found += 1
        if (algorithm, normalised) in seen:
            continue
        seen.add((algorithm, normalised))
        yield HashEntry(algorithm, normalised, meta.get("category"), meta["series"], meta.get("victim_identified"),
                        meta.get("offender_identified"), meta.get("is_distributed"), index, extra)
    if not found and not any(value not in (None, "") for _, value in candidates):
        yield HashListProblem(index, "media record without any hash", "media")
