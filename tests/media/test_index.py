from __future__ import annotations

import numpy as np
import pytest

from tantalio.media.index import PdqIndex, brute_force_matches, hamming_rows, pdq_codes
from tantalio.media.pdq import hamming


def _flip(codes: np.ndarray, rng: np.random.Generator, bits: int) -> np.ndarray:
    out = codes.copy()
    unpacked = np.unpackbits(out)
    unpacked[rng.choice(256, size=bits, replace=False)] ^= 1
    return np.packbits(unpacked)


@pytest.mark.parametrize("threshold", [0, 31, 40])
def test_faiss_equals_brute_force_with_planted_near_duplicates(threshold: int) -> None:
    rng = np.random.default_rng(threshold)
    entries = rng.integers(0, 256, size=(20_000, 32), dtype=np.uint8)
    queries = rng.integers(0, 256, size=(600, 32), dtype=np.uint8)
    planted = rng.choice(len(entries), size=300, replace=False)
    for q, e in enumerate(planted):
        queries[q] = _flip(entries[e], rng, int(rng.integers(0, 48)))
    queries[300] = entries[7]  # one exact duplicate, and a query matching two entries
    entries[8] = _flip(entries[7], rng, 5)
    expected = brute_force_matches(queries, entries, threshold)
    got = PdqIndex(entries).search(queries, threshold, batch=128)
    assert got == expected
    assert any(q == 300 and d == 0 for q, _, d in got)
    if threshold >= 31:
        assert len(got) > 150  # the planted ones at <= 31
    assert all(d <= threshold for _, _, d in got)


def test_hex_round_trip_and_distance() -> None:
    a = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    b = "f8f8f0cee0f4a84f0637022a038f67f0b36e26d596621e1d33e6b39c4e9c9b22"
    codes = pdq_codes([a, b])
    assert codes.shape == (2, 32) and bytes(codes[0]).hex() == a
    assert int(hamming_rows(codes[:1], codes[1:])[0]) == hamming(a, b)
    assert PdqIndex([a]).search([b], 31) == [(0, 0, hamming(a, b))]


def test_empty_index_and_empty_queries() -> None:
    assert PdqIndex([]).search(["0" * 64]) == []
    assert PdqIndex(["0" * 64]).search([]) == []
