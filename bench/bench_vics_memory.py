"""Peak memory importing a generated 1M-media VICS 2.0 file, measured in a fresh subprocess.

Run: /work/venv/bin/python bench/bench_vics_memory.py [--media 1000000] [--path /tmp/tantalio-vics-1m.json]
Each Media carries MD5, SHA1, a PDQ in AlternativeHashes and the usual flags, like a real list
(random hashes, invented series names). The child iterates ``read_hashlist`` counting entries and
reports ``ru_maxrss``; the baseline is the same child importing nothing (interpreter + imports).
Target: < 500 MB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

CHILD = """
import resource, sys, time
from tantalio.media.hashlists import HashEntry, read_hashlist
start = time.perf_counter()
entries = problems = 0
if sys.argv[1] != "-":
    for item in read_hashlist(sys.argv[1], "vics"):
        if isinstance(item, HashEntry):
            entries += 1
        else:
            problems += 1
print(entries, problems, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_list(path: Path, media: int) -> None:
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",'
                  '"value":[')
        for i in range(media):
            md5 = f"{rng.getrandbits(128):032X}"
            record = {
                "MediaID": i + 1, "Category": rng.choice([0, 1, 2, 3]), "MD5": md5, "Comments": "",
                "VictimIdentified": rng.choice(["true", "false"]), "IsDistributed": "true",
                "Series": f"SERIES-{rng.randrange(5000):04d}", "SHA1": f"{rng.getrandbits(160):040X}", "Tags": "",
                "OffenderIdentified": "false", "IsPrecategorized": "false",
                "AlternativeHashes": [{"MD5": md5, "HashName": "PDQ", "HashValue": f"{rng.getrandbits(256):064x}"}],
            }
            out.write(("," if i else "") + json.dumps(record, separators=(",", ":")))
        out.write("]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--media", type=int, default=1_000_000)
    parser.add_argument("--path", type=Path, default=Path("/tmp/tantalio-vics-1m.json"))
    args = parser.parse_args()
    if not args.path.exists():
        start = time.perf_counter()
        write_list(args.path, args.media)
        print(f"wrote {args.path} in {time.perf_counter() - start:.0f} s")
    size = args.path.stat().st_size / 1e6
    env = dict(os.environ)
    results = {}
    for label, target in (("baseline (imports only)", "-"), ("import VICS", str(args.path))):
        out = subprocess.run([sys.executable, "-c", CHILD, target], capture_output=True, text=True, check=True, env=env)
        entries, problems, elapsed, maxrss_kib = out.stdout.split()
        results[label] = int(maxrss_kib) / 1024
        print(f"{label:24s}: {int(entries):>9} entries, {int(problems)} problems, {float(elapsed):6.1f} s, "
              f"peak RSS {int(maxrss_kib) / 1024:6.1f} MiB")
    print(f"file {size:.0f} MB; peak RSS over baseline: "
          f"{results['import VICS'] - results['baseline (imports only)']:.1f} MiB")


if __name__ == "__main__":
    main()
