"""Category schemes: what a hash list's category codes mean, as configuration.

The meaning of Project VIC category *numbers* per regional profile (US, UK...) was not found in a
public source we could read (HASHING.md section 3), so nothing here is hard-wired in the matcher:
a scheme is data, shipped profiles can be replaced by a JSON file (``load_scheme``), and the
shipped mappings are pinned by tests so any change is deliberate. What *is* public:

* sepinf-inc/IPED ``HashDBTool`` maps VICS Category 0 to "known" (non-pertinent) and 1 and 2 to
  its illegal class ("pedo"): that is the ``projectvic`` profile's status column.
* CAID severity grades A, B and C (HMICFRS glossary "child-sexual-abuse-image-grading"); CAID lists
  are imported under the Project VIC "UK - Standard" profile. Which VICS number carries which
  grade is UNCONFIRMED: the ``uk-caid`` numeric mapping below is an assumption to check against
  the list's own documentation before use.

Each code maps to a label and a status: ``illegal`` (a match makes the item "known"),
``ignorable`` (non-pertinent) or ``pertinent`` (worth showing, not by itself "known").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

ILLEGAL = "illegal"
IGNORABLE = "ignorable"
PERTINENT = "pertinent"
STATUSES = (ILLEGAL, IGNORABLE, PERTINENT)


@dataclass(frozen=True, slots=True)
class Category:
    label: str
    status: str


@dataclass(frozen=True, slots=True)
class CategoryScheme:
    name: str
    description: str
    codes: dict[str, Category] = field(default_factory=dict)
    confirmed: bool = False
    """True only when every code's meaning comes from a public or official source."""

    def category(self, code: str | None) -> Category | None:
        return None if code is None else self.codes.get(code.strip().upper())

    def label(self, code: str | None) -> str | None:
        found = self.category(code)
        return found.label if found else code


PROJECT_VIC = CategoryScheme(
    "projectvic",
    "Project VIC default/US profile. Statuses of 0/1/2 as IPED HashDBTool reads them; labels unconfirmed.",
    {
        "0": Category("Non-pertinent", IGNORABLE),
        "1": Category("Category 1 (child abuse material)", ILLEGAL),
        "2": Category("Category 2 (child exploitive / age difficult)", ILLEGAL),
        "3": Category("Category 3 (unconfirmed meaning)", PERTINENT),
        "4": Category("Category 4 (unconfirmed meaning)", PERTINENT),
        "5": Category("Category 5 (unconfirmed meaning)", PERTINENT),
    },
)

UK_CAID = CategoryScheme(
    "uk-caid",
    "UK CAID grades A/B/C (HMICFRS). Letter codes confirmed; numeric VICS codes 1-3 -> A-C UNCONFIRMED.",
    {
        "A": Category("CAID Category A", ILLEGAL),
        "B": Category("CAID Category B", ILLEGAL),
        "C": Category("CAID Category C", ILLEGAL),
        "0": Category("Non-pertinent", IGNORABLE),
        "1": Category("CAID Category A (numeric code, unconfirmed)", ILLEGAL),
        "2": Category("CAID Category B (numeric code, unconfirmed)", ILLEGAL),
        "3": Category("CAID Category C (numeric code, unconfirmed)", ILLEGAL),
    },
)

NONE = CategoryScheme("none", "No scheme: every entry takes its list's kind.", {}, confirmed=True)

SCHEMES = {scheme.name: scheme for scheme in (PROJECT_VIC, UK_CAID, NONE)}


def get_scheme(name: str) -> CategoryScheme:
    try:
        return SCHEMES[name]
    except KeyError:
        raise KeyError(f"unknown category scheme {name!r}; known: {', '.join(SCHEMES)}") from None


def load_scheme(path: str | Path) -> CategoryScheme:
    """A scheme from JSON: {"name", "description", "categories": {code: {"label", "status"}}}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    codes = {}
    for code, spec in data["categories"].items():
        if spec["status"] not in STATUSES:
            raise ValueError(f"category {code}: status must be one of {STATUSES}")
        codes[str(code).strip().upper()] = Category(str(spec["label"]), spec["status"])
    return CategoryScheme(str(data["name"]), str(data.get("description", "")), codes, bool(data.get("confirmed")))


def entry_status(list_kind: str, scheme: CategoryScheme | None, category: str | None) -> str:
    """The status one matched entry lends an item: its category's status on an ``illegal`` list
    (a non-pertinent code inside a VICS list must not make an item "known"); ``ignorable`` lists
    are ignorable whatever the code; unknown codes fall back to the list's kind."""
    if list_kind == IGNORABLE:
        return IGNORABLE
    found = scheme.category(category) if scheme else None
    return found.status if found else list_kind
