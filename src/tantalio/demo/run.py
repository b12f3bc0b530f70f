"""The whole job on the synthetic case: generate, ingest every exhibit (batch intake from a
manifest, exhibits in parallel), import the stand-in hash list, analyze (media triage in
parallel), export, and build reports when that part is installed; each phase is timed. Used by
`tantalio demo` and the end-to-end tests."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tantalio.analysis.hashlist_import import import_hashlist
from tantalio.analysis.run import analyze
from tantalio.demo.config import DemoConfig
from tantalio.demo.generator import BANNER, generate
from tantalio.errors import UserError
from tantalio.exec import Executor
from tantalio.export import write_case_document
from tantalio.ingest.batch import BatchProgress, BatchReport, ingest_batch
from tantalio.ingest.manifest import write_manifest
from tantalio.ingest.pipeline import Progress
from tantalio.store import CaseStore


@dataclass(slots=True)
class DemoResult:
    root: Path
    case: Path
    export: Path
    ground_truth: Path
    batch: BatchReport | None = None
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds, in run order
    analysis: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)


def run_demo(root: Path, executor: Executor, config: DemoConfig | None = None,
             progress: Progress | None = None, reports: bool = True,
             batch_progress: BatchProgress | None = None) -> DemoResult:
    root = Path(root)
    _clear_previous_demo(root)
    case = root / "case"
    phases: dict[str, float] = {}

    @contextmanager
    def phase(name: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        phases[name] = time.monotonic() - started

    with phase("generate"):
        manifest = generate(root, config or DemoConfig()).to_json()
        exhibits = write_manifest(root / "exhibits.csv", [
            {"exhibit": ex["id"], "path": ex["path"], "owner": ex.get("owner_phone"), "country": ex.get("country"),
             "timezone": ex.get("timezone"), "description": ex.get("description")} for ex in manifest["exhibits"]])
    store = CaseStore.create(case, "Synthetic demo operation", "UTC")
    result = DemoResult(root, case, root / "case.json", root / manifest["ground_truth"], phases=phases)
    try:
        with store.transaction():
            store.set_meta("synthetic", "1")
            store.set_meta("banner", BANNER)
        with phase("ingest"):
            result.batch = ingest_batch(case, exhibits, executor, batch_progress)
        with phase("hash list"):
            for hl in manifest["hashlists"]:
                if hl["format"] == "vics":  # the CSV carries the same entries
                    import_hashlist(store, root / hl["path"], "vics", hl.get("name"), hl.get("kind", "illegal"))
        with phase("analyze"):
            result.analysis = analyze(store, executor, progress)
        with phase("export"):
            write_case_document(store, result.export)
            result.document = json.loads(result.export.read_text(encoding="utf-8"))  # a demo case is small
        if reports:
            with phase("reports"):
                result.outputs.update(_reports(store, root / "reports"))
    finally:
        store.close()
    (root / "demo-summary.json").write_text(json.dumps(summary(result), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return result


DEMO_OUTPUTS = ("evidence", "hashlists", "case", "reports", "manifest.json", "ground_truth.json", "case.json",
                "demo-summary.json", "exhibits.csv")


def _clear_previous_demo(root: Path) -> None:
    """The demo is rebuilt from scratch, deterministically. Only a folder that holds a previous demo
    (its manifest says so) is cleared, and only of what the demo writes; anything else is refused."""
    if not root.exists() or not any(root.iterdir()):
        return
    manifest = root / "manifest.json"
    try:
        is_demo = json.loads(manifest.read_text(encoding="utf-8")).get("schema") == "tantalio.demo/1"
    except (OSError, ValueError):
        is_demo = False
    if not is_demo:
        raise UserError(f"{root} is not empty and holds no previous demo: choose an empty or new folder")
    for name in DEMO_OUTPUTS:
        target = root / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def _reports(store: CaseStore, out: Path) -> dict[str, Path]:
    try:
        from tantalio.report.build import build_reports
    except ImportError:
        return {}
    produced = build_reports(store, out)
    return {str(k): Path(v) for k, v in produced.items()} if isinstance(produced, dict) else {"reports": out}


def summary(result: DemoResult) -> dict[str, Any]:
    doc = result.document
    roles: dict[str, int] = {}
    for p in doc.get("persons", []):
        for r in p.get("roles", []):
            roles[r] = roles.get(r, 0) + 1
    media: dict[str, int] = {}
    for m in doc.get("media", []):
        media[m["status"]] = media.get(m["status"], 0) + 1
    countries = sorted({c for p in doc.get("persons", []) for c in p.get("countries", [])})
    return {
        "banner": BANNER,
        "exhibits": len(doc.get("exhibits", [])),
        "files": sum(o.files for o in result.batch.exhibits) if result.batch else 0,
        "persons": len(doc.get("persons", [])),
        "groups": len(doc.get("groups", [])),
        "countries": countries,
        "roles": roles,
        "media": media,
        "warnings": doc.get("warnings", 0),
        "seconds": {name: round(secs, 2) for name, secs in result.phases.items()},
    }
