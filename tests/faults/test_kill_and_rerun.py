"""Every stage is idempotent (issue 17 item 2): `ingest`, `hashlist import`, `analyze` and
`report` run twice, or SIGKILLed at several points (in a subprocess) and run again, leave the same
case content and outputs as one clean run.

The case is compared table by table (``casedump``: every table, row ids included, leaving out
only the audit log and the time columns that record when a run happened). Kill points are
spread over each stage's SQL statements, counted on the clean run, so they land inside and
between transactions; reports are also killed between file writes.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tantalio.cli import main as cli_main
from tantalio.demo.config import DemoConfig
from tantalio.demo.generator import generate
from tantalio.store import sqlite as store_sqlite

from ..ingest.deleted_fixture import build_android, build_ios
from .casedump import differences, dump_case, dump_folder

KILLER = Path(__file__).with_name("killer.py")
KILL_FRACTIONS = (0.15, 0.5, 0.9)


class Stages:
    """The small demo's commands, with a snapshot of the case after each stage of a clean run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.evidence = root / "demo"
        manifest = generate(self.evidence, DemoConfig.small()).to_json()
        # last, so kills land in it: deleted rows to carve, a store to salvage, a damaged zip member
        self.exhibits = [*manifest["exhibits"], {"id": "EX-DMG", "path": "damaged"}]
        damaged_exhibit(self.evidence / "damaged")
        vics = next(h for h in manifest["hashlists"] if h["format"] == "vics")
        self.hashlist = self.evidence / vics["path"]
        self.statements: dict[str, int] = {}
        self.snapshots: dict[str, Path] = {}
        # a unit's key, as a unit signs every package with one (a case key would be new in each copy)
        self.signing_key = root / "unit-key.pem"
        self.signing_key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    def ingest_args(self, case: Path, ex: dict[str, Any]) -> list[str]:
        args = ["ingest", str(case), str(self.evidence / ex["path"]), "--exhibit", ex["id"], "--workers", "1"]
        for option, key in (("--owner", "owner_phone"), ("--country", "country"), ("--timezone", "timezone")):
            if ex.get(key):
                args += [option, ex[key]]
        return args

    def commands(self, stage: str, case: Path, out: Path) -> list[list[str]]:
        if stage == "ingest":
            return [self.ingest_args(case, ex) for ex in self.exhibits]
        if stage == "hashlist":
            return [["hashlist", "import", str(case), str(self.hashlist), "--format", "vics"]]
        if stage == "analyze":
            return [["analyze", str(case), "--workers", "1"]]
        return [["report", str(case), str(out), "--no-pdf", "--signing-key", str(self.signing_key)]]

    def build(self) -> None:
        case = self.root / "clean" / "case"
        cli_main(["case", "init", str(case), "--timezone", "UTC"])
        self.snapshots["init"] = self._snapshot(case, "init")
        for stage in ("ingest", "hashlist", "analyze", "report"):
            commands = self.commands(stage, case, self.root / "clean" / "reports")
            for argv in commands[:-1]:
                cli_main(argv)
            with _counting() as counter:  # kills aim at the stage's last command
                cli_main(commands[-1])
            self.statements[stage] = counter()
            self.snapshots[stage] = self._snapshot(case, stage)
        self.reports = dump_folder(self.root / "clean" / "reports")

    def _snapshot(self, case: Path, stage: str) -> Path:
        target = self.root / "snapshots" / stage
        _copy_case(case, target)
        return target


