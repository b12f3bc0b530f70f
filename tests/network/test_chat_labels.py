"""Labels seen in a chat are resolved per chat: one device may show two people under one label."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tantalio.errors import UserError
from tantalio.network.persons import find_identifiers, merge_persons, split_identifier
from tantalio.network.rebuild import rebuild_network as run
from tantalio.store import CaseStore

from .builder import CaseBuilder, Recording, at, name, phone

OWNER_A, OWNER_B, OWNER_C = "+34612345401", "+34612345402", "+34612345403"
CARLOS_1, CARLOS_2, MARTA, LUIS_1, LUIS_2 = (
    "+34612345411", "+34612345412", "+34612345413", "+34612345414", "+34612345415")
JID_1, JID_2 = "120363000000000011@g.us", "120363000000000012@g.us"
CHAT_1, CHAT_2, CHAT_3 = "Chat 1.txt", "Chat 2.txt", "Chat 3.txt"


def _conversation(db: Recording, export: Recording, speaker: str, label: str, topic: str) -> None:
    """The same group as a database (by number) and an export (by label) record it."""
    for n in range(6):
        db.say(phone(speaker), at(10 * n + 0.2), f"{topic} mensaje {n}")
        export.say(name(label), at(10 * n), f"{topic} mensaje {n}")
        db.say(phone(OWNER_B if db.exhibit == "EX-B" else OWNER_C), at(10 * n + 3.2), f"{topic} respuesta {n}")
        export.say(name("Otro"), at(10 * n + 3), f"{topic} respuesta {n}")


def build(tmp: Path) -> CaseStore:
    case = CaseBuilder(tmp / "case")
    for ex, owner in (("EX-A", OWNER_A), ("EX-B", OWNER_B), ("EX-C", OWNER_C)):
        case.exhibit(ex, owner)
    # EX-A: exports of two groups, and an address book that saves two different men as "Carlos".
    book = case.recording("EX-A", "wa.db", "contacts")
    book.alias(phone(CARLOS_1), "Carlos")
    book.alias(phone(CARLOS_2), "Carlos")
    book.alias(phone(MARTA), "Marta")
    book.alias(phone(LUIS_1), "Luis", "push_name")
    book.alias(phone(LUIS_2), "Luis")
    one = case.recording("EX-A", CHAT_1, CHAT_1).chat("Grupo uno")
    two = case.recording("EX-A", CHAT_2, CHAT_2).chat("Grupo dos")
    # EX-B and EX-C hold the databases: "Carlos" of group one is CARLOS_1, of group two CARLOS_2.
    _conversation(case.recording("EX-B", "msgstore.db", JID_1).chat("Grupo uno", JID_1), one, CARLOS_1, "Carlos",
                  "uno")
    _conversation(case.recording("EX-C", "msgstore.db", JID_2).chat("Grupo dos", JID_2), two, CARLOS_2, "Carlos",
                  "dos")
    # A third export nobody else recorded: only EX-A's own names can tell who is who.
    three = case.recording("EX-A", CHAT_3, CHAT_3).chat("Grupo tres")
    three.say(name("Marta"), at(200), "hola")
    three.say(name("Luis"), at(201), "buenas")
    three.say(name("Carlos"), at(202), "qué tal")
    three.say(name("Otro"), at(203), "bien")
    return case.write()


@pytest.fixture
def store(tmp_path: Path) -> CaseStore:
    s = build(tmp_path)
    run(s)
    return s


def label_person(store: CaseStore, label: str, chat: str, exhibit: str = "EX-A") -> int | None:
    row = store.conn.execute("SELECT person_id FROM identifier WHERE kind='display_name' AND scope=? AND normalized=?"
                             " AND context=?", (exhibit, label, chat)).fetchone()
    assert row is not None, (label, chat)
    return None if row[0] is None else int(row[0])


def phone_person(store: CaseStore, number: str) -> int:
    return int(store.conn.execute("SELECT person_id FROM identifier WHERE kind='phone' AND normalized=?",
                                  (number,)).fetchone()[0])


def test_one_label_in_two_chats_of_one_device_is_two_people(store: CaseStore) -> None:
    assert label_person(store, "Carlos", CHAT_1) == phone_person(store, CARLOS_1)
    assert label_person(store, "Carlos", CHAT_2) == phone_person(store, CARLOS_2)
    assert phone_person(store, CARLOS_1) != phone_person(store, CARLOS_2)
    # the address-book name both share belongs to neither and is nobody by itself
    device_wide = store.conn.execute("SELECT person_id FROM identifier WHERE kind='display_name' AND scope='EX-A'"
                                     " AND normalized='Carlos' AND context=''").fetchone()
    assert device_wide[0] is None


def test_label_equal_to_one_address_book_name_is_that_contact(store: CaseStore) -> None:
    assert label_person(store, "Marta", CHAT_3) == phone_person(store, MARTA)
    evidence = [json.loads(e) for (e,) in store.conn.execute(
        "SELECT evidence FROM person_merge WHERE actor='analyze' AND confidence > 0.5")]
    assert any(item.get("kind") == "device name" and item.get("chat") == CHAT_3
               for ev in evidence for item in ev["evidence"])


def test_label_equal_to_two_contacts_names_stays_unresolved(store: CaseStore) -> None:
    luis = label_person(store, "Luis", CHAT_3)
    assert luis not in (phone_person(store, LUIS_1), phone_person(store, LUIS_2))
    # "Carlos" in the third chat: resolved elsewhere to two different men, so it is not guessed either
    assert label_person(store, "Carlos", CHAT_3) not in (phone_person(store, CARLOS_1),
                                                         phone_person(store, CARLOS_2))
    warnings = [m for (m,) in store.conn.execute("SELECT message FROM warning WHERE stage='analyze'")]
    assert any("'Luis'" in m and CHAT_3 in m and "several contacts" in m for m in warnings)
    assert any("'Carlos'" in m and CHAT_3 in m for m in warnings)
    assert not any(CHAT_1 in m or CHAT_2 in m for m in warnings)


def test_label_resolved_in_the_devices_other_chats_is_only_a_lead(tmp_path: Path) -> None:
    """Never merge on a shared display name alone: the lead goes to the warning log instead."""
    case = CaseBuilder(tmp_path / "case")
    for ex, owner in (("EX-A", OWNER_A), ("EX-B", OWNER_B)):
        case.exhibit(ex, owner)
    one = case.recording("EX-A", CHAT_1, CHAT_1).chat("Grupo uno")
    _conversation(case.recording("EX-B", "msgstore.db", JID_1).chat("Grupo uno", JID_1), one, CARLOS_1, "Carlos",
                  "uno")
    case.recording("EX-A", CHAT_2, CHAT_2).chat("Grupo dos").say(name("Carlos"), at(300), "solo aquí")
    store = case.write()
    run(store)
    assert label_person(store, "Carlos", CHAT_1) == phone_person(store, CARLOS_1)     # aligned: resolved
    assert label_person(store, "Carlos", CHAT_2) != phone_person(store, CARLOS_1)     # name only: not merged
    assert store.conn.execute("SELECT count(*) FROM person_merge WHERE reason LIKE 'same label%'").fetchone()[0] == 0
    warning = store.conn.execute("SELECT message FROM warning WHERE message LIKE '%not merged on a name alone%'"
                                 ).fetchone()
    assert warning is not None and "Carlos" in warning[0]


def test_analyst_names_a_label_in_every_chat_or_in_one(store: CaseStore) -> None:
    assert len(find_identifiers(store.conn, "EX-A:Carlos")) == 4     # address book + three chats
    only = find_identifiers(store.conn, "EX-A:Carlos", chat=CHAT_3)
    assert len(only) == 1
    group_one = store.conn.execute("SELECT c.label FROM chat c JOIN chat_obs o ON o.chat_id = c.id"
                                   " WHERE o.chat_key = ?", (JID_1,)).fetchone()[0]
    assert find_identifiers(store.conn, "EX-A:Carlos", chat=group_one) == find_identifiers(
        store.conn, "EX-A:Carlos", chat=CHAT_1)
    with pytest.raises(UserError):
        find_identifiers(store.conn, "EX-A:Carlos", chat="no such chat")
    merge_persons(store, "EX-A:Carlos", CARLOS_2, "analyst: the third chat's Carlos is the second", chat=CHAT_3)
    run(store)
    assert label_person(store, "Carlos", CHAT_3) == phone_person(store, CARLOS_2)
    assert label_person(store, "Carlos", CHAT_1) == phone_person(store, CARLOS_1)
    split_identifier(store, "EX-A:Carlos", "analyst: not sure of group one", chat=CHAT_1)
    run(store)
    assert label_person(store, "Carlos", CHAT_1) != phone_person(store, CARLOS_1)
    assert label_person(store, "Carlos", CHAT_2) == phone_person(store, CARLOS_2)
