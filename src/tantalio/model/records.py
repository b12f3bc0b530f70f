"""Typed records that parsers yield, each with its provenance.

One vocabulary across all parsers: a field name means one thing and has one type
everywhere (``tests/model/test_records.py`` checks it).  Times are timezone-aware UTC;
the raw text they were read from is kept beside them.

Records are immutable named tuples, not dataclasses: a parser builds hundreds of thousands of
them per source, and a tuple is built in half the time of a frozen dataclass (which sets each
field through ``object.__setattr__``), pickles smaller for workers, and is dropped from the cyclic
GC's watch once its fields are plain values. Their tuple nature is not part of the interface:
read fields by name, compare records of one type only (a tuple compares by value alone, so two
different record types holding equal values would compare equal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple

PartyKind = Literal["phone", "jid", "lid", "telegram_id", "username", "display_name", "owner"]
"""How a party was written in the evidence.

``owner`` means "the device owner" ("You …", ``from_me`` rows); its value is empty.
``display_name`` is a device-specific label (export author, address-book name)."""

NameKind = Literal["address_book", "push_name", "export_label", "telegram_name", "profile"]

MessageKind = Literal[
    "text", "media", "location", "contact", "call", "deleted", "poll", "sticker",
    "album", "interactive", "order", "product",
    "system", "system_unknown", "other",
]

EventKind = Literal[
    "created", "added", "joined_link", "joined_invite", "joined_community", "left", "removed",
    "admin_granted", "admin_revoked", "subject_changed", "icon_changed", "description_changed",
    "number_changed", "security_code_changed", "encrypted_notice", "invite_link_reset",
    "message_deleted", "ephemeral_changed", "other",
]
MEMBERSHIP_KINDS: frozenset[str] = frozenset(
    {"created", "added", "joined_link", "joined_invite", "joined_community", "left", "removed",
     "admin_granted", "admin_revoked"}
)

MediaSeenAs = Literal["file", "db_hash", "export_attachment", "omitted"]
UpdateKind = Literal["reaction", "reaction_removed", "edited", "deleted_for_everyone", "album_member"]
MemberRank = Literal["member", "admin", "creator"]


class SourceRef(NamedTuple):
    """Where a record came from: exhibit, file (relative to the exhibit root), its SHA-256,
    and the line (text formats) or row id (databases) inside it."""

    exhibit: str
    path: str
    sha256: str
    parser: str
    line: int | None = None
    row: str | None = None

    def at_line(self, line: int) -> SourceRef:
        return SourceRef(self.exhibit, self.path, self.sha256, self.parser, line, None)

    def at_row(self, row: str) -> SourceRef:
        return SourceRef(self.exhibit, self.path, self.sha256, self.parser, None, row)

    def location(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        elif self.row is not None:
            where += f"#{self.row}"
        return where


class Party(NamedTuple):
    """A participant as the evidence writes it: a phone number, JID, name, or the device owner."""

    kind: PartyKind
    value: str

    @staticmethod
    def owner() -> Party:
        return Party("owner", "")


class ChatRecord(NamedTuple):
    """A conversation as one source records it. ``chat_key`` identifies it within the source
    (JID, Telegram id, or export file name) and links messages and events to it."""

    ref: SourceRef
    chat_key: str
    platform: str
    is_group: bool
    jid: str | None = None
    name: str | None = None
    created_at: datetime | None = None
    creator: Party | None = None


class MessageRecord(NamedTuple):
    """A message or system line. ``message_key`` is unique within the source so that media and
    events can point at it. System lines are kept as messages too (kind ``system`` or
    ``system_unknown``), so nothing the device showed is lost."""

    ref: SourceRef
    chat_key: str
    message_key: str
    sender: Party | None
    time: datetime | None
    time_raw: str
    text: str
    kind: MessageKind = "text"
    from_me: bool = False
    forwarded: bool | None = None
    forward_score: int | None = None
    key_id: str | None = None
    raw: str | None = None


class MembershipEventRecord(NamedTuple):
    """A group event: who (``person``, the member concerned; the creator for ``created``) was
    added/removed/..., by whom (``by``), when. The names are the case export's
    (``memberships[]``: ``event``, ``person``, ``by``) and the tables' (``event``,
    ``person_identifier_id``/``person_id``, ``by_identifier_id``/``by_person_id``)."""

    ref: SourceRef
    chat_key: str
    event: EventKind
    person: Party | None
    by: Party | None
    time: datetime | None
    time_raw: str = ""
    detail: str | None = None
    message_key: str | None = None


class MemberRecord(NamedTuple):
    """A group member as a database lists it (not history: see membership events).

    ``active`` is False for a past member the database still lists (WhatsApp for iOS keeps
    them with ``ZISACTIVE=0``): they were a member once and are no longer; when they left is
    not recorded."""

    ref: SourceRef
    chat_key: str
    member: Party
    rank: MemberRank = "member"
    active: bool = True


class MediaRefRecord(NamedTuple):
    """Media a message carries. ``path`` is relative to the exhibit root when the file is in the
    evidence; ``sha256`` is the hex digest the app recorded (WhatsApp keeps one per file) or
    None. ``seen_as`` says how it was seen (an attachment, only a DB hash, omitted...)."""

    ref: SourceRef
    chat_key: str
    message_key: str
    seen_as: MediaSeenAs
    path: str | None = None
    sha256: str | None = None
    mime: str | None = None
    size: int | None = None
    file_name: str | None = None
    caption: str | None = None


class AliasRecord(NamedTuple):
    """A name given to a hard identifier on this device (address book, push name...)."""

    ref: SourceRef
    identifier: Party
    alias: str
    name_kind: NameKind


class DeviceAccountRecord(NamedTuple):
    """The device owner's own account as the evidence names it: the account registered in the
    app (``registration_jid`` in Android preferences, ``OwnJabberID`` in the iOS plist), the
    address incoming messages are sent to, Telegram's ``personal_information``. ``app`` names
    the app (``com.whatsapp``, ``com.whatsapp.w4b``, ``net.whatsapp.WhatsApp``, ``telegram``…);
    ``basis`` says what in the file shows it, for the analyst to check."""

    ref: SourceRef
    account: Party
    app: str
    basis: str


class IdentityLinkRecord(NamedTuple):
    """Two hard identifiers the evidence gives for one account, side by side (a Telegram
    contact listed with both its user id and its phone number)."""

    ref: SourceRef
    identifier: Party
    same_as: Party
    basis: str


class MessageUpdateRecord(NamedTuple):
    """Something recorded against a message after it was sent: a reaction, an edit, a deletion
    for everyone, or its place in an album (``related_key``: the album's parent
    message). ``message_key`` is the message it targets, in the same source."""

    ref: SourceRef
    chat_key: str
    message_key: str
    update: UpdateKind
    actor: Party | None
    time: datetime | None
    time_raw: str = ""
    detail: str | None = None
    related_key: str | None = None


class FileReadRecord(NamedTuple):
    """A companion file the parser read beside the one it was given (``wa.db`` beside
    ``msgstore.db``, ``ContactsV2.sqlite`` beside ``ChatStorage.sqlite``): custody records it
    as parsed by the same parser. ``ref.path`` is the companion."""

    ref: SourceRef


class ParseWarning(NamedTuple):
    """Something a parser skipped or could not read; counted in the case's warning log."""

    ref: SourceRef
    message: str


Record = (
    ChatRecord | MessageRecord | MembershipEventRecord | MemberRecord | MediaRefRecord | AliasRecord
    | DeviceAccountRecord | IdentityLinkRecord | MessageUpdateRecord | FileReadRecord
)

RECORD_TYPES: tuple[type, ...] = (
    ChatRecord, MessageRecord, MembershipEventRecord, MemberRecord, MediaRefRecord, AliasRecord,
    DeviceAccountRecord, IdentityLinkRecord, MessageUpdateRecord, FileReadRecord, ParseWarning,
)


@dataclass(slots=True)
class RecordBatch:
    """Everything one parser produced for one source file: written in one transaction."""

    records: list[Record] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
