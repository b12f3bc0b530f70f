"""Hash lists into the case store: what an import keeps, refuses, warns about, and how lists are
listed and removed (issue 14 item 9). Synthetic lists shaped like the public ones."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest

from tantalio.analysis import hashlist_import
from tantalio.analysis.hashlist_import import import_hashlist, list_hashlists, remove_hashlist
from tantalio.cli import main
from tantalio.errors import HashListError
from tantalio.media.hashlists.categories import parse_category_map
from tantalio.media.hashlists.rows import stored_known_hashes
from tantalio.media.match import Matcher, MediaHashes, item_status
from tantalio.store import sqlite as store_sqlite
from tantalio.store.sqlite import CaseStore

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PHOTODNA = base64.b64encode(bytes(range(144))).decode()
SHARED_LISTS = Path(__file__).resolve().parents[3] / ".." / "shared" / "hashlists"


def _nsrl(path: Path, media: int = 5) -> Path:
    """NSRL in VICS 1.2 form: Category 8, MediaFiles, DateUpdated."""
    path.write_text(json.dumps({"odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.2.xml#Media",
                                "value": [{"MediaID": n, "Category": 8, "MD5": f"{n:032X}", "SHA1": f"{n:040X}",
                                           "DateUpdated": "2022-03-01T00:00:00Z",
                                           "MediaFiles": [{"FileName": f"LIB{n}.DLL", "FilePath": "\\Windows"}]}
                                          for n in range(1, media + 1)]}))
    return path


def _status(store: CaseStore, md5: str) -> str:
    return item_status(Matcher(stored_known_hashes(store.conn)).match([MediaHashes("item", md5=md5)]))


def test_unknown_category_is_uncategorised_with_one_warning_and_can_be_mapped(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "case")
    report = import_hashlist(store, _nsrl(tmp_path / "NSRLFile.json"))
    assert (report.entries, report.problems, report.version) == (10, 0, "1.2")
    assert report.unknown_categories == {"8": 10}
    warnings = [m for (m,) in store.conn.execute("SELECT message FROM warning WHERE stage='hashlist'")]
    assert len(warnings) == 1 and "'8'" in warnings[0] and "--category-map 8=" in warnings[0]
    assert _status(store, "1".rjust(32, "0")) == "unknown"  # never "known": NSRL lists ordinary files
    extra = json.loads(store.conn.execute("SELECT extra FROM hash_entry LIMIT 1").fetchone()[0])
    assert extra["files"] == [{"name": "LIB1.DLL", "path": "\\Windows"}] and extra["date_updated"].startswith("2022")

    store = CaseStore.create(tmp_path / "case2")
    mapped = import_hashlist(store, _nsrl(tmp_path / "again.json"), name="NSRL mapped",
                             category_map=parse_category_map(["8=ignorable:NSRL reference file"]))
    assert mapped.unknown_categories == {}
    assert _status(store, "2".rjust(32, "0")) == "ignorable"
    row = store.conn.execute("SELECT version, category_map FROM hash_list WHERE name='NSRL mapped'").fetchone()
    assert row[0] == "1.2" and json.loads(row[1]) == {"8": {"label": "NSRL reference file", "status": "ignorable"}}


def test_import_with_no_entry_fails_and_leaves_no_list(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "case")
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"@odata.context": "x#Media", "value": [{"MediaID": 1, "MD5": "nothex"}]}))
    with pytest.raises(HashListError, match="no hash entry could be read"):
        import_hashlist(store, empty)
    assert store.conn.execute("SELECT count(*) FROM hash_list").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM hash_entry").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM warning").fetchone()[0] == 0


def test_duplicate_rows_are_stored_once(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "case")
    path = tmp_path / "dups.csv"
    md5 = "a" * 32
    path.write_text(f"md5,category,series\n{md5},1,S\n{md5},1,S\n{md5.upper()},1,S\n{md5},2,S\n" + "b" * 32 + ",,\n")
    report = import_hashlist(store, path)
    assert (report.entries, report.duplicates) == (3, 2)  # same hash, other category: a different claim, kept
    assert store.conn.execute("SELECT entry_count, duplicate_count FROM hash_list").fetchone() == (3, 2)


def test_broken_list_is_refused_unless_partial_is_accepted(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "case")
    text = json.dumps({"@odata.context": "x#Media", "value": [{"MediaID": i, "MD5": f"{i:032x}"} for i in range(9)]})
    path = tmp_path / "cut.json"
    path.write_text(text[:-40])
    with pytest.raises(HashListError, match="truncated"):
        import_hashlist(store, path)
    assert store.conn.execute("SELECT count(*) FROM hash_list").fetchone()[0] == 0
    report = import_hashlist(store, path, accept_partial=True)
    assert report.partial and report.entries == 8
    assert store.conn.execute("SELECT partial FROM hash_list").fetchone()[0] == 1


def test_victim_identification_export_round_trips(tmp_path: Path) -> None:
    """The VID queue's VICS JSON export (report/vid_queue.py: VICS 2.0 Media with the analysts'
    categorisations, SHA-256 and PDQ in AlternativeHashes) and its 1.x variant import back whole."""
    media = []
    for n in range(1, 4):
        md5, sha1, sha256 = f"{n:032x}", f"{n:040x}", f"{n:064x}"
        media.append({"AlternativeHashes": [{"HashName": "SHA256", "HashValue": sha256.upper()},
                                            {"HashName": "PDQ", "HashValue": PDQ},
                                            {"HashName": "PhotoDNA", "HashValue": PHOTODNA}],
                      "Category": n % 3, "IsDistributed": "true" if n % 2 else "false", "MD5": md5.upper(),
                      "MediaID": n, "MediaSize": 1000 * n, "SHA1": sha1.upper(), "Series": f"FAMILY-{n}"})
    documents = {
        "v2.json": {"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/"
                                      "$metadata#Media", "Comment": "SYNTHETIC DEMO DATA", "value": media},
        "v1.json": {"odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media", "value": media},
    }
    store = CaseStore.create(tmp_path / "case")
    for file_name, document in documents.items():
        path = tmp_path / file_name
        path.write_text(json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
        report = import_hashlist(store, path)
        assert (report.entries, report.problems, report.duplicates) == (15, 0, 0)
        assert report.version == ("2.0" if file_name == "v2.json" else "1.3")
        rows = store.conn.execute(
            "SELECT e.algorithm, e.value, e.category, e.series, e.is_distributed FROM hash_entry e"
            " JOIN hash_list l ON l.id = e.list_id WHERE l.name=? ORDER BY e.id", (file_name,)).fetchall()
        by_kind: dict[str, list[tuple[str, str, str, int]]] = {}
        for algorithm, value, category, series, distributed in rows:
            by_kind.setdefault(algorithm, []).append((value, category, series, distributed))
        assert sorted(by_kind) == ["md5", "pdq", "photodna", "sha1", "sha256"]
        assert by_kind["sha256"] == [(f"{n:064x}", str(n % 3), f"FAMILY-{n}", n % 2) for n in range(1, 4)]
        assert by_kind["md5"][0] == ("0" * 31 + "1", "1", "FAMILY-1", 1)
        assert by_kind["photodna"][0][0] == PHOTODNA


def test_list_and_remove_restatus_the_items(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case"
    store = CaseStore.create(case)
    listed = tmp_path / "known.csv"
    listed.write_text("md5,category\n" + "c" * 32 + ",1\n")
    report = import_hashlist(store, listed, name="known")
    with store.transaction():
        store.conn.execute("INSERT INTO media_item(sha256, md5, status, category) VALUES ('s1', ?, 'known', '1')",
                           ("c" * 32,))
        store.conn.execute("INSERT INTO match(sha256, entry_id, algorithm, distance) SELECT 's1', id, 'md5', 0"
                           " FROM hash_entry WHERE list_id=?", (report.list_id,))
    assert [hl["name"] for hl in list_hashlists(store)] == ["known"]
    store.close()
    main(["hashlist", "list", str(case), "--json"])
    assert json.loads(capsys.readouterr().out)["entry_count"] == 1
    main(["hashlist", "remove", str(case), "known"])
    store = CaseStore.open(case)
    assert list_hashlists(store) == []
    assert store.conn.execute("SELECT status, category FROM media_item").fetchone() == ("unknown", None)
    assert store.conn.execute("SELECT count(*) FROM audit_event WHERE action='hashlist.remove'").fetchone()[0] == 1
    with pytest.raises(HashListError, match="no hash list named"):
        remove_hashlist(store, "known")


def test_cli_refuses_an_empty_import_with_an_error_exit(tmp_path: Path) -> None:
    case = tmp_path / "case"
    CaseStore.create(case).close()
    junk = tmp_path / "junk.txt"
    junk.write_text("no hashes here\n")
    with pytest.raises(SystemExit) as exited:
        main(["hashlist", "import", str(case), str(junk), "--format", "md5"])
    assert exited.value.code == HashListError.exit_code
    with pytest.raises(SystemExit):
        main(["hashlist", "import", str(case), str(junk), "--category-map", "8=bad"])


def test_migration_folds_duplicates_stored_by_older_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    every = store_sqlite.migrations()
    monkeypatch.setattr(store_sqlite, "migrations", lambda: [m for m in every if m.version < 10])
    store = CaseStore.create(tmp_path / "case")
    conn = store.conn
    with store.transaction():
        conn.execute("INSERT INTO hash_list(id, name, kind, format, path, sha256, imported_at, entry_count)"
                     " VALUES (1, 'old', 'illegal', 'csv', 'x', 'y', 'z', 3)")
        conn.executemany("INSERT INTO hash_entry(id, list_id, algorithm, value, category) VALUES (?, 1, 'md5', ?, '1')",
                         [(1, "d" * 32), (2, "d" * 32), (3, "e" * 32)])
        conn.execute("INSERT INTO media_item(sha256, md5) VALUES ('s', ?)", ("d" * 32,))
        conn.execute("INSERT INTO match(sha256, entry_id, algorithm) VALUES ('s', 2, 'md5')")
    monkeypatch.setattr(store_sqlite, "migrations", lambda: every)
    store.migrate()
    assert conn.execute("SELECT id FROM hash_entry ORDER BY id").fetchall() == [(1,), (3,)]
    assert conn.execute("SELECT entry_id FROM match").fetchall() == [(1,)]
    assert conn.execute("SELECT entry_count FROM hash_list").fetchone()[0] == 2
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO hash_entry(list_id, algorithm, value, category) VALUES (1, 'md5', ?, '1')",
                     ("e" * 32,))


@pytest.mark.parametrize("path", sorted(SHARED_LISTS.glob("*")) if SHARED_LISTS.is_dir() else [None])
def test_real_public_lists_if_present(tmp_path: Path, path: Path | None) -> None:
    """Real public lists (NSRL in VICS form, VICS samples, sum files) put under ../shared/hashlists."""
    if path is None or not path.is_file():
        pytest.skip("no real hash lists under ../shared/hashlists")
    store = CaseStore.create(tmp_path / "case")
    report = import_hashlist(store, path, kind="ignorable")
    assert report.entries > 0


def _csv_list(path: Path, good: int, bad: tuple[int, ...] = ()) -> Path:
    lines = ["md5,category,series"]
    for n in range(good + len(bad)):
        lines.append("nothex,1,S" if n in bad else f"{n:032x},1,S{n % 3}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _content(store: CaseStore) -> tuple[object, ...]:
    conn = store.conn
    return (conn.execute("SELECT id, name, state, entry_count, problem_count FROM hash_list ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM hash_entry ORDER BY id").fetchall(),
            conn.execute("SELECT path, location, stage, message FROM warning ORDER BY id").fetchall())


def test_import_commits_in_chunks_with_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten million media go in many transactions; the list is the same as one imported at once."""
    listed = _csv_list(tmp_path / "list.csv", 23, bad=(4, 17))
    whole = CaseStore.create(tmp_path / "whole")
    import_hashlist(whole, listed, name="L")
    monkeypatch.setattr(hashlist_import, "BATCH", 2)
    monkeypatch.setattr(hashlist_import, "COMMIT_ROWS", 5)
    monkeypatch.setattr(hashlist_import, "DELETE_IDS", 4)
    chunked = CaseStore.create(tmp_path / "chunked")
    commits = []
    chunked.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    report = import_hashlist(chunked, listed, name="L")
    chunked.conn.set_trace_callback(None)
    assert (report.entries, report.problems) == (23, 2) and len(commits) >= 6
    assert _content(chunked) == _content(whole)
    assert [w[1] for w in _content(chunked)[2]] == ["line 6", "line 19"]


