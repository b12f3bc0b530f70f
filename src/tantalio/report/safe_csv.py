"""CSV that is safe to open in a spreadsheet (OWASP "CSV injection").

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be read as a
formula by Excel, LibreOffice or Google Sheets (``=HYPERLINK(...)`` in a photo's EXIF becomes a
live link). Such text cells get a leading ``'`` and every cell is quoted, as OWASP advises. Numbers
written by Tantalio itself (ints and floats, e.g. a negative longitude) are not text taken from
evidence and are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """The cell as it should be written: formula-looking text prefixed with a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return buf.getvalue()
