"""Reading full-file-system archives in place: `tantalio`'s tar readers against the fastest
plain-Python read of the same archive, in the same run.

* **sequential**: walk the archive, then read every member in archive order (what custody
  hashing does) against one streaming pass of ``tarfile`` (``r|gz`` / ``r:``), which reads each
  member once but keeps no way back to it.
* **random**: open members in shuffled order (what parsers and media triage do) against the
  naive way to reach a member of a ``.tar.gz`` in place, ``gzip`` seek, which decompresses from the
  start of the archive on every backward seek.

Members are compressible text-like bytes (about 3:1) of mixed sizes, like a phone extraction.

    python bench/bench_archives.py [--size-mib 256] [--random 200]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import random
import tarfile
import tempfile
import time
from pathlib import Path

from tantalio.ingest.sources import EvidenceTree


def make(root: Path, total_mib: int) -> tuple[Path, Path, list[str]]:
    rng = random.Random(7)
    words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(4000)]
    names: list[str] = []
    plain, packed = root / "ffs.tar", root / "ffs.tar.gz"
    with tarfile.open(plain, "w") as tf:
        remaining = total_mib << 20
        i = 0
        while remaining > 0:
            size = min(remaining, rng.randint(2_000, 60_000) if rng.random() < 0.8 else rng.randint(200_000, 3_000_000))
            body = b" ".join(rng.choices(words, k=size // 5))[:size]
            body += bytes(rng.randrange(256) for _ in range(min(size // 3, 4096)))  # some entropy
            info = tarfile.TarInfo(f"data/media/0/DCIM/{i // 500:03d}/{i:06d}.bin")
            info.size = len(body)
            tf.addfile(info, io.BytesIO(body))
            names.append(info.name)
            remaining -= len(body)
            i += 1
    with open(plain, "rb") as src, gzip.open(packed, "wb", compresslevel=6) as out:
        while chunk := src.read(1 << 20):
            out.write(chunk)
    return plain, packed, names


def baseline_sequential(path: Path) -> float:
    start = time.perf_counter()
    with tarfile.open(path, "r|gz" if path.suffix == ".gz" else "r:") as tf:
        for info in tf:
            f = tf.extractfile(info)
            if f is not None:
                hashlib.sha256(f.read()).digest()
    return time.perf_counter() - start


def ours_sequential(path: Path) -> float:
    start = time.perf_counter()
    tree = EvidenceTree([path])
    for entry in list(tree.walk())[1:]:
        with entry.opener() as f:
            hashlib.sha256(f.read()).digest()
    return time.perf_counter() - start


def random_reads(path: Path, names: list[str], count: int) -> tuple[float, float]:
    rng = random.Random(11)
    picks = rng.sample(names, min(count, len(names)))
    tree = EvidenceTree([path])
    start = time.perf_counter()
    list(tree.walk())
    walked = time.perf_counter() - start
    start = time.perf_counter()
    for name in picks:
        with tree.open(name) as f:
            f.read()
    return walked, time.perf_counter() - start


def naive_random(path: Path, names: list[str], count: int) -> float:
    rng = random.Random(11)
    picks = rng.sample(names, min(count, len(names)))
    with tarfile.open(path.with_suffix(""), "r:") as tf:  # offsets from the plain twin
        where = {m.name: (m.offset_data, m.size) for m in tf.getmembers()}
    start = time.perf_counter()
    with gzip.open(path, "rb") as g:
        for name in picks:
            offset, size = where[name]
            g.seek(offset)
            g.read(size)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=256)
    ap.add_argument("--random", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain, packed, names = make(Path(tmp), args.size_mib)
        print(f"archive: {len(names)} members, {plain.stat().st_size / 2**20:.0f} MiB tar,"
              f" {packed.stat().st_size / 2**20:.0f} MiB tar.gz")
        for path in (plain, packed):
            base = baseline_sequential(path)
            ours = ours_sequential(path)
            print(f"{path.name:11s} sequential: tarfile one pass {base:6.2f} s, ours walk+read {ours:6.2f} s"
                  f"  ratio {ours / base:5.2f}")
        walked, ours_rand = random_reads(packed, names, args.random)
        naive = naive_random(packed, names, args.random)
        print(f"ffs.tar.gz  random {args.random}: ours {ours_rand:6.2f} s (+ walk {walked:.2f} s),"
              f" gzip seek {naive:6.2f} s  ratio {naive / ours_rand:5.1f}x faster")


if __name__ == "__main__":
    main()
