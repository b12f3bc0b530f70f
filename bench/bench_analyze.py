"""Network analysis time and peak memory on synthetic stores of growing size (not in the suite).

    python bench/bench_analyze.py [--scales 0.01,0.1,1.0] [--dir /tmp/bench-analyze]

Full scale (1.0) is 200k persons, 5k groups, 2M memberships, 5M messages (20 % carrying media).
Rows are written straight into a case store with executemany; each analysis runs in a fresh
subprocess so its peak RSS is its own. Prints time, peak RSS and the growth factor against the
previous scale (near-linear growth means time ratio ≈ size ratio). Synthetic and benign:
numbers in the UK drama range, texts are counters.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

FULL = {"persons": 200_000, "groups": 5_000, "memberships": 2_000_000, "messages": 5_000_000}


def _random_members(rng: np.random.Generator, n_p: int, n_g: int, n_m: int) -> list[np.ndarray]:
    """No community structure: lognormal group sizes, Zipf-ish person activity (NETWORK.md §4)."""
    sizes = rng.lognormal(5.7, 0.6, n_g)
    sizes = np.maximum(2, (sizes / sizes.sum() * n_m).astype(np.int64))
    weights = 1.0 / np.arange(1, n_p + 1) ** 0.6
    weights /= weights.sum()
    return [np.unique(rng.choice(n_p, size=min(int(sizes[g]), n_p), p=weights)) for g in range(n_g)]


def _clustered_members(rng: np.random.Generator, n_p: int, n_g: int, n_m: int) -> list[np.ndarray]:
    """Real community structure: groups in clusters of ~40, every person at home in one cluster
    and a member of a few of its groups (lognormal, as many on average as the memberships need);
    sparse bridges: 1 % of persons also sit in one or two groups of other clusters."""
    n_clusters = max(1, n_g // 40)
    group_cluster = np.arange(n_g) % n_clusters
    home = rng.integers(0, n_clusters, n_p)
    groups_of_cluster = [np.flatnonzero(group_cluster == c) for c in range(n_clusters)]
    mean = n_m / n_p
    counts = np.maximum(1, np.round(rng.lognormal(np.log(mean * 0.75), 0.75, n_p))).astype(np.int64)
    members: list[list[int]] = [[] for _ in range(n_g)]
    for person in range(n_p):
        pool = groups_of_cluster[home[person]]
        for g in rng.choice(pool, size=min(int(counts[person]), len(pool)), replace=False).tolist():
            members[g].append(person)
    for person in rng.choice(n_p, size=max(1, n_p // 100), replace=False).tolist():
        for g in rng.choice(n_g, size=int(rng.integers(1, 3)), replace=False).tolist():
            members[g].append(person)
    return [np.unique(np.array(m or [0], dtype=np.int64)) for m in members]


def build(folder: Path, scale: float, seed: int = 7, structure: str = "clustered") -> dict[str, int]:
    from tantalio.store import CaseStore, utcnow

    rng = np.random.default_rng(seed)
    n_p = max(50, int(FULL["persons"] * scale))
    n_g = max(5, int(FULL["groups"] * scale))
    n_m = max(200, int(FULL["memberships"] * scale))
    n_msg = max(500, int(FULL["messages"] * scale))
    if folder.exists():
        shutil.rmtree(folder)
    store = CaseStore.create(folder)
    conn = store.conn
    t0 = datetime(2017, 1, 1, tzinfo=UTC)
    now = utcnow()
    n_ex = max(1, n_g // 50)
    with store.transaction():
        conn.executemany("INSERT INTO exhibit(id, owner_phone, country, timezone, registered_at) VALUES (?,?,?,?,?)",
                         [(f"EX-{e:04d}", f"+447700{900000 + e:06d}", "GB", "UTC", now) for e in range(n_ex)])
        conn.executemany("INSERT INTO source_file(id, exhibit_id, path, size, sha256, md5, sha1, hashed_at)"
                         " VALUES (?,?,?,?,?,?,?,?)",
                         [(e + 1, f"EX-{e:04d}", "msgstore.db", 1, "0" * 64, "0" * 32, "0" * 40, now)
                          for e in range(n_ex)])
        conn.executemany("INSERT INTO identifier(id, kind, value, normalized, scope, country) VALUES (?,?,?,?,?,?)",
                         ((i + 1, "phone", f"+4470{i:08d}", f"+4470{i:08d}", "", "GB") for i in range(n_p)))
        conn.executemany("INSERT INTO chat_obs(id, source_file_id, exhibit_id, chat_key, platform, is_group, jid, name)"
                         " VALUES (?,?,?,?,?,?,?,?)",
                         ((g + 1, g % n_ex + 1, f"EX-{g % n_ex:04d}", f"{g}@g.us", "whatsapp", 1, f"1203630{g:08d}@g.us",
                           f"group {g}") for g in range(n_g)))
        member_lists = (_clustered_members if structure == "clustered" else _random_members)(rng, n_p, n_g, n_m)
        event_rows = []
        for g, members in enumerate(member_lists):
            times = rng.uniform(0, 90 * 86400, len(members))
            creator = int(members[0]) + 1
            for m, t in zip(members.tolist(), times.tolist(), strict=True):
                event_rows.append((g + 1, g % n_ex + 1, f"EX-{g % n_ex:04d}", "", "added", m + 1, creator,
                                   (t0 + timedelta(seconds=t)).isoformat().replace("+00:00", "Z")))
        conn.executemany("INSERT INTO membership_event(chat_obs_id, source_file_id, exhibit_id, location, event,"
                         " person_identifier_id, by_identifier_id, time) VALUES (?,?,?,?,?,?,?,?)", event_rows)
        n_members = len(event_rows)
        del event_rows
        # messages: groups by size, senders among members, after day 90
        per_group = np.maximum(1, (np.array([len(m) for m in member_lists]) / n_members * n_msg).astype(np.int64))
        pool = max(10, n_msg // 50)
        shas = [f"{i:064x}" for i in range(pool)]
        conn.executemany("INSERT INTO media_item(sha256, status, family) VALUES (?,?,?)",
                         ((s, "known" if i % 3 == 0 else "unknown", s) for i, s in enumerate(shas)))
        mid = 0
        msg_rows: list[tuple[object, ...]] = []
        ref_rows: list[tuple[object, ...]] = []
        for g, members in enumerate(member_lists):
            n = int(per_group[g])
            senders = rng.choice(members, size=n) + 1
            times = np.sort(rng.uniform(90 * 86400, 180 * 86400, n))
            media = rng.random(n) < 0.2
            items = rng.integers(0, pool, n)
            fwd = rng.random(n) < 0.5
            for s, t, is_media, item, f in zip(senders.tolist(), times.tolist(), media.tolist(), items.tolist(),
                                               fwd.tolist(), strict=True):
                mid += 1
                msg_rows.append((mid, g + 1, g % n_ex + 1, f"EX-{g % n_ex:04d}", f"m{mid}", "", s,
                                 (t0 + timedelta(seconds=t)).isoformat().replace("+00:00", "Z"), "",
                                 f"mensaje {mid % 997}", "media" if is_media else "text", int(f) if is_media else 0))
                if is_media:
                    ref_rows.append((mid, g % n_ex + 1, f"EX-{g % n_ex:04d}", "db_hash", shas[item]))
            if len(msg_rows) > 200_000:
                _flush(conn, msg_rows, ref_rows)
        _flush(conn, msg_rows, ref_rows)
    store.close()
    return {"persons": n_p, "groups": n_g, "memberships": n_members, "messages": mid}


def _flush(conn, msg_rows: list[tuple[object, ...]], ref_rows: list[tuple[object, ...]]) -> None:  # type: ignore[no-untyped-def]
    conn.executemany("INSERT INTO message(id, chat_obs_id, source_file_id, exhibit_id, message_key, location,"
                     " sender_identifier_id, time, time_raw, text, kind, forwarded) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                     msg_rows)
    conn.executemany("INSERT INTO media_ref(message_id, source_file_id, exhibit_id, seen_as, sha256) VALUES (?,?,?,?,?)",
                     ref_rows)
    msg_rows.clear()
    ref_rows.clear()


def analyze_once(folder: Path) -> None:
    from tantalio.network.rebuild import rebuild_network as run
    from tantalio.store import CaseStore

    started = time.perf_counter()
    with CaseStore.open(folder) as store:
        summary = run(store)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(elapsed, 2), "peak_mb": round(peak_mb, 1), "steps": summary["seconds"],
                      "write_lock_seconds": summary["write_lock_seconds"], "communities": summary["communities"],
                      "persons": summary["persons"], "posts": summary["posts"]}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="0.01,0.03,0.1")
    parser.add_argument("--dir", default="/tmp/bench-analyze")
    parser.add_argument("--structure", default="clustered", choices=("clustered", "random"),
                        help="clustered: communities and sparse bridges (default); random: none (NETWORK.md §4)")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        analyze_once(Path(args.run))
        return
    previous: tuple[float, float] | None = None
    for scale in (float(s) for s in args.scales.split(",")):
        folder = Path(args.dir) / f"scale-{scale}"
        t = time.perf_counter()
        sizes = build(folder, scale, structure=args.structure)
        built = time.perf_counter() - t
        out = subprocess.run([sys.executable, __file__, "--run", str(folder)], capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        growth = ""
        if previous is not None:
            growth = (f"  size ×{sizes['memberships'] / previous[0]:.1f} → time ×{result['seconds'] / previous[1]:.1f}")
        print(f"scale {scale:<5} {sizes}  build {built:.0f}s  analyze {result['seconds']:.1f}s"
              f"  peak {result['peak_mb']:.0f} MB{growth}\n    steps {result['steps']}  write lock"
              f" {result['write_lock_seconds']}s  communities {result['communities']}", flush=True)
        previous = (sizes["memberships"], result["seconds"])


if __name__ == "__main__":
    main()
