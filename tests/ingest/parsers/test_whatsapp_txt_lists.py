"""Member lists and Spanish/Portuguese system lines of .txt exports, as the demo generator
writes them (found by ``tests/ingest/test_demo_roundtrip.py``). Invented, benign chats."""

from __future__ import annotations

from pathlib import Path

from tantalio.ingest.base import ExhibitInfo
from tantalio.ingest.context import run_parser
from tantalio.ingest.parsers.whatsapp_txt import WhatsAppTxtParser
from tantalio.model.records import MediaRefRecord, MembershipEventRecord, MessageRecord, Party, RecordBatch


def _run(tmp_path: Path, name: str, text: str, attachments: tuple[str, ...] = ()) -> RecordBatch:
    root = tmp_path / "exhibit"
    root.mkdir()
    (root / name).write_text(text, encoding="utf-8")
    for attachment in attachments:
        (root / attachment).write_bytes(b"\xff\xd8\xff\xd9")
    return run_parser(WhatsAppTxtParser(), [root], ExhibitInfo("EX-01", "Europe/Madrid"), tmp_path / "scratch")


def _events(batch: RecordBatch) -> list[tuple[str, Party | None, Party | None]]:
    return [(r.event, r.person, r.by) for r in batch.records if isinstance(r, MembershipEventRecord)]


def test_a_name_with_a_comma_is_one_member_unless_the_list_joiner_follows(tmp_path: Path) -> None:
    batch = _run(tmp_path, "Chat de WhatsApp con Club.txt", (
        "13/1/17, 11:54 - Ignacio Romero añadió a Schneider, Uwe\n"
        "13/1/17, 11:55 - Ignacio Romero añadió a Ana, Bea y Carla\n"
        "13/1/17, 11:56 - Schneider, Uwe: Servus\n"
    ))
    actor = Party("display_name", "Ignacio Romero")
    assert _events(batch) == [
        ("added", Party("display_name", "Schneider, Uwe"), actor),
        ("added", Party("display_name", "Ana"), actor),
        ("added", Party("display_name", "Bea"), actor),
        ("added", Party("display_name", "Carla"), actor),
    ]
    assert batch.warnings == []


def test_spanish_renames_by_the_owner_and_on_ios(tmp_path: Path) -> None:
    batch = _run(tmp_path, "_chat.txt", (
        "[15/2/17, 10:38:52] Cofradía: \u200eLos mensajes y llamadas en este chat ahora están protegidos con "
        "cifrado de extremo a extremo.\r\n"
        "[15/2/17, 10:39:52] Cofradía: \u200eCambiaste el nombre del grupo de “Cofradía” a “Cofradía 2“\r\n"
        "[15/2/17, 10:40:52] Cofradía 2: \u200eDiego cambió el asunto a “Cofradía 3”\r\n"
    ))
    assert _events(batch) == [("encrypted_notice", None, None),
                              ("subject_changed", None, Party.owner()),
                              ("subject_changed", None, Party("display_name", "Diego"))]
    assert batch.warnings == []


def test_portuguese_forms(tmp_path: Path) -> None:
    batch = _run(tmp_path, "Conversa do WhatsApp com Bahía.txt", (
        "13/02/17, 13:27 - As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e ficam "
        "somente entre você e os participantes desta conversa. Nem mesmo o WhatsApp pode ler ou ouvi-las. "
        "Toque para saber mais.\n"
        "13/02/17, 13:27 - Gustavo Santos adicionou-o\n"
        "13/02/17, 13:28 - Adicionou Rubén Moreno\n"
        '03/02/17, 13:29 - Alterou o nome do grupo de "Bahía" para "Bahía 2"\n'
    ))
    gustavo = Party("display_name", "Gustavo Santos")
    assert _events(batch) == [("encrypted_notice", None, None), ("added", Party.owner(), gustavo),
                              ("added", Party("display_name", "Rubén Moreno"), Party.owner()),
                              ("subject_changed", None, Party.owner())]
    assert batch.warnings == []


def test_portuguese_ios_attachment_tag(tmp_path: Path) -> None:
    photo = "00000001-PHOTO-2017-05-28-17-40-37.jpg"
    batch = _run(tmp_path, "_chat.txt", f"[28/05/2017 17:40:37] Juan: \u200e<anexado: {photo}>\r\n", (photo,))
    (message,) = [r for r in batch.records if isinstance(r, MessageRecord)]
    (ref,) = [r for r in batch.records if isinstance(r, MediaRefRecord)]
    assert message.kind == "media" and (ref.seen_as, ref.file_name) == ("export_attachment", photo)
