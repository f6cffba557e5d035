"""The connection hub's API under /api/v1/hub: requests, matching, providers and offers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, UploadFile
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from gcmhub.accounts.notices import notice_list, notice_read_all
from gcmhub.accounts.schemas import NoticePublic
from gcmhub.downloads import format_of
from gcmhub.hub import files, handoffs, listing, matching, providers, requests
from gcmhub.hub.exports import PROVIDERS, REQUESTS
from gcmhub.hub.schemas import (
    CommentWrite,
    EngageWrite,
    OfferPublic,
    OfferWrite,
    ProviderPublic,
    ProviderUpdate,
    ProviderWrite,
    RequestPage,
    RequestPublic,
    RequestUpdate,
    RequestWrite,
    Shortlist,
    StepRequest,
)
from gcmhub.web.deps import ContextDep
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.responses import cache_control, cached_json, download
from gcmhub.web.session import require_token

router = APIRouter(prefix="/api/v1", tags=["connection hub"], responses=PROBLEM_RESPONSES)
FormatQuery = Annotated[
    str | None, Query(description="Download the whole list: csv, json or jsonld.")
]


@router.get(
    "/hub/requests",
    summary="List requests for support",
    description="Public and anonymised requests for everyone; private ones for the "
    "secretariat, the requesting country and engaged providers. The secretariat's queue: "
    "filter by state, country, objective, region, assignee, overdue; sort by age or due date.",
    response_model=RequestPage,
)
def requests_list(
    request: Request,
    ctx: ContextDep,
    state: str | None = None,
    country: str | None = None,
    objective: str | None = None,
    region: str | None = None,
    assignee: str | None = None,
    overdue: bool | None = None,
    open: Annotated[bool, Query(description="Only requests not yet closed.")] = False,
    sort: Annotated[str, Query(description="-age (oldest first), age, due.")] = "-age",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    format: FormatQuery = None,
) -> Response:
    wanted = listing.RequestFilter(state, country, objective, region, assignee, overdue, open)
    if format:
        fmt = format_of(format)
        rows = list(listing.request_stream(ctx, wanted, sort))
        return download(REQUESTS, rows, fmt, {"count": len(rows)}, cache_control(request))
    return cached_json(request, listing.request_list(ctx, wanted, sort, offset, limit))


@router.post(
    "/hub/requests",
    summary="Ask for support",
    description="A focal point asks for its own country (the secretariat for any). Objectives "
    "are suggested from the need's text; confirm them with PATCH. Contact details need the "
    "contact person's consent.",
    status_code=201,
    response_model=RequestPublic,
    openapi_extra={"x-rule": "request_create"},
)
def requests_create(request: Request, ctx: ContextDep, body: RequestWrite) -> RequestPublic:
    require_token(request, ctx)
    return requests.request_create(ctx, body)


@router.get("/hub/requests/{ref}", summary="One request", response_model=RequestPublic)
def requests_show(request: Request, ctx: ContextDep, ref: str) -> Response:
    return cached_json(request, requests.request_show(ctx, ref))


@router.patch(
    "/hub/requests/{ref}",
    summary="Change a request",
    response_model=RequestPublic,
    openapi_extra={"x-rule": "request_update"},
)
def requests_update(
    request: Request, ctx: ContextDep, ref: str, body: RequestUpdate
) -> RequestPublic:
    require_token(request, ctx)
    return requests.request_update(ctx, ref, body)


@router.post(
    "/hub/requests/{ref}/steps",
    summary="Move a request to another state",
    description="submitted -> triaged -> matched -> in_progress -> resolved -> closed, plus "
    "declined and withdrawn. A step that is not allowed is a 409 whose `allowed` lists the "
    "steps that are. Closing carries the requester's `rating` (1-5), `lessons` and "
    "`provider_ratings`.",
    response_model=RequestPublic,
    openapi_extra={"x-rule": "request_step"},
)
def requests_step(request: Request, ctx: ContextDep, ref: str, body: StepRequest) -> RequestPublic:
    require_token(request, ctx)
    return requests.request_step(ctx, ref, body)


class Assignment(BaseModel):
    """Who in the secretariat handles a request (null: nobody)."""

    assignee: str | None


@router.post(
    "/hub/requests/{ref}/assign",
    summary="Assign a request to secretariat staff",
    response_model=RequestPublic,
    openapi_extra={"x-rule": "request_assign"},
)
def requests_assign(request: Request, ctx: ContextDep, ref: str, body: Assignment) -> RequestPublic:
    require_token(request, ctx)
    return requests.request_assign(ctx, ref, body.assignee)


@router.post(
    "/hub/requests/{ref}/comments",
    summary="Comment on a request",
    response_model=RequestPublic,
    openapi_extra={"x-rule": "request_comment"},
)
def requests_comment(
    request: Request, ctx: ContextDep, ref: str, body: CommentWrite
) -> RequestPublic:
    require_token(request, ctx)
    return requests.request_comment(ctx, ref, body)


@router.post(
    "/hub/requests/{ref}/attachments",
    summary="Attach a file to a request",
    description="PDF, DOCX, XLSX, ODT, TXT, CSV, PNG or JPEG, checked by content; the same "
    "file twice is a 409.",
    status_code=201,
    response_model=RequestPublic,
    openapi_extra={"x-rule": "request_comment"},
)
def requests_attach(
    request: Request, ctx: ContextDep, ref: str, file: Annotated[UploadFile, File()]
) -> RequestPublic:
    require_token(request, ctx)
    return files.request_attach(ctx, ref, file.filename or "file", file.file.read())


@router.get(
    "/hub/requests/{ref}/attachments/{attachment_id}",
    summary="Download a file attached to a request",
    response_class=FileResponse,
)
def requests_attachment(
    ctx: ContextDep,
    ref: str,
    attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],  # an INTEGER column
) -> FileResponse:
    attachment, path = files.attachment_open(ctx, ref, attachment_id)
    return FileResponse(
        path,
        media_type=attachment.media_type,
        filename=attachment.filename,
        headers={"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "/hub/requests/{ref}/matches",
    summary="Shortlist and integrated plan for a request",
    description="Providers, offers and practices ranked with their reasons; the plan is the "
    "fewest, best providers covering every objective and kind of support asked.",
    response_model=Shortlist,
)
def requests_matches(
    request: Request, ctx: ContextDep, ref: str, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> Response:
    return cached_json(request, matching.request_match(ctx, ref, limit))


@router.post(
    "/hub/requests/{ref}/engagements",
    summary="Put a provider in a request's plan",
    response_model=RequestPublic,
    openapi_extra={"x-rule": "request_engage"},
)
def requests_engage(
    request: Request, ctx: ContextDep, ref: str, body: EngageWrite
) -> RequestPublic:
    require_token(request, ctx)
    return requests.request_engage(ctx, ref, body)


@router.post(
    "/hub/requests/{ref}/plan",
    summary="Adopt the proposed integrated plan",
    response_model=RequestPublic,
    openapi_extra={"x-rule": "request_engage"},
)
def requests_plan(request: Request, ctx: ContextDep, ref: str) -> RequestPublic:
    require_token(request, ctx)
    matching.request_plan_accept(ctx, ref)
    return requests.request_show(ctx, ref)


@router.post(
    "/hub/requests/{ref}/publish",
    summary="Publish a resolved request as a solution",
    response_model=RequestPublic,
    openapi_extra={"x-rule": "request_publish"},
)
def requests_publish(request: Request, ctx: ContextDep, ref: str) -> RequestPublic:
    require_token(request, ctx)
    return handoffs.request_publish(ctx, ref)


@router.post(
    "/hub/requests/{ref}/fund",
    summary="Open a start-up fund proposal from a request",
    response_model=RequestPublic,
    openapi_extra={"x-rule": "request_fund"},
)
def requests_fund(request: Request, ctx: ContextDep, ref: str) -> RequestPublic:
    require_token(request, ctx)
    return handoffs.request_fund(ctx, ref)


@router.get(
    "/hub/providers",
    summary="List providers of support",
    description="Organizations and experts listed with consent.",
    response_model=list[ProviderPublic],
)
def providers_list(
    request: Request,
    ctx: ContextDep,
    objective: str | None = None,
    support_type: str | None = None,
    region: str | None = None,
    language: str | None = None,
    kind: str | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    format: FormatQuery = None,
) -> Response:
    filters: dict[str, str | None] = {
        "objective": objective,
        "support_type": support_type,
        "region": region,
        "language": language,
        "kind": kind,
    }
    if format:
        fmt = format_of(format)
        total, rows = providers.provider_list(ctx, filters, limit=1_000_000)
        return download(PROVIDERS, rows, fmt, {"count": total}, cache_control(request))
    total, rows = providers.provider_list(ctx, filters, offset=offset, limit=limit)
    response = cached_json(request, [r.model_dump() for r in rows])
    response.headers["X-Total-Count"] = str(total)
    return response


@router.post(
    "/hub/providers",
    summary="Register a provider",
    description="Experts are listed only with consent; a contact address needs consent too.",
    status_code=201,
    response_model=ProviderPublic,
    openapi_extra={"x-rule": "provider_create"},
)
def providers_create(request: Request, ctx: ContextDep, body: ProviderWrite) -> ProviderPublic:
    require_token(request, ctx)
    return providers.provider_create(ctx, body)


@router.get("/hub/providers/{ref}", summary="One provider", response_model=ProviderPublic)
def providers_show(request: Request, ctx: ContextDep, ref: str) -> Response:
    return cached_json(request, providers.provider_show(ctx, ref))


@router.patch(
    "/hub/providers/{ref}",
    summary="Change a provider",
    description="Withdrawing consent (`consent: false`) hides the profile and drops the contact.",
    response_model=ProviderPublic,
    openapi_extra={"x-rule": "provider_update"},
)
def providers_update(
    request: Request, ctx: ContextDep, ref: str, body: ProviderUpdate
) -> ProviderPublic:
    require_token(request, ctx)
    return providers.provider_update(ctx, ref, body)


@router.get("/hub/offers", summary="Offers of support", response_model=list[OfferPublic])
def offers_list(
    request: Request,
    ctx: ContextDep,
    objective: str | None = None,
    current: Annotated[bool, Query(description="Only offers still valid.")] = True,
) -> Response:
    found = providers.offer_list(ctx, current_only=current, objective=objective)
    return cached_json(request, [o.model_dump() for o in found])


@router.post(
    "/hub/offers",
    summary="Publish an offer of support",
    status_code=201,
    response_model=OfferPublic,
    openapi_extra={"x-rule": "offer_write"},
)
def offers_create(request: Request, ctx: ContextDep, body: OfferWrite) -> OfferPublic:
    require_token(request, ctx)
    return providers.offer_create(ctx, body)


@router.get("/hub/offers/{ref}", summary="One offer", response_model=OfferPublic)
def offers_show(request: Request, ctx: ContextDep, ref: str) -> Response:
    return cached_json(request, providers.offer_show(ctx, ref))


@router.post(
    "/hub/offers/{ref}/withdraw",
    summary="Withdraw an offer",
    status_code=204,
    openapi_extra={"x-rule": "offer_write"},
)
def offers_withdraw(request: Request, ctx: ContextDep, ref: str) -> Response:
    require_token(request, ctx)
    providers.offer_withdraw(ctx, ref)
    return Response(status_code=204)


@router.get("/me/notices", summary="My notices", response_model=list[NoticePublic])
def notices(request: Request, ctx: ContextDep, unread: bool = False) -> list[NoticePublic]:
    return notice_list(ctx, unread)


@router.post(
    "/me/notices/read",
    summary="Mark my notices read",
    status_code=204,
    openapi_extra={"x-rule": "notice_read"},
)
def notices_read(request: Request, ctx: ContextDep) -> Response:
    require_token(request, ctx)
    notice_read_all(ctx)
    return Response(status_code=204)
