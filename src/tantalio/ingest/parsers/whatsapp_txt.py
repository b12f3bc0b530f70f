"""WhatsApp "Export chat" text files (Android ``WhatsApp Chat with X.txt``, iOS ``_chat.txt``).

A .txt export is a lossy, localised rendering: no JIDs, device-local times without offset, and
system lines (group created, member added/removed/left, joined via link...) that are the only
membership evidence it holds. Every line group becomes a message record, system lines are
classified by per-locale text (``whatsapp_locales``) whatever their author, and unrecognised
author-less lines are kept as ``system_unknown`` with a warning, never dropped or glued to the
previous message. Header shape and day/month order are inferred per file (``whatsapp_dates``).
"""

from __future__ import annotations

import codecs
import gc
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tantalio.errors import ParseError
from tantalio.ingest.base import EvidenceFile, ParseContext, Sink
from tantalio.ingest.parsers import whatsapp_locales as loc
from tantalio.ingest.parsers.whatsapp_dates import (
    CANDIDATE,
    INVISIBLE_RE,
    DateOrder,
    HeaderReader,
    date_order,
    infer_shape,
)
from tantalio.ingest.parsers.whatsapp_locales import SystemClassifier, SystemHit, label_party
from tantalio.model.records import (
    ChatRecord,
    MediaRefRecord,
    MembershipEventRecord,
    MessageKind,
    MessageRecord,
    Record,
    SourceRef,
)

HEAD_BYTES = 4096
MAX_WARNINGS_PER_KIND = 50
INVISIBLE_CHARS = "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_STRIP = INVISIBLE_CHARS + " \t"
_QUOTES = "\"“”„«»"
_TAG_RE = re.compile(r"<(?:" + "|".join(re.escape(t) for t in loc.ATTACHED_TAGS) + r"): ?([^>]+)>")
_LEGACY_RE = re.compile(r"(.+?) <attached>$")
_CLASSIFIER = SystemClassifier(loc.SYSTEM_RULES)


@dataclass(slots=True)
class _Entry:
    """One line group: a header line and its continuation lines."""

    line: int  # 1-based line number of the header
    stamp: str
    match: re.Match[str]
    time: datetime | None
    author: str | None
    body: str
    raw: str
    hit: SystemHit | None = None


class _Warnings:
    """Warns through the sink, but only the first few of each kind (a systematic problem in a
    40k-line export must not drown the case's warning log); the rest are counted in one line."""

    def __init__(self, sink: Sink, ref: SourceRef) -> None:
        self.sink, self.ref, self.counts = sink, ref, Counter[str]()

    def __call__(self, line: int | None, kind: str, message: str) -> None:
        self.counts[kind] += 1
        if self.counts[kind] <= MAX_WARNINGS_PER_KIND:
            self.sink.warn(self.ref.at_line(line) if line else self.ref, message)

    def close(self) -> None:
        for kind, n in self.counts.items():
            if n > MAX_WARNINGS_PER_KIND:
                self.sink.warn(self.ref, f"{n - MAX_WARNINGS_PER_KIND} more warnings of kind {kind!r}")


