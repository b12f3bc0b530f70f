"""Code tables of WhatsApp for iOS ``ChatStorage.sqlite`` (FORMATS.md §3; IPED
``ExtractorIOS.decodeMessageType``), and the one protobuf field we read from ``ZMETADATA``."""

from __future__ import annotations

from tantalio.model import EventKind, MessageKind

IOS_MESSAGE_KINDS: dict[int, MessageKind] = {
    0: "text", 1: "media", 2: "media", 3: "media", 4: "contact", 5: "location",
    6: "system",  # group event
    7: "text",  # URL preview
    8: "media",  # document
    10: "system",  # chat event (encryption notice, call notices)
    11: "media",  # GIF
    14: "deleted", 15: "sticker", 38: "media", 39: "media", 46: "poll",
}
MEDIA_TYPES = frozenset({1, 2, 3, 8, 11, 15, 38, 39})
EVENT_TYPES = frozenset({6, 10})

GROUP_EVENTS: dict[int, EventKind] = {
    1: "subject_changed", 2: "added", 3: "left", 4: "icon_changed",
    5: "icon_changed",  # icon deleted
    7: "removed", 9: "number_changed", 10: "admin_granted", 11: "admin_revoked", 12: "created",
    15: "joined_link", 17: "description_changed", 23: "joined_invite", 30: "joined_community",
}
CHAT_EVENTS: dict[int, EventKind] = {2: "encrypted_notice"}  # seen in the iLEAPP josh_ios15 fixture
SELF_EVENTS = frozenset({"left", "joined_link", "joined_invite", "joined_community"})

_FORWARD_COUNT_FIELD = 17  # iLEAPP whatsAppMessages: ZMETADATA field 17 = times forwarded


def ios_message_kind(code: object) -> MessageKind:
    return IOS_MESSAGE_KINDS.get(code, "other") if isinstance(code, int) else "other"


def ios_event_kind(message_type: object, event_type: object) -> EventKind:
    table = GROUP_EVENTS if message_type == 6 else CHAT_EVENTS
    return table.get(event_type, "other") if isinstance(event_type, int) else "other"


def forward_count(metadata: object) -> int | None:
    """Field 17 of the ``ZMETADATA`` protobuf, or None when absent or unreadable."""
    if not isinstance(metadata, bytes):
        return None
    pos = 0
    try:
        while pos < len(metadata):
            key, pos = _varint(metadata, pos)
            field_no, wire = key >> 3, key & 7
            if wire == 0:
                value, pos = _varint(metadata, pos)
                if field_no == _FORWARD_COUNT_FIELD:
                    return value
            elif wire == 2:
                length, pos = _varint(metadata, pos)
                pos += length
            elif wire == 1:
                pos += 8
            elif wire == 5:
                pos += 4
            else:
                return None
    except IndexError:
        return None
    return None


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80 or shift > 63:
            return value, pos
        shift += 7
