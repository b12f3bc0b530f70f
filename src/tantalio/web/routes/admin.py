"""User management for admins (the same operation as `tantalio users add`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tantalio.errors import UserError
from tantalio.store import CaseStore
from tantalio.web.accounts import ROLES, WebSession, add_user, list_users
from tantalio.web.auth import ADMIN, case_store
from tantalio.web.render import render

router = APIRouter(include_in_schema=False)
Store = Annotated[CaseStore, Depends(case_store)]
Admin = Annotated[WebSession, Depends(ADMIN)]


@router.get("/admin/users")
def users_page(request: Request, store: Store, session: Admin) -> HTMLResponse:
    return render(request, store, session, "users.html", users=list_users(store), roles=ROLES, error=None)


@router.post("/admin/users")
def add_user_form(
    request: Request, store: Store, session: Admin,
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        add_user(store, name, role, password, actor=session.user.name)
    except UserError as e:
        return render(request, store, session, "users.html", status_code=422, users=list_users(store),
                      roles=ROLES, error=str(e))
    return RedirectResponse("/admin/users", status_code=303)
