"""A `~ name` sender in an iOS export is linked to the one number the case's databases record
with that push name; several numbers make a lead, and address-book names never link alone."""

from __future__ import annotations

from pathlib import Path

from tantalio.model import Party
from tantalio.network.push_names import push_name_of
from tantalio.network.rebuild import rebuild_network
from tantalio.store import CaseStore

from .builder import CaseBuilder, at, name, phone

JID = "120363000000000009@g.us"
OWNER_A, OWNER_B, OWNER_C, RAUL, MARTA, LUIS_1, LUIS_2 = (
    "+34612345401", "+34612345402", "+34612345403", "+34612345404", "+34612345405", "+34612345406", "+34612345407")


def label_person(store: CaseStore, label: str) -> int | None:
    row = store.conn.execute("SELECT person_id FROM identifier WHERE kind='display_name' AND scope='EX-A'"
                             " AND normalized=? AND context != ''", (label,)).fetchone()
    assert row is not None, label
    return row[0]


def phone_person(store: CaseStore, number: str) -> int:
    return int(store.conn.execute("SELECT person_id FROM identifier WHERE kind='phone' AND normalized=?",
                                  (number,)).fetchone()[0])


def build(tmp: Path) -> CaseStore:
    case = CaseBuilder(tmp / "case")
    for ex, owner in (("EX-A", OWNER_A), ("EX-B", OWNER_B), ("EX-C", OWNER_C)):
        case.exhibit(ex, owner)
    # EX-A: an iOS export of a group no database of the case holds; strangers print as "~ push name"
    a = case.recording("EX-A", "WhatsApp Chat - Sala.zip!/_chat.txt", "Sala").chat("Sala")
    a.alias(phone(MARTA), "Marta Trabajo")                          # EX-A's own address book
    for n, who in enumerate(("~\u00a0Raúl ✌", "~ Luis", "Marta Trabajo", "~ Raúl ✌")):
        a.say(name(who), at(n), f"mensaje {n}")
    a.say(Party.owner(), at(9), "hola")
    # EX-B and EX-C: databases of other groups, recording push names beside numbers
    b = case.recording("EX-B", "wa.db", "wa.db")
    b.alias(phone(RAUL), "Raúl ✌", "push_name")
    b.alias(phone(LUIS_1), "Luis", "push_name")
    b.alias(phone(MARTA), "Marta", "push_name")
    c = case.recording("EX-C", "wa.db", "wa.db")
    c.alias(phone(RAUL), "Raúl ✌", "push_name")
    c.alias(phone(LUIS_2), "Luis", "push_name")
    c.alias(phone(MARTA), "Marta Trabajo", "address_book")           # the same words, another device's book
    other = case.recording("EX-C", "msgstore.db", JID).chat("Otro", JID)
    for n, who in enumerate((RAUL, LUIS_1, LUIS_2, MARTA)):
        other.say(phone(who), at(20 + n), "hola")
    return case.write()


def test_push_name_of_reads_only_tilde_labels() -> None:
    assert push_name_of("~\u00a0Raúl ✌") == "Raúl ✌" and push_name_of("Raúl") is None


def test_push_name_recorded_with_one_number_links_the_label(tmp_path: Path) -> None:
    store = build(tmp_path)
    rebuild_network(store)
    assert label_person(store, "~ Raúl ✌") == phone_person(store, RAUL)
    merge = store.conn.execute("SELECT confidence, evidence FROM person_merge WHERE actor='analyze'"
                               " AND evidence LIKE '%push name%'").fetchone()
    assert merge is not None and 0.5 <= merge[0] < 1.0 and '"EX-B"' in merge[1] and '"EX-C"' in merge[1]


def test_push_name_of_several_numbers_is_a_lead_and_book_names_never_link(tmp_path: Path) -> None:
    store = build(tmp_path)
    rebuild_network(store)
    luis = label_person(store, "~ Luis")
    assert luis not in (phone_person(store, LUIS_1), phone_person(store, LUIS_2))
    warnings = [m for (m,) in store.conn.execute("SELECT message FROM warning WHERE stage='analyze'")]
    assert any("'Luis'" in m and "2 different numbers" in m for m in warnings)
    # EX-A's own book names Marta: linked on EX-A's evidence, never on EX-C's identical book entry alone
    assert label_person(store, "Marta Trabajo") == phone_person(store, MARTA)
