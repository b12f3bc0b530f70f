"""Named generator variants: the same operation with behaviours and observations that break
analysis rules shaped on the default demo (NETWORK.md §6; issue 12 item 5). ``bench/accuracy.py``
scores every variant over many seeds; the test suite runs a fast subset.

* ``default`` - the demo as shipped;
* ``members_add`` - groups whose settings let any member add others (WhatsApp allows it,
  Telegram by default): adding someone is no sign of being an admin;
* ``low_degree_broker`` - one cluster meets the rest only through a member of two groups;
* ``broker_home_groups`` - brokers keep two groups in their own cluster;
* ``chatter`` - voice notes, documents and stickers beside the pictures (not material);
* ``documents`` - producers also send their camera originals "as document" (recipients then hold
  camera EXIF in their documents folder), and other phones have camera rolls of their own;
* ``importers`` - several members bring in material new to the network, with downloaded
  originals (someone else's camera EXIF) on their phones;
* ``exports_only`` - half the groups are seen only through chat exports (no forward state, names
  instead of numbers);
* ``mixed`` - all of the above at once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tantalio.demo.config import DemoConfig

VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "members_add": {"members_may_add": 0.6},
    "low_degree_broker": {"isolated_cluster": True},
    "broker_home_groups": {"bridge_home_groups": 2},
    "chatter": {"chatter_per_group": 4, "stickers": 3},
    "documents": {"producer_documents": 0.6, "camera_rolls": 0.4},
    "importers": {"importers": 3, "imported_families": 9, "importer_downloads": True},
    "exports_only": {"export_only_groups": -1},          # -1: half the groups
    "mixed": {"members_may_add": 0.4, "isolated_cluster": True, "bridge_home_groups": 2, "chatter_per_group": 3,
              "stickers": 2, "producer_documents": 0.5, "camera_rolls": 0.3, "importers": 2, "imported_families": 6, "importer_downloads": True,
              "export_only_groups": 2},
}
SIZES = {"small": DemoConfig.small, "medium": DemoConfig.medium, "full": DemoConfig}


def variant_config(name: str, seed: int, size: str = "medium") -> DemoConfig:
    if name not in VARIANTS:
        raise ValueError(f"unknown demo variant {name!r} (one of {', '.join(VARIANTS)})")
    base = SIZES[size](seed=seed)
    knobs = dict(VARIANTS[name])
    if knobs.get("export_only_groups") == -1:
        knobs["export_only_groups"] = base.groups // 2
    if knobs.get("importers"):
        knobs["importers"] = min(knobs["importers"], base.distributors)
    return replace(base, **knobs)
