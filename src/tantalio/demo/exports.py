"""WhatsApp "Export chat" text files, Android flavour, plus what both platforms share:
the device's view of names and the localised rendering of membership events."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .locales import LOCALES, LRM, Locale, Strings, render
from .observation import Exhibit, View
from .scenario import MembershipEvent, Operation, Post
from .written import WrittenFile


def author_name(op: Operation, exhibit: Exhibit, pid: str, ios: bool) -> str:
    """The name this phone shows for a person: own profile name, address-book name, or the
    formatted number (Android) / `~ Pushname` (iOS) for someone not in the address book."""
    person = op.persons[pid]
    if pid == exhibit.owner.id:
        return person.push_name
    if pid in exhibit.contacts:
        return exhibit.contacts[pid]
    return f"~ {person.push_name}" if ios else person.international()


def _curly(text: str) -> str:
    """iOS renders quotes as typographic pairs: “opening” and ”closing”, alternately."""
    parts = text.split('"')
    return "".join(part + ("" if i == len(parts) - 1 else "“" if i % 2 == 0 else "”") for i, part in enumerate(parts))


def event_text(op: Operation, exhibit: Exhibit, event: MembershipEvent, strings: Strings, ios: bool) -> str | None:
    """The system line for an event as the owner's phone renders it; None when the app shows nothing."""
    me = exhibit.owner.id

    def name(pid: str | None) -> str:
        return author_name(op, exhibit, pid, ios) if pid else ""

    actor, member = event.actor, event.person
    kind = event.kind
    if kind == "created":
        if actor == me:
            text = strings.created_you.format(name=event.new_subject)
            return _curly(text) if ios else text
        template = strings.created_ios if ios else strings.created
        return template.format(actor=name(actor), name=event.new_subject)
    if kind == "added":
        if member == me:
            return strings.added_you.format(actor=name(actor))
        if actor == me:
            return strings.you_added.format(member=name(member))
        return strings.added.format(actor=name(actor), member=name(member))
    if kind == "joined_link":
        return strings.joined_link_you if member == me else strings.joined_link.format(member=name(member))
    if kind == "left":
        return strings.left_you if member == me else strings.left.format(member=name(member))
    if kind == "removed":
        if member == me:
            return strings.removed_you.format(actor=name(actor))
        if actor == me:
            return strings.you_removed.format(member=name(member))
        return strings.removed.format(actor=name(actor), member=name(member))
    if kind == "subject_changed":
        if actor == me:
            text = strings.renamed_you.format(old=event.old_subject, new=event.new_subject)
            return _curly(text) if ios else text
        if ios:
            return strings.renamed_ios.format(actor=name(actor), new=event.new_subject)
        return strings.renamed.format(actor=name(actor), old=event.old_subject, new=event.new_subject)
    if kind == "admin_granted" and member == me:
        return strings.now_admin
    return None


def timeline(view: View, gid: str) -> list[Post | MembershipEvent]:
    items: list[Post | MembershipEvent] = [p for p in view.posts if p.group == gid]
    items += [e for e in view.events if e.group == gid]
    items.sort(key=lambda item: (item.time, 0 if isinstance(item, MembershipEvent) else 1, item.seq))
    return items


def safe_file_name(name: str) -> str:
    return "".join("_" if ch in '/\\:*?"<>|' else ch for ch in name)


def current_subject(op: Operation, exhibit: Exhibit, gid: str, seized: datetime) -> str:
    group = op.groups[gid]
    spell = group.spells[exhibit.owner.id]
    return group.name_at(min(spell.end or seized, seized))


def write_android_exports(op: Operation, exhibit: Exhibit, view: View, media_names: dict[int, str],
                          root: Path, seized: datetime, written: dict[str, WrittenFile] | None = None) -> list[str]:
    """One `<prefix><group>.txt` per group, attachments beside it. Returns attachment names written;
    fills ``written`` (path relative to ``root`` -> counts) with what each export holds."""
    locale: Locale = LOCALES[exhibit.locale]
    strings = locale.strings
    attached: list[str] = []
    root.mkdir(parents=True, exist_ok=True)
    for gid in view.groups:
        items = timeline(view, gid)
        if not items:
            continue
        lines: list[str] = []
        counts = WrittenFile()

        def header(when: datetime) -> str:
            return render(locale.android, locale, exhibit.local(when).replace(tzinfo=None)) + " - "

        lines.append(header(items[0].time) + strings.e2e)
        counts.system_line("encrypted_notice")
        for item in items:
            if isinstance(item, MembershipEvent):
                text = event_text(op, exhibit, item, strings, ios=False)
                if text is not None:
                    lines.append(header(item.time) + text)
                    counts.system_line(item.kind)
                continue
            author = author_name(op, exhibit, item.sender, ios=False)
            if item.media is None:
                lines.append(f"{header(item.time)}{author}: {item.text}")
                counts.message()
            elif exhibit.media_omitted:
                lines.append(f"{header(item.time)}{author}: {strings.omitted}")
                counts.message("omitted")
            else:
                file_name = media_names[item.seq]
                lines.append(f"{header(item.time)}{author}: {LRM}{strings.attached.format(file=file_name)}")
                if item.caption:
                    lines.append(item.caption)
                (root / file_name).write_bytes(op.files[item.media].data)
                attached.append(file_name)
                counts.message("export_attachment")
        name = safe_file_name(current_subject(op, exhibit, gid, seized))
        export = f"{strings.android_file_prefix}{name}.txt"
        (root / export).write_text("\n".join(lines) + "\n", encoding="utf-8")
        if written is not None:
            written[export] = counts  # a later export of the same name replaces the file, and its counts
    return attached
