"""Where a file sits on a phone, and when a picture was taken: the facts behind "camera original".

NETWORK.md §3.5: the strongest producer evidence is an original camera file (camera EXIF, a
DCIM path) on the sender's own phone that predates the first post. Copies sent through WhatsApp
are recompressed and normally lack that EXIF, and a file present only under
``WhatsApp Images/Sent`` was sent, not created, through the app [S25]. A received file keeps
whatever the sender's file had when it came as a *document* (no recompression), so a camera
original received as a document sits in ``WhatsApp Documents`` with its EXIF intact: the folder,
not the EXIF alone, says whose camera took it.

* ``camera``: the device's camera roll (Android and iOS ``DCIM/``, Android ``Pictures/Camera``);
* ``received``: what messaging apps and browsers save (WhatsApp ``Media/`` folders including
  ``Sent``, the Android 11+ ``Android/media/com.whatsapp`` tree, Telegram's folders,
  ``Download``/``Downloads``), and chat-export attachments;
* ``other``: anything else (a gallery app's folder, a copy on a computer).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_CAMERA = re.compile(r"(^|/)(dcim|pictures/camera|camera roll)(/|$)", re.IGNORECASE)
_RECEIVED = re.compile(
    r"(^|/)(whatsapp( business)?/media|android/media/com\.whatsapp(\.w4b)?|whatsapp (images|video|documents|"
    r"animated gifs|audio|voice notes|stickers)|telegram( x)?/telegram (images|video|documents|audio)|telegram|"
    r"downloads?|documents/whatsapp|signal)(/|$)", re.IGNORECASE)


def folder_kind(path: str, seen_as: str = "file") -> str:
    """camera | received | other for a file at ``path`` on an exhibit (see the module doc)."""
    if seen_as == "export_attachment":
        return "received"
    norm = path.replace("\\", "/")
    if _RECEIVED.search(norm):
        return "received"
    if _CAMERA.search(norm):
        return "camera"
    return "other"


def has_camera_exif(make: str | None, model: str | None, serial: str | None) -> bool:
    return any(v and v.strip() for v in (make, model, serial))


def taken_epoch(taken: str | None, timezone: str | None) -> float | None:
    """EXIF capture time in seconds UTC. Triage stores it in UTC when the file carried an offset
    (``2017-03-01T20:00:00Z``), else as the camera wrote it (``2017:03:01 21:00:00``, the
    device's local time): that is read in the exhibit's timezone."""
    if not taken:
        return None
    text = taken.strip()
    try:
        zone = ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    try:
        if "T" in text:
            aware = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return (aware if aware.tzinfo else aware.replace(tzinfo=UTC)).timestamp()
        return datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S").replace(tzinfo=zone).timestamp()
    except ValueError:
        return None
