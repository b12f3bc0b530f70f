"""Message-header grammar of WhatsApp .txt exports, and the per-file inference of its shape.

The date and clock follow the phone's locale, not WhatsApp's language (shared/FORMATS.md §1.1),
so one file uses one shape: Android ``1/29/18, 12:24 PM - `` or iOS ``[29.01.18, 12:24:03] ``,
day or month first, 2- or 4-digit years, ``:`` or ``.`` in times, ``klo`` in Finnish. A loose
:data:`CANDIDATE` regex finds every line that could be a header; the most common shape wins and
day/month order is inferred from all its dates (a value over 12, then which field changes more
often). Only lines matching that one compiled shape start messages, so a pasted or quoted line in
another format stays inside the message it belongs to.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

# Marks that exports scatter before headers, inside brackets and around numbers. They carry no
# text, so matching skips them; the stored raw line keeps them.
INVISIBLE = "\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_SP = "[ \u00a0\u202f\u2009]"  # CLDR moved the space before AM/PM to U+202F; Pustur#224 saw NBSP
_AMPM = rf"{_SP}?(?P<ap>[AaPp])\.?{_SP}?[Mm]\.?"

CANDIDATE = re.compile(
    rf"[{INVISIBLE}]*(?P<open>\[)?[{INVISIBLE}]*"
    r"(?P<a>\d{1,4})(?P<ds>[./-])(?P<b>\d{1,2})(?P=ds)(?P<c>\d{1,4})"
    rf"(?P<dt>,{_SP}?|{_SP}klo{_SP}|{_SP})"
    r"(?P<h>\d{1,2})(?P<ts>[:.])(?P<mi>\d{2})(?:(?P=ts)(?P<s>\d{2}))?"
    rf"(?:{_AMPM})?"
    rf"(?P<end>\.?{_SP}[-–]{_SP}|\]{_SP}?)"
)

DateOrder = str
"""Field order of the date, three letters: ``dmy``, ``mdy``, ``ymd`` or ``ydm``."""
DATE_ORDERS = ("dmy", "mdy", "ymd", "ydm")


@dataclass(frozen=True, slots=True)
class HeaderShape:
    """Everything that stays fixed between the headers of one export."""

    bracket: bool
    date_sep: str
    year_first: bool
    year_digits: int
    between: str  # "," (comma, optional space), " " or "klo"
    time_sep: str
    seconds: bool
    ampm: bool
    ampm_dotted: bool  # "p. m." / "a.m." (Spanish, Latin America...) rather than US "PM"
    dot_after_time: bool

    def compile(self) -> re.Pattern[str]:
        ds, ts = re.escape(self.date_sep), re.escape(self.time_sep)
        year = r"\d{4}" if self.year_digits == 4 else r"\d{2}"
        if self.year_first:
            date = rf"(?P<f1>{year}){ds}(?P<f2>\d{{1,2}}){ds}(?P<f3>\d{{1,2}})"
        else:
            date = rf"(?P<f1>\d{{1,2}}){ds}(?P<f2>\d{{1,2}}){ds}(?P<f3>{year})"
        between = {",": f",{_SP}?", " ": _SP, "klo": f"{_SP}klo{_SP}"}[self.between]
        clock = rf"(?P<h>\d{{1,2}}){ts}(?P<mi>\d{{2}})"
        if self.seconds:
            clock += rf"{ts}(?P<s>\d{{2}})"
        if self.ampm:
            clock += _AMPM
        end = rf"\]{_SP}?" if self.bracket else rf"\.?{_SP}[-–]{_SP}"
        lead = rf"[{INVISIBLE}]*\[[{INVISIBLE}]*" if self.bracket else f"[{INVISIBLE}]*"
        return re.compile(rf"{lead}(?P<stamp>{date}{between}{clock}){end}")


def _shape_of(m: re.Match[str]) -> HeaderShape:
    dt = m["dt"]
    between = "," if "," in dt else ("klo" if "klo" in dt else " ")
    year_first = len(m["a"]) == 4
    return HeaderShape(
        bracket=m["open"] is not None and m["end"].startswith("]"),
        date_sep=m["ds"],
        year_first=year_first,
        year_digits=4 if len(m["a" if year_first else "c"]) == 4 else 2,
        between=between,
        time_sep=m["ts"],
        seconds=m["s"] is not None,
        ampm=m["ap"] is not None,
        ampm_dotted=m["ap"] is not None and m.string[m.end("ap"):m.end("ap") + 1] == ".",
        dot_after_time=m["end"].startswith("."),
    )


SAMPLE_LINES = 10_000


def infer_shape(lines: list[str]) -> tuple[HeaderShape, int] | None:
    """The most common header shape of an export (and how many sampled lines have it), or None
    when no line is a header. Long files are sampled: the head and an even spread of the rest."""
    sample = lines
    if len(lines) > 2 * SAMPLE_LINES:
        step = (len(lines) - SAMPLE_LINES) // SAMPLE_LINES
        sample = lines[:SAMPLE_LINES] + lines[SAMPLE_LINES::step]
    counts: Counter[tuple[object, ...]] = Counter()
    first: dict[tuple[object, ...], re.Match[str]] = {}
    match = CANDIDATE.match
    for line in sample:
        m = match(line)
        if m is None:
            continue
        # a cheap structural key; a HeaderShape is built once per distinct key
        key = (*m.group("open", "ds", "dt", "ts", "end"), len(m["a"]), len(m["c"]), m["s"] is None,
               line[m.end("ap"):m.end("ap") + 1] if m["ap"] else None)
        counts[key] += 1
        first.setdefault(key, m)
    if not counts:
        return None
    shapes: Counter[HeaderShape] = Counter()
    for key, n in counts.items():
        shapes[_shape_of(first[key])] += n
    return shapes.most_common(1)[0]


def date_order(shape: HeaderShape, dates: list[tuple[int, int, int]]) -> tuple[DateOrder, str | None]:
    """Day/month order from every header date of the file, in file order, and a note when it is
    a guess. ``dates`` holds the three date fields as written (year first or last)."""
    return _date_order(shape, dates)


def _date_order(shape: HeaderShape, dates: list[tuple[int, int, int]]) -> tuple[DateOrder, str | None]:
    # p and q are the two non-year fields, in file order
    if shape.year_first:
        pairs = [(b, c, a) for a, b, c in dates]
        names = ("ymd", "ydm")  # (p is month, p is day)
    else:
        pairs = [(a, b, c) for a, b, c in dates]
        names = ("mdy", "dmy")
    p_over = sum(1 for p, _, _ in pairs if p > 12)
    q_over = sum(1 for _, q, _ in pairs if q > 12)
    if p_over and not q_over:
        return names[1], None
    if q_over and not p_over:
        return names[0], None
    if p_over and q_over:
        choice = names[1] if p_over >= q_over else names[0]
        return choice, f"both date fields exceed 12 in places; assumed {choice}"
    # No value over 12: the day changes more often than the month within a year.
    p_changes = q_changes = 0
    for (p0, q0, y0), (p1, q1, y1) in zip(pairs, pairs[1:], strict=False):
        if y0 != y1:
            continue
        p_changes += p0 != p1
        q_changes += q0 != q1
    if p_changes > q_changes:
        return names[1], "day/month order inferred from which field changes more often"
    if q_changes > p_changes:
        return names[0], "day/month order inferred from which field changes more often"
    if shape.year_first:
        return "ymd", "day/month order ambiguous; assumed ymd"
    # US exports write "1/29/18, 12:24 PM"; dotted "p. m." comes from day-first locales
    guess = "mdy" if shape.date_sep == "/" and shape.ampm and not shape.ampm_dotted else "dmy"
    return guess, f"day/month order ambiguous; assumed {guess}"


class HeaderReader:
    """The compiled header regex of one export and the conversion of its stamps to local time."""

    def __init__(self, shape: HeaderShape, order: DateOrder = "dmy") -> None:
        self.shape = shape
        self.regex = shape.compile()
        self.ampm_group: tuple[str, ...] = ("ap",) if shape.ampm else ()
        self.set_order(order)

    def set_order(self, order: DateOrder) -> None:
        self.order = order
        fields = ("f1", "f2", "f3")
        self._year, self._month, self._day = (fields[order.index(k)] for k in "ymd")

    def local_time(self, m: re.Match[str]) -> tuple[datetime | None, str | None]:
        """The naive device-local time of a header match, or None and why it is impossible."""
        year, month, day = int(m[self._year]), int(m[self._month]), int(m[self._day])
        if year < 100:
            year += 2000
        hour, minute = int(m["h"]), int(m["mi"])
        second = int(m["s"]) if self.shape.seconds else 0
        if self.shape.ampm:
            if hour > 12:
                return None, f"impossible 12-hour time {m['stamp']!r}"
            # hour 0 with AM/PM is written by locales with 0-11 clocks: read it as 0 (AM) / 12 (PM)
            hour = hour % 12 + (12 if m["ap"] in "Pp" else 0)
        try:
            # naive on purpose: device-local time, zoned by the caller with the exhibit timezone
            return datetime(year, month, day, hour, minute, second), None  # noqa: DTZ001
        except ValueError as e:
            return None, f"impossible date/time {m['stamp']!r}: {e}"
