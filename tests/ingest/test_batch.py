"""`ingest-batch`: the manifest is checked whole first; parallel intake equals one-by-one intake."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tantalio.exec.local import LocalExecutor
from tantalio.ingest.batch import ingest_batch
from tantalio.ingest.manifest import ManifestError, read_manifest
from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.store import CaseStore

from .batchfixture import batch_corpus
from .casecontent import case_content, differences


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return batch_corpus(tmp_path_factory.mktemp("batch"), copies=2)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_rows_are_refused_with_their_lines_before_anything_starts(tmp_path: Path) -> None:
    (tmp_path / "ev1").mkdir()
    (tmp_path / "ev2").mkdir()
    manifest = write(tmp_path / "m.csv", (
        "exhibit,path,owner,country,timezone,description\n"
        "EX-01,ev1,+34 639 98 00 01,ES,Europe/Madrid,phone\n"        # line 2: good
        "EX-02,ev2,,ES,Europe/Madird,typo in timezone\n"              # line 3
        "EX-03,missing-folder,,,,\n"                                 # line 4
        "EX-01,ev2,,,,duplicate\n"                                   # line 5 (and ev2 shared)
        "EX-05,ev1;ev2,not a phone,XX,,\n"                           # line 6
        "\n"
        "EX 07,ev1,,,,\n"                                            # line 8
    ))
    case = tmp_path / "case"
    CaseStore.create(case).close()
    with pytest.raises(ManifestError) as err:
        ingest_batch(case, manifest, LocalExecutor(workers=1))
    text = str(err.value)
    for expected in ("line 3: unknown timezone 'Europe/Madird'", "line 4: path 'missing-folder' does not exist",
                     "line 5: exhibit EX-01 is already listed on line 2", "line 6: country 'XX'",
                     "line 6: owner 'not a phone' is not a phone number", "line 8: exhibit id 'EX 07'",
                     "is also a source of EX-01 (line 2)", "nothing was ingested"):
        assert expected in text, text
    assert "line 2:" not in text
    with sqlite3.connect(case / "case.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM exhibit").fetchone()[0] == 0


def test_header_and_case_contradictions_are_refused(tmp_path: Path) -> None:
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "a.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ManifestError, match="line 1: the header"):
        read_manifest(write(tmp_path / "h.csv", "exhibit,paht\nEX-1,ev\n"))
    case = tmp_path / "case"
    with CaseStore.create(case) as store:
        ingest(store, [tmp_path / "ev"], IngestOptions("EX-1", timezone="Europe/Madrid"))
    manifest = write(tmp_path / "m.csv", "Exhibit,Path,Timezone\nEX-1,ev,Europe/Lisbon\n")
    with pytest.raises(ManifestError, match="line 2: exhibit EX-1 is recorded with timezone Europe/Madrid, "
                                            "not Europe/Lisbon"):
        ingest_batch(case, manifest, LocalExecutor(workers=1))


def test_parallel_batch_equals_one_by_one_and_a_rerun_skips_finished_exhibits(corpus: Path, tmp_path: Path) -> None:
    one_by_one, batch = tmp_path / "one", tmp_path / "batch"
    with CaseStore.create(one_by_one, "op") as store:
        for row in read_manifest(corpus):
            ingest(store, [Path(s) for s in row.sources],
                   IngestOptions(row.exhibit, row.owner, row.country, row.timezone, None, row.description))
    CaseStore.create(batch, "op").close()
    with LocalExecutor(workers=2) as executor:
        report = ingest_batch(batch, corpus, executor)
        assert [o.state for o in report.exhibits] == ["ingested"] * 10
        assert report.hashed_files == sum(o.files for o in report.exhibits) > 0
        assert all(o.parsed for o in report.exhibits)
        assert differences(case_content(batch), case_content(one_by_one)) == {}
        again = ingest_batch(batch, corpus, executor)
        assert [o.state for o in again.exhibits] == ["already ingested"] * 10 and again.hashed_files == 0
        assert [(o.files, o.parsed) for o in again.exhibits] == [(o.files, o.parsed) for o in report.exhibits]
        rechecked = ingest_batch(batch, corpus, executor, recheck=True)
        assert [o.state for o in rechecked.exhibits] == ["ingested"] * 10
    assert differences(case_content(batch), case_content(one_by_one)) == {}
    with CaseStore.open(batch) as store:
        assert store.verify_audit() is None
        actions = [a for a, in store.conn.execute("SELECT action FROM audit_event ORDER BY seq")]
    assert actions.count("ingest") == 20 and actions.count("ingest.batch") == 3


def test_an_exhibit_that_cannot_be_read_fails_alone(corpus: Path, tmp_path: Path) -> None:
    bad = tmp_path / "only-a-link"
    bad.mkdir()
    (bad / "link").symlink_to("/etc/hostname")  # refused, so nothing in the exhibit is readable
    rows = corpus.read_text(encoding="utf-8").splitlines()[:3]
    manifest = write(corpus.parent / "with-bad.csv", "\n".join([*rows, f"EX-BAD,{bad},,,,"]) + "\n")
    case = tmp_path / "case"
    CaseStore.create(case).close()
    report = ingest_batch(case, manifest, LocalExecutor(workers=1))
    assert {o.exhibit: o.state for o in report.exhibits} == {
        "EX-01-1": "ingested", "EX-02-1": "ingested", "EX-BAD": "failed"}
    assert "nothing could be read" in (report.failed[0].error or "")
    with sqlite3.connect(case / "case.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM warning WHERE exhibit_id='EX-BAD' AND message LIKE "
                            "'exhibit not ingested: %'").fetchone()[0] == 1
