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
import re
from bisect import bisect
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from itertools import chain, compress, count, islice
from operator import itemgetter, not_
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tantalio.errors import ParseError
from tantalio.ingest.base import EvidenceFile, ParseContext, Sink
from tantalio.ingest.parsers import whatsapp_locales as loc
from tantalio.ingest.parsers.whatsapp_dates import (
    CANDIDATE,
    INVISIBLE_RE,
    REST,
    STAMP,
    DateOrder,
    Header,
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
    Party,
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

# The message loop builds these two records with ``tuple.__new__`` (a person's message costs
# no Python-level constructor call), passing every field in order: their shapes are pinned here.
_SOURCE_REF_FIELDS = ("exhibit", "path", "sha256", "parser", "line", "row")
_MESSAGE_FIELDS = ("ref", "chat_key", "message_key", "sender", "time", "time_raw", "text", "kind", "from_me",
                   "forwarded", "forward_score", "key_id", "raw")
if SourceRef._fields != _SOURCE_REF_FIELDS or MessageRecord._fields != _MESSAGE_FIELDS:
    raise ImportError("whatsapp_txt builds SourceRef/MessageRecord field by field: update it to the new fields")


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
        lines = [ln for ln in split_lines(text)[0][:20] if ln.strip(_STRIP)]
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
        lines, raw_lines, stray = split_lines(text)
        if stray:
            warn(None, "control", f"{file.path}: {stray} NUL or other control character(s) removed for matching; "
                 "the raw text keeps them")
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
        starts, heads = self._headers("\n".join(lines) if lines is not raw_lines or "\r" in text else text,
                                      lines, reader, file, warn)
        times = self._times(starts, heads, reader, _zone(ctx.exhibit.timezone, file, warn), file, warn)
        first = starts[0] if starts else len(lines)
        if first > 0:
            warn(1, "preamble", f"{file.path}:1-{first}: {first} line(s) before the first message header")
            records.append(_preamble(ref, chat_key, lines, first))
        _Emitter(ctx, file, ref, chat_key, reader.shape.bracket, warn).run(lines, starts, heads, times, records, sink,
                                                                           raw_lines)
        warn.close()

    def _times(self, starts: list[int], headers: list[Header], reader: HeaderReader, zone: ZoneInfo,
               file: EvidenceFile, warn: _Warnings) -> list[datetime | None]:
        """Day/month order from every header date of the file, then UTC times for all of them
        (``headers`` are those of lines ``starts``)."""
        order = self.date_order
        if order is None:
            order, note = date_order(reader.shape, reader.dates(headers))
            if note:
                warn(None, "date_order", f"{file.path}: {note}")
        reader.set_order(order)
        times, problems = reader.utc_times(headers, zone)
        for i, problem in problems:
            line = starts[i] + 1
            warn(line, "time", f"{file.path}:{line}: {problem}; message kept without a time")
        return times

    def _headers(self, text: str, lines: list[str], reader: HeaderReader, file: EvidenceFile,
                 warn: _Warnings) -> tuple[list[int], list[Header]]:
        """The header lines of ``lines`` (``text`` split at newlines), where each message starts,
        and their header groups."""
        headers = reader.read_lines(text, lines)
        others = list(compress(count(), map(not_, map(itemgetter(STAMP), headers))))  # no header
        for i in others:
            line = lines[i]
            if line and INVISIBLE_RE.search(line, 0, 64):
                # a mark inside the header (BOM after a date...): matched without it, raw keeps it
                m = reader.regex.match(INVISIBLE_RE.sub("", line))
                if m is not None:
                    headers[i] = m.groups()
        starts = list(compress(count(), map(itemgetter(STAMP), headers)))
        if not starts:
            return [], []
        for i in others:
            if i > starts[0] and not headers[i][STAMP] and lines[i][:1].isdigit() and CANDIDATE.match(lines[i]):
                start = starts[bisect(starts, i) - 1]
                warn(i + 1, "foreign_header", f"{file.path}:{i + 1}: looks like a header in another "
                     f"format; kept inside the message of line {start + 1}")
        return starts, list(map(headers.__getitem__, starts))


class _AuthorSplitter:
    """Splits "author: text" and recognises system lines; remembers its verdict per label."""

    def __init__(self, ios: bool) -> None:
        self.ios = ios
        self.is_author: dict[str, bool] = {}  # "is this text before ': ' an author?", per label

    def __call__(self, first: str, body: str, classify: bool = True) -> tuple[str | None, str, int | None]:
        """(author or None, text, system-line rule) of a line group whose body starts with line
        ``first``; the rule is None without looking when ``classify`` is false."""
        cut = first.find(": ")
        if cut < 0 and first.endswith(":"):
            cut = len(first) - 1
        if cut > 0:
            author = first[:cut]
            ok = self.is_author.get(author)
            if ok is None:
                ok = self.is_author[author] = not (any(q in author for q in _QUOTES)
                                                    or author.endswith(loc.SYSTEM_AUTHOR_SUFFIXES))
            if ok:
                body = (body[cut + 2:] if cut + 1 < len(first) else body[cut + 1:]).lstrip(INVISIBLE_CHARS)
                if classify and "\n" not in body and (self.ios or body.rstrip(". ") in loc.DELETED_TEXTS):
                    return author, body, _CLASSIFIER.find(body)
                return author, body, None
        elif first.endswith(":.") and "\n" not in body:
            return None, body, None  # "John Doe:." (disappearing-message artefact, chat-miner): author-less
        return None, body, _CLASSIFIER.find(body) if classify and "\n" not in body else None


GROUP_AUTHOR_SHARE = 0.8
"""An iOS author with this share of system lines (and one specific hit) is the group itself."""


class _Emitter:
    """Turns line groups into records: authors, system lines, media, events, the chat."""

    def __init__(self, ctx: ParseContext, file: EvidenceFile, ref: SourceRef, chat_key: str,
                 ios: bool, warn: _Warnings) -> None:
        self.ctx, self.file, self.ref, self.chat_key, self.ios, self.warn = ctx, file, ref, chat_key, ios, warn

    def run(self, lines: list[str], starts: list[int], heads: list[Header], times: list[datetime | None],
            records: list[Record], sink: Sink, raw_lines: list[str] | None = None) -> None:
        """Emits the chat, then ``records`` and the records of the messages starting at lines
        ``starts`` (with headers ``heads`` and UTC times ``times``); ``raw_lines``: the lines as
        written, when ``lines`` had stray control characters removed."""
        raws = lines if raw_lines is None else raw_lines
        split = _AuthorSplitter(self.ios)
        # iOS writes the group's own name as the author of system lines: which authors are the
        # group must be known before their first line is read. Android has no such author, and
        # of its authored lines only deletion placeholders are system lines.
        known, group_authors = self._ios_system_lines(lines, starts, heads, split) if self.ios else (None, set())
        is_author, deleted, classify = split.is_author, loc.DELETED_TEXTS, _CLASSIFIER.find
        events: list[MembershipEventRecord] = []
        parties: dict[str, Party] = {}  # the people who wrote messages, by label
        chat_key, file_ref = self.chat_key, self.ref
        exhibit, path, sha256, parser = file_ref.exhibit, file_ref.path, file_ref.sha256, file_ref.parser
        append, media_or_text, new = records.append, self._media_or_text, tuple.__new__
        ends = _ends(starts, len(lines))
        rule: int | None
        hit: SystemHit | None
        kind: MessageKind
        # each header is dropped once read: the memory of its strings then holds the records
        # (fresh memory costs a page fault per 4 KiB; a large export's records fill 100+ MB)
        heads.reverse()
        next_head = heads.pop
        for i, end, time in zip(starts, ends, times, strict=True):
            header = next_head()
            rest = header[REST]
            raw = raws[i] if end == i + 1 else "\n".join(raws[i:end])
            if known is not None and i in known:
                author, body, rule = known[i]
            elif end == i + 1:
                # the usual line, "author: text" by an author already seen: _AuthorSplitter inlined
                cut = rest.find(": ")
                if cut > 0 and is_author.get(author := rest[:cut]):
                    body = rest[cut + 2:].lstrip(INVISIBLE_CHARS)
                    rule = classify(body) if known is None and body.rstrip(". ") in deleted else None
                else:
                    author, body, rule = split(rest, rest, known is None)
            else:
                author, body, rule = split(rest, _body(lines, i, end, rest), known is None)
            line, stamp = i + 1, header[STAMP]
            # the same values as file_ref.at_line(line), without a method call per message
            ref = new(SourceRef, (exhibit, path, sha256, parser, line, None))
            key = f"L{line}"
            if rule is None and author is not None and author not in group_authors:  # a person's message
                sender = parties.get(author)
                if sender is None:
                    sender = parties[author] = label_party(author)
                kind = media_or_text(body, ref, key, records)
                append(new(MessageRecord, (ref, chat_key, key, sender, time, stamp, body, kind,
                                           False, None, None, None, raw)))
                continue
            hit = None if rule is None else _CLASSIFIER.hit(rule, body)
            if hit is not None and author is not None and author not in group_authors \
                    and hit.loose and not _actor_is_author(hit, author):
                hit = None  # e.g. "Bob: I added salt" is Bob talking, not a group event
            sender = label_party(author) if author is not None else None
            if hit is not None and hit.rule.kind == "message_deleted" and sender is not None:
                kind = "deleted"
                events.append(MembershipEventRecord(ref, chat_key, "message_deleted", None, sender,
                                                    time, stamp, None, key))
            elif hit is not None:
                kind = "system"
                sender = None  # iOS puts the group name or the actor there; the event names the actor
                events.extend(hit.events(ref, chat_key, time, stamp, key))
            elif author is None or author in group_authors:
                if author is None and body.endswith(":.") and "\n" not in body:
                    kind, sender, body = "other", label_party(body[:-2]), "."
                else:
                    kind, sender = "system_unknown", None
                    self.warn(line, "system_unknown", f"{path}:{line}: unrecognised system line {body[:80]!r}")
            else:
                parties[author] = label_party(author)
                kind = media_or_text(body, ref, key, records)
            append(MessageRecord(ref, chat_key, key, sender, time, stamp, body, kind, raw=raw))
        records.extend(events)
        name = _name_from_path(self.file)
        created = next((ev for ev in events if ev.event == "created"), None)
        if name is None:
            named = [ev.detail for ev in events if ev.event in ("created", "subject_changed") and ev.detail]
            name = named[0] if named else None
        is_group = bool(events and any(ev.event not in ("encrypted_notice", "message_deleted",
                                                       "security_code_changed", "number_changed")
                                       for ev in events)) or len(parties.keys() - group_authors) > 2
        sink.emit(ChatRecord(file_ref, chat_key, "whatsapp", is_group, name=name,
                             created_at=created.time if created else None,
                             creator=created.by if created else None))
        sink.emit_all(records)

    def _ios_system_lines(self, lines: list[str], starts: list[int], heads: list[Header],
                          split: _AuthorSplitter) -> tuple[dict[int, tuple[str | None, str, int]], set[str]]:
        """The system lines of an iOS export, as {header line: (author, text, rule)}, and the
        authors that are the group itself: one of their lines matched a specific (not loose)
        system rule, and they are the chat's own name (from the export's file name) or nearly all
        of their lines are system lines. Their other lines are then unrecognised system lines,
        not a person talking. "This message was deleted" is a person's own line, however many
        they write."""
        found: dict[int, tuple[str | None, str, int]] = {}
        per_author = Counter[str | None]()
        system, strict = Counter[str](), Counter[str]()
        for i, end, header in zip(starts, _ends(starts, len(lines)), heads, strict=True):
            rest = header[REST]
            author, body, rule = split(rest, rest if end == i + 1 else _body(lines, i, end, rest))
            per_author[author] += 1
            if rule is None:
                continue
            found[i] = (author, body, rule)
            if author is not None and not _CLASSIFIER.is_deletion(rule):
                system[author] += 1
                strict[author] += not _CLASSIFIER.loose(rule)
        chat_name = _name_from_path(self.file)
        group = {a for a, n in strict.items()
                 if n > 0 and (a == chat_name or system[a] >= GROUP_AUTHOR_SHARE * per_author[a])}
        return found, group

    def _media_or_text(self, body: str, ref: SourceRef, key: str, records: list[Record]) -> MessageKind:
        first, _, caption = body.partition("\n")
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
            records.append(MediaRefRecord(ref, self.chat_key, key, "omitted", file_name=omitted))
            return "media"
        if first.startswith(loc.LOCATION_PREFIXES) or first in loc.LIVE_LOCATION:
            return "location"
        return "text"

    def _attachment(self, ref: SourceRef, key: str, name: str, caption: str | None) -> MediaRefRecord:
        found = self.ctx.find(self.file.sibling(name)) if name else None
        if found is not None:
            return MediaRefRecord(ref, self.chat_key, key, "export_attachment", path=found.path,
                                  size=found.size, sha256=None, file_name=name, caption=caption)
        return MediaRefRecord(ref, self.chat_key, key, "omitted", file_name=name or None, caption=caption)


def _ends(starts: list[int], total: int) -> Iterator[int]:
    """Where each message that starts at a line of ``starts`` ends (the next one's header line,
    or the end of the file's ``total`` lines)."""
    return chain(islice(starts, 1, None), (total,) if starts else ())


def _body(lines: list[str], i: int, end: int, rest: str) -> str:
    """The text of the message whose header is line ``i`` (its text after the header: ``rest``)
    and whose continuation lines run up to ``end``."""
    last = end
    while last > i + 1 and not lines[last - 1].strip():
        last -= 1  # blank lines between messages belong to no one (raw keeps them)
    return rest + "\n" + "\n".join(lines[i + 1:last]) if last > i + 1 else rest


def _actor_is_author(hit: SystemHit, author: str) -> bool:
    actor = hit.match.groupdict().get("by")
    return actor is not None and INVISIBLE_RE.sub("", actor).strip() == INVISIBLE_RE.sub("", author).strip()


def _preamble(ref: SourceRef, chat_key: str, lines: list[str], count: int) -> MessageRecord:
    text = "\n".join(lines[:count])
    return MessageRecord(ref.at_line(1), chat_key, "L1", None, None, "", text, "system_unknown", raw=text)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0/C1 control characters other than tab and line ends: NULs from a damaged copy, stray bytes."""


def split_lines(text: str) -> tuple[list[str], list[str], int]:
    """The lines of an export, split at CRLF, LF and lone CR (old Mac-style exports and
    damaged copies use lone CRs); then the lines with control characters removed for matching,
    the lines as written, and how many characters were removed."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw = text.split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    stray = len(_CONTROL.findall(text))
    if not stray:
        return raw, raw, 0
    sub = _CONTROL.sub
    return [sub("", ln) for ln in raw], raw, stray


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
