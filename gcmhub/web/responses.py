"""API responses: JSON with ETags and caching headers, and streamed downloads."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from gcmhub.downloads import MEDIA_TYPES, Table, chunks

MAX_AGE = 60  # seconds a client or proxy may reuse a read without asking again


def cache_control(request: Request) -> str:
    """Public answers may be shared by caches; a signed-in person's are theirs alone."""
    actor = getattr(request.state, "actor", None)
    if actor is not None and actor.signed_in:
        return "private, no-cache"
    return f"public, max-age={MAX_AGE}"


def cached_json(request: Request, payload: BaseModel | Any, media_type: str = "") -> Response:
    """Answer with JSON, an ETag and caching headers; 304 when the client has this version."""
    if isinstance(payload, BaseModel):
        body = payload.model_dump_json().encode()
    else:
        body = json.dumps(payload, ensure_ascii=False, default=str).encode()
    tag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    headers = {"ETag": tag, "Cache-Control": cache_control(request)}
    wanted = request.headers.get("if-none-match", "")
    if tag in [t.strip().removeprefix("W/") for t in wanted.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type or "application/json", headers=headers)


def download(
    table: Table,
    rows: Iterable[BaseModel],
    fmt: str,
    head: dict[str, Any] | None = None,
    cache: str = f"public, max-age={MAX_AGE}",
) -> StreamingResponse:
    """Stream rows in a format, with a file name a browser saves them under."""
    extension = {"csv": "csv", "json": "json", "jsonld": "jsonld"}[fmt]
    disposition = "attachment" if fmt == "csv" else "inline"
    return StreamingResponse(
        chunks(table, rows, fmt, head),
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'{disposition}; filename="{table.name}.{extension}"',
            "Cache-Control": cache,
        },
    )
