from __future__ import annotations

import numpy as np

from tantalio.media.match import KnownHash, Matcher, MediaHashes, item_status, needing_confirmation


def _hex(bits: np.ndarray) -> str:
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def _near(value: str, distance: int, seed: int = 0) -> str:
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(value), np.uint8)).copy()
    bits[np.random.default_rng(seed).choice(256, distance, replace=False)] ^= 1
    return _hex(bits)


LIST_PDQ = _hex(np.random.default_rng(1).integers(0, 2, 256))
OTHER_PDQ = _hex(np.random.default_rng(2).integers(0, 2, 256))
MD5 = "0" * 31 + "1"


def _matcher(**kw: int) -> Matcher:
    return Matcher([
        KnownHash("e-md5", "md5", MD5.upper(), "illegal"),
        KnownHash("e-pdq", "pdq", LIST_PDQ, "illegal"),
        KnownHash("e-ign", "pdq", OTHER_PDQ, "ignorable"),
        KnownHash("e-dna", "photodna", "A" * 192, "illegal"),
    ], **kw)


def test_exact_and_near_matches() -> None:
    items = [
        MediaHashes("s1", md5=MD5),
        MediaHashes("s2", pdq=_near(LIST_PDQ, 31), pdq_quality=90),
        MediaHashes("s3", pdq=_near(LIST_PDQ, 32), pdq_quality=90),
        MediaHashes("s4", pdq=_near(LIST_PDQ, 3), pdq_quality=49),  # too low quality to use
        MediaHashes("s5", pdq=_near(OTHER_PDQ, 4), pdq_quality=100),
    ]
    results = sorted(_matcher().match(items), key=lambda r: r.sha256_of_item)
    assert [(r.sha256_of_item, r.entry_ref, r.algorithm, r.distance) for r in results] == [
        ("s1", "e-md5", "md5", 0), ("s2", "e-pdq", "pdq", 31), ("s5", "e-ign", "pdq", 4)]
    assert item_status([r for r in results if r.sha256_of_item == "s1"]) == "known"
    assert item_status([r for r in results if r.sha256_of_item == "s5"]) == "ignorable"
    assert item_status([]) == "unknown"


def test_threshold_is_configurable() -> None:
    item = MediaHashes("s", pdq=_near(LIST_PDQ, 20), pdq_quality=100)
    assert list(_matcher(threshold=10).match([item])) == []
    assert [r.distance for r in _matcher(threshold=20).match([item])] == [20]


def test_triage_hashes_in_the_band_need_confirmation() -> None:
    items = [
        MediaHashes("sure", pdq=_near(LIST_PDQ, 10), pdq_quality=100, pdq_method="triage"),
        MediaHashes("maybe", pdq=_near(LIST_PDQ, 40), pdq_quality=100, pdq_method="triage"),
        MediaHashes("far", pdq=_near(LIST_PDQ, 50), pdq_quality=100, pdq_method="triage"),
    ]
    results = {r.sha256_of_item: r for r in _matcher().match(items)}
    assert set(results) == {"sure", "maybe"}
    assert not results["sure"].needs_confirmation and results["maybe"].needs_confirmation
    assert needing_confirmation(results.values()) == {"maybe"}
    assert item_status([results["maybe"]]) == "unknown"


def test_dihedral_and_video_frames() -> None:
    rotated = MediaHashes("rot", pdq=OTHER_PDQ, pdq_quality=100,
                          pdq_dihedral=(OTHER_PDQ, "f" * 64, _near(LIST_PDQ, 2), "0" * 64))
    (hit,) = [r for r in _matcher().match([rotated]) if r.entry_ref == "e-pdq"]
    assert hit.via == "pdq:rot180" and hit.distance == 2
    assert not [r for r in _matcher().match([rotated], dihedral=False) if r.entry_ref == "e-pdq"]
    video = MediaHashes("vid", frame_pdqs=((_near(LIST_PDQ, 12), 100), (_near(LIST_PDQ, 1), 10), (LIST_PDQ, 80)))
    (best,) = _matcher().match([video])
    assert best.distance == 0 and best.via == "frame:2"
