from __future__ import annotations

import base64
import codecs
import json
import tracemalloc
from pathlib import Path

import pytest

from tantalio.errors import HashListError
from tantalio.media.hashlists import HashEntry, HashListProblem, ListFacts, detect_format, read_hashlist
from tantalio.media.hashlists import vics as vics_module

MD5 = "0123456789ABCDEF0123456789ABCDEF"
SHA1 = "0123456789ABCDEF0123456789ABCDEF01234567"
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PHOTODNA = base64.b64encode(bytes(range(144))).decode()
V2 = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media"


def _media(i: int, **extra: object) -> dict[str, object]:
    media: dict[str, object] = {
        "MediaID": i, "Category": 1, "MD5": f"{i:032X}", "Comments": "", "VictimIdentified": "false",
        "IsDistributed": "true", "Series": "SERIES-X", "SHA1": f"{i:040X}", "OffenderIdentified": False,
        "IsPrecategorized": "true",
    }
    media.update(extra)
    return media


def _write(path: Path, document: object, indent: int | None = 1) -> Path:
    path.write_text(json.dumps(document, indent=indent), encoding="utf-8")
    return path


def _split(items: object) -> tuple[list[HashEntry], list[HashListProblem]]:
    listed = list(items)  # type: ignore[call-overload]
    return [i for i in listed if isinstance(i, HashEntry)], [i for i in listed if isinstance(i, HashListProblem)]


def _facts(path: Path) -> ListFacts:
    return next(i for i in read_hashlist(path, "vics") if isinstance(i, ListFacts))


def test_vics_2_media(tmp_path: Path) -> None:
    document = {
        "@odata.context": V2,
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
    entries, problems = _split(read_hashlist(path))
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
    facts = _facts(path)
    assert (facts.format, facts.version, facts.profile) == ("vics", "2.0", "US")


def test_nsrl_vics_1_2_keeps_files_dates_and_unknown_categories(tmp_path: Path) -> None:
    """NIST NSRL in VICS 1.2 form: Category 8 (a code no built-in scheme knows), MediaFiles
    naming the reference file, DateUpdated; read as written, interpreted later."""
    document = {"odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.2.xml#Media", "value": [
        {"MediaID": n, "Category": 8, "MD5": f"{n:032X}", "SHA1": f"{n:040X}", "MediaSize": 1000 + n,
         "DateUpdated": "2022-03-01T00:00:00Z", "IsPrecategorized": "true", "PrecategorizationSource": "NSRL",
         "MediaFiles": [{"MD5": f"{n:032X}", "FileName": f"LIBRARY{n}.DLL", "FilePath": "\\Windows\\System32",
                         "Unallocated": "false"}]}
        for n in range(1, 4)]}
    entries, problems = _split(read_hashlist(_write(tmp_path / "NSRLFile.json", document, indent=None)))
    assert problems == [] and len(entries) == 6
    assert {e.category for e in entries} == {"8"}
    assert entries[0].extra["files"] == [{"name": "LIBRARY1.DLL", "path": "\\Windows\\System32"}]
    assert entries[0].extra["date_updated"] == "2022-03-01T00:00:00Z" and entries[0].extra["mediasize"] == 1001
    facts = _facts(tmp_path / "NSRLFile.json")
    assert (facts.version, facts.profile) == ("1.2", None)


def test_keys_in_any_case_segments_and_photodna_hex(tmp_path: Path) -> None:
    document = {"@ODATA.CONTEXT": V2.replace("/US/", "/UK/"), "VALUE": [
        {"mediaId": 1, "category": "2", "md5": MD5.lower(), "sha256": "AB" * 32, "SERIES": "S",
         "alternativeHashes": [{"hashName": "pdq", "hashValue": PDQ}, {"HASHNAME": "PhotoDNA", "HASHVALUE": bytes(
             range(144)).hex().upper()}, {"hashName": "VendorHash", "hashValue": "abc"}],
         "segments": [{"SegmentIndex": 0, "Start": 0, "End": 12.5, "Category": 1},
                      {"segmentIndex": 1, "start": 12.5, "END": 30, "category": 3}]},
    ]}
    entries, problems = _split(read_hashlist(_write(tmp_path / "mixed.json", document)))
    assert problems == []
    assert {e.algorithm for e in entries} == {"md5", "sha256", "pdq", "photodna"}
    assert next(e for e in entries if e.algorithm == "photodna").value == PHOTODNA  # hex kept as base64
    assert entries[0].category == "2" and entries[0].series == "S"
    assert entries[0].extra["segments"] == [{"index": 0, "start": 0, "end": 12.5, "category": 1},
                                            {"index": 1, "start": 12.5, "end": 30, "category": 3}]
    assert entries[0].extra["other_hashes"] == [{"name": "vendorhash", "value": "abc"}]
    assert _facts(tmp_path / "mixed.json").profile == "UK"


def test_vics_1_metadata_and_cases_form(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.json", {"odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media",
                                         "value": [_media(5)]})
    assert len(_split(read_hashlist(old, "vics"))[0]) == 2
    cases = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases",
        "value": [{"CaseID": "00000000-0000-0000-0000-000000000001", "CaseNumber": "TEST-1",
                   "Media": [_media(i) for i in range(1, 4)]},
                  {"CaseID": "00000000-0000-0000-0000-000000000002", "Media": [_media(9)]}],
    }
    entries, problems = _split(read_hashlist(_write(tmp_path / "cases.json", cases), "vics"))
    assert problems == [] and sorted({e.line for e in entries}) == [1, 2, 3, 4]


