"""Turning what an analyst types into an FTS5 query, without giving them FTS5's syntax errors.

Words are matched whole and in any order ("buenas noches"); a phrase in double quotes must
appear as written; a trailing * matches a prefix ("noch*"); OR between two words accepts
either. Case and accents never matter (the index folds both). Two shapes get help because
analysts type them in their own forms: a phone number in national or international writing
("07700 900456", "+44 7700 900456") finds the E.164 number, and six or more hex digits find any
digest that starts with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_PHONE = re.compile(r"^\+?[\d\s().-]{6,}$")
_HEX = re.compile(r"^[0-9a-fA-F]{6,128}$")
_WORD_CHARS = re.compile(r"[\w*]+", re.UNICODE)
MAX_TERMS = 16


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    match: str | None          # the FTS5 MATCH expression, None when nothing searchable was typed
    terms: tuple[str, ...]     # what will be highlighted / shown back
    phone_digits: str | None   # the number's digits, without trunk zeros, when it looks like a phone
    hex_prefix: str | None


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def parse(text: str) -> ParsedQuery:
    text = text.strip()
    if not text:
        return ParsedQuery(None, (), None, None)
    phone = None
    if _PHONE.match(text) and sum(c.isdigit() for c in text) >= 6:
        digits = re.sub(r"\D", "", text)
        phone = digits.lstrip("0") or digits
    hex_prefix = text.lower() if _HEX.match(text) else None
    parts: list[str] = []
    terms: list[str] = []
    pending_or = False
    for phrase, word in _TOKEN.findall(text)[: MAX_TERMS * 2]:
        if word == "OR" and parts:
            pending_or = True
            continue
        if phrase:
            if not _WORD_CHARS.search(phrase):
                continue
            expr = _quote(phrase)
            terms.append(phrase)
        else:
            prefix = word.endswith("*")
            core = word.rstrip("*")
            if not _WORD_CHARS.search(core.replace("*", "")):
                continue
            expr = _quote(core) + ("*" if prefix or (hex_prefix and core.lower() == hex_prefix) else "")
            terms.append(core)
        if pending_or:
            parts[-1] = f"({parts[-1]} OR {expr})"
            pending_or = False
        else:
            parts.append(expr)
        if len(parts) >= MAX_TERMS:
            break
    if not parts:
        return ParsedQuery(None, (), phone, hex_prefix)
    match = " AND ".join(parts)
    if phone:
        # The index holds E.164 digits, the national number and its trunk-0 form (index.py).
        alternatives = {phone, re.sub(r"\D", "", text)}
        match = "(" + " OR ".join([match, *(_quote(a) + "*" for a in sorted(alternatives) if a)]) + ")"
    return ParsedQuery(match, tuple(terms), phone, hex_prefix)
