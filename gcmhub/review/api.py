"""The review of implementation's API under /api/v1/review: national plans and their
versions, voluntary reviews, the partnerships registry, capacity assessments, progress per
objective, country and region, and the mechanism report.

Everyone reads plans, partnerships, assessments, progress, the report and submitted reviews
(a draft review only its country and the secretariat). Every write takes an API token with
the `write` scope and is checked by its rule inside the action.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.downloads import format_of
from gcmhub.errors import BadParameter
from gcmhub.review import capacity, partnerships, plans, progress, report, reviews
from gcmhub.review.exports import (
    CHANGES,
    DOCX_TYPE,
    FIGURES,
    MATRIX,
    OBJECTIVES,
    PARTNERSHIPS,
    change_rows,
    figure_rows,
    report_docx,
    review_docx,
    review_html,
)
from gcmhub.review.schemas import (
    AssessmentPublic,
    AssessmentWrite,
    CapacityChange,
    CountryProgress,
    Domain,
    DraftWrite,
    MechanismReport,
    ObjectiveProgress,
    PartnershipMeasures,
    PartnershipPublic,
    PartnershipUpdate,
    PartnershipWrite,
    PlanDiff,
    PlanPublic,
    PlanSummary,
    PlanWrite,
    PracticeWrite,
    RegionMatrix,
    ReviewPublic,
    ReviewSummary,
    ReviewUpdate,
    ReviewWrite,
    SectionPublic,
    SectionWrite,
    SupportWrite,
)
from gcmhub.web.deps import MAX_ID, ContextDep, RecordId, filters_from
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.responses import cache_control, cached_json, download
from gcmhub.web.session import require_token

router = APIRouter(
    prefix="/api/v1/review", tags=["review of implementation"], responses=PROBLEM_RESPONSES
)
COUNTRY_SIDE = "The country's focal points or the secretariat, with a write token. "
Country = Annotated[str, Path(min_length=2, max_length=60, description="ISO3 code or name.")]
ObjectiveCode = Annotated[
    str,
    Path(pattern=r"^(objective:)?([1-9]|1[0-9]|2[0-3])$", description="Objective 1-23."),
]
FormatQuery = Annotated[
    str | None, Query(pattern="^(csv|json)$", description="Download: csv or json.")
]
CountryQuery = Annotated[str | None, Query(min_length=2, max_length=60)]
RefQuery = Annotated[str | None, Query(min_length=1, max_length=40)]


def _table_format(value: str | None) -> str:
    fmt = format_of(value)
    if fmt == "jsonld":
        raise BadParameter("format", "these figures download as csv or json")
    return fmt


# -- plans -------------------------------------------------------------------------------------


@router.get(
    "/plans",
    summary="National implementation plans",
    description="Every country's plan: its current version, commitments and their status.",
    response_model=list[PlanSummary],
)
def plans_list(request: Request, ctx: ContextDep) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, [p.model_dump(mode="json") for p in plans.plan_list(ctx)])


@router.get(
    "/plans/{country}",
    summary="A country's plan",
    description="The current version (or `version`), its commitments, and every version.",
    response_model=PlanPublic,
)
def plans_show(
    request: Request,
    ctx: ContextDep,
    country: Country,
    version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    filters_from(request, {"version"}, [])
    return cached_json(request, plans.plan_show(ctx, country, version).model_dump(mode="json"))


@router.put(
    "/plans/{country}",
    summary="Save a country's plan",
    description=COUNTRY_SIDE + "The whole plan: the commitments given replace the current "
    "ones (give a commitment's `key` to keep it as the same commitment). When anything "
    "changed, a new version is stored; an unknown objective or action is refused (422 "
    "naming it); another country's focal point is refused (403) and nothing is stored.",
    response_model=PlanPublic,
    openapi_extra={"x-rule": "plan_write"},
)
def plans_save(request: Request, ctx: ContextDep, country: Country, body: PlanWrite) -> PlanPublic:
    require_token(request, ctx)
    return plans.plan_save(ctx, country, body)


@router.get(
    "/plans/{country}/diff",
    summary="What changed between two versions of a plan",
    description="Commitments added, removed and changed (field by field) from version "
    "`from` (default: the one before `to`) to version `to` (default: the current one).",
    response_model=PlanDiff,
)
def plans_diff(
    request: Request,
    ctx: ContextDep,
    country: Country,
    start: Annotated[int | None, Query(alias="from", ge=1, le=MAX_ID)] = None,
    end: Annotated[int | None, Query(alias="to", ge=1, le=MAX_ID)] = None,
) -> Response:
    filters_from(request, {"from", "to"}, [])
    last = end or plans.plan_show(ctx, country).latest_version
    first = start or max(1, last - 1)
    return cached_json(request, plans.plan_diff(ctx, country, first, last).model_dump(mode="json"))


# -- voluntary reviews -------------------------------------------------------------------------


@router.get(
    "/reviews",
    summary="Voluntary GCM reviews",
    description="Submitted reviews, and drafts for their country and the secretariat.",
    response_model=list[ReviewSummary],
)
def reviews_list(request: Request, ctx: ContextDep, country: CountryQuery = None) -> Response:
    filters_from(request, {"country"}, [])
    found = reviews.review_list(ctx, country)
    return cached_json(request, [r.model_dump(mode="json") for r in found])


@router.post(
    "/reviews",
    summary="Open a voluntary review",
    description=COUNTRY_SIDE + "A country and a period (2022, or 2019-2022); a section per "
    "objective, empty. One review per country and period (409).",
    status_code=201,
    response_model=ReviewPublic,
    openapi_extra={"x-rule": "voluntary_review_write"},
)
def reviews_create(request: Request, ctx: ContextDep, body: ReviewWrite) -> ReviewPublic:
    require_token(request, ctx)
    return reviews.review_create(ctx, body)


@router.get("/reviews/{review_id}", summary="A voluntary review", response_model=ReviewPublic)
def reviews_show(request: Request, ctx: ContextDep, review_id: RecordId) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, reviews.review_show(ctx, review_id).model_dump(mode="json"))


@router.patch(
    "/reviews/{review_id}",
    summary="Retitle or submit a review",
    description=COUNTRY_SIDE + "`status`: submitted (everyone may read it) or draft.",
    response_model=ReviewPublic,
    openapi_extra={"x-rule": "voluntary_review_write"},
)
def reviews_update(
    request: Request, ctx: ContextDep, review_id: RecordId, body: ReviewUpdate
) -> ReviewPublic:
    require_token(request, ctx)
    return reviews.review_update(ctx, review_id, body)


@router.put(
    "/reviews/{review_id}/sections/{objective}",
    summary="Write a section of a review",
    description=COUNTRY_SIDE + "Progress, challenges, good practices, support needed; a "
    "field left out stays as it is.",
    response_model=SectionPublic,
    openapi_extra={"x-rule": "voluntary_review_write"},
)
def reviews_section(
    request: Request,
    ctx: ContextDep,
    review_id: RecordId,
    objective: ObjectiveCode,
    body: SectionWrite,
) -> SectionPublic:
    require_token(request, ctx)
    return reviews.section_write(ctx, review_id, objective, body)


@router.post(
    "/reviews/{review_id}/draft",
    summary="Draft a review from what the system knows",
    description=COUNTRY_SIDE + "Fills each objective's section from the country's plan, "
    "indicator trends, hub requests and fund projects, naming the records used; texts "
    "already written stay unless `overwrite`.",
    response_model=ReviewPublic,
    openapi_extra={"x-rule": "voluntary_review_write"},
)
def reviews_draft(
    request: Request, ctx: ContextDep, review_id: RecordId, body: DraftWrite | None = None
) -> ReviewPublic:
    require_token(request, ctx)
    return reviews.review_draft(ctx, review_id, body or DraftWrite())


@router.post(
    "/reviews/{review_id}/sections/{objective}/practice",
    summary="Publish a section's good practices as a knowledge item",
    description=COUNTRY_SIDE + "Through the knowledge platform's own action (its rules "
    "apply too): an item of type practice about the country and the objective.",
    status_code=201,
    response_model=SectionPublic,
    openapi_extra={"x-rule": "voluntary_review_write"},
)
def reviews_practice(
    request: Request,
    ctx: ContextDep,
    review_id: RecordId,
    objective: ObjectiveCode,
    body: PracticeWrite | None = None,
) -> SectionPublic:
    require_token(request, ctx)
    return reviews.section_practice(ctx, review_id, objective, body or PracticeWrite())


@router.post(
    "/reviews/{review_id}/sections/{objective}/request",
    summary="Ask the hub for a section's support needed",
    description=COUNTRY_SIDE + "Files a request to the connection hub through the hub's own "
    "action (its rules apply too), with the section's text as the need.",
    status_code=201,
    response_model=SectionPublic,
    openapi_extra={"x-rule": "voluntary_review_write"},
)
def reviews_request(
    request: Request,
    ctx: ContextDep,
    review_id: RecordId,
    objective: ObjectiveCode,
    body: SupportWrite,
) -> SectionPublic:
    require_token(request, ctx)
    return reviews.section_request(ctx, review_id, objective, body)


@router.get(
    "/reviews/{review_id}/export",
    summary="A review as a document",
    description="`format=docx` (Word: a heading per objective) or `html` (one page).",
    response_class=Response,
    responses={200: {"content": {DOCX_TYPE: {}, "text/html": {}}}},
)
def reviews_export(
    request: Request,
    ctx: ContextDep,
    review_id: RecordId,
    format: Annotated[str, Query(pattern="^(docx|html)$")],
) -> Response:
    filters_from(request, {"format"}, [])
    found = reviews.review_show(ctx, review_id)
    cache = cache_control(request)
    name = f"gcmhub-review-{found.country}-{found.period}"
    if format == "html":
        return Response(
            review_html(found),
            media_type="text/html; charset=utf-8",
            headers={"Cache-Control": cache},
        )
    return Response(
        review_docx(found),
        media_type=DOCX_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.docx"',
            "Cache-Control": cache,
        },
    )


# -- partnerships ------------------------------------------------------------------------------

LevelQuery = Annotated[str | None, Query(pattern="^(local|national|bilateral|regional|global)$")]
NameQuery = Annotated[str | None, Query(min_length=1, max_length=100)]


@router.get(
    "/partnerships",
    summary="The partnerships registry",
    description="Filters: level, objective, country, stakeholder type. `format=csv|json` "
    "downloads.",
    response_model=list[PartnershipPublic],
)
def partnerships_list(
    request: Request,
    ctx: ContextDep,
    level: LevelQuery = None,
    objective: NameQuery = None,
    country: CountryQuery = None,
    stakeholder: NameQuery = None,
    format: FormatQuery = None,
) -> Response:
    filters_from(request, {"level", "objective", "country", "stakeholder", "format"}, [])
    found = partnerships.partnership_list(ctx, level, objective, country, stakeholder)
    if format:
        fmt = _table_format(format)
        return download(PARTNERSHIPS, found, fmt, {"count": len(found)}, cache_control(request))
    return cached_json(request, [p.model_dump(mode="json") for p in found])


@router.post(
    "/partnerships",
    summary="Register a partnership",
    description="Partners, focal points and the secretariat, with a write token. Level, "
    "partners, stakeholder types (scheme `stakeholder`), objectives, countries, dates, "
    "results.",
    status_code=201,
    response_model=PartnershipPublic,
    openapi_extra={"x-rule": "partnership_create"},
)
def partnerships_create(
    request: Request, ctx: ContextDep, body: PartnershipWrite
) -> PartnershipPublic:
    require_token(request, ctx)
    return partnerships.partnership_create(ctx, body)


@router.get(
    "/partnerships/measures",
    summary="Measures of partnerships",
    description="Count by level; stakeholder types involved, their number, Shannon "
    "diversity and evenness; objectives covered; results reported. Same filters as the list.",
    response_model=PartnershipMeasures,
)
def partnerships_measures(
    request: Request,
    ctx: ContextDep,
    level: LevelQuery = None,
    objective: NameQuery = None,
    country: CountryQuery = None,
    stakeholder: NameQuery = None,
) -> Response:
    filters_from(request, {"level", "objective", "country", "stakeholder"}, [])
    found = partnerships.partnership_measures(
        ctx, level=level, objective=objective, country=country, stakeholder=stakeholder
    )
    return cached_json(request, found.model_dump(mode="json"))


@router.get(
    "/partnerships/{partnership_id}", summary="A partnership", response_model=PartnershipPublic
)
def partnerships_show(request: Request, ctx: ContextDep, partnership_id: RecordId) -> Response:
    filters_from(request, set(), [])
    found = partnerships.partnership_show(ctx, partnership_id)
    return cached_json(request, found.model_dump(mode="json"))


@router.patch(
    "/partnerships/{partnership_id}",
    summary="Change a partnership",
    description="Who registered it, focal points of all its countries, or the secretariat, "
    "with a write token. Only the fields given change.",
    response_model=PartnershipPublic,
    openapi_extra={"x-rule": "partnership_update"},
)
def partnerships_update(
    request: Request, ctx: ContextDep, partnership_id: RecordId, body: PartnershipUpdate
) -> PartnershipPublic:
    require_token(request, ctx)
    return partnerships.partnership_update(ctx, partnership_id, body)


# -- capacity ----------------------------------------------------------------------------------


@router.get(
    "/capacity/domains",
    summary="Capacity domains",
    description="The domains assessments score (GCMHUB_REVIEW_CAPACITY_DOMAINS, else the six "
    "domains of the Migration Governance Indicators).",
    response_model=list[Domain],
)
def capacity_domains(request: Request, ctx: ContextDep) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, [d.model_dump(mode="json") for d in capacity.domains()])


@router.get(
    "/capacity/assessments",
    summary="Capacity assessments",
    response_model=list[AssessmentPublic],
)
def capacity_list(
    request: Request,
    ctx: ContextDep,
    country: CountryQuery = None,
    request_ref: Annotated[str | None, Query(alias="request", min_length=1, max_length=40)] = None,
    project: RefQuery = None,
) -> Response:
    filters_from(request, {"country", "request", "project"}, [])
    found = capacity.assessment_list(ctx, country, request_ref, project)
    return cached_json(request, [a.model_dump(mode="json") for a in found])


@router.post(
    "/capacity/assessments",
    summary="Record a capacity assessment",
    description=COUNTRY_SIDE + "Before or after support: a score per domain (0 to the "
    "domain's scale), a date, a hub request and/or a fund project (checked to exist).",
    status_code=201,
    response_model=AssessmentPublic,
    openapi_extra={"x-rule": "capacity_write"},
)
def capacity_create(request: Request, ctx: ContextDep, body: AssessmentWrite) -> AssessmentPublic:
    require_token(request, ctx)
    return capacity.assessment_create(ctx, body)


@router.get(
    "/capacity/changes",
    summary="Change in capacity per domain",
    description="For each subject: the latest before against the latest after, per domain. "
    "`format=csv|json` downloads a row per domain.",
    response_model=list[CapacityChange],
)
def capacity_change(
    request: Request,
    ctx: ContextDep,
    country: CountryQuery = None,
    request_ref: Annotated[str | None, Query(alias="request", min_length=1, max_length=40)] = None,
    project: RefQuery = None,
    format: FormatQuery = None,
) -> Response:
    filters_from(request, {"country", "request", "project", "format"}, [])
    found = capacity.capacity_changes(ctx, country, request_ref, project)
    if format:
        rows = change_rows(found)
        return download(
            CHANGES, rows, _table_format(format), {"count": len(rows)}, cache_control(request)
        )
    return cached_json(request, [c.model_dump(mode="json") for c in found])


# -- progress ----------------------------------------------------------------------------------


@router.get(
    "/progress/objectives",
    summary="Progress per objective",
    description="Plan coverage (actions with commitments), status mix, countries, requests "
    "and projects, indicator trends against targets; each figure's records. "
    "`format=csv|json` downloads.",
    response_model=list[ObjectiveProgress],
)
def progress_objectives(request: Request, ctx: ContextDep, format: FormatQuery = None) -> Response:
    filters_from(request, {"format"}, [])
    found = progress.objective_progress(ctx)
    if format:
        return download(
            OBJECTIVES, found, _table_format(format), {"count": len(found)}, cache_control(request)
        )
    return cached_json(request, [o.model_dump(mode="json") for o in found])


@router.get(
    "/progress/countries/{country}",
    summary="A country's progress per objective",
    description="As per objective, for one country, with its indicator trends. "
    "`format=csv|json` downloads.",
    response_model=CountryProgress,
)
def progress_country(
    request: Request, ctx: ContextDep, country: Country, format: FormatQuery = None
) -> Response:
    filters_from(request, {"format"}, [])
    found = progress.country_progress(ctx, country)
    if format:
        head = {"country": found.country, "plan_version": found.plan_version}
        return download(
            OBJECTIVES, found.objectives, _table_format(format), head, cache_control(request)
        )
    return cached_json(request, found.model_dump(mode="json"))


@router.get(
    "/progress/matrix",
    summary="Regions by objectives",
    description="For a heat map: per M49 continental region and objective, the commitments, "
    "actions covered (`coverage`), requests or projects. `format=csv|json` downloads.",
    response_model=RegionMatrix,
)
def progress_matrix(
    request: Request,
    ctx: ContextDep,
    measure: Annotated[
        str, Query(pattern="^(commitments|coverage|requests|projects)$")
    ] = "commitments",
    format: FormatQuery = None,
) -> Response:
    filters_from(request, {"measure", "format"}, [])
    found = progress.region_matrix(ctx, measure)
    if format:
        head = {"measure": found.measure}
        return download(MATRIX, found.cells, _table_format(format), head, cache_control(request))
    return cached_json(request, found.model_dump(mode="json"))


# -- the mechanism report ----------------------------------------------------------------------


@router.get(
    "/report",
    summary="The mechanism's report for a period",
    description="Knowledge items added, requests answered and how fast, money allocated and "
    "delivered, review activity, progress per objective; every figure with its source and "
    "records. An empty period gives an empty report. `format=csv|json` downloads the "
    "figures, `docx` a document.",
    response_model=MechanismReport,
)
def report_show(
    request: Request,
    ctx: ContextDep,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    format: Annotated[str | None, Query(pattern="^(csv|json|docx)$")] = None,
) -> Response:
    filters_from(request, {"from", "to", "format"}, [])
    found = report.mechanism_report(ctx, start, end)
    cache = cache_control(request)
    if format == "docx":
        return Response(
            report_docx(found),
            media_type=DOCX_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="gcmhub-report-{start}-{end}.docx"',
                "Cache-Control": cache,
            },
        )
    if format:
        rows = figure_rows(found)
        head = {"start": start.isoformat(), "end": end.isoformat(), "empty": found.empty}
        return download(FIGURES, rows, _table_format(format), head, cache)
    return cached_json(request, found.model_dump(mode="json"))