def test_bad_values_are_problems_with_media_index(tmp_path: Path) -> None:
    document = {"@odata.context": "x#Media", "value": [
        _media(1), _media(2, MD5="XYZ", SHA1="12"), _media(3, IsDistributed="maybe"), "not an object",
        {"Category": 2}, _media(6, AlternativeHashes=[{"HashName": "PDQ", "HashValue": "abc"}])]}
    entries, problems = _split(read_hashlist(_write(tmp_path / "bad.json", document)))
    assert [(p.where, p.line) for p in problems] == [("media", 2), ("media", 2), ("media", 3), ("media", 4),
                                                     ("media", 5), ("media", 6)]
    assert "md5 must be 32 hex digits" in problems[0].message
    assert {e.line for e in entries} == {1, 3, 6}


def test_broken_json_is_an_error_naming_its_byte_offset(tmp_path: Path) -> None:
    text = json.dumps({"@odata.context": "x#Media", "value": [_media(i) for i in range(1, 6)]})
    cut = text.index('{"MediaID": 4')
    broken = text[:cut] + '{"MediaID": 4, "MD5": "00", ,,, garbage' + text[cut + 40 :]
    path = tmp_path / "broken.json"
    path.write_text(broken)
    bad_byte = broken.index(",,,")
    with pytest.raises(HashListError) as caught:
        list(read_hashlist(path, "vics"))
    message = str(caught.value)
    offset = int(message.split("at byte ")[1].split(" ")[0])
    assert bad_byte <= offset <= bad_byte + 2, (bad_byte, message)
    assert "after 3 complete media records" in message and "--accept-partial" in message

    entries, problems = _split(read_hashlist(path, "vics", accept_partial=True))
    assert {e.line for e in entries} == {1, 2, 3}
    assert len(problems) == 1 and problems[0].line == 4 and problems[0].ends_read


def test_offset_is_right_far_into_a_file_and_after_a_bom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vics_module, "READ_SIZE", 4096)  # the break lies many read chunks in
    text = json.dumps({"@odata.context": "x#Media", "value": [_media(i) for i in range(1, 400)]}, indent=2)
    at = text.index('"MediaID": 377')
    broken = text[:at] + '"MediaID": 377,, ' + text[at + 15 :]
    path = tmp_path / "far.json"
    path.write_bytes(codecs.BOM_UTF8 + broken.encode())
    expected = 3 + broken.index(",, ") + 1
    with pytest.raises(HashListError) as caught:
        list(read_hashlist(path, "vics"))
    offset = int(str(caught.value).split("at byte ")[1].split(" ")[0])
    assert expected <= offset <= expected + 2, (expected, str(caught.value))
    assert "after 376 complete media records" in str(caught.value)


def test_truncated_file_is_an_error_unless_accepted(tmp_path: Path) -> None:
    text = json.dumps({"@odata.context": "x#Media", "value": [_media(i) for i in range(1, 6)]})
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) - 30])  # inside the last record
    with pytest.raises(HashListError, match=rf"ends at byte {len(text) - 30} .*truncated"):
        list(read_hashlist(truncated, "vics"))
    entries, problems = _split(read_hashlist(truncated, "vics", accept_partial=True))
    assert len(problems) == 1 and problems[0].ends_read and {e.line for e in entries} == {1, 2, 3, 4}


def test_not_vics_at_all(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text("[1, 2, 3]")
    with pytest.raises(HashListError):
        list(read_hashlist(path, "vics"))
    other = _write(tmp_path / "other.json", {"odata": 1, "rows": []})
    with pytest.raises(HashListError):
        list(read_hashlist(other, "vics"))
    csv = tmp_path / "list.csv"
    csv.write_text("md5\n" + "a" * 32 + "\n")
    with pytest.raises(HashListError):
        list(read_hashlist(csv, "vics"))


def test_utf16_export_is_read(tmp_path: Path) -> None:
    document = {"@odata.context": V2, "value": [_media(1, Series="Série ü")]}
    path = tmp_path / "utf16.json"
    path.write_bytes(json.dumps(document, ensure_ascii=False).encode("utf-16"))
    assert detect_format(path) == "vics"
    entries, problems = _split(read_hashlist(path))
    assert problems == [] and entries[0].series == "Série ü" and len(entries) == 2


@pytest.mark.parametrize("read_size", [1, 7, 64])
def test_tiny_reads_cross_every_boundary(tmp_path: Path, read_size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    document = {"@odata.context": "x#Media", "big": 12345678901234567890, "value": [
        _media(i, Series="ü ☃ \"quoted\" \\ back", AlternativeHashes=[{"HashName": "PDQ", "HashValue": PDQ}])
        for i in range(1, 30)]}
    path = _write(tmp_path / "list.json", document)
    monkeypatch.setattr(vics_module, "READ_SIZE", read_size)
    entries, problems = _split(read_hashlist(path, "vics"))
    assert problems == [] and len(entries) == 29 * 3
    assert entries[0].series == 'ü ☃ "quoted" \\ back'


def test_memory_stays_bounded_by_one_record(tmp_path: Path) -> None:
    """Python memory while reading stays far below the file: one record at a time."""
    path = _write(tmp_path / "many.json", {"@odata.context": "x#Media", "value": [_media(i) for i in range(6000)]})
    tracemalloc.start()
    try:
        count = sum(1 for item in read_hashlist(path, "vics") if isinstance(item, HashEntry))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 12_000 and path.stat().st_size > 1_500_000
    assert peak < 2 * vics_module.LAYOUT_SCAN + 600_000, peak
