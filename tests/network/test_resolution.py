"""Identity and group resolution across exhibits, on hand-made records written by the real writer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tantalio.model import Party
from tantalio.network.rebuild import rebuild_network as run
from tantalio.store import CaseStore

from .builder import CaseBuilder, at, name, phone

JID = "120363000000000001@g.us"
PEPE, ANA, OWNER_A, OWNER_B, OTHER_PEPE, OWNER_C = (
    "+34612345302", "+34612345303", "+34612345301", "+34612345304", "+34612345306", "+34612345305")
SKEW_MIN = 7  # EX-B's clock (or its timezone setting) is 7 minutes ahead
SHA = "ab" * 32


def build(tmp: Path) -> CaseStore:
    case = CaseBuilder(tmp / "case")
    case.exhibit("EX-A", OWNER_A)
    case.exhibit("EX-B", OWNER_B)
    case.exhibit("EX-C", OWNER_C)

    # EX-A: Android database; knows the group by JID and its current name; people by number.
    a = case.recording("EX-A", "msgstore.db", JID).chat("Amigos", JID, at(-60), phone(PEPE))
    a.event("created", phone(PEPE), phone(PEPE), at(-60))
    a.event("added", phone(ANA), phone(PEPE), at(-30))
    a.event("added", phone(OWNER_B), phone(PEPE), at(-29))
    for minute, who, text in [(0, PEPE, "Buenas noches"), (1, ANA, "Hola a todos"), (3, OWNER_B, "que tal"),
                              (5, PEPE, "mañana más"), (8, ANA, "ok"), (9, PEPE, "ok"), (12, OWNER_B, "gracias Pepe")]:
        a.say(phone(who), at(minute + 0.25), text)
    a.say(phone(ANA), at(10.1), sha=SHA, forwarded=True)
    a.say(None, at(11), "yo también", from_me=True)

    # EX-B: .txt export of the same group under its old name, no JID, labels from the address
    # book, minute precision, a clock 7 minutes ahead, the first message missing.
    b = case.recording("EX-B", "WhatsApp Chat with Amigos viejos.txt", "Amigos viejos.txt").chat("Amigos viejos")
    b.alias(phone(PEPE), "Pepe BCN")
    sk = SKEW_MIN
    b.event("added", name("+34 612 34-53 03\u200e"), name("Pepe BCN"), at(-30 + sk))
    for minute, who, text in [(1, name("+34 612 34-53 03\u200e"), "Hola a todos"), (3, Party.owner(), "que tal"),
                              (5, name("Pepe BCN"), "mañana más"), (8, name("+34 612 34-53 03\u200e"), "ok"),
                              (9, name("Pepe BCN"), "ok"), (11, name("Juan A."), "yo también"),
                              (12, Party.owner(), "gracias Pepe")]:
        b.say(who, at(minute + sk), text)
    b.say(name("+34 612 34-53 03\u200e"), at(10 + sk), sha=SHA, forwarded=True)

    # EX-C: another group; its owner's address book also says "Pepe BCN", for a different number.
    c = case.recording("EX-C", "msgstore.db", "120363000000000002@g.us").chat("Otros", "120363000000000002@g.us")
    c.alias(phone(OTHER_PEPE), "Pepe BCN")
    c.say(phone(OTHER_PEPE), at(20), "hola")
    c.say(phone(PEPE), at(30), sha=SHA, forwarded=True)
    c.say(name("Pepe BCN"), at(31), "otra vez")          # the label as EX-C's own export would write it
    return case.write()


@pytest.fixture
def store(tmp_path: Path) -> CaseStore:
    s = build(tmp_path)
    run(s)
    return s


B_CHAT, C_CHAT = "Amigos viejos.txt", "120363000000000002@g.us"   # where EX-B's and EX-C's labels were seen


def person_of(store: CaseStore, kind: str, normalized: str, scope: str = "", context: str = "") -> int:
    row = store.conn.execute("SELECT person_id FROM identifier WHERE kind=? AND normalized=? AND scope=? AND context=?",
                             (kind, normalized, scope, context)).fetchone()
    assert row is not None and row[0] is not None, (kind, normalized, scope, context)
    return int(row[0])


def test_renamed_group_without_jid_is_the_same_group(store: CaseStore) -> None:
    groups = store.conn.execute("SELECT id, label FROM chat WHERE is_group = 1 ORDER BY label").fetchall()
    assert [g[1] for g in groups] == ["G-001", "G-002"]
    amigos = store.conn.execute("SELECT DISTINCT chat_id FROM chat_obs WHERE exhibit_id IN ('EX-A', 'EX-B')").fetchall()
    assert len(amigos) == 1
    names = {n for (n,) in store.conn.execute("SELECT name FROM chat_name WHERE chat_id=?", (amigos[0][0],))}
    assert names == {"Amigos", "Amigos viejos"}


def test_clock_skew_is_measured(store: CaseStore) -> None:
    offset = store.conn.execute(
        "SELECT a.offset_s FROM chat_obs_alignment a JOIN chat_obs o ON o.id = a.chat_obs_id WHERE o.exhibit_id='EX-B'"
    ).fetchone()[0]
    assert abs(offset + SKEW_MIN * 60) <= 60


def test_labels_resolve_to_the_numbers_behind_them(store: CaseStore) -> None:
    assert person_of(store, "display_name", "Pepe BCN", "EX-B", B_CHAT) == person_of(store, "phone", PEPE)
    # "+34 612 34-53 03" with an invisible mark is a phone number, not a name
    sender = store.conn.execute(
        "SELECT i.kind, i.normalized FROM message m JOIN identifier i ON i.id = m.sender_identifier_id"
        " WHERE m.exhibit_id='EX-B' AND m.text='Hola a todos'").fetchone()
    assert tuple(sender) == ("phone", ANA)
    # EX-B's owner speaks as "You": the same person EX-A names by number
    assert person_of(store, "phone", OWNER_B) == store.conn.execute(
        "SELECT i.person_id FROM message m JOIN identifier i ON i.id = m.sender_identifier_id"
        " WHERE m.exhibit_id='EX-B' AND m.text='que tal'").fetchone()[0]
    # EX-B's "Juan A." wrote what EX-A records as the owner's own message
    assert person_of(store, "display_name", "Juan A.", "EX-B", B_CHAT) == person_of(store, "phone", OWNER_A)


def test_two_people_sharing_a_display_name_stay_apart(store: CaseStore) -> None:
    assert person_of(store, "phone", PEPE) != person_of(store, "phone", OTHER_PEPE)
    assert person_of(store, "display_name", "Pepe BCN", "EX-C", C_CHAT) == person_of(store, "phone", OTHER_PEPE)
    phones_per_person = store.conn.execute(
        "SELECT max(n) FROM (SELECT count(*) n FROM identifier WHERE kind='phone' GROUP BY person_id)").fetchone()[0]
    assert phones_per_person == 1


def test_every_merge_is_logged_with_evidence(store: CaseStore) -> None:
    rows = store.conn.execute("SELECT reason, confidence, evidence FROM person_merge WHERE actor='analyze'").fetchall()
    assert rows and all(0 < r[1] <= 1 for r in rows)
    assert all(json.loads(r[2])["evidence"] for r in rows)


def test_group_history_is_merged_without_duplicates(store: CaseStore) -> None:
    events = store.conn.execute(
        "SELECT g.event, p.label, a.label, g.sources FROM group_event g LEFT JOIN person p ON p.id = g.person_id"
        " LEFT JOIN person a ON a.id = g.by_person_id ORDER BY g.time").fetchall()
    kinds = [e[0] for e in events]
    assert kinds.count("created") == 1 and kinds.count("added") == 2
    ana_added = [e for e in events if e[0] == "added" and len(json.loads(e[3])) == 2]
    assert len(ana_added) == 1            # seen on both phones, one event
    creator = store.conn.execute("SELECT creator_person_id FROM chat WHERE label='G-001'").fetchone()[0]
    assert creator == person_of(store, "phone", PEPE)


def test_first_sighting_of_forwarded_copy_says_origin_not_observed(store: CaseStore) -> None:
    posts = store.conn.execute("SELECT id, message_ids FROM post WHERE sha256=? ORDER BY time", (SHA,)).fetchall()
    assert len(posts) == 2 and len(json.loads(posts[0][1])) == 2     # one post seen on two phones
    fs = store.conn.execute("SELECT person_id, origin, note FROM first_sighting WHERE sha256=?",
                            (SHA,)).fetchone()
    assert fs[0] == person_of(store, "phone", ANA)
    assert fs[1] == "forwarded" and "origin not observed" in fs[2]
    edge = store.conn.execute("SELECT parent_post_id, confidence FROM propagation_edge WHERE post_id=?",
                              (posts[1][0],)).fetchone()
    assert edge[0] == posts[0][0] and edge[1] >= 0.5      # Pepe was in the group where it appeared


def test_analyze_is_idempotent(store: CaseStore) -> None:
    def snapshot() -> list[object]:
        return [store.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()  # noqa: S608
                for t in ("person", "chat", "group_event", "post", "first_sighting", "person_role", "membership_spell")]

    before = snapshot()
    run(store)
    assert snapshot() == before


def test_manual_split_and_merge_are_replayed(store: CaseStore) -> None:
    from tantalio.network.persons import merge_log, merge_persons, split_identifier, undo_merge

    split_identifier(store, "EX-B:Pepe BCN", "analyst: not the same person")
    run(store)
    assert person_of(store, "display_name", "Pepe BCN", "EX-B", B_CHAT) != person_of(store, "phone", PEPE)
    row = merge_persons(store, "EX-B:Pepe BCN", PEPE, "analyst: confirmed by interview")
    run(store)
    assert person_of(store, "display_name", "Pepe BCN", "EX-B", B_CHAT) == person_of(store, "phone", PEPE)
    undo_merge(store, row, "mistake")
    run(store)
    assert person_of(store, "display_name", "Pepe BCN", "EX-B", B_CHAT) != person_of(store, "phone", PEPE)
    auto = next(m for m in merge_log(store) if m["actor"] == "analyze")
    undo_merge(store, auto["id"], "analyst: wrong link")
    run(store)
    a, b = auto["evidence"]["identifiers"]
    pa = store.conn.execute("SELECT person_id FROM identifier WHERE id=?", (a,)).fetchone()[0]
    pb = store.conn.execute("SELECT person_id FROM identifier WHERE id=?", (b,)).fetchone()[0]
    assert pa != pb
