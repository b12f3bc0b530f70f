"""The device's own WhatsApp account from Android shared_prefs and the iOS preferences plist."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tantalio.ingest.parsers.whatsapp_android_prefs import WhatsAppAndroidPrefsParser
from tantalio.ingest.parsers.whatsapp_ios_prefs import WhatsAppIOSPrefsParser
from tantalio.model import AliasRecord, DeviceAccountRecord, Party
from tests.ingest.parsers.dbfixtures import of, run_db_parser

PREFS_DIR = "data/data/com.whatsapp/shared_prefs"


def _prefs(entries: dict[str, str], extra: bytes = b"") -> bytes:
    body = "".join(f'    <string name="{k}">{v}</string>\n' for k, v in entries.items())
    return (b"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n" + extra
            + f"<map>\n{body}    <boolean name=\"x\" value=\"true\" />\n</map>\n".encode())


def _android(tmp: Path, name: str, content: bytes, folder: str = PREFS_DIR):  # type: ignore[no-untyped-def]
    root = tmp / "exhibit"
    (root / folder).mkdir(parents=True, exist_ok=True)
    (root / folder / name).write_bytes(content)
    return run_db_parser(WhatsAppAndroidPrefsParser(), root, tmp, "EX-01", f"{folder}/{name}")


@pytest.mark.parametrize(("entries", "expected", "basis"), [
    ({"registration_jid": "447700900100", "push_name": "Owner Example"}, "447700900100@s.whatsapp.net",
     "registration_jid in com.whatsapp_preferences_light.xml [C]"),
    ({"cc": "44", "ph": "7700900100"}, "447700900100@s.whatsapp.net", "ph in com.whatsapp_preferences_light.xml [U]"),
])
def test_android_registration(tmp_path: Path, entries: dict[str, str], expected: str, basis: str) -> None:
    batch = _android(tmp_path, "com.whatsapp_preferences_light.xml", _prefs(entries))
    (account,) = of(batch, DeviceAccountRecord)
    assert account.account == Party("jid", expected) and account.app == "com.whatsapp" and account.basis == basis
    assert account.ref.row in ("registration_jid", "ph") and batch.warnings == []
    if "push_name" in entries:
        assert of(batch, AliasRecord)[0].alias == "Owner Example"


def test_android_business_app_and_refusals(tmp_path: Path) -> None:
    batch = _android(tmp_path, "com.whatsapp.w4b_preferences_light.xml", _prefs({"registration_jid": "447700900107"}),
                     folder="data/data/com.whatsapp.w4b/shared_prefs")
    assert of(batch, DeviceAccountRecord)[0].app == "com.whatsapp.w4b"
    bomb = _android(tmp_path / "b", "com.whatsapp_preferences.xml",
                    _prefs({"registration_jid": "447700900100"}, b'<!DOCTYPE map [<!ENTITY a "aaaa">]>\n'))
    assert bomb.records == [] and "DOCTYPE" in bomb.warnings[0].message
    broken = _android(tmp_path / "c", "com.whatsapp_preferences.xml", b"<map><string name='registration_jid'>4477")
    assert broken.records == [] and "not readable as XML" in broken.warnings[0].message
    nothing = _android(tmp_path / "d", "com.whatsapp_preferences.xml", _prefs({"registration_jid": "not a number"}))
    assert nothing.records == [] and nothing.warnings == []


def test_android_detect() -> None:
    from tantalio.ingest.base import EvidenceFile

    parser = WhatsAppAndroidPrefsParser()
    good = EvidenceFile(f"{PREFS_DIR}/com.whatsapp_preferences_light.xml", 10, "0" * 64, b"<?xml version")
    assert parser.detect(good, None)  # type: ignore[arg-type]
    assert not parser.detect(EvidenceFile("elsewhere/com.whatsapp_preferences.xml", 10, "0" * 64, b"<?xml"),
                             None)  # type: ignore[arg-type]
    assert not parser.detect(EvidenceFile(f"{PREFS_DIR}/other.xml", 10, "0" * 64, b"<?xml"), None)  # type: ignore[arg-type]


def _ios(tmp: Path, name: str, content: bytes):  # type: ignore[no-untyped-def]
    root = tmp / "exhibit"
    folder = root / "AppGroup" / "UUID" / "Library" / "Preferences"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return run_db_parser(WhatsAppIOSPrefsParser(), root, tmp, "EX-01", f"AppGroup/UUID/Library/Preferences/{name}")


@pytest.mark.parametrize("fmt", [plistlib.FMT_BINARY, plistlib.FMT_XML])
def test_ios_plist(tmp_path: Path, fmt: plistlib.PlistFormat) -> None:
    data = plistlib.dumps({"OwnJabberID": "447700900100@s.whatsapp.net", "FullUserName": "Owner Example",
                           "OwnPhoneNumber": b"\x01opaque"}, fmt=fmt)
    batch = _ios(tmp_path, "group.net.whatsapp.WhatsApp.shared.plist", data)
    (account,) = of(batch, DeviceAccountRecord)
    assert account.account == Party("jid", "447700900100@s.whatsapp.net") and account.app == "net.whatsapp.WhatsApp"
    assert of(batch, AliasRecord)[0].alias == "Owner Example"
    smb = _ios(tmp_path / "b", "group.net.whatsapp.WhatsAppSMB.shared.plist",
               plistlib.dumps({"LastOwnJabberID": "447700900107@s.whatsapp.net"}))
    assert of(smb, DeviceAccountRecord)[0].app == "net.whatsapp.WhatsAppSMB"
    assert of(smb, DeviceAccountRecord)[0].basis.startswith("LastOwnJabberID")


def test_ios_plist_damage(tmp_path: Path) -> None:
    garbage = _ios(tmp_path, "net.whatsapp.WhatsApp.plist", b"bplist00" + b"\xff" * 40)
    assert garbage.records == [] and "not readable as a plist" in garbage.warnings[0].message
    listed = _ios(tmp_path / "b", "net.whatsapp.WhatsApp.plist", plistlib.dumps(["OwnJabberID"]))
    assert listed.records == [] and "not a dictionary" in listed.warnings[0].message


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)  # what XML plists hold
_VALUES = st.one_of(_TEXT, st.integers(-2**63, 2**63 - 1), st.binary(max_size=20), st.booleans(),
                    st.lists(_TEXT, max_size=3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.dictionaries(st.sampled_from(["OwnJabberID", "LastOwnJabberID", "FullUserName", "x"]), _VALUES),
       cut=st.integers(0, 400), binary=st.booleans())
def test_fuzz_plist_never_crashes(tmp_path_factory: pytest.TempPathFactory, doc: dict[str, object], cut: int,
                                  binary: bool) -> None:
    data = plistlib.dumps(doc, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML)
    batch = _ios(tmp_path_factory.mktemp("plist"), "net.whatsapp.WhatsApp.plist", data[: len(data) - cut % 40])
    assert len(of(batch, DeviceAccountRecord)) <= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.dictionaries(st.sampled_from(["registration_jid", "cc", "ph", "push_name",
                                                "com.whatsapp.RegisterPhone.phone_number"]),
                               st.text(alphabet="0123456789+@.abc <>&", max_size=20)),
       cut=st.integers(0, 60))
def test_fuzz_prefs_never_crash(tmp_path_factory: pytest.TempPathFactory, entries: dict[str, str], cut: int) -> None:
    data = _prefs({k: v.replace("<", "").replace("&", "") for k, v in entries.items()})
    batch = _android(tmp_path_factory.mktemp("prefs"), "com.whatsapp_preferences.xml", data[: len(data) - cut])
    assert len(of(batch, DeviceAccountRecord)) <= 1
