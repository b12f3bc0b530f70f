"""PDQ images/s: the triage pipeline (JPEG draft + box reduce) against pdqhash on the full-resolution
decode (the ThreatExchange/pytx convention, our ``exact`` pipeline), on generated 12-megapixel JPEGs.

Run: /work/venv/bin/python bench/bench_pdq.py [--count 40] [--dir /tmp/tantalio-bench-pdq]
Pictures are benign procedural compositions (gradients, shapes, noise). Target: triage >= 4x exact.
One process, one core: the ratio is what matters; multiply by workers for a pool.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tantalio.media.pdq import compute_pdq, hamming

SIZE = (4000, 3000)


def picture(seed: int) -> Image.Image:
    rng = random.Random(seed)
    width, height = SIZE
    small = Image.new("RGB", (width // 4, height // 4), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(small)
    for _ in range(40):
        x0, y0 = rng.randrange(small.width), rng.randrange(small.height)
        box = (x0, y0, x0 + rng.randrange(20, 400), y0 + rng.randrange(20, 300))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    big = small.filter(ImageFilter.GaussianBlur(2)).resize(SIZE, Image.Resampling.BILINEAR)
    noise = np.random.default_rng(seed).integers(-12, 13, (height, width, 1), dtype=np.int16)
    return Image.fromarray((np.asarray(big, dtype=np.int16) + noise).clip(0, 255).astype(np.uint8))


def make_pictures(root: Path, count: int) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = root / f"photo-{i:04d}.jpg"
        if not path.exists():
            picture(i).save(path, "JPEG", quality=88)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tantalio-bench-pdq"))
    args = parser.parse_args()
    paths = make_pictures(args.dir, args.count)
    for p in paths:
        p.read_bytes()
    mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"{len(paths)} JPEGs {SIZE[0]}x{SIZE[1]} ({mb / len(paths):.1f} MB each)")
    start = time.perf_counter()
    exact = [compute_pdq(str(p)) for p in paths]
    exact_time = time.perf_counter() - start
    start = time.perf_counter()
    triage = [compute_pdq(str(p), fast=True) for p in paths]
    triage_time = time.perf_counter() - start
    drift = [hamming(a.hash or "", b.hash or "") for a, b in zip(exact, triage, strict=True)]
    print(f"exact (pdqhash full-res) : {len(paths) / exact_time:6.2f} images/s")
    print(f"triage (draft + reduce)  : {len(paths) / triage_time:6.2f} images/s   {exact_time / triage_time:.1f}x")
    print(f"drift triage vs exact    : mean {sum(drift) / len(drift):.1f}, max {max(drift)} bits")


if __name__ == "__main__":
    main()
