"""Events and pledges under /api/v1/community: lists with filters and downloads, one record,
and the writes (record, edit, outcomes, cancel; pledge, report progress).

Everyone reads; every write takes an API token with the `write` scope and is checked by its
rule inside the action. An unknown query parameter is refused (400 naming it).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.community import events, pledges
from gcmhub.community.event_schemas import (
    EVENTS,
    PLEDGER_KINDS,
    PLEDGES,
    CancelWrite,
    EventPublic,
    EventUpdate,
    EventWrite,
    OutcomesWrite,
    PledgePublic,
    PledgeUpdateWrite,
    PledgeWrite,
)
from gcmhub.downloads import format_of
from gcmhub.errors import BadParameter
from gcmhub.web.deps import ContextDep, RecordId, filters_from
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.responses import cache_control, cached_json, download
from gcmhub.web.session import require_token

router = APIRouter(prefix="/api/v1/community", tags=["community"], responses=PROBLEM_RESPONSES)
Words = Annotated[str | None, Query(max_length=300, description="Words, all of them present.")]
Objective = Annotated[
    str | None, Query(min_length=1, max_length=60, description="An objective: 6, objective:6.")
]
Country = Annotated[str | None, Query(min_length=2, max_length=60, description="ISO3 or a name.")]
FormatQuery = Annotated[
    str | None, Query(pattern="^(csv|json)$", description="Download: csv or json.")
]
PLEDGER_PATTERN = "^(" + "|".join(PLEDGER_KINDS) + ")$"


def _day(request: Request, name: str) -> date | None:
    """A date parameter read by hand (`from` is a Python word); 400 naming it when malformed."""
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, f"{name}: '{text[:20]}' is not a date (YYYY-MM-DD)") from None


# -- events ------------------------------------------------------------------------------------


@router.get(
    "/events",
    summary="Events",
    description="Events toward the Compact by start date, narrowed by words (`q`), objective "
    "(its actions too), country, M49 region (a country's events count for its regions), "
    "scope, period (`from`, `to`: events overlapping it) and status (active, cancelled). "
    "`format=csv|json` downloads.",
    response_model=list[EventPublic],
)
def events_list(
    request: Request,
    ctx: ContextDep,
    q: Words = None,
    objective: Objective = None,
    country: Country = None,
    region: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
    scope: Annotated[str | None, Query(pattern="^(global|regional|national|local)$")] = None,
    status: Annotated[str | None, Query(pattern="^(active|cancelled)$")] = None,
    format: FormatQuery = None,
) -> Response:
    fixed = {"q", "objective", "country", "region", "scope", "from", "to", "status", "format"}
    filters_from(request, fixed, [])
    wanted = events.EventFilter(
        q, objective, country, region, scope, _day(request, "from"), _day(request, "to"), status
    )
    found = events.event_list(ctx, wanted)
    if format:
        return download(
            EVENTS, found, format_of(format), {"count": len(found)}, cache_control(request)
        )
    return cached_json(request, [e.model_dump(mode="json") for e in found])


@router.post(
    "/events",
    summary="Record an event",
    description="Anyone signed in, with a write token. It is public at once and published as "
    "a knowledge item. `ends_on` before `starts_on`: 422; a city at most (digits: 422); an "
    "`organization_id` must be an approved organization you registered.",
    status_code=201,
    response_model=EventPublic,
    openapi_extra={"x-rule": "event_create"},
)
def events_create(request: Request, ctx: ContextDep, body: EventWrite) -> EventPublic:
    require_token(request, ctx)
    return events.event_create(ctx, body)


@router.get("/events/{event_id}", summary="An event", response_model=EventPublic)
def events_show(request: Request, ctx: ContextDep, event_id: RecordId) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, events.event_show(ctx, event_id).model_dump(mode="json"))


@router.patch(
    "/events/{event_id}",
    summary="Change an event",
    description="Who recorded it and curators, with a write token; only the fields given "
    "change, and the knowledge item follows. A cancelled event: 409.",
    response_model=EventPublic,
    openapi_extra={"x-rule": "event_edit"},
)
def events_update(
    request: Request, ctx: ContextDep, event_id: RecordId, body: EventUpdate
) -> EventPublic:
    require_token(request, ctx)
    return events.event_update(ctx, event_id, body)


@router.post(
    "/events/{event_id}/outcomes",
    summary="Record an event's outcomes",
    description="Who recorded it and curators, with a write token, from its start date on "
    "(before: 409 naming the date). Recording them again replaces them.",
    response_model=EventPublic,
    openapi_extra={"x-rule": "event_edit"},
)
def events_outcomes(
    request: Request, ctx: ContextDep, event_id: RecordId, body: OutcomesWrite
) -> EventPublic:
    require_token(request, ctx)
    return events.event_outcomes(ctx, event_id, body)


@router.post(
    "/events/{event_id}/cancel",
    summary="Cancel an event",
    description="Who recorded it and curators, with a write token. The event stays on record "
    "and its knowledge item says it is cancelled; it cannot change afterwards (409).",
    response_model=EventPublic,
    openapi_extra={"x-rule": "event_edit"},
)
def events_cancel(
    request: Request, ctx: ContextDep, event_id: RecordId, body: CancelWrite
) -> EventPublic:
    require_token(request, ctx)
    return events.event_cancel(ctx, event_id, body)


# -- pledges -----------------------------------------------------------------------------------


@router.get(
    "/pledges",
    summary="Pledges",
    description="Pledges by due date, narrowed by words (`q`), objective (its actions too), "
    "country (the pledging State or where it applies), kind of pledger, status and "
    "`overdue` (true: due date past, neither fulfilled nor withdrawn). `format=csv|json` "
    "downloads.",
    response_model=list[PledgePublic],
)
def pledges_list(
    request: Request,
    ctx: ContextDep,
    q: Words = None,
    objective: Objective = None,
    country: Country = None,
    pledger_kind: Annotated[str | None, Query(pattern=PLEDGER_PATTERN)] = None,
    status: Annotated[
        str | None, Query(pattern="^(pledged|in_progress|fulfilled|withdrawn)$")
    ] = None,
    overdue: Annotated[str | None, Query(max_length=5, description="true or false.")] = None,
    format: FormatQuery = None,
) -> Response:
    fixed = {"q", "objective", "country", "pledger_kind", "status", "overdue", "format"}
    filters_from(request, fixed, [])
    wanted = pledges.PledgeFilter(
        q, objective, country, pledger_kind, status, pledges.overdue_flag(overdue)
    )
    found = pledges.pledge_list(ctx, wanted)
    if format:
        return download(
            PLEDGES, found, format_of(format), {"count": len(found)}, cache_control(request)
        )
    return cached_json(request, [p.model_dump(mode="json") for p in found])


@router.post(
    "/pledges",
    summary="Make a pledge",
    description="With a write token: a focal point for their own countries (`member_state`, "
    "`country`), whoever registered an approved organization for it (`organization_id`, "
    "`pledger_kind` its kind), curators for anyone. Published as a knowledge item.",
    status_code=201,
    response_model=PledgePublic,
    openapi_extra={"x-rule": "community_pledge_create"},
)
def pledges_create(request: Request, ctx: ContextDep, body: PledgeWrite) -> PledgePublic:
    require_token(request, ctx)
    return pledges.pledge_create(ctx, body)


@router.get(
    "/pledges/{pledge_id}",
    summary="A pledge, with its progress reports",
    response_model=PledgePublic,
)
def pledges_show(request: Request, ctx: ContextDep, pledge_id: RecordId) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, pledges.pledge_show(ctx, pledge_id).model_dump(mode="json"))


@router.post(
    "/pledges/{pledge_id}/updates",
    summary="Report progress on a pledge",
    description="Who recorded it, the pledging country's focal points and curators, with a "
    "write token. The report is kept as sent and sets the pledge's progress and status. "
    "Progress outside 0..100, or fulfilled below 100: 422; a fulfilled or withdrawn pledge: "
    "409.",
    status_code=201,
    response_model=PledgePublic,
    openapi_extra={"x-rule": "community_pledge_update"},
)
def pledges_progress(
    request: Request, ctx: ContextDep, pledge_id: RecordId, body: PledgeUpdateWrite
) -> PledgePublic:
    require_token(request, ctx)
    return pledges.pledge_progress(ctx, pledge_id, body)
