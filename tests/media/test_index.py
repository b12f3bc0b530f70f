from __future__ import annotations

import numpy as np
import pytest

from tantalio.media.index import (
    MultiIndexHash,
    PdqIndex,
    brute_force_matches,
    hamming_rows,
    pdq_codes,
    substring_bits,
)
from tantalio.media.pdq import hamming


def _flip(codes: np.ndarray, rng: np.random.Generator, bits: int) -> np.ndarray:
    out = codes.copy()
    unpacked = np.unpackbits(out)
    unpacked[rng.choice(256, size=bits, replace=False)] ^= 1
    return np.packbits(unpacked)


def _planted(seed: int, entries: int = 20_000, queries: int = 600) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    listed = rng.integers(0, 256, size=(entries, 32), dtype=np.uint8)
    asked = rng.integers(0, 256, size=(queries, 32), dtype=np.uint8)
    planted = rng.choice(len(listed), size=queries // 2, replace=False)
    for q, e in enumerate(planted):
        asked[q] = _flip(listed[e], rng, int(rng.integers(0, 48)))
    asked[queries // 2] = listed[7]  # one exact duplicate, and a query matching two entries
    listed[8] = _flip(listed[7], rng, 5)
    return listed, asked


@pytest.mark.parametrize("method", ["flat", "mih"])
@pytest.mark.parametrize("threshold", [0, 31, 45])
def test_index_equals_brute_force_with_planted_near_duplicates(threshold: int, method: str) -> None:
    entries, queries = _planted(threshold)
    expected = brute_force_matches(queries, entries, threshold)
    index = PdqIndex(entries, method=method)
    assert index.method == method
    got = index.search(queries, threshold, batch=128)
    assert got == expected
    assert any(q == 300 and d == 0 for q, _, d in got)
    if threshold >= 31:
        assert len(got) > 150  # the planted ones at <= 31
    assert all(d <= threshold for _, _, d in got)


@pytest.mark.parametrize("bits", [[24] * 10 + [16], [20] * 12 + [16], [21] * 12 + [4], [16] * 16, [23, 25] * 5 + [16]])
def test_multi_index_hash_is_exact_for_any_cut_and_radius(bits: list[int]) -> None:
    """Substrings that straddle 64-bit words, unequal lengths, every radius up to 40."""
    entries, queries = _planted(len(bits), entries=3_000, queries=200)
    index = MultiIndexHash(entries, bits)
    for threshold in (0, 1, 7, 16, 31, 33, 40):
        assert sorted(index.search(queries, threshold, batch=64)) == brute_force_matches(queries, entries, threshold)


def test_clustered_lists_and_crowded_buckets() -> None:
    """Real lists hold families of near-identical hashes and repeated values (crowded buckets)."""
    rng = np.random.default_rng(5)
    centres = rng.integers(0, 256, size=(40, 32), dtype=np.uint8)
    entries = np.array([_flip(centres[i % 40], rng, int(rng.integers(0, 20))) for i in range(4_000)])
    entries[:300] = entries[0]  # 300 identical entries share every bucket
    entries[300:310] = 0
    queries = np.array([_flip(centres[i % 40], rng, int(rng.integers(0, 30))) for i in range(120)] + [entries[0]])
    expected = brute_force_matches(queries, entries, 31)
    assert len(expected) > 5_000
    assert PdqIndex(entries, method="mih").search(queries, 31, batch=16) == expected


def test_refined_pigeonhole_radii() -> None:
    """With r = s*m + a, the tables' radii plus one sum to r + 1: a distance split over the
    substrings that sums to <= r always leaves one substring within its table's radius."""
    for bits in (substring_bits(10_000_000), substring_bits(1_000_000), [16] * 16):
        index = MultiIndexHash(np.zeros((1, 32), dtype=np.uint8), bits)
        for threshold in range(0, 70):
            radii = index.radii(threshold)
            assert sum(r + 1 for r in radii) == threshold + 1
            assert min(radii) >= threshold // len(bits) - 1


def test_auto_method_by_list_size() -> None:
    assert PdqIndex(np.zeros((10, 32), dtype=np.uint8)).method == "flat"
    assert [len(substring_bits(n)) for n in (1_000, 1_000_000, 10_000_000)] == [16, 12, 11]
    assert all(sum(substring_bits(n)) == 256 for n in (10, 10**5, 10**6, 10**7, 10**9))
    with pytest.raises(ValueError):
        PdqIndex([], method="ivf")


def test_hex_round_trip_and_distance() -> None:
    a = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    b = "f8f8f0cee0f4a84f0637022a038f67f0b36e26d596621e1d33e6b39c4e9c9b22"
    codes = pdq_codes([a, b])
    assert codes.shape == (2, 32) and bytes(codes[0]).hex() == a
    assert int(hamming_rows(codes[:1], codes[1:])[0]) == hamming(a, b)
    for method in ("flat", "mih"):
        assert PdqIndex([a], method=method).search([b], 31) == [(0, 0, hamming(a, b))]


def test_empty_index_and_empty_queries() -> None:
    for method in ("flat", "mih"):
        assert PdqIndex([], method=method).search(["0" * 64]) == []
        assert PdqIndex(["0" * 64], method=method).search([]) == []
