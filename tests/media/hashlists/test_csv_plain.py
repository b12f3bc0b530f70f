from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tantalio.errors import HashListError
from tantalio.media.hashlists import HashEntry, HashListProblem, ListFacts, detect_format, read_hashlist

MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"  # 128 bits set, as every PDQ


def _entries(items: object) -> list[HashEntry]:
    return [i for i in items if isinstance(i, HashEntry)]  # type: ignore[attr-defined]


def _problems(items: object) -> list[HashListProblem]:
    return [i for i in items if isinstance(i, HashListProblem)]  # type: ignore[attr-defined]


def _sha256s(n: int) -> list[str]:
    """SHA-256 digests of ordinary content, like a sha256sum list."""
    return [hashlib.sha256(f"file {i}".encode()).hexdigest() for i in range(n)]


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


def test_tsv_hash_list_with_a_hash_type_column(tmp_path: Path) -> None:
    path = tmp_path / "hashes.tsv"
    path.write_text(f"Hash\tHash Type\tCategory\n{MD5}\tMD5\t1\n{SHA256}\tSHA-256\t2\n{PDQ}\tPDQ\t1\n"
                    f"{SHA1[:32]}\tSHA1\t1\n")
    assert detect_format(path) == "csv"
    items = list(read_hashlist(path))
    assert [(e.algorithm, e.line) for e in _entries(items)] == [("md5", 2), ("sha256", 3), ("pdq", 4)]
    assert [p.line for p in _problems(items)] == [5]  # declared SHA-1, 32 digits: never re-read as MD5


def test_generic_hash_column_kind_is_settled_once(tmp_path: Path) -> None:
    fragment = SHA256[:40]  # a 40-digit fragment of a SHA-256 is not a SHA-1 in a SHA-256 list
    path = tmp_path / "generic.csv"
    path.write_text(f"hash,category\n{SHA256} ,1\n{fragment},1\n")
    with pytest.raises(HashListError, match="SHA-256 or a PDQ"):
        list(read_hashlist(path))
    items = list(read_hashlist(path, algorithm="sha256"))
    assert [(e.algorithm, e.line) for e in _entries(items)] == [("sha256", 2)]
    assert [p.line for p in _problems(items)] == [3]
    md5s = tmp_path / "md5s.csv"
    md5s.write_text(f"hash,category\n{MD5},1\n{SHA1},1\n")
    items = list(read_hashlist(md5s))
    assert [(e.algorithm, e.line) for e in _entries(items)] == [("md5", 2)]
    assert [p.line for p in _problems(items)] == [3]
    assert next(i for i in items if isinstance(i, ListFacts)).algorithm == "md5"


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


