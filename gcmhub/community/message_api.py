"""Messages between members under /api/v1/community: write to an organization, read my
messages, reply, report abuse. No answer ever carries an email address: the platform
delivers, and each side sees the other by name (gcmhub/community/messages.py).

Reading needs a signed-in person (a token with the `read` scope); answers are private and
never stored by caches. Writes take a token with the `write` scope.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.community import messages
from gcmhub.community.message_schemas import (
    MessagePublic,
    MessageReport,
    MessageReported,
    MessageWrite,
    ReplyWrite,
)
from gcmhub.web.deps import ContextDep, RecordId, filters_from
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.session import require_token

router = APIRouter(prefix="/api/v1/community", tags=["community"], responses=PROBLEM_RESPONSES)
PRIVATE = "private, no-store"


@router.post(
    "/organizations/{organization_id}/messages",
    summary="Write to an organization",
    description="Anyone signed in, with a write token, to an approved organization: the "
    "account that registered it gets a notice (and an email when it gave an address) with "
    "the subject, your name and a link to read and reply here; neither side sees the other's "
    "address. Your own organization: 422; a pending or rejected one: 404; more than "
    "`GCMHUB_MESSAGE_RATE` messages a minute: 429, nothing stored.",
    status_code=201,
    response_model=MessagePublic,
    openapi_extra={"x-rule": "message_send"},
)
def messages_send(
    request: Request, ctx: ContextDep, organization_id: RecordId, body: MessageWrite
) -> MessagePublic:
    require_token(request, ctx)
    return messages.message_send(ctx, organization_id, body)


@router.get(
    "/messages",
    summary="My messages",
    description="Messages received and sent by the reader (or one `box`), newest first.",
    response_model=list[MessagePublic],
)
def messages_list(
    request: Request,
    response: Response,
    ctx: ContextDep,
    box: Annotated[str | None, Query(pattern="^(received|sent)$")] = None,
    limit: Annotated[int, Query(ge=1, le=messages.LIST_MAX)] = 100,
) -> list[MessagePublic]:
    filters_from(request, {"box", "limit"}, [])
    response.headers["Cache-Control"] = PRIVATE
    return messages.message_list(ctx, box, limit)


@router.get(
    "/messages/{message_id}",
    summary="A message",
    description="To its sender and its recipient only (anyone else: 404); reading it marks "
    "it read for the recipient.",
    response_model=MessagePublic,
)
def messages_show(
    request: Request, response: Response, ctx: ContextDep, message_id: RecordId
) -> MessagePublic:
    filters_from(request, set(), [])
    response.headers["Cache-Control"] = PRIVATE
    return messages.message_show(ctx, message_id)


@router.post(
    "/messages/{message_id}/reply",
    summary="Reply to a message",
    description="Its recipient, with a write token: the reply goes to the sender, in the "
    "same thread, with the same notice. Counts against `GCMHUB_MESSAGE_RATE`.",
    status_code=201,
    response_model=MessagePublic,
    openapi_extra={"x-rule": "message_reply"},
)
def messages_reply(
    request: Request, ctx: ContextDep, message_id: RecordId, body: ReplyWrite
) -> MessagePublic:
    require_token(request, ctx)
    return messages.message_reply(ctx, message_id, body)


@router.post(
    "/messages/{message_id}/report",
    summary="Report a message as abuse",
    description="Its recipient, with a write token: the message is marked reported and every "
    "curator gets a notice with its number and the reason; the sender is not told. Already "
    "reported: 409.",
    response_model=MessageReported,
    openapi_extra={"x-rule": "message_report"},
)
def messages_report(
    request: Request, ctx: ContextDep, message_id: RecordId, body: MessageReport
) -> MessageReported:
    require_token(request, ctx)
    return messages.message_report(ctx, message_id, body)
