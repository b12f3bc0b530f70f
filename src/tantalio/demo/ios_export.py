"""WhatsApp for iOS "Export chat": `WhatsApp Chat - <group>.zip` with `_chat.txt` and attachments."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

from .exports import author_name, current_subject, event_text, safe_file_name, timeline
from .locales import LOCALES, LRM, render
from .observation import Exhibit, View
from .scenario import MembershipEvent, Operation
from .written import WrittenFile

IOS_NAMING = {"image": ("PHOTO", "jpg"), "audio": ("AUDIO", "opus"), "sticker": ("STICKER", "webp")}


def _entry(name: str, when: datetime, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(when.year, when.month, when.day, when.hour, when.minute, when.second))
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    info.create_system = 3
    return info


def write_ios_exports(op: Operation, exhibit: Exhibit, view: View, root: Path, seized: datetime,
                      written: dict[str, WrittenFile] | None = None) -> list[str]:
    """Returns the zip names written. System lines carry the group name as author and U+200E before
    the text; attachments are `NNNNNNNN-PHOTO-YYYY-MM-DD-HH-MM-SS.jpg`; captions are dropped.
    Fills ``written`` (``<zip>!/_chat.txt`` -> counts) with what each chat holds."""
    locale = LOCALES[exhibit.locale]
    strings = locale.strings
    root.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    zip_time = exhibit.local(seized).replace(tzinfo=None)
    for gid in view.groups:
        items = timeline(view, gid)
        if not items:
            continue
        subject = current_subject(op, exhibit, gid, seized)
        files: list[tuple[str, bytes]] = []
        lines: list[str] = []
        counts = WrittenFile()

        def header(when: datetime) -> str:
            return render(locale.ios, locale, exhibit.local(when).replace(tzinfo=None)) + " "

        lines.append(f"{header(items[0].time)}{subject}: {LRM}{strings.e2e_ios}")
        counts.system_line("encrypted_notice")
        for item in items:
            if isinstance(item, MembershipEvent):
                text = event_text(op, exhibit, item, strings, ios=True)
                if text is not None:
                    lines.append(f"{header(item.time)}{subject}: {LRM}{text}")
                    counts.system_line(item.kind)
                continue
            author = author_name(op, exhibit, item.sender, ios=True)
            if item.media is None:
                lines.append(f"{header(item.time)}{author}: {item.text}")
                counts.message()
            elif exhibit.media_omitted:
                lines.append(f"{header(item.time)}{author}: {LRM}{strings.ios_omitted}")
                counts.message("omitted")
            else:
                stamp = exhibit.local(item.time).strftime("%Y-%m-%d-%H-%M-%S")
                media = op.files[item.media]
                if media.kind == "document" and media.name:
                    file_name = f"{len(files) + 1:08d}-{media.name}"
                else:
                    tag, ext = IOS_NAMING.get(media.kind, ("PHOTO", "jpg"))
                    file_name = f"{len(files) + 1:08d}-{tag}-{stamp}.{ext}"
                files.append((file_name, media.data))
                lines.append(f"{header(item.time)}{author}: {LRM}{strings.ios_attached.format(file=file_name)}")
                counts.message("export_attachment")
        zip_name = f"WhatsApp Chat - {safe_file_name(subject)}.zip"
        with zipfile.ZipFile(root / zip_name, "w") as archive:
            text = "\n".join(lines).replace("\r\n", "\n").replace("\n", "\r\n")
            chat = (text + "\r\n").encode("utf-8")
            archive.writestr(_entry("_chat.txt", zip_time, zipfile.ZIP_DEFLATED), chat)
            for file_name, data in files:
                archive.writestr(_entry(file_name, zip_time, zipfile.ZIP_STORED), data)
        names.append(zip_name)
        if written is not None:
            written[f"{zip_name}!/_chat.txt"] = counts  # a later zip of the same name replaces this one
    return names
