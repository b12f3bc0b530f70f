"""Pure data: records and provenance. Imports nothing else of ours."""

from tantalio.model.records import (
    MEMBERSHIP_KINDS,
    RECORD_TYPES,
    AliasRecord,
    ChatRecord,
    DeviceAccountRecord,
    EventKind,
    FileReadRecord,
    IdentityLinkRecord,
    MediaRefRecord,
    MediaSeenAs,
    MemberRank,
    MemberRecord,
    MembershipEventRecord,
    MessageKind,
    MessageRecord,
    MessageUpdateRecord,
    NameKind,
    ParseWarning,
    Party,
    PartyKind,
    Record,
    RecordBatch,
    SourceRef,
    UpdateKind,
)

__all__ = [
    "MEMBERSHIP_KINDS", "RECORD_TYPES", "AliasRecord", "ChatRecord", "DeviceAccountRecord", "EventKind",
    "FileReadRecord", "IdentityLinkRecord", "MediaRefRecord", "MediaSeenAs", "MemberRank", "MemberRecord",
    "MembershipEventRecord", "MessageKind", "MessageRecord", "MessageUpdateRecord", "NameKind",
    "ParseWarning", "Party", "PartyKind", "Record", "RecordBatch", "SourceRef", "UpdateKind",
]