def test_csv_truncated_last_row_is_an_error_unless_accepted(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text(f"md5,sha1,category\n{MD5},{SHA1},1\n{MD5},{SHA1[:17]}")
    with pytest.raises(HashListError, match="line 3 is cut short"):
        list(read_hashlist(path))
    items = list(read_hashlist(path, accept_partial=True))
    assert any(p.ends_read for p in _problems(items))
    complete = tmp_path / "complete.csv"
    complete.write_text(f"md5,category\n{MD5},1")  # no final line end, but a whole row: fine
    assert len(_entries(read_hashlist(complete))) == 1


def test_md5sum_and_sha256sum_files(tmp_path: Path) -> None:
    md5sum = tmp_path / "MD5SUMS"
    md5sum.write_text(f"{MD5}  photos/a.jpg\n{MD5} *photos/b.jpg\n")
    assert detect_format(md5sum) == "plain"
    assert [(e.algorithm, e.line) for e in _entries(read_hashlist(md5sum))] == [("md5", 1), ("md5", 2)]
    sha256sum = tmp_path / "SHA256SUMS"
    sha256sum.write_text("".join(f"{h}  file{i}.bin\n" for i, h in enumerate(_sha256s(5))))
    items = list(read_hashlist(sha256sum))
    assert {e.algorithm for e in _entries(items)} == {"sha256"} and len(_entries(items)) == 5


def test_plain_kind_is_settled_once_never_per_line(tmp_path: Path) -> None:
    path = tmp_path / "hashes.txt"
    path.write_text(f"# comment\n{MD5}  file.jpg\n{SHA1}\n{SHA256}\n\nabc\n{'g' * 32}\n{MD5.upper()}\n")
    assert detect_format(path) == "plain"
    items = list(read_hashlist(path))
    assert [(e.algorithm, e.line) for e in _entries(items)] == [("md5", 2), ("md5", 8)]
    assert [p.line for p in _problems(items)] == [3, 4, 6, 7]
    assert "this is a md5 list" in _problems(items)[0].message


def test_bare_64_digit_list_must_say_which(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("\n".join(_sha256s(3)) + "\n")
    with pytest.raises(HashListError, match="--format sha256 or --format pdq"):
        list(read_hashlist(path))
    assert len(_entries(read_hashlist(path, "sha256"))) == 3


def test_plain_pdq_list(tmp_path: Path) -> None:
    path = tmp_path / "pdq.txt"
    path.write_text(f"{PDQ}\n{PDQ},100,some/path.jpg\n{MD5}\n")
    items = list(read_hashlist(path, "pdq"))
    assert [(e.algorithm, e.value) for e in _entries(items)] == [("pdq", PDQ), ("pdq", PDQ)]
    assert len(_problems(items)) == 1
    tool = tmp_path / "hasher-output.txt"
    tool.write_text(f"{PDQ},100,a.jpg\n{PDQ},90,b.jpg\n")
    assert {e.algorithm for e in _entries(read_hashlist(tool))} == {"pdq"}  # the PDQ tool's line shape


def test_format_pdq_refuses_a_sha256_list(tmp_path: Path) -> None:
    bare = tmp_path / "sha256.txt"
    bare.write_text("\n".join(_sha256s(40)) + "\n")
    with pytest.raises(HashListError, match="PDQ hash never does"):
        list(read_hashlist(bare, "pdq"))
    summed = tmp_path / "SHA256SUMS"
    summed.write_text("".join(f"{h}  file{i}\n" for i, h in enumerate(_sha256s(3))))
    with pytest.raises(HashListError, match="sha256sum"):
        list(read_hashlist(summed, "pdq"))


@pytest.mark.parametrize("fmt", ["md5", "sha1", "csv", "plain"])
def test_wrong_format_is_one_error_not_a_warning_per_line(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "list.json"
    path.write_text('{"@odata.context": "x#Media", "value": [\n' + ",\n".join(
        f'{{"MediaID": {i}, "MD5": "{i:032X}", "Category": 1}}' for i in range(50)) + "\n]}\n")
    with pytest.raises(HashListError, match="check --format|no hash column|not readable"):
        list(read_hashlist(path, fmt))


def test_truncated_plain_list(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    path.write_text(f"{MD5}\n{MD5[:20]}")
    with pytest.raises(HashListError, match="line 2 is cut short"):
        list(read_hashlist(path, "md5"))
    items = list(read_hashlist(path, "md5", accept_partial=True))
    assert len(_entries(items)) == 1 and _problems(items)[0].ends_read


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(HashListError):
        read_hashlist(tmp_path / "x", "xml")
    with pytest.raises(HashListError):
        read_hashlist(tmp_path / "missing.txt")


@pytest.mark.parametrize("fmt", ["csv", "md5"])
def test_text_lists_stream_in_bounded_memory(tmp_path: Path, fmt: str) -> None:
    """A 10M-row list must never be held whole: memory stays far below the file's size."""
    import tracemalloc

    path = tmp_path / "big.txt"
    rows = [hashlib.md5(str(i).encode()).hexdigest() for i in range(30_000)]
    path.write_text(("md5,category\n" + "".join(f"{r},1\n" for r in rows)) if fmt == "csv" else
                    "".join(f"{r}  file{i}\n" for i, r in enumerate(rows)))
    tracemalloc.start()
    try:
        count = sum(1 for item in read_hashlist(path, fmt) if isinstance(item, HashEntry))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 30_000 and path.stat().st_size > 1_000_000
    assert peak < 400_000, peak
