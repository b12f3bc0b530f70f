"""Files at the paths where the apps keep their data: when none can be read, say which and why.

A parser claims a file by its name and first bytes; a damaged ``msgstore.db`` (random bytes, an
empty file, an encrypted or truncated copy) is claimed by none, and without this check it would
be hashed and then forgotten, so "no data" would look like "nothing there" (issue 13 item 5).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from tantalio.ingest.base import EvidenceFile
from tantalio.ingest.sqlite_records import SQLITE_MAGIC, sqlite_page_size
from tantalio.media.sniff import sniff


@dataclass(frozen=True, slots=True)
class Artefact:
    what: str
    kind: str  # sqlite | json | text


# by file name; the app folders differ between extractions, the names do not
KNOWN: dict[str, Artefact] = {
    "msgstore.db": Artefact("WhatsApp Android message store", "sqlite"),
    "wa.db": Artefact("WhatsApp Android contacts", "sqlite"),
    "chatstorage.sqlite": Artefact("WhatsApp iOS message store", "sqlite"),
    "contactsv2.sqlite": Artefact("WhatsApp iOS contacts", "sqlite"),
    "result.json": Artefact("Telegram Desktop export", "json"),
    "_chat.txt": Artefact("WhatsApp chat export", "text"),
}
_EXPORT_TXT = re.compile(r"^WhatsApp Chat (with|mit|con|avec|-) .+\.txt$|^(Chat de WhatsApp con|Conversa do WhatsApp com|"
                         r"Discussion WhatsApp avec|Chat WhatsApp con) .+\.txt$", re.I)
MIN_SQLITE = 512  # the smallest page size: a database shorter than one page is cut


def known_artefact(file: EvidenceFile) -> Artefact | None:
    found = KNOWN.get(file.name.lower())
    if found is None and _EXPORT_TXT.match(file.name):
        return KNOWN["_chat.txt"]
    return found


def why_unreadable(file: EvidenceFile, artefact: Artefact) -> str | None:
    """Why no parser could take ``file`` although its name says what it should hold; None for a
    sound SQLite companion file (``wa.db``), which the message store's parser reads."""
    if file.size == 0:
        return "empty (0 bytes)"
    head = file.head
    if artefact.kind == "sqlite":
        if head.startswith(SQLITE_MAGIC):
            page = sqlite_page_size(head)
            if file.size < max(MIN_SQLITE, page):
                return f"truncated: {file.size} bytes, less than one {page}-byte page"
            return None
        return f"not an SQLite database: {_looks_like(head)}"
    if artefact.kind == "json":
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped[:1] in (b"{", b"["):
            return "JSON whose top level no parser recognised"
        try:
            json.loads(head.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return f"not JSON: {_looks_like(head)}"
        return "JSON whose top level no parser recognised"
    return f"not a chat export: {_looks_like(head)}"


def _looks_like(head: bytes) -> str:
    mime = sniff(head)
    if mime and mime != "application/octet-stream":
        return f"wrong type, its first bytes are those of {mime}"
    if not head.strip(b"\x00"):
        return "the header is zeroed"
    if head and sum(32 <= b < 127 or b in (9, 10, 13) for b in head) < len(head) * 0.7:
        return "corrupt or encrypted header (first bytes " + head[:8].hex(" ") + ")"
    return "unrecognised header " + repr(head[:16])[2:-1]
