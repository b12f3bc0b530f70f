"""WhatsApp for iOS preference plists: the device's own account.

``group.net.whatsapp.WhatsApp.shared.plist`` (in the app's AppGroup folder, under
``Library/Preferences``) and the older ``net.whatsapp.WhatsApp.plist`` keep ``OwnJabberID``
(or ``LastOwnJabberID`` after a log-out) and ``FullUserName``, the owner's push name (IPED
``WAAccount.getFromIOSPlist`` and its WhatsApp plist detector; other public tools read the
same keys). WhatsApp Business uses the same keys in ``…WhatsAppSMB…`` files. Binary and XML
plists are both read; files larger than :data:`MAX_BYTES` are refused with a warning.
"""

from __future__ import annotations

import plistlib
from typing import ClassVar
from xml.parsers.expat import ExpatError

from tantalio.ingest.base import EvidenceFile, ParseContext, Sink
from tantalio.ingest.parsers.jids import jid_party
from tantalio.ingest.parsers.whatsapp_accounts import IOS, IOS_BUSINESS, account_from_jid
from tantalio.model import AliasRecord

MAX_BYTES = 8 << 20
PLISTS = {
    "group.net.whatsapp.whatsapp.shared.plist": IOS,
    "net.whatsapp.whatsapp.plist": IOS,
    "group.net.whatsapp.whatsappsmb.shared.plist": IOS_BUSINESS,
    "net.whatsapp.whatsappsmb.plist": IOS_BUSINESS,
}


class WhatsAppIOSPrefsParser:
    NAME: ClassVar[str] = "whatsapp_ios_prefs"
    FORMAT: ClassVar[str] = "WhatsApp for iOS preferences plist: the device's own account"
    REFERENCES: ClassVar[tuple[str, ...]] = (
        "https://github.com/sepinf-inc/IPED (WAAccount.getFromIOSPlist)",
    )

    def detect(self, file: EvidenceFile, ctx: ParseContext) -> bool:
        return file.name.lower() in PLISTS and file.head.startswith((b"bplist00", b"<?xml"))

    def parse(self, file: EvidenceFile, ctx: ParseContext, sink: Sink) -> None:
        ref = ctx.ref(file)
        if file.size > MAX_BYTES:
            sink.warn(ref, f"plist of {file.size} bytes is larger than {MAX_BYTES}: not read")
            return
        try:
            with ctx.open(file) as f:
                data = plistlib.loads(f.read(MAX_BYTES + 1))
        except (plistlib.InvalidFileException, ExpatError, ValueError, TypeError, OverflowError, IndexError,
                KeyError) as e:
            sink.warn(ref, f"not readable as a plist: {e}")
            return
        if not isinstance(data, dict):
            sink.warn(ref, "plist root is not a dictionary: no account read")
            return
        app = PLISTS[file.name.lower()]
        for key in ("OwnJabberID", "LastOwnJabberID"):
            jid = data.get(key)
            found = account_from_jid(ref.at_row(key), jid, app, f"{key} in {file.name}") if isinstance(jid, str) else None
            if found is not None:
                sink.emit(found)
                name = data.get("FullUserName")
                if isinstance(name, str) and name.strip():
                    sink.emit(AliasRecord(ref.at_row("FullUserName"), jid_party(found.account.value), name.strip(),
                                          "push_name"))
                return
