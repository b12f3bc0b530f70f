from __future__ import annotations

import json
from pathlib import Path

from tantalio.media.hashlists.categories import (
    IGNORABLE,
    ILLEGAL,
    PERTINENT,
    PROJECT_VIC,
    UK_CAID,
    entry_status,
    get_scheme,
    load_scheme,
)


def test_shipped_mappings_are_pinned() -> None:
    """Changing a shipped mapping must be deliberate: it changes which items count as known."""
    assert {code: c.status for code, c in PROJECT_VIC.codes.items()} == {
        "0": IGNORABLE, "1": ILLEGAL, "2": ILLEGAL, "3": PERTINENT, "4": PERTINENT, "5": PERTINENT}
    assert {code: c.status for code, c in UK_CAID.codes.items()} == {
        "A": ILLEGAL, "B": ILLEGAL, "C": ILLEGAL, "0": IGNORABLE, "1": ILLEGAL, "2": ILLEGAL, "3": ILLEGAL}
    assert UK_CAID.label("a") == "CAID Category A" and UK_CAID.label("9") == "9"
    assert not PROJECT_VIC.confirmed and not UK_CAID.confirmed


def test_entry_status_rules() -> None:
    assert entry_status("illegal", PROJECT_VIC, "1") == ILLEGAL
    assert entry_status("illegal", PROJECT_VIC, "0") == IGNORABLE
    assert entry_status("illegal", PROJECT_VIC, "3") == PERTINENT
    assert entry_status("illegal", PROJECT_VIC, "77") == ILLEGAL
    assert entry_status("illegal", None, None) == ILLEGAL
    assert entry_status("ignorable", PROJECT_VIC, "1") == IGNORABLE
    assert entry_status("illegal", get_scheme("none"), "1") == ILLEGAL


def test_scheme_from_json(tmp_path: Path) -> None:
    path = tmp_path / "scheme.json"
    path.write_text(json.dumps({"name": "local", "categories": {
        "x": {"label": "Severe", "status": "illegal"}, "n": {"label": "Nothing", "status": "ignorable"}}}))
    scheme = load_scheme(path)
    assert scheme.category("X") is not None and entry_status("illegal", scheme, "n") == IGNORABLE
