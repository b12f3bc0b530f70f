"""iOS exports put the group's name as the author of system lines: a system line we do not
recognise must still be kept as ``system_unknown`` with a warning, not read as the group talking."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tantalio.ingest.base import ExhibitInfo
from tantalio.ingest.context import run_parser
from tantalio.ingest.parsers.whatsapp_txt import WhatsAppTxtParser
from tantalio.model import MessageRecord

CHAT = "\r\n".join([
    "[10/01/17, 16:49:58] Punto Azul: \u200eAna López created group \u201cPunto Azul\u201d",
    "[10/01/17, 16:50:10] Punto Azul: \u200eAna López added Bruno Díaz",
    "[10/01/17, 16:51:00] Ana López: Hola a todos",
    "[10/01/17, 16:52:00] Punto Azul: \u200eAna López pinned a message with a feature from the future",
    "[10/01/17, 16:53:00] Bruno Díaz: Buenas",
]) + "\r\n"


def test_unknown_system_line_from_the_group_author_is_kept_and_warned(tmp_path: Path) -> None:
    root = tmp_path / "ex"
    root.mkdir()
    with zipfile.ZipFile(root / "WhatsApp Chat - Punto Azul.zip", "w") as zf:
        zf.writestr("_chat.txt", CHAT.encode("utf-8"))
    batch = run_parser(WhatsAppTxtParser(), [root], ExhibitInfo("EX-01", "Europe/Madrid"), tmp_path / "scratch")
    msgs = {m.message_key: m for m in batch.records if isinstance(m, MessageRecord)}
    assert msgs["L3"].kind == "text" and msgs["L5"].kind == "text"
    unknown = msgs["L4"]
    assert unknown.kind == "system_unknown" and unknown.sender is None
    assert "feature from the future" in unknown.text
    assert [w for w in batch.warnings if w.ref.line == 4 and "unrecognised system line" in w.message]
