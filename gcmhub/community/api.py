"""The community's API under /api/v1/community: the directory of organizations and
consultations with their contributions, moderation, abuse reports and summaries.

Everyone reads approved organizations, consultations and their (not hidden) contributions.
Every write takes an API token with the `write` scope and is checked by its rule inside the
action.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.community import consultations, organizations
from gcmhub.community.schemas import (
    KINDS,
    ORGANIZATIONS,
    ConsultationPublic,
    ConsultationSummary,
    ConsultationWrite,
    ContributionPublic,
    ContributionWrite,
    ModerationWrite,
    OrganizationPublic,
    OrganizationReview,
    OrganizationUpdate,
    OrganizationWrite,
    ReportWrite,
)
from gcmhub.downloads import format_of
from gcmhub.web.deps import ContextDep, RecordId, filters_from
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.responses import cache_control, cached_json, download
from gcmhub.web.session import require_token

router = APIRouter(prefix="/api/v1/community", tags=["community"], responses=PROBLEM_RESPONSES)
KIND_PATTERN = "^(" + "|".join(KINDS) + ")$"


# -- organizations -----------------------------------------------------------------------------


@router.get(
    "/organizations",
    summary="The directory of organizations",
    description="Approved organizations (curators: `status` pending or rejected too); a "
    "contact person appears only with their consent. `language` keeps those that work in it "
    "(ISO 639); `format=csv|json` downloads the list.",
    response_model=list[OrganizationPublic],
)
def organizations_list(
    request: Request,
    ctx: ContextDep,
    kind: Annotated[str | None, Query(pattern=KIND_PATTERN)] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=60)] = None,
    objective: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
    status: Annotated[str, Query(pattern="^(approved|pending|rejected)$")] = "approved",
    language: Annotated[str | None, Query(pattern="^[a-z]{2,3}$")] = None,
    format: Annotated[
        str | None, Query(pattern="^(csv|json)$", description="Download: csv or json.")
    ] = None,
) -> Response:
    filters_from(request, {"kind", "country", "objective", "status", "language", "format"}, [])
    found = organizations.organization_list(ctx, kind, country, objective, status, language)
    if format:
        return download(
            ORGANIZATIONS, found, format_of(format), {"count": len(found)}, cache_control(request)
        )
    return cached_json(request, [o.model_dump(mode="json") for o in found])


@router.post(
    "/organizations",
    summary="Register an organization",
    description="Anyone signed in, with a write token. The organization waits (pending) for "
    "a curator's approval before it is public. A named contact person needs "
    "`contact_consent` (422 otherwise, nothing stored); a city at most, no precise location.",
    status_code=201,
    response_model=OrganizationPublic,
    openapi_extra={"x-rule": "organization_register"},
)
def organizations_register(
    request: Request, ctx: ContextDep, body: OrganizationWrite
) -> OrganizationPublic:
    require_token(request, ctx)
    return organizations.organization_register(ctx, body)


@router.get(
    "/organizations/{organization_id}",
    summary="An organization",
    description="Approved: everyone; pending or rejected: who registered it and curators.",
    response_model=OrganizationPublic,
)
def organizations_show(request: Request, ctx: ContextDep, organization_id: RecordId) -> Response:
    filters_from(request, set(), [])
    found = organizations.organization_show(ctx, organization_id)
    return cached_json(request, found.model_dump(mode="json"))


@router.post(
    "/organizations/{organization_id}/review",
    summary="Approve or reject an organization",
    description="Curators, with a write token; the note is on record and sent to who "
    "registered it.",
    response_model=OrganizationPublic,
    openapi_extra={"x-rule": "organization_review"},
)
def organizations_review(
    request: Request, ctx: ContextDep, organization_id: RecordId, body: OrganizationReview
) -> OrganizationPublic:
    require_token(request, ctx)
    return organizations.organization_review(ctx, organization_id, body)


@router.patch(
    "/organizations/{organization_id}",
    summary="Edit an organization's profile",
    description="Whoever registered it and curators, with a write token: only the fields "
    "given change, under the rules of registration (a named contact needs `contact_consent`, "
    "a city at most: 422 otherwise, nothing changed). An approved organization stays "
    "approved; the curators are told of the change.",
    response_model=OrganizationPublic,
    openapi_extra={"x-rule": "organization_update"},
)
def organizations_update(
    request: Request, ctx: ContextDep, organization_id: RecordId, body: OrganizationUpdate
) -> OrganizationPublic:
    require_token(request, ctx)
    return organizations.organization_update(ctx, organization_id, body)


@router.post(
    "/organizations/{organization_id}/consent/withdraw",
    summary="Remove an organization's named contact",
    description="Whoever registered it and curators, with a write token: the contact "
    "person's name is deleted at once (their consent is withdrawn). No named contact: 409.",
    response_model=OrganizationPublic,
    openapi_extra={"x-rule": "organization_consent_withdraw"},
)
def organizations_withdraw_consent(
    request: Request, ctx: ContextDep, organization_id: RecordId
) -> OrganizationPublic:
    require_token(request, ctx)
    return organizations.organization_withdraw_consent(ctx, organization_id)


# -- consultations -----------------------------------------------------------------------------


@router.get(
    "/consultations",
    summary="Consultations",
    response_model=list[ConsultationPublic],
)
def consultations_list(request: Request, ctx: ContextDep) -> Response:
    filters_from(request, set(), [])
    found = consultations.consultation_list(ctx)
    return cached_json(request, [c.model_dump(mode="json") for c in found])


@router.post(
    "/consultations",
    summary="Open a consultation",
    description="Curators, with a write token: numbered questions, a moderator (default: "
    "who opens it), an expected audience, languages, open and close dates.",
    status_code=201,
    response_model=ConsultationPublic,
    openapi_extra={"x-rule": "consultation_create"},
)
def consultations_create(
    request: Request, ctx: ContextDep, body: ConsultationWrite
) -> ConsultationPublic:
    require_token(request, ctx)
    return consultations.consultation_create(ctx, body)


@router.get(
    "/consultations/{consultation_id}",
    summary="A consultation",
    response_model=ConsultationPublic,
)
def consultations_show(request: Request, ctx: ContextDep, consultation_id: RecordId) -> Response:
    filters_from(request, set(), [])
    found = consultations.consultation_show(ctx, consultation_id)
    return cached_json(request, found.model_dump(mode="json"))


@router.get(
    "/consultations/{consultation_id}/contributions",
    summary="A consultation's contributions",
    description="Hidden ones only to the moderator and curators, with the moderation record.",
    response_model=list[ContributionPublic],
)
def contributions_list(request: Request, ctx: ContextDep, consultation_id: RecordId) -> Response:
    filters_from(request, set(), [])
    found = consultations.contribution_list(ctx, consultation_id)
    return cached_json(request, [c.model_dump(mode="json") for c in found])


@router.post(
    "/consultations/{consultation_id}/contributions",
    summary="Contribute to a consultation",
    description="Anyone signed in, with a write token, in any language: the language is "
    "detected and objectives suggested. A closed consultation: 409 naming its close date; "
    "more than `GCMHUB_CONTRIBUTION_RATE` a minute: 429, nothing stored.",
    status_code=201,
    response_model=ContributionPublic,
    openapi_extra={"x-rule": "contribution_create"},
)
def contributions_create(
    request: Request, ctx: ContextDep, consultation_id: RecordId, body: ContributionWrite
) -> ContributionPublic:
    require_token(request, ctx)
    return consultations.contribution_create(ctx, consultation_id, body)


@router.get(
    "/consultations/{consultation_id}/summary",
    summary="A closed consultation's summary",
    description="Counts per question, objective and language, with the ids of the "
    "contributions behind each (hidden ones left out, counted). JSON, or `format=csv`. "
    "Still open: 409.",
    response_model=ConsultationSummary,
)
def consultations_summary(
    request: Request,
    ctx: ContextDep,
    consultation_id: RecordId,
    format: Annotated[str | None, Query(pattern="^(csv|json)$")] = None,
) -> Response:
    filters_from(request, {"format"}, [])
    summary = consultations.consultation_summary(ctx, consultation_id)
    if format == "csv":
        return Response(
            consultations.summary_csv(summary),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="consultation-{consultation_id}.csv"',
                "Cache-Control": cache_control(request),
            },
        )
    return cached_json(request, summary)


@router.post(
    "/contributions/{contribution_id}/moderation",
    summary="Hide, flag or restore a contribution",
    description="The consultation's moderator or curators, with a write token; the reason is "
    "on record.",
    response_model=ContributionPublic,
    openapi_extra={"x-rule": "contribution_moderate"},
)
def contributions_moderate(
    request: Request, ctx: ContextDep, contribution_id: RecordId, body: ModerationWrite
) -> ContributionPublic:
    require_token(request, ctx)
    return consultations.contribution_moderate(ctx, contribution_id, body)


@router.post(
    "/contributions/{contribution_id}/reports",
    summary="Report abuse on a contribution",
    description="Anyone signed in, with a write token: the report is on record and reaches "
    "the curators and the moderator as a notice.",
    openapi_extra={"x-rule": "contribution_report"},
)
def contributions_report(
    request: Request, ctx: ContextDep, contribution_id: RecordId, body: ReportWrite
) -> dict[str, Any]:
    require_token(request, ctx)
    return consultations.contribution_report(ctx, contribution_id, body)
