"""PDQ near matching: 10k queries against 1M random list hashes at radius 31, faiss IndexBinaryFlat
(``PdqIndex``) against the numpy brute force (``brute_force_matches``).

Run: /work/venv/bin/python bench/bench_index.py [--entries 1000000] [--queries 10000] [--brute-sample 200]
2000 queries are planted near list entries (d uniform in 0..40). The brute force is run on a
sample of the queries (default 200) and extrapolated to all of them; its results on that sample
must equal faiss's. Target: faiss >= 20x brute force.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tantalio.media.index import PdqIndex, brute_force_matches


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--brute-sample", type=int, default=200)
    parser.add_argument("--threshold", type=int, default=31)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    entries = rng.integers(0, 256, (args.entries, 32), dtype=np.uint8)
    queries = rng.integers(0, 256, (args.queries, 32), dtype=np.uint8)
    planted = min(2000, args.queries)
    for q in range(planted):
        bits = np.unpackbits(entries[rng.integers(args.entries)])
        bits[rng.choice(256, int(rng.integers(0, 41)), replace=False)] ^= 1
        queries[q] = np.packbits(bits)
    order = rng.permutation(args.queries)
    queries = queries[order]

    start = time.perf_counter()
    index = PdqIndex(entries)
    build = time.perf_counter() - start
    start = time.perf_counter()
    found = index.search(queries, args.threshold)
    faiss_time = time.perf_counter() - start

    sample = np.sort(rng.choice(args.queries, min(args.brute_sample, args.queries), replace=False))
    start = time.perf_counter()
    brute = brute_force_matches(queries[sample], entries, args.threshold)
    brute_sample_time = time.perf_counter() - start
    brute_time = brute_sample_time * args.queries / len(sample)
    in_sample = {int(q): i for i, q in enumerate(sample)}
    faiss_on_sample = sorted((in_sample[q], e, d) for q, e, d in found if q in in_sample)
    assert faiss_on_sample == brute, "faiss and brute force disagree"

    print(f"{args.entries} entries, {args.queries} queries, radius {args.threshold}: {len(found)} matches "
          f"({len(brute)} in the brute-force sample, identical)")
    print(f"faiss IndexBinaryFlat: build {build:.2f} s, search {faiss_time:.2f} s "
          f"({faiss_time / args.queries * 1000:.3f} ms/query)")
    print(f"numpy brute force    : {brute_sample_time:.2f} s for {len(sample)} queries -> {brute_time:.0f} s "
          f"extrapolated ({brute_time / args.queries * 1000:.2f} ms/query)")
    print(f"faiss is {brute_time / faiss_time:.1f}x the brute force")


if __name__ == "__main__":
    main()
