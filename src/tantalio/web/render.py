"""HTML pages from Jinja2 templates, every value autoescaped (it all comes from evidence)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from tantalio.export import build_case_document
from tantalio.report.wording import RECOVERED_AREAS, RECOVERED_STATES
from tantalio.store import CaseStore
from tantalio.web.accounts import WebSession
from tantalio.web.auth import config_of
from tantalio.web.data.media import exposure_today
from tantalio.web.data.version import case_version

HERE = Path(__file__).resolve().parent
ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,  # every template, whatever its extension
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.globals["urlencode"] = urlencode
ENV.globals["recovered_words"] = {**RECOVERED_STATES, **RECOVERED_AREAS}   # codes of carved rows, in English


def is_synthetic(store: CaseStore) -> bool:
    return store.meta("synthetic") == "1"


def render(request: Request, store: CaseStore, session: WebSession | None, template: str,
           status_code: int = 200, **context: Any) -> HTMLResponse:
    user = session.user if session else None
    base = {
        "request_path": request.url.path,
        "case_name": store.meta("name") or "case",
        "synthetic": is_synthetic(store),
        "user": user,
        "csrf_token": session.csrf_token if session else "",
        "exposure": exposure_today(store, user.name) if user and user.sees_media else None,
        "welfare": _welfare(request, store, user.name) if user and user.sees_media else None,
        "scheme": config_of(request).scheme,
    }
    base.update(context)
    html = ENV.get_template(template).render(**base)
    return HTMLResponse(html, status_code=status_code)


def _welfare(request: Request, store: CaseStore, user: str) -> dict[str, Any]:
    from tantalio.web.data.review import soft_limit, welfare_state

    w = config_of(request).welfare
    return welfare_state(store, user, soft_limit(store, w.soft_limit), w.break_after_minutes, w.break_gap_minutes)


class CaseDocumentCache:
    """The tantalio.case/1 document, rebuilt only when the case has changed.

    The key (data/version.py) is read from the store on every use; it does not move when a
    reviewer merely looks at media, so previews do not rebuild the document.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._doc: dict[str, Any] | None = None

    def get(self, store: CaseStore) -> dict[str, Any]:
        key = case_version(store.conn)
        with self._lock:
            if self._doc is None or key != self._key:
                self._doc = build_case_document(store)
                self._key = key
            return self._doc

    def invalidate(self) -> None:
        with self._lock:
            self._doc = None
