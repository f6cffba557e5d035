"""Lists of requests: the public register and the secretariat's queue, with their exports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from gcmhub.accounts.audit import now
from gcmhub.accounts.models import User
from gcmhub.auth import allowed
from gcmhub.context import Context
from gcmhub.errors import BadParameter, InvalidInput
from gcmhub.hub.concepts import Names, concept_refs, country_regions
from gcmhub.hub.models import SupportRequest
from gcmhub.hub.requests import engaged_owners, overdue, scope_of
from gcmhub.hub.schemas import RequestPage, RequestRow
from gcmhub.hub.workflow import OPEN_STATES, REQUEST_STATES

SORTS = {
    "-age": "oldest first",
    "age": "newest first",
    "due": "due soonest first",
}


@dataclass(frozen=True)
class RequestFilter:
    """What a list of requests is narrowed to (each None: no restriction)."""

    state: str | None = None
    country: str | None = None
    objective: str | None = None
    region: str | None = None
    assignee: str | None = None
    overdue: bool | None = None
    open_only: bool = False


def _rows(ctx: Context, wanted: RequestFilter, sort: str) -> list[RequestRow]:
    if sort not in SORTS:
        raise BadParameter("sort", f"sort is one of {', '.join(SORTS)}")
    query = select(SupportRequest)
    if wanted.state:
        if wanted.state not in REQUEST_STATES:
            raise BadParameter("state", f"state is one of {', '.join(REQUEST_STATES)}")
        query = query.where(SupportRequest.state == wanted.state)
    elif wanted.open_only:
        query = query.where(SupportRequest.state.in_(OPEN_STATES))
    names = Names(ctx)
    if wanted.country:
        try:
            query = query.where(SupportRequest.country == names.country(wanted.country))
        except InvalidInput as error:
            raise BadParameter("country", str(error)) from None
    objective = region = None
    try:
        objective = names.objectives([wanted.objective])[0] if wanted.objective else None
        region = names.regions([wanted.region])[0] if wanted.region else None
    except InvalidInput as error:
        raise BadParameter("objective" if wanted.objective else "region", str(error)) from None
    users: dict[int, str] = {}
    for uid, username in ctx.session.execute(select(User.id, User.username)):
        users[uid] = username
    stamp = now()
    rows: list[RequestRow] = []
    owners = engaged_owners(ctx)
    for request in ctx.session.scalars(query.order_by(SupportRequest.id)):
        scope = scope_of(ctx, request, owners=owners.get(request.id, set()))
        if not allowed(ctx.actor, "request_read", scope):
            continue
        inside = ctx.actor.has("curator") or allowed(ctx.actor, "request_update", scope)
        objectives = request.objectives or [s["concept"] for s in request.suggested]
        if objective and objective not in objectives:
            continue
        regions = country_regions(ctx, request.country)
        if region and region not in regions:
            continue
        late = overdue(request, stamp)
        if wanted.overdue is not None and late != wanted.overdue:
            continue
        assignee = users.get(request.assignee_id) if request.assignee_id else None
        if wanted.assignee and assignee != wanted.assignee:
            continue
        anonymous = request.confidentiality == "anonymised" and not inside
        region_refs = concept_refs(ctx, regions[:1])
        rows.append(
            RequestRow(
                id=request.ref,
                title=request.title,
                country=None if anonymous else request.country,
                region=region_refs[0].label if region_refs else None,
                objectives=[o.split(":", 1)[1] for o in objectives],
                support_types=request.support_types,
                state=request.state,
                age_days=(stamp - request.created_at).days,
                due_at=request.due_at,
                overdue=late,
                assignee=assignee if inside else None,
                confidentiality=request.confidentiality,
                created_at=request.created_at,
            )
        )
    if sort == "-age":
        rows.sort(key=lambda r: r.created_at)
    elif sort == "age":
        rows.sort(key=lambda r: r.created_at, reverse=True)
    else:
        far = stamp.replace(year=stamp.year + 100)
        rows.sort(key=lambda r: (r.due_at or far).replace(tzinfo=None))
    return rows


def request_list(
    ctx: Context,
    wanted: RequestFilter,
    sort: str = "-age",
    offset: int = 0,
    limit: int = 50,
) -> RequestPage:
    """Return the requests the reader may see, filtered and sorted, a page at a time."""
    if not 1 <= limit <= 1000:
        raise BadParameter("limit", "limit must be between 1 and 1000")
    rows = _rows(ctx, wanted, sort)
    by_state = dict.fromkeys(REQUEST_STATES, 0)
    for row in rows:
        by_state[row.state] += 1
    page = rows[offset : offset + limit]
    more = offset + limit < len(rows)
    return RequestPage(
        total=len(rows),
        by_state=by_state,
        requests=page,
        next=str(offset + limit) if more else None,
    )


def request_stream(ctx: Context, wanted: RequestFilter, sort: str = "-age") -> Iterator[RequestRow]:
    """Every request of a list, for downloads."""
    yield from _rows(ctx, wanted, sort)
