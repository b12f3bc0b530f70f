"""Which WhatsApp app a file belongs to, and the device-account records WhatsApp parsers emit.

One phone can hold WhatsApp and WhatsApp Business, each registered with its own number, so
every account record names its app. Android keeps each app under its package
(``data/data/com.whatsapp/…``, ``com.whatsapp.w4b``); iOS under an AppGroup folder with a random
UUID, named by the folder's ``.com.apple.mobile_container_manager.metadata.plist``
(``MCMMetadataIdentifier``) or by the app's shared preferences plist inside it.
"""

from __future__ import annotations

import plistlib
from xml.parsers.expat import ExpatError

from tantalio.ingest.base import EvidenceFile, ParseContext
from tantalio.ingest.parsers.jids import jid_party, phone_digits
from tantalio.model import DeviceAccountRecord, SourceRef

ANDROID = "com.whatsapp"
ANDROID_BUSINESS = "com.whatsapp.w4b"
IOS = "net.whatsapp.WhatsApp"
IOS_BUSINESS = "net.whatsapp.WhatsAppSMB"
IOS_SHARED_PLISTS = {
    "group.net.whatsapp.WhatsApp.shared.plist": IOS,
    "group.net.whatsapp.WhatsAppSMB.shared.plist": IOS_BUSINESS,
}
CONTAINER_METADATA = ".com.apple.mobile_container_manager.metadata.plist"
_MAX_PLIST = 1 << 20


def android_app(path: str) -> str:
    low = path.lower()
    return ANDROID_BUSINESS if ("com.whatsapp.w4b" in low or "whatsapp business" in low) else ANDROID


def ios_app(file: EvidenceFile, ctx: ParseContext) -> str:
    """The iOS app whose AppGroup folder holds ``file`` (``ChatStorage.sqlite`` sits at its top)."""
    low = file.path.lower()
    if "whatsappsmb" in low:
        return IOS_BUSINESS
    meta = ctx.find(file.sibling(CONTAINER_METADATA))
    if meta is not None and meta.size <= _MAX_PLIST:
        try:
            with ctx.open(meta) as f:
                ident = plistlib.load(f).get("MCMMetadataIdentifier")
        except (plistlib.InvalidFileException, ExpatError, ValueError, OSError, AttributeError):  # unreadable
            ident = None
        if isinstance(ident, str):
            return IOS_BUSINESS if "whatsappsmb" in ident.lower() else IOS
    for name, app in IOS_SHARED_PLISTS.items():
        if ctx.find(file.sibling(f"Library/Preferences/{name}")) is not None:
            return app
    return IOS


def account_from_jid(ref: SourceRef, jid: str, app: str, basis: str) -> DeviceAccountRecord | None:
    """A device-account record for a user JID (or bare phone digits), None for anything else."""
    value = jid.strip()
    if value.isdigit():
        value += "@s.whatsapp.net"
    if phone_digits(value) is None and not value.endswith("@lid"):
        return None
    return DeviceAccountRecord(ref, jid_party(value), app, basis)
