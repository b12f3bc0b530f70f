"""PDQ range search at radius 31: multi-index hashing (``PdqIndex`` above ``MIH_MIN`` entries)
against faiss ``IndexBinaryFlat`` (the exact flat scan), same list, same queries, same process.

Run: .venv/bin/python bench/bench_index.py [--entries 1000000 10000000] [--queries 10000] [--flat-sample 1000]
     [--faiss-mih]
List hashes are random 256-bit codes with exactly 128 bits set (as every PDQ hash: median
threshold); a fifth of the queries are planted near list entries (d uniform in 0..40), the rest
are random. The flat scan runs on a sample of the queries (default 1000) and is extrapolated;
MIH's results on that sample must be identical to the flat scan's, pair for pair and distance
for distance. ``--faiss-mih`` adds faiss ``IndexBinaryMultiHash`` 16x16, nflip 1 (pytx's PDQIndex).
Target (issue 16): MIH >= 10x the flat scan at 10M entries.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from tantalio.media.index import FlatIndex, MultiIndexHash


def pdq_like(rng: np.random.Generator, n: int) -> np.ndarray:
    """n codes with exactly 128 of 256 bits set, in blocks (bounded memory)."""
    out = np.empty((n, 32), dtype=np.uint8)
    for start in range(0, n, 200_000):
        rows = min(200_000, n - start)
        bits = np.zeros((rows, 256), dtype=np.uint8)
        bits[:, :128] = 1
        bits = rng.permuted(bits, axis=1)
        out[start : start + rows] = np.packbits(bits, axis=1)
    return out


def queries_near(rng: np.random.Generator, entries: np.ndarray, count: int) -> np.ndarray:
    queries = pdq_like(rng, count)
    for q in range(count // 5):
        bits = np.unpackbits(entries[rng.integers(len(entries))])
        bits[rng.choice(256, int(rng.integers(0, 41)), replace=False)] ^= 1
        queries[q] = np.packbits(bits)
    return queries[rng.permutation(count)]


def run(entries_n: int, args: argparse.Namespace) -> None:
    rng = np.random.default_rng(entries_n)
    entries = pdq_like(rng, entries_n)
    queries = queries_near(rng, entries, args.queries)
    sample = min(args.flat_sample, args.queries)

    flat = FlatIndex(entries)
    start, cpu = time.perf_counter(), time.process_time()
    flat_found = sorted(flat.search(queries[:sample], args.threshold))
    flat_per_query = (time.perf_counter() - start) / sample
    flat_cpu = (time.process_time() - cpu) / sample  # faiss scans on every core: CPU time sums them

    start = time.perf_counter()
    mih = MultiIndexHash(entries)
    build = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    found = mih.search(queries, args.threshold)
    mih_per_query = (time.perf_counter() - start) / args.queries
    mih_cpu = (time.process_time() - cpu) / args.queries
    on_sample = sorted(f for f in found if f[0] < sample)
    assert on_sample == flat_found, "multi-index hashing and the flat scan disagree"

    print(f"{entries_n:>10,} entries, {args.queries:,} queries, radius {args.threshold}: {len(found):,} pairs "
          f"({len(flat_found):,} on the {sample:,}-query flat sample, identical)")
    print(f"  faiss IndexBinaryFlat : {flat_per_query * 1e3:8.3f} ms/query wall ({1 / flat_per_query:9,.0f} queries/s), "
          f"{flat_cpu * 1e3:.3f} ms CPU")
    print(f"  multi-index hashing   : {mih_per_query * 1e3:8.3f} ms/query wall ({1 / mih_per_query:9,.0f} queries/s), "
          f"{mih_cpu * 1e3:.3f} ms CPU, "
          f"{len(mih.bits)} tables of {mih.bits[0]}-{mih.bits[-1]} bits, {mih.probes_per_query(args.threshold):,} "
          f"probes/query, build {build:.1f} s")
    print(f"  MIH is {flat_per_query / mih_per_query:.1f}x the flat scan in wall time, {flat_cpu / mih_cpu:.1f}x in "
          "CPU time; peak RSS so far "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    if args.wide:
        start = time.perf_counter()
        mih.search(queries[:sample], args.threshold + 14)
        wide = (time.perf_counter() - start) / sample
        print(f"  MIH at radius {args.threshold + 14} (triage-pipeline hashes): {wide * 1e3:.3f} ms/query")
    if args.faiss_mih:
        import faiss

        index = faiss.IndexBinaryMultiHash(256, 16, 16)
        index.nflip = 1
        start = time.perf_counter()
        index.add(entries)
        faiss_build = time.perf_counter() - start
        start = time.perf_counter()
        index.range_search(queries[:sample], args.threshold + 1)
        per_query = (time.perf_counter() - start) / sample
        print(f"  faiss IndexBinaryMultiHash 16x16: {per_query * 1e3:.3f} ms/query (build {faiss_build:.1f} s)")
    del mih, flat, entries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--flat-sample", type=int, default=1000)
    parser.add_argument("--threshold", type=int, default=31)
    parser.add_argument("--wide", action="store_true", help="also time radius threshold+14 (triage drift)")
    parser.add_argument("--faiss-mih", action="store_true", help="also time faiss IndexBinaryMultiHash 16x16")
    args = parser.parse_args()
    for n in args.entries:
        run(n, args)


if __name__ == "__main__":
    main()