class WhatsAppTxtParser:
    NAME: ClassVar[str] = "whatsapp_txt"
    FORMAT: ClassVar[str] = "WhatsApp chat export (.txt), Android and iOS, any locale"
    REFERENCES: ClassVar[tuple[str, ...]] = (
        "shared/FORMATS.md §1, §5, §6",
        "gesiscss/WhatsR inst/*.txt and Languages.csv (fixtures and per-locale strings)",
        "joweich/chat-miner chatminer/chatparsers.py; Kondukto/whatstk auto_header.py",
        "Pustur/whatsapp-chat-parser (day/month inference by value > 12 and change frequency)",
    )

    def __init__(self, date_order: DateOrder | None = None) -> None:
        self.date_order = date_order  # explicit override ("dmy", "mdy", "ymd", "ydm")

    # ---- detection: name and first bytes only
    def detect(self, file: EvidenceFile, ctx: ParseContext) -> bool:
        name = file.name
        if not name.lower().endswith(".txt"):
            return False
        if name == "_chat.txt" or name.startswith(loc.CHAT_FILE_PREFIXES):
            return True
        head = file.head
        if len(head) < min(file.size, HEAD_BYTES):
            try:
                with ctx.open(file) as f:
                    head = f.read(HEAD_BYTES)
            except OSError:
                return False
        text, _ = _decode(head)
        lines = [ln for ln in text.split("\n")[:20] if ln.strip(_STRIP + "\r")]
        return any(CANDIDATE.match(ln) for ln in lines[:3])

    # ---- parsing
    def parse(self, file: EvidenceFile, ctx: ParseContext, sink: Sink) -> None:
        ref = ctx.ref(file)
        warn = _Warnings(sink, ref)
        try:
            with ctx.open(file) as f:
                data = f.read()
        except OSError as e:
            warn(None, "unreadable", f"{file.path}: cannot read the export: {e}")
            warn.close()
            return
        text, problem = _decode(data)
        if problem:
            warn(problem[0], "encoding", f"{file.path}:{problem[0]}: {problem[1]}")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if "\r" in text:
            lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
        name_says_export = file.name == "_chat.txt" or file.name.startswith(loc.CHAT_FILE_PREFIXES)
        found = infer_shape(lines)
        if found is None and not name_says_export:
            raise ParseError(f"{file.path}: no WhatsApp message header found; not a chat export")
        chat_key = file.path
        records: list[Record] = []
        if found is None:
            warn(None, "empty", f"{file.path}: no message header found ({len(lines)} lines)")
            if any(ln.strip() for ln in lines):
                records.append(_preamble(ref, chat_key, lines, len(lines)))
            sink.emit(ChatRecord(ref, chat_key, "whatsapp", False, name=_name_from_path(file)))
            for r in records:
                sink.emit(r)
            warn.close()
            return
        reader = HeaderReader(found[0])
        # Hundreds of thousands of small records and no reference cycles: the cyclic GC would
        # only rescan them again and again (about a third of the run time on 200k messages).
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            entries, first = self._group(lines, reader, file, warn)
            self._set_times(entries, reader, _zone(ctx.exhibit.timezone, file, warn), file, warn)
            if first > 0:
                warn(1, "preamble", f"{file.path}:1-{first}: {first} line(s) before the first message header")
                records.append(_preamble(ref, chat_key, lines, first))
            _Emitter(ctx, file, ref, chat_key, reader.shape.bracket, warn).run(entries, records, sink)
        finally:
            if gc_was_on:
                gc.enable()
        warn.close()

    def _set_times(self, entries: list[_Entry], reader: HeaderReader, zone: ZoneInfo, file: EvidenceFile,
                   warn: _Warnings) -> None:
        """Day/month order from every header date of the file, then UTC times for all entries."""
        order = self.date_order
        if order is None:
            # consecutive repeats change neither the counts over 12 nor which field changes
            written: list[tuple[str, str, str]] = []
            for e in entries:
                a, b, c = e.match.group("f1", "f2", "f3")
                fields = (a, b, c)
                if not written or written[-1] != fields:
                    written.append(fields)
            order, note = date_order(reader.shape, [(int(a), int(b), int(c)) for a, b, c in written])
            if note:
                warn(None, "date_order", f"{file.path}: {note}")
        reader.set_order(order)
        # Convert once per local hour: the zone offset is looked up at hh:00 and hh:59 and reused
        # for the minutes in between when both agree (DST changes fall on hour boundaries in
        # almost every zone; when they don't, that hour is converted stamp by stamp).
        hours: dict[tuple[str, ...], tuple[datetime | None, str | None]] = {}
        seconds = reader.shape.seconds
        for e in entries:
            m = e.match
            key = m.group("f1", "f2", "f3", "h", *reader.ampm_group)
            got = hours.get(key)
            if got is None:
                got = hours[key] = _hour_start(reader, m, zone)
            start = got[0]
            if start is not None:
                minutes, secs = _MINUTES.get(m["mi"]), _SECONDS.get(m["s"]) if seconds else _ZERO
                if minutes is not None and secs is not None:
                    e.time = start + minutes + secs
                    continue
            naive, problem = reader.local_time(m)
            if naive is not None:  # the offset changes inside this hour: convert this stamp alone
                e.time = naive.replace(tzinfo=zone).astimezone(UTC)
            else:
                warn(e.line, "time", f"{file.path}:{e.line}: {problem}; message kept without a time")

    def _group(self, lines: list[str], reader: HeaderReader, file: EvidenceFile,
               warn: _Warnings) -> tuple[list[_Entry], int]:
        """Split the lines into header + continuation groups; returns them and the count of
        lines before the first header."""
        match = reader.regex.match
        entries: list[_Entry] = []
        first = -1
        start = 0
        body_lines: list[str] = []
        current: tuple[int, re.Match[str], str] | None = None

        def close(end: int) -> None:
            if current is None:
                return
            line_no, m, text = current
            while body_lines and not body_lines[-1].strip():
                body_lines.pop()  # blank lines between messages belong to no one (raw keeps them)
            rest = text[m.end():].lstrip(INVISIBLE_CHARS)  # marks before system text (raw keeps them)
            body = "\n".join([rest, *body_lines]) if body_lines else rest
            raw = lines[line_no - 1] if end == line_no else "\n".join(lines[line_no - 1:end])
            entries.append(_Entry(line_no, m["stamp"], m, None, None, body, raw))

        for i, line in enumerate(lines):
            m = match(line)
            if m is None and line and INVISIBLE_RE.search(line, 0, 64):
                cleaned = INVISIBLE_RE.sub("", line)  # a mark inside the header (BOM after a date...)
                m = match(cleaned)
                if m is not None:
                    line = cleaned
            if m is not None:
                close(i)
                if first < 0:
                    first = i
                current, body_lines, start = (i + 1, m, line), [], i
                continue
            if current is not None:
                if line[:1].isdigit() and CANDIDATE.match(line):
                    warn(i + 1, "foreign_header", f"{file.path}:{i + 1}: looks like a header in another "
                         f"format; kept inside the message of line {start + 1}")
                body_lines.append(line)
        close(len(lines))
        return entries, max(first, 0)


