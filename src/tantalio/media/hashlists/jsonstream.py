"""A pull reader over a JSON text that never holds more than a window of it in memory.

The standard ``json`` module needs the whole document; VICS lists run to several gigabytes. This
walks objects and arrays token by token and hands each *element* to ``json.JSONDecoder
.raw_decode`` over a sliding buffer, so memory is bounded by the largest single element
(``max_value``), not by the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

_WS = re.compile(r"[ \t\n\r]*")
_NEAR_END = 64


class MalformedJson(ValueError):
    pass


class JsonStream:
    def __init__(self, text: TextIO, chunk: int = 1 << 20, max_value: int = 64 << 20) -> None:
        self._text = text
        self._chunk = chunk
        self._max_value = max_value
        self._buf = ""
        self._pos = 0
        self._dropped = 0
        self._eof = False
        self._decoder = json.JSONDecoder()

    @property
    def offset(self) -> int:
        """Character offset in the document of the read position (for messages)."""
        return self._dropped + self._pos

    def _fill(self) -> bool:
        if self._eof:
            return False
        if self._pos:
            self._dropped += self._pos
            self._buf = self._buf[self._pos :]
            self._pos = 0
        chunk = self._text.read(self._chunk)
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        return True

    def peek(self) -> str | None:
        """The next non-blank character, not consumed; None at the end of the document."""
        while True:
            match = _WS.match(self._buf, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return None

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise MalformedJson(f"expected {char!r} at character {self.offset}, found {found!r}")
        self._pos += 1

    def value(self) -> Any:
        """Decode and consume the next complete JSON value."""
        self.peek()
        while True:
            try:
                obj, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as err:
                near_end = err.pos >= len(self._buf) - _NEAR_END or err.msg.startswith("Unterminated string")
                if near_end and len(self._buf) - self._pos < self._max_value and self._fill():
                    continue
                raise MalformedJson(f"{err.msg} at character {self._dropped + err.pos}") from err
            if end >= len(self._buf) and self._fill():  # a number may continue in the next chunk
                continue
            self._pos = end
            return obj

    def items(self) -> Iterator[str]:
        """Walk an object: yields each key; the caller must consume its value before the next."""
        self.expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            if self.peek() != '"':
                raise MalformedJson(f"expected a key at character {self.offset}")
            key = self.value()
            self.expect(":")
            yield key
            following = self.peek()
            self._pos += 1
            if following == "}":
                return
            if following != ",":
                raise MalformedJson(f"expected ',' or '}}' at character {self.offset - 1}, found {following!r}")

    def elements(self) -> Iterator[None]:
        """Walk an array: yields once per element; the caller consumes each element."""
        self.expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            yield None
            following = self.peek()
            self._pos += 1
            if following == "]":
                return
            if following != ",":
                raise MalformedJson(f"expected ',' or ']' at character {self.offset - 1}, found {following!r}")
