from __future__ import annotations

from pathlib import Path

import pytest

from tantalio.errors import HashListError
from tantalio.media.hashlists import HashEntry, HashListProblem, detect_format, read_hashlist

MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def _entries(items: object) -> list[HashEntry]:
    return [i for i in items if isinstance(i, HashEntry)]  # type: ignore[attr-defined]


def _problems(items: object) -> list[HashListProblem]:
    return [i for i in items if isinstance(i, HashListProblem)]  # type: ignore[attr-defined]


def test_csv_with_aliases_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(
        '"MD5 Hash","SHA-1","Classification","Series Name","Distributed","Notes"\n'
        f'"{MD5.upper()}","{SHA1}","A","S-1","yes","seen twice"\n'
        f'"{MD5}","",B,,no,\n'
    )
    assert detect_format(path) == "csv"
    items = list(read_hashlist(path))
    entries = _entries(items)
    assert _problems(items) == []
    assert [(e.algorithm, e.value, e.category, e.line) for e in entries] == [
        ("md5", MD5, "A", 2), ("sha1", SHA1, "A", 2), ("md5", MD5, "B", 3)]
    assert entries[0].is_distributed is True and entries[0].series == "S-1" and entries[0].extra == {"Notes": "seen twice"}
    assert entries[2].is_distributed is False and entries[2].series is None


def test_csv_semicolons_pdq_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "pdq.csv"
    path.write_text(f"pdq;category\n{PDQ};1\nnot-hex;1\n{PDQ[:60]};2\n\n{PDQ.upper()}\n")
    items = list(read_hashlist(path, "csv"))
    entries, problems = _entries(items), _problems(items)
    assert [(e.value, e.line) for e in entries] == [(PDQ, 2), (PDQ, 6)]
    assert [p.line for p in problems] == [3, 4, 6]  # line 6 is short a column but still read
    assert "pdq must be 64 hex digits" in problems[1].message


def test_csv_without_hash_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,category\nx,1\n")
    with pytest.raises(HashListError):
        list(read_hashlist(path, "csv"))


def test_plain_kind_by_length(tmp_path: Path) -> None:
    path = tmp_path / "hashes.txt"
    path.write_text(f"# comment\n{MD5}  file.jpg\n{SHA1}\n{SHA256}\n\nabc\n{'g' * 32}\n")
    assert detect_format(path) == "plain"
    items = list(read_hashlist(path))
    assert [(e.algorithm, e.line) for e in _entries(items)] == [("md5", 2), ("sha1", 3), ("sha256", 4)]
    assert [p.line for p in _problems(items)] == [6, 7]


def test_plain_pdq_needs_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "pdq.txt"
    path.write_text(f"{PDQ}\n{PDQ},100,some/path.jpg\n{MD5}\n")
    items = list(read_hashlist(path, "pdq"))
    assert [(e.algorithm, e.value) for e in _entries(items)] == [("pdq", PDQ), ("pdq", PDQ)]
    assert len(_problems(items)) == 1


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(HashListError):
        read_hashlist(tmp_path / "x", "xml")
    with pytest.raises(HashListError):
        read_hashlist(tmp_path / "missing.txt")
