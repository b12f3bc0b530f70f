"""`create_app(case_dir)`: the analyst web UI of one case (FastAPI).

Storage: one SQLite connection per request (``CaseStore.open`` without migrating), which
WAL mode makes safe for concurrent readers; the few writes (sessions, categorisations,
audit events) take SQLite's write lock with ``BEGIN IMMEDIATE`` and wait for it at most
``busy_timeout_s`` before the request is answered 503 (busy.py). Migrations are applied once
here, at start. A daemon thread (housekeeping.py) keeps the search index in step with ingest,
writes audit events that had to wait for the lock, and prunes sessions.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from tantalio.media.hashlists.categories import get_scheme
from tantalio.store import CaseStore
from tantalio.web.accounts import IDLE_MINUTES
from tantalio.web.auth import (
    LOOPBACK_HOSTS,
    WebConfig,
    Welfare,
    busy_response,
    config_of,
    security_middleware,
)
from tantalio.web.busy import is_busy
from tantalio.web.data.conversations import MergedCache
from tantalio.web.data.graph import GraphCache
from tantalio.web.data.review import replay_preview
from tantalio.web.housekeeping import Housekeeper
from tantalio.web.media_files import PreviewCache
from tantalio.web.render import CaseDocumentCache
from tantalio.web.routes import admin, api, login, media, pages, review, workspace
from tantalio.web.routes.login import replay_failed_login
from tantalio.web.throttle import ThrottlePolicy

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("tantalio.web")


def create_app(case_dir: Path, *, scheme: str = "projectvic", secure_cookies: bool = False,
               allowed_hosts: Iterable[str] = (), idle_minutes: float = IDLE_MINUTES,
               welfare: Welfare | None = None, throttle: ThrottlePolicy | None = None,
               busy_timeout_s: float = 10.0, housekeeping: bool = True) -> FastAPI:
    """The web app for the case at `case_dir` (migrated to the current schema on start).

    `scheme` names the category scheme reviewers categorise with (media/hashlists/categories.py);
    `secure_cookies` marks cookies Secure, for use behind a TLS-terminating proxy;
    `allowed_hosts` adds names the Host header may carry to the loopback ones.
    """
    with CaseStore.open(Path(case_dir)) as store:  # applies pending migrations
        case_name = store.meta("name") or "case"
    config = WebConfig(Path(case_dir), get_scheme(scheme), secure_cookies,
                       {"documents": CaseDocumentCache(), "previews": PreviewCache(), "graph": GraphCache(),
                        "merged": MergedCache()},
                       allowed_hosts=LOOPBACK_HOSTS | {h.strip().lower() for h in allowed_hosts if h.strip()},
                       idle_minutes=idle_minutes, busy_timeout_s=busy_timeout_s, welfare=welfare or Welfare(),
                       throttle=throttle or ThrottlePolicy())
    if housekeeping:
        config.extra["housekeeper"] = Housekeeper(config.open_store, config.pending, idle_minutes,
                                                  {"login_failed": replay_failed_login(config),
                                                   "preview": replay_preview})
    # No Swagger/ReDoc pages: they load scripts from a CDN. The spec itself is served, after
    # login, at /api/openapi.json.
    app = FastAPI(title=f"Tantalio — {case_name}", version="1", docs_url=None, redoc_url=None,
                  openapi_url=None, swagger_ui_oauth2_redirect_url=None)
    app.state.web = config
    app.middleware("http")(security_middleware)
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(sqlite3.OperationalError, _store_error)  # type: ignore[arg-type]
    for module in (login, pages, workspace, review, media, api, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    try:
        return await run_in_threadpool(_error_page, request, exc)
    except sqlite3.OperationalError as e:
        if not is_busy(e):
            raise
        return busy_response(request)


def _error_page(request: Request, exc: StarletteHTTPException) -> Response:
    from tantalio.web.render import render

    with config_of(request).open_store() as store:
        response = render(request, store, getattr(request.state, "session", None), "error.html",
                          status_code=exc.status_code, status=exc.status_code, detail=str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _store_error(request: Request, exc: sqlite3.OperationalError) -> Response:
    """A busy store is a 503 with Retry-After; any other SQLite failure stays a server error."""
    if is_busy(exc):
        log.warning("store busy answering %s %s", request.method, request.url.path)
        return busy_response(request)
    raise exc


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=422)
