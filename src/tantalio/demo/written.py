"""What the generator wrote into each chat-bearing evidence file, counted as it writes.

Ground truth for round-trip tests (``tests/ingest/test_demo_roundtrip.py``): parsing a file
must give back exactly these counts. They describe the file, not the operation: an event the
app does not render in an export (someone else made admin) is not counted for that export,
and an export's end-to-end-encryption notice is counted as the system line it is.
Event kinds and media ``seen_as`` use the record vocabulary of :mod:`tantalio.model.records`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, get_args

from tantalio.model.records import EventKind, MediaSeenAs

MEDIA_SEEN_AS: tuple[MediaSeenAs, ...] = get_args(MediaSeenAs)
EVENT_KINDS: frozenset[str] = frozenset(get_args(EventKind))


@dataclass
class WrittenFile:
    """Counts for one file: ordinary messages (text + media), system lines or rows, the
    membership events those carry by kind, and media references by how they can be seen."""

    messages: int = 0
    system: int = 0
    events: Counter[str] = field(default_factory=Counter)
    media: Counter[str] = field(default_factory=Counter)

    def message(self, media: MediaSeenAs | None = None) -> None:
        self.messages += 1
        if media is not None:
            self.media[media] += 1

    def system_line(self, event: str) -> None:
        if event not in EVENT_KINDS:  # the scenario's kinds are plain strings: hold them to the vocabulary
            raise ValueError(f"{event!r} is not an event kind of tantalio.model.records.EventKind")
        self.system += 1
        self.events[event] += 1

    def to_json(self) -> dict[str, Any]:
        return {"messages": self.messages, "system": self.system, "events": dict(sorted(self.events.items())),
                "media": {seen_as: self.media[seen_as] for seen_as in MEDIA_SEEN_AS}}
