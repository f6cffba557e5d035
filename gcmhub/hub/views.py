"""The connection hub's pages: ask for support, follow a request, find providers and offers.

Paragraph 43(a) of the Compact, in pages: a Member State asks for support (the guided form),
the secretariat assesses and matches the request (the request page, with the shortlist and
the integrated plan, and the queue), partners offer support (providers and offers).

Every form posts with the session's CSRF token and calls the same action as the API, in a
savepoint: a refusal leaves nothing stored and no notice to send, and comes back as a message
on the page it was sent from (the request form keeps what was typed). Success redirects (303).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.accounts.models import User
from gcmhub.accounts.notices import notice_list, notice_read_all
from gcmhub.auth import allowed
from gcmhub.context import Context
from gcmhub.errors import BadParameter, GcmhubError, InvalidInput, NotFound
from gcmhub.hub import files, handoffs, listing, matching, providers, requests
from gcmhub.hub.auth import ProviderScope, RequestScope, request_follow
from gcmhub.hub.models import Provider
from gcmhub.hub.schemas import (
    CommentWrite,
    EngageWrite,
    OfferWrite,
    ProviderUpdate,
    ProviderWrite,
    RequestPublic,
    RequestUpdate,
    RequestWrite,
    Shortlist,
    StepRequest,
)
from gcmhub.hub.vocabulary import (
    CONFIDENTIALITY,
    LANGUAGES,
    MODALITIES,
    ORGANIZATION_TYPES,
    PROVIDER_KINDS,
    SUPPORT_TYPES,
)
from gcmhub.hub.workflow import OPEN_STATES, REQUEST_STATES, request_workflow
from gcmhub.taxonomy.actions import concept_list, scheme_show
from gcmhub.taxonomy.schemas import ConceptRef
from gcmhub.web.deps import ContextDep
from gcmhub.web.forms import attempt, form_text, invalid_message, login_redirect, only_parameters
from gcmhub.web.i18n import N_
from gcmhub.web.session import CSRF_FIELD, check_form
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str, Form(alias=CSRF_FIELD)]

PAGE_SIZE = 20
QUEUE_SIZE = 50
STATES = {
    "submitted": N_("Submitted"),
    "triaged": N_("Triaged"),
    "matched": N_("Matched"),
    "in_progress": N_("In progress"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "declined": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
}
# workflow.PARA_43A, marked for translation (a test keeps the two the same).
STAGES = {
    "submitted": N_("(i) advise on, assess and process the country request"),
    "triaged": N_(
        "(ii) identify the main implementing partners; "
        "(iii) connect to similar initiatives and solutions"
    ),
    "matched": N_(
        "(iv) set up multi-agency and multi-stakeholder implementation; (v) identify funding"
    ),
    "in_progress": N_("implementation under way"),
    "resolved": N_("resolved: the requester rates the support and closes"),
}
# What the button that moves a request to each state says.
STEP_BUTTONS = {
    "triaged": N_("Mark as triaged"),
    "matched": N_("Mark as matched"),
    "in_progress": N_("Start the work (in progress)"),
    "resolved": N_("Mark as resolved"),
    "declined": N_("Decline"),
    "withdrawn": N_("Withdraw the request"),
}
EVENTS = {
    "step": N_("Step"),
    "comment": N_("Comment"),
    "assign": N_("Assignment"),
    "file": N_("File attached"),
    "engage": N_("Plan"),
    "edit": N_("Change"),
    "publish": N_("Published as a solution"),
    "fund": N_("Fund proposal"),
    "remind": N_("Reminder"),
}
ENGAGEMENT_STATUSES = {
    "proposed": N_("proposed"),
    "confirmed": N_("confirmed"),
    "done": N_("done"),
    "dropped": N_("dropped"),
}
REASONS = {
    "meaning": N_("Meaning"),
    "words": N_("Words"),
    "objectives": N_("Objectives"),
    "support": N_("Kind of support"),
    "region": N_("Region"),
    "language": N_("Language"),
    "availability": N_("Availability"),
    "outcomes": N_("Past ratings"),
}
SORTS = {
    "-age": N_("Oldest first"),
    "age": N_("Newest first"),
    "due": N_("Due soonest first"),
}
# The message shown after a form on the request page went through.
DONE = {
    "objectives": N_("The objectives are confirmed."),
    "step": N_("The request moved on."),
    "assign": N_("The assignment is saved."),
    "comment": N_("Your comment is added."),
    "file": N_("The file is attached."),
    "engage": N_("The plan is updated."),
    "plan": N_("The proposed plan is adopted: its providers are in the plan as proposed."),
    "fund": N_("A draft fund proposal is opened."),
    "publish": N_("The request is published as a solution on the knowledge platform."),
}
RATINGS = {
    "5": N_("5: excellent"),
    "4": N_("4: good"),
    "3": N_("3: adequate"),
    "2": N_("2: poor"),
    "1": N_("1: very poor"),
}
FINAL = ("closed", "declined", "withdrawn")


# -- Helpers ------------------------------------------------------------------------------------


def _values(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _objectives(ctx: Context) -> list[ConceptRef]:
    return scheme_show(ctx, "objective").top_concepts


def _objective_choices(ctx: Context) -> list[tuple[str, str]]:
    """The 23 objectives as (number, "number. title") for checkboxes and lists."""
    return [(o.code, f"{o.code}. {o.label}") for o in _objectives(ctx)]


def _region_choices(ctx: Context) -> list[tuple[str, str]]:
    """The M49 regions as (code, name), in the scheme's order."""
    return [(r.code, r.label) for r in concept_list(ctx, "region", limit=1000).data]