class _Emitter:
    """Turns line groups into records: authors, system lines, media, events, the chat."""

    def __init__(self, ctx: ParseContext, file: EvidenceFile, ref: SourceRef, chat_key: str,
                 ios: bool, warn: _Warnings) -> None:
        self.ctx, self.file, self.ref, self.chat_key, self.ios, self.warn = ctx, file, ref, chat_key, ios, warn
        self._author_ok: dict[str, bool] = {}  # "is this text before ': ' an author?", per label

    def run(self, entries: list[_Entry], records: list[Record], sink: Sink) -> None:
        for e in entries:
            self._split_author(e)
        group_authors = self._group_authors(entries)
        events: list[MembershipEventRecord] = []
        authors: set[str] = set()
        for e in entries:
            if e.hit is not None and e.author is not None and e.author not in group_authors \
                    and e.hit.loose and not _actor_is_author(e.hit, e.author):
                e.hit = None  # e.g. "Bob: I added salt" is Bob talking, not a group event
            self._emit_entry(e, records, events, authors)
        records.extend(events)
        name = _name_from_path(self.file)
        created = next((ev for ev in events if ev.kind == "created"), None)
        if name is None:
            named = [ev.detail for ev in events if ev.kind in ("created", "subject_changed") and ev.detail]
            name = named[0] if named else None
        is_group = bool(events and any(ev.kind not in ("encrypted_notice", "message_deleted",
                                                       "security_code_changed", "number_changed")
                                       for ev in events)) or len(authors - group_authors) > 2
        sink.emit(ChatRecord(self.ref, self.chat_key, "whatsapp", is_group, name=name,
                             created_at=created.time if created else None,
                             creator=created.actor if created else None))
        for r in records:
            sink.emit(r)

    def _split_author(self, e: _Entry) -> None:
        first, _, _ = e.body.partition("\n")
        cut = first.find(": ")
        if cut < 0 and first.endswith(":"):
            cut = len(first) - 1
        if cut > 0:
            author = first[:cut]
            ok = self._author_ok.get(author)
            if ok is None:
                ok = self._author_ok[author] = not (any(q in author for q in _QUOTES)
                                                    or author.endswith(loc.SYSTEM_AUTHOR_SUFFIXES))
            if ok:
                body = e.body[cut + 2:] if cut + 1 < len(first) else e.body[cut + 1:]
                e.author, e.body = author, body.lstrip(INVISIBLE_CHARS)
                if "\n" not in e.body and (self.ios or e.body.rstrip(". ") in loc.DELETED_TEXTS):
                    e.hit = _CLASSIFIER.classify(e.body)
                return
        elif first.endswith(":.") and "\n" not in e.body:
            return  # "John Doe:." (disappearing-message artefact, chat-miner): kept as author-less
        if "\n" not in e.body:
            e.hit = _CLASSIFIER.classify(e.body)

    @staticmethod
    def _group_authors(entries: list[_Entry]) -> set[str]:
        """iOS authors that are the group itself: every line they have is a system line and one
        of them matched a specific (not loose) rule."""
        lines, system, strict = Counter[str](), Counter[str](), Counter[str]()
        for e in entries:
            if e.author is None:
                continue
            lines[e.author] += 1
            if e.hit is not None:
                system[e.author] += 1
                strict[e.author] += not e.hit.loose
        return {a for a, n in lines.items() if system[a] == n and strict[a] > 0}

    def _emit_entry(self, e: _Entry, records: list[Record], events: list[MembershipEventRecord],
                    authors: set[str]) -> None:
        ref = self.ref.at_line(e.line)
        key = f"L{e.line}"
        sender = label_party(e.author) if e.author is not None else None
        kind: MessageKind = "text"
        hit = e.hit
        if hit is not None and hit.rule.kind == "message_deleted" and sender is not None:
            kind = "deleted"
            events.append(MembershipEventRecord(ref, self.chat_key, "message_deleted", None, sender,
                                                e.time, e.stamp, None, key))
        elif hit is not None:
            kind = "system"
            sender = None  # iOS puts the group name or the actor there; the event names the actor
            events.extend(hit.events(ref, self.chat_key, e.time, e.stamp, key))
        elif e.author is None:
            if e.body.endswith(":.") and "\n" not in e.body:
                kind, sender, e.body = "other", label_party(e.body[:-2]), "."
            else:
                kind = "system_unknown"
                self.warn(e.line, "system_unknown", f"{self.file.path}:{e.line}: unrecognised system line "
                          f"{e.body[:80]!r}")
        else:
            authors.add(e.author)
            kind = self._media_or_text(e, ref, key, records)
        records.append(MessageRecord(ref, self.chat_key, key, sender, e.time, e.stamp, e.body, kind,
                                     raw=e.raw))

    def _media_or_text(self, e: _Entry, ref: SourceRef, key: str, records: list[Record]) -> MessageKind:
        first, _, caption = e.body.partition("\n")
        first = first.strip(_STRIP)
        if "\u200e" in first or "\u202a" in first:
            first = INVISIBLE_RE.sub("", first)
        if first.endswith(loc.ATTACHED_SUFFIXES):
            name = first[:first.rindex(" (")].strip(_STRIP)
            records.append(self._attachment(ref, key, name, caption or None))
            return "media"
        if "<" in first:
            m = _TAG_RE.search(first) or _LEGACY_RE.match(first)
            if m is not None:
                records.append(self._attachment(ref, key, m[1].strip(_STRIP), caption or None))
                return "media"
        if first in loc.OMITTED_PLACEHOLDERS or (not caption and first.endswith(loc.OMITTED_DOCUMENT_SUFFIXES)):
            omitted = None if first in loc.OMITTED_PLACEHOLDERS else first.rsplit(" ", 2)[0]
            records.append(MediaRefRecord(ref, self.chat_key, key, "omitted", name=omitted))
            return "media"
        if first.startswith(loc.LOCATION_PREFIXES) or first in loc.LIVE_LOCATION:
            return "location"
        return "text"

    def _attachment(self, ref: SourceRef, key: str, name: str, caption: str | None) -> MediaRefRecord:
        found = self.ctx.find(self.file.sibling(name)) if name else None
        if found is not None:
            return MediaRefRecord(ref, self.chat_key, key, "export_attachment", path=found.path,
                                  size=found.size, sha256=None, name=name, caption=caption)
        return MediaRefRecord(ref, self.chat_key, key, "omitted", name=name or None, caption=caption)


