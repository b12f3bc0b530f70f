"""The analyst's workspace: search, merged conversations, timelines, tables with CSV export,
the warnings page and the network explorer's graph. Pages and their JSON twins share one data
function each, so /api shows exactly what a page displays."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from tantalio.errors import UserError
from tantalio.store import CaseStore
from tantalio.web import search as search_lib
from tantalio.web.accounts import WebSession
from tantalio.web.auth import ANALYSIS, case_store, config_of
from tantalio.web.busy import is_busy
from tantalio.web.data import conversations, tables, timelines
from tantalio.web.data import groups as group_data
from tantalio.web.data import people as people_data
from tantalio.web.data.labels import successor_of
from tantalio.web.data.table_specs import TABLES
from tantalio.web.render import render

router = APIRouter()
Store = Annotated[CaseStore, Depends(case_store)]
Analyst = Annotated[WebSession, Depends(ANALYSIS)]
Label = Annotated[str, PathParam(max_length=64)]
Day = Annotated[str | None, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$")]
Text = Annotated[str | None, Query(max_length=64)]
Json = dict[str, Any]
CATCH_UP_ROWS = 50_000      # a search indexes a backlog this small itself; larger ones are the housekeeper's


# -- search ------------------------------------------------------------------------------------------

def _catch_up(store: CaseStore) -> None:
    """Index what a recent ingest added, if little, without waiting on a busy store."""
    pending = search_lib.backlog(store.conn)
    if not pending.total or pending.total > CATCH_UP_ROWS:
        return
    previous = int(store.conn.execute("PRAGMA busy_timeout").fetchone()[0])
    store.conn.execute("PRAGMA busy_timeout = 300")
    try:
        search_lib.refresh(store, max_rows=CATCH_UP_ROWS)
    except sqlite3.OperationalError as e:
        if not is_busy(e):
            raise
    finally:
        store.conn.execute(f"PRAGMA busy_timeout = {previous}")


def _search(request: Request, store: CaseStore, q: str, group: str | None, person: str | None, exhibit: str | None,
            country: str | None, date_from: str | None, date_to: str | None, status: str | None, order: str,
            offset: int, limit: int) -> Json:
    _catch_up(store)
    filters = search_lib.Filters(group=group or None, person=person or None, exhibit=exhibit or None,
                                 country=(country or "").upper() or None, date_from=date_from or None,
                                 date_to=date_to or None, status=status or None)
    try:
        return search_lib.run(store, q, filters, limit=limit, offset=offset, order=order,
                              merged=config_of(request).extra["merged"])
    except UserError as e:
        raise HTTPException(422, str(e)) from e


def _facets(store: CaseStore) -> Json:
    conn = store.conn
    return {
        "groups": [g for (g,) in conn.execute("SELECT label FROM chat WHERE is_group = 1 ORDER BY label")],
        "exhibits": [e for (e,) in conn.execute("SELECT id FROM exhibit ORDER BY id")],
        "countries": [c for (c,) in conn.execute(
            "SELECT DISTINCT country FROM identifier WHERE country IS NOT NULL ORDER BY country")],
        "statuses": list(search_lib.results.STATUSES),
    }


SearchQ = Annotated[str, Query(max_length=200)]
Status = Annotated[str | None, Query(pattern="^(known|unknown|ignorable)?$")]
Order = Annotated[str, Query(pattern="^(relevance|time)$")]
Offset = Annotated[int, Query(ge=0, le=10**6)]


@router.get("/search", include_in_schema=False)
def search_page(request: Request, store: Store, session: Analyst, q: SearchQ = "", group: Text = None,
                person: Text = None, exhibit: Text = None, country: Text = None,
                date_from: Annotated[Day, Query(alias="from")] = None, date_to: Annotated[Day, Query(alias="to")] = None,
                status: Status = None, order: Order = "relevance", offset: Offset = 0) -> HTMLResponse:
    results = _search(request, store, q, group, person, exhibit, country, date_from, date_to, status, order, offset, 50)
    return render(request, store, session, "search.html", results=results, facets=_facets(store),
                  params={"q": q, "group": group or "", "person": person or "", "exhibit": exhibit or "",
                          "country": country or "", "from": date_from or "", "to": date_to or "",
                          "status": status or "", "order": order})


@router.get("/api/search", summary="Full-text search with filters (messages, persons, groups, files, media)")
def search_api(request: Request, store: Store, session: Analyst, q: SearchQ = "", group: Text = None, person: Text = None,
               exhibit: Text = None, country: Text = None, date_from: Annotated[Day, Query(alias="from")] = None,
               date_to: Annotated[Day, Query(alias="to")] = None, status: Status = None, order: Order = "relevance",
               offset: Offset = 0, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Json:
    return _search(request, store, q, group, person, exhibit, country, date_from, date_to, status, order, offset,
                   limit)


# -- conversations -----------------------------------------------------------------------------------

def _chat_id(store: CaseStore, label: str) -> int:
    row = store.conn.execute("SELECT id FROM chat WHERE label=?", (label,)).fetchone()
    if row is None:
        raise HTTPException(404, f"no group {label}")
    return int(row[0])


@router.get("/groups/{label}", include_in_schema=False)
def group_page(request: Request, store: Store, session: Analyst, label: Label,
               offset: Offset = 0, message: Annotated[int | None, Query(ge=0)] = None, date: Day = None,
               at: Day = None) -> HTMLResponse:
    row = store.conn.execute("SELECT id FROM chat WHERE label=?", (label,)).fetchone()
    if row is None:
        successor = successor_of(store.conn, label, "chat_label")   # a group label retired by a merge
        if successor is not None:
            return render(request, store, session, "merged.html", status_code=404, label=label, successor=successor,
                          kind="Group", base="/groups", what="conversation")
        raise HTTPException(404, f"no group {label}")
    chat_id = int(row[0])
    group = group_data.group_page(store, label, 0, 0)
    talk = conversations.conversation(store.conn, config_of(request).extra["merged"], chat_id, offset=offset,
                                      message=message, date=date or None)
    members = conversations.members_at(store.conn, chat_id, at or None)
    return render(request, store, session, "group.html", group=group, talk=talk, members=members)


@router.get("/api/groups/{label}/conversation",
            summary="The group's messages merged across devices: one row per message, with every copy")
def conversation_api(request: Request, store: Store, session: Analyst, label: Label, offset: Offset = 0,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                     message: Annotated[int | None, Query(ge=0)] = None, date: Day = None) -> Json:
    return conversations.conversation(store.conn, config_of(request).extra["merged"], _chat_id(store, label),
                                      offset=offset, limit=limit, message=message, date=date or None)


@router.get("/api/groups/{label}/members", summary="Members of the group at a date (default: the latest state)")
def members_api(store: Store, session: Analyst, label: Label, at: Day = None) -> Json:
    return conversations.members_at(store.conn, _chat_id(store, label), at or None)


# -- timelines ---------------------------------------------------------------------------------------

def _timeline(request: Request, store: CaseStore, scope: str, label: str | None, date_from: str | None,
              date_to: str | None) -> Json:
    chat_id = person_id = None
    merged = None
    if scope == "group":
        chat_id = _chat_id(store, label or "")
        merged = [t for t, _ in config_of(request).extra["merged"].get(store.conn, chat_id)]
    elif scope == "person":
        row = store.conn.execute("SELECT id FROM person WHERE label=?", (label,)).fetchone()
        if row is None:
            raise HTTPException(404, f"no person {label}")
        person_id = int(row[0])
    try:
        result = timelines.timeline(store.conn, scope, chat_id, person_id, date_from or None, date_to or None, merged)
    except UserError as e:
        raise HTTPException(422, str(e)) from e
    result["label"] = label
    return result


def _timeline_page(request: Request, store: CaseStore, session: WebSession, scope: str, label: str | None,
                   date_from: str | None, date_to: str | None) -> HTMLResponse:
    tl = _timeline(request, store, scope, label, date_from, date_to)
    return render(request, store, session, "timeline.html", tl=tl, chart=timelines.chart(tl),
                  zoom_out=timelines.zoom_out(tl), series=timelines.SERIES)


@router.get("/timeline", include_in_schema=False)
def case_timeline(request: Request, store: Store, session: Analyst, date_from: Annotated[Day, Query(alias="from")] = None,
                  date_to: Annotated[Day, Query(alias="to")] = None) -> HTMLResponse:
    return _timeline_page(request, store, session, "case", None, date_from, date_to)


@router.get("/groups/{label}/timeline", include_in_schema=False)
def group_timeline(request: Request, store: Store, session: Analyst, label: Label,
                   date_from: Annotated[Day, Query(alias="from")] = None,
                   date_to: Annotated[Day, Query(alias="to")] = None) -> HTMLResponse:
    return _timeline_page(request, store, session, "group", label, date_from, date_to)


@router.get("/persons/{label}/timeline", include_in_schema=False)
def person_timeline(request: Request, store: Store, session: Analyst, label: Label,
                    date_from: Annotated[Day, Query(alias="from")] = None,
                    date_to: Annotated[Day, Query(alias="to")] = None) -> HTMLResponse:
    return _timeline_page(request, store, session, "person", label, date_from, date_to)


@router.get("/api/timeline", summary="Counts per period (messages, media posts, joins, departures)")
def timeline_api(request: Request, store: Store, session: Analyst,
                 scope: Annotated[str, Query(pattern="^(case|group|person)$")] = "case", label: Text = None,
                 date_from: Annotated[Day, Query(alias="from")] = None,
                 date_to: Annotated[Day, Query(alias="to")] = None) -> Json:
    if scope != "case" and not label:
        raise HTTPException(422, "a group or person timeline needs its label")
    return _timeline(request, store, scope, label, date_from, date_to)


# -- tables ------------------------------------------------------------------------------------------

def _rows_in_memory(store: CaseStore, name: str) -> list[dict[str, Any]] | None:
    if name == "persons":
        return people_data.persons(store)
    if name == "groups":
        return group_data.groups(store)
    return None


def table_view(request: Request, store: CaseStore, name: str) -> Json:
    table = TABLES[name]
    query = tables.Query.from_params(table, dict(request.query_params))
    rows = _rows_in_memory(store, name)
    if rows is not None:
        return tables.page_rows(table, rows, query)
    return tables.page_sql(table, store.conn, query)


def table_csv(request: Request, store: CaseStore, name: str) -> Response:
    """The whole filtered, sorted view as CSV (every page), cells neutralised against formulas."""
    table = TABLES[name]
    query = tables.Query.from_params(table, dict(request.query_params))
    rows = _rows_in_memory(store, name)
    note = "SYNTHETIC DEMO DATA" if store.meta("synthetic") == "1" else None
    if rows is not None:
        body: Iterator[str] = tables.csv_lines(table, tables.filtered_rows(table, rows, query), note)
        return Response("".join(body), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    # Streamed from its own connection: the request's closes when the handler returns.
    stream_store = config_of(request).open_store()

    def stream() -> Iterator[bytes]:
        try:
            for chunk in tables.csv_lines(table, tables.sql_rows(table, stream_store.conn, query), note):
                yield chunk.encode("utf-8")
        finally:
            stream_store.close()

    return StreamingResponse(stream(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _table_page(request: Request, store: CaseStore, session: WebSession, name: str, **extra: Any) -> HTMLResponse:
    return render(request, store, session, "table.html", t=table_view(request, store, name), **extra)


@router.get("/persons", include_in_schema=False)
def persons_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    return _table_page(request, store, session, "persons")


@router.get("/groups", include_in_schema=False)
def groups_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    return _table_page(request, store, session, "groups")


@router.get("/media", include_in_schema=False)
def media_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    return _table_page(request, store, session, "media")


@router.get("/evidence", include_in_schema=False)
def evidence_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    return _table_page(request, store, session, "evidence")


@router.get("/warnings", include_in_schema=False)
def warnings_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    return _table_page(request, store, session, "warnings", summary=warning_summary(store))


@router.get("/recovered", include_in_schema=False)
def recovered_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    return _table_page(request, store, session, "recovered")


@router.get("/{name}.csv", include_in_schema=False)
def csv_export(request: Request, store: Store, session: Analyst,
               name: Annotated[str, PathParam(pattern="^(persons|groups|media|evidence|warnings|recovered)$")]) -> Response:
    store.audit("web.table_exported", {"table": name, "query": dict(request.query_params)}, actor=session.user.name)
    return table_csv(request, store, name)


def warning_summary(store: CaseStore) -> list[Json]:
    """Warnings by exhibit, and within each the files with most warnings."""
    conn = store.conn
    out: list[Json] = []
    for exhibit, n, files in conn.execute(
        "SELECT coalesce(exhibit_id, ''), count(*), count(DISTINCT path) FROM warning GROUP BY 1 ORDER BY 1"
    ):
        top = [{"path": p, "warnings": k, "stages": s} for p, k, s in conn.execute(
            "SELECT coalesce(path, ''), count(*), group_concat(DISTINCT stage) FROM warning "
            "WHERE coalesce(exhibit_id, '') = ? GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 20", (exhibit,))]
        out.append({"exhibit": exhibit, "warnings": n, "files": files, "top_files": top})
    return out


@router.get("/api/warnings", summary="Warnings by exhibit and file")
def warnings_api(store: Store, session: Analyst) -> list[Json]:
    return warning_summary(store)


# -- network ------------------------------------------------------------------------------------------

@router.get("/api/graph", summary="Persons and groups as Cytoscape.js elements with fixed positions")
def graph(request: Request, store: Store, session: Analyst) -> Json:
    result: Json = config_of(request).extra["graph"].get(store)
    return result


__all__ = ["router"]
