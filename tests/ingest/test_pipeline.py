from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tantalio.errors import EvidenceError, RegistryError, UnsupportedFormat
from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.ingest.registry import ParserRegistry, default_registry
from tantalio.store import CaseStore

from .lines_parser import LinesParser, registry

HERE = Path(__file__).resolve().parent


def make_exhibit(root: Path, n_chats: int = 3, sleep: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n_chats):
        lines = [f"alice: hello {i}", "bob: hi", "!bad line", f"carol: bye {i}"]
        if sleep:
            lines.insert(1, "!sleep")
        (root / f"group{i}.chat").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "media").mkdir(exist_ok=True)
    (root / "media" / "photo.bin").write_bytes(os.urandom(2048))
    return root


def content(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Store content without row timestamps (comparable between runs)."""
    conn = sqlite3.connect(db)
    queries = {
        "source_file": "SELECT exhibit_id, path, size, sha256, md5, sha1, status, format FROM source_file ORDER BY path",
        "message": "SELECT m.exhibit_id, s.path, m.message_key, m.location, m.text, i.normalized FROM message m "
        "JOIN source_file s ON s.id=m.source_file_id LEFT JOIN identifier i ON i.id=m.sender_identifier_id "
        "ORDER BY s.path, m.message_key",
        "identifier": "SELECT kind, normalized, scope FROM identifier ORDER BY kind, normalized, scope",
        "chat_obs": "SELECT exhibit_id, chat_key, name FROM chat_obs ORDER BY chat_key",
        "warning": "SELECT exhibit_id, path, location, stage, message FROM warning ORDER BY path, location, message",
    }
    out = {k: conn.execute(q).fetchall() for k, q in queries.items()}
    conn.close()
    return out


def test_ingest_parses_and_records_custody(tmp_path: Path) -> None:
    ev = make_exhibit(tmp_path / "ev")
    store = CaseStore.create(tmp_path / "case")
    report = ingest(store, [ev], IngestOptions("EX-01", owner="+44 7700 900123"), registry=registry())
    assert report.files == 4 and report.parsed == {"test_lines": 3}
    rows = store.conn.execute("SELECT path, size, sha256, status FROM source_file ORDER BY path").fetchall()
    assert [r[0] for r in rows] == ["group0.chat", "group1.chat", "group2.chat", "media/photo.bin"]
    import hashlib

    assert rows[3][2] == hashlib.sha256((ev / "media" / "photo.bin").read_bytes()).hexdigest()
    assert rows[0][3] == "parsed" and rows[3][3] == "hashed"
    assert store.conn.execute("SELECT count(*) FROM message").fetchone()[0] == 9
    # warnings name file and line
    warn = store.conn.execute("SELECT path, location, stage FROM warning ORDER BY path").fetchall()
    assert warn[0] == ("group0.chat", "line 3", "test_lines") and len(warn) == 3
    owner = store.conn.execute("SELECT normalized, country FROM identifier WHERE kind='phone'").fetchone()
    assert owner == ("+447700900123", "GB")
    assert store.verify_audit() is None


def test_reingest_is_idempotent(tmp_path: Path) -> None:
    ev = make_exhibit(tmp_path / "ev")
    store = CaseStore.create(tmp_path / "case")
    ingest(store, [ev], IngestOptions("EX-01"), registry=registry())
    before = content(tmp_path / "case" / "case.sqlite")
    again = ingest(store, [ev], IngestOptions("EX-01"), registry=registry())
    assert again.new_files == 0 and again.parsed == {} and again.skipped_parsed == 3
    assert content(tmp_path / "case" / "case.sqlite") == before


def test_evidence_unchanged_and_nothing_written_beside_it(tmp_path: Path) -> None:
    ev = make_exhibit(tmp_path / "ev")
    with zipfile.ZipFile(ev / "export.zip", "w") as zf:
        zf.writestr("inner/x.chat", "dave: in a zip\n")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in ev.rglob("*") if p.is_file()}
    store = CaseStore.create(tmp_path / "case")
    report = ingest(store, [ev], IngestOptions("EX-01"), registry=registry())
    assert report.parsed == {"test_lines": 4}
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in ev.rglob("*") if p.is_file()}
    assert after == before
    paths = [r[0] for r in store.conn.execute("SELECT path FROM source_file")]
    assert "export.zip!/inner/x.chat" in paths and "export.zip" in paths


def test_zip_slip_and_absolute_entries_refused(tmp_path: Path) -> None:
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("ok.chat", "eve: fine\n")
        zf.writestr("../../escape.chat", "eve: escaped\n")
        zf.writestr("/etc/abs.chat", "eve: absolute\n")
        zf.writestr("a/../../b.chat", "eve: sneaky\n")
    store = CaseStore.create(tmp_path / "case")
    report = ingest(store, [z], IngestOptions("EX-01"), registry=registry())
    assert [r[0] for r in store.conn.execute("SELECT path FROM source_file ORDER BY path")] == ["evil.zip", "ok.chat"]
    assert len(report.refused) == 3
    reasons = [r[0] for r in store.conn.execute("SELECT message FROM warning WHERE stage='intake'")]
    assert any("escapes" in r for r in reasons) and any("absolute" in r for r in reasons)
    assert not (tmp_path / "escape.chat").exists() and not Path("/etc/abs.chat").exists()


def test_zip_bomb_refused(tmp_path: Path) -> None:
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", b"\0" * (80 << 20))
        zf.writestr("ok.chat", "eve: fine\n")
    store = CaseStore.create(tmp_path / "case")
    report = ingest(store, [z], IngestOptions("EX-01"), registry=registry())
    assert any("bomb" in r for r in report.refused)
    assert report.parsed == {"test_lines": 1}


def test_crashing_parser_is_a_warning_and_the_rest_goes_on(tmp_path: Path) -> None:
    ev = make_exhibit(tmp_path / "ev", n_chats=2)
    (ev / "broken.chat").write_text("x: y\n!crash\n", encoding="utf-8")
    store = CaseStore.create(tmp_path / "case")
    report = ingest(store, [ev], IngestOptions("EX-01"), registry=registry())
    assert report.parsed == {"test_lines": 2} and len(report.failed) == 1
    # nothing of the failed source was written
    assert store.conn.execute(
        "SELECT count(*) FROM message m JOIN source_file s ON s.id=m.source_file_id WHERE s.path='broken.chat'"
    ).fetchone()[0] == 0
    assert store.conn.execute("SELECT status FROM source_file WHERE path='broken.chat'").fetchone()[0] == "failed"


def test_unreadable_file_warns_and_rest_is_ingested(tmp_path: Path) -> None:
    """Run without the capabilities that let root ignore file permissions (CI runs as root)."""
    base = tmp_path
    ev = make_exhibit(base / "ev")
    secret = ev / "secret.chat"
    secret.write_text("x: private\n", encoding="utf-8")
    case = base / "case"
    CaseStore.create(case).close()
    os.chmod(secret, 0o000)
    script = (
        f"import sys; sys.path.insert(0, {str(HERE)!r})\n"
        "from pathlib import Path\n"
        "from lines_parser import registry\n"
        "from tantalio.ingest.pipeline import IngestOptions, ingest\n"
        "from tantalio.store import CaseStore\n"
        f"s = CaseStore.open(Path({str(case)!r}))\n"
        f"r = ingest(s, [Path({str(ev)!r})], IngestOptions('EX-01'), registry=registry())\n"
        "print(r.unreadable); print(r.parsed)\n"
    )
    cmd = [sys.executable, "-c", script]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        drop = "-dac_override,-dac_read_search"
        cmd = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", "--", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "secret.chat" in proc.stdout and "'test_lines': 3" in proc.stdout
    conn = sqlite3.connect(case / "case.sqlite")
    assert conn.execute("SELECT count(*) FROM warning WHERE path='secret.chat'").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM source_file WHERE status='parsed'").fetchone()[0] == 3


KILL_SCRIPT = """
import sys; sys.path.insert(0, {here!r})
from pathlib import Path
from lines_parser import registry
from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.store import CaseStore
s = CaseStore.open(Path({case!r}))
ingest(s, [Path({ev!r})], IngestOptions('EX-01', workers=1), registry=registry())
print('done')
"""


def test_sigkill_mid_ingest_then_rerun_equals_clean_run(tmp_path: Path) -> None:
    ev = make_exhibit(tmp_path / "ev", n_chats=6, sleep=True)
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    for c in (killed, clean):
        CaseStore.create(c).close()
    script = KILL_SCRIPT.format(here=str(HERE), case=str(killed), ev=str(ev))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until at least one source is parsed, then kill
        time.sleep(0.1)
        try:
            conn = sqlite3.connect(killed / "case.sqlite", timeout=1)
            n = conn.execute("SELECT count(*) FROM source_file WHERE status='parsed'").fetchone()[0]
            conn.close()
        except sqlite3.OperationalError:
            continue
        if n >= 2:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(killed / "case.sqlite")
    parsed = conn.execute("SELECT count(*) FROM source_file WHERE status='parsed'").fetchone()[0]
    conn.close()
    assert 1 <= parsed < 6, "the kill should land mid-way"
    for c in (killed, clean):
        out = subprocess.run([sys.executable, "-c", KILL_SCRIPT.format(here=str(HERE), case=str(c), ev=str(ev))],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
    assert content(killed / "case.sqlite") == content(clean / "case.sqlite")


def test_registry_refuses_duplicates_and_unknown_formats() -> None:
    reg = ParserRegistry()
    reg.register(LinesParser())
    with pytest.raises(RegistryError):
        reg.register(LinesParser())
    with pytest.raises(UnsupportedFormat):
        reg.get("nope")
    reg.load(["tantalio.nowhere:Nothing"])
    assert reg.load_errors and "tantalio.nowhere" in reg.load_errors[0]


def test_default_registry_loads_without_errors() -> None:
    reg = default_registry()
    assert not reg.load_errors, reg.load_errors


def test_nothing_readable_is_an_error(tmp_path: Path) -> None:
    z = tmp_path / "bad.zip"
    z.write_bytes(b"PK\x03\x04 truncated")
    store = CaseStore.create(tmp_path / "case")
    with pytest.raises(EvidenceError):
        ingest(store, [tmp_path / "missing"], IngestOptions("EX-01"), registry=registry())


def test_forced_format_on_a_single_file(tmp_path: Path) -> None:
    f = tmp_path / "notes.log"
    f.write_text("zoe: forced\n", encoding="utf-8")
    store = CaseStore.create(tmp_path / "case")
    report = ingest(store, [f], IngestOptions("EX-01", format="test_lines"), registry=registry())
    assert report.parsed == {"test_lines": 1}


def test_encrypted_backup_is_a_warning(tmp_path: Path) -> None:
    ev = make_exhibit(tmp_path / "ev", n_chats=1)
    db = ev / "sdcard" / "WhatsApp" / "Databases"
    db.mkdir(parents=True)
    (db / "msgstore-2017-07-01.1.db.crypt14").write_bytes(os.urandom(512))
    store = CaseStore.create(tmp_path / "case")
    ingest(store, [ev], IngestOptions("EX-01"), registry=registry())
    row = store.conn.execute("SELECT path, message FROM warning WHERE stage='intake'").fetchone()
    assert row[0].endswith(".crypt14") and "key" in row[1]
