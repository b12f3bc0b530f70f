"""What counts as material: images and videos, nothing else (issue 12 item 2).

Production, distribution, first sightings and priority count pictures and videos. Voice notes,
audio, stickers, non-image documents, contacts and locations are not material, however early
someone posted them. The kind of a post is decided, strongest first, from:

1. the message kind: a sticker is a sticker whatever its bytes (WhatsApp stickers are WebP
   images; FORMATS.md §2 message_type 20, §3 ZMESSAGETYPE 15);
2. the media item's type, sniffed from the file's bytes at intake, or when the file is gone the
   MIME type the app's database recorded for it;
3. the MIME type the message's own media row recorded;
4. the app's media type code: Android ``message_type`` / legacy ``media_wa_type`` (FORMATS.md
   §2: 1 image, 2 audio, 3 video, 9 document, 13 GIF, 20 sticker, 42/43/82 view-once
   image/video/audio) and iOS ``ZMESSAGETYPE`` (§3: 1 image, 2 video, 3 audio, 8 document,
   11 GIF, 15 sticker, 38/39 view-once).

A document whose bytes are a JPEG is an image (a camera original sent "as document" is still a
picture). Where nothing says what a post carries, it is not counted.
"""

from __future__ import annotations

import re

MATERIAL_KINDS = frozenset({"image", "video"})
ANDROID_TYPES = {1: "image", 2: "audio", 3: "video", 9: "document", 13: "video", 20: "sticker", 42: "image",
                 43: "video", 82: "audio"}
IOS_TYPES = {1: "image", 2: "video", 3: "audio", 8: "document", 11: "video", 15: "sticker", 38: "image",
             39: "video"}
_CODE = re.compile(r"(message_type|media_wa_type|ZMESSAGETYPE)=(\d+)")


def kind_of_mime(mime: str | None) -> str | None:
    """image | video | audio | document | None (no MIME type recorded)."""
    if not mime:
        return None
    top = mime.split(";", 1)[0].strip().lower()
    if top.startswith("image/"):
        return "image"
    if top.startswith("video/"):
        return "video"
    if top.startswith("audio/"):
        return "audio"
    return "document"


def kind_of_code(raw: str | None) -> str | None:
    """The media kind an app's type code says, from the message's raw field as parsers keep it."""
    found = _CODE.search(raw or "")
    if found is None:
        return None
    table = IOS_TYPES if found.group(1) == "ZMESSAGETYPE" else ANDROID_TYPES
    return table.get(int(found.group(2)))


def media_kind(message_kinds: set[str], item_mime: str | None, ref_mimes: set[str], raws: set[str]) -> str | None:
    """The kind of one post from everything its recordings say (see the module doc for the order)."""
    if message_kinds and message_kinds <= {"sticker"}:
        return "sticker"
    for kind in (kind_of_mime(item_mime),
                 *sorted((k for k in (kind_of_mime(m) for m in ref_mimes) if k), key=_rank),
                 *sorted((k for k in (kind_of_code(r) for r in raws) if k), key=_rank)):
        if kind is not None:
            return kind
    return None


def _rank(kind: str) -> tuple[bool, str]:
    return (kind not in MATERIAL_KINDS, kind)


def is_material(kind: str | None) -> bool:
    return kind in MATERIAL_KINDS


def preferred_kind(a: str | None, b: str | None) -> str | None:
    """Two recordings of one post: what either says, a picture or video before anything else."""
    if a is None or b is None:
        return a if b is None else b
    return min(a, b, key=_rank)
