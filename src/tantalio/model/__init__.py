"""Pure data: records and provenance. Imports nothing else of ours."""

from tantalio.model.records import (
    MEMBERSHIP_KINDS,
    RECORD_TYPES,
    AliasRecord,
    ChatRecord,
    EventKind,
    MediaRefRecord,
    MediaSeenAs,
    MemberRank,
    MemberRecord,
    MembershipEventRecord,
    MessageKind,
    MessageRecord,
    NameKind,
    ParseWarning,
    Party,
    PartyKind,
    Record,
    RecordBatch,
    SourceRef,
)

__all__ = [
    "MEMBERSHIP_KINDS", "RECORD_TYPES", "AliasRecord", "ChatRecord", "EventKind", "MediaRefRecord",
    "MediaSeenAs", "MemberRank", "MemberRecord", "MembershipEventRecord", "MessageKind",
    "MessageRecord", "NameKind", "ParseWarning", "Party", "PartyKind", "Record", "RecordBatch",
    "SourceRef",
]
