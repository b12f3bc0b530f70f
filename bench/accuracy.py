"""Score a Tantalio export (`tantalio.case/1`) against a demo ground truth.

    python bench/accuracy.py EXPORT.json GROUND_TRUTH.json

Persons are matched by E.164 phone number, groups by JID or, failing that, by any name.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROLES = ("producer", "distributor", "administrator", "bridge", "consumer")


def _pr(predicted: set[Any], actual: set[Any]) -> dict[str, float | int]:
    hits = len(predicted & actual)
    return {"precision": hits / len(predicted) if predicted else 0.0,
            "recall": hits / len(actual) if actual else 0.0, "predicted": len(predicted), "actual": len(actual)}


def score(export: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    by_phone = {phone: p["id"] for p in truth["persons"] for phone in p["phones"]}
    person_map: dict[str, str | None] = {}
    for person in export.get("persons", []):
        matches = {by_phone[ph] for ph in person.get("phones", []) if ph in by_phone}
        person_map[person["id"]] = next(iter(matches)) if len(matches) == 1 else None
    truth_groups = {g["id"]: g for g in truth["groups"]}
    by_jid = {g["jid"]: g["id"] for g in truth["groups"]}
    by_name = {n["name"]: g["id"] for g in truth["groups"] for n in g["names"]}
    group_map: dict[str, str | None] = {}
    for group in export.get("groups", []):
        hit = next((by_jid[j] for j in group.get("jids", []) if j in by_jid), None)
        hit = hit or next((by_name[n] for n in group.get("names", []) if n in by_name), None)
        group_map[group["id"]] = hit
    observed_groups = {g["id"] for g in truth["groups"] if g.get("observed_by")}
    results: dict[str, Any] = {}
    results["groups"] = _pr({g for g in group_map.values() if g}, observed_groups)
    results["groups"]["unmatched_export_groups"] = sum(1 for g in group_map.values() if g is None)

    predicted_members = {(group_map[g["id"]], person_map.get(m)) for g in export.get("groups", [])
                         for m in g.get("members", []) if group_map.get(g["id"])}
    actual_members = {(gid, m) for gid in observed_groups for m in truth_groups[gid]["members"]}
    results["members"] = _pr(predicted_members, actual_members)

    predicted_events = {(group_map.get(e["group"]), person_map.get(e["person"]), e["event"])
                        for e in export.get("memberships", [])}
    actual_events = {(g["id"], e["person"], e["kind"]) for g in truth["groups"] if g["id"] in observed_groups
                     for e in g["events"] if e["kind"] != "subject_changed"}
    results["membership_events"] = _pr(predicted_events, actual_events)

    # Identity resolution: each truth person seen by the export should be exactly one export person.
    clusters: dict[str, list[str]] = defaultdict(list)
    for export_id, truth_id in person_map.items():
        if truth_id:
            clusters[truth_id].append(export_id)
    names_only = sum(1 for p in export.get("persons", []) if not p.get("phones"))
    results["identities"] = {
        "truth_persons_found": len(clusters), "resolved_to_one": sum(1 for v in clusters.values() if len(v) == 1),
        "split": sum(1 for v in clusters.values() if len(v) > 1),
        "wrong_merges": sum(1 for p in export.get("persons", [])
                            if len({by_phone.get(ph) for ph in p.get("phones", []) if ph in by_phone}) > 1),
        "export_persons_without_phone": names_only,
    }

    export_media = {m["sha256"]: m for m in export.get("media", [])}
    correct = answered = total = 0
    for media in truth["media"]:
        expected = media.get("first_observed")
        if not expected:
            continue
        total += 1
        first = (export_media.get(media["sha256"]) or {}).get("first_seen")
        if not first:
            continue
        answered += 1
        correct += person_map.get(first.get("person")) == expected["person"]
    results["first_poster"] = {"accuracy": correct / answered if answered else 0.0,
                               "coverage": answered / total if total else 0.0, "items": total}

    results["roles"] = {}
    for role in ROLES:
        predicted = {person_map.get(p["id"]) for p in export.get("persons", []) if role in p.get("roles", [])}
        predicted.discard(None)
        actual = {p["id"] for p in truth["persons"] if role in p["roles"]}
        results["roles"][role] = _pr(predicted, actual)

    truth_known = {m["sha256"] for m in truth["media"] if m.get("first_observed") and m.get("known")
                   and m["known"]["how"] in ("exact", "perceptual")}
    export_known = {sha for sha, m in export_media.items() if m.get("status") == "known"}
    results["known_material"] = {
        "recall": len(export_known & truth_known) / len(truth_known) if truth_known else 0.0,
        "false_positives": len(export_known - truth_known), "actual": len(truth_known),
    }
    return results


def print_table(results: dict[str, Any]) -> None:
    rows: list[tuple[str, str]] = []
    for key in ("groups", "members", "membership_events"):
        r = results[key]
        rows.append((key, f"P={r['precision']:.2f} R={r['recall']:.2f} ({r['predicted']}/{r['actual']})"))
    ident = results["identities"]
    rows.append(("identities", ", ".join(f"{k}={v}" for k, v in ident.items())))
    fp = results["first_poster"]
    rows.append(("first_poster", f"accuracy={fp['accuracy']:.2f} coverage={fp['coverage']:.2f} n={fp['items']}"))
    for role, r in results["roles"].items():
        rows.append((f"role:{role}", f"P={r['precision']:.2f} R={r['recall']:.2f} ({r['predicted']}/{r['actual']})"))
    km = results["known_material"]
    rows.append(("known_material", f"recall={km['recall']:.2f} false_positives={km['false_positives']} n={km['actual']}"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    export = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    truth = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
    print_table(score(export, truth))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
