"""The planted operation as plain data: groups, membership events, media families, posts.

Everything here is the *truth* the generator knows; exhibits are observations of it.
All times are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .images import CameraInfo
from .people import Person

EVENT_KINDS = ("created", "added", "joined_link", "left", "removed", "admin_granted", "admin_revoked",
               "subject_changed")


@dataclass
class MembershipEvent:
    group: str  # group id
    kind: str  # one of EVENT_KINDS
    person: str  # member concerned (the creator for `created`, the renamer for `subject_changed`)
    actor: str | None  # who did it, where WhatsApp records one
    time: datetime
    old_subject: str | None = None
    new_subject: str | None = None
    seq: int = 0  # global order, ties broken deterministically


@dataclass
class Spell:
    """One membership interval of a person in a group: [start, end)."""

    person: str
    start: datetime
    end: datetime | None = None  # None: still a member at the end of the period
    how: str = "added"  # created | added | joined_link
    ended_by: str | None = None  # left | removed

    def contains(self, when: datetime) -> bool:
        return self.start <= when and (self.end is None or when < self.end)


@dataclass
class Group:
    id: str  # G01…
    jid: str
    cluster: int
    creator: str
    created: datetime
    names: list[tuple[datetime, str]] = field(default_factory=list)
    spells: dict[str, Spell] = field(default_factory=dict)
    admins: set[str] = field(default_factory=set)  # everyone ever granted admin, plus the creator
    members_add: bool = False  # the group's settings let every member add others
    events: list[MembershipEvent] = field(default_factory=list)

    def name_at(self, when: datetime) -> str:
        current = self.names[0][1]
        for since, name in self.names:
            if since <= when:
                current = name
        return current

    def is_member(self, person: str, when: datetime) -> bool:
        spell = self.spells.get(person)
        return spell is not None and spell.contains(when)


@dataclass
class MediaFile:
    """One distinct file (one SHA-256) that circulated."""

    sha256: str
    md5: str
    sha1: str
    data: bytes
    family: str
    width: int
    height: int
    derivation: str  # "original" (unchanged) | "recompressed"
    kind: str = "image"  # image | audio (voice note) | sticker | document - how it is sent
    mime: str = "image/jpeg"
    name: str | None = None  # a document's file name as sent


@dataclass
class Family:
    """An original picture and every copy derived from it."""

    id: str  # F001…
    origin: str  # produced | known | imported | chatter (voice notes, documents, stickers: not material)
    introducer: str  # person id of the first poster in the network
    original: bytes
    original_sha256: str
    seed: int
    in_known_list: bool = False
    circulates_unchanged: bool = False  # known item whose original file itself circulates
    camera: CameraInfo | None = None
    camera_owner: str | None = None
    downloaded_by: str | None = None  # an importer whose phone holds the original in Download/
    taken: datetime | None = None  # UTC
    gps: tuple[float, float] | None = None
    series: str | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    files: list[str] = field(default_factory=list)  # sha256 of circulating files


@dataclass
class Post:
    seq: int
    key_id: str
    group: str
    sender: str
    time: datetime
    text: str | None = None
    media: str | None = None  # sha256
    caption: str | None = None
    forwarded: bool = False
    forward_score: int = 0


@dataclass
class Operation:
    persons: dict[str, Person]
    groups: dict[str, Group]
    families: dict[str, Family] = field(default_factory=dict)
    files: dict[str, MediaFile] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)
    decoys: list[Family] = field(default_factory=list)
    period_start: datetime | None = None
    period_end: datetime | None = None
    event_seq: int = 0

    def events(self) -> list[MembershipEvent]:
        out = [event for group in self.groups.values() for event in group.events]
        return sorted(out, key=lambda e: (e.time, e.seq))
