"""PDQ near-match search: exact range search by multi-index hashing, a faiss flat scan for small
lists, and the brute-force reference both are tested against.

REFERENCES: HASHING.md section 2. faiss ``IndexBinaryFlat`` is an exact popcount scan (about
0.84 G comparisons/s/core, 32 bytes per hash, no build): it wins up to a few hundred thousand
hashes, but its cost grows with the list (about 11 ms per query at 10M). Above ``MIH_MIN``
entries ``PdqIndex`` uses multi-index hashing (Norouzi, Punjani and Fleet, "Fast search in
Hamming space with multi-index hashing", CVPR 2012), which is exact too:

* The 256 bits are cut into ``m`` disjoint substrings (about log2(n) bits each, so that a bucket
  holds about one entry), each indexed by a table of sorted entry ids with bucket offsets.
* Pigeonhole: if d(q, e) <= r, some substring differs in at most floor(r/m) bits. The paper's
  refinement sharpens it: with r = s*m + a, one of the first a+1 substrings differs in <= s bits
  or one of the others in <= s-1 (else d >= (a+1)(s+1) + (m-a-1)s = r+1). So probing every
  bucket within s (resp. s-1) bit flips of the query's substring finds every entry within r.
* Every candidate is verified with an exact Hamming distance over all 256 bits, so the result is
  exactly the flat scan's: no entry beyond r, none within r missed (``tests/media/test_index.py``
  compares both with ``brute_force_matches`` on planted near-duplicates and clustered lists).

faiss's ``IndexBinaryMultiHash`` (16 tables of 16 bits, nflip 1, as pytx's ``PDQIndex``) is exact
at r <= 31 as well but measured slower than the flat scan at 1M (HASHING.md): one hash-map
lookup per probe, per query. Here all queries of a batch probe at once, in numpy.
faiss's range radius is exclusive, so searching "d <= t" asks it for ``t + 1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from itertools import combinations

import numpy as np

BITS = 256
CODE_BYTES = BITS // 8
WORDS = BITS // 64
MIH_MIN = 200_000
"""Lists smaller than this are scanned (faiss flat); larger ones are multi-index hashed."""
MAX_CANDIDATES = 1 << 21
"""Candidates verified per numpy step (bounds the working memory to some 100 MB)."""
MAX_SUBSTRING = 26
"""A table's bucket offsets take 2^bits words: 256 MiB at 26 bits."""

Match = tuple[int, int, int]
"""(query index, entry index, distance)."""


def pdq_codes(hexes: Sequence[str]) -> np.ndarray:
    """(n, 32) uint8 codes of 64-hex PDQ hashes (byte order as written; Hamming is order-free)."""
    if not hexes:
        return np.zeros((0, CODE_BYTES), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(hexes)), dtype=np.uint8).reshape(-1, CODE_BYTES).copy()


