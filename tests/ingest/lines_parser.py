"""A tiny parser used by the ingest tests: ``*.chat`` files of ``sender: text`` lines.

``!bad`` lines produce a warning; a line ``!sleep`` makes the parser slow (for kill tests);
a line ``!crash`` raises, as a buggy parser would.
"""

from __future__ import annotations

import time
from typing import ClassVar

from tantalio.ingest.base import EvidenceFile, ParseContext, Sink
from tantalio.ingest.registry import ParserRegistry
from tantalio.model import ChatRecord, MessageRecord, Party


class LinesParser:
    NAME: ClassVar[str] = "test_lines"
    FORMAT: ClassVar[str] = "test chat lines"
    REFERENCES: ClassVar[tuple[str, ...]] = ()

    def detect(self, file: EvidenceFile, ctx: ParseContext) -> bool:
        return file.path.endswith(".chat")

    def parse(self, file: EvidenceFile, ctx: ParseContext, sink: Sink) -> None:
        ref = ctx.ref(file)
        with ctx.open(file) as f:
            text = f.read().decode("utf-8")
        sink.emit(ChatRecord(ref, file.path, "test", True, name=file.name))
        for n, line in enumerate(text.splitlines(), 1):
            if line == "!sleep":
                time.sleep(0.4)
                continue
            if line == "!crash":
                raise RuntimeError("parser bug")
            if line.startswith("!bad"):
                sink.warn(ref.at_line(n), f"cannot read line {n}")
                continue
            sender, _, body = line.partition(": ")
            sink.emit(MessageRecord(ref.at_line(n), file.path, f"L{n}", Party("display_name", sender), None, "", body))


def registry() -> ParserRegistry:
    reg = ParserRegistry()
    reg.register(LinesParser())
    return reg