def _secretariat(ctx: Context) -> list[str]:
    """The usernames of the secretariat (curators and admins), to assign requests to."""
    rows = ctx.session.execute(
        select(User.username, User.roles).where(User.active).order_by(User.username)
    )
    return [name for name, roles in rows if {"curator", "admin"} & set(roles or [])]


def _may_ask(ctx: Context) -> bool:
    """Whether the reader may file requests: the secretariat, or a focal point of a country."""
    actor = ctx.actor
    return actor.signed_in and (
        actor.has("curator") or ("focal_point" in actor.roles and bool(actor.countries))
    )


# -- The hub's front page -------------------------------------------------------------------


@router.get("/hub")
def hub_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    offers = providers.offer_list(ctx)
    total, _ = providers.provider_list(ctx, limit=1)
    counts = requests.request_stats(ctx)
    return render(
        request,
        "hub.html",
        active="hub",
        counts=counts,
        open_total=sum(counts[s] for s in OPEN_STATES),
        order=REQUEST_STATES,
        states=STATES,
        offers=offers[:6],
        offer_total=len(offers),
        provider_total=total,
        may_ask=_may_ask(ctx),
        support_types=SUPPORT_TYPES,
    )


# -- Asking for support ----------------------------------------------------------------------

REQUEST_FIELDS = (
    "country",
    "institution",
    "title",
    "need",
    "start",
    "end",
    "confidentiality",
    "contact_name",
    "contact_email",
)
REQUEST_LISTS = ("objectives", "support_types", "languages", "modalities")


def _countries_for(ctx: Context) -> list[ConceptRef]:
    """The countries the reader may ask for: every one for the secretariat, else their own."""
    every = scheme_show(ctx, "country").top_concepts
    if ctx.actor.has("curator"):
        return every
    return [c for c in every if c.code in ctx.actor.countries]


def _request_form(
    request: Request,
    ctx: Context,
    given: dict[str, Any],
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "hub_request_form.html",
        status_code=status,
        active="hub",
        given=given,
        error=error,
        countries=_countries_for(ctx),
        objective_choices=_objective_choices(ctx),
        support_types=SUPPORT_TYPES,
        work_languages=LANGUAGES,
        modalities=MODALITIES,
        confidentiality=CONFIDENTIALITY,
        csrf=getattr(request.state, "csrf", None),
    )