def _words(codes: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(codes).view(np.uint64)


def hamming_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact Hamming distances between matching rows of two (n, 32) code arrays."""
    return np.bitwise_count(np.bitwise_xor(_words(a), _words(b))).sum(axis=1).astype(np.int64)


def brute_force_matches(queries: np.ndarray, entries: np.ndarray, threshold: int) -> list[Match]:
    """Every (query, entry) pair within ``threshold``, by comparing everything (tests, benches)."""
    q, e = _words(queries), _words(entries)
    found: list[Match] = []
    step = max(1, 4_000_000 // max(1, len(e)))
    for start in range(0, len(q), step):
        block = q[start : start + step]
        distances = np.bitwise_count(block[:, None, :] ^ e[None, :, :]).sum(axis=2)
        rows, cols = np.nonzero(distances <= threshold)
        found.extend(zip((rows + start).tolist(), cols.tolist(), distances[rows, cols].tolist(), strict=True))
    found.sort()
    return found


def _as_codes(hashes: np.ndarray | Sequence[str]) -> np.ndarray:
    return np.ascontiguousarray(hashes if isinstance(hashes, np.ndarray) else pdq_codes(hashes), dtype=np.uint8)


class FlatIndex:
    """faiss ``IndexBinaryFlat``: an exact scan of every entry per query."""

    def __init__(self, codes: np.ndarray) -> None:
        import faiss

        self.codes = codes
        self._index = faiss.IndexBinaryFlat(BITS)
        if len(codes):
            self._index.add(codes)

    def search(self, queries: np.ndarray, threshold: int, batch: int = 10_000) -> list[Match]:
        found: list[Match] = []
        for start in range(0, len(queries), batch):
            block = np.ascontiguousarray(queries[start : start + batch])
            lims, _, ids = self._index.range_search(block, threshold + 1)  # radius is exclusive
            rows = np.repeat(np.arange(len(block)), np.diff(lims).astype(np.int64))
            distances = hamming_rows(block[rows], self.codes[ids])  # re-verify, never trust blindly
            keep = distances <= threshold
            found.extend(zip((rows[keep] + start).tolist(), ids[keep].tolist(), distances[keep].tolist(), strict=True))
        return found


def substring_bits(entries: int) -> list[int]:
    """Lengths of the substrings for a list of ``entries`` hashes: about log2(n) + 2 bits each
    (most buckets empty, a hit bucket holding about one entry: measured best at 1M and 10M,
    bench/bench_index.py), between 16 and 24 bits (a table's bucket offsets cost 2^bits words)."""
    target = min(24, max(16, round(math.log2(max(entries, 2))) + 2))
    m = math.ceil(BITS / target)
    base, extra = divmod(BITS, m)
    return [base + 1] * extra + [base] * (m - extra)


@lru_cache(maxsize=64)
def _flips(bits: int, radius: int) -> np.ndarray:
    """Every XOR mask of at most ``radius`` set bits over ``bits`` bits."""
    masks = [0]
    for weight in range(1, radius + 1):
        masks.extend(sum(1 << b for b in chosen) for chosen in combinations(range(bits), weight))
    return np.array(masks, dtype=np.uint32)


def _substring(words: np.ndarray, start: int, length: int) -> np.ndarray:
    """Bits [start, start+length) of each row (bit i = bit i%64 of word i//64), as uint32."""
    word, offset = divmod(start, 64)
    value = words[:, word] >> np.uint64(offset)
    if offset + length > 64:
        value = value | (words[:, word + 1] << np.uint64(64 - offset))
    return (value & np.uint64((1 << length) - 1)).astype(np.uint32)


class MultiIndexHash:
    """Exact range search over 256-bit codes by multi-index hashing (see the module docstring)."""

    def __init__(self, codes: np.ndarray, bits: list[int] | None = None) -> None:
        self.codes = codes
        self._words = _words(codes)
        self.bits = bits or substring_bits(len(codes))
        if sum(self.bits) != BITS or not 1 <= min(self.bits) <= max(self.bits) <= MAX_SUBSTRING:
            raise ValueError(f"substrings must cut {BITS} bits in pieces of 1..{MAX_SUBSTRING} bits: {self.bits}")
        self._starts = [sum(self.bits[:k]) for k in range(len(self.bits))]
        self._ids: list[np.ndarray] = []
        self._offsets: list[np.ndarray] = []
        id_type = np.uint32 if len(codes) < 2**32 else np.uint64
        for start, length in zip(self._starts, self.bits, strict=True):
            keys = _substring(self._words, start, length)
            self._ids.append(np.argsort(keys).astype(id_type))  # order inside a bucket is free
            offsets = np.zeros((1 << length) + 1, dtype=id_type)
            np.cumsum(np.bincount(keys, minlength=1 << length), out=offsets[1:])
            self._offsets.append(offsets)

    def radii(self, threshold: int) -> list[int]:
        """Probe radius of each substring table for a search within ``threshold`` (-1: skip)."""
        m = len(self.bits)
        s, a = divmod(threshold, m)
        return [s if k <= a else s - 1 for k in range(m)]

    def probes_per_query(self, threshold: int) -> int:
        return sum(len(_flips(b, r)) for b, r in zip(self.bits, self.radii(threshold), strict=True) if r >= 0)

    def search(self, queries: np.ndarray, threshold: int, batch: int = 10_000) -> list[Match]:
        if threshold < 0 or not len(queries):
            return []
        qwords = _words(queries)
        plan = [(k, r) for k, r in enumerate(self.radii(threshold)) if r >= 0]
        expected = max(1.0, len(self.codes) / 2 ** min(self.bits)) * self.probes_per_query(threshold)
        step = max(1, min(batch, int(MAX_CANDIDATES / expected)))
        found: list[np.ndarray] = []
        for start in range(0, len(queries), step):
            block = qwords[start : start + step]
            pairs = np.concatenate([self._probe(block, k, r, threshold) for k, r in plan], axis=1)
            pairs[0] += start
            found.append(pairs)
        if not found:
            return []
        every = np.concatenate(found, axis=1)
        # a pair within r can be found through several substrings: keep it once
        order = np.lexsort((every[1], every[0]))
        every = every[:, order]
        first = np.ones(every.shape[1], dtype=bool)
        first[1:] = (every[0, 1:] != every[0, :-1]) | (every[1, 1:] != every[1, :-1])
        every = every[:, first]
        return list(zip(every[0].tolist(), every[1].tolist(), every[2].tolist(), strict=True))

    def _probe(self, block: np.ndarray, table: int, radius: int, threshold: int) -> np.ndarray:
        """(3, k) int64 rows (query, entry, distance) found within ``threshold`` through one table.
        (np.take, not fancy indexing: several times faster on these random gathers.)"""
        length, offsets, ids = self.bits[table], self._offsets[table], self._ids[table]
        keys = _substring(block, self._starts[table], length)
        flips = _flips(length, radius)
        buckets = (keys[:, None] ^ flips[None, :]).ravel()
        low = np.take(offsets, buckets).astype(np.int64)
        counts = np.take(offsets, buckets + 1).astype(np.int64) - low
        hit = np.flatnonzero(counts)
        if not hit.size:
            return np.zeros((3, 0), dtype=np.int64)
        low, counts = np.take(low, hit), np.take(counts, hit)
        total = int(counts.sum())
        # positions low[i] .. low[i]+counts[i]-1 of every hit bucket, flattened
        shift = np.repeat(low - (np.cumsum(counts) - counts), counts)
        candidates = np.take(ids, shift + np.arange(total)).astype(np.int64)
        queries = np.repeat(hit // len(flips), counts)
        differing = np.bitwise_count(np.take(self._words, candidates, axis=0) ^ np.take(block, queries, axis=0))
        distances = np.add.reduce(differing, axis=1, dtype=np.int64)
        keep = np.flatnonzero(distances <= threshold)
        return np.stack((np.take(queries, keep), np.take(candidates, keep), np.take(distances, keep)))


class PdqIndex:
    """Entries indexed once; queries searched in batches. ``method``: "auto" (flat scan below
    ``MIH_MIN`` entries, multi-index hashing above), "flat" or "mih"; all give identical results."""

    def __init__(self, entries: np.ndarray | Sequence[str], method: str = "auto") -> None:
        self.codes = _as_codes(entries)
        if method == "auto":
            method = "mih" if len(self.codes) >= MIH_MIN else "flat"
        if method not in ("flat", "mih"):
            raise ValueError(f"unknown PDQ index method {method!r}")
        self.method = method
        self._index: FlatIndex | MultiIndexHash | None = None
        if len(self.codes):
            self._index = MultiIndexHash(self.codes) if method == "mih" else FlatIndex(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def search(self, queries: np.ndarray | Sequence[str], threshold: int = 31, batch: int = 10_000) -> list[Match]:
        """Every (query, entry, distance) with distance <= ``threshold``, sorted."""
        codes = _as_codes(queries)
        if self._index is None or not len(codes):
            return []
        found = self._index.search(codes, threshold, batch)
        found.sort()
        return found
