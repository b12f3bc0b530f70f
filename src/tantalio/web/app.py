"""`create_app(case_dir)`: the analyst web UI of one case (FastAPI).

Storage: one SQLite connection per request (``CaseStore.open`` without migrating), which
WAL mode makes safe for concurrent readers; the few writes (sessions, categorisations,
audit events) take SQLite's write lock with ``BEGIN IMMEDIATE``. Migrations (0003_web) are
applied once here, at start.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from tantalio.media.hashlists.categories import get_scheme
from tantalio.store import CaseStore
from tantalio.web.auth import WebConfig, config_of, security_middleware
from tantalio.web.media_files import PreviewCache
from tantalio.web.render import ENV, CaseDocumentCache, is_synthetic
from tantalio.web.routes import admin, api, login, media, pages

STATIC = Path(__file__).resolve().parent / "static"


def create_app(case_dir: Path, *, scheme: str = "projectvic", secure_cookies: bool = False) -> FastAPI:
    """The web app for the case at `case_dir` (migrated to the current schema on start).

    `scheme` names the category scheme reviewers categorise with (media/hashlists/categories.py);
    `secure_cookies` marks cookies Secure, for use behind a TLS-terminating proxy.
    """
    with CaseStore.open(Path(case_dir)) as store:  # applies pending migrations, incl. 0003_web
        case_name = store.meta("name") or "case"
    config = WebConfig(Path(case_dir), get_scheme(scheme), secure_cookies,
                       {"documents": CaseDocumentCache(), "previews": PreviewCache()})
    # No Swagger/ReDoc pages: they load scripts from a CDN. The spec itself is served, after
    # login, at /api/openapi.json.
    app = FastAPI(title=f"Tantalio — {case_name}", version="1", docs_url=None, redoc_url=None,
                  openapi_url=None, swagger_ui_oauth2_redirect_url=None)
    app.state.web = config
    app.middleware("http")(security_middleware)
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    for module in (login, pages, media, api, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    synthetic = await run_in_threadpool(_is_synthetic, request)
    html = ENV.get_template("error.html").render(status=exc.status_code, detail=str(exc.detail), synthetic=synthetic)
    return Response(html, status_code=exc.status_code, media_type="text/html", headers=exc.headers)


def _is_synthetic(request: Request) -> bool:
    with config_of(request).open_store() as store:
        return is_synthetic(store)


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=422)
