"""The HTML pages: dashboard, network explorer, the person page and the media item page.
(Search, conversations, timelines and tables are in workspace.py; media review in review.py.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tantalio.store import CaseStore
from tantalio.web.accounts import WebSession
from tantalio.web.auth import ANALYSIS, case_store
from tantalio.web.data import case as case_data
from tantalio.web.data import media as media_data
from tantalio.web.data import people
from tantalio.web.data.labels import successor_of
from tantalio.web.render import render

router = APIRouter(include_in_schema=False)
Store = Annotated[CaseStore, Depends(case_store)]
Analyst = Annotated[WebSession, Depends(ANALYSIS)]
SHA256 = r"^[0-9a-f]{64}$"


@router.get("/")
def dashboard_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    board = case_data.dashboard(store)
    return render(request, store, session, "dashboard.html", board=board,
                  bars=case_data.timeline_bars(board["timeline"]))


@router.get("/network")
def network_page(request: Request, store: Store, session: Analyst) -> HTMLResponse:
    return render(request, store, session, "network.html")


@router.get("/persons/{label}")
def person_page(request: Request, store: Store, session: Analyst, label: str) -> Response:
    dossier = people.live_dossier(store, label)
    if dossier is None:
        successor = successor_of(store.conn, label)
        if successor is not None:
            return render(request, store, session, "merged.html", status_code=404, label=label, successor=successor,
                          kind="Person", base="/persons", what="person")
        raise HTTPException(404, f"no person {label}")
    return render(request, store, session, "person.html", d=dossier)


@router.get("/persons/{label}/merged")
def follow_merge(store: Store, session: Analyst, label: str) -> Response:
    successor = successor_of(store.conn, label)
    if successor is None:
        raise HTTPException(404, f"{label} was not merged into another person")
    return RedirectResponse(f"/persons/{successor}", status_code=303)


@router.get("/media/{sha256}")
def media_item_page(request: Request, store: Store, session: Analyst,
                    sha256: Annotated[str, PathParam(pattern=SHA256)]) -> HTMLResponse:
    item = media_data.media_page(store, sha256)
    if item is None:
        raise HTTPException(404, "no such media item")
    return render(request, store, session, "media.html", item=item)
