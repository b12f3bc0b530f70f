"""Digests: the whole ``tantalio hash FILE`` command on one 1 GiB file against md5sum and
sha256sum, then one-pass MD5+SHA-1+SHA-256 over a 1 GiB folder of mixed files against the usual
CLI tools, and the CLI's start-up (``tantalio --help``).

Run: .venv/bin/python bench/bench_digests.py [--size-mib 1024] [--dir /tmp/tantalio-bench-digests] [--no-folder]
Single file (issue 16 item 7): ``tantalio hash FILE`` as a subprocess, start-up included, against
``md5sum FILE`` and ``sha256sum FILE``, file in the page cache, interleaved rounds, best of
--repeat; the ratio printed is md5sum's time over ours (target >= 0.9).
Folder: md5sum, sha1sum, sha256sum (each one digest only) and ``hashdeep -c md5,sha1,sha256``
(all three, like us; Debian: apt-get install hashdeep), both with its default thread count (one
per CPU) and with ``-j 1``. Ours: ``digest_file`` on a thread pool of 2 (hashlib releases the GIL).
Targets: >= 3.9x hashdeep, >= 0.9x md5sum.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
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


def _tantalio() -> str:
    found = Path(sys.executable).with_name("tantalio")
    return str(found) if found.exists() else "tantalio"


def single_file(args: argparse.Namespace) -> None:
    """The issue's measure: the whole `tantalio hash` command on one large file vs md5sum."""
    path = args.dir.with_name(args.dir.name + f"-one-{args.size_mib}.bin")
    if not path.exists() or path.stat().st_size != args.size_mib << 20:
        rng = np.random.default_rng(1)
        with open(path, "wb") as out:
            for _ in range(args.size_mib):
                out.write(rng.integers(0, 256, 1 << 20, dtype=np.uint8).tobytes())
    path.read_bytes()  # page cache
    commands = {"tantalio hash": [_tantalio(), "hash", str(path)], "md5sum": ["md5sum", str(path)],
                "sha256sum": ["sha256sum", str(path)], "tantalio --help": [_tantalio(), "--help"],
                "python -c pass": [sys.executable, "-c", "pass"]}
    times: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            times[name] = min(times.get(name, float("inf")), time.perf_counter() - start)
    ours = times["tantalio hash"]
    print(f"one file of {args.size_mib} MiB, page cache warm, best of {args.repeat} interleaved rounds, "
          f"{os.cpu_count()} CPUs")
    for name in ("tantalio hash", "md5sum", "sha256sum"):
        print(f"  {name:14s}: {times[name]:6.2f} s  {args.size_mib / times[name]:6.0f} MiB/s   "
              f"{name} time / ours = {times[name] / ours:5.2f}x")
    print(f"  start-up: tantalio --help {times['tantalio --help']:.3f} s (python -c pass {times['python -c pass']:.3f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tantalio-bench-digests"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-folder", action="store_true", help="only the single-file command measure")
    args = parser.parse_args()
    single_file(args)
    if args.no_folder:
        return
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
