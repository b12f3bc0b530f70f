"""WhatsApp for Android preference files (``shared_prefs/*.xml``): the device's own account.

``registration_jid`` is the number the app is registered with, digits only (IPED
``WAAccount.getFromAndroidXml`` and at least two other public extractors read it; WhatsApp's
own code writes it). Older versions keep ``cc`` (country code) and ``ph`` (national number), or
``com.whatsapp.RegisterPhone.country_code``/``.phone_number`` in ``RegisterPhone.xml`` (one
public source each: [U]). ``push_name`` is the name the owner shows to others.

The files are SharedPreferences XML: ``<map><string name="…">value</string>…</map>``. They are
small; anything larger than :data:`MAX_BYTES`, or declaring a DOCTYPE (entity expansion), is
refused with a warning rather than parsed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import ClassVar

from tantalio.ingest.base import EvidenceFile, ParseContext, Sink
from tantalio.ingest.parsers.jids import jid_party
from tantalio.ingest.parsers.whatsapp_accounts import account_from_jid, android_app
from tantalio.model import AliasRecord

MAX_BYTES = 4 << 20
PREFERENCE_FILES = frozenset({
    "com.whatsapp_preferences.xml", "com.whatsapp_preferences_light.xml",
    "com.whatsapp.w4b_preferences.xml", "com.whatsapp.w4b_preferences_light.xml",
    "registerphone.xml",
})
_NUMBER_KEYS = (
    ("registration_jid", None, "C"),
    ("ph", "cc", "U"),
    ("com.whatsapp.RegisterPhone.phone_number", "com.whatsapp.RegisterPhone.country_code", "U"),
)


class WhatsAppAndroidPrefsParser:
    NAME: ClassVar[str] = "whatsapp_android_prefs"
    FORMAT: ClassVar[str] = "WhatsApp for Android preferences (shared_prefs/*.xml): the device's own account"
    REFERENCES: ClassVar[tuple[str, ...]] = (
        "https://github.com/sepinf-inc/IPED (WAAccount.getFromAndroidXml)",
    )

    def detect(self, file: EvidenceFile, ctx: ParseContext) -> bool:
        return (file.name.lower() in PREFERENCE_FILES and "shared_prefs" in file.path.lower()
                and file.head.lstrip().startswith((b"<?xml", b"<map")))

    def parse(self, file: EvidenceFile, ctx: ParseContext, sink: Sink) -> None:
        ref = ctx.ref(file)
        if file.size > MAX_BYTES:
            sink.warn(ref, f"preference file of {file.size} bytes is larger than {MAX_BYTES}: not read")
            return
        with ctx.open(file) as f:
            data = f.read(MAX_BYTES + 1)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            sink.warn(ref, "preference file declares a DOCTYPE or entities: refused (SharedPreferences never do)")
            return
        try:
            root = ET.fromstring(data)
        except ET.ParseError as e:
            sink.warn(ref, f"not readable as XML: {e}")
            return
        values = {el.get("name", ""): (el.text or "").strip() for el in root.iter("string")}
        app = android_app(file.path)
        found = None
        for key, country_key, mark in _NUMBER_KEYS:
            number = values.get(key, "")
            if country_key is not None and number:
                number = values.get(country_key, "") + number if values.get(country_key, "").isdigit() else ""
            if number:
                found = account_from_jid(ref.at_row(key), number, app, f"{key} in {file.name} [{mark}]")
                if found is not None:
                    sink.emit(found)
                    break
        if found is None:
            return
        name = values.get("push_name")
        if name:
            sink.emit(AliasRecord(ref.at_row("push_name"), jid_party(found.account.value), name, "push_name"))
