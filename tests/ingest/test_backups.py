"""iTunes/Finder iOS backups and Cellebrite UFDR reports read with the device's own file names,
and the device owner found in them without ``--owner``. All content is synthetic."""

from __future__ import annotations

import hashlib
import os
import plistlib
import shutil
import sqlite3
import zipfile
from pathlib import Path

from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.ingest.sources import EvidenceTree
from tantalio.network.rebuild import rebuild_network as analyze
from tantalio.store.sqlite import CaseStore
from tests.ingest.parsers import dbfixtures as fx

DOMAIN = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"
OWNER_JID = "447700900100@s.whatsapp.net"


def _backup(tmp: Path, encrypted: bool = False) -> Path:
    """A backup folder holding a WhatsApp AppGroup as an iOS 10+ backup stores it."""
    group = tmp / "device"
    fx.build_ios(group)
    prefs = group / "Library" / "Preferences"
    prefs.mkdir(parents=True)
    with open(prefs / "group.net.whatsapp.WhatsApp.shared.plist", "wb") as f:
        plistlib.dump({"OwnJabberID": OWNER_JID, "FullUserName": "Owner Example"}, f, fmt=plistlib.FMT_BINARY)
    backup = tmp / "Backup" / "00008030-000A1B2C3D4E5F60"
    backup.mkdir(parents=True)
    conn = sqlite3.connect(backup / "Manifest.db")
    conn.execute("CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER,"
                 " file BLOB)")
    for path in sorted(p for p in group.rglob("*") if p.is_file()):
        rel = path.relative_to(group).as_posix()
        file_id = hashlib.sha1(f"{DOMAIN}-{rel}".encode()).hexdigest()  # noqa: S324 - the backup's own naming
        (backup / file_id[:2]).mkdir(exist_ok=True)
        shutil.copyfile(path, backup / file_id[:2] / file_id)
        conn.execute("INSERT INTO Files VALUES (?, ?, ?, 1, NULL)", (file_id, DOMAIN, rel))
    conn.execute("INSERT INTO Files VALUES ('dir0', ?, 'Message', 2, NULL)", (DOMAIN,))
    conn.commit()
    conn.close()
    with open(backup / "Manifest.plist", "wb") as f:
        plistlib.dump({"IsEncrypted": encrypted, "Version": "10.0"}, f)
    with open(backup / "Info.plist", "wb") as f:
        plistlib.dump({"Device Name": "Synthetic test phone"}, f)
    (backup / "Status.plist").write_bytes(b"not mapped")
    return backup


def test_backup_files_carry_their_device_names(tmp_path: Path) -> None:
    backup = _backup(tmp_path)
    tree = EvidenceTree([tmp_path / "Backup"])
    paths = {e.path for e in tree.walk()}
    root = "00008030-000A1B2C3D4E5F60/Manifest.db!/" + DOMAIN
    assert f"{root}/ChatStorage.sqlite" in paths and f"{root}/ContactsV2.sqlite" in paths
    assert f"{root}/Message/{fx.IOS_MEDIA_REL}" in paths
    assert "00008030-000A1B2C3D4E5F60/Status.plist" in paths  # not in Manifest.db: its stored name
    stored = {f"00008030-000A1B2C3D4E5F60/{p.relative_to(backup).as_posix()}" for p in backup.rglob("*")
              if p.is_file() and len(p.name) == 40}
    assert not stored & paths  # mapped files appear once, under their device names
    assert tree.refusals == []
    with tree.open(f"{root}/Message/{fx.IOS_MEDIA_REL}") as f:
        assert f.read() == fx.IMAGE_BYTES


def test_backup_ingest_owner_without_owner_option(tmp_path: Path) -> None:
    backup = _backup(tmp_path)
    listing = sorted(os.listdir(backup))
    store = CaseStore.create(tmp_path / "case")
    report = ingest(store, [backup], IngestOptions("EX-01"))
    assert report.parsed == {"whatsapp_ios": 1, "whatsapp_ios_prefs": 1}
    conn = store.conn
    status = dict(conn.execute("SELECT path, parser FROM source_file WHERE status='parsed'"))
    assert status[f"Manifest.db!/{DOMAIN}/ContactsV2.sqlite"] == "whatsapp_ios"  # the companion is in custody
    analyze(store)
    owner = {r[0] for r in conn.execute(
        "SELECT person_id FROM identifier WHERE (kind='phone' AND normalized='+447700900100')"
        " OR (kind='owner' AND scope='EX-01')")}
    assert len(owner) == 1 and None not in owner
    mine = {r[0] for r in conn.execute("SELECT DISTINCT i.person_id FROM message m JOIN identifier i"
                                       " ON i.id = m.sender_identifier_id WHERE m.from_me = 1")}
    assert mine == owner
    assert sorted(os.listdir(backup)) == listing  # nothing written beside the evidence
    store.close()


