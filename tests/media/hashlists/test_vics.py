from __future__ import annotations

import json
from pathlib import Path

import pytest

from tantalio.errors import HashListError
from tantalio.media.hashlists import HashEntry, HashListProblem, detect_format, read_hashlist
from tantalio.media.hashlists import vics as vics_module
from tantalio.media.hashlists.jsonstream import JsonStream

MD5 = "0123456789ABCDEF0123456789ABCDEF"
SHA1 = "0123456789ABCDEF0123456789ABCDEF01234567"
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PHOTODNA = "A" * 192


def _media(i: int, **extra: object) -> dict[str, object]:
    media: dict[str, object] = {
        "MediaID": i, "Category": 1, "MD5": f"{i:032X}", "Comments": "", "VictimIdentified": "false",
        "IsDistributed": "true", "Series": "SERIES-X", "SHA1": f"{i:040X}", "OffenderIdentified": False,
        "IsPrecategorized": "true",
    }
    media.update(extra)
    return media


def _write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def _split(items: list[HashEntry | HashListProblem]) -> tuple[list[HashEntry], list[HashListProblem]]:
    return [i for i in items if isinstance(i, HashEntry)], [i for i in items if isinstance(i, HashListProblem)]


def test_vics_2_media(tmp_path: Path) -> None:
    document = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
        "value": [
            _media(1, MD5=MD5, SHA1=SHA1, AlternativeHashes=[
                {"MD5": MD5, "HashName": "PDQ", "HashValue": PDQ.upper()},
                {"MD5": MD5, "HashName": "PhotoDNA", "HashValue": PHOTODNA},
            ]),
            _media(2, Category=0, VictimIdentified=True),
        ],
    }
    path = _write(tmp_path / "list.json", document)
    assert detect_format(path) == "vics"
    entries, problems = _split(list(read_hashlist(path)))
    assert problems == []
    first = [e for e in entries if e.line == 1]
    assert {(e.algorithm, e.value) for e in first} == {
        ("md5", MD5.lower()), ("sha1", SHA1.lower()), ("pdq", PDQ), ("photodna", PHOTODNA)}
    md5 = first[0]
    assert (md5.category, md5.series, md5.victim_identified, md5.offender_identified, md5.is_distributed) == (
        "1", "SERIES-X", False, False, True)
    assert md5.extra["mediaid"] == 1
    second = [e for e in entries if e.line == 2]
    assert second[0].category == "0" and second[0].victim_identified is True


def test_vics_1_metadata_and_cases_form(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.json", {"odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media",
                                         "value": [_media(5)]})
    assert len(_split(list(read_hashlist(old, "vics")))[0]) == 2
    cases = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases",
        "value": [{"CaseID": "00000000-0000-0000-0000-000000000001", "CaseNumber": "TEST-1",
                   "Media": [_media(i) for i in range(1, 4)]},
                  {"CaseID": "00000000-0000-0000-0000-000000000002", "Media": [_media(9)]}],
    }
    entries, problems = _split(list(read_hashlist(_write(tmp_path / "cases.json", cases), "vics")))
    assert problems == [] and sorted({e.line for e in entries}) == [1, 2, 3, 4]


def test_bad_values_are_problems_with_media_index(tmp_path: Path) -> None:
    document = {"@odata.context": "x#Media", "value": [
        _media(1), _media(2, MD5="XYZ", SHA1="12"), _media(3, IsDistributed="maybe"), "not an object",
        {"Category": 2}, _media(6, AlternativeHashes=[{"HashName": "PDQ", "HashValue": "abc"}])]}
    entries, problems = _split(list(read_hashlist(_write(tmp_path / "bad.json", document))))
    assert [(p.where, p.line) for p in problems] == [("media", 2), ("media", 2), ("media", 3), ("media", 4),
                                                     ("media", 5), ("media", 6)]
    assert "md5 must be 32 hex digits" in problems[0].message
    assert {e.line for e in entries} == {1, 3, 6}


def test_json_broken_mid_file_keeps_what_came_before(tmp_path: Path) -> None:
    text = json.dumps({"@odata.context": "x#Media", "value": [_media(i) for i in range(1, 6)]})
    cut = text.index('{"MediaID": 4')
    path = tmp_path / "broken.json"
    path.write_text(text[:cut] + '{"MediaID": 4, "MD5": "00", ,,, garbage' + text[cut + 40 :])
    entries, problems = _split(list(read_hashlist(path, "vics")))
    assert {e.line for e in entries} == {1, 2, 3}
    assert len(problems) == 1 and problems[0].line == 4 and "JSON broken" in problems[0].message
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) - 30])  # inside the last record
    entries, problems = _split(list(read_hashlist(truncated, "vics")))
    assert len(problems) == 1 and {e.line for e in entries} == {1, 2, 3, 4}


def test_not_vics_at_all(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text("[1, 2, 3]")
    with pytest.raises(HashListError):
        list(read_hashlist(path, "vics"))
    other = _write(tmp_path / "other.json", {"odata": 1, "rows": []})
    with pytest.raises(HashListError):
        list(read_hashlist(other, "vics"))


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_tiny_buffers_cross_every_boundary(tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    document = {"@odata.context": "x#Media", "big": 12345678901234567890, "value": [
        _media(i, Series="ü ☃ \"quoted\" \\ back", AlternativeHashes=[{"HashName": "PDQ", "HashValue": PDQ}])
        for i in range(1, 30)]}
    path = _write(tmp_path / "list.json", document)
    original = JsonStream.__init__

    def small(self: JsonStream, text: object, chunk_size: int = chunk, max_value: int = 64 << 20) -> None:
        original(self, text, chunk_size, max_value)  # type: ignore[arg-type]

    monkeypatch.setattr(vics_module.JsonStream, "__init__", small)
    entries, problems = _split(list(read_hashlist(path, "vics")))
    assert problems == [] and len(entries) == 29 * 3
    assert entries[0].series == 'ü ☃ "quoted" \\ back'


def test_memory_stays_bounded_by_one_record(tmp_path: Path) -> None:
    """The stream never holds much more than a chunk plus one record, whatever the file size."""
    path = _write(tmp_path / "many.json", {"@odata.context": "x#Media", "value": [_media(i) for i in range(3000)]})
    with open(path, encoding="utf-8") as text:
        stream = JsonStream(text, chunk=4096)
        largest = 0
        for key in stream.items():
            if key == "value":
                for _ in stream.elements():
                    stream.value()
                    largest = max(largest, len(stream._buf))
            else:
                stream.value()
    assert path.stat().st_size > 500_000 and largest < 3 * 4096
