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
from datetime import UTC, datetime, timedelta
from itertools import groupby
from operator import add, itemgetter
from zoneinfo import ZoneInfo

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
        """The regex of one header line. It captures only what every message needs (each group
        is a new string per line): the stamp as written, its date and hour (one string), the
        minutes, seconds and AM/PM, and the text after the header; :meth:`compile_hour` reads
        the date and hour fields, once per hour of the export."""
        ts = re.escape(self.time_sep)
        clock = rf"{ts}(?P<mi>\d{{2}})"
        if self.seconds:
            clock += rf"{ts}(?P<s>\d{{2}})"
        if self.ampm:
            clock += _AMPM
        end = rf"\]{_SP}?" if self.bracket else rf"\.?{_SP}[-–]{_SP}"
        lead = rf"[{INVISIBLE}]*\[[{INVISIBLE}]*" if self.bracket else f"[{INVISIBLE}]*"
        # the text after the header, marks before it skipped (system text often starts with one)
        rest = rf"[{INVISIBLE}]*(?P<rest>.*)"
        return re.compile(rf"{lead}(?P<stamp>(?P<hour>{self._hour_pattern(capture=False)}){clock}){end}{rest}")

    def compile_hour(self) -> re.Pattern[str]:
        """The regex of the date-and-hour part of a stamp, with each field."""
        return re.compile(self._hour_pattern(capture=True))

    def _hour_pattern(self, capture: bool) -> str:
        def field(name: str, pattern: str) -> str:
            return f"(?P<{name}>{pattern})" if capture else f"(?:{pattern})"

        ds = re.escape(self.date_sep)
        year = r"\d{4}" if self.year_digits == 4 else r"\d{2}"
        two = r"\d{1,2}"
        if self.year_first:
            date = f"{field('f1', year)}{ds}{field('f2', two)}{ds}{field('f3', two)}"
        else:
            date = f"{field('f1', two)}{ds}{field('f2', two)}{ds}{field('f3', year)}"
        between = {",": f",{_SP}?", " ": _SP, "klo": f"{_SP}klo{_SP}"}[self.between]
        return f"{field('date', date)}{between}{field('h', two)}"


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


Header = tuple[str, ...]
"""The groups of one line, as :meth:`HeaderReader.read_lines` gives them: :data:`STAMP` (date
and time as written; empty when the line is no header), :data:`HOUR` (its date and hour), the
minutes, seconds and AM/PM, and :data:`REST` (the text after the header). Tuples of strings, not
match objects: 200k matches alive at once would cost memory and cyclic-GC time."""
STAMP, HOUR, REST = 0, 1, -1


