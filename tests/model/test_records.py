"""One vocabulary: a field name means one thing and has one type across all records.

Whether a field may be missing (``X | None``) can differ between records (an event need not come
from a message, a media reference always does); the type of its value may not."""

from __future__ import annotations

import typing

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
