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


def test_a_person_who_mostly_deletes_is_not_the_group(tmp_path: Path) -> None:
    """"This message was deleted" is a person's line: however many they delete, their other lines
    stay their messages (Android and iOS)."""
    android = "\n".join(
        [f"1/10/17, 16:{m:02d} - Bruno: This message was deleted" for m in range(10, 19)]
        + ["1/10/17, 16:20 - Bruno: see you at the station", "1/10/17, 16:21 - Ana: ok"]) + "\n"
    ios = "\r\n".join(
        [f"[10/01/17, 16:{m:02d}:00] Bruno: \u200eThis message was deleted." for m in range(10, 19)]
        + ["[10/01/17, 16:20:00] Bruno: see you at the station", "[10/01/17, 16:21:00] Ana: ok"]) + "\r\n"
    root = tmp_path / "ex"
    root.mkdir()
    (root / "WhatsApp Chat with Ana.txt").write_text(android, encoding="utf-8")
    with zipfile.ZipFile(root / "WhatsApp Chat - Ana.zip", "w") as zf:
        zf.writestr("_chat.txt", ios.encode("utf-8"))
    batch = run_parser(WhatsAppTxtParser(), [root], ExhibitInfo("EX-01", "Europe/Madrid"), tmp_path / "scratch")
    msgs = [m for m in batch.records if isinstance(m, MessageRecord)]
    assert len(msgs) == 22
    for m in msgs:
        assert m.kind == ("deleted" if "deleted" in m.text else "text"), m
        assert m.sender is not None and m.sender.value in ("Bruno", "Ana"), m
    assert not [w for w in batch.warnings if "unrecognised" in w.message]
