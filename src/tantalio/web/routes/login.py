"""Login and logout. Every attempt, successful or not, is written to the audit log."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from tantalio.store import CaseStore
from tantalio.web.accounts import WebSession, authenticate, end_session, start_session
from tantalio.web.auth import ANALYSIS, LOGIN_CSRF_COOKIE, SESSION_COOKIE, case_store, config_of
from tantalio.web.render import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a fresh login to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, store: Annotated[CaseStore, Depends(case_store)], next: str = "/") -> Response:
    # Login CSRF: a random value in a cookie and in the form, compared on POST (double submit).
    # Reused while the cookie lives, so a second tab or a stray request to /login does not
    # invalidate a form already on screen.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, store, None, "login.html", login_csrf=token, next=_safe_next(next), error=None)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=config_of(request).secure_cookies, path="/login")
    return response


@router.post("/login")
def login(
    request: Request,
    store: Annotated[CaseStore, Depends(case_store)],
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        raise HTTPException(403, "missing or wrong CSRF token")
    user = authenticate(store, username, password)
    client = request.client.host if request.client else None
    if user is None:
        store.audit("web.login_failed", {"user": username, "client": client}, actor=username or "anonymous")
        return render(request, store, None, "login.html", status_code=401, login_csrf=expected,
                      next=_safe_next(next), error="Wrong user name or password.")
    token, _ = start_session(store, user)
    store.audit("web.login", {"user": user.name, "role": user.role, "client": client}, actor=user.name)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=config_of(request).secure_cookies, path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on every page; answering keeps them from landing on /login."""
    return Response(status_code=204)


@router.post("/logout")
def logout(store: Annotated[CaseStore, Depends(case_store)],
           session: Annotated[WebSession, Depends(ANALYSIS)]) -> Response:
    end_session(store, session)
    store.audit("web.logout", {"user": session.user.name}, actor=session.user.name)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