@router.get("/hub/requests/new")
def request_new_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    if not ctx.actor.signed_in:
        return login_redirect("/hub/requests/new")
    if not _may_ask(ctx):
        return render(request, "hub_ask_who.html", status_code=403, active="hub")
    given: dict[str, Any] = {name: [] for name in REQUEST_LISTS}
    given["confidentiality"] = "private"
    if len(ctx.actor.countries) == 1 and not ctx.actor.has("curator"):
        given["country"] = next(iter(ctx.actor.countries))
    if ctx.actor.organization:
        given["institution"] = ctx.actor.organization
    return _request_form(request, ctx, given)


def _request_given(form: FormData) -> dict[str, Any]:
    given: dict[str, Any] = {name: form_text(form, name) for name in REQUEST_FIELDS}
    for name in REQUEST_LISTS:
        given[name] = _values(form, name)
    given["contact_consent"] = bool(form.get("contact_consent"))
    return given


def _request_create(request: Request, ctx: Context, given: dict[str, Any]) -> Response:
    data = {
        **{name: given[name] or None for name in ("title", "start", "end")},
        **{name: given[name] or None for name in ("contact_name", "contact_email")},
        "country": given["country"],
        "institution": given["institution"],
        "need": given["need"],
        "confidentiality": given["confidentiality"] or "private",
        "contact_consent": given["contact_consent"],
        **{name: given[name] for name in REQUEST_LISTS},
    }
    try:
        made = attempt(ctx, lambda: requests.request_create(ctx, RequestWrite.model_validate(data)))
    except ValidationError as invalid:
        return _request_form(request, ctx, given, invalid_message(invalid), 422)
    except GcmhubError as refused:
        return _request_form(request, ctx, given, str(refused), refused.status)
    return RedirectResponse(f"/hub/requests/{made.id}?done=filed", status_code=303)


@router.post("/hub/requests/new", openapi_extra={"x-rule": "request_create"})
async def request_new_submit(request: Request, ctx: ContextDep) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    return await run_in_threadpool(_request_create, request, ctx, _request_given(form))


# -- The secretariat's queue -----------------------------------------------------------------


