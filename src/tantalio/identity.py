"""Normalising identifiers as evidence writes them: phone numbers to E.164 with their country,
WhatsApp JIDs to phones, labels cleaned of invisible marks. Pure functions, no I/O."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from tantalio.model import Party

# Bidi marks and isolates, BOM, zero-width characters: exports put them around numbers/names.
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
     0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF, 0x00AD]
)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_PHONE_CHARS = re.compile(r"^\+?[\d\s\-\u2010\u2011\u2012\u2013\u2212().\u00a0\u202f]{6,}$")
_USER_SERVERS = ("s.whatsapp.net", "c.us")


@dataclass(frozen=True, slots=True)
class IdentifierKey:
    """How an identifier is stored: kind, value as written, normalised value, scope, country,
    and for a label seen in a conversation the chat it was seen in (``context``)."""

    kind: str
    value: str
    normalized: str
    scope: str
    country: str | None
    context: str = ""


def clean_label(text: str) -> str:
    """A label without invisible marks, NFC, single spaces. For matching; raw text is kept elsewhere."""
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE))
    return _SPACES.sub(" ", text).strip()


def looks_like_phone(text: str) -> bool:
    t = clean_label(text)
    return bool(_PHONE_CHARS.match(t)) and sum(c.isdigit() for c in t) >= 6


def normalize_phone(text: str, default_region: str | None = None) -> tuple[str, str | None] | None:
    """``(E.164, region)`` for a phone number as written, or None when it is not one.

    Numbers with a leading ``+`` need no region; national forms use ``default_region`` (the
    exhibit's country). Invalid-but-possible numbers are kept (seized data has odd numbers)
    with region None when phonenumbers cannot place them.
    """
    t = clean_label(text).replace("\u2011", "-").replace("\u2010", "-").replace("\u2212", "-")
    if not t or not any(c.isdigit() for c in t):
        return None
    try:
        num = phonenumbers.parse(t, None if t.startswith("+") else (default_region or None))
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(num):
        return None
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(num)
    if not region or region == "ZZ":
        # invalid but possible (fiction ranges, new ranges): the country code still places it
        region = phonenumbers.region_code_for_country_code(num.country_code or 0)
    return e164, (region if region and region not in ("ZZ", "001") else None)


def jid_user(jid: str) -> tuple[str, str]:
    """Split ``user[.agent][:device]@server`` into (user digits/id, server)."""
    user, _, server = jid.strip().lower().partition("@")
    user = user.split(":", 1)[0].split(".", 1)[0]
    return user, server


def identifier_for(party: Party, exhibit_id: str, default_region: str | None,
                   owner_phone: str | None, chat_key: str = "") -> IdentifierKey:
    """The stored identifier for a party seen on ``exhibit_id`` (in chat ``chat_key``, if any).

    Hard identifiers (phones, JIDs, Telegram ids) are global; names are scoped to the exhibit,
    because an address-book name is only that device's alias: names never merge by themselves.
    A name seen in a conversation is scoped to that chat as well: one device can show two
    people under one label ("Carlos" saved twice, two strangers both pushing "~ Raúl") in two
    chats, so the label in each chat is resolved on its own evidence. Device-wide names
    (address book, push names) are written with ``chat_key`` "".
    """
    value = party.value
    if party.kind == "owner":
        if owner_phone:
            norm = normalize_phone(owner_phone, default_region)
            if norm:
                return IdentifierKey("phone", owner_phone, norm[0], "", norm[1])
        return IdentifierKey("owner", f"owner of {exhibit_id}", exhibit_id, exhibit_id, None)
    if party.kind in ("jid", "lid"):
        user, server = jid_user(value)
        if server in _USER_SERVERS and user.isdigit():
            norm = normalize_phone("+" + user)
            if norm:
                return IdentifierKey("phone", value, norm[0], "", norm[1])
        if server == "lid" or party.kind == "lid":
            return IdentifierKey("lid", value, f"{user}@lid", "", None)
        return IdentifierKey("jid", value, value.strip().lower(), "", None)
    if party.kind == "phone" or (party.kind == "display_name" and looks_like_phone(value)):
        norm = normalize_phone(value, default_region)
        if norm:
            return IdentifierKey("phone", value, norm[0], "", norm[1])
    if party.kind in ("telegram_id", "username"):
        return IdentifierKey(party.kind, value, clean_label(value).lower(), "", None)
    return IdentifierKey("display_name", value, clean_label(value), exhibit_id, None, chat_key)
