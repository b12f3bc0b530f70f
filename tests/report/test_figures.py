"""One set of figures: the web pages, dossiers, overview and country packages agree on every
count, for every group and person of the small demo case."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from tantalio.export import build_case_document
from tantalio.report.build import write_reports
from tantalio.report.figures import case_figures, distinct_messages, recordings
from tantalio.store import CaseStore
from tantalio.web.data import groups as web_groups
from tantalio.web.data import people as web_people
from tantalio.web.data.case import dashboard

from .conftest import GENERATED
from .safety import Page


def _table(html: str, heading: str) -> list[list[str]]:
    """Rows (cell texts) of the first table after an <h2> whose text is ``heading``."""
    after = html.split(f">{heading}</h2>", 1)[1]
    table = after.split("<table>", 1)[1].split("</table>", 1)[0]
    rows = []
    for tr in table.split("<tr")[1:]:
        cells = [Page(c.split("</t", 1)[0].split(">", 1)[1]).all_text for c in tr.split("<td")[1:]]
        if cells:
            rows.append(cells)
    return rows


def test_every_surface_shows_the_same_figures(small_demo: Path, tmp_path: Path) -> None:
    with CaseStore.open(small_demo) as store:
        figures = case_figures(store.conn)
        write_reports(store, tmp_path, pdf=False, generated=GENERATED)
        web_group_rows = {g["id"]: g for g in web_groups.groups(store)}
        web_person_rows = {p["id"]: p for p in web_people.persons(store)}
        live = {pid: web_people.live_dossier(store, pid) for pid in figures.persons}
        board = dashboard(store)
        doc = build_case_document(store)
        stored = {label: dict(zip(("messages", "media_posted", "known_posted", "unknown_posted", "first_posts"), row,
                                  strict=True))
                  for label, *row in store.conn.execute(
                      "SELECT p.label, s.messages, s.media_posted, s.known_posted, s.unknown_posted, s.first_posts "
                      "FROM person_score s JOIN person p ON p.id = s.person_id")}
    assert figures.groups and figures.persons
    assert board["counts"]["persons"] == len(figures.persons) and board["counts"]["groups"] == len(figures.groups)
    assert board["counts"]["messages"] == figures.messages

    exported_groups = {g["id"]: g for g in doc["groups"]}
    assert set(exported_groups) == set(figures.groups)
    for label, g in figures.groups.items():
        e = exported_groups[label]
        assert (e["members"], e["admins"], e["creator"], e["created"], e["names"], e["platform"]) == (
            list(g.members), list(g.admins), g.creator, g.created, list(g.names), g.platform), label
    exported_persons = {p["id"]: p for p in doc["persons"]}
    assert set(exported_persons) == set(figures.persons)
    for label, p in figures.persons.items():
        e = exported_persons[label]
        assert {k: e[k] for k in p.counts()} == p.counts() == stored[label], label
        assert (e["names"], e["phones"], e["countries"], e["roles"], e["groups"], e["priority"]) == (
            list(p.names), list(p.phones), list(p.countries), list(p.roles), list(p.groups), p.priority), label

    overview = {row[0]: row for row in _table((tmp_path / "overview.html").read_text(encoding="utf-8"), "Per group")}
    for label, g in figures.groups.items():
        assert (web_group_rows[label]["members"], web_group_rows[label]["messages"]) == (len(g.members), g.messages)
        assert (int(overview[label][6]), int(overview[label][7])) == (len(g.members), g.messages), label
        assert web_group_rows[label]["media_posts"] == g.media_posts == int(overview[label][8])

    summaries: dict[str, dict[str, str]] = {}
    for package in (tmp_path / "packages").glob("*.zip"):
        with zipfile.ZipFile(package) as zf:
            text = zf.read("summary.csv").decode("utf-8")
            summaries.update({r["person"]: r for r in csv.DictReader(io.StringIO(text.split("\n", 1)[1]))})
    for label, p in figures.persons.items():
        dossier = json.loads((tmp_path / "dossiers" / f"{label}.json").read_text(encoding="utf-8"))
        assert dossier["counts"]["messages"] == dossier["messages_total"] == p.messages, label
        assert len(dossier["messages"]) == min(p.messages, 200)
        assert dossier["counts"]["media_posted"] == dossier["posts_total"] == p.media_posted
        assert {n["name"] for n in dossier["names"]} == {s.name for s in p.sightings}
        assert live[label] is not None and live[label]["counts"] == dossier["counts"]
        assert live[label]["messages_total"] == p.messages
        web = web_person_rows[label]
        assert (web["names"], web["messages"], web["media_posted"]) == (list(p.names), p.messages, p.media_posted)
        if label in summaries:
            row = summaries[label]
            assert (row["names"], int(row["messages"]), int(row["media_posted"])) == (
                "; ".join(p.names), p.messages, p.media_posted), label
        html = Page((tmp_path / "dossiers" / f"{label}.html").read_text(encoding="utf-8")).all_text
        assert all(name in html for name in p.names if name == name.strip())
    assert set(summaries) <= set(figures.persons) and summaries


def test_messages_are_counted_once_however_many_phones_recorded_them(small_demo: Path) -> None:
    with CaseStore.open(small_demo) as store:
        rows = recordings(store.conn)
        figures = case_figures(store.conn)
        for pid, label in store.conn.execute("SELECT id, label FROM person"):
            alone = distinct_messages(recordings(store.conn, pid))
            assert len(alone) == figures.persons[label].messages
    messages = distinct_messages(rows)
    assert len(messages) == figures.messages < figures.recordings == len(rows)
    assert any(len({r.exhibit for r in copies}) > 1 for copies in messages), "the demo records groups on several phones"
    assert sum(g.messages for g in figures.groups.values()) <= figures.messages


def test_overview_timeline_is_the_operation_with_every_group_creation(small_demo: Path) -> None:
    from tantalio.report.caseview import CaseView
    from tantalio.report.overview import build_overview

    with CaseStore.open(small_demo) as store:
        overview = build_overview(CaseView(store))
        groups = store.conn.execute("SELECT count(*) FROM chat WHERE is_group = 1").fetchone()[0]
        exhibits = store.conn.execute("SELECT count(*) FROM exhibit").fetchone()[0]
    created = [m for m in overview.milestones if " created" in m.what]
    assert len(created) == groups == len({m.what.split()[1] for m in created})
    assert not [m for m in overview.milestones if "registered" in m.what or (m.time or "") >= "2020"]
    assert len([m for m in overview.processing if "registered" in m.what]) == exhibits
    assert any(m.what.startswith("ingest") for m in overview.processing)


def test_export_analysis_and_reports_count_messages_alike_across_a_minute_boundary(tmp_path: Path) -> None:
    """Two phones recorded one message at 19:59:30 and 20:00:00 (another minute): it is one
    message in the export, the dossier and the streamed count network analysis stores."""
    from tantalio.network.case_sections import owner_persons
    from tantalio.network.figures import message_counts

    from .casefixture import INJECTION_TEXT, build_case

    fx = build_case(tmp_path)
    with CaseStore.open(fx.folder) as store:
        with store.transaction():
            store.conn.execute(
                "INSERT INTO message(id, chat_obs_id, source_file_id, exhibit_id, message_key, location, "
                "sender_identifier_id, time, time_raw, text, kind) VALUES (9, 2, 3, 'EX-02', 'k9', 'line 20', 3, "
                "'2017-01-26T19:59:30Z', '26/01/2017 19:59', ?, 'text')", (INJECTION_TEXT,))
            store.conn.execute(   # Ben's own message on his phone, no sender recorded, no time
                "INSERT INTO message(id, chat_obs_id, source_file_id, exhibit_id, message_key, location, from_me, "
                "time, time_raw, text, kind) VALUES (10, 2, 3, 'EX-02', 'k10', 'line 21', 1, NULL, '?', 'hi', 'text')")
        figures = case_figures(store.conn)
        streamed = message_counts(store.conn, owner_persons(store.conn))
        exported = {p["id"]: p for p in build_case_document(store)["persons"]}
        clusters = distinct_messages(recordings(store.conn))
    assert streamed.messages == figures.messages == len(clusters)
    assert streamed.recordings == figures.recordings == sum(len(c) for c in clusters)
    labels = {1: "P-001", 2: "P-002", 3: "P-003", 4: "P-004", 5: "P-005"}
    for pid, label in labels.items():
        expected = sum(1 for c in clusters if c[0].sender == pid)
        assert streamed.by_sender[pid] == figures.persons[label].messages == exported[label]["messages"] == expected
    assert figures.persons["P-003"].messages == 1          # one message, two recordings
    assert figures.persons["P-002"].messages == 3          # two posts and the untimed "from me" line
