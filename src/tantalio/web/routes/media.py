"""Media bytes, for reviewers only: blurred previews, one-at-a-time reveals, original downloads.

Every preview, reveal and download is a separate authenticated request, written to the audit log
with the reviewer's name and counted in their exposure for the day. A reveal needs the one-time
grant the review page obtains first (data/review.py). Nothing here is cacheable (Cache-Control:
no-store is set on every response by the security middleware).
"""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from tantalio.store import CaseStore, utcnow
from tantalio.web.accounts import WebSession
from tantalio.web.auth import MEDIA, case_store, config_of
from tantalio.web.busy import is_busy
from tantalio.web.data.review import record_exposure, record_preview, take_grant
from tantalio.web.media_files import (
    MediaUnavailable,
    PreviewCache,
    blurred_preview,
    read_media,
    revealed_image,
)

router = APIRouter(include_in_schema=False)
Store = Annotated[CaseStore, Depends(case_store)]
Reviewer = Annotated[WebSession, Depends(MEDIA)]
Sha256 = Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")]


def _known(store: CaseStore, sha256: str) -> str | None:
    row = store.conn.execute("SELECT mime FROM media_item WHERE sha256=?", (sha256,)).fetchone()
    if row is None:
        raise HTTPException(404, "no such media item")
    return row[0]


def _read(store: CaseStore, sha256: str) -> bytes:
    try:
        return read_media(store, sha256)
    except MediaUnavailable as e:
        raise HTTPException(404, f"media not available: {e}") from e


@router.get("/media/{sha256}/preview")
def preview(request: Request, store: Store, session: Reviewer, sha256: Sha256) -> Response:
    _known(store, sha256)
    config = config_of(request)
    cache: PreviewCache = config.extra["previews"]
    image = cache.get(sha256)
    if image is None:
        try:
            image = blurred_preview(_read(store, sha256))
        except MediaUnavailable as e:
            raise HTTPException(415, f"no preview: {e}") from e
        cache.put(sha256, image)
    try:
        record_preview(store, session.user.name, sha256)
    except sqlite3.OperationalError as e:
        if not is_busy(e):
            raise
        # Blurred previews go on while another process writes; their audit rows follow.
        config.pending.add("preview", (session.user.name, sha256, utcnow()))
        housekeeper = config.extra.get("housekeeper")
        if housekeeper is not None:
            housekeeper.nudge()
    return Response(image, media_type="image/png",
                    headers={"Content-Disposition": f'inline; filename="{sha256[:16]}-blurred.png"'})


@router.get("/media/{sha256}/reveal")
def reveal(request: Request, store: Store, session: Reviewer, sha256: Sha256,
           grant: Annotated[str, Query(max_length=128)] = "") -> Response:
    _known(store, sha256)
    try:
        image = revealed_image(_read(store, sha256))
    except MediaUnavailable as e:
        raise HTTPException(415, f"cannot display: {e}") from e
    with store.transaction():  # the grant is used and the reveal audited together, or neither
        if not grant or not take_grant(store, session.user.name, sha256, grant):
            raise HTTPException(403, "reveal from the review page: one item at a time, each reveal asked for and logged")
        exposure = record_exposure(store, session.user.name, sha256, "web.media_revealed",
                                   config_of(request).welfare.break_gap_minutes)
    return Response(image, media_type="image/png", headers={
        "Content-Disposition": f'attachment; filename="{sha256}.png"', "X-Exposure-Today": str(exposure)})


@router.get("/media/{sha256}/original")
def original(request: Request, store: Store, session: Reviewer, sha256: Sha256) -> Response:
    _known(store, sha256)
    data = _read(store, sha256)
    record_exposure(store, session.user.name, sha256, "web.media_downloaded", config_of(request).welfare.break_gap_minutes)
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{sha256}.bin"'})
