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

A code the list's scheme does not know is **uncategorised**, never illegal: NIST's NSRL in VICS
1.2 form carries Category 8, which no built-in scheme knows, and a list of ordinary reference
files must not flag ordinary files as abuse material. The import warns once per unknown code and
says how to map it: ``--category-map 8=ignorable`` (or ``CODE=STATUS:LABEL``, or a JSON scheme
file); the map is kept with the list and applied at every match. An entry *without* a category
takes its list's kind (``--kind``), which the analyst declared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

ILLEGAL = "illegal"
IGNORABLE = "ignorable"
PERTINENT = "pertinent"
STATUSES = (ILLEGAL, IGNORABLE, PERTINENT)
UNCATEGORISED = "uncategorised"
"""The status of a code neither the scheme nor the list's category map knows."""


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

NONE = CategoryScheme("none", "No scheme: entries without a category take their list's kind; every category code "
                      "is uncategorised unless the list's category map names it.", {}, confirmed=True)

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


CategoryMap = dict[str, Category]
"""A list's own codes, over its scheme: {code: Category}."""


def parse_category_map(specs: list[str]) -> CategoryMap:
    """``CODE=STATUS`` or ``CODE=STATUS:LABEL`` items, or paths of JSON scheme files, into a map.
    Raises ValueError naming the bad item."""
    mapped: CategoryMap = {}
    for spec in specs:
        if "=" not in spec and Path(spec).is_file():
            mapped.update(load_scheme(spec).codes)
            continue
        code, _, rest = spec.partition("=")
        status, _, label = rest.partition(":")
        code, status = code.strip().upper(), status.strip().lower()
        if not code or status not in STATUSES:
            raise ValueError(f"--category-map {spec!r}: write CODE=STATUS[:LABEL] with STATUS one of "
                             f"{', '.join(STATUSES)}, or give a JSON scheme file")
        mapped[code] = Category(label.strip() or f"Category {code}", status)
    return mapped


def map_to_json(mapped: CategoryMap) -> str | None:
    if not mapped:
        return None
    return json.dumps({code: {"label": c.label, "status": c.status} for code, c in sorted(mapped.items())},
                      ensure_ascii=False, sort_keys=True)


def map_from_json(text: str | None) -> CategoryMap:
    if not text:
        return {}
    return {code: Category(spec["label"], spec["status"]) for code, spec in json.loads(text).items()}


def category_of(scheme: CategoryScheme | None, mapped: CategoryMap | None, code: str | None) -> Category | None:
    """What a list's code means: its own map first, then its scheme."""
    if code is None or not code.strip():
        return None
    key = code.strip().upper()
    if mapped and key in mapped:
        return mapped[key]
    return scheme.category(key) if scheme else None


def entry_status(list_kind: str, scheme: CategoryScheme | None, category: str | None,
                 mapped: CategoryMap | None = None) -> str:
    """The status one matched entry lends an item.

    * an ``ignorable`` list is ignorable whatever the code;
    * no code: the list's kind;
    * a code the list's map or scheme knows: that code's status (a non-pertinent code inside a
      VICS list must not make an item "known");
    * any other code: ``uncategorised`` (never illegal).
    """
    if list_kind == IGNORABLE:
        return IGNORABLE
    if category is None or not category.strip():
        return list_kind
    found = category_of(scheme, mapped, category)
    return found.status if found else UNCATEGORISED
