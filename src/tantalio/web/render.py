"""HTML pages from Jinja2 templates, every value autoescaped (it all comes from evidence)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from tantalio.export import build_case_document
from tantalio.store import CaseStore
from tantalio.web.accounts import WebSession
from tantalio.web.auth import config_of
from tantalio.web.data.media import exposure_today

HERE = Path(__file__).resolve().parent
ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,  # every template, whatever its extension
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


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
        "scheme": config_of(request).scheme,
    }
    base.update(context)
    html = ENV.get_template(template).render(**base)
    return HTMLResponse(html, status_code=status_code)


class CaseDocumentCache:
    """The tantalio.case/1 document, rebuilt only when the case has changed.

    The key is read from the store on every use: the audit head moves with every recorded
    action (ingest, analysis, categorisation), and the row counts catch writers that do not audit.
    """

    _KEY_SQL = ("SELECT (SELECT value FROM meta WHERE key='audit_head'), (SELECT count(*) FROM person), "
                "(SELECT count(*) FROM person_role), (SELECT count(*) FROM group_event), "
                "(SELECT count(*) FROM media_item), (SELECT count(*) FROM match), (SELECT count(*) FROM warning)")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._doc: dict[str, Any] | None = None

    def get(self, store: CaseStore) -> dict[str, Any]:
        key = tuple(store.conn.execute(self._KEY_SQL).fetchone())
        with self._lock:
            if self._doc is None or key != self._key:
                self._doc = build_case_document(store)
                self._key = key
            return self._doc

    def invalidate(self) -> None:
        with self._lock:
            self._doc = None
