"""The accounts API: who am I, my personal data, the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.accounts import actions
from gcmhub.accounts.audit import AUDIT, AuditPage, audit_list, audit_stream
from gcmhub.accounts.schemas import PersonalData
from gcmhub.downloads import format_of
from gcmhub.errors import Unauthorized
from gcmhub.web.deps import ContextDep, filters_from
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.responses import download
from gcmhub.web.session import require_token

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=PROBLEM_RESPONSES)


def _username(ctx: ContextDep) -> str:
    if not ctx.actor.signed_in:
        raise Unauthorized("send an API token: 'Authorization: Bearer gcm_…'")
    return ctx.actor.name


@router.get(
    "/me",
    summary="My personal data",
    description="Everything GCM Hub holds about the token's owner: the account, its tokens "
    "(never their secrets) and the writes it made.",
    response_model=PersonalData,
)
def me(ctx: ContextDep) -> PersonalData:
    return actions.personal_data_export(ctx, _username(ctx))


@router.delete(
    "/me",
    summary="Delete my personal data",
    description="Anonymise the account: name, email and organization erased, sign-in and "
    "tokens stopped. What the account did stays on record under an anonymous name.",
    status_code=204,
    openapi_extra={"x-rule": "personal_data_delete"},
)
def me_delete(request: Request, ctx: ContextDep) -> Response:
    require_token(request, ctx)
    actions.personal_data_delete(ctx, _username(ctx))
    return Response(status_code=204)


@router.get(
    "/audit",
    summary="The audit trail",
    description="Every write, newest first: who, when, what, before and after (curators).",
    response_model=AuditPage,
)
def audit(
    request: Request,
    ctx: ContextDep,
    cursor: Annotated[str | None, Query(description="`next` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    format: Annotated[str | None, Query(description="csv, json or jsonld: all of it.")] = None,
) -> Response | AuditPage:
    filters_from(request, {"cursor", "limit", "format"}, [])
    page = audit_list(ctx, cursor, limit)  # checks the reader may see the trail
    if format:
        return download(AUDIT, audit_stream(ctx.actor), format_of(format))
    return page
