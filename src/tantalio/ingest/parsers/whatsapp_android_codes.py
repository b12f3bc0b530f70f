"""Code tables of WhatsApp for Android's msgstore.db (FORMATS.md §2).

The app ships no lookup tables. Each code below names its sources and a confidence mark as in
FORMATS.md: **[V]** seen in a fixture, **[C]** the same meaning in two or more independent public
parsers, **[U]** one source only (check it on a real device before relying on it). Sources:
IPED ``ExtractorAndroid``/``ExtractorAndroidNew`` (I), KnugiHK/WhatsApp-Chat-Exporter
``utility.determine_metadata`` (K), frozenspider/chat-history-manager ``whatsapp_android.rs``
(H), ALEAPP (A), and the chat-history-manager test databases (fixture).

A code not listed is kept raw (message kind ``other`` / event kind ``other`` with the code in
the detail) rather than guessed. The meaning and mark travel with every decoded row (in
``MessageRecord.raw`` and the event detail), so the analyst sees how sure the reading is.
"""

from __future__ import annotations

from typing import NamedTuple

from tantalio.model import EventKind, MemberRank, MessageKind


class Code(NamedTuple):
    kind: str
    meaning: str
    mark: str  # V, C or U


MESSAGE_TYPES: dict[int, Code] = {
    0: Code("text", "text", "V"),
    1: Code("media", "image", "V"),
    2: Code("media", "audio / voice note", "C"),
    3: Code("media", "video", "C"),
    4: Code("contact", "vCard", "C"),
    5: Code("location", "location", "C"),
    7: Code("system", "system event (see action_type)", "V"),
    8: Code("call", "call", "C"),
    9: Code("media", "document", "C"),
    10: Code("call", "missed call", "C"),
    11: Code("other", "waiting for this message (not yet decrypted)", "U"),  # H
    13: Code("media", "GIF", "C"),
    15: Code("deleted", "deleted", "V"),
    16: Code("location", "live location", "V"),
    20: Code("sticker", "sticker", "C"),
    23: Code("product", "business catalogue item (message_product)", "V"),  # H + fixture
    25: Code("product", "business catalogue item, templated", "U"),  # H
    27: Code("text", "one-time password", "U"),  # H
    36: Code("system", "disappearing-message timer set (message_ephemeral_setting)", "U"),  # H
    42: Code("media", "view-once image", "C"),
    43: Code("media", "view-once video", "C"),
    44: Code("order", "order / cart (message_order)", "V"),  # fixture
    64: Code("deleted", "deleted by a group admin", "U"),  # I
    66: Code("poll", "poll (message_poll_option)", "U"),  # I
    82: Code("media", "view-once audio", "U"),  # I
    85: Code("interactive", "interactive message (message_ui_elements)", "V"),  # fixture
    90: Code("call", "video call", "U"),  # H
    99: Code("album", "album (message_album; items in message_association)", "V"),  # fixture
}
VIEW_ONCE = frozenset({42, 43, 82})
MEDIA_KINDS = frozenset({"media", "sticker"})

ACTIONS: dict[int, Code] = {
    1: Code("subject_changed", "group subject changed", "C"),  # I K
    4: Code("added", "member added", "C"),  # I K
    5: Code("left", "member left", "C"),
    6: Code("icon_changed", "group icon changed", "C"),  # I K H
    7: Code("removed", "member removed", "C"),
    8: Code("other", "cannot send to this group (internal error)", "U"),  # K
    9: Code("other", "broadcast list created", "U"),  # K
    10: Code("number_changed", "number changed", "C"),  # I K
    11: Code("created", "group created", "C"),  # I K H
    12: Code("added", "member added", "V"),  # I K H + fixture
    13: Code("left", "member left", "C"),
    14: Code("removed", "member removed", "C"),  # I K H
    15: Code("admin_granted", "made admin", "C"),
    16: Code("admin_revoked", "admin revoked", "C"),
    18: Code("security_code_changed", "security code changed", "C"),  # I K
    19: Code("encrypted_notice", "now end-to-end encrypted", "C"),  # I K
    20: Code("joined_link", "joined via invite link", "C"),  # I K
    21: Code("invite_link_reset", "invite link reset", "C"),
    27: Code("description_changed", "group description changed", "C"),  # I K
    28: Code("number_changed", "number changed", "C"),  # I K H
    46: Code("other", "account type notice (business account / unclear)", "U"),  # H and K disagree
    47: Code("other", "contact is an official business account", "U"),  # K
    50: Code("other", "contact changed from business to standard account", "U"),  # K
    52: Code("joined_invite", "joined via invite message", "C"),
    56: Code("ephemeral_changed", "disappearing-message timer set or changed", "U"),  # K
    57: Code("security_code_changed", "security code changed", "C"),
    58: Code("other", "contact blocked", "C"),  # K H
    59: Code("ephemeral_changed", "disappearing messages turned off", "U"),  # H
    67: Code("other", "chat privacy notice (initial privacy provider)", "C"),  # K H: one-to-one chats
    69: Code("other", "business chat state notice", "C"),  # K H
    79: Code("joined_community", "joined from the community", "C"),
    129: Code("other", "contact notice ('is a contact')", "U"),  # H
}

# Events whose subject is the sender of the system row when no participant row names anyone:
# the person who left or joined is the one the row is "from".
SELF_EVENTS = frozenset({"left", "joined_link", "joined_invite", "joined_community", "created"})
# What a one-to-one chat's system row may still say as an event: a number change is an identity
# fact wherever it is seen; membership and group settings make no sense outside a group.
ONE_TO_ONE_EVENTS = frozenset({"number_changed"})

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
    entry = MESSAGE_TYPES.get(found) if found is not None else None
    return entry.kind if entry else "other"  # type: ignore[return-value]


def event_kind(code: object) -> EventKind:
    found = as_code(code)
    entry = ACTIONS.get(found) if found is not None else None
    return entry.kind if entry else "other"  # type: ignore[return-value]


def describe(table: dict[int, Code], code: object) -> str:
    """``(meaning) [mark]`` for a known code, '' for an unknown one: appended to raw values."""
    found = as_code(code)
    entry = table.get(found) if found is not None else None
    return f" ({entry.meaning}) [{entry.mark}]" if entry else ""


def member_rank(code: object) -> MemberRank:
    found = as_code(code)
    return RANKS.get(found, "member") if found is not None else "member"
