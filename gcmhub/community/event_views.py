"""The pages of events and pledges: lists with filters and downloads, one record with its
forms, and the forms to record them.

`/community/events` (upcoming and past), `/community/events/{id}` (details, outcomes, the
knowledge item; edit, outcomes and cancel forms for its owner and curators),
`/community/events/new`; `/community/pledges` (progress as a number and a bar, overdue
marked), `/community/pledges/{id}` (the progress reports; the report form for who may),
`/community/pledges/new`. Every form posts with the session's CSRF token and calls the same
action as the API in a savepoint: a refusal stores nothing and comes back as a message on
the page it was sent from, with what was typed. Success redirects (303).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.auth import allowed
from gcmhub.community import events, pledges
from gcmhub.community.event_auth import EventScope, PledgeScope
from gcmhub.community.event_schemas import (
    CancelWrite,
    EventPublic,
    EventUpdate,
    EventWrite,
    OutcomesWrite,
    PledgeUpdateWrite,
    PledgeWrite,
)
from gcmhub.community.models import Organization
from gcmhub.community.schemas import KINDS
from gcmhub.context import Context
from gcmhub.errors import BadParameter, GcmhubError, NotFound
from gcmhub.review.common import objectives
from gcmhub.web.deps import ContextDep
from gcmhub.web.forms import (
    attempt,
    form_text,
    login_redirect,
    only_parameters,
    record_id,
    validated,
)
from gcmhub.web.i18n import N_
from gcmhub.web.session import CSRF_FIELD, check_form
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)

SCOPE_NAMES = {
    "global": N_("Global"),
    "regional": N_("Regional"),
    "national": N_("National"),
    "local": N_("Local"),
}
MODALITY_NAMES = {"in_person": N_("In person"), "online": N_("Online"), "hybrid": N_("Hybrid")}
EVENT_STATUS_NAMES = {"active": N_("Active"), "cancelled": N_("Cancelled")}
PLEDGE_STATUS_NAMES = {
    "pledged": N_("Pledged"),
    "in_progress": N_("In progress"),
    "fulfilled": N_("Fulfilled"),
    "withdrawn": N_("Withdrawn"),
}
PLEDGER_KIND_NAMES = {  # member_state and community/schemas.py KINDS, marked for translation
    "member_state": N_("Member State"),
    "diaspora": N_("Diaspora or migrant association"),
    "civil-society": N_("Civil society"),
    "local-authority": N_("Local authority"),
    "trade-union": N_("Trade union"),
    "private-sector": N_("Private sector"),
    "academia": N_("Academia"),
    "nhri": N_("National human rights institution"),
    "un-entity": N_("UN entity"),
}
DONE = {
    "created": N_("The event is recorded and published on the knowledge platform."),
    "edited": N_("The event is changed; its knowledge item too."),
    "outcomes": N_("The outcomes are recorded."),
    "cancelled": N_("The event is cancelled. It stays on record."),
    "pledged": N_("The pledge is recorded and published on the knowledge platform."),
    "reported": N_("The progress report is recorded."),
}
EVENT_FIELDS = (
    "title",
    "organizer",
    "organization_id",
    "scope",
    "countries",
    "regions",
    "starts_on",
    "ends_on",
    "modality",
    "city",
    "url",
    "description",
)
PLEDGE_FIELDS = (
    "title",
    "pledger",
    "pledger_kind",
    "country",
    "organization_id",
    "description",
    "countries",
    "due_on",
)


# -- helpers ------------------------------------------------------------------------------------


def _values(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def _list(value: str) -> list[str]:
    """Names typed in one field, separated by commas or semicolons."""
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _or_none(value: str) -> str | None:
    return value or None


def _objective_choices(ctx: Context) -> list[tuple[str, str]]:
    return [(o.id, f"{o.code}. {o.label}") for o in objectives(ctx)]


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        active="community",
        scope_names=SCOPE_NAMES,
        modality_names=MODALITY_NAMES,
        event_status_names=EVENT_STATUS_NAMES,
        pledge_status_names=PLEDGE_STATUS_NAMES,
        pledger_kind_names=PLEDGER_KIND_NAMES,
        csrf=getattr(request.state, "csrf", None),
        **context,
    )


def _download(base: str, chosen: dict[str, str]) -> str:
    """The list's API address with the chosen filters, ready for `format=…` to be added."""
    query = urlencode({k: v for k, v in chosen.items() if v})
    return f"{base}?{query}&" if query else f"{base}?"


# -- events ------------------------------------------------------------------------------------


