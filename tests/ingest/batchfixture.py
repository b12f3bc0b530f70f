"""A small multi-exhibit corpus for batch tests: the tiny demo's five devices, copied ``copies``
times under new exhibit ids, and its manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tantalio.demo.config import DemoConfig
from tantalio.demo.generator import generate
from tantalio.ingest.manifest import write_manifest


def batch_corpus(root: Path, copies: int = 1) -> Path:
    """Generate the corpus under ``root``; returns the manifest (relative paths)."""
    demo = root / "demo"
    generate(demo, DemoConfig.small()).to_json()
    manifest = json.loads((demo / "manifest.json").read_text(encoding="utf-8"))
    rows: list[dict[str, str | None]] = []
    for copy in range(copies):
        for ex in manifest["exhibits"]:
            exhibit = ex["id"] if copies == 1 else f"{ex['id']}-{copy + 1}"
            folder = root / "evidence" / exhibit
            shutil.copytree(demo / ex["path"], folder)
            rows.append({"exhibit": exhibit, "path": f"evidence/{exhibit}", "owner": ex.get("owner_phone"),
                         "country": ex.get("country"), "timezone": ex.get("timezone"),
                         "description": ex.get("description")})
    return write_manifest(root / "exhibits.csv", rows)
