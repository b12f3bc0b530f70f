"""The "known material" lists an analyst imports: Project VIC VICS JSON 2.0 and a plain CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from . import images
from .scenario import Family, Operation

VICS_CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media"


def listed_families(op: Operation) -> list[Family]:
    known = [f for f in sorted(op.families.values(), key=lambda f: f.id) if f.in_known_list]
    return known + list(op.decoys)


def _category(index: int) -> int:
    return 2 if index % 7 == 3 else 1


def write_hashlists(op: Operation, out_dir: Path) -> list[dict[str, str]]:
    folder = out_dir / "hashlists"
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    rows = []
    for index, family in enumerate(listed_families(op)):
        d = images.digests(family.original)
        if family.pdq is None:
            family.pdq, family.pdq_quality = images.pdq_hex(family.original)
        entries.append({
            "MediaID": index + 1,
            "Category": _category(index),
            "MD5": d.md5.upper(),
            "SHA1": d.sha1.upper(),
            "Series": family.series or "",
            "VictimIdentified": "false",
            "OffenderIdentified": "false",
            "IsDistributed": "true",
            "AlternativeHashes": [{"MD5": d.md5.upper(), "HashName": "PDQ", "HashValue": family.pdq}],
        })
        rows.append([d.md5, d.sha1, d.sha256, family.pdq, str(_category(index)), family.series or ""])
    document = {"@odata.context": VICS_CONTEXT, "value": entries}
    (folder / "known.vics.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["md5", "sha1", "sha256", "pdq", "category", "series"])
    writer.writerows(rows)
    (folder / "known.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return [
        {"path": "hashlists/known.vics.json", "format": "vics", "name": "Synthetic VICS list", "kind": "illegal"},
        {"path": "hashlists/known.csv", "format": "csv", "name": "Synthetic CSV list", "kind": "illegal"},
    ]
