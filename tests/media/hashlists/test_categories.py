from __future__ import annotations

import json
from pathlib import Path

import pytest

from tantalio.media.hashlists.categories import (
    IGNORABLE,
    ILLEGAL,
    NONE,
    PERTINENT,
    PROJECT_VIC,
    UK_CAID,
    UNCATEGORISED,
    Category,
    entry_status,
    get_scheme,
    load_scheme,
    map_from_json,
    map_to_json,
    parse_category_map,
)


def test_shipped_mappings_are_pinned() -> None:
    """Changing a shipped mapping must be deliberate: it changes which items count as known."""
    assert {code: c.status for code, c in PROJECT_VIC.codes.items()} == {
        "0": IGNORABLE, "1": ILLEGAL, "2": ILLEGAL, "3": PERTINENT, "4": PERTINENT, "5": PERTINENT}
    assert {code: c.status for code, c in UK_CAID.codes.items()} == {
        "A": ILLEGAL, "B": ILLEGAL, "C": ILLEGAL, "0": IGNORABLE, "1": ILLEGAL, "2": ILLEGAL, "3": ILLEGAL}
    assert UK_CAID.label("a") == "CAID Category A" and UK_CAID.label("9") == "9"
    assert not PROJECT_VIC.confirmed and not UK_CAID.confirmed and NONE.codes == {}


def test_entry_status_rules() -> None:
    assert entry_status("illegal", PROJECT_VIC, "1") == ILLEGAL
    assert entry_status("illegal", PROJECT_VIC, "0") == IGNORABLE
    assert entry_status("illegal", PROJECT_VIC, "3") == PERTINENT
    assert entry_status("illegal", None, None) == ILLEGAL  # no code: the list's declared kind
    assert entry_status("illegal", PROJECT_VIC, " ") == ILLEGAL
    assert entry_status("ignorable", PROJECT_VIC, "1") == IGNORABLE


def test_an_unknown_code_is_never_illegal() -> None:
    """NSRL's Category 8 in VICS 1.2 form: no built-in scheme knows it."""
    for scheme in (PROJECT_VIC, UK_CAID, get_scheme("none"), None):
        assert entry_status("illegal", scheme, "8") == UNCATEGORISED
    assert entry_status("illegal", UK_CAID, "D") == UNCATEGORISED
    assert entry_status("illegal", NONE, "1") == UNCATEGORISED


def test_a_list_category_map_overrides_its_scheme() -> None:
    mapped = parse_category_map(["8=ignorable", "9=illegal:Local severe", " 1 = pertinent "])
    assert mapped == {"8": Category("Category 8", IGNORABLE), "9": Category("Local severe", ILLEGAL),
                      "1": Category("Category 1", PERTINENT)}
    assert entry_status("illegal", PROJECT_VIC, "8", mapped) == IGNORABLE
    assert entry_status("illegal", PROJECT_VIC, "1", mapped) == PERTINENT
    assert entry_status("illegal", PROJECT_VIC, "2", mapped) == ILLEGAL
    assert map_from_json(map_to_json(mapped)) == mapped and map_to_json({}) is None
    for bad in ("8", "8=known", "=illegal"):
        with pytest.raises(ValueError, match="CODE=STATUS"):
            parse_category_map([bad])


def test_scheme_from_json(tmp_path: Path) -> None:
    path = tmp_path / "scheme.json"
    path.write_text(json.dumps({"name": "local", "categories": {
        "x": {"label": "Severe", "status": "illegal"}, "n": {"label": "Nothing", "status": "ignorable"}}}))
    scheme = load_scheme(path)
    assert scheme.category("X") is not None and entry_status("illegal", scheme, "n") == IGNORABLE
    assert parse_category_map([str(path)]) == scheme.codes
