"""Writes one exhibit folder: an Android extraction (databases + media folder), chat exports,
and the camera roll of producers' phones."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .android_db import MsgstoreWriter, write_wa_db
from .exports import current_subject, write_android_exports
from .ios_export import write_ios_exports
from .observation import Exhibit, View, android_media_names
from .scenario import Operation
from .written import WrittenFile

WHATSAPP_DB = Path("data/data/com.whatsapp/databases")
SDCARD_IMAGES = Path("sdcard/WhatsApp/Media/WhatsApp Images")


@dataclass
class DeviceReport:
    """What was written for one exhibit, for the ground truth."""

    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256 of posted media / originals
    deleted: list[str] = field(default_factory=list)  # sha256 known to the DB whose file is gone
    camera_files: dict[str, str] = field(default_factory=dict)  # relative path -> family id
    # chat-bearing file, relative to the exhibit root (zip members as `box.zip!/member`) -> what it holds
    written: dict[str, WrittenFile] = field(default_factory=dict)


def _touch(path: Path, when: datetime) -> None:
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))


def write_exhibit(op: Operation, exhibit: Exhibit, view: View, out_dir: Path, seized: datetime,
                  deleted_share: float, rng: random.Random) -> DeviceReport:
    root = out_dir / exhibit.path
    root.mkdir(parents=True, exist_ok=True)
    report = DeviceReport()
    names = android_media_names(exhibit, view.posts)
    if exhibit.kind == "android_extraction":
        paths: dict[int, str] = {}
        missing: set[int] = set()
        for post in view.posts:
            if post.media is None:
                continue
            sent = post.sender == exhibit.owner.id
            relative = ("Media/WhatsApp Images/Sent/" if sent else "Media/WhatsApp Images/") + names[post.seq]
            paths[post.seq] = relative
            on_disk = root / "sdcard/WhatsApp" / relative
            if rng.random() < deleted_share:
                report.deleted.append(post.media)
                missing.add(post.seq)
                continue
            on_disk.parent.mkdir(parents=True, exist_ok=True)
            on_disk.write_bytes(op.files[post.media].data)
            _touch(on_disk, post.time)
            report.files[str(on_disk.relative_to(out_dir))] = post.media
        msgstore = MsgstoreWriter(op, exhibit, view, paths, seized, frozenset(missing))
        msgstore.write(root / WHATSAPP_DB / "msgstore.db")
        report.written[(WHATSAPP_DB / "msgstore.db").as_posix()] = msgstore.written
        write_wa_db(root / WHATSAPP_DB / "wa.db", op, exhibit, view,
                    lambda gid: current_subject(op, exhibit, gid, seized))
    elif exhibit.kind == "android_export":
        for name in write_android_exports(op, exhibit, view, names, root, seized, report.written):
            sha = next(p.media for p in view.posts if p.media and names.get(p.seq) == name)
            report.files[str((root / name).relative_to(out_dir))] = sha or ""
    else:
        write_ios_exports(op, exhibit, view, root, seized, report.written)
    if exhibit.dcim:
        camera_root = root / ("sdcard/DCIM/Camera" if exhibit.kind == "android_extraction" else "DCIM/Camera")
        for family in sorted(op.families.values(), key=lambda f: f.id):
            if family.camera_owner != exhibit.owner.id or family.taken is None:
                continue
            local = exhibit.local(family.taken)
            path = camera_root / f"IMG_{local.strftime('%Y%m%d_%H%M%S')}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(family.original)
            _touch(path, family.taken)
            report.camera_files[str(path.relative_to(out_dir))] = family.id
    return report
