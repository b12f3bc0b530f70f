"""WhatsApp JIDs (Jabber ids) as the Android and iOS databases write them.

A JID is ``user@server``: ``447700900123@s.whatsapp.net`` (a phone), ``…@g.us`` (a group),
``…@lid`` (a privacy identity with no phone), ``status@broadcast``. Device JIDs carry a
device suffix (``447700900123.0:3@s.whatsapp.net`` or ``447700900123:3@…``) that names the
same person. Old groups are ``<creator phone>-<unix seconds>@g.us``: the suffix is the
creation time (FORMATS.md §2.2, checked against IPED's fixture).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tantalio.model import Party

USER_SERVERS = ("s.whatsapp.net", "c.us")
GROUP_SERVER = "g.us"
LID_SERVER = "lid"

_LEGACY_GROUP = re.compile(r"^(\d{5,20})-(\d{9,11})@g\.us$")
_DEVICE_SUFFIX = re.compile(r"(?:\.\d+)?:\d+$")
# Legacy group ids start well after WhatsApp existed and before new-style ids took over.
_EARLIEST_GROUP = 1_230_768_000  # 2009-01-01
_LATEST_GROUP = 2_000_000_000


def split_jid(jid: str) -> tuple[str, str]:
    """``(user, server)``; server is '' when the string has no ``@``."""
    user, _, server = jid.strip().partition("@")
    return user, server.lower()


def bare_jid(jid: str) -> str:
    """The JID without a device suffix, so all of one person's devices compare equal."""
    user, server = split_jid(jid)
    if not server:
        return jid.strip()
    return f"{_DEVICE_SUFFIX.sub('', user)}@{server}"


def is_group_jid(jid: str | None) -> bool:
    return bool(jid) and split_jid(jid or "")[1] == GROUP_SERVER


def is_lid(jid: str | None) -> bool:
    return bool(jid) and split_jid(jid or "")[1] == LID_SERVER


def phone_digits(jid: str | None) -> str | None:
    """The international phone digits of a user JID (no ``+``), else None."""
    if not jid:
        return None
    user, server = split_jid(jid)
    if server not in USER_SERVERS:
        return None
    digits = _DEVICE_SUFFIX.sub("", user)
    return digits if digits.isdigit() and 5 <= len(digits) <= 20 else None


def legacy_group_origin(jid: str | None) -> tuple[str, datetime] | None:
    """For ``<creator>-<unix seconds>@g.us``: the creator's user JID and the creation time."""
    if not jid:
        return None
    m = _LEGACY_GROUP.match(jid.strip())
    if m is None:
        return None
    seconds = int(m.group(2))
    if not _EARLIEST_GROUP <= seconds <= _LATEST_GROUP:
        return None
    return f"{m.group(1)}@s.whatsapp.net", datetime.fromtimestamp(seconds, UTC)


def jid_party(jid: str) -> Party:
    """A party for a JID as written: ``lid`` for privacy identities, ``jid`` otherwise.

    The raw string is kept (device suffix included) so the analyst sees what the DB held;
    identity resolution compares with :func:`bare_jid`."""
    return Party("lid", jid) if is_lid(jid) else Party("jid", jid)
