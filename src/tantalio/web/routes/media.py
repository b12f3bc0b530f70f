"""Media bytes, for reviewers only: blurred previews, one-at-a-time reveals, original downloads.

Every reveal and download is a separate authenticated request, written to the audit log with
the reviewer's name and counted in their exposure for the day. Nothing here is cacheable
(Cache-Control: no-store is set on every response by the security middleware).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from tantalio.store import CaseStore
from tantalio.web.accounts import WebSession
from tantalio.web.auth import MEDIA, case_store, config_of
from tantalio.web.data.media import record_view
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
    cache: PreviewCache = config_of(request).extra["previews"]
    image = cache.get(sha256)
    if image is None:
        try:
            image = blurred_preview(_read(store, sha256))
        except MediaUnavailable as e:
            raise HTTPException(415, f"no preview: {e}") from e
        cache.put(sha256, image)
    return Response(image, media_type="image/png",
                    headers={"Content-Disposition": f'inline; filename="{sha256[:16]}-blurred.png"'})


@router.get("/media/{sha256}/reveal")
def reveal(store: Store, session: Reviewer, sha256: Sha256) -> Response:
    _known(store, sha256)
    try:
        image = revealed_image(_read(store, sha256))
    except MediaUnavailable as e:
        raise HTTPException(415, f"cannot display: {e}") from e
    exposure = record_view(store, sha256, session.user.name, "web.media_revealed")
    return Response(image, media_type="image/png", headers={
        "Content-Disposition": f'attachment; filename="{sha256}.png"', "X-Exposure-Today": str(exposure)})


@router.get("/media/{sha256}/original")
def original(store: Store, session: Reviewer, sha256: Sha256) -> Response:
    _known(store, sha256)
    data = _read(store, sha256)
    record_view(store, sha256, session.user.name, "web.media_downloaded")
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{sha256}.bin"'})
