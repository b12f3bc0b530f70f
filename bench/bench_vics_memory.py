"""Hash lists at real size: a 10M-media VICS 2.0 JSON list and a 10M-row CSV list, read and
imported into a case store, streaming, with time and peak memory of each measured in a fresh
subprocess against a baseline child that only imports the modules.

Run: .venv/bin/python bench/bench_vics_memory.py [--media 10000000] [--dir /tmp] [--no-import] [--keep]
Each Media (and CSV row) carries MD5, SHA1, a PDQ (in AlternativeHashes) and the usual VICS fields,
like a real list (random hashes, invented series names): 3 hash entries per record. The reader
pass iterates ``read_hashlist``; the import pass runs ``import_hashlist`` into a new case (SQLite,
batches of 5,000, unique index). Targets: peak RSS bounded (well under 500 MB whatever the size).

History: the VICS reader used a hand-written streaming tokenizer until wave 2; on the same 10M
list ijson's yajl2 C backend was faster and smaller (figures in the issue 16 note), so it
replaced it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

CHILD = """
import resource, sys, time
from pathlib import Path
from tantalio.media.hashlists import HashEntry, HashListProblem, read_hashlist
from tantalio.analysis.hashlist_import import import_hashlist
from tantalio.store.sqlite import CaseStore
mode, target = sys.argv[1], sys.argv[2]
start = time.perf_counter()
entries = problems = 0
if mode == "read":
    for item in read_hashlist(target):
        if isinstance(item, HashEntry):
            entries += 1
        elif isinstance(item, HashListProblem):
            problems += 1
elif mode == "import":
    store = CaseStore.create(Path(sys.argv[3]))
    report = import_hashlist(store, Path(target))
    entries, problems = report.entries, report.problems
    store.close()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(entries, problems, time.perf_counter() - start, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
"""


def _record(rng: random.Random, i: int) -> tuple[str, str, str, int, str]:
    return (f"{rng.getrandbits(128):032X}", f"{rng.getrandbits(160):040X}", f"{rng.getrandbits(256):064x}",
            rng.choice([0, 1, 2, 3]), f"SERIES-{rng.randrange(5000):04d}")


def write_vics(path: Path, media: int) -> None:
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",'
                  '"value":[')
        for i in range(media):
            md5, sha1, pdq, category, series = _record(rng, i)
            record = {
                "MediaID": i + 1, "Category": category, "MD5": md5, "Comments": "",
                "VictimIdentified": rng.choice(["true", "false"]), "IsDistributed": "true",
                "Series": series, "SHA1": sha1, "Tags": "", "OffenderIdentified": "false", "IsPrecategorized": "false",
                "AlternativeHashes": [{"MD5": md5, "HashName": "PDQ", "HashValue": pdq}],
            }
            out.write(("," if i else "") + json.dumps(record, separators=(",", ":")))
        out.write("]}")


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(1)
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["MD5", "SHA1", "PDQ", "Category", "Series", "Victim Identified"])
        for i in range(rows):
            md5, sha1, pdq, category, series = _record(rng, i)
            writer.writerow([md5, sha1, pdq, category, series, rng.choice(["yes", "no"])])


def child(mode: str, target: str, case: str = "") -> tuple[int, int, float, float, float]:
    """(entries, problems, wall s, peak RSS MiB, CPU s): CPU time is the fair figure on a shared machine."""
    out = subprocess.run([sys.executable, "-c", CHILD, mode, target, case], capture_output=True, text=True, check=True,
                         env=dict(os.environ))
    entries, problems, elapsed, maxrss_kib, cpu = out.stdout.split()
    return int(entries), int(problems), float(elapsed), int(maxrss_kib) / 1024, float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--media", type=int, default=10_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--no-import", action="store_true", help="read only (no case store)")
    parser.add_argument("--keep", action="store_true", help="keep the generated lists for another run")
    parser.add_argument("--no-read", action="store_true", help="import only (skip the reader-only pass)")
    args = parser.parse_args()
    lists = {"VICS JSON": (args.dir / f"tantalio-bench-{args.media}.vics.json", write_vics),
             "CSV": (args.dir / f"tantalio-bench-{args.media}.csv", write_csv)}
    _, _, _, baseline, _ = child("none", "-")
    print(f"baseline child (interpreter + imports): peak RSS {baseline:6.1f} MiB")
    for label, (path, write) in lists.items():
        if not path.exists():
            start = time.perf_counter()
            write(path, args.media)
            print(f"wrote {path} in {time.perf_counter() - start:.0f} s")
        size = path.stat().st_size / 1e6
        entries, problems, elapsed, rss, cpu = child("read" if not args.no_read else "none", str(path))
        print(f"{label:9s} {args.media:,} records, {size:,.0f} MB: read   {entries:,} entries, {problems} problems, "
              f"{elapsed:6.1f} s wall, {cpu:6.1f} s CPU ({args.media / cpu:,.0f} records/CPU-s, {size / cpu:.0f} MB/CPU-s), "
              f"peak RSS {rss:6.1f} MiB (+{rss - baseline:.1f})", flush=True)
        if not args.no_import:
            case = args.dir / f"tantalio-bench-case-{os.getpid()}"
            try:
                entries, problems, elapsed, rss, cpu = child("import", str(path), str(case))
                db = (case / "case.sqlite").stat().st_size / 1e6
            finally:
                shutil.rmtree(case, ignore_errors=True)
            print(f"{'':9s} import into a case: {entries:,} entries, {elapsed:6.1f} s wall, {cpu:6.1f} s CPU "
                  f"({entries / cpu:,.0f} entries/CPU-s), store {db:,.0f} MB, peak RSS {rss:6.1f} MiB "
                  f"(+{rss - baseline:.1f})", flush=True)
        if not args.keep:
            path.unlink()


if __name__ == "__main__":
    main()
