"""Login, logout and changing one's own password. Every attempt, successful, failed or refused
by the throttle (throttle.py), is written to the audit log — if the store is busy, as soon as it
is free (busy.py)."""

from __future__ import annotations

import hmac
import secrets
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from tantalio.errors import UserError
from tantalio.store import CaseStore
from tantalio.web import throttle
from tantalio.web.accounts import (
    WebSession,
    authenticate,
    change_own_password,
    end_session,
    must_change_password,
    start_session,
)
from tantalio.web.auth import ANALYSIS, LOGIN_CSRF_COOKIE, SESSION_COOKIE, WebConfig, case_store, config_of
from tantalio.web.busy import is_busy
from tantalio.web.render import render

router = APIRouter(include_in_schema=False)
Store = Annotated[CaseStore, Depends(case_store)]


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a fresh login to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, store: Store, next: str = "/") -> Response:
    # Login CSRF: a random value in a cookie and in the form, compared on POST (double submit).
    # Reused while the cookie lives, so a second tab or a stray request to /login does not
    # invalidate a form already on screen; replaced after each login.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, store, None, "login.html", login_csrf=token, next=safe_next(next), error=None)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=config_of(request).secure_cookies, path="/login")
    return response


def _failed(store: CaseStore, config: WebConfig, user: str, client: str | None, when: datetime,
            occurred_at: str | None = None) -> None:
    with store.transaction() as conn:
        locks = throttle.record_failure(conn, config.throttle, user, client, when)
        extra = {"occurred_at": occurred_at} if occurred_at else {}
        store.audit("web.login_failed", {"user": user, "client": client, **extra}, actor=user or "anonymous")
        for lock in locks:
            store.audit("web.login_locked", {"key": lock.key, "until": lock.until.isoformat(), **extra},
                        actor=user or "anonymous")


def replay_failed_login(config: WebConfig) -> Callable[[CaseStore, object], None]:
    """Writes a failed login that could not be recorded while the store was busy."""

    def replay(store: CaseStore, payload: object) -> None:
        user, client, when = cast(tuple[str, str | None, str], payload)
        _failed(store, config, user, client, datetime.fromisoformat(when), occurred_at=when)

    return replay


def _audit_or_queue(store: CaseStore, config: WebConfig, action: str, details: dict[str, object], actor: str) -> None:
    try:
        store.audit(action, details, actor=actor)
    except sqlite3.OperationalError as e:
        if not is_busy(e):
            raise
        config.pending.add_audit(action, details, actor)
        _nudge(config)


def _nudge(config: WebConfig) -> None:
    housekeeper = config.extra.get("housekeeper")
    if housekeeper is not None:
        housekeeper.nudge()


@router.post("/login")
def login(
    request: Request, store: Store,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        raise HTTPException(403, "missing or wrong CSRF token")
    config = config_of(request)
    client = request.client.host if request.client else None
    now = datetime.now(UTC)
    actor = username or "anonymous"

    def form(status: int, error: str, headers: dict[str, str] | None = None) -> Response:
        response = render(request, store, None, "login.html", status_code=status, login_csrf=expected,
                          next=safe_next(next), error=error)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response

    refused = throttle.refusal(store.conn, username, client, now)
    if refused is not None:
        wait = refused.retry_after(now)
        _audit_or_queue(store, config, "web.login_throttled",
                        {"user": username, "client": client, "locked": refused.locked, "wait_s": wait}, actor)
        what = "locked after too many failed attempts" if refused.locked else "slowed down after failed attempts"
        return form(429, f"Logins are {what}: try again in {wait} s.", {"Retry-After": str(wait)})
    user = authenticate(store, username, password)
    if user is None:
        try:
            _failed(store, config, username, client, now)
        except sqlite3.OperationalError as e:
            if not is_busy(e):
                raise
            config.pending.add("login_failed", (username, client, now.isoformat()))
            _nudge(config)
        return form(401, "Wrong user name or password.")
    with store.transaction() as conn:  # busy: raises, answered 503 by the app (nothing was done)
        throttle.record_success(conn, user.name)
        token, _ = start_session(store, user, client, config.idle_minutes)
        store.audit("web.login", {"user": user.name, "role": user.role, "client": client}, actor=user.name)
        notices = user.manages_users and conn.execute(
            "SELECT 1 FROM admin_notice n WHERE NOT EXISTS (SELECT 1 FROM admin_notice_seen s WHERE "
            "s.notice_id = n.id AND s.admin = ?) LIMIT 1", (user.name,)).fetchone() is not None
    target = safe_next(next)
    if must_change_password(store, user.name):
        target = "/account?" + _query("next", target)
    elif notices:
        target = "/admin/notices?" + _query("next", target)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=config.secure_cookies, path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def _query(name: str, value: str) -> str:
    from urllib.parse import urlencode

    return urlencode({name: value})


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on every page; answering keeps them from landing on /login."""
    return Response(status_code=204)


@router.post("/logout")
def logout(store: Store, session: Annotated[WebSession, Depends(ANALYSIS)]) -> Response:
    end_session(store, session)
    store.audit("web.logout", {"user": session.user.name}, actor=session.user.name)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account")
def account_page(request: Request, store: Store, session: Annotated[WebSession, Depends(ANALYSIS)],
                 next: str = "/") -> Response:
    return render(request, store, session, "account.html", next=safe_next(next), error=None, done=False,
                  must_change=session.must_change_password)


@router.post("/account")
def change_password(
    request: Request, store: Store, session: Annotated[WebSession, Depends(ANALYSIS)],
    current: Annotated[str, Form(max_length=1024)], new: Annotated[str, Form(max_length=1024)],
    again: Annotated[str, Form(max_length=1024)], next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    error = None
    if new != again:
        error = "The two new passwords differ."
    else:
        try:
            change_own_password(store, session, current, new)
        except UserError as e:
            error = str(e)
    if error:
        return render(request, store, session, "account.html", status_code=422, next=safe_next(next), error=error,
                      done=False, must_change=session.must_change_password)
    return RedirectResponse(safe_next(next), status_code=303)