def test_a_failed_chunked_import_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashlist_import, "BATCH", 2)
    monkeypatch.setattr(hashlist_import, "COMMIT_ROWS", 4)
    monkeypatch.setattr(hashlist_import, "DELETE_IDS", 3)
    store = CaseStore.create(tmp_path / "case")
    text = json.dumps({"@odata.context": "x#Media", "value": [{"MediaID": i, "MD5": f"{i:032x}"} for i in range(30)]
                       + [{"MediaID": 99, "MD5": "nothex"}]})
    cut = tmp_path / "cut.json"
    cut.write_text(text[:-20])                  # truncated after many chunks went in
    with pytest.raises(HashListError, match="truncated"):
        import_hashlist(store, cut)
    assert _content(store) == ([], [], [])
    assert store.conn.execute("SELECT action FROM audit_event WHERE action LIKE 'hashlist%'").fetchall() == []


def test_an_unfinished_list_is_never_read_and_is_cleared(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """What a killed import leaves (a list still 'importing', part of its entries) is not matched
    nor counted; importing it again, or `hashlist remove`, clears it first."""
    monkeypatch.setattr(hashlist_import, "DELETE_IDS", 2)
    case = tmp_path / "case"
    store = CaseStore.create(case)
    listed = _csv_list(tmp_path / "list.csv", 6)
    clean = CaseStore.create(tmp_path / "clean")
    import_hashlist(clean, listed, name="L")

    def leave_unfinished(state: str) -> None:
        with store.transaction():
            store.conn.execute("INSERT INTO hash_list(name, kind, format, path, sha256, imported_at, state)"
                               " VALUES ('L', 'illegal', 'csv', 'x', 'y', 'z', ?)", (state,))
            store.conn.executemany("INSERT INTO hash_entry(list_id, algorithm, value, category) VALUES (1, 'md5', ?, '1')",
                                   [(f"{n:032x}",) for n in range(4)])

    leave_unfinished("importing")
    assert list(stored_known_hashes(store.conn)) == [] and _status(store, f"{1:032x}") == "unknown"
    store.close()
    main(["hashlist", "list", str(case)])
    assert "UNFINISHED (importing" in capsys.readouterr().out
    store = CaseStore.open(case)
    import_hashlist(store, listed, name="L")
    assert _content(store) == _content(clean)     # row ids included: as if the first import never ran
    assert _status(store, f"{1:032x}") == "known"
    store.close()

    store = CaseStore.create(tmp_path / "again")
    leave_unfinished("removing")
    assert remove_hashlist(store, "L")["entries"] == 4
    assert _content(store) == ([], [], [])
    actions = [a for (a,) in store.conn.execute("SELECT action FROM audit_event WHERE action LIKE 'hashlist%'")]
    assert actions == ["hashlist.cleared"]
