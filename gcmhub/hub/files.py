"""Files attached to requests: checked, stored by content hash, read by those taking part."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from sqlalchemy import select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.auth import allowed, authorize
from gcmhub.context import Context
from gcmhub.errors import Conflict, InvalidInput, NotFound
from gcmhub.hub.models import Attachment
from gcmhub.hub.requests import _event, _get, request_show, scope_of
from gcmhub.hub.schemas import RequestPublic
from gcmhub.settings import get_settings

# What a request may carry: documents, tables and pictures, told by extension and checked
# by content (a file that claims to be a PDF must read as one).
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
MAGIC = {
    ".pdf": b"%PDF-",
    ".docx": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
    ".odt": b"PK\x03\x04",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}


def attachment_folder() -> Path:
    """Where attached files live: under the data folder, named by their SHA-256."""
    return get_settings().data_dir / "attachments"


def _check(filename: str, data: bytes) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix not in MEDIA_TYPES:
        raise InvalidInput(
            f"file: '{filename}' is not a kind of file a request takes "
            f"({', '.join(sorted(MEDIA_TYPES))})"
        )
    if not data:
        raise InvalidInput(f"file: '{filename}' is empty")
    limit = get_settings().max_body_bytes
    if len(data) > limit:
        raise InvalidInput(f"file: '{filename}' is larger than {limit:,} bytes")
    magic = MAGIC.get(suffix)
    if magic and not data.startswith(magic):
        raise InvalidInput(f"file: '{filename}' is not a valid {suffix[1:].upper()} file")
    if suffix == ".pdf":
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            pages = len(PdfReader(io.BytesIO(data)).pages)
        except (PdfReadError, ValueError, KeyError, OSError) as error:
            raise InvalidInput(f"file: '{filename}' is a damaged PDF ({error})") from None
        if pages == 0:
            raise InvalidInput(f"file: '{filename}' is a PDF without pages")
    if suffix in (".txt", ".csv"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"file: '{filename}' is not UTF-8 text") from None
    return MEDIA_TYPES[suffix]


def request_attach(ctx: Context, ref: str, filename: str, data: bytes) -> RequestPublic:
    """Attach a file to a request; the same file twice on one request is refused (409)."""
    request = _get(ctx, ref)
    scope = scope_of(ctx, request)
    if not allowed(ctx.actor, "request_read", scope):
        raise NotFound(f"no request '{ref}'")
    authorize(ctx, "request_comment", scope)
    name = Path(filename.replace("\\", "/")).name.replace("\x00", "")[:255] or "file"
    media_type = _check(name, data)
    digest = hashlib.sha256(data).hexdigest()
    twin = ctx.session.scalar(
        select(Attachment.filename).where(
            Attachment.request_id == request.id, Attachment.sha256 == digest
        )
    )
    if twin is not None:
        raise Conflict(f"file: this file is attached already as '{twin}'")
    path = attachment_folder() / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)
    ctx.session.add(
        Attachment(
            request_id=request.id,
            filename=name,
            media_type=media_type,
            size=len(data),
            sha256=digest,
            added_by=ctx.actor.name,
            added_at=now(),
        )
    )
    _event(ctx, request, "file", name)
    audit_record(ctx, "request_attach", f"request:{ref}", None, {"file": name, "sha256": digest})
    return request_show(ctx, ref)


def attachment_open(ctx: Context, ref: str, attachment_id: int) -> tuple[Attachment, Path]:
    """Return an attachment and its file, for those taking part in the request."""
    request = _get(ctx, ref)
    scope = scope_of(ctx, request)
    from gcmhub.hub.auth import request_follow

    attachment = ctx.session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.request_id != request.id
        or not request_follow(ctx.actor, scope)
    ):
        raise NotFound(f"no file {attachment_id} on request '{ref}'")
    path = attachment_folder() / attachment.sha256[:2] / attachment.sha256
    if not path.exists():
        raise NotFound(f"the file of attachment {attachment_id} is missing from the data folder")
    return attachment, path
