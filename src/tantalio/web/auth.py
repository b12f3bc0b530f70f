"""Who may see what: login sessions, roles and CSRF, enforced for every request.

Deny by default: the middleware refuses any request without a live session except the login
page and its stylesheet; route dependencies then check the role and, for anything that changes
state, the session's CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tantalio.media.hashlists.categories import CategoryScheme
from tantalio.store import CaseStore
from tantalio.web.accounts import WebSession, find_session

SESSION_COOKIE = "tantalio_session"
LOGIN_CSRF_COOKIE = "tantalio_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
PUBLIC_PATHS = frozenset({"/login", "/static/app.css", "/favicon.ico"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@dataclass
class WebConfig:
    """What the app was started with; kept on ``app.state.web``."""

    case_dir: Path
    scheme: CategoryScheme
    secure_cookies: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def open_store(self) -> CaseStore:
        return CaseStore.open(self.case_dir, migrate=False)


def config_of(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.web
    return config


def case_store(request: Request) -> Iterator[CaseStore]:
    """One SQLite connection per request (WAL: readers never wait; writers queue on BEGIN IMMEDIATE)."""
    store = config_of(request).open_store()
    try:
        yield store
    finally:
        store.close()


def _lookup_session(config: WebConfig, token: str) -> WebSession | None:
    with config.open_store() as store:
        return find_session(store, token)


async def security_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await _authenticate(request, call_next)
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


async def _authenticate(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    request.state.session = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        request.state.session = await run_in_threadpool(_lookup_session, config_of(request), token)
    if request.state.session is None and request.url.path not in PUBLIC_PATHS:
        return _denied(request)
    return await call_next(request)


def _denied(request: Request) -> Response:
    path = request.url.path
    if path.startswith("/api/"):
        return JSONResponse({"detail": "login required"}, status_code=401)
    if path.startswith(("/media/", "/static/")) or request.method != "GET":
        return PlainTextResponse("login required", status_code=401)
    return RedirectResponse(f"/login?next={quote(path, safe='/')}", status_code=303)


def need(*roles: str) -> Callable[[Request], Awaitable[WebSession]]:
    """A dependency: the session of a user holding one of `roles`, CSRF-checked when it writes."""

    async def dependency(request: Request) -> WebSession:
        session: WebSession | None = getattr(request.state, "session", None)
        if session is None:
            raise HTTPException(401, "login required")
        if session.user.role not in roles:
            raise HTTPException(403, f"the {session.user.role} role may not do this")
        if request.method in UNSAFE_METHODS:
            await check_csrf(request, session.csrf_token)
        return session

    return dependency


async def check_csrf(request: Request, expected: str) -> None:
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(403, "missing or wrong CSRF token")


ANY_USER = ("admin", "analyst", "reviewer")
ANALYSIS = need(*ANY_USER)
MEDIA = need("reviewer")
ADMIN = need("admin")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
