"""PDQ near-match search: a faiss binary index, and the brute-force reference it is tested against.

REFERENCES: HASHING.md section 2. At up to a few million list hashes faiss ``IndexBinaryFlat``
(exact popcount scan, ~0.84 G comparisons/s/core, 32 bytes per hash, no build) beats multi-index
hashing; re-measure and consider ``IndexBinaryMultiHash`` 16x16 (exact at d <= 31) above ~10M.
faiss's range radius is exclusive, so searching "d <= t" asks for ``t + 1``. Every candidate is
re-verified with an exact Hamming distance computed here, so a faiss change cannot add a match.
"""

from __future__ import annotations

from collections.abc import Sequence

import faiss
import numpy as np

BITS = 256
CODE_BYTES = BITS // 8


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


Match = tuple[int, int, int]
"""(query index, entry index, distance)."""


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


class PdqIndex:
    """Entries indexed once; queries searched in batches."""

    def __init__(self, entries: np.ndarray | Sequence[str]) -> None:
        self.codes = entries if isinstance(entries, np.ndarray) else pdq_codes(entries)
        self._index = faiss.IndexBinaryFlat(BITS)
        if len(self.codes):
            self._index.add(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def search(self, queries: np.ndarray | Sequence[str], threshold: int = 31, batch: int = 10_000) -> list[Match]:
        """Every (query, entry, distance) with distance <= ``threshold``, sorted."""
        codes = queries if isinstance(queries, np.ndarray) else pdq_codes(queries)
        found: list[Match] = []
        if not len(self.codes) or not len(codes):
            return found
        for start in range(0, len(codes), batch):
            block = np.ascontiguousarray(codes[start : start + batch])
            lims, _, ids = self._index.range_search(block, threshold + 1)  # radius is exclusive
            counts = np.diff(lims).astype(np.int64)
            query_rows = np.repeat(np.arange(len(block)), counts)
            distances = hamming_rows(block[query_rows], self.codes[ids])  # re-verify, never trust blindly
            keep = distances <= threshold
            found.extend(zip((query_rows[keep] + start).tolist(), ids[keep].tolist(), distances[keep].tolist(),
                             strict=True))
        found.sort()
        return found
