"""Admin pages: accounts (the same operations as `tantalio users ...`, all audited), notices
about accounts able to view media, the audit log with its chain status, and reviewer welfare."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tantalio.errors import UserError
from tantalio.store import CaseStore
from tantalio.web import accounts
from tantalio.web.auth import ADMIN, case_store, config_of
from tantalio.web.data import review, tables
from tantalio.web.data.table_specs import TABLES
from tantalio.web.render import render
from tantalio.web.routes.login import safe_next

router = APIRouter(include_in_schema=False)
Store = Annotated[CaseStore, Depends(case_store)]
Admin = Annotated[accounts.WebSession, Depends(ADMIN)]
Name = Annotated[str, PathParam(max_length=64)]


def _users_page(request: Request, store: CaseStore, session: accounts.WebSession, status: int = 200,
                error: str | None = None, done: str | None = None) -> HTMLResponse:
    config = config_of(request)
    return render(request, store, session, "users.html", status_code=status, users=accounts.list_users(store),
                  roles=accounts.ROLES, error=error, done=done,
                  soft_limit=review.soft_limit(store, config.welfare.soft_limit),
                  exposure=review.exposure_table(store))


@router.get("/admin/users")
def users_page(request: Request, store: Store, session: Admin) -> HTMLResponse:
    return _users_page(request, store, session)


@router.post("/admin/users")
def add_user_form(
    request: Request, store: Store, session: Admin,
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        accounts.add_user(store, name, role, password, actor=session.user.name)
    except UserError as e:
        return _users_page(request, store, session, 422, error=str(e))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}")
def change_user(
    request: Request, store: Store, session: Admin, name: Name,
    action: Annotated[str, Form(pattern="^(disable|enable|set-role|reset-password)$")],
    role: Annotated[str, Form(max_length=16)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    actor = session.user.name
    try:
        if action in ("disable", "enable"):
            accounts.set_disabled(store, name, action == "disable", actor=actor)
        elif action == "set-role":
            accounts.set_role(store, name, role, actor=actor)
        else:
            accounts.reset_password(store, name, password, actor=actor)
    except UserError as e:
        return _users_page(request, store, session, 422, error=f"{name}: {e}")
    return _users_page(request, store, session, done=f"{name}: {action.replace('-', ' ')} done")


@router.post("/admin/welfare")
def welfare_settings(request: Request, store: Store, session: Admin,
                     soft_limit: Annotated[int, Form(ge=1, le=100_000)]) -> Response:
    try:
        review.set_soft_limit(store, soft_limit, session.user.name)
    except UserError as e:
        return _users_page(request, store, session, 422, error=str(e))
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/notices")
def notices_page(request: Request, store: Store, session: Admin, next: str = "/") -> HTMLResponse:
    return render(request, store, session, "notices.html", notices=accounts.take_notices(store, session.user.name),
                  next=safe_next(next))


@router.get("/admin/audit.csv")
def audit_csv(request: Request, store: Store, session: Admin) -> Response:
    from tantalio.web.routes.workspace import table_csv

    store.audit("web.table_exported", {"table": "audit", "query": dict(request.query_params)}, actor=session.user.name)
    return table_csv(request, store, "audit")


@router.get("/admin/audit")
def audit_page(request: Request, store: Store, session: Admin) -> HTMLResponse:
    table = TABLES["audit"]
    query = tables.Query.from_params(table, dict(request.query_params))
    started = time.perf_counter()
    problem = store.verify_audit()
    chain: dict[str, Any] = {
        "ok": problem is None, "problem": None if problem is None else {"seq": problem.seq, "reason": problem.reason},
        "events": store.conn.execute("SELECT count(*) FROM audit_event").fetchone()[0],
        "head": store.meta("audit_head"), "seconds": round(time.perf_counter() - started, 3),
    }
    return render(request, store, session, "audit.html", t=tables.page_sql(table, store.conn, query), chain=chain,
                  actions=[a for (a,) in store.conn.execute("SELECT DISTINCT action FROM audit_event ORDER BY action")])
