"""WhatsApp .txt export parser on synthetic exports written here (benign invented chats)."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tantalio.errors import ParseError
from tantalio.ingest.base import ExhibitInfo
from tantalio.ingest.context import run_parser
from tantalio.ingest.parsers.whatsapp_txt import WhatsAppTxtParser
from tantalio.model.records import (
    ChatRecord,
    MediaRefRecord,
    MembershipEventRecord,
    MessageRecord,
    Party,
    RecordBatch,
)

OWNER = Party.owner()


def run(tmp_path: Path, files: dict[str, str | bytes], tz: str = "UTC", path: str | None = None,
        parser: WhatsAppTxtParser | None = None) -> RecordBatch:
    root = tmp_path / "exhibit"
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return run_parser(parser or WhatsAppTxtParser(), [root], ExhibitInfo("EX-01", tz), tmp_path / "scratch", path)


def messages(batch: RecordBatch) -> list[MessageRecord]:
    return [r for r in batch.records if isinstance(r, MessageRecord)]


def events(batch: RecordBatch) -> list[MembershipEventRecord]:
    return [r for r in batch.records if isinstance(r, MembershipEventRecord)]


def chat(batch: RecordBatch) -> ChatRecord:
    (c,) = [r for r in batch.records if isinstance(r, ChatRecord)]
    return c


def media(batch: RecordBatch) -> list[MediaRefRecord]:
    return [r for r in batch.records if isinstance(r, MediaRefRecord)]


ANDROID_US = (
    "1/9/24, 9:00\u202fAM - Messages and calls are end-to-end encrypted. No one outside of this chat, "
    "not even WhatsApp, can read or listen to them. Tap to learn more.\n"
    '1/9/24, 9:01\u202fAM - Ann Lee created group "Book club 📚"\n'
    "1/9/24, 9:02\u202fAM - Ann Lee added you\n"
    "1/9/24, 9:03\u202fAM - Ann Lee added Sandrine - French, Bo and +44 7700 900123\n"
    "1/9/24, 9:05\u00a0PM - Sandrine - French: Bonjour: ça va?\n"
    "1/9/24, 9:04\u00a0PM - +44 7700 900123: first line\n"
    "second line\n"
    "1/2/2023, 10:00 - pasted from another chat\n"
    "\n"
    "1/13/24, 12:15\u202fAM - 🦊✨: emoji name\n"
    "1/13/24, 12:16\u202fPM - Bo left\n"
    "1/13/24, 12:17\u202fPM - +44 7700 900124 joined using this group's invite link\n"
    "1/13/24, 12:18\u202fPM - Ann Lee removed +44 7700 900123\n"
    '1/13/24, 12:19\u202fPM - You changed the subject from "Book club 📚" to "Readers: 2024"\n'
    "1/13/24, 12:20\u202fPM - Ann Lee changed this group's icon\n"
    "1/13/24, 12:21\u202fPM - Ann Lee changed the group description\n"
    "1/13/24, 12:22\u202fPM - You're now an admin\n"
    "1/13/24, 12:23\u202fPM - Your security code with Bo changed. Tap to learn more.\n"
    "1/13/24, 12:24\u202fPM - Bo changed their phone number to a new number. Tap to message or add the new number.\n"
    "1/13/24, 12:25\u202fPM - Ann Lee: This message was deleted\n"
    "1/13/24, 12:26\u202fPM - Ann Lee: <Media omitted>\n"
    "1/13/24, 12:27\u202fPM - The moon is made of cheese\n"
    "1/13/24, 23:59\u202fPM - Ann Lee: impossible time\n"
)


def test_android_us_full_lifecycle(tmp_path: Path) -> None:
    batch = run(tmp_path, {"WhatsApp Chat with Book club.txt": ANDROID_US}, tz="Europe/Madrid")
    msgs = {m.message_key: m for m in messages(batch)}
    c = chat(batch)
    assert c.name == "Book club" and c.is_group and c.creator == Party("display_name", "Ann Lee")
    assert c.chat_key == "WhatsApp Chat with Book club.txt"
    # one record per line group, keyed by the header line
    assert sorted(msgs, key=lambda k: int(k[1:])) == [f"L{n}" for n in
                                                     (1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23)]
    assert msgs["L5"].sender == Party("display_name", "Sandrine - French")
    assert msgs["L5"].text == "Bonjour: ça va?"
    # Madrid is UTC+1 in January; 9:05 PM local -> 20:05Z; raw header kept
    assert msgs["L5"].time == datetime(2024, 1, 9, 20, 5, tzinfo=UTC)
    assert msgs["L5"].time_raw == "1/9/24, 9:05\u00a0PM"
    # out of order lines stay in file order, each with its own time
    assert msgs["L6"].time == datetime(2024, 1, 9, 20, 4, tzinfo=UTC)
    assert msgs["L6"].sender == Party("phone", "+44 7700 900123")
    # multi-line keeps newlines; a date line in another format stays inside; blank tail dropped
    assert msgs["L6"].text == "first line\nsecond line\n1/2/2023, 10:00 - pasted from another chat"
    assert msgs["L6"].raw is not None and msgs["L6"].raw.endswith("chat\n")
    assert msgs["L10"].sender == Party("display_name", "🦊✨")
    assert msgs["L10"].time == datetime(2024, 1, 12, 23, 15, tzinfo=UTC)  # 12:15 AM
    assert msgs["L20"].kind == "deleted" and msgs["L21"].kind == "media"
    assert msgs["L22"].kind == "system_unknown" and msgs["L22"].sender is None
    assert msgs["L23"].time is None and msgs["L23"].time_raw == "1/13/24, 23:59\u202fPM"
    warned = {w.ref.line for w in batch.warnings}
    assert warned == {8, 22, 23}  # foreign header inside L6, unknown system line, impossible time

    got = [(e.ref.line, e.event, e.person, e.by, e.detail) for e in events(batch)]
    ann, bo = Party("display_name", "Ann Lee"), Party("display_name", "Bo")
    p123, p124 = Party("phone", "+44 7700 900123"), Party("phone", "+44 7700 900124")
    assert got == [
        (1, "encrypted_notice", None, None, None),
        (2, "created", ann, ann, "Book club 📚"),
        (3, "added", OWNER, ann, None),
        (4, "added", Party("display_name", "Sandrine - French"), ann, None),
        (4, "added", bo, ann, None),
        (4, "added", p123, ann, None),
        (11, "left", bo, None, None),
        (12, "joined_link", p124, None, None),
        (13, "removed", p123, ann, None),
        (14, "subject_changed", None, OWNER, "Readers: 2024"),
        (15, "icon_changed", None, ann, None),
        (16, "description_changed", None, ann, None),
        (17, "admin_granted", OWNER, None, None),
        (18, "security_code_changed", bo, None, None),
        (19, "number_changed", bo, None, None),
        (20, "message_deleted", None, ann, None),
    ]
    assert all(e.message_key == f"L{e.ref.line}" for e in events(batch))


GERMAN_ANDROID = (
    "\ufeff29.01.18, 12:24 - Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Tippe, um mehr zu erfahren.\n"
    '29.01.18, 12:24 - Du hast die Gruppe „Wandern“ erstellt.\n'
    "\ufeff29.01.18, 12:25 - Du hast Mallory hinzugefügt.\n"
    "29.01.18, 12:26 - Mallory: Hallo!\n"
    "\ufeff30.01.18, 08:00 - Mallory hat die Gruppe verlassen.\n"
    "30.01.18, 08:01 - Du hast Mallory entfernt.\n"
    "13.02.18, 09:00 - Dave: \u200eIMG-20180213-WA0001.jpg (Datei angehängt)\nSchöner Ausblick\n"
    "13.02.18, 09:01 - Dave: <Medien ausgeschlossen>\n"
)


def test_german_android_with_bom_mid_file(tmp_path: Path) -> None:
    batch = run(tmp_path, {"chats/WhatsApp Chat mit Wandern.txt": GERMAN_ANDROID,
                           "chats/IMG-20180213-WA0001.jpg": b"\xff\xd8fake"})
    assert not batch.warnings
    msgs = {m.message_key: m for m in messages(batch)}
    assert msgs["L3"].raw == "\ufeff29.01.18, 12:25 - Du hast Mallory hinzugefügt."
    assert msgs["L5"].time == datetime(2018, 1, 30, 8, 0, tzinfo=UTC)
    kinds = [(e.ref.line, e.event, e.person, e.by) for e in events(batch)]
    mallory = Party("display_name", "Mallory")
    assert (2, "created", OWNER, OWNER) in kinds and (3, "added", mallory, OWNER) in kinds
    assert (5, "left", mallory, None) in kinds and (6, "removed", mallory, OWNER) in kinds
    assert chat(batch).name == "Wandern"
    att, omitted = media(batch)
    assert att.seen_as == "export_attachment" and att.path == "chats/IMG-20180213-WA0001.jpg"
    assert att.caption == "Schöner Ausblick" and att.message_key == "L7"
    assert omitted.seen_as == "omitted" and omitted.file_name is None


LOCALES = {
    "es": ("28/3/2025, 9:29 p. m. - ", 'Ana creó el grupo "Paseo"', "Ana añadió a Luis",
           "Luis se unió usando el enlace de invitación de este grupo", "<Multimedia omitido>",
           "(archivo adjunto)"),
    "pt": ("28/03/2025 21:29 - ", 'Ana criou o grupo "Passeio"', "Ana adicionou Luis",
           "Luis entrou usando o link de convite deste grupo", "<Arquivo de mídia oculto>",
           "(arquivo anexado)"),
    "it": ("06/10/18, 10:56 - ", 'Ana ha creato il gruppo "Gita"', "Ana ha aggiunto Luis",
           "Luis si è unito tramite il link d'invito di questo gruppo", "<Media omessi>",
           "(file allegato)"),
    "fr": ("28/03/2025 21:29 - ", "Ana a créé le groupe « Balade »", "Ana a ajouté Luis",
           "Luis a rejoint le groupe via le lien d'invitation", "<Médias omis>", "(fichier joint)"),
    "nl": ("27-08-2020 11:17 - ", "Ana heeft groep 'Wandeling' aangemaakt", "Ana heeft Luis toegevoegd",
           "Luis neemt deel via de uitnodigingslink van deze groep", "<Media weggelaten>",
           "(bestand bijgevoegd)"),
}


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_android_locales(tmp_path: Path, locale: str) -> None:
    head, created, added, joined, omitted, attached = LOCALES[locale]
    text = "".join(f"{head}{line}\n" for line in (
        created, added, joined, f"Luis: {omitted}", f"Luis: IMG-20250328-WA0002.jpg {attached}", "Luis: hola"))
    batch = run(tmp_path, {"_chat.txt": text})
    assert not [w for w in batch.warnings if "order" not in w.message], batch.warnings
    kinds = [(e.event, e.person, e.by) for e in events(batch)]
    ana, luis = Party("display_name", "Ana"), Party("display_name", "Luis")
    assert kinds == [("created", ana, ana), ("added", luis, ana), ("joined_link", luis, None)]
    assert [m.kind for m in messages(batch)] == ["system", "system", "system", "media", "media", "text"]
    assert [(r.seen_as, r.file_name) for r in media(batch)] == [("omitted", None), ("omitted", "IMG-20250328-WA0002.jpg")]
    assert all(m.time is not None for m in messages(batch))


def test_spanish_pm_and_day_first(tmp_path: Path) -> None:
    batch = run(tmp_path, {"_chat.txt": "28/3/2025, 9:29 p. m. - user1: hola\n1/4/2025, 12:05 a. m. - user1: x\n"})
    times = [m.time for m in messages(batch)]
    assert times == [datetime(2025, 3, 28, 21, 29, tzinfo=UTC), datetime(2025, 4, 1, 0, 5, tzinfo=UTC)]


IOS_GROUP = (
    "[31/12/2022, 11:40:26] Family: \u200eMessages and calls are end-to-end encrypted. No one outside "
    "of this chat, not even WhatsApp, can read or listen to them.\n"
    "[31/12/2022, 11:40:27] Boris: \u200eBoris created group “Family”\n"
    "[31/12/2022, 11:40:28] Family: \u200eBoris added you\n"
    "[31/12/2022, 11:41:00] ~\u202fPepe: \u200e<attached: 00000001-PHOTO-2022-12-31-11-41-00.jpg>\n"
    "[31/12/2022, 11:42:00] \u202a+44 7700 900125\u202c: RS.pdf • 14 pages \u200e<attached: 00000002-RS.pdf>\n"
    "[31/12/2022, 11:43:00] Boris: I added salt\n"
    "[31/12/2022, 11:44:00] Boris: \u200eimage omitted\n"
    "[1/1/2023, 09:00:00] Family: \u200eBoris removed ~\u202fPepe\n"
    "[1/1/2023, 09:01:00] Boris: Name: with colon: fine\n"
)


def test_ios_zip_with_attachments(tmp_path: Path) -> None:
    root = tmp_path / "exhibit"
    root.mkdir()
    with zipfile.ZipFile(root / "WhatsApp Chat - Family.zip", "w") as z:
        z.writestr("_chat.txt", IOS_GROUP)
        z.writestr("00000001-PHOTO-2022-12-31-11-41-00.jpg", b"\xff\xd8fake")
    batch = run(tmp_path, {})
    assert not batch.warnings, batch.warnings
    c = chat(batch)
    assert c.chat_key == "WhatsApp Chat - Family.zip!/_chat.txt" and c.name == "Family" and c.is_group
    msgs = {m.message_key: m for m in messages(batch)}
    assert [msgs[k].kind for k in ("L1", "L2", "L3", "L6", "L7", "L8")] == \
        ["system", "system", "system", "text", "media", "system"]
    assert msgs["L6"].text == "I added salt"  # a person talking, not a group event
    assert msgs["L4"].sender == Party("display_name", "~ Pepe")
    assert msgs["L5"].sender == Party("phone", "+44 7700 900125")
    assert msgs["L9"].sender == Party("display_name", "Boris") and msgs["L9"].text == "Name: with colon: fine"
    photo, pdf, omitted = media(batch)
    assert photo.seen_as == "export_attachment"
    assert photo.path == "WhatsApp Chat - Family.zip!/00000001-PHOTO-2022-12-31-11-41-00.jpg"
    assert (pdf.seen_as, pdf.file_name) == ("omitted", "00000002-RS.pdf") and omitted.file_name is None
    boris = Party("display_name", "Boris")
    got = [(e.event, e.person, e.by) for e in events(batch)]
    assert got == [("encrypted_notice", None, None), ("created", boris, boris), ("added", OWNER, boris),
                   ("removed", Party("display_name", "~ Pepe"), boris)]
    assert msgs["L8"].time == datetime(2023, 1, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("line", "expected"), [
    ("[31/12/2022 11:40:26] Al: x", datetime(2022, 12, 31, 11, 40, 26, tzinfo=UTC)),  # iOS UK, no comma
    ("[07.03.26, 21:22:39] Al: x", datetime(2026, 3, 7, 21, 22, 39, tzinfo=UTC)),    # iOS de
    ("[1/29/18, 12:24:03\u202fPM] Al: x", datetime(2018, 1, 29, 12, 24, 3, tzinfo=UTC)),
    ("[25/3/18 11:27:48] Al: x", datetime(2018, 3, 25, 11, 27, 48, tzinfo=UTC)),      # iOS es 2018
    ("13.6.2018 klo 21.25.15 - Al: x", datetime(2018, 6, 13, 21, 25, 15, tzinfo=UTC)),  # Finnish
    ("27-08-2020 11:17 - Al: x", datetime(2020, 8, 27, 11, 17, tzinfo=UTC)),          # nl dashes
    ("2019-10-20, 10:16 - Al: x", datetime(2019, 10, 20, 10, 16, tzinfo=UTC)),        # year first
    ("2022/12/24, 13:01. - Al: x", datetime(2022, 12, 24, 13, 1, tzinfo=UTC)),        # dot after time
    ("9/24/2019 11:30 p.m. - Al: x", datetime(2019, 9, 24, 23, 30, tzinfo=UTC)),
    ("1/29/18, 12:24 am - Al: x", datetime(2018, 1, 29, 0, 24, tzinfo=UTC)),
])
def test_header_variants(tmp_path: Path, line: str, expected: datetime) -> None:
    batch = run(tmp_path, {"_chat.txt": line + "\n" + line.replace(": x", ": y") + "\n"})
    (first, second) = messages(batch)
    assert first.time == expected and first.sender == Party("display_name", "Al") and first.text == "x"


def test_impossible_minutes_in_a_good_hour(tmp_path: Path) -> None:
    text = "1/2/20, 10:00 - Al: a\n1/2/20, 10:75 - Al: b\n[1/2/20, 10:01 - Al: c\n1/2/20, 10:02 - Al: d\n"
    batch = run(tmp_path, {"_chat.txt": text}, tz="America/New_York")
    times = [m.time for m in messages(batch)]
    # no value over 12 and no change: day first is assumed (24-hour clock), with a warning
    assert times == [datetime(2020, 2, 1, 15, 0, tzinfo=UTC), None, datetime(2020, 2, 1, 15, 2, tzinfo=UTC)]
    assert [w.ref.line for w in batch.warnings if "impossible" in w.message] == [2]


def test_dst_change_inside_hour(tmp_path: Path) -> None:
    # Lord Howe Island moves its clocks by 30 minutes at 02:00: such hours are converted stamp
    # by stamp, and every time equals a direct zoneinfo conversion (fold=0 where ambiguous)
    zone = ZoneInfo("Australia/Lord_Howe")
    stamps = [(7, 4, 1, 10), (7, 4, 1, 50), (7, 4, 2, 10), (6, 10, 1, 50), (6, 10, 2, 10), (6, 10, 2, 40)]
    text = "".join(f"[{d:02d}/{mo:02d}/24, {h:02d}:{mi:02d}:00] Al: x\n" for d, mo, h, mi in stamps)
    times = [m.time for m in messages(run(tmp_path, {"_chat.txt": text}, tz="Australia/Lord_Howe"))]
    assert times == [datetime(2024, mo, d, h, mi, tzinfo=zone).astimezone(UTC) for d, mo, h, mi in stamps]


def test_day_month_order_from_whole_file(tmp_path: Path) -> None:
    # no value above 12 until the last line: order must come from the whole file
    lines = [f"0{d}/0{m}/21, 10:0{d} - Al: x" for m, d in ((1, 1), (1, 2), (1, 3), (2, 1))]
    text = "\n".join(lines * 3000) + "\n05/13/21, 10:00 - Al: late\n"
    times = [m.time for m in messages(run(tmp_path, {"_chat.txt": text}))]
    assert times[1] == datetime(2021, 2, 1, 10, 2, tzinfo=UTC) and times[-1].month == 5  # type: ignore[union-attr]
    # by change frequency alone: the day (first field) changes more often
    text = "\n".join(f"0{d}/0{m}/21, 10:00 - Al: x" for m in (1, 2) for d in (1, 2, 3, 4)) + "\n"
    batch = run(tmp_path / "b", {"_chat.txt": text})
    assert messages(batch)[1].time == datetime(2021, 1, 2, 10, 0, tzinfo=UTC)
    forced = run(tmp_path / "c", {"_chat.txt": text}, parser=WhatsAppTxtParser(date_order="mdy"))
    assert messages(forced)[1].time == datetime(2021, 2, 1, 10, 0, tzinfo=UTC)


def test_bad_input_degrades_with_warnings(tmp_path: Path) -> None:
    empty = run(tmp_path / "a", {"WhatsApp Chat with Nobody.txt": b""})
    assert chat(empty).name == "Nobody" and not messages(empty) and len(empty.warnings) == 1
    broken = b"intro line\n1/2/20, 10:00 - Al: ok\n1/2/20, 10:01 - Al: bad \xff\xfe bytes\n"
    batch = run(tmp_path / "b", {"_chat.txt": broken})
    assert {w.ref.line for w in batch.warnings} >= {1, 3}  # preamble, undecodable bytes
    assert any("not UTF-8" in w.message and w.ref.path == "_chat.txt" for w in batch.warnings)
    assert messages(batch)[0].kind == "system_unknown" and messages(batch)[0].text == "intro line"
    assert "\ufffd" in messages(batch)[2].text
    utf16 = "\ufeff[1/2/20, 10:00:00] Al: utf16\n".encode("utf-16")
    assert messages(run(tmp_path / "c", {"_chat.txt": utf16}))[0].text == "utf16"


def test_not_an_export(tmp_path: Path) -> None:
    with pytest.raises(ParseError):
        run(tmp_path, {"notes.txt": "shopping list\nmilk\n"}, path="notes.txt")


def test_header_like_lines_of_no_usable_shape_are_kept(tmp_path: Path) -> None:
    """A closing bracket without an opening one looks like a header but fits no header shape: the
    export's lines are kept (as a preamble, with a warning), never dropped."""
    text = "1/2/23, 10:00] Ann: hello\n1/2/23, 10:01] Bo: hi\n"
    batch = run(tmp_path, {"WhatsApp Chat with Ann.txt": text})
    [kept] = messages(batch)
    assert kept.kind == "system_unknown" and kept.raw == text.rstrip("\n")
    assert [w for w in batch.warnings if "before the first message header" in w.message]


def test_detect(tmp_path: Path) -> None:
    batch_paths = {
        "WhatsApp Chat with Al.txt": "", "Chat de WhatsApp con Ana.txt": "x", "other.txt": "hello\n",
        "export.txt": "\ufeff12/24/19, 11:23 - John: hi\n", "photo.jpg": "1/2/20, 10:00 - Al: x\n",
    }
    batch = run(tmp_path, batch_paths)
    assert {c.chat_key for c in batch.records if isinstance(c, ChatRecord)} == {
        "WhatsApp Chat with Al.txt", "Chat de WhatsApp con Ana.txt", "export.txt"}
