"""`generate(out_dir, config)`: builds the whole synthetic case and its manifest."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import DemoConfig
from .devices import DeviceReport, write_exhibit
from .ground_truth import build
from .groups import build_groups, make_persons, plant_roles
from .hashlists import write_hashlists
from .observation import View, choose_exhibits, visible
from .sharing import simulate

BANNER = "SYNTHETIC DEMO DATA"


@dataclass(frozen=True)
class DemoManifest:
    exhibits: list[dict[str, str]]
    hashlists: list[dict[str, str]]
    ground_truth: str = "ground_truth.json"
    schema: str = "tantalio.demo/1"
    synthetic: bool = True
    banner: str = BANNER
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"schema": self.schema, "synthetic": self.synthetic, "banner": self.banner,
                "exhibits": self.exhibits, "hashlists": self.hashlists, "ground_truth": self.ground_truth,
                **self.extra}


def _dump(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def generate(out_dir: Path, config: DemoConfig | None = None) -> DemoManifest:
    """Write the synthetic case into `out_dir` (created if needed) and return its manifest.
    Same config and seed give byte-identical files."""
    config = config or DemoConfig()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(config.seed)
    persons = make_persons(config, rng)
    plant_roles(persons, config, rng)
    op = build_groups(persons, config, rng)
    simulate(op, config, rng)
    exhibits = choose_exhibits(op, config, rng)
    views: dict[str, View] = {}
    reports: dict[str, DeviceReport] = {}
    for exhibit in exhibits:
        views[exhibit.id] = visible(op, exhibit, config.seized)
        device_rng = random.Random(f"{config.seed}/{exhibit.id}")
        reports[exhibit.id] = write_exhibit(op, exhibit, views[exhibit.id], out_dir, config.seized,
                                            config.deleted_file_share, device_rng)
    hashlists = write_hashlists(op, out_dir)
    truth = build(op, exhibits, views, reports)
    truth["banner"] = BANNER
    _dump(out_dir / "ground_truth.json", truth)
    manifest = DemoManifest(
        exhibits=[{"id": e.id, "path": e.path, "kind": e.kind, "owner_phone": e.owner.phone,
                   "country": e.owner.country, "timezone": e.timezone, "description": e.description()}
                  for e in exhibits],
        hashlists=hashlists,
    )
    _dump(out_dir / "manifest.json", manifest.to_json())
    return manifest