class HeaderReader:
    """The compiled header regex of one export and the conversion of its stamps to time."""

    def __init__(self, shape: HeaderShape, order: DateOrder = "dmy") -> None:
        self.shape = shape
        self.regex = shape.compile()
        # every line of a text in one call (a line that is no header matches the empty
        # alternative): no match object and no Python call per line
        self._every_line = re.compile(rf"^(?:{self.regex.pattern}|.*)", re.MULTILINE)
        self._hour_fields = shape.compile_hour()
        index = {name: n - 1 for name, n in self.regex.groupindex.items()}
        if (index["stamp"], index["hour"], index["rest"]) != (STAMP, HOUR, self.regex.groups - 1):
            raise AssertionError("header groups out of order")  # a change to HeaderShape.compile
        self._minute, self._second, self._ampm = index["mi"], index.get("s"), index.get("ap")
        # the local hour a header falls in: its text up to the hour, and AM/PM
        self._hour_key = itemgetter(HOUR) if self._ampm is None else itemgetter(HOUR, self._ampm)
        self.set_order(order)

    def set_order(self, order: DateOrder) -> None:
        self.order = order
        self._year, self._month, self._day = (("f1", "f2", "f3")[order.index(k)] for k in "ymd")

    def read_lines(self, text: str, lines: list[str]) -> list[Header]:
        """The groups of each of ``lines`` (``text`` split at newlines)."""
        headers = self._every_line.findall(text)
        if len(headers) == len(lines) + 1:
            headers.pop()  # the empty match after a final newline, which ``lines`` drops
        if len(headers) == len(lines) and (not headers or isinstance(headers[0], tuple)):
            return headers
        # not one match per line (cannot happen with "\n" as the only line break): line by line
        none = ("",) * self.regex.groups
        return [m.groups() if m is not None else none for m in map(self.regex.match, lines)]

    def dates(self, headers: list[Header]) -> list[tuple[int, int, int]]:
        """The date fields of the headers as written (year first or last), in file order,
        consecutive repeats dropped (they change neither values over 12 nor which field changes)."""
        hour_fields = self._hour_fields.fullmatch
        written = []
        for hour, _ in groupby(map(itemgetter(HOUR), headers)):
            m = hour_fields(hour)
            if m is not None:
                written.append(m.group("f1", "f2", "f3"))
        return [(int(a), int(b), int(c)) for (a, b, c), _ in groupby(written)]

    def local_time(self, h: Header) -> tuple[datetime | None, str | None]:
        """The naive device-local time of a header, or None and why it is impossible."""
        m = self._hour_fields.fullmatch(h[HOUR])
        if m is None:
            return None, f"unreadable date {h[HOUR]!r}"
        year, month, day = int(m[self._year]), int(m[self._month]), int(m[self._day])
        if year < 100:
            year += 2000
        hour, minute = int(m["h"]), int(h[self._minute])
        second = int(h[self._second]) if self._second is not None else 0
        if self._ampm is not None:
            if hour > 12:
                return None, f"impossible 12-hour time {h[STAMP]!r}"
            # hour 0 with AM/PM is written by locales with 0-11 clocks: read it as 0 (AM) / 12 (PM)
            hour = hour % 12 + (12 if h[self._ampm] in "Pp" else 0)
        try:
            # naive on purpose: device-local time, zoned by the caller with the exhibit timezone
            return datetime(year, month, day, hour, minute, second), None  # noqa: DTZ001
        except ValueError as e:
            return None, f"impossible date/time {h[STAMP]!r}: {e}"

    def utc_times(self, headers: list[Header], zone: ZoneInfo) -> tuple[list[datetime | None], list[tuple[int, str]]]:
        """UTC times of headers, and the (index, problem) of each one that has no possible time."""
        # Convert once per local hour: the zone offset is looked up at hh:00 and hh:59 and
        # reused for the minutes in between when both agree (DST changes fall on hour
        # boundaries in almost every zone). The first header of each hour stands for it.
        keys = list(map(self._hour_key, headers))
        first_of_hour = dict(zip(reversed(keys), reversed(headers), strict=True))
        hours = {key: self._hour_start(h, zone) for key, h in first_of_hour.items()}
        minutes = list(map(itemgetter(self._minute), headers))
        seconds = list(map(itemgetter(self._second), headers)) if self._second is not None else []
        if None in hours.values() or not set(minutes).issubset(_MINUTES) or not set(seconds).issubset(_SECONDS):
            return self._utc_times_one_by_one(headers, keys, hours, zone)
        # every hour converts and every minute is possible: no per-header work in Python
        times: list[datetime | None] = list(map(add, map(hours.__getitem__, keys), map(_MINUTES.__getitem__, minutes)))
        if seconds:
            times = list(map(add, times, map(_SECONDS.__getitem__, seconds)))
        return times, []

    def _utc_times_one_by_one(self, headers: list[Header], keys: list[object], hours: dict[object, datetime | None],
                              zone: ZoneInfo) -> tuple[list[datetime | None], list[tuple[int, str]]]:
        """:meth:`utc_times` for exports with impossible stamps or an hour whose offset changes
        (converted stamp by stamp)."""
        times: list[datetime | None] = []
        problems: list[tuple[int, str]] = []
        minute_at, second_at = self._minute, self._second
        for i, (h, key) in enumerate(zip(headers, keys, strict=True)):
            time = None
            start = hours[key]
            if start is not None:
                minutes = _MINUTES.get(h[minute_at])
                secs = _ZERO if second_at is None else _SECONDS.get(h[second_at])
                if minutes is not None and secs is not None:
                    time = start + minutes + secs
            if time is None:
                naive, problem = self.local_time(h)
                if naive is not None:  # the offset changes inside this hour: this stamp alone
                    time = naive.replace(tzinfo=zone).astimezone(UTC)
                else:
                    problems.append((i, problem or "impossible time"))
            times.append(time)
        return times, problems

    def _hour_start(self, h: Header, zone: ZoneInfo) -> datetime | None:
        """UTC time of the start of the local hour of a header, or None (an impossible time, or
        an offset that changes within the hour)."""
        naive, _ = self.local_time(h)
        if naive is None or int(h[self._minute]) > 59 or (self._second is not None and int(h[self._second]) > 59):
            return None
        top = naive.replace(minute=0, second=0, tzinfo=zone)
        first = top.utcoffset()
        if first is None or first != top.replace(minute=59, second=59).utcoffset():
            return None
        return (top.replace(tzinfo=None) - first).replace(tzinfo=UTC)


_MINUTES = {f"{n:02d}": timedelta(minutes=n) for n in range(60)}
_SECONDS = {f"{n:02d}": timedelta(seconds=n) for n in range(60)}
_ZERO = timedelta(0)
