"""Media review by PDQ family: the queue page, a family's context, reveal grants and welfare."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from tantalio.store import CaseStore
from tantalio.web.accounts import WebSession
from tantalio.web.auth import MEDIA, WebConfig, case_store, config_of
from tantalio.web.data import review
from tantalio.web.render import render

router = APIRouter()
Store = Annotated[CaseStore, Depends(case_store)]
Reviewer = Annotated[WebSession, Depends(MEDIA)]
Status = Annotated[str, Query(pattern="^(" + "|".join(review.QUEUE_FILTERS) + ")$")]
Family = Annotated[str, PathParam(max_length=128)]
Json = dict[str, Any]


class RevealIn(BaseModel):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    confirm_over_limit: bool = Field(False, description="Go past the daily soft limit (asked for, then audited).")


class RevealOut(BaseModel):
    url: str
    welfare: Json


def welfare(store: CaseStore, config: WebConfig, user: str) -> Json:
    w = config.welfare
    return review.welfare_state(store, user, review.soft_limit(store, w.soft_limit), w.break_after_minutes,
                                w.break_gap_minutes)


@router.get("/review", include_in_schema=False)
def review_page(request: Request, store: Store, session: Reviewer, status: Status = "all",
                offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> HTMLResponse:
    queue = review.family_queue(store, status, offset)
    return render(request, store, session, "review.html", queue=queue, statuses=list(review.QUEUE_FILTERS),
                  welfare=welfare(store, config_of(request), session.user.name))


@router.get("/api/families", summary="The review queue by PDQ family: one card per family")
def families(store: Store, session: Reviewer, status: Status = "all",
             offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
             limit: Annotated[int, Query(ge=1, le=500)] = 48) -> Json:
    return review.family_queue(store, status, offset, limit)


@router.get("/api/families/{family}", summary="A family's members and context (posts, groups, first sighting, camera)")
def family(store: Store, session: Reviewer, family: Family) -> Json:
    found = review.family_context(store, family)
    if found is None:
        raise HTTPException(404, "no such family")
    return found


@router.post("/api/reveals", response_model=RevealOut,
             summary="Ask to reveal one item: a one-time URL; revokes the previous reveal")
def grant(request: Request, store: Store, session: Reviewer, body: RevealIn) -> Response | RevealOut:
    config = config_of(request)
    row = store.conn.execute("SELECT mime FROM media_item WHERE sha256=?", (body.sha256,)).fetchone()
    if row is None:
        raise HTTPException(404, "no such media item")
    state = welfare(store, config, session.user.name)
    if state["over_limit"] and not body.confirm_over_limit:
        return JSONResponse({"detail": f"you have revealed {state['reveals_today']} items today, the soft limit is "
                                       f"{state['soft_limit']}: confirm to go on", "welfare": state}, status_code=409)
    token = review.grant_reveal(store, session.user.name, body.sha256)
    if state["over_limit"]:
        store.audit("web.exposure_limit_passed", {"sha256": body.sha256, "reveals_today": state["reveals_today"],
                                                  "soft_limit": state["soft_limit"]}, actor=session.user.name)
    return RevealOut(url=f"/media/{body.sha256}/reveal?grant={token}", welfare=state)


@router.delete("/api/reveals", status_code=204, summary="Hide: drop the reviewer's reveal grant")
def hide(store: Store, session: Reviewer) -> Response:
    review.drop_grant(store, session.user.name)
    return Response(status_code=204)


@router.get("/api/welfare", summary="The reviewer's exposure today, soft limit and break reminder")
def welfare_now(request: Request, store: Store, session: Reviewer) -> Json:
    return welfare(store, config_of(request), session.user.name)
