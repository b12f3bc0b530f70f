"""The README's main command, on the small synthetic case, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image


def run(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tantalio", *args], capture_output=True, text=True, timeout=timeout)


def test_demo_small_runs_the_whole_job(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    r = run("demo", str(out), "--small", "--workers", "2")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "SYNTHETIC DEMO DATA" in r.stdout
    summary = json.loads((out / "demo-summary.json").read_text())
    assert summary["persons"] > 10 and summary["groups"] == 4
    assert summary["media"].get("known", 0) > 0 and summary["media"].get("unknown", 0) > 0
    assert {"producer", "administrator", "consumer"} <= set(summary["roles"])
    doc = json.loads((out / "case.json").read_text())
    assert doc["schema"] == "tantalio.case/1" and len(doc["exhibits"]) == 5
    assert (out / "reports" / "overview.html").read_text().count("SYNTHETIC DEMO DATA") >= 1
    # the case verifies, and the audit log recorded every stage
    r = run("case", "verify", str(out / "case"))
    assert r.returncode == 0, r.stderr
    # re-running rebuilds the same case: byte-identical export
    first = (out / "case.json").read_bytes()
    assert run("demo", str(out), "--small", "--workers", "1").returncode == 0
    assert (out / "case.json").read_bytes() == first


def test_hash_command_prints_json_lines(tmp_path: Path) -> None:
    img = tmp_path / "shapes.png"
    Image.new("RGB", (64, 48), (30, 120, 200)).save(img)
    txt = tmp_path / "note.txt"
    txt.write_text("not an image\n")
    r = run("hash", str(img), str(txt))
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert [set(line) >= {"path", "md5", "sha1", "sha256", "pdq", "pdq_quality", "mime"} for line in lines] == [True, True]
    assert lines[0]["mime"] == "image/png" and len(lines[0]["pdq"]) == 64
    assert lines[1]["pdq"] is None and lines[1]["pdq_quality"] is None
    assert run("hash", str(tmp_path / "missing.jpg")).returncode == 3


def test_demo_serve_brings_up_the_ui_with_a_demo_account(tmp_path: Path) -> None:
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "tantalio", "demo", str(tmp_path / "d"), "--small", "--workers", "1",
                             "--serve", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 300
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "serving" in line:
                break
        assert any("web UI account: demo" in ln for ln in lines), "".join(lines)
        for _ in range(50):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5).read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert "SYNTHETIC DEMO DATA" in page
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/case", timeout=5)
            raise AssertionError("the API answered without a login")
        except urllib.error.HTTPError as e:
            assert e.code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=30)
