"""One vocabulary: a field name means one thing and has one type across all records.

Whether a field may be missing (``X | None``) can differ between records (an event need not come
from a message, a media reference always does); the type of its value may not."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from tantalio import model
from tantalio.model import RECORD_TYPES


def _value_type(t: object) -> object:
    args = typing.get_args(t)
    if type(None) in args:
        rest = tuple(a for a in args if a is not type(None))
        return rest[0] if len(rest) == 1 else rest
    return t


def test_one_field_name_one_type() -> None:
    seen: dict[str, tuple[object, str]] = {}
    for cls in RECORD_TYPES:
        hints = typing.get_type_hints(cls, vars(model.records))
        for name in cls._fields:
            t = _value_type(hints[name])
            if name in seen:
                assert seen[name][0] == t, f"{cls.__name__}.{name} is {t}, but {seen[name][1]} has {seen[name][0]}"
            else:
                seen[name] = (t, cls.__name__)


def test_every_record_carries_provenance() -> None:
    for cls in RECORD_TYPES:
        assert cls._fields[0] == "ref", cls
        record = cls._make([None] * len(cls._fields))
        with pytest.raises(AttributeError):  # immutable: evidence records are never edited
            record.ref = None


def test_source_ref_location() -> None:
    ref = model.SourceRef("EX-01", "a/b.txt", "0" * 64, "p")
    assert ref.at_line(7).location() == "a/b.txt:7"
    assert ref.at_row("message:3").location() == "a/b.txt#message:3"


# A membership event's words (issue 12): the record, both tables and the case export name the
# kind of event, the member concerned and who did it the same way. An id column carries its
# word and what it points at (``person_identifier_id``, ``by_person_id``).
EVENT_WORDS = {"event", "person", "by"}
OTHER_VOCABULARIES = {"kind", "subject", "actor"}


def _word(column: str) -> str:
    for suffix in ("_identifier_id", "_person_id", "_id"):
        if column.endswith(suffix):
            return column[: -len(suffix)]
    return column


def test_membership_event_one_vocabulary_in_record_tables_and_export(tmp_path: Path) -> None:
    from tantalio.export import build_case_document
    from tantalio.network.rebuild import rebuild_network
    from tests.network.test_resolution import build

    record_words = set(model.MembershipEventRecord._fields) - {"ref", "chat_key", "time", "time_raw", "detail",
                                                               "message_key"}
    assert record_words == EVENT_WORDS
    store = build(tmp_path)
    try:
        for table in ("membership_event", "group_event"):
            words = {_word(row[1]) for row in store.conn.execute(f"PRAGMA table_info({table})")}
            assert EVENT_WORDS <= words, (table, words)
            assert not words & OTHER_VOCABULARIES, (table, words & OTHER_VOCABULARIES)
        rebuild_network(store)
        memberships = build_case_document(store)["memberships"]
    finally:
        store.close()
    assert memberships and all(set(m) == EVENT_WORDS | {"group", "time"} for m in memberships)
