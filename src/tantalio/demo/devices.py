"""Writes one exhibit folder: an Android extraction (databases + media folder), chat exports,
and the camera roll of producers' phones."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from . import images
from .android_db import MsgstoreWriter, write_wa_db
from .exports import current_subject, write_android_exports
from .ios_export import write_ios_exports
from .observation import Exhibit, View, android_media_names
from .scenario import Operation
from .sharing import CAMERAS
from .written import WrittenFile

WHATSAPP_DB = Path("data/data/com.whatsapp/databases")
WHATSAPP_PREFS = Path("data/data/com.whatsapp/shared_prefs")
SDCARD_IMAGES = Path("sdcard/WhatsApp/Media/WhatsApp Images")
MEDIA_FOLDERS = {"image": "WhatsApp Images", "audio": "WhatsApp Voice Notes", "sticker": "WhatsApp Stickers",
                 "document": "WhatsApp Documents"}


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
    names = android_media_names(exhibit, view.posts, op)
    if exhibit.kind == "android_extraction":
        paths: dict[int, str] = {}
        missing: set[int] = set()
        for post in view.posts:
            if post.media is None:
                continue
            sent = post.sender == exhibit.owner.id
            folder = f"Media/{MEDIA_FOLDERS[op.files[post.media].kind]}/"
            relative = folder + ("Sent/" if sent and op.files[post.media].kind != "sticker" else "") + names[post.seq]
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
        _write_preferences(root / WHATSAPP_PREFS / "com.whatsapp_preferences_light.xml", exhibit)
    elif exhibit.kind == "android_export":
        for name in write_android_exports(op, exhibit, view, names, root, seized, report.written):
            sha = next(p.media for p in view.posts if p.media and names.get(p.seq) == name)
            report.files[str((root / name).relative_to(out_dir))] = sha or ""
    else:
        write_ios_exports(op, exhibit, view, root, seized, report.written)
    if exhibit.camera_roll:
        _own_photos(exhibit, root / "sdcard/DCIM/Camera", seized, rng)
    for family in sorted(op.families.values(), key=lambda f: f.id):
        if family.downloaded_by == exhibit.owner.id and exhibit.kind == "android_extraction" and family.taken:
            path = root / "sdcard/Download" / f"IMG_{family.taken.strftime('%Y%m%d_%H%M%S')}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(family.original)
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


def _write_preferences(path: Path, exhibit: Exhibit) -> None:
    """The app's preference file, as a full extraction holds it: the number the app is registered
    with (``registration_jid``, digits only) and the owner's push name - the device's own account,
    found in the evidence without ``--owner``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = {"registration_jid": exhibit.owner.phone.lstrip("+"), "push_name": exhibit.owner.push_name}
    body = "".join(f'    <string name="{k}">{escape(v)}</string>\n' for k, v in entries.items())
    path.write_text("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n" + body
                    + '    <boolean name="registration_success" value="true" />\n</map>\n', encoding="utf-8")


def _own_photos(exhibit: Exhibit, folder: Path, seized: datetime, rng: random.Random) -> None:
    """A camera roll of the owner's own pictures, never posted anywhere (variant confounder)."""
    camera = images.CameraInfo(*rng.choice(CAMERAS), serial="".join(rng.choice("0123456789ABCDEF") for _ in range(11)))
    for _ in range(rng.randint(2, 3)):
        taken = (seized - timedelta(days=rng.randint(5, 150), seconds=rng.randrange(86400))).replace(microsecond=0)
        local = exhibit.local(taken).replace(tzinfo=None)
        path = folder / f"IMG_{local.strftime('%Y%m%d_%H%M%S')}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(images.camera_original(rng.randrange(2**31), camera, local, None))
        _touch(path, taken)