def _yes_no(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    if value in ("yes", "true"):
        return True
    if value in ("no", "false"):
        return False
    raise BadParameter("overdue", "overdue is yes or no")


@router.get("/hub/queue")
def queue_page(
    request: Request,
    ctx: ContextDep,
    state: str = "",
    objective: str = "",
    region: str = "",
    assignee: str = "",
    overdue: str = "",
    sort: str = "-age",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    only_parameters(request, "state", "objective", "region", "assignee", "overdue", "sort", "page")
    if not ctx.actor.signed_in:
        return login_redirect("/hub/queue")
    late = _yes_no(overdue)
    wanted = listing.RequestFilter(
        state or None, None, objective or None, region or None, assignee or None, late
    )
    every_state = listing.RequestFilter(
        None, None, objective or None, region or None, assignee or None, late
    )
    counts = listing.request_list(ctx, every_state, sort, 0, 1)
    found = listing.request_list(ctx, wanted, sort, (page - 1) * QUEUE_SIZE, QUEUE_SIZE)
    params = [
        (name, value)
        for name, value in (
            ("state", state),
            ("objective", objective),
            ("region", region),
            ("assignee", assignee),
            ("overdue", "" if late is None else str(late).lower()),
            ("sort", sort),
        )
        if value
    ]
    return render(
        request,
        "hub_queue.html",
        active="hub",
        found=found,
        counts=counts,
        pages=max(1, math.ceil(found.total / QUEUE_SIZE)),
        page=page,
        chosen={
            "state": state,
            "objective": objective,
            "region": region,
            "assignee": assignee,
            "overdue": overdue,
            "sort": sort,
        },
        order=REQUEST_STATES,
        states=STATES,
        sorts=SORTS,
        objective_choices=_objective_choices(ctx),
        region_choices=_region_choices(ctx),
        staff=_secretariat(ctx),
        support_types=SUPPORT_TYPES,
        download="/api/v1/hub/requests?" + (urlencode(params) + "&" if params else ""),
        may_ask=_may_ask(ctx),
    )


# -- A request and what may be done with it ----------------------------------------------------


def _scope(ctx: Context, ref: str) -> RequestScope:
    return requests.scope_of(ctx, requests._get(ctx, ref))


def _engageable(ctx: Context, in_plan: set[str]) -> list[tuple[str, str]]:
    """Providers that may join a request's plan (listed with consent, active), by name."""
    rows = ctx.session.execute(
        select(Provider.ref, Provider.name)
        .where(Provider.active, Provider.consent_at.is_not(None))
        .order_by(Provider.name)
    )
    return [(ref, name) for ref, name in rows if ref not in in_plan]


def _parts_now(shown: RequestPublic) -> list[str]:
    """The parts of a request a plan can cover now (as requests.request_parts)."""
    objectives = [o.id for o in shown.objectives] or [s.concept for s in shown.suggested]
    return [*objectives, *shown.support_types]


def _request_page(
    request: Request,
    ctx: Context,
    ref: str,
    error: str | None = None,
    status: int = 200,
    steps_allowed: list[str] | None = None,
    done: str | None = None,
) -> Response:
    shown = requests.request_show(ctx, ref)
    scope = _scope(ctx, ref)
    actor = ctx.actor
    follows = request_follow(actor, scope)
    final = request_workflow().terminal(shown.state)
    secretariat = actor.has("curator")
    may = {
        "update": allowed(actor, "request_update", scope)
        and not final
        and (secretariat or shown.state in ("submitted", "triaged")),
        "assign": allowed(actor, "request_assign", scope) and not final,
        "engage": allowed(actor, "request_engage", scope)
        and not final
        and shown.state != "resolved",
        "comment": follows and allowed(actor, "request_comment", scope),
        "fund": allowed(actor, "request_fund", scope)
        and shown.state in ("matched", "in_progress")
        and not shown.proposal,
        "publish": allowed(actor, "request_publish", scope)
        and shown.state in ("resolved", "closed")
        and not shown.solution,
        "internal": secretariat,
    }
    shortlist: Shortlist | None = None
    if follows and shown.state not in FINAL:
        shortlist = matching.request_match(ctx, ref)
    in_plan = {e.provider for e in shown.plan}
    parts_now = _parts_now(shown)
    labels = {o.id: f"{o.code}. {o.label}" for o in _objectives(ctx)}
    return render(
        request,
        "hub_request.html",
        status_code=status,
        active="hub",
        r=shown,
        follows=follows,
        may=may,
        shortlist=shortlist,
        adoptable=bool(shortlist and any(p.id not in in_plan for p in shortlist.plan.providers)),
        in_plan=in_plan,
        parts_now=parts_now,
        part_labels={**labels, **SUPPORT_TYPES},
        confirmed_codes={o.code for o in shown.objectives}
        or {s.concept.split(":", 1)[1] for s in shown.suggested},
        steps=[s for s in shown.steps if s != "closed"],
        closing="closed" in shown.steps,
        error=error,
        steps_allowed=steps_allowed,
        done=DONE.get(done or "") if done != "filed" else None,
        filed=done == "filed",
        states=STATES,
        stages=STAGES,
        step_buttons=STEP_BUTTONS,
        events=EVENTS,
        statuses=ENGAGEMENT_STATUSES,
        reasons=REASONS,
        ratings=RATINGS,
        objective_choices=_objective_choices(ctx),
        support_types=SUPPORT_TYPES,
        work_languages=LANGUAGES,
        modalities=MODALITIES,
        confidentiality=CONFIDENTIALITY,
        staff=_secretariat(ctx) if may["assign"] else [],
        engageable=_engageable(ctx, in_plan) if may["engage"] else [],
        csrf=getattr(request.state, "csrf", None),
    )


@router.get("/hub/requests/{ref}")
def request_page(request: Request, ctx: ContextDep, ref: str, done: str = "") -> Response:
    only_parameters(request, "done")
    return _request_page(request, ctx, ref, done=done)


def _act(
    request: Request, ctx: Context, ref: str, done: str, action: Callable[[], Any]
) -> Response:
    """Run a request page's form action; a refusal shows on the page, with nothing stored."""
    try:
        attempt(ctx, action)
    except ValidationError as invalid:
        return _request_page(request, ctx, ref, invalid_message(invalid), 422)
    except NotFound:
        raise
    except GcmhubError as refused:
        return _request_page(
            request, ctx, ref, str(refused), refused.status, getattr(refused, "allowed", None)
        )
    return RedirectResponse(f"/hub/requests/{ref}?done={done}", status_code=303)


@router.post("/hub/requests/{ref}/objectives", openapi_extra={"x-rule": "request_update"})
async def request_objectives_submit(request: Request, ctx: ContextDep, ref: str) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    chosen = _values(form, "objectives")
    return await run_in_threadpool(
        _act,
        request,
        ctx,
        ref,
        "objectives",
        lambda: requests.request_update(ctx, ref, RequestUpdate(objectives=chosen)),
    )


def _step_of(form: FormData) -> StepRequest:
    ratings = {}
    for name in form:
        if name.startswith("provider_rating:") and form_text(form, name):
            value = form_text(form, name)
            if not value.isdigit():
                raise InvalidInput("provider_ratings: each rating is from 1 to 5")
            ratings[name.split(":", 1)[1]] = int(value)
    rating = form_text(form, "rating")
    return StepRequest.model_validate(
        {
            "to": form_text(form, "to"),
            "note": form_text(form, "note"),
            "rating": rating or None,
            "lessons": form_text(form, "lessons") or None,
            "provider_ratings": ratings,
        }
    )


@router.post("/hub/requests/{ref}/steps", openapi_extra={"x-rule": "request_step"})
async def request_step_submit(request: Request, ctx: ContextDep, ref: str) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    return await run_in_threadpool(
        _act, request, ctx, ref, "step", lambda: requests.request_step(ctx, ref, _step_of(form))
    )


@router.post("/hub/requests/{ref}/assign", openapi_extra={"x-rule": "request_assign"})
def request_assign_submit(
    request: Request,
    ctx: ContextDep,
    ref: str,
    csrf: CsrfField,
    assignee: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_form(request, ctx, csrf)
    return _act(
        request,
        ctx,
        ref,
        "assign",
        lambda: requests.request_assign(ctx, ref, assignee.strip() or None),
    )


@router.post("/hub/requests/{ref}/comment", openapi_extra={"x-rule": "request_comment"})
def request_comment_submit(
    request: Request,
    ctx: ContextDep,
    ref: str,
    csrf: CsrfField,
    text: Annotated[str, Form(max_length=10_000)] = "",
    internal: Annotated[bool, Form()] = False,
) -> Response:
    check_form(request, ctx, csrf)
    return _act(
        request,
        ctx,
        ref,
        "comment",
        lambda: requests.request_comment(
            ctx, ref, CommentWrite.model_validate({"text": text, "internal": internal})
        ),
    )


@router.post("/hub/requests/{ref}/attachments", openapi_extra={"x-rule": "request_comment"})
def request_attach_submit(
    request: Request,
    ctx: ContextDep,
    ref: str,
    csrf: CsrfField,
    file: Annotated[UploadFile, File()],
) -> Response:
    check_form(request, ctx, csrf)
    name = file.filename or "file"
    data = file.file.read()
    return _act(request, ctx, ref, "file", lambda: files.request_attach(ctx, ref, name, data))


@router.post("/hub/requests/{ref}/engage", openapi_extra={"x-rule": "request_engage"})
async def request_engage_submit(request: Request, ctx: ContextDep, ref: str) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    data = {
        "provider": form_text(form, "provider"),
        "parts": _values(form, "parts"),
        "role": form_text(form, "role"),
        "status": form_text(form, "status") or "proposed",
    }
    return await run_in_threadpool(
        _act,
        request,
        ctx,
        ref,
        "engage",
        lambda: requests.request_engage(ctx, ref, EngageWrite.model_validate(data)),
    )


@router.post("/hub/requests/{ref}/plan", openapi_extra={"x-rule": "request_engage"})
def request_plan_submit(request: Request, ctx: ContextDep, ref: str, csrf: CsrfField) -> Response:
    check_form(request, ctx, csrf)
    return _act(request, ctx, ref, "plan", lambda: matching.request_plan_accept(ctx, ref))


@router.post("/hub/requests/{ref}/fund", openapi_extra={"x-rule": "request_fund"})
def request_fund_submit(request: Request, ctx: ContextDep, ref: str, csrf: CsrfField) -> Response:
    check_form(request, ctx, csrf)
    return _act(request, ctx, ref, "fund", lambda: handoffs.request_fund(ctx, ref))


@router.post("/hub/requests/{ref}/publish", openapi_extra={"x-rule": "request_publish"})
def request_publish_submit(
    request: Request, ctx: ContextDep, ref: str, csrf: CsrfField
) -> Response:
    check_form(request, ctx, csrf)
    return _act(request, ctx, ref, "publish", lambda: handoffs.request_publish(ctx, ref))


# -- Providers -------------------------------------------------------------------------------


@router.get("/hub/providers")
def providers_page(
    request: Request,
    ctx: ContextDep,
    objective: str = "",
    support_type: str = "",
    region: str = "",
    language: str = "",
    kind: str = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    only_parameters(request, "objective", "support_type", "region", "language", "kind", "page")
    chosen = {
        "objective": objective,
        "support_type": support_type,
        "region": region,
        "language": language,
        "kind": kind,
    }
    total, rows = providers.provider_list(
        ctx,
        {k: v or None for k, v in chosen.items()},
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    query = urlencode([(k, v) for k, v in chosen.items() if v])
    return render(
        request,
        "hub_providers.html",
        active="hub",
        total=total,
        rows=rows,
        page=page,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        chosen=chosen,
        objective_choices=_objective_choices(ctx),
        region_choices=_region_choices(ctx),
        support_types=SUPPORT_TYPES,
        work_languages=LANGUAGES,
        kinds=PROVIDER_KINDS,
        organization_types=ORGANIZATION_TYPES,
        may_register=allowed(ctx.actor, "provider_create") and ctx.actor.signed_in,
        download="/api/v1/hub/providers?" + (query + "&" if query else ""),
    )


PROVIDER_FIELDS = (
    "kind",
    "name",
    "organization_type",
    "description",
    "countries",
    "capacity",
    "available_until",
    "contact_email",
)
PROVIDER_LISTS = ("objectives", "support_types", "regions", "languages", "modalities")


def _provider_form(
    request: Request,
    ctx: Context,
    given: dict[str, Any],
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "hub_provider_form.html",
        status_code=status,
        active="hub",
        given=given,
        error=error,
        kinds=PROVIDER_KINDS,
        organization_types=ORGANIZATION_TYPES,
        objective_choices=_objective_choices(ctx),
        region_choices=_region_choices(ctx),
        support_types=SUPPORT_TYPES,
        work_languages=LANGUAGES,
        modalities=MODALITIES,
        csrf=getattr(request.state, "csrf", None),
    )


@router.get("/hub/providers/new")
def provider_new_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    if not ctx.actor.signed_in:
        return login_redirect("/hub/providers/new")
    given: dict[str, Any] = {name: [] for name in PROVIDER_LISTS}
    given.update({"kind": "organization", "organization_type": "civil_society", "capacity": "1"})
    if ctx.actor.organization:
        given["name"] = ctx.actor.organization
    return _provider_form(request, ctx, given)


def _provider_given(form: FormData) -> dict[str, Any]:
    given: dict[str, Any] = {name: form_text(form, name) for name in PROVIDER_FIELDS}
    for name in PROVIDER_LISTS:
        given[name] = _values(form, name)
    given["un_system"] = bool(form.get("un_system"))
    given["consent"] = bool(form.get("consent"))
    return given


def _provider_create(request: Request, ctx: Context, given: dict[str, Any]) -> Response:
    data = {
        "kind": given["kind"] or "organization",
        "name": given["name"],
        "organization_type": given["organization_type"] or "civil_society",
        "un_system": given["un_system"],
        "description": given["description"],
        "countries": _list(given["countries"]),
        "capacity": given["capacity"] or 1,
        "available_until": given["available_until"] or None,
        "contact_email": given["contact_email"] or None,
        "consent": given["consent"],
        **{name: given[name] for name in PROVIDER_LISTS},
    }
    try:
        made = attempt(
            ctx, lambda: providers.provider_create(ctx, ProviderWrite.model_validate(data))
        )
    except ValidationError as invalid:
        return _provider_form(request, ctx, given, invalid_message(invalid), 422)
    except GcmhubError as refused:
        return _provider_form(request, ctx, given, str(refused), refused.status)
    return RedirectResponse(f"/hub/providers/{made.id}", status_code=303)


@router.post("/hub/providers/new", openapi_extra={"x-rule": "provider_create"})
async def provider_new_submit(request: Request, ctx: ContextDep) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    return await run_in_threadpool(_provider_create, request, ctx, _provider_given(form))


@router.get("/hub/providers/{ref}")
def provider_page(request: Request, ctx: ContextDep, ref: str) -> Response:
    only_parameters(request)
    shown = providers.provider_show(ctx, ref)
    owner = ctx.session.scalar(select(Provider.owner_id).where(Provider.ref == ref))
    return render(
        request,
        "hub_provider.html",
        active="hub",
        p=shown,
        offers=[o for o in providers.offer_list(ctx) if o.provider == ref],
        may_offer=ctx.actor.signed_in and allowed(ctx.actor, "offer_write", ProviderScope(owner)),
        may_update=ctx.actor.signed_in
        and allowed(ctx.actor, "provider_update", ProviderScope(owner)),
        csrf=getattr(request.state, "csrf", None),
        kinds=PROVIDER_KINDS,
        organization_types=ORGANIZATION_TYPES,
        support_types=SUPPORT_TYPES,
        work_languages=LANGUAGES,
        modalities=MODALITIES,
    )


@router.post("/hub/providers/{ref}/consent", openapi_extra={"x-rule": "provider_update"})
def provider_consent_submit(
    request: Request,
    ctx: ContextDep,
    ref: str,
    csrf: CsrfField,
    consent: Annotated[str, Form(pattern="^(yes|no)$")],
) -> Response:
    """Give or withdraw consent to be listed (withdrawing hides the profile, drops the contact)."""
    check_form(request, ctx, csrf)
    providers.provider_update(ctx, ref, ProviderUpdate(consent=consent == "yes"))
    return RedirectResponse(f"/hub/providers/{ref}", status_code=303)


# -- Offers ----------------------------------------------------------------------------------


def _own_providers(ctx: Context) -> list[tuple[str, str]]:
    """The providers the reader may publish offers for (ref, name)."""
    if not ctx.actor.signed_in:
        return []
    query = select(Provider.ref, Provider.name, Provider.owner_id).where(Provider.active)
    return [
        (ref, name)
        for ref, name, owner in ctx.session.execute(query.order_by(Provider.name))
        if allowed(ctx.actor, "offer_write", ProviderScope(owner))
    ]


@router.get("/hub/offers")
def offers_page(request: Request, ctx: ContextDep, objective: str = "") -> Response:
    only_parameters(request, "objective")
    return render(
        request,
        "hub_offers.html",
        active="hub",
        offers=providers.offer_list(ctx, objective=objective or None),
        objective=objective,
        objective_choices=_objective_choices(ctx),
        support_types=SUPPORT_TYPES,
        work_languages=LANGUAGES,
        may_offer=bool(_own_providers(ctx)),
    )


OFFER_FIELDS = (
    "provider",
    "title",
    "description",
    "audience",
    "countries",
    "valid_until",
)
OFFER_LISTS = ("objectives", "support_types", "regions", "languages")


def _offer_form(
    request: Request,
    ctx: Context,
    given: dict[str, Any],
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "hub_offer_form.html",
        status_code=status,
        active="hub",
        given=given,
        error=error,
        own=_own_providers(ctx),
        objective_choices=_objective_choices(ctx),
        region_choices=_region_choices(ctx),
        support_types=SUPPORT_TYPES,
        work_languages=LANGUAGES,
        csrf=getattr(request.state, "csrf", None),
    )


@router.get("/hub/offers/new")
def offer_new_page(request: Request, ctx: ContextDep, provider: str = "") -> Response:
    only_parameters(request, "provider")
    if not ctx.actor.signed_in:
        return login_redirect("/hub/offers/new")
    given: dict[str, Any] = {name: [] for name in OFFER_LISTS}
    given["provider"] = provider
    return _offer_form(request, ctx, given)


def _offer_given(form: FormData) -> dict[str, Any]:
    given: dict[str, Any] = {name: form_text(form, name) for name in OFFER_FIELDS}
    for name in OFFER_LISTS:
        given[name] = _values(form, name)
    return given


def _offer_create(request: Request, ctx: Context, given: dict[str, Any]) -> Response:
    data = {
        "provider": given["provider"],
        "title": given["title"],
        "description": given["description"],
        "audience": given["audience"] or None,
        "countries": _list(given["countries"]),
        "valid_until": given["valid_until"] or None,
        **{name: given[name] for name in OFFER_LISTS},
    }
    try:
        attempt(ctx, lambda: providers.offer_create(ctx, OfferWrite.model_validate(data)))
    except ValidationError as invalid:
        return _offer_form(request, ctx, given, invalid_message(invalid), 422)
    except GcmhubError as refused:
        return _offer_form(request, ctx, given, str(refused), refused.status)
    return RedirectResponse(f"/hub/providers/{given['provider']}#offers", status_code=303)


@router.post("/hub/offers/new", openapi_extra={"x-rule": "offer_write"})
async def offer_new_submit(request: Request, ctx: ContextDep) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    return await run_in_threadpool(_offer_create, request, ctx, _offer_given(form))


# -- Notices ---------------------------------------------------------------------------------


def _local(link: str | None) -> str | None:
    """A notice's link, only when it points into this site."""
    return link if link and link.startswith("/") and not link.startswith("//") else None


@router.get("/notices")
def notices_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    if not ctx.actor.signed_in:
        return login_redirect("/notices")
    notices = notice_list(ctx)
    return render(
        request,
        "hub_notices.html",
        active="notices",
        notices=notices,
        unread=sum(1 for n in notices if n.read_at is None),
        local=_local,
        csrf=getattr(request.state, "csrf", None),
    )


@router.post("/notices/read", openapi_extra={"x-rule": "notice_read"})
def notices_read_submit(request: Request, ctx: ContextDep, csrf: CsrfField) -> Response:
    check_form(request, ctx, csrf)
    notice_read_all(ctx)
    return RedirectResponse("/notices", status_code=303)
