"""Project VIC / VICS hash lists (OData JSON), read as a stream.

NAME: vics
FORMAT: ``{"@odata.context": ".../2.0.xml/<US|UK|CUSTOM|Default>/$metadata#Media", "value": [Media...]}``
(VICS 2.0), ``{"odata.metadata": ".../1.3.xml#Media", "value": [...]}`` (1.1-1.3), and the
``#Cases`` form whose ``value`` holds cases each carrying ``Media[]``. Per Media: ``MD5``,
``SHA1`` (upper-case hex in the wild), ``Category`` (int), ``Series``, ``VictimIdentified``,
``OffenderIdentified``, ``IsDistributed`` (the strings "true"/"false", or JSON booleans),
``PhotoDNA`` and ``AlternativeHashes[{HashName, HashValue}]`` (PDQ, PhotoDNA...).
REFERENCES: HASHING.md section 3 (field list of a public C VICS writer, cross-checked with
sepinf-inc/IPED ``ProjectVICHashLookup.java`` and ``HashDBTool``).

Memory stays bounded for multi-gigabyte files (``jsonstream``): each Media record is decoded on
its own. A bad value costs that value (a problem naming the media index); JSON broken mid-file
stops the read with one problem, keeping every entry read before it. PhotoDNA is stored, never
matched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tantalio.errors import HashListError
from tantalio.media.hashlists.entry import (
    HashEntry,
    HashListProblem,
    InvalidHash,
    normalise,
    parse_flag,
    text_or_none,
)
from tantalio.media.hashlists.jsonstream import JsonStream, MalformedJson

NAME = "vics"
CONTEXT_KEYS = ("@odata.context", "odata.metadata")
_EXTRA_FIELDS = ("mediaid", "mediasize", "isprecategorized", "issuspected", "mimetype", "tags")
_ALTERNATIVE = {"pdq": "pdq", "photodna": "photodna", "sha256": "sha256", "sha-256": "sha256",
                "md5": "md5", "sha1": "sha1", "sha-1": "sha1"}


def looks_like_vics(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and (b"odata" in head or b'"value"' in head)


class _Counter:
    media = 0


def read_vics(path: str | Path) -> Iterator[HashEntry | HashListProblem]:
    """Entries of a VICS JSON list, in file order. Raises HashListError if it is not VICS at all."""
    with open(path, encoding="utf-8-sig", errors="replace") as text:
        stream = JsonStream(text)
        if stream.peek() != "{":
            raise HashListError(f"{path}: not a VICS JSON list (no top-level object)")
        counter = _Counter()
        context = ""
        seen_value = False
        try:
            for key in stream.items():
                if key == "value" and stream.peek() == "[":
                    seen_value = True
                    cases = context.rstrip("/").endswith("#Cases")
                    for _ in stream.elements():
                        yield from _value_element(stream, counter, cases)
                elif key in CONTEXT_KEYS:
                    context = str(stream.value())
                else:
                    stream.value()
        except MalformedJson as err:
            yield HashListProblem(
                counter.media + 1,
                f"JSON broken ({err}); the {counter.media} media records before it were read, the rest "
                "of the file was not",
                "media",
            )
            return
        if not seen_value:
            raise HashListError(f"{path}: JSON without a VICS 'value' array")


def _value_element(stream: JsonStream, counter: _Counter, cases: bool) -> Iterator[HashEntry | HashListProblem]:
    if cases and stream.peek() == "{":
        # a case may hold millions of Media: walk it key by key and decode Media one at a time
        for key in stream.items():
            if key == "Media" and stream.peek() == "[":
                for _ in stream.elements():
                    counter.media += 1
                    yield from media_entries(stream.value(), counter.media)
            else:
                stream.value()
        return
    element = stream.value()
    if isinstance(element, dict) and isinstance(element.get("Media"), list):
        for media in element["Media"]:
            counter.media += 1
            yield from media_entries(media, counter.media)
        return
    counter.media += 1
    yield from media_entries(element, counter.media)


def _category(value: Any) -> str | None:
    if isinstance(value, bool):
        raise ValueError(f"category {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return text_or_none(value)


def media_entries(media: Any, index: int) -> Iterator[HashEntry | HashListProblem]:
    """The hash entries of one VICS Media record (one per hash it carries)."""
    if not isinstance(media, dict):
        yield HashListProblem(index, f"media record is {type(media).__name__}, not an object", "media")
        return
    fields = {str(k).lower(): v for k, v in media.items()}
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
    meta["series"] = text_or_none(fields.get("series"))
    extra = {key: fields[key] for key in _EXTRA_FIELDS if fields.get(key) not in (None, "")}

    candidates: list[tuple[str, Any]] = [(alg, fields.get(alg)) for alg in ("md5", "sha1", "sha256", "photodna")]
    alternatives = fields.get("alternativehashes") or []
    if not isinstance(alternatives, list):
        yield HashListProblem(index, "AlternativeHashes is not a list", "media")
        alternatives = []
    for alternative in alternatives:
        if not isinstance(alternative, dict):
            continue
        name = str(alternative.get("HashName", "")).strip().lower()
        if name in _ALTERNATIVE:
            candidates.append((_ALTERNATIVE[name], alternative.get("HashValue")))
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
