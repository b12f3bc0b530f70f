"""Signed packages: the signature covers the manifest, the manifest every file; any alteration,
including a damaged archive, is exit 4 with a one-line reason; runs and packages are audited."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tantalio.errors import IntegrityError
from tantalio.export import build_case_document
from tantalio.report.build import write_reports
from tantalio.report.packages import MANIFEST, PUBLIC_KEY, SIGNATURE, verify_package, zip_bytes
from tantalio.signing import CASE_KEY
from tantalio.store import CaseStore

from .casefixture import build_case
from .conftest import GENERATED, Reports


def _members(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _verify_cli(package: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from tantalio.cli import main; main()", "report", "verify",
                           str(package), *extra], capture_output=True, text=True, timeout=60)


def test_member_and_manifest_edited_together_fail_the_signature(demo_reports: Reports, tmp_path: Path) -> None:
    files = _members(demo_reports.out / "packages" / "GB.zip")
    files["dossiers/P-002.html"] += b"<!-- edited -->"
    manifest = json.loads(files[MANIFEST])
    for f in manifest["files"]:
        if f["path"] == "dossiers/P-002.html":
            f["sha256"] = hashlib.sha256(files["dossiers/P-002.html"]).hexdigest()
    files[MANIFEST] = json.dumps(manifest).encode()
    bad = tmp_path / "GB.zip"
    bad.write_bytes(zip_bytes(files))
    with pytest.raises(IntegrityError, match="signature does not match manifest.json"):
        verify_package(bad)
    result = _verify_cli(bad)
    assert result.returncode == 4 and "signature does not match" in result.stderr
    assert "Traceback" not in result.stderr


def test_resigned_with_another_key_fails_a_pinned_fingerprint(demo_reports: Reports, tmp_path: Path) -> None:
    from tantalio.report.packages import encode_signature

    good = demo_reports.out / "packages" / "GB.zip"
    pinned = verify_package(good).fingerprint
    files = _members(good)
    other = Ed25519PrivateKey.generate()
    pem = other.public_key().public_bytes(serialization.Encoding.PEM,
                                          serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    manifest = json.loads(files[MANIFEST])
    from tantalio.signing import fingerprint
    manifest["signer"] = {"algorithm": "Ed25519", "public_key": pem, "fingerprint": fingerprint(other.public_key())}
    files[PUBLIC_KEY] = pem.encode()
    manifest["files"] = [f if f["path"] != PUBLIC_KEY else {**f, "sha256": hashlib.sha256(pem.encode()).hexdigest()}
                         for f in manifest["files"]]
    files[MANIFEST] = json.dumps(manifest).encode()
    files[SIGNATURE] = encode_signature(other.sign(files[MANIFEST]))
    forged = tmp_path / "GB.zip"
    forged.write_bytes(zip_bytes(files))
    verify_package(forged)                    # self-consistent: only pinning the key tells them apart
    with pytest.raises(IntegrityError, match="not by the expected key"):
        verify_package(forged, pinned)
    assert _verify_cli(forged, "--fingerprint", pinned).returncode == 4
    assert _verify_cli(good, "--fingerprint", pinned).returncode == 0


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_damaged_archive_is_an_integrity_failure(demo_reports: Reports, tmp_path: Path, damage: str) -> None:
    data = bytearray((demo_reports.out / "packages" / "GB.zip").read_bytes())
    if damage == "flip":     # a byte inside the first member's compressed data
        with zipfile.ZipFile(demo_reports.out / "packages" / "GB.zip") as zf:
            info = zf.infolist()[0]
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        data[start + info.compress_size // 2] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data = bytearray(b"not a zip at all")
    bad = tmp_path / "GB.zip"
    bad.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="damaged archive"):
        verify_package(bad)
    result = _verify_cli(bad)
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_case_key_made_once_recorded_in_export_and_audit(tmp_path: Path) -> None:
    fx = build_case(tmp_path)
    with CaseStore.open(fx.folder) as store:
        first = write_reports(store, tmp_path / "a", pdf=False, generated=GENERATED)
        again = write_reports(store, tmp_path / "b", pdf=False, generated=GENERATED)
        doc = build_case_document(store)
        audit = [(a, json.loads(d)) for a, d in store.conn.execute("SELECT action, details FROM audit_event ORDER BY seq")]
        assert store.verify_audit() is None
    key_file = fx.folder / CASE_KEY
    assert key_file.stat().st_mode & 0o077 == 0, "the case key is readable by others"
    assert first.fingerprint == again.fingerprint and first.packages == again.packages
    assert [k["fingerprint"] for k in doc["signing_keys"]] == [first.fingerprint]
    assert "BEGIN PUBLIC KEY" in doc["signing_keys"][0]["public_key"]
    actions = [a for a, _ in audit]
    assert actions.count("signing.case_key_created") == 1 and actions.count("report.run") == 2
    runs = [d for a, d in audit if a == "report.run"]
    for cc, sha in first.packages.items():
        assert runs[0]["packages"][cc]["sha256"] == sha
        assert hashlib.sha256((tmp_path / "a" / "packages" / f"{cc}.zip").read_bytes()).hexdigest() == sha


def test_unit_key_by_path(tmp_path: Path) -> None:
    fx = build_case(tmp_path)
    key = Ed25519PrivateKey.generate()
    pem = tmp_path / "unit.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    with CaseStore.open(fx.folder) as store:
        run = write_reports(store, tmp_path / "out", country="GB", pdf=False, signing_key=pem, generated=GENERATED)
        doc = build_case_document(store)
    from tantalio.signing import fingerprint
    assert run.fingerprint == fingerprint(key.public_key())
    assert verify_package(tmp_path / "out" / "packages" / "GB.zip", run.fingerprint).country == "GB"
    assert not (fx.folder / CASE_KEY).exists()
    assert [(k["kind"], k["fingerprint"]) for k in doc["signing_keys"]] == [("unit", run.fingerprint)]
