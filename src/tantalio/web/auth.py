"""Who may see what: login sessions, roles and CSRF, enforced for every request.

Deny by default: the middleware refuses any request without a live session except the login
page and its stylesheet; route dependencies then check the role and, for anything that changes
state, the session's CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``).
"""

from __future__ import annotations

import hmac
import ipaddress
import sqlite3
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
from tantalio.web.accounts import IDLE_MINUTES, WebSession, find_session, touch_session
from tantalio.web.busy import RETRY_AFTER_S, PendingWrites, is_busy
from tantalio.web.pool import StorePool
from tantalio.web.throttle import ThrottlePolicy

SESSION_COOKIE = "tantalio_session"
LOGIN_CSRF_COOKIE = "tantalio_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
PUBLIC_PATHS = frozenset({"/login", "/static/app.css", "/favicon.ico"})
PASSWORD_CHANGE_PATHS = frozenset({"/account", "/logout", "/favicon.ico"})
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


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Welfare:
    """Reviewer welfare: a soft daily limit on reveals and a reminder to take a break."""

    soft_limit: int = 200                 # reveals per reviewer per UTC day before a confirmation is asked
    break_after_minutes: float = 50.0     # a stretch of reviewing this long gets a break reminder
    break_gap_minutes: float = 10.0       # a pause this long counts as a break


@dataclass
class WebConfig:
    """What the app was started with; kept on ``app.state.web``."""

    case_dir: Path
    scheme: CategoryScheme
    secure_cookies: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    allowed_hosts: frozenset[str] = LOOPBACK_HOSTS
    idle_minutes: float = IDLE_MINUTES
    busy_timeout_s: float = 10.0
    welfare: Welfare = field(default_factory=Welfare)
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    pending: PendingWrites = field(default_factory=PendingWrites)

    def open_store(self) -> CaseStore:
        """A store for one request: pooled (close() gives it back), waiting at most busy_timeout_s for the lock."""
        pool = self.extra.get("pool")
        if pool is None:
            pool = self.extra.setdefault("pool", StorePool(self.case_dir, int(self.busy_timeout_s * 1000)))
        store: CaseStore = pool.acquire()
        return store


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
        session = find_session(store, token, config.idle_minutes)
        if session is not None:
            try:
                touch_session(store, session)
            except sqlite3.OperationalError as e:  # busy: the idle clock moves on at the next request
                if not is_busy(e):
                    raise
        return session


def host_allowed(host_header: str | None, allowed: frozenset[str]) -> bool:
    """The Host header's name (port and IPv6 brackets removed) is on the allow-list.

    Checked before anything else: a page on another site that resolves its own name to
    127.0.0.1 (DNS rebinding) sends its own name as Host and is refused."""
    if not host_header:
        return False
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1:host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host in allowed


async def security_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    config = config_of(request)
    if not host_allowed(request.headers.get("host"), config.allowed_hosts):
        response: Response = PlainTextResponse("this host name is not allowed (see `tantalio serve --allow-host`)",
                                               status_code=400)
    else:
        housekeeper = config.extra.get("housekeeper")
        if housekeeper is not None:
            housekeeper.start()
        try:
            response = await _authenticate(request, call_next)
        except sqlite3.OperationalError as e:
            if not is_busy(e):
                raise
            response = busy_response(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def busy_response(request: Request) -> Response:
    """503 with Retry-After: the case is being written by another process (ingest, analyze)."""
    message = "the case is busy (another process is writing to it); try again in a few seconds"
    headers = {"Retry-After": str(RETRY_AFTER_S)}
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=503, headers=headers)
    return PlainTextResponse(message, status_code=503, headers=headers)


async def _authenticate(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    request.state.session = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        request.state.session = await run_in_threadpool(_lookup_session, config_of(request), token)
    session = request.state.session
    path = request.url.path
    if session is None and path not in PUBLIC_PATHS:
        return _denied(request)
    if session is not None and session.must_change_password and path not in PASSWORD_CHANGE_PATHS \
            and not path.startswith("/static/"):
        if path.startswith("/api/") or request.method != "GET":
            return JSONResponse({"detail": "change your password first (/account)"}, status_code=403)
        return RedirectResponse(f"/account?next={quote(_here(request), safe='/')}", status_code=303)
    return await call_next(request)


def _denied(request: Request) -> Response:
    path = request.url.path
    if path.startswith("/api/"):
        return JSONResponse({"detail": "login required"}, status_code=401)
    if path.startswith(("/media/", "/static/")) or request.method != "GET":
        return PlainTextResponse("login required", status_code=401)
    return RedirectResponse(f"/login?next={quote(_here(request), safe='/')}", status_code=303)


def _here(request: Request) -> str:
    """The path with its query: a login must bring the analyst back to the same filtered view."""
    query = request.url.query
    return request.url.path + ("?" + query if query else "")


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
