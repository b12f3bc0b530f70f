"""The synthetic case generator: runs, is deterministic, and writes well-formed evidence."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import time
import zipfile
from pathlib import Path

import phonenumbers
import pytest
from PIL import Image

from tantalio.demo import DemoConfig, generate

ANDROID_HEADER = {
    "es_ES": r"^\d{2}/\d{2}/\d{2}, \d{2}:\d{2} - ",
    "es_MX": r"^\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2}\u202f[ap]\.\u00a0m\. - ",
    "es_419": r"^\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2}\u00a0[ap]\.\u00a0m\. - ",
    "pt_BR": r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2} - ",
    "pt_PT": r"^\d{2}/\d{2}/\d{2}, \d{2}:\d{2} - ",
    "de_DE": r"^\d{2}\.\d{2}\.\d{2}, \d{2}:\d{2} - ",
    "en_US": r"^\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2} [AP]M - ",
    "en_GB": r"^\d{2}/\d{2}/\d{4}, \d{2}:\d{2} - ",
}


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(out, DemoConfig.small())
    return out


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_small_generates_quickly_and_deterministically(case: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    generate(tmp_path, DemoConfig.small())
    assert time.monotonic() - started < 6      # seconds, on a loaded 2-core machine
    assert _digests(case) == _digests(tmp_path)


def test_other_seed_differs(case: Path, tmp_path: Path) -> None:
    generate(tmp_path, DemoConfig.small(seed=99))
    assert _digests(case)["ground_truth.json"] != _digests(tmp_path)["ground_truth.json"]


def test_manifest(case: Path) -> None:
    manifest = json.loads((case / "manifest.json").read_text())
    assert manifest["schema"] == "tantalio.demo/1" and manifest["synthetic"] is True
    assert manifest["banner"] == "SYNTHETIC DEMO DATA"
    assert [e["id"] for e in manifest["exhibits"]] == [f"EX-{i:02d}" for i in range(1, 6)]
    kinds = {e["kind"] for e in manifest["exhibits"]}
    assert kinds == {"android_extraction", "android_export", "ios_export"}
    for exhibit in manifest["exhibits"]:
        assert (case / exhibit["path"]).is_dir()


def test_phone_numbers_valid_and_unique(case: Path) -> None:
    truth = json.loads((case / "ground_truth.json").read_text())
    phones = [phone for person in truth["persons"] for phone in person["phones"]]
    assert len(phones) == len(set(phones)) == 16
    for phone in phones:
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number)
        assert phonenumbers.number_type(number) in (phonenumbers.PhoneNumberType.MOBILE,
                                                    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def test_android_databases_have_schema_tables(case: Path) -> None:
    schemas = set()
    for db_path in sorted(case.glob("evidence/*/data/data/com.whatsapp/databases/msgstore.db")):
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "message" in tables:
            assert {"jid", "chat", "message_media", "message_system", "message_system_chat_participant",
                    "message_system_value_change", "group_participant_user", "message_forwarded"} <= tables
        if "messages" in tables:
            assert {"chat_list", "group_participants"} <= tables
            assert db.execute("SELECT COUNT(*) FROM messages WHERE status=6").fetchone()[0] > 0
        schemas.add(("message" in tables, "messages" in tables))
        wa = sqlite3.connect(f"file:{db_path.with_name('wa.db')}?mode=ro", uri=True)
        assert wa.execute("SELECT COUNT(*) FROM wa_contacts").fetchone()[0] > 0
    assert schemas == {(True, False), (False, True), (True, True)}


def test_export_headers_match_locale(case: Path) -> None:
    truth = json.loads((case / "ground_truth.json").read_text())
    for exhibit in truth["exhibits"]:
        if exhibit["kind"] != "android_export":
            continue
        pattern = re.compile(ANDROID_HEADER[exhibit["locale"]])
        texts = list((case / "evidence" / exhibit["id"]).glob("*.txt"))
        assert texts
        for text in texts:
            first = text.read_text(encoding="utf-8").splitlines()[0]
            assert pattern.match(first), first


def test_ios_exports(case: Path) -> None:
    zips = list(case.glob("evidence/*/WhatsApp Chat - *.zip"))
    assert zips
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            chat = archive.read("_chat.txt").decode("utf-8")
            assert chat.startswith("[") and "\u200e" in chat
            for name in archive.namelist():
                if name.endswith(".jpg"):
                    assert re.match(r"^\d{8}-PHOTO-\d{4}(-\d{2}){5}\.jpg$", name)
                    assert f"{name}>" in chat


def test_vics_and_csv(case: Path) -> None:
    vics = json.loads((case / "hashlists/known.vics.json").read_text())
    assert vics["@odata.context"].endswith("2.0.xml/Default/$metadata#Media")
    for entry in vics["value"]:
        assert re.fullmatch(r"[0-9A-F]{32}", entry["MD5"])
        assert entry["VictimIdentified"] in ("true", "false")
        assert re.fullmatch(r"[0-9a-f]{64}", entry["AlternativeHashes"][0]["HashValue"])
    lines = (case / "hashlists/known.csv").read_text().splitlines()
    assert lines[0] == "md5,sha1,sha256,pdq,category,series"
    assert len(lines) - 1 == len(vics["value"])


def test_every_image_opens(case: Path) -> None:
    count = 0
    for path in case.rglob("*.jpg"):
        with Image.open(path) as img:
            img.verify()
        count += 1
    for path in case.rglob("*.zip"):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".jpg"):
                    Image.open(io.BytesIO(archive.read(name))).verify()
    assert count > 0


def test_camera_originals_carry_exif(case: Path) -> None:
    truth = json.loads((case / "ground_truth.json").read_text())
    assert truth["camera_originals"]
    for original in truth["camera_originals"]:
        with Image.open(case / original["path"]) as img:
            exif = img.getexif()
            assert exif[0x010F] == original["make"] and exif[0x0110] == original["model"]
            assert exif.get_ifd(0x8769)[0xA431] == original["serial"]


def test_ground_truth_consistent(case: Path) -> None:
    truth = json.loads((case / "ground_truth.json").read_text())
    on_disk = {hashlib.sha256(p.read_bytes()).hexdigest() for p in case.rglob("*.jpg")}
    for path in case.rglob("*.zip"):
        with zipfile.ZipFile(path) as archive:
            on_disk |= {hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist() if n.endswith(".jpg")}
    in_dbs: set[str] = set()
    for db_path in case.glob("evidence/*/data/data/com.whatsapp/databases/msgstore.db"):
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        queries = []
        if "message_media" in tables:
            queries.append("SELECT file_hash FROM message_media")
        if "messages" in tables:
            queries.append("SELECT media_hash FROM messages WHERE media_hash IS NOT NULL")
        for query in queries:
            for (value,) in db.execute(query):
                import base64
                in_dbs.add(base64.b64decode(value).hex())
    observed = [m for m in truth["media"] if m["first_observed"]]
    assert observed
    # what some seized phone holds with its media is in a file or a database hash, without exception
    with_media = [m for m in truth["media"] if m["first_observed_with_media"]]
    assert with_media and {m["sha256"] for m in with_media} <= on_disk | in_dbs
    # the rest was seen only in exports made without media
    assert all(m["first_observed_with_media"] or any(e["media_omitted"] for e in truth["exhibits"]) for m in observed)
    ids = {p["id"] for p in truth["persons"]}
    for group in truth["groups"]:
        assert group["creator"] in ids and group["events"][0]["kind"] == "created"
    roles = {r for p in truth["persons"] for r in p["roles"]}
    assert roles == {"producer", "distributor", "administrator", "bridge", "consumer"}


@pytest.mark.slow
def test_default_config_under_a_minute(tmp_path: Path) -> None:
    started = time.monotonic()
    manifest = generate(tmp_path)
    assert time.monotonic() - started < 60
    assert len(manifest.exhibits) == 40
    size = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())
    assert size < 150 * 1024 * 1024