def _event_filter(request: Request) -> tuple[events.EventFilter, dict[str, str]]:
    names = ("q", "objective", "country", "region", "scope", "status", "from", "to")
    chosen = {n: request.query_params.get(n, "").strip()[:300] for n in names}
    days: dict[str, date | None] = {}
    for name in ("from", "to"):
        try:
            days[name] = date.fromisoformat(chosen[name]) if chosen[name] else None
        except ValueError:
            raise BadParameter(name, f"{name}: '{chosen[name][:20]}' is not a date") from None
    wanted = events.EventFilter(
        q=chosen["q"] or None,
        objective=chosen["objective"] or None,
        country=chosen["country"] or None,
        region=chosen["region"] or None,
        scope=chosen["scope"] or None,
        start=days["from"],
        end=days["to"],
        status=chosen["status"] or None,
    )
    return wanted, chosen


@router.get("/community/events")
def events_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request, "q", "objective", "country", "region", "scope", "status", "from", "to")
    wanted, chosen = _event_filter(request)
    found = events.event_list(ctx, wanted)
    return _page(
        request,
        "community_events.html",
        upcoming=[e for e in found if e.when != "past"],
        past=list(reversed([e for e in found if e.when == "past"])),
        chosen=chosen,
        objective_choices=_objective_choices(ctx),
        download=_download("/api/v1/community/events", chosen),
        may_create=ctx.actor.signed_in,
    )


def _event_form(
    request: Request,
    ctx: Context,
    given: dict[str, Any],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        "community_event_form.html",
        status_code=status_code,
        given=given,
        error=error,
        objective_choices=_objective_choices(ctx),
        organizations=_own_organizations(ctx),
    )


def _own_organizations(ctx: Context) -> list[tuple[int, str, str]]:
    """Approved organizations the reader may act for: their own (curators: every one)."""
    query = select(Organization.id, Organization.name, Organization.kind).where(
        Organization.status == "approved"
    )
    if not ctx.actor.has("curator"):
        query = query.where(Organization.owner_id == (ctx.actor.user_id or -1))
    return [(i, n, k) for i, n, k in ctx.session.execute(query.order_by(Organization.name))]


@router.get("/community/events/new")
def event_new_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    if not ctx.actor.signed_in:
        return login_redirect("/community/events/new")
    given: dict[str, Any] = {"objectives": [], "scope": "national", "modality": "in_person"}
    if ctx.actor.organization:
        given["organizer"] = ctx.actor.organization
    return _event_form(request, ctx, given)


def _event_given(form: FormData) -> dict[str, Any]:
    given: dict[str, Any] = {name: form_text(form, name) for name in EVENT_FIELDS}
    given["objectives"] = _values(form, "objectives")
    return given


def _event_data(given: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": given["title"],
        "organizer": given["organizer"],
        "organization_id": _or_none(given["organization_id"]),
        "scope": given["scope"],
        "countries": _list(given["countries"]),
        "regions": _list(given["regions"]),
        "objectives": given["objectives"],
        "starts_on": given["starts_on"] or None,
        "ends_on": given["ends_on"] or None,
        "modality": given["modality"],
        "city": _or_none(given["city"]),
        "url": _or_none(given["url"]),
        "description": given["description"],
    }


def _event_create(request: Request, ctx: Context, given: dict[str, Any]) -> Response:
    try:
        made = attempt(
            ctx, lambda: events.event_create(ctx, validated(EventWrite, _event_data(given)))
        )
    except GcmhubError as refused:
        return _event_form(request, ctx, given, str(refused), refused.status)
    return RedirectResponse(f"/community/events/{made.id}?done=created", status_code=303)


@router.post("/community/events/new", openapi_extra={"x-rule": "event_create"})
async def event_new_submit(request: Request, ctx: ContextDep) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    return await run_in_threadpool(_event_create, request, ctx, _event_given(form))


