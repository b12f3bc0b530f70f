"""Containers that store a device's files under other names, read in place with the names the
device gave them.

* **iTunes/Finder iOS backups** (iOS 10 and later): a folder with ``Manifest.db``,
  ``Manifest.plist`` and ``Info.plist``; every file is stored as ``<first two hex digits>/<fileID>``
  where ``fileID`` is the SHA-1 of ``<domain>-<relativePath>``. ``Manifest.db`` (table ``Files``:
  ``fileID, domain, relativePath, flags``; flags 1 = file) maps them back. Mapped files appear as
  ``…/Manifest.db!/<domain>/<relativePath>``, so WhatsApp's AppGroup files keep their folder
  (``AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite`` beside
  ``ContactsV2.sqlite`` and ``Message/Media/…``); where each is stored follows from the name
  (``sha1(domain + '-' + relativePath)``), so custody can be checked against the folder. Files
  ``Manifest.db`` does not list keep their stored names. An encrypted backup
  (``Manifest.plist``: ``IsEncrypted``) needs the backup password: its files are hashed under
  their stored names and a "key needed" refusal says so. Backups older than iOS 10
  (``Manifest.mbdb``) are hashed, not mapped.
* **Cellebrite UFDR** reports: a zip with ``report.xml`` at its root listing every extracted file
  as ``<file fs="…" path="…">`` with a ``<item name="Local Path">`` naming the zip member that
  holds it (layout as read by IPED's ``UfedXmlReader`` and described by UFDR2DIR). Members listed
  there appear under ``<fs>/<path>``; the rest keep their zip names.
"""

from __future__ import annotations

import plistlib
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.parsers.expat import ExpatError

FILE_FLAG = 1
_ENTITY_PROBE = 1 << 16


def is_ios_backup(filenames: list[str]) -> bool:
    names = set(filenames)
    return "Manifest.db" in names and ("Manifest.plist" in names or "Info.plist" in names)


@dataclass(frozen=True, slots=True)
class BackupView:
    """How one backup folder's stored files are named: stored path (relative to the backup
    folder) -> the device's name for it, or a reason the backup cannot be mapped."""

    names: dict[str, str]
    problem: str | None = None


def ios_backup_view(root: Path) -> BackupView:
    manifest = root / "Manifest.plist"
    if manifest.is_file():
        try:
            with open(manifest, "rb") as f:
                info = plistlib.load(f)
        except (plistlib.InvalidFileException, ExpatError, ValueError, OSError) as e:
            return BackupView({}, f"iOS backup: Manifest.plist unreadable ({e}); files hashed under their stored names")
        if isinstance(info, dict) and info.get("IsEncrypted"):
            return BackupView({}, "encrypted iOS backup: the backup password (key) is needed to read it; its files"
                                  " are hashed under their stored names, none is parsed")
    uri = "file:" + str((root / "Manifest.db").resolve()).replace("?", "%3f").replace("#", "%23")
    try:
        conn = sqlite3.connect(uri + "?mode=ro&immutable=1", uri=True)
        try:
            rows = conn.execute("SELECT fileID, domain, relativePath, flags FROM Files").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        return BackupView({}, f"iOS backup: Manifest.db not readable ({e}); files hashed under their stored names")
    names: dict[str, str] = {}
    for file_id, domain, rel, flags in rows:
        if flags != FILE_FLAG or not isinstance(file_id, str) or not isinstance(domain, str) or not rel:
            continue
        logical = f"{domain}/{rel}".replace("\\", "/")
        for stored in (f"{file_id[:2]}/{file_id}", file_id):
            names[stored] = logical
    return BackupView(names)


def ufdr_names(open_report: Callable[[], BinaryIO], refuse: Callable[[str], None]) -> dict[str, str]:
    """UFDR zip member (``files/…``, ``/`` separators) -> ``<fs>/<device path>`` from report.xml."""
    names: dict[str, str] = {}
    try:
        with open_report() as f:
            head = f.read(_ENTITY_PROBE)
            if b"<!ENTITY" in head:
                refuse("report.xml declares XML entities: refused, members keep their zip names")
                return {}
        with open_report() as f:
            current: tuple[str, str] | None = None
            for event, el in ET.iterparse(f, events=("start", "end")):
                tag = el.tag.rsplit("}", 1)[-1]
                if event == "start" and tag == "file":
                    current = (el.get("fs") or "", el.get("path") or "")
                elif event == "end" and tag == "item" and current is not None and el.get("name") == "Local Path":
                    member = (el.text or "").strip().replace("\\", "/").lstrip("/")
                    fs, path = current
                    if member and path:
                        names.setdefault(member, "/".join(p for p in (fs.strip("/"), path.strip("/")) if p))
                elif event == "end" and tag == "file":
                    current = None
                    el.clear()
    except (ET.ParseError, OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        refuse(f"report.xml unreadable ({e}): {len(names)} members named from it, the rest keep their zip names")
    return names