def damaged_exhibit(folder: Path) -> None:
    """A phone extraction with deleted message rows (msgstore.db + WAL), a ChatStorage.sqlite
    whose second table page is damaged (salvaged), and a chat zip with a CRC-damaged member."""
    build_android(folder / "android", count=300, wal=True)
    ios = build_ios(folder / "ios", count=300, wal=False).path
    data = bytearray(ios.read_bytes())
    data[3 * 4096 + 3:3 * 4096 + 5] = (900).to_bytes(2, "big")
    ios.write_bytes(bytes(data))
    box = folder / "WhatsApp Chat - Club.zip"
    with zipfile.ZipFile(box, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", "".join(f"1/{13 + d % 7}/24, 9:{d:02d} - Ann Lee: note {d}\n" for d in range(40)))
        zf.writestr("notes.txt", "x" * 20000)
    raw = bytearray(box.read_bytes())
    raw[raw.index(b"notes.txt") + 40] ^= 0xFF
    box.write_bytes(bytes(raw))


PREVIOUS = {"ingest": "init", "hashlist": "ingest", "analyze": "hashlist", "report": "analyze"}


def _copy_case(case: Path, target: Path) -> None:
    """A consistent copy of a case folder (its store through SQLite's backup, not file copies)."""
    target.mkdir(parents=True)
    for item in case.iterdir():
        if item.name.startswith("case.sqlite"):
            continue
        if item.is_dir():
            shutil.copytree(item, target / item.name)
        else:
            shutil.copy2(item, target / item.name)
    src = sqlite3.connect(case / "case.sqlite")
    dst = sqlite3.connect(target / "case.sqlite")
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


class _counting:
    """Counts the case store's SQL statements while in effect (the killer's trace, in-process)."""

    def __enter__(self) -> Callable[[], int]:
        self.count = 0
        self.original = store_sqlite._connect

        def connect(path: Path) -> sqlite3.Connection:
            conn = self.original(path)

            def trace(_statement: str) -> None:
                self.count += 1

            conn.set_trace_callback(trace)
            return conn

        store_sqlite._connect = connect  # type: ignore[assignment]
        return lambda: self.count

    def __exit__(self, *exc: object) -> None:
        store_sqlite._connect = self.original  # type: ignore[assignment]


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stages]:
    # reports stamp their generation time (and sign over it) unless SOURCE_DATE_EPOCH fixes it;
    # set here, it reaches the killed subprocesses too
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", "1500000000")
        built = Stages(tmp_path_factory.mktemp("faults"))
        built.build()
        yield built


def _run(argv: list[str]) -> None:
    """One command in-process. Importing a list again under the same name is refused (exit 2,
    nothing written): for the case content that is the same as doing it again."""
    try:
        cli_main(argv)
    except SystemExit as e:
        if not (argv[:2] == ["hashlist", "import"] and e.code == 2):
            raise


def _killed(point: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(KILLER), point, *argv], capture_output=True, text=True, timeout=300)


def _fresh(stages: Stages, stage: str, name: str) -> Path:
    work = stages.root / name
    if work.exists():
        shutil.rmtree(work)
    _copy_case(stages.snapshots[PREVIOUS[stage]], work / "case")
    return work


def _check(stages: Stages, stage: str, work: Path, how: str) -> None:
    problems = differences(dump_case(stages.snapshots[stage]), dump_case(work / "case"))
    assert not problems, f"{stage} {how}: case differs from one clean run:\n" + "\n".join(problems)
    if stage == "report":
        assert dump_folder(work / "reports") == stages.reports, f"report {how}: outputs differ"


@pytest.mark.parametrize("stage", ["ingest", "hashlist", "analyze", "report"])
def test_stage_run_twice_changes_nothing(stages: Stages, stage: str) -> None:
    work = _fresh(stages, stage, f"twice-{stage}")
    for _ in range(2):
        for argv in stages.commands(stage, work / "case", work / "reports"):
            _run(argv)
    _check(stages, stage, work, "run twice")


@pytest.mark.parametrize("stage", ["ingest", "hashlist", "analyze", "report"])
def test_stage_killed_then_rerun_equals_clean_run(stages: Stages, stage: str) -> None:
    total = stages.statements[stage]
    points = [f"sql:{max(1, int(total * f))}" for f in KILL_FRACTIONS]
    if stage == "report":  # reports mostly write files: die between two of them as well
        points = points[:1] + ["call:tantalio.report.build:_write:1", "call:tantalio.report.build:_write:30"]
    killed = 0
    for n, point in enumerate(points):
        work = _fresh(stages, stage, f"kill-{stage}-{n}")
        commands = stages.commands(stage, work / "case", work / "reports")
        # ingest: die inside the last exhibit, the others already in (a resumed multi-device intake)
        for argv in commands[:-1]:
            cli_main(argv)
        result = _killed(point, commands[-1])
        killed += result.returncode == -9
        for argv in commands:
            _run(argv)
        _check(stages, stage, work, f"killed at {point}")
    assert killed >= len(points) - 1, "the kill points should mostly land inside the stage"


def test_snapshots_hold_the_whole_job(stages: Stages) -> None:
    counts = {t: len(rows) for t, rows in dump_case(stages.snapshots["report"]).items()}
    assert counts["message"] > 0 and counts["media_instance"] > 0 and counts["person"] > 0
    assert counts["hash_entry"] > 0 and counts["recovered_record"] > 50
    case = dump_case(stages.snapshots["ingest"])
    assert any(r for r in case["source_file"] if "CRC-32" in repr(r))  # the damaged member's custody
    assert any("rows recovered" in repr(r) for r in case["warning"])  # the salvaged store
    assert json.dumps(sorted(stages.reports))  # the report folder was written
