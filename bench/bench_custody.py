"""Custody hashing throughput: `tantalio ingest`'s hashing of a 1 GiB folder of mixed files
against `sha256sum` over the same files, in the same run.

Our intake computes MD5, SHA-1 and SHA-256 in one streaming read (so media triage never reads
a file again for digests); sha256sum computes only SHA-256. Both read from the page cache
(a warm-up pass reads everything first), so this measures hashing, not the disk.

    python bench/bench_custody.py [--size-mib 1024] [--workers 1]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.ingest.registry import ParserRegistry
from tantalio.store import CaseStore


def make_folder(root: Path, total_mib: int) -> list[Path]:
    """Mixed sizes like a phone extraction: many small files, some medium, a few large."""
    rng = random.Random(7)
    sizes = []
    remaining = total_mib << 20
    while remaining > 0:
        kind = rng.random()
        size = rng.randint(2_000, 60_000) if kind < 0.6 else rng.randint(200_000, 4_000_000) if kind < 0.95 else rng.randint(20 << 20, 80 << 20)
        size = min(size, remaining)
        sizes.append(size)
        remaining -= size
    files = []
    block = os.urandom(1 << 20)
    for i, size in enumerate(sizes):
        p = root / f"d{i % 37:02d}" / f"f{i:06d}.bin"
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "wb") as f:
            left = size
            while left:
                n = min(left, len(block))
                f.write(block[:n])
                left -= n
        files.append(p)
    return files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="tantalio-bench-"))
    try:
        ev = base / "ev"
        files = make_folder(ev, args.size_mib)
        total = sum(p.stat().st_size for p in files)
        subprocess.run(["cat", *map(str, files)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache

        t0 = time.perf_counter()
        subprocess.run(["sha256sum", *map(str, files)], stdout=subprocess.DEVNULL, check=True)
        t_sha256sum = time.perf_counter() - t0

        store = CaseStore.create(base / "case")
        t0 = time.perf_counter()
        report = ingest(store, [ev], IngestOptions("EX-BENCH", workers=args.workers), registry=ParserRegistry())
        t_ours = time.perf_counter() - t0
        assert report.files == len(files)

        mib = total / (1 << 20)
        print(f"{len(files)} files, {mib:.0f} MiB, workers={args.workers}")
        print(f"sha256sum (SHA-256 only):                 {t_sha256sum:6.2f} s  {mib / t_sha256sum:7.1f} MiB/s")
        print(f"tantalio ingest (MD5+SHA-1+SHA-256, store): {t_ours:6.2f} s  {mib / t_ours:7.1f} MiB/s")
        print(f"ratio vs sha256sum: {t_sha256sum / t_ours:.2f}x  (target >= 0.9x with one worker)")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
