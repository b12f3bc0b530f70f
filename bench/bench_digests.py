"""One-pass MD5+SHA-1+SHA-256 over a 1 GiB folder of mixed files, against the usual CLI tools.

Run: /work/venv/bin/python bench/bench_digests.py [--size-mib 1024] [--dir /tmp/tantalio-bench-digests]
Baselines (same files, page cache warm, best of --repeat): md5sum, sha1sum, sha256sum (each one
digest only) and ``hashdeep -c md5,sha1,sha256`` (all three, like us; Debian: apt-get install
hashdeep), both with its default thread count (one per CPU) and with ``-j 1``. Ours: ``digest_file`` on a thread pool of 2 (hashlib releases the GIL).
Targets: >= 3.9x hashdeep, >= 0.9x md5sum.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from tantalio.media.digests import digest_file


def make_folder(root: Path, size_mib: int) -> list[Path]:
    marker = root / f".complete-{size_mib}"
    if marker.exists():
        return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    shutil.rmtree(root, ignore_errors=True)
    rng = np.random.default_rng(0)
    total, target, index = 0, size_mib << 20, 0
    files = []
    # a phone dump's mix: many small thumbnails/messages, photos of a few MB, a few videos
    while total < target:
        kind = rng.random()
        size = int(rng.integers(2_000, 200_000) if kind < 0.6 else rng.integers(1 << 20, 6 << 20) if kind < 0.95
                   else rng.integers(20 << 20, 60 << 20))
        size = min(size, target - total)
        path = root / f"d{index % 16:02d}" / f"f{index:05d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
        files.append(path)
        total += size
        index += 1
    marker.touch()
    return files


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run_cli(args: list[str], files: list[Path]) -> None:
    # xargs-style batches keep the argument list short; the tool hashes them serially like on a case
    for start in range(0, len(files), 500):
        subprocess.run([*args, *map(str, files[start : start + 500])], check=True, stdout=subprocess.DEVNULL)


def ours(files: list[Path], threads: int) -> None:
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(digest_file, map(str, files)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tantalio-bench-digests"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    files = make_folder(args.dir, args.size_mib)
    mib = sum(f.stat().st_size for f in files) / (1 << 20)
    for f in files:  # warm the page cache: we measure hashing, not the disk
        f.read_bytes()
    print(f"{len(files)} files, {mib:.0f} MiB, {os.cpu_count()} CPUs, best of {args.repeat} "
          "(interleaved rounds: a load spike from other processes hits every method alike)")
    methods: dict[str, Callable[[], None]] = {
        f"ours md5+sha1+sha256, {args.threads} threads": lambda: ours(files, args.threads),
        "ours md5+sha1+sha256, 1 thread": lambda: ours(files, 1),
    }
    tools = [["md5sum"], ["sha1sum"], ["sha256sum"], ["hashdeep", "-c", "md5,sha1,sha256"],
             ["hashdeep", "-j", "1", "-c", "md5,sha1,sha256"]]
    for tool in tools:
        if shutil.which(tool[0]) is None:
            print(f"{tool[0]}: not installed (Debian: apt-get install hashdeep)")
            continue
        methods[" ".join(tool)] = lambda tool=tool: run_cli(tool, files)
    times: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, method in methods.items():
            times[name] = min(times.get(name, float("inf")), best(method, 1))
    reference = times[next(iter(methods))]
    for name, elapsed in times.items():
        print(f"{name:36s}: {elapsed:6.2f} s  {mib / elapsed:7.0f} MiB/s   ours(2 threads) is {elapsed / reference:5.2f}x")

if __name__ == "__main__":
    main()
