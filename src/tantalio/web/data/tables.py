"""Tables that sort, filter, page and export to CSV, on the server (the page needs no script).

Two kinds of source: rows already computed in memory (persons, groups: thousands at most) and
SQL over tables that reach millions of rows (media, evidence files, warnings, audit events),
where sorting, filtering and paging are pushed into the query. Only declared columns can be
sorted or filtered on; user text reaches SQL as bound LIKE patterns, never as SQL.

CSV cells are neutralised against formula injection (OWASP "CSV Injection"): a text cell that
starts with = + - @ tab or carriage return gets a leading apostrophe, so a spreadsheet shows it
as text instead of running it. Evidence is full of such text ("+447700900123", "=cmd|...").
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tantalio.report.safe_csv import neutralise
from tantalio.web.data import like_pattern

PAGE_SIZES = (25, 50, 100, 250, 500)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    sql: str | None = None                      # SQL expression (SQL tables)
    numeric: bool = False
    link: Callable[[dict[str, Any]], str | None] | None = None
    filterable: bool = True


@dataclass(frozen=True)
class Table:
    name: str                                   # also the URL: /persons, /persons.csv
    title: str
    columns: tuple[Column, ...]
    default_sort: str
    default_desc: bool = False
    from_sql: str | None = None                 # "FROM ... [WHERE ...]" for SQL tables
    fixed_where: tuple[str, ...] = ()
    tie_break: str = ""                         # SQL (or key) making the order total, for stable paging
    enrich: Callable[[sqlite3.Connection, list[dict[str, Any]]], None] | None = None
    """Fills columns without SQL (values resolved in Python) into each page or CSV chunk of rows."""

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass
class Query:
    """What the analyst asked of a table (all from the URL)."""

    q: str = ""                                 # any column contains
    filters: dict[str, str] = field(default_factory=dict)   # column key -> contains
    sort: str = ""
    desc: bool = False
    offset: int = 0
    limit: int = 50

    @classmethod
    def from_params(cls, table: Table, params: dict[str, str]) -> Query:
        sort = params.get("sort", "")
        column = table.column(sort)
        if column is None or (table.from_sql is not None and column.sql is None):  # resolved later: not sortable
            sort, desc = table.default_sort, table.default_desc
        else:
            desc = params.get("dir", "asc") == "desc"
        limit = _int(params.get("limit"), 50)
        return cls(q=params.get("q", "").strip()[:200],
                   filters={c.key: params[f"f_{c.key}"].strip()[:200] for c in table.columns
                            if c.filterable and params.get(f"f_{c.key}", "").strip()},
                   sort=sort, desc=desc, offset=max(0, _int(params.get("offset"), 0)),
                   limit=limit if limit in PAGE_SIZES else 50)

    def params(self, **change: Any) -> dict[str, str]:
        """URL parameters of this view, with `change` applied (for links)."""
        out: dict[str, str] = {}
        if self.q:
            out["q"] = self.q
        out.update({f"f_{k}": v for k, v in self.filters.items()})
        out.update({"sort": self.sort, "dir": "desc" if self.desc else "asc", "limit": str(self.limit)})
        if self.offset:
            out["offset"] = str(self.offset)
        for k, v in change.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = str(v)
        return out


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


# -- in-memory rows -------------------------------------------------------------------------------

def _matches(row: dict[str, Any], table: Table, query: Query) -> bool:
    if query.q:
        needle = query.q.casefold()
        if not any(needle in _text(row.get(c.key)).casefold() for c in table.columns):
            return False
    return all(v.casefold() in _text(row.get(k)).casefold() for k, v in query.filters.items())


def _sort_key(column: Column) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    def key(row: dict[str, Any]) -> tuple[int, Any]:
        value = row.get(column.key)
        if value is None or value == [] or value == "":
            return (1, "")
        if column.numeric:
            return (0, float(value))
        return (0, _text(value).casefold())
    return key


def page_rows(table: Table, rows: list[dict[str, Any]], query: Query) -> dict[str, Any]:
    kept = filtered_rows(table, rows, query)
    return _page(table, query, len(kept), kept[query.offset:query.offset + query.limit])


def filtered_rows(table: Table, rows: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    kept = [r for r in rows if _matches(r, table, query)]
    column = table.column(query.sort) or table.columns[0]
    kept.sort(key=_sort_key(column))
    if query.desc:  # None/empty stay last either way
        present = [r for r in kept if _sort_key(column)(r)[0] == 0]
        kept = present[::-1] + [r for r in kept if _sort_key(column)(r)[0] == 1]
    return kept


# -- SQL tables --------------------------------------------------------------------------------------

def _where(table: Table, query: Query) -> tuple[str, list[Any]]:
    clauses = list(table.fixed_where)
    args: list[Any] = []
    if query.q:
        exprs = [c.sql for c in table.columns if c.sql and c.filterable]
        clauses.append("(" + " OR ".join(f"coalesce({e}, '') LIKE ? ESCAPE '\\'" for e in exprs) + ")")
        args += [like_pattern(query.q)] * len(exprs)
    for key, value in query.filters.items():
        column = table.column(key)
        if column is not None and column.sql:
            clauses.append(f"coalesce({column.sql}, '') LIKE ? ESCAPE '\\'")
            args.append(like_pattern(value))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def _order(table: Table, query: Query) -> str:
    column = table.column(query.sort) or table.columns[0]
    direction = "DESC" if query.desc else "ASC"
    tie = f", {table.tie_break}" if table.tie_break else ""
    return f" ORDER BY ({column.sql}) IS NULL, {column.sql} {direction}{tie}"


def _select(table: Table) -> str:
    return "SELECT " + ", ".join(f"{c.sql} AS {c.key}" for c in table.columns if c.sql) + " " + (table.from_sql or "")


def page_sql(table: Table, conn: sqlite3.Connection, query: Query) -> dict[str, Any]:
    where, args = _where(table, query)
    total = conn.execute(f"SELECT count(*) {table.from_sql}{where}", args).fetchone()[0]  # noqa: S608 - declared columns
    keys = [c.key for c in table.columns if c.sql]
    rows = [dict(zip(keys, r, strict=True)) for r in conn.execute(
        f"{_select(table)}{where}{_order(table, query)} LIMIT ? OFFSET ?", [*args, query.limit, query.offset])]  # noqa: S608
    if table.enrich is not None:
        table.enrich(conn, rows)
    return _page(table, query, int(total), rows)


def sql_rows(table: Table, conn: sqlite3.Connection, query: Query) -> Iterator[dict[str, Any]]:
    """Every row of the filtered, sorted view (for CSV), streamed."""
    where, args = _where(table, query)
    keys = [c.key for c in table.columns if c.sql]
    cursor = conn.execute(f"{_select(table)}{where}{_order(table, query)}", args)  # noqa: S608
    while chunk := cursor.fetchmany(500):
        rows = [dict(zip(keys, r, strict=True)) for r in chunk]
        if table.enrich is not None:
            table.enrich(conn, rows)
        yield from rows


def _page(table: Table, query: Query, total: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    for row in rows:
        row["_links"] = {c.key: c.link(row) for c in table.columns if c.link is not None}
    return {"name": table.name, "title": table.title, "total": total, "rows": rows, "query": query,
            "columns": table.columns, "page_sizes": PAGE_SIZES,
            "unsortable": {c.key for c in table.columns if table.from_sql is not None and c.sql is None}}


# -- CSV -------------------------------------------------------------------------------------------------

def csv_lines(table: Table, rows: Iterable[dict[str, Any]], header_note: str | None = None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    if header_note:
        writer.writerow([neutralise(header_note)])
    writer.writerow([c.title for c in table.columns])
    yield flush()
    for n, row in enumerate(rows, start=1):
        writer.writerow([neutralise(row.get(c.key)) for c in table.columns])
        if n % 500 == 0:
            yield flush()
    yield flush()
