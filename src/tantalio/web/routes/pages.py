"""The HTML pages: dashboard, network explorer, persons, groups, media, review queue, search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse

from tantalio.store import CaseStore
from tantalio.web.accounts import WebSession
from tantalio.web.auth import ANALYSIS, MEDIA, case_store
from tantalio.web.data import case as case_data
from tantalio.web.data import groups as group_data
from tantalio.web.data import media as media_data
from tantalio.web.data import people
from tantalio.web.render import render

router = APIRouter(include_in_schema=False)
Store = Annotated[CaseStore, Depends(case_store)]
Analyst = Annotated[WebSession, Depends(ANALYSIS)]
Reviewer = Annotated[WebSession, Depends(MEDIA)]
SHA256 = r"^[0-9a-f]{64}$"


@router.get("/")
def dashboard_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    board = case_data.dashboard(store)
    return render(request, store, session, "dashboard.html", board=board,
                  bars=case_data.timeline_bars(board["timeline"]))


@router.get("/network")
def network_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    return render(request, store, session, "network.html")


@router.get("/persons")
def persons_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    return render(request, store, session, "persons.html", persons=people.persons(store))


@router.get("/persons/{label}")
def person_page(request: Request, store: Store, session: Analyst, label: str) -> HTMLResponse:
    dossier = people.live_dossier(store, label)
    if dossier is None:
        raise HTTPException(404, f"no person {label}")
    return render(request, store, session, "person.html", d=dossier)


@router.get("/groups")
def groups_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    return render(request, store, session, "groups.html", groups=group_data.groups(store))


@router.get("/groups/{label}")
def group_page(request: Request, store: Store, session: Analyst, label: str,
               offset: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
    group = group_data.group_page(store, label, offset=offset)
    if group is None:
        raise HTTPException(404, f"no group {label}")
    return render(request, store, session, "group.html", group=group)


@router.get("/media/{sha256}")
def media_item_page(request: Request, store: Store, session: Analyst,
                    sha256: Annotated[str, PathParam(pattern=SHA256)]) -> HTMLResponse:
    item = media_data.media_page(store, sha256)
    if item is None:
        raise HTTPException(404, "no such media item")
    return render(request, store, session, "media.html", item=item)


@router.get("/review")
def review_page(request: Request, store: Store, session: Reviewer,
                status: Annotated[str, Query(pattern="^(all|unknown|known|ignorable|uncategorised)$")] = "all",
                offset: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
    queue = media_data.review_queue(store, status, offset)
    return render(request, store, session, "review.html", queue=queue, statuses=media_data.QUEUE_STATUSES)


@router.get("/search")
def search_page(request: Request, store: Store, session: Analyst,
                q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    return render(request, store, session, "search.html", results=case_data.search(store, q))
