"""Stable group labels (issue 13 item 2): a G-/C- label, once issued, keeps naming the same
conversation after re-analysis with new exhibits, anchored on the group's JID, its Telegram chat
id, or one exhibit's recording of it (network/group_labels.py)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tantalio.cli.app import app
from tantalio.export import build_case_document
from tantalio.model import ChatRecord
from tantalio.network.group_labels import IssuedChatLabel, plan_chat_labels, show_group
from tantalio.network.rebuild import rebuild_network

from .builder import CaseBuilder, at, phone

ANA, BEA, CRIS = "+447700900101", "+447700900102", "+447700900103"
GARDEN, OLDER, BOOKS = "120363000000000001@g.us", "120363000000000002@g.us", "120363000000000003@g.us"
CHAPTERS = [f"chapter {n} was the best so far" for n in ("one", "two", "three", "ten", "eleven", "twelve")]


def _labels(builder: CaseBuilder) -> dict[str, str]:
    """chat key (or JID) of each recording -> the label of its conversation."""
    return {key: label for key, label in builder.store.conn.execute(
        "SELECT o.chat_key, c.label FROM chat_obs o JOIN chat c ON c.id = o.chat_id")}


def _telegram(builder: CaseBuilder, exhibit: str, path: str, chat_id: int, name: str, when: float) -> None:
    rec = builder.recording(exhibit, path, f"telegram:{chat_id}")
    rec.batch.records.append(ChatRecord(rec.ref, rec.chat_key, "telegram", True, None, name))
    for n, text in enumerate(("hello from", "seeds are in", "see you saturday")):
        rec.say(phone(ANA), at(when + n), f"{text} {name}")


def test_labels_survive_an_exhibit_bringing_older_groups(tmp_path: Path) -> None:
    b = CaseBuilder(tmp_path / "case")
    b.exhibit("EX-01", ANA, "GB", "Europe/London")
    garden = b.recording("EX-01", "msgstore.db", GARDEN).chat("Garden", GARDEN, at(100), phone(ANA))
    garden.say(phone(BEA), at(101), "tomatoes")
    club = b.recording("EX-01", "WhatsApp Chat - Club.txt", "WhatsApp Chat - Club.txt").chat("Club")
    club.say(phone(CRIS), at(200), "meeting at eight")
    _telegram(b, "EX-01", "result.json", -1001234567890, "Allotment", 300)
    b.write()
    rebuild_network(b.store)
    first = _labels(b)
    assert sorted(first.values()) == ["G-001", "G-002", "G-003"]
    with b.store.transaction():       # as a case analysed before labels were kept: chat rows only
        b.store.conn.execute("DELETE FROM chat_label")

    # a second phone: older groups (numbered before all of these had they been numbered afresh),
    # its own recording of the Garden group and of the Telegram group
    b.recordings.clear()
    b.exhibit("EX-02", BEA, "GB", "Europe/London")
    older = b.recording("EX-02", "msgstore.db", OLDER).chat("Older", OLDER, at(-500), phone(BEA))
    older.say(phone(BEA), at(-499), "first")
    again = b.recording("EX-02", "msgstore.db#2", GARDEN).chat("Garden (renamed)", GARDEN, at(100), phone(ANA))
    again.say(phone(BEA), at(101), "tomatoes")
    _telegram(b, "EX-02", "result.json", -1001234567890, "Allotment", 300)
    _telegram(b, "EX-02", "result2.json", -1009999999999, "Earliest", -900)
    b.write()
    rebuild_network(b.store)
    second = _labels(b)
    for key, label in first.items():
        assert second[key] == label, key                 # every label cited before names the same group
    new = {second[OLDER], second["telegram:-1009999999999"]}
    assert new == {"G-004", "G-005"}                     # numbers continue after the highest
    rebuild_network(b.store)
    assert _labels(b) == second                           # and a re-run changes nothing
    anchors = dict(b.store.conn.execute("SELECT label, anchor FROM chat_label"))
    assert anchors[first[GARDEN]] == f"jid:{GARDEN}"
    assert anchors[first["telegram:-1001234567890"]] == "telegram:-1001234567890"
    assert anchors[first["WhatsApp Chat - Club.txt"]] == "EX-01|WhatsApp Chat - Club.txt"
    b.store.close()


def test_merge_keeps_the_older_label_and_anchor_moves_to_the_jid() -> None:
    issued = [IssuedChatLabel("G-001", "G-", 1, "EX-01|chat.txt"), IssuedChatLabel("G-002", "G-", 2, "jid:x@g.us"),
              IssuedChatLabel("G-003", "G-", 3, "EX-09|gone.txt")]
    plan = plan_chat_labels([("G-", [(0, "jid:x@g.us"), (2, "EX-01|chat.txt"), (2, "EX-02|x@g.us")]),
                             ("G-", [(2, "EX-03|new.txt")])], issued, {"G-": 7})
    assert plan.labels == ["G-001", "G-008"]
    assert plan.merged == [("G-002", "G-001")] and plan.retired == ["G-003"]
    assert plan.anchors == {"G-001": "jid:x@g.us", "G-008": "EX-03|new.txt"}


def test_two_conversations_sharing_a_telegram_id_keep_their_own_labels() -> None:
    """Two exports of one channel not resolved as one conversation share its id: each label is
    anchored on a key its conversation holds alone, so re-running changes nothing."""
    shared = (1, "telegram:-1005")
    conversations = [("G-", [shared, (2, "EX-01|telegram:-1005")]), ("G-", [shared, (2, "EX-02|telegram:-1005")])]
    first = plan_chat_labels(conversations, [], {})
    assert first.labels == ["G-001", "G-002"]
    assert first.anchors == {"G-001": "EX-01|telegram:-1005", "G-002": "EX-02|telegram:-1005"}
    issued = [IssuedChatLabel(label, prefix, number, first.anchors[label]) for label, prefix, number in first.issued]
    again = plan_chat_labels(conversations, issued, {"G-": 2})
    assert again.labels == ["G-001", "G-002"] and not again.merged and not again.retired and not again.anchors
    merged = plan_chat_labels([("G-", [shared, (2, "EX-01|telegram:-1005"), (2, "EX-02|telegram:-1005")])],
                              issued, {"G-": 2})   # later resolved as one: the older label stays
    assert merged.labels == ["G-001"] and merged.merged == [("G-002", "G-001")]
    assert merged.anchors == {"G-001": "telegram:-1005"}


def test_two_labels_of_one_group_merge_into_the_older(tmp_path: Path) -> None:
    """Two exports of one group that do not overlap get a label each; a phone recording them both
    joins them: the older label stays, the other is retired as merged into it (``retired_groups``)."""
    b = CaseBuilder(tmp_path / "case")
    b.exhibit("EX-01", ANA, "GB", "Europe/London")
    for path, name, chapters, start in (("WhatsApp Chat - Book club.txt", "Book club", CHAPTERS[:3], 400),
                                        ("WhatsApp Chat - Readers.txt", "Readers", CHAPTERS[3:], 500)):
        rec = b.recording("EX-01", path, path).chat(name)
        for n, text in enumerate(chapters):
            rec.say(phone(CRIS), at(start + n), text)
    b.write()
    rebuild_network(b.store)
    first = _labels(b)
    older, newer = sorted({first["WhatsApp Chat - Book club.txt"], first["WhatsApp Chat - Readers.txt"]})
    b.recordings.clear()
    b.exhibit("EX-02", BEA, "GB", "Europe/London")
    whole = b.recording("EX-02", "msgstore.db", BOOKS).chat("Book club", BOOKS, at(390), phone(CRIS))
    for n, text in enumerate(CHAPTERS):
        whole.say(phone(CRIS), at((400 if n < 3 else 497) + n), text)
    b.write()
    rebuild_network(b.store)
    second = _labels(b)
    assert set(second.values()) == {older}
    doc = build_case_document(b.store)
    gone = {r["id"]: r for r in doc["retired_groups"]}
    assert gone[newer]["status"] == "merged" and gone[newer]["now"] == older
    assert {g["id"] for g in doc["groups"]} == {older}
    assert dict(b.store.conn.execute("SELECT label, anchor FROM chat_label WHERE status = 'active'")) == {
        older: f"jid:{BOOKS}"}
    # a label cited in an earlier report resolves: `tantalio groups show`
    gone_one = show_group(b.store.conn, newer)
    assert gone_one["status"] == "merged" and gone_one["now"] == older
    kept = show_group(b.store.conn, older)
    assert kept["status"] == "active" and kept["anchor"] == f"jid:{BOOKS}" and kept["members"] >= 1
    assert [m["label"] for m in kept["merged_from"]] == [newer] and set(kept["recorded_by"]) == {"EX-01", "EX-02"}
    result = CliRunner().invoke(app, ["groups", "show", str(b.store.folder), newer])
    assert result.exit_code == 0 and f"It now names the conversation labelled {older}" in result.output
    result = CliRunner().invoke(app, ["groups", "show", str(b.store.folder), "G-999"])
    assert result.exit_code != 0
    b.store.close()
