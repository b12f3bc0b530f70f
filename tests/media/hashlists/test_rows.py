from __future__ import annotations

import json
from pathlib import Path

import pytest

from tantalio.media.hashlists import HashListProblem
from tantalio.media.hashlists.categories import PROJECT_VIC
from tantalio.media.hashlists.rows import ENTRY_COLUMNS, known_hashes, start_import
from tantalio.media.match import Matcher, MediaHashes, item_status

MD5_A, MD5_B = "a" * 32, "b" * 32


def test_import_then_match(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps({"@odata.context": "x/US/$metadata#Media", "value": [
        {"MediaID": 1, "Category": 1, "MD5": MD5_A.upper(), "IsDistributed": "true"},
        {"MediaID": 2, "Category": 0, "MD5": MD5_B},
        {"MediaID": 3, "Category": 2, "MD5": "nothex"},
    ]}))
    listing = start_import(path, "illegal", name="VICS test")
    assert (listing.format, listing.kind, listing.scheme, len(listing.sha256)) == ("vics", "illegal", "projectvic", 64)
    problems: list[HashListProblem] = []
    rows = list(listing.rows(7, problems))
    assert (listing.entry_count, listing.problem_count, len(problems)) == (2, 1, 1)
    assert len(rows[0]) == len(ENTRY_COLUMNS) and rows[0][:4] == (7, "md5", MD5_A, "1")
    assert json.loads(rows[0][-1]) == {"mediaid": 1}

    stored = [(i, row[1], row[2], row[3], "illegal", PROJECT_VIC) for i, row in enumerate(rows)]
    matcher = Matcher(known_hashes(stored))
    known = list(matcher.match([MediaHashes("item-a", md5=MD5_A)]))
    non_pertinent = list(matcher.match([MediaHashes("item-b", md5=MD5_B)]))
    assert item_status(known) == "known" and item_status(non_pertinent) == "ignorable"


def test_kind_is_checked(tmp_path: Path) -> None:
    (tmp_path / "l.txt").write_text(MD5_A + "\n")
    with pytest.raises(ValueError):
        start_import(tmp_path / "l.txt", "bad")