def test_encrypted_backup_says_a_key_is_needed(tmp_path: Path) -> None:
    backup = _backup(tmp_path, encrypted=True)
    store = CaseStore.create(tmp_path / "case")
    report = ingest(store, [backup], IngestOptions("EX-01"))
    assert report.parsed == {}
    warned = [m for (m,) in store.conn.execute("SELECT message FROM warning")]
    assert any("encrypted iOS backup: the backup password (key) is needed" in m for m in warned)
    assert store.conn.execute("SELECT count(*) FROM source_file").fetchone()[0] == len(
        [p for p in backup.rglob("*") if p.is_file()])  # every stored file still hashed
    store.close()


REPORT = """<?xml version="1.0" encoding="utf-8"?>
<project xmlns="http://pa.cellebrite.com/report/2.0" name="synthetic">
 <decodedData/>
 <taggedFiles>
  <file fs="Android FFS" path="/data/data/com.whatsapp/databases/msgstore.db" size="1" id="f1">
   <metadata section="File"><item name="Local Path"><![CDATA[files\\Database\\msgstore.db]]></item></metadata>
  </file>
  <file fs="Android FFS" path="/data/data/com.whatsapp/databases/wa.db" size="1" id="f2">
   <metadata section="File"><item name="Local Path"><![CDATA[files\\Database\\wa.db]]></item></metadata>
  </file>
  <file fs="Android FFS" path="/data/data/com.whatsapp/databases/wa.db" size="1" id="f4" deleted="deleted">
   <metadata section="File"><item name="Local Path">files/Database/wa_deleted.db</item></metadata>
  </file>
  <file fs="Android FFS" path="/data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml" id="f3">
   <metadata section="File"><item name="Local Path">files/Text/prefs.xml</item></metadata>
  </file>
 </taggedFiles>
</project>
"""
PREFS = (b"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
         b"    <string name=\"registration_jid\">447700900100</string>\n"
         b"    <string name=\"push_name\">Owner Example</string>\n</map>\n")


def test_ufdr_members_carry_their_device_paths(tmp_path: Path) -> None:
    db = fx.build_current(tmp_path / "db", wal=False)
    fx.build_wa(tmp_path / "db")
    ufdr = tmp_path / "Synthetic phone.ufdr"
    with zipfile.ZipFile(ufdr, "w") as zf:
        zf.writestr("report.xml", REPORT)
        zf.write(db, "files/Database/msgstore.db")
        zf.write(tmp_path / "db" / "wa.db", "files/Database/wa.db")
        zf.writestr("files/Text/prefs.xml", PREFS)
        zf.writestr("files/Image/unlisted.jpg", b"synthetic")
        zf.writestr("files/Database/wa_deleted.db", b"a deleted copy, same device path")
    store = CaseStore.create(tmp_path / "case")
    report = ingest(store, [ufdr], IngestOptions("EX-01"))
    assert report.parsed == {"whatsapp_android": 1, "whatsapp_android_prefs": 1}
    paths = {p for (p,) in store.conn.execute("SELECT path FROM source_file")}
    assert {"Android FFS/data/data/com.whatsapp/databases/msgstore.db", "files/Image/unlisted.jpg",
            "files/Database/wa_deleted.db",  # a second copy of one device path keeps its zip name
            "Android FFS/data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml"} <= paths
    analyze(store)
    owner = {r[0] for r in store.conn.execute(
        "SELECT person_id FROM identifier WHERE (kind='phone' AND normalized='+447700900100')"
        " OR (kind='owner' AND scope='EX-01')")}
    assert len(owner) == 1 and None not in owner
    store.close()
