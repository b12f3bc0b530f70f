"""Code tables of WhatsApp for Android's msgstore.db (FORMATS.md §2).

The app ships no lookup tables: these numbers come from IPED (``ExtractorAndroid`` and
``ExtractorAndroidNew``) and KnugiHK/WhatsApp-Chat-Exporter, which agree wherever both define
a code. A code not listed here is kept raw (message kind ``other`` / event kind ``other``
with the code in the detail) rather than guessed.
"""

from __future__ import annotations

from tantalio.model import EventKind, MemberRank, MessageKind

MESSAGE_KINDS: dict[int, MessageKind] = {
    0: "text",
    1: "media",  # image
    2: "media",  # audio / voice note
    3: "media",  # video
    4: "contact",  # vCard
    5: "location",
    7: "system",
    8: "call",
    9: "media",  # document
    10: "call",  # missed call
    13: "media",  # GIF
    15: "deleted",
    16: "location",  # live location
    20: "sticker",
    42: "media",  # view-once image
    43: "media",  # view-once video
    64: "deleted",  # deleted by a group admin
    66: "poll",
    82: "media",  # view-once audio
}
MEDIA_KINDS = frozenset({"media", "sticker"})

ACTION_KINDS: dict[int, EventKind] = {
    1: "subject_changed",
    4: "added",
    5: "left",
    6: "icon_changed",
    7: "removed",
    10: "number_changed",
    11: "created",
    12: "added",
    13: "left",
    14: "removed",
    15: "admin_granted",
    16: "admin_revoked",
    18: "security_code_changed",
    19: "encrypted_notice",
    20: "joined_link",
    21: "invite_link_reset",
    27: "description_changed",
    28: "number_changed",
    52: "joined_invite",
    57: "security_code_changed",
    79: "joined_community",
}

# Events whose subject is the sender of the system row when no participant row names anyone:
# the person who left or joined is the one the row is "from".
SELF_EVENTS = frozenset({"left", "joined_link", "joined_invite", "joined_community", "created"})

# group_participant_user.rank / group_participants.admin. Observed 0/1/2 across 18 groups
# fits member/admin/creator (superadmin), but no source documents it: UNVERIFIED mapping.
RANKS: dict[int, MemberRank] = {0: "member", 1: "admin", 2: "creator"}


def as_code(value: object) -> int | None:
    """A stored code as an int: legacy ``media_wa_type`` is declared TEXT and holds ``'1'``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def message_kind(code: object) -> MessageKind:
    found = as_code(code)
    return MESSAGE_KINDS.get(found, "other") if found is not None else "other"


def event_kind(code: object) -> EventKind:
    found = as_code(code)
    return ACTION_KINDS.get(found, "other") if found is not None else "other"


def member_rank(code: object) -> MemberRank:
    found = as_code(code)
    return RANKS.get(found, "member") if found is not None else "member"
