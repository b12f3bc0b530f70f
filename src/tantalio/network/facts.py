"""The facts the role rules decide on: plain typed data, no SQL, no store.

:mod:`tantalio.network.queries` reads them from a case; tests build them by hand. Times are
seconds since the epoch (UTC) or None when nothing recorded them. Persons and groups are the
integer ids of ``person`` and ``chat``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tantalio.network.communities import NetworkMeasures

Evidence = dict[str, Any]        # text, and where known: exhibit, path, location, sha256, chat, flags


class PostFact(NamedTuple):
    """One media post in a group (the same message recorded by several phones counts once)."""

    id: int
    chat: int
    person: int | None
    time: float | None
    sha256: str
    family: str
    forwarded: bool | None         # None: no recording says either way
    material: bool                 # image or video (see network/material.py)


class FirstSighting(NamedTuple):
    """The earliest post of a family of material, with its origin state
    (``observed`` | ``forwarded`` | ``undetermined``, NETWORK.md §3.3)."""

    family: str
    sha256: str
    post: int
    person: int | None
    chat: int
    time: float | None
    origin: str


class CascadeEdge(NamedTuple):
    """A later post and the earlier copy it most likely came from (NETWORK.md §3.4)."""

    post: int
    parent: int
    confidence: float


class CameraFile(NamedTuple):
    """A file on an exhibit seized from ``person`` that carries camera evidence (camera EXIF, or
    it sits in a camera folder), with where it sits and when it was taken."""

    sha256: str
    family: str
    exhibit: str
    path: str
    person: int
    make: str | None
    model: str | None
    serial: str | None
    taken: float | None
    taken_from: str | None        # exif | file_time
    folder: str                   # camera | received | other


class GroupEvent(NamedTuple):
    """A membership event merged across exhibits (``group_event``): ``person`` is the member
    concerned, ``by`` who did it."""

    chat: int
    event: str
    person: int | None
    by: int | None
    time: float | None


class ListedRank(NamedTuple):
    """A group database listing a member as admin or creator (current at extraction)."""

    chat: int
    person: int
    rank: str
    exhibit: str
    location: str | None


class Creation(NamedTuple):
    chat: int
    person: int
    time: float | None


@dataclass(slots=True)
class MediaFamilyFacts:
    status: str = "unknown"        # known | ignorable | unknown: known if any copy matched a list
    category: str | None = None    # the hash list's category code
    series: str | None = None


@dataclass(slots=True)
class NetworkFacts:
    persons: list[int] = field(default_factory=list)
    groups_of: dict[int, set[int]] = field(default_factory=dict)       # person -> groups ever in
    messages: dict[int, int] = field(default_factory=dict)             # person -> messages (deduplicated)
    posts: list[PostFact] = field(default_factory=list)
    first_sightings: dict[str, FirstSighting] = field(default_factory=dict)   # material families only
    cascade: dict[int, CascadeEdge] = field(default_factory=dict)      # post -> edge
    families: dict[str, MediaFamilyFacts] = field(default_factory=dict)
    camera_files: list[CameraFile] = field(default_factory=list)
    events: list[GroupEvent] = field(default_factory=list)
    creations: list[Creation] = field(default_factory=list)
    ranks: list[ListedRank] = field(default_factory=list)
    seized_from: dict[int, set[str]] = field(default_factory=dict)     # person -> exhibits seized from them
    chat_labels: dict[int, str] = field(default_factory=dict)
    structure: NetworkMeasures = field(default_factory=NetworkMeasures)

    def status(self, family: str) -> str:
        found = self.families.get(family)
        return found.status if found else "unknown"


class RoleFinding(NamedTuple):
    """One role of one person: how sure, and the evidence it rests on."""

    role: str
    confidence: float
    evidence: list[Evidence]
