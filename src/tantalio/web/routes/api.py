"""The JSON API under /api: the same data as the pages, described by FastAPI's OpenAPI spec."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from tantalio.errors import UserError
from tantalio.store import CaseStore
from tantalio.web import accounts
from tantalio.web.accounts import ROLES, WebSession, add_user, list_users
from tantalio.web.auth import ADMIN, ANALYSIS, MEDIA, case_store, config_of
from tantalio.web.data import case as case_data
from tantalio.web.data import groups as group_data
from tantalio.web.data import media as media_data
from tantalio.web.data import people, review

router = APIRouter(prefix="/api")
Store = Annotated[CaseStore, Depends(case_store)]
Analyst = Annotated[WebSession, Depends(ANALYSIS)]
Reviewer = Annotated[WebSession, Depends(MEDIA)]
Admin = Annotated[WebSession, Depends(ADMIN)]
Sha256 = Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")]
Label = Annotated[str, PathParam(max_length=64)]
Json = dict[str, Any]


class CategorisationIn(BaseModel):
    category: str = Field(min_length=1, max_length=16, description="A code of the case's category scheme.")


class CategorisationOut(BaseModel):
    categorised: list[str]
    category: str
    scheme: str


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: str = Field(pattern="^(" + "|".join(ROLES) + ")$")
    password: str = Field(min_length=12, max_length=1024)


class UserChange(BaseModel):
    role: str | None = Field(None, pattern="^(" + "|".join(ROLES) + ")$")
    disabled: bool | None = None


class PasswordReset(BaseModel):
    password: str = Field(min_length=12, max_length=1024)
    must_change: bool = Field(True, description="The user must choose their own password at next login.")


class Me(BaseModel):
    name: str
    role: str
    exposure_today: int | None
    synthetic: bool


@router.get("/me", response_model=Me)
def me(store: Store, session: Analyst) -> Me:
    user = session.user
    return Me(name=user.name, role=user.role, synthetic=store.meta("synthetic") == "1",
              exposure_today=media_data.exposure_today(store, user.name) if user.sees_media else None)


@router.get("/case", summary="The tantalio.case/1 document (DESIGN.md §4)")
def case_document(request: Request, store: Store, session: Analyst) -> Json:
    return config_of(request).extra["documents"].get(store)


@router.get("/dashboard")
def dashboard(store: Store, session: Analyst) -> Json:
    return case_data.dashboard(store)


@router.get("/persons")
def persons(store: Store, session: Analyst) -> list[Json]:
    return people.persons(store)


@router.get("/persons/{label}", summary="The person's live dossier (the reports' view model)")
def person(store: Store, session: Analyst, label: Label) -> Json:
    found = people.live_dossier(store, label)
    if found is None:
        raise HTTPException(404, "no such person")
    return found


@router.get("/groups")
def groups(store: Store, session: Analyst) -> list[Json]:
    return group_data.groups(store)


@router.get("/groups/{label}")
def group(store: Store, session: Analyst, label: Label,
          offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
          limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> Json:
    found = group_data.group_page(store, label, offset, limit)
    if found is None:
        raise HTTPException(404, "no such group")
    return found


@router.get("/media", summary="The review queue: unknown material first")
def review_queue(store: Store, session: Reviewer,
                 status: Annotated[str, Query(pattern="^(all|unknown|known|ignorable|uncategorised)$")] = "all",
                 offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
                 limit: Annotated[int, Query(ge=1, le=500)] = 48) -> Json:
    return media_data.review_queue(store, status, offset, limit)


@router.get("/media/{sha256}")
def media_item(store: Store, session: Analyst, sha256: Sha256) -> Json:
    found = media_data.media_page(store, sha256)
    if found is None:
        raise HTTPException(404, "no such media item")
    return found


@router.post("/media/{sha256}/categorisation", response_model=CategorisationOut)
def categorise(request: Request, store: Store, session: Reviewer, sha256: Sha256,
               body: CategorisationIn) -> CategorisationOut:
    return _categorise(request, store, session, [sha256], body.category, None)


@router.post("/families/{family}/categorisation", response_model=CategorisationOut,
             summary="Categorise every media item of a PDQ family at once")
def categorise_family(request: Request, store: Store, session: Reviewer,
                      family: Annotated[str, PathParam(max_length=128)], body: CategorisationIn) -> CategorisationOut:
    members = review.family_members(store, family)
    if not members:
        raise HTTPException(404, "no such family")
    return _categorise(request, store, session, members, body.category, family)


def _categorise(request: Request, store: CaseStore, session: WebSession, sha256s: list[str], category: str,
                family: str | None) -> CategorisationOut:
    scheme = config_of(request).scheme
    try:
        done = media_data.categorise(store, sha256s, category, scheme, session.user.name, family)
    except UserError as e:
        raise HTTPException(422, str(e)) from e
    except LookupError as e:
        raise HTTPException(404, str(e)) from e
    config_of(request).extra["documents"].invalidate()
    return CategorisationOut(categorised=done, category=category.strip().upper(), scheme=scheme.name)


@router.get("/users")
def users(store: Store, session: Admin) -> list[Json]:
    return list_users(store)


@router.post("/users", status_code=201)
def create_user(store: Store, session: Admin, body: UserIn) -> Json:
    try:
        user = add_user(store, body.name, body.role, body.password, actor=session.user.name)
    except UserError as e:
        raise HTTPException(422, str(e)) from e
    return {"name": user.name, "role": user.role}


@router.patch("/users/{name}", summary="Change an account's role or disable/enable it (audited)")
def change_user(store: Store, session: Admin, name: Label, body: UserChange) -> Json:
    try:
        if body.role is not None:
            accounts.set_role(store, name, body.role, actor=session.user.name)
        if body.disabled is not None:
            accounts.set_disabled(store, name, body.disabled, actor=session.user.name)
    except UserError as e:
        raise HTTPException(422 if "no user" not in str(e) else 404, str(e)) from e
    found = [u for u in list_users(store) if u["name"] == name]
    if not found:
        raise HTTPException(404, "no such user")
    return found[0]


@router.post("/users/{name}/password", status_code=204, summary="Reset an account's password (audited)")
def reset_password(store: Store, session: Admin, name: Label, body: PasswordReset) -> None:
    try:
        accounts.reset_password(store, name, body.password, actor=session.user.name, must_change=body.must_change)
    except UserError as e:
        raise HTTPException(422 if "no user" not in str(e) else 404, str(e)) from e


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, session: Analyst) -> Json:
    spec: Json = request.app.openapi()
    return spec
