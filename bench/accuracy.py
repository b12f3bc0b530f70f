"""Score Tantalio's network analysis against the synthetic demo's planted ground truth.

    python bench/accuracy.py EXPORT.json GROUND_TRUTH.json          one case
    python bench/accuracy.py --seeds 1-10 [--variants all] [--size medium] [--dir /tmp/tantalio-accuracy]

The second form generates the demo case for every generator variant × seed
(``tantalio.demo.variants``), runs the whole job on it (ingest, triage, analyze, export) and
prints, per role, precision and recall as the mean and the worst case over all runs, plus
first-poster and origin accuracy with abstention. A figure from one seed is not evidence
(BRIEF "Truth beyond our generator"): the worst case is what the table is for.

Persons are matched by E.164 phone number (or Telegram id), groups by JID or, failing that, by
any name. First sightings are scored per family of material (a PDQ family: re-encodes are one
picture): the first observed poster is the earliest poster of the family on any seized phone.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROLES = ("producer", "distributor", "administrator", "bridge", "consumer")


def _pr(predicted: set[Any], actual: set[Any]) -> dict[str, float | int]:
    hits = len(predicted & actual)
    # no prediction at all has no false positive: precision 1 (recall says what was missed)
    return {"precision": hits / len(predicted) if predicted else 1.0,
            "recall": hits / len(actual) if actual else 1.0 if not predicted else 0.0,
            "predicted": len(predicted), "actual": len(actual), "hits": hits}


def _person_map(export: dict[str, Any], truth: dict[str, Any]) -> dict[str, str | None]:
    """Export person -> truth person: by phone (or Telegram id); a person the analysis knows only by
    labels is matched when its labels name exactly one truth person on those exhibits (an address
    book entry, the `~ push name` of an iOS export, the owner's own name on their phone). The
    analysis never links on names; the scorer may, to judge the roles of persons left unidentified."""
    by_key = {phone: p["id"] for p in truth["persons"] for phone in p["phones"]}
    by_key.update({tid: p["id"] for p in truth["persons"] for tid in p.get("telegram_ids", [])})
    owner_of = {e["id"]: e["owner"] for e in truth.get("exhibits", [])}
    out: dict[str, str | None] = {}
    for person in export.get("persons", []):
        keys = list(person.get("phones", [])) + list(person.get("telegram_ids", []))
        matches = {by_key[k] for k in keys if k in by_key}
        if not keys:
            names = set(person.get("names", []))
            for truth_person in truth["persons"]:
                for ex in person.get("exhibits", []):
                    said = {truth_person.get("address_book", {}).get(ex), f"~ {truth_person.get('push_name')}"}
                    if owner_of.get(ex) == truth_person["id"]:
                        said.add(truth_person.get("push_name"))
                    if names & {n for n in said if n}:
                        matches.add(truth_person["id"])
        out[person["id"]] = next(iter(matches)) if len(matches) == 1 else None
    return out


def _family_firsts(truth: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Material family -> its first post seen with its media on any seized phone (a post recorded
    without its media - an export made without media - cannot be told apart by content)."""
    kind = {f["id"]: f.get("kind", "image") for f in truth["families"]}
    out: dict[str, dict[str, Any]] = {}
    for media in truth["media"]:
        seen = media.get("first_observed_with_media", media.get("first_observed"))
        if not seen or kind.get(media["family"], "image") not in ("image", "video"):
            continue
        best = out.get(media["family"])
        if best is None or (seen["time"], seen["key_id"]) < (best["time"], best["key_id"]):
            out[media["family"]] = seen
    return out


def score(export: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    person_map = _person_map(export, truth)
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
    names_only = sum(1 for p in export.get("persons", []) if not p.get("phones") and not p.get("telegram_ids"))
    by_phone = {phone: p["id"] for p in truth["persons"] for phone in p["phones"]}
    results["identities"] = {
        "truth_persons_found": len(clusters), "resolved_to_one": sum(1 for v in clusters.values() if len(v) == 1),
        "split": sum(1 for v in clusters.values() if len(v) > 1),
        "wrong_merges": sum(1 for p in export.get("persons", [])
                            if len({by_phone.get(ph) for ph in p.get("phones", []) if ph in by_phone}) > 1),
        "export_persons_without_phone": names_only,
    }
    results.update(_sightings(export, truth, person_map))

    results["identities"]["name_only_matched"] = sum(
        1 for p in export.get("persons", []) if not p.get("phones") and person_map.get(p["id"]))
    results["roles"] = {}
    for role in ROLES:
        predicted = {person_map.get(p["id"]) for p in export.get("persons", []) if role in p.get("roles", [])}
        predicted.discard(None)
        actual = {p["id"] for p in truth["persons"] if role in p["roles"]}
        results["roles"][role] = _pr(predicted, actual)
        # recall over the planted persons whose evidence the seized data holds at all
        evident = {p["id"] for p in truth["persons"] if role in p.get("observable_roles", p["roles"])}
        results["roles"][role]["observable_recall"] = len(predicted & evident) / len(evident) if evident else 1.0
        results["roles"][role]["observable"] = len(evident)
        results["roles"][role]["observable_hits"] = len(predicted & evident)
    results["roles"]["producer"]["false"] = sorted(
        {person_map.get(p["id"]) or p["id"] for p in export.get("persons", []) if "producer" in p.get("roles", [])}
        - {p["id"] for p in truth["persons"] if "producer" in p["roles"]})

    export_media = {m["sha256"]: m for m in export.get("media", [])}
    truth_known = {m["sha256"] for m in truth["media"] if m.get("first_observed") and m.get("known")
                   and m["known"]["how"] in ("exact", "perceptual")}
    export_known = {sha for sha, m in export_media.items() if m.get("status") == "known"}
    results["known_material"] = {
        "recall": len(export_known & truth_known) / len(truth_known) if truth_known else 0.0,
        "false_positives": len(export_known - truth_known), "actual": len(truth_known),
    }
    return results


def _sightings(export: dict[str, Any], truth: dict[str, Any], person_map: dict[str, str | None]) -> dict[str, Any]:
    """First observed poster per family of material, and the origin claim (NETWORK.md §6 "origin:
    accuracy, coverage, and accuracy with abstention"): ``observed`` claims the first poster is
    the origin (scored against the planted introducer), ``forwarded`` claims the origin is
    outside the seized data, ``undetermined`` abstains."""
    export_media = {m["sha256"]: m for m in export.get("media", [])}
    introducer = {f["id"]: f.get("introducer") for f in truth["families"]}
    files: dict[str, list[str]] = defaultdict(list)
    for media in truth["media"]:
        files[media["family"]].append(media["sha256"])
    firsts = _family_firsts(truth)
    correct = answered = 0
    claims = {"observed": [0, 0], "forwarded": [0, 0]}
    abstained = 0
    for family, expected in sorted(firsts.items()):
        seen = [export_media[s]["first_seen"] for s in files[family]
                if s in export_media and export_media[s].get("first_seen")]
        if not seen:
            continue
        first = min(seen, key=lambda fs: fs.get("time") or "")
        answered += 1
        poster = person_map.get(first.get("person") or "")
        correct += poster == expected["person"]
        origin = first.get("origin")
        if origin == "observed":
            claims["observed"][0] += 1
            claims["observed"][1] += poster == introducer.get(family) and not expected.get("forwarded")
        elif origin == "forwarded":
            claims["forwarded"][0] += 1
            claims["forwarded"][1] += bool(expected.get("forwarded"))
        else:
            abstained += 1
    total = len(firsts)
    claimed = claims["observed"][0] + claims["forwarded"][0]
    return {
        "first_poster": {"accuracy": correct / answered if answered else 0.0,
                         "coverage": answered / total if total else 0.0, "items": total},
        "origin": {"accuracy": (claims["observed"][1] + claims["forwarded"][1]) / claimed if claimed else 1.0,
                   "observed_accuracy": claims["observed"][1] / claims["observed"][0] if claims["observed"][0] else 1.0,
                   "coverage": claimed / total if total else 0.0, "abstained": abstained,
                   "observed_claims": claims["observed"][0], "forwarded_claims": claims["forwarded"][0]},
    }


def print_table(results: dict[str, Any]) -> None:
    rows: list[tuple[str, str]] = []
    for key in ("groups", "members", "membership_events"):
        r = results[key]
        rows.append((key, f"P={r['precision']:.2f} R={r['recall']:.2f} ({r['predicted']}/{r['actual']})"))
    ident = results["identities"]
    rows.append(("identities", ", ".join(f"{k}={v}" for k, v in ident.items())))
    fp = results["first_poster"]
    rows.append(("first_poster", f"accuracy={fp['accuracy']:.2f} coverage={fp['coverage']:.2f} n={fp['items']}"))
    og = results["origin"]
    rows.append(("origin", f"accuracy={og['accuracy']:.2f} (observed claims {og['observed_accuracy']:.2f})"
                           f" coverage={og['coverage']:.2f} abstained={og['abstained']}"))
    for role, r in results["roles"].items():
        rows.append((f"role:{role}", f"P={r['precision']:.2f} R={r['recall']:.2f} ({r['predicted']}/{r['actual']})"))
    km = results["known_material"]
    rows.append(("known_material", f"recall={km['recall']:.2f} false_positives={km['false_positives']} n={km['actual']}"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


# -- over seeds × variants ---------------------------------------------------------------------

def run_case(variant: str, seed: int, size: str, folder: Path) -> dict[str, Any]:
    """Generate one demo case, run the whole job on it, and score it."""
    from tantalio.demo.run import run_demo
    from tantalio.demo.variants import variant_config
    from tantalio.exec.local import LocalExecutor

    executor = LocalExecutor(1)
    try:
        result = run_demo(folder, executor, variant_config(variant, seed, size), reports=False)
    finally:
        executor.close()
    truth = json.loads(result.ground_truth.read_text(encoding="utf-8"))
    return score(result.document, truth)


def summarise(runs: list[tuple[str, int, dict[str, Any]]]) -> dict[str, Any]:
    """Per role: precision and recall, mean and worst over runs; sightings likewise."""
    table: dict[str, Any] = {}
    for role in ROLES:
        ps = [r["roles"][role]["precision"] for _, _, r in runs]
        rs = [r["roles"][role]["recall"] for _, _, r in runs]
        os_ = [r["roles"][role].get("observable_recall", 1.0) for _, _, r in runs]
        table[role] = {"precision": (sum(ps) / len(ps), min(ps)), "recall": (sum(rs) / len(rs), min(rs)),
                       "observable_recall": (sum(os_) / len(os_), min(os_)),
                       "worst_precision_run": min(runs, key=lambda x: x[2]["roles"][role]["precision"])[:2],
                       "worst_recall_run": min(runs, key=lambda x: x[2]["roles"][role]["recall"])[:2]}
    for key, field in (("first_poster", "accuracy"), ("first_poster", "coverage"), ("origin", "accuracy"),
                       ("origin", "observed_accuracy"), ("origin", "coverage")):
        values = [r[key][field] for _, _, r in runs]
        table[f"{key}.{field}"] = (sum(values) / len(values), min(values))
    table["false_producers"] = sorted({(v, s, p) for v, s, r in runs for p in r["roles"]["producer"]["false"]})
    return table


def print_summary(table: dict[str, Any], runs: int) -> None:
    print(f"\n{runs} runs: mean / worst")
    print(f"{'role':<14} {'precision':>17} {'recall':>17} {'observable recall':>19}   worst runs (variant, seed)")
    for role in ROLES:
        p, r, o = table[role]["precision"], table[role]["recall"], table[role]["observable_recall"]
        print(f"{role:<14} {p[0]:>8.2f} / {p[1]:<6.2f} {r[0]:>8.2f} / {r[1]:<6.2f} {o[0]:>10.2f} / {o[1]:<6.2f}"
              f"  P:{table[role]['worst_precision_run']} R:{table[role]['worst_recall_run']}")
    for key in ("first_poster.accuracy", "first_poster.coverage", "origin.accuracy", "origin.observed_accuracy",
                "origin.coverage"):
        mean, worst = table[key]
        print(f"{key:<26} {mean:.2f} / {worst:.2f}")
    print(f"false producers: {table['false_producers'] or 'none'}")


def print_by_variant(runs: list[tuple[str, int, dict[str, Any]]]) -> None:
    """Worst precision / observable recall per role within each variant (where to look first)."""
    print(f"\n{'variant':<20}" + "".join(f"{role[:11]:>13}" for role in ROLES) + "   first  origin(cov)")
    for variant in dict.fromkeys(v for v, _, _ in runs):
        mine = [r for v, _, r in runs if v == variant]
        cells = "".join(f"{min(r['roles'][role]['precision'] for r in mine):>6.2f}/"
                        f"{min(r['roles'][role].get('observable_recall', 1.0) for r in mine):<6.2f}" for role in ROLES)
        first = min(r["first_poster"]["accuracy"] for r in mine)
        origin = min(r["origin"]["accuracy"] for r in mine)
        cover = min(r["origin"]["coverage"] for r in mine)
        print(f"{variant:<20}{cells}   {first:.2f}   {origin:.2f}({cover:.2f})")


def _seeds(text: str) -> list[int]:
    if "-" in text:
        lo, hi = text.split("-", 1)
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def main(argv: list[str]) -> int:
    if len(argv) == 3 and not argv[1].startswith("--"):
        export = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        truth = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        print_table(score(export, truth))
        return 0
    from tantalio.demo.variants import VARIANTS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="1-10")
    parser.add_argument("--variants", default="all", help=f"comma-separated, or all: {', '.join(VARIANTS)}")
    parser.add_argument("--size", default="medium", choices=("small", "medium", "full"))
    parser.add_argument("--dir", default="/tmp/tantalio-accuracy")
    parser.add_argument("--json", help="also write every run's scores here")
    args = parser.parse_args(argv[1:])
    variants = list(VARIANTS) if args.variants == "all" else args.variants.split(",")
    runs: list[tuple[str, int, dict[str, Any]]] = []
    for variant in variants:
        for seed in _seeds(args.seeds):
            started = time.perf_counter()
            result = run_case(variant, seed, args.size, Path(args.dir) / f"{variant}-{seed}")
            runs.append((variant, seed, result))
            roles = " ".join(f"{r[:5]}={v['precision']:.2f}/{v['recall']:.2f}" for r, v in result["roles"].items())
            print(f"{variant:<20} seed {seed:<3} {time.perf_counter() - started:5.1f}s  {roles}"
                  f"  first={result['first_poster']['accuracy']:.2f} origin={result['origin']['accuracy']:.2f}",
                  flush=True)
    print_summary(summarise(runs), len(runs))
    print_by_variant(runs)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
