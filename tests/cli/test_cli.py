from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..ingest.test_pipeline import make_exhibit


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tantalio", *args], capture_output=True, text=True, timeout=300)


def test_init_ingest_verify_export(tmp_path: Path) -> None:
    case = tmp_path / "case"
    assert run("case", "init", str(case), "--name", "Op Test", "--timezone", "Europe/Madrid").returncode == 0
    ev = make_exhibit(tmp_path / "ev")
    r = run("ingest", str(case), str(ev), "--exhibit", "EX-01", "--owner", "+34 639 98 00 01")
    assert r.returncode == 0, r.stderr
    assert "EX-01" in r.stdout
    r = run("case", "verify", str(case))
    assert r.returncode == 0 and "case verified" in r.stdout
    out = tmp_path / "case.json"
    assert run("export", str(case), "--json", str(out)).returncode == 0
    doc = json.loads(out.read_text())
    assert doc["schema"] == "tantalio.case/1"
    assert [s["path"] for s in doc["exhibits"][0]["sources"]][-1] == "media/photo.bin"
    for key in ("persons", "groups", "memberships", "media"):
        assert isinstance(doc[key], list)
    # deterministic
    out2 = tmp_path / "case2.json"
    run("export", str(case), "--json", str(out2))
    assert out.read_bytes() == out2.read_bytes()


def test_errors_are_one_line_with_exit_codes(tmp_path: Path) -> None:
    r = run("case", "verify", str(tmp_path / "missing"))
    assert r.returncode == 2 and r.stderr.strip().startswith("error:") and len(r.stderr.strip().splitlines()) == 1
    case = tmp_path / "case"
    run("case", "init", str(case))
    r = run("ingest", str(case), str(tmp_path / "nowhere"), "--exhibit", "EX-01")
    assert r.returncode == 3 and "nowhere" in r.stderr
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "x.chat").write_text("a: b\n")
    run("ingest", str(case), str(tmp_path / "ev"), "--exhibit", "EX-01")
    (tmp_path / "ev" / "x.chat").write_text("a: changed\n")
    r = run("case", "verify", str(case))
    assert r.returncode == 4 and "x.chat" in r.stderr
