"""One vocabulary: a field name means one thing and has one type across all records.

Whether a field may be missing (``X | None``) can differ between records (an event need not come
from a message, a media reference always does); the type of its value may not."""

from __future__ import annotations

import dataclasses
import typing

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
        for f in dataclasses.fields(cls):
            t = _value_type(hints[f.name])
            if f.name in seen:
                assert seen[f.name][0] == t, f"{cls.__name__}.{f.name} is {t}, but {seen[f.name][1]} has {seen[f.name][0]}"
            else:
                seen[f.name] = (t, cls.__name__)


def test_every_record_carries_provenance() -> None:
    for cls in RECORD_TYPES:
        assert dataclasses.fields(cls)[0].name == "ref", cls
        assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_source_ref_location() -> None:
    ref = model.SourceRef("EX-01", "a/b.txt", "0" * 64, "p")
    assert ref.at_line(7).location() == "a/b.txt:7"
    assert ref.at_row("message:3").location() == "a/b.txt#message:3"