def _event_page(
    request: Request,
    ctx: Context,
    event_id: int,
    done: str | None = None,
    error: str | None = None,
    given: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    shown = events.event_show(ctx, event_id)
    may_edit = allowed(ctx.actor, "event_edit", EventScope(_event_owner(ctx, event_id)))
    return _page(
        request,
        "community_event.html",
        status_code=status_code,
        e=shown,
        done=done,
        error=error,
        given=given or _event_given_from(shown),
        objective_choices=_objective_choices(ctx),
        may_edit=may_edit and shown.status == "active",
        may_report=shown.when != "upcoming",
    )


def _event_given_from(shown: EventPublic) -> dict[str, Any]:
    """An event's fields as its edit form shows them."""
    given: dict[str, Any] = {
        **{k: v or "" for k, v in shown.model_dump(include=set(EVENT_FIELDS)).items()},
        "countries": ", ".join(shown.countries),
        "regions": ", ".join(shown.regions),
        "objectives": shown.objectives,
    }
    given["starts_on"], given["ends_on"] = shown.starts_on.isoformat(), shown.ends_on.isoformat()
    return given


def _event_owner(ctx: Context, event_id: int) -> int | None:
    from gcmhub.community.models import Event

    row = ctx.session.get(Event, event_id)
    return row.owner_id if row else None


@router.get("/community/events/{event_id}")
def event_page(request: Request, ctx: ContextDep, event_id: str, done: str = "") -> Response:
    only_parameters(request, "done")
    return _event_page(request, ctx, record_id(event_id, "event"), done=DONE.get(done))


def _event_act(
    request: Request,
    ctx: Context,
    event_id: int,
    done: str,
    action: Callable[[], Any],
    given: dict[str, Any] | None = None,
) -> Response:
    """Run an event page's form: a refusal shows on the page, with nothing stored."""
    try:
        attempt(ctx, action)
    except NotFound:
        raise
    except GcmhubError as refused:
        return _event_page(
            request, ctx, event_id, error=str(refused), given=given, status_code=refused.status
        )
    return RedirectResponse(f"/community/events/{event_id}?done={done}", status_code=303)


def _event_edit(request: Request, ctx: Context, event_id: int, given: dict[str, Any]) -> Response:
    data = _event_data(given)
    del data["organization_id"]  # an event's organization is set when it is recorded
    for name in ("title", "organizer", "scope", "starts_on", "ends_on", "modality"):
        if data[name] in (None, ""):
            del data[name]  # left empty: unchanged
    return _event_act(
        request,
        ctx,
        event_id,
        "edited",
        lambda: events.event_update(ctx, event_id, validated(EventUpdate, data)),
        given=given,
    )


@router.post("/community/events/{event_id}/edit", openapi_extra={"x-rule": "event_edit"})
async def event_edit_submit(request: Request, ctx: ContextDep, event_id: str) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    number = record_id(event_id, "event")
    return await run_in_threadpool(_event_edit, request, ctx, number, _event_given(form))


@router.post("/community/events/{event_id}/outcomes", openapi_extra={"x-rule": "event_edit"})
async def event_outcomes_submit(request: Request, ctx: ContextDep, event_id: str) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    number = record_id(event_id, "event")
    data = {"outcomes": form_text(form, "outcomes")}
    return await run_in_threadpool(
        _event_act,
        request,
        ctx,
        number,
        "outcomes",
        lambda: events.event_outcomes(ctx, number, validated(OutcomesWrite, data)),
    )


@router.post("/community/events/{event_id}/cancel", openapi_extra={"x-rule": "event_edit"})
async def event_cancel_submit(request: Request, ctx: ContextDep, event_id: str) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    number = record_id(event_id, "event")
    data = {"reason": form_text(form, "reason")}
    return await run_in_threadpool(
        _event_act,
        request,
        ctx,
        number,
        "cancelled",
        lambda: events.event_cancel(ctx, number, validated(CancelWrite, data)),
    )


# -- pledges -----------------------------------------------------------------------------------


def _pledge_filter(request: Request) -> tuple[pledges.PledgeFilter, dict[str, str]]:
    names = ("q", "objective", "country", "pledger_kind", "status", "overdue")
    chosen = {n: request.query_params.get(n, "").strip()[:300] for n in names}
    wanted = pledges.PledgeFilter(
        q=chosen["q"] or None,
        objective=chosen["objective"] or None,
        country=chosen["country"] or None,
        pledger_kind=chosen["pledger_kind"] or None,
        status=chosen["status"] or None,
        overdue=pledges.overdue_flag(chosen["overdue"]),
    )
    return wanted, chosen


@router.get("/community/pledges")
def pledges_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request, "q", "objective", "country", "pledger_kind", "status", "overdue")
    wanted, chosen = _pledge_filter(request)
    return _page(
        request,
        "community_pledges.html",
        found=pledges.pledge_list(ctx, wanted),
        chosen=chosen,
        objective_choices=_objective_choices(ctx),
        download=_download("/api/v1/community/pledges", chosen),
        may_create=_may_pledge(ctx),
    )