def _actor_is_author(hit: SystemHit, author: str) -> bool:
    actor = hit.match.groupdict().get("actor")
    return actor is not None and INVISIBLE_RE.sub("", actor).strip() == INVISIBLE_RE.sub("", author).strip()


_MINUTES = {f"{n:02d}": timedelta(minutes=n) for n in range(60)}
_SECONDS = {f"{n:02d}": timedelta(seconds=n) for n in range(60)}
_ZERO = timedelta(0)


def _hour_start(reader: HeaderReader, m: re.Match[str], zone: ZoneInfo) -> tuple[datetime | None, str | None]:
    """UTC time of the start of the local hour of ``m``, or None and a problem (an impossible
    time, or an offset that changes within the hour)."""
    naive, problem = reader.local_time(m)
    if naive is None or int(m["mi"]) > 59 or (reader.shape.seconds and int(m["s"]) > 59):
        return None, problem or "impossible minutes or seconds"
    top = naive.replace(minute=0, second=0, tzinfo=zone)
    first = top.utcoffset()
    if first is None or first != top.replace(minute=59, second=59).utcoffset():
        return None, "offset changes within the hour"
    return (top.replace(tzinfo=None) - first).replace(tzinfo=UTC), None


def _preamble(ref: SourceRef, chat_key: str, lines: list[str], count: int) -> MessageRecord:
    text = "\n".join(lines[:count])
    return MessageRecord(ref.at_line(1), chat_key, "L1", None, None, "", text, "system_unknown", raw=text)


def _decode(data: bytes) -> tuple[str, tuple[int, str] | None]:
    """Text of an export and, if bytes were unreadable, (line, reason)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as e:
            return data.decode("utf-16", "replace"), (1, f"not valid UTF-16 ({e.reason}); replaced")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return data.decode("utf-8", "replace"), (line, f"bytes that are not UTF-8 at offset {e.start}; "
                                                       "replaced with U+FFFD")


def _zone(name: str, file: EvidenceFile, warn: _Warnings) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        warn(None, "timezone", f"{file.path}: unknown exhibit timezone {name!r}; times read as UTC")
        return ZoneInfo("UTC")


def _name_from_path(file: EvidenceFile) -> str | None:
    """Chat name from ``WhatsApp Chat with X.txt`` or from the iOS ``WhatsApp Chat - X.zip`` /
    folder holding ``_chat.txt``."""
    candidates = [file.name.removesuffix(".txt")]
    parent = file.parent.removesuffix("!").rsplit("/", 1)[-1]
    candidates.append(parent.removesuffix(".zip"))
    for c in candidates:
        for prefix in loc.CHAT_FILE_PREFIXES:
            if c.startswith(prefix) and len(c) > len(prefix):
                return c[len(prefix):]
    return None