def _may_pledge(ctx: Context) -> bool:
    """Whether the reader may pledge: curators, focal points, registrants of organizations."""
    actor = ctx.actor
    if not actor.signed_in:
        return False
    if actor.has("curator") or ("focal_point" in actor.roles and actor.countries):
        return True
    return bool(_own_organizations(ctx))


def _pledge_form(
    request: Request,
    ctx: Context,
    given: dict[str, Any],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        "community_pledge_form.html",
        status_code=status_code,
        given=given,
        error=error,
        objective_choices=_objective_choices(ctx),
        organizations=_own_organizations(ctx),
        own_countries=sorted(ctx.actor.countries),
        kinds=("member_state", *KINDS),
    )


@router.get("/community/pledges/new")
def pledge_new_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    if not ctx.actor.signed_in:
        return login_redirect("/community/pledges/new")
    given: dict[str, Any] = {"objectives": [], "pledger_kind": "member_state"}
    if len(ctx.actor.countries) == 1:
        given["country"] = next(iter(ctx.actor.countries))
    return _pledge_form(request, ctx, given)


def _pledge_create(request: Request, ctx: Context, given: dict[str, Any]) -> Response:
    data = {
        "title": given["title"],
        "pledger": _or_none(given["pledger"]),
        "pledger_kind": given["pledger_kind"],
        "country": _or_none(given["country"]),
        "organization_id": _or_none(given["organization_id"]),
        "description": given["description"],
        "objectives": given["objectives"],
        "countries": _list(given["countries"]),
        "due_on": given["due_on"] or None,
    }
    if data["pledger_kind"] == "member_state":
        data["organization_id"] = None  # the form offers both; the kind decides
    else:
        data["country"] = None
    try:
        made = attempt(ctx, lambda: pledges.pledge_create(ctx, validated(PledgeWrite, data)))
    except GcmhubError as refused:
        return _pledge_form(request, ctx, given, str(refused), refused.status)
    return RedirectResponse(f"/community/pledges/{made.id}?done=pledged", status_code=303)


@router.post("/community/pledges/new", openapi_extra={"x-rule": "community_pledge_create"})
async def pledge_new_submit(request: Request, ctx: ContextDep) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    given: dict[str, Any] = {name: form_text(form, name) for name in PLEDGE_FIELDS}
    given["objectives"] = _values(form, "objectives")
    return await run_in_threadpool(_pledge_create, request, ctx, given)


def _pledge_page(
    request: Request,
    ctx: Context,
    pledge_id: int,
    done: str | None = None,
    error: str | None = None,
    given: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    from gcmhub.community.models import Pledge

    shown = pledges.pledge_show(ctx, pledge_id)
    row = ctx.session.get(Pledge, pledge_id)
    scope = PledgeScope(row.owner_id if row else None, shown.country)
    return _page(
        request,
        "community_pledge.html",
        status_code=status_code,
        p=shown,
        done=done,
        error=error,
        given=given or {"progress": str(shown.progress), "status": shown.status},
        may_report=allowed(ctx.actor, "community_pledge_update", scope)
        and shown.status not in ("fulfilled", "withdrawn"),
        today=date.today().isoformat(),
    )


@router.get("/community/pledges/{pledge_id}")
def pledge_page(request: Request, ctx: ContextDep, pledge_id: str, done: str = "") -> Response:
    only_parameters(request, "done")
    return _pledge_page(request, ctx, record_id(pledge_id, "pledge"), done=DONE.get(done))


def _pledge_report(
    request: Request, ctx: Context, pledge_id: int, given: dict[str, Any]
) -> Response:
    progress = given["progress"]
    data = {
        "reported_on": given["reported_on"] or None,
        "progress": progress if progress.lstrip("-").isdigit() else None,
        "status": given["status"],
        "note": given["note"],
    }
    try:
        attempt(
            ctx,
            lambda: pledges.pledge_progress(ctx, pledge_id, validated(PledgeUpdateWrite, data)),
        )
    except NotFound:
        raise
    except GcmhubError as refused:
        return _pledge_page(
            request, ctx, pledge_id, error=str(refused), given=given, status_code=refused.status
        )
    return RedirectResponse(f"/community/pledges/{pledge_id}?done=reported", status_code=303)


@router.post(
    "/community/pledges/{pledge_id}/updates", openapi_extra={"x-rule": "community_pledge_update"}
)
async def pledge_report_submit(request: Request, ctx: ContextDep, pledge_id: str) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    number = record_id(pledge_id, "pledge")
    given = {name: form_text(form, name) for name in ("reported_on", "progress", "status", "note")}
    return await run_in_threadpool(_pledge_report, request, ctx, number, given)
