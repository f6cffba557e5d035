"""The community's pages: the directory of organizations and consultations, for people.

`/community` (what the community is, with its counts and its parts), the directory
(`/community/organizations`, filtered by kind, country, objective and language), an
organization's profile, the registration form and the curators' queue of organizations to
review; consultations (`/community/consultations`), a consultation with its numbered questions
and contributions (a form to contribute while it is open, moderation and abuse reports), the
summary of a closed one, and the curators' form to open one.

Every form posts with the session's CSRF token and calls the same action as the API
(gcmhub/community/organizations.py, consultations.py) in a savepoint: a refusal (a closed
consultation's 409, a burst's 429, a missing reason) leaves nothing stored and comes back as a
message on the page it was sent from, with what was typed kept. Success redirects (303).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.accounts.models import User
from gcmhub.auth import allowed, authorize
from gcmhub.community import consultations, organizations
from gcmhub.community.auth import ModeratorScope, OwnerScope
from gcmhub.community.follows import follow_context
from gcmhub.community.models import Consultation, Contribution, Organization
from gcmhub.community.schemas import (
    KINDS,
    ConsultationWrite,
    ContributionPublic,
    ContributionWrite,
    ModerationWrite,
    OrganizationPublic,
    OrganizationReview,
    OrganizationWrite,
    ReportWrite,
)
from gcmhub.context import Context
from gcmhub.errors import BadParameter, GcmhubError, InvalidInput, NotFound
from gcmhub.hub.vocabulary import LANGUAGES
from gcmhub.review.common import country_name
from gcmhub.taxonomy.actions import scheme_show
from gcmhub.web.deps import ContextDep
from gcmhub.web.forms import (
    attempt,
    form_text,
    invalid_message,
    login_redirect,
    only_parameters,
    record_id,
)
from gcmhub.web.i18n import N_
from gcmhub.web.session import CSRF_FIELD, check_form
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str, Form(alias=CSRF_FIELD)]
Reason = Annotated[str, Form(max_length=2000)]

KIND_NAMES = {  # schemas.KINDS, marked for translation
    "diaspora": N_("Diaspora or migrant association"),
    "civil-society": N_("Civil society organization"),
    "local-authority": N_("Local authority"),
    "trade-union": N_("Trade union"),
    "private-sector": N_("Private sector"),
    "academia": N_("Academia"),
    "nhri": N_("National human rights institution"),
    "un-entity": N_("UN entity"),
}
STATES = {"open": N_("Open"), "upcoming": N_("Upcoming"), "closed": N_("Closed")}
ORGANIZATION_STATUSES = {
    "pending": N_("Pending: a curator will review it"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}
CONTRIBUTION_STATUSES = {
    "visible": N_("Visible"),
    "flagged": N_("Flagged by the moderator"),
    "hidden": N_("Hidden from the public"),
}
MODERATION_ACTIONS = {
    "hide": N_("Hide"),
    "flag": N_("Flag"),
    "restore": N_("Restore"),
    "report": N_("Abuse report"),
}
# The message shown after a form went through.
DONE = {
    "registered": N_(
        "Pending: a curator will review it. The organization is public once approved; "
        "you get a notice with the decision."
    ),
    "approved": N_("The organization is approved: it is now in the public directory."),
    "rejected": N_("The organization is rejected; the note is sent to who registered it."),
    "contributed": N_("Your contribution is posted."),
    "moderated": N_("The moderation is saved, with its reason on record."),
    "reported": N_("Thank you: the report is sent to the curators and the moderator."),
}
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


# -- helpers ------------------------------------------------------------------------------------


def _values(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def _list(value: str) -> list[str]:
    """Names or codes typed with commas (or semicolons) between them."""
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _objectives(ctx: Context) -> dict[str, tuple[str, str]]:
    """The 23 objectives by concept id ("objective:19"): (number, "number. title")."""
    return {
        o.id: (o.code, f"{o.code}. {o.label}") for o in scheme_show(ctx, "objective").top_concepts
    }


def _countries(ctx: Context, codes: set[str]) -> dict[str, str]:
    """Country names by ISO3 code."""
    return {code: country_name(ctx, code) for code in codes}


def _csrf(request: Request) -> str | None:
    return getattr(request.state, "csrf", None)


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        active="community",
        kind_names=KIND_NAMES,
        states=STATES,
        work_languages=LANGUAGES,
        csrf=_csrf(request),
        **context,
    )


# Organizations, events and pledges whose names start so are the demonstration's
# (gcmhub/demo/data/community_demo.json).
DEMONSTRATION = "Demonstration"


# -- the community's home -----------------------------------------------------------------------


@router.get("/community")
def community_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    found = organizations.organization_list(ctx)
    kinds = Counter(o.kind for o in found)
    every = consultations.consultation_list(ctx)
    return _page(
        request,
        "community.html",
        total=len(found),
        kinds=[(kind, kinds[kind]) for kind in KINDS],
        open_consultations=[c for c in every if c.state == "open"],
        upcoming=sum(1 for c in every if c.state == "upcoming"),
        may_review=allowed(ctx.actor, "organization_review"),
        demonstration=any(o.name.startswith(DEMONSTRATION) for o in found),
    )


# -- the directory ------------------------------------------------------------------------------


@router.get("/community/organizations")
def organizations_page(
    request: Request,
    ctx: ContextDep,
    kind: str = "",
    country: str = "",
    objective: str = "",
    language: str = "",
) -> Response:
    only_parameters(request, "kind", "country", "objective", "language")
    if kind and kind not in KINDS:
        raise BadParameter("kind", f"kind: one of {', '.join(KINDS)}")
    if language and not LANGUAGE_CODE.fullmatch(language):
        raise BadParameter("language", "language: an ISO 639 code (en, fr, ar…)")
    if len(country) > 60 or len(objective) > 60:
        raise BadParameter("country" if len(country) > 60 else "objective", "too long")
    every = organizations.organization_list(ctx)
    found = organizations.organization_list(
        ctx, kind or None, country or None, objective or None, language=language or None
    )
    places = {c for o in every for c in (*o.origin_countries, *o.residence_countries)}
    names = _countries(ctx, places)
    chosen = {"kind": kind, "country": country, "objective": objective, "language": language}
    download = urlencode([(k, v) for k, v in chosen.items() if v])
    return _page(
        request,
        "community_organizations.html",
        found=found,
        chosen=chosen,
        country_names=names,
        country_choices=sorted(names.items(), key=lambda pair: pair[1]),
        language_choices=sorted({code for o in every for code in o.languages}),
        objective_names=_objectives(ctx),
        download="/api/v1/community/organizations?" + (download + "&" if download else ""),
        pending=len(organizations.organization_list(ctx, status="pending"))
        if allowed(ctx.actor, "organization_review")
        else None,
        may_register=ctx.actor.signed_in,
    )


# -- registering an organization ----------------------------------------------------------------

ORGANIZATION_FIELDS = (
    "name",
    "kind",
    "description",
    "origin_countries",
    "residence_countries",
    "city",
    "other_languages",
    "offers",
    "seeks",
    "website",
    "contact_name",
)


def _organization_form(
    request: Request,
    ctx: Context,
    given: dict[str, Any],
    error: str | None = None,
    status: int = 200,
) -> Response:
    return _page(
        request,
        "community_organization_form.html",
        status_code=status,
        given=given,
        error=error,
        objective_names=_objectives(ctx),
    )


@router.get("/community/organizations/new")
def organization_new_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    if not ctx.actor.signed_in:
        return login_redirect("/community/organizations/new")
    given: dict[str, Any] = {"objectives": [], "languages": [], "kind": ""}
    if ctx.actor.organization:
        given["name"] = ctx.actor.organization
    return _organization_form(request, ctx, given)


def _organization_given(form: FormData) -> dict[str, Any]:
    given: dict[str, Any] = {name: form_text(form, name) for name in ORGANIZATION_FIELDS}
    given["objectives"] = _values(form, "objectives")
    given["languages"] = _values(form, "languages")
    given["contact_consent"] = bool(form.get("contact_consent"))
    return given


def _organization_data(given: dict[str, Any]) -> dict[str, Any]:
    """What the form says, as OrganizationWrite reads it."""
    languages = [*given["languages"], *(c.lower() for c in _list(given["other_languages"]))]
    return {
        "name": given["name"],
        "kind": given["kind"],
        "description": given["description"],
        "origin_countries": _list(given["origin_countries"]),
        "residence_countries": _list(given["residence_countries"]),
        "city": given["city"] or None,
        "objectives": given["objectives"],
        "languages": languages,
        "offers": given["offers"],
        "seeks": given["seeks"],
        "website": given["website"] or None,
        "contact_name": given["contact_name"] or None,
        "contact_consent": given["contact_consent"],
    }


def _organization_create(request: Request, ctx: Context, given: dict[str, Any]) -> Response:
    try:
        made = attempt(
            ctx,
            lambda: organizations.organization_register(
                ctx, OrganizationWrite.model_validate(_organization_data(given))
            ),
        )
    except ValidationError as invalid:
        return _organization_form(request, ctx, given, invalid_message(invalid), 422)
    except GcmhubError as refused:
        return _organization_form(request, ctx, given, str(refused), refused.status)
    return RedirectResponse(f"/community/organizations/{made.id}?done=registered", status_code=303)


@router.post("/community/organizations/new", openapi_extra={"x-rule": "organization_register"})
async def organization_new_submit(request: Request, ctx: ContextDep) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    return await run_in_threadpool(_organization_create, request, ctx, _organization_given(form))


# -- the curators' queue ------------------------------------------------------------------------


def _pending_page(
    request: Request,
    ctx: Context,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    found = organizations.organization_list(ctx, status="pending")
    places = {c for o in found for c in (*o.origin_countries, *o.residence_countries)}
    return _page(
        request,
        "community_organizations_pending.html",
        status_code=status,
        found=found,
        country_names=_countries(ctx, places),
        objective_names=_objectives(ctx),
        done=DONE.get(done or ""),
        error=error,
    )


@router.get("/community/organizations/pending")
def organizations_pending_page(request: Request, ctx: ContextDep, done: str = "") -> Response:
    only_parameters(request, "done")
    if not ctx.actor.signed_in:
        return login_redirect("/community/organizations/pending")
    return _pending_page(request, ctx, done)


def _review(ctx: Context, organization_id: int, decision: str, note: str) -> OrganizationPublic:
    """Approve or reject; a rejection says why (the note reaches who registered it)."""
    data = OrganizationReview.model_validate({"decision": decision, "note": note})
    if data.decision == "rejected" and not data.note.strip():
        authorize(ctx, "organization_review")  # who may not review hears that first
        raise InvalidInput("note: say why the organization is rejected")
    return organizations.organization_review(ctx, organization_id, data)


@router.post(
    "/community/organizations/{organization_id}/review",
    openapi_extra={"x-rule": "organization_review"},
)
def organization_review_submit(
    request: Request,
    ctx: ContextDep,
    organization_id: str,
    csrf: CsrfField,
    decision: Annotated[str, Form(max_length=20)] = "",
    note: Reason = "",
) -> Response:
    check_form(request, ctx, csrf)
    number = record_id(organization_id, "organization")
    try:
        made = attempt(ctx, lambda: _review(ctx, number, decision, note))
    except ValidationError as invalid:
        return _pending_page(request, ctx, error=invalid_message(invalid), status=422)
    except NotFound:
        raise
    except GcmhubError as refused:
        return _pending_page(request, ctx, error=str(refused), status=refused.status)
    return RedirectResponse(f"/community/organizations/pending?done={made.status}", status_code=303)


# -- an organization's profile ------------------------------------------------------------------


def _reachable(ctx: Context, row: Organization) -> bool:
    """Whether a message to the organization reaches someone (gcmhub/community/messages.py)."""
    owner = ctx.session.get(User, row.owner_id) if row.owner_id else None
    return row.status == "approved" and owner is not None and owner.active


@router.get("/community/organizations/{organization_id}")
def organization_page(
    request: Request, ctx: ContextDep, organization_id: str, done: str = ""
) -> Response:
    only_parameters(request, "done")
    number = record_id(organization_id, "organization")
    shown = organizations.organization_show(ctx, number)
    row = ctx.session.get(Organization, number)
    assert row is not None  # organization_show found it
    return _page(
        request,
        "community_organization.html",
        o=shown,
        organization=shown,
        statuses=ORGANIZATION_STATUSES,
        review_note=row.review_note if shown.status != "approved" else "",
        country_names=_countries(ctx, {*shown.origin_countries, *shown.residence_countries}),
        objective_names=_objectives(ctx),
        may_edit=allowed(ctx.actor, "organization_update", OwnerScope(row.owner_id)),
        may_review=allowed(ctx.actor, "organization_review") and shown.status == "pending",
        # Only an approved organization is followed, or written to when an active account
        # receives its messages (the demo's organizations have none).
        follow=follow_context(ctx, organization_id=number) if shown.status == "approved" else None,
        reachable=_reachable(ctx, row),
        done=DONE.get(done),
    )


# -- consultations ------------------------------------------------------------------------------


@router.get("/community/consultations")
def consultations_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    every = consultations.consultation_list(ctx)
    return _page(
        request,
        "community_consultations.html",
        groups=[(state, [c for c in every if c.state == state]) for state in STATES],
        may_open=allowed(ctx.actor, "consultation_create"),
    )


CONSULTATION_FIELDS = (
    "title",
    "description",
    "questions",
    "moderator",
    "audience",
    "opens_on",
    "closes_on",
)


def _consultation_form(
    request: Request, given: dict[str, Any], error: str | None = None, status: int = 200
) -> Response:
    return _page(
        request,
        "community_consultation_form.html",
        status_code=status,
        given=given,
        error=error,
    )


@router.get("/community/consultations/new")
def consultation_new_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    if not ctx.actor.signed_in:
        return login_redirect("/community/consultations/new")
    authorize(ctx, "consultation_create")
    return _consultation_form(request, {"languages": []})


def _consultation_create(request: Request, ctx: Context, given: dict[str, Any]) -> Response:
    data = {
        "title": given["title"],
        "description": given["description"],
        "questions": [q.strip() for q in given["questions"].splitlines() if q.strip()],
        "moderator": given["moderator"] or None,
        "audience": given["audience"],
        "languages": given["languages"],
        "opens_on": given["opens_on"] or None,
        "closes_on": given["closes_on"] or None,
    }
    try:
        made = attempt(
            ctx,
            lambda: consultations.consultation_create(ctx, ConsultationWrite.model_validate(data)),
        )
    except ValidationError as invalid:
        return _consultation_form(request, given, invalid_message(invalid), 422)
    except GcmhubError as refused:
        return _consultation_form(request, given, str(refused), refused.status)
    return RedirectResponse(f"/community/consultations/{made.id}", status_code=303)


@router.post("/community/consultations/new", openapi_extra={"x-rule": "consultation_create"})
async def consultation_new_submit(request: Request, ctx: ContextDep) -> Response:
    form = await request.form()
    check_form(request, ctx, form_text(form, CSRF_FIELD))
    given: dict[str, Any] = {name: form_text(form, name) for name in CONSULTATION_FIELDS}
    given["languages"] = _values(form, "languages")
    return await run_in_threadpool(_consultation_create, request, ctx, given)


def _consultation_page(
    request: Request,
    ctx: Context,
    consultation_id: int,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
    given: dict[str, Any] | None = None,
) -> Response:
    shown = consultations.consultation_show(ctx, consultation_id)
    row = ctx.session.get(Consultation, consultation_id)
    assert row is not None  # consultation_show found it
    found = consultations.contribution_list(ctx, consultation_id)
    by_question: dict[int, list[ContributionPublic]] = {}
    for contribution in found:
        by_question.setdefault(contribution.question, []).append(contribution)
    return _page(
        request,
        "community_consultation.html",
        status_code=status,
        c=shown,
        by_question=by_question,
        moderates=allowed(ctx.actor, "contribution_moderate", ModeratorScope(row.moderator_id)),
        contribution_statuses=CONTRIBUTION_STATUSES,
        moderation_actions=MODERATION_ACTIONS,
        done=DONE.get(done or ""),
        error=error,
        error_status=status,
        given=given or {},
    )


@router.get("/community/consultations/{consultation_id}")
def consultation_page(
    request: Request, ctx: ContextDep, consultation_id: str, done: str = ""
) -> Response:
    only_parameters(request, "done")
    return _consultation_page(request, ctx, record_id(consultation_id, "consultation"), done)


def _act(
    request: Request,
    ctx: Context,
    consultation_id: int,
    done: str,
    action: Callable[[], Any],
    given: dict[str, Any] | None = None,
    anchor: str = "",
) -> Response:
    """Run a consultation page's form; a refusal shows on the page, with nothing stored."""
    try:
        attempt(ctx, action)
    except ValidationError as invalid:
        return _consultation_page(
            request, ctx, consultation_id, error=invalid_message(invalid), status=422, given=given
        )
    except NotFound:
        raise
    except GcmhubError as refused:
        return _consultation_page(
            request, ctx, consultation_id, error=str(refused), status=refused.status, given=given
        )
    return RedirectResponse(
        f"/community/consultations/{consultation_id}?done={done}{anchor}", status_code=303
    )


@router.post(
    "/community/consultations/{consultation_id}/contributions",
    openapi_extra={"x-rule": "contribution_create"},
)
def contribution_submit(
    request: Request,
    ctx: ContextDep,
    consultation_id: str,
    csrf: CsrfField,
    question: Annotated[str, Form(max_length=10)] = "",
    text: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    check_form(request, ctx, csrf)
    number = record_id(consultation_id, "consultation")
    given = {"question": question, "text": text}
    return _act(
        request,
        ctx,
        number,
        "contributed",
        lambda: consultations.contribution_create(
            ctx, number, ContributionWrite.model_validate(given)
        ),
        given,
    )


def _consultation_of(ctx: Context, contribution_id: str) -> tuple[int, int]:
    """A contribution's number and its consultation's (404 when there is none)."""
    number = record_id(contribution_id, "contribution")
    row = ctx.session.get(Contribution, number)
    if row is None:
        raise NotFound(f"no contribution {number}")
    return number, row.consultation_id


@router.post(
    "/community/contributions/{contribution_id}/moderation",
    openapi_extra={"x-rule": "contribution_moderate"},
)
def contribution_moderate_submit(
    request: Request,
    ctx: ContextDep,
    contribution_id: str,
    csrf: CsrfField,
    action: Annotated[str, Form(max_length=20)] = "",
    reason: Reason = "",
) -> Response:
    check_form(request, ctx, csrf)
    number, consultation_id = _consultation_of(ctx, contribution_id)
    return _act(
        request,
        ctx,
        consultation_id,
        "moderated",
        lambda: consultations.contribution_moderate(
            ctx, number, ModerationWrite.model_validate({"action": action, "reason": reason})
        ),
        anchor=f"#contribution-{number}",
    )


@router.post(
    "/community/contributions/{contribution_id}/report",
    openapi_extra={"x-rule": "contribution_report"},
)
def contribution_report_submit(
    request: Request,
    ctx: ContextDep,
    contribution_id: str,
    csrf: CsrfField,
    reason: Reason = "",
) -> Response:
    check_form(request, ctx, csrf)
    number, consultation_id = _consultation_of(ctx, contribution_id)
    return _act(
        request,
        ctx,
        consultation_id,
        "reported",
        lambda: consultations.contribution_report(
            ctx, number, ReportWrite.model_validate({"reason": reason})
        ),
        anchor=f"#contribution-{number}",
    )


@router.get("/community/consultations/{consultation_id}/summary")
def consultation_summary_page(request: Request, ctx: ContextDep, consultation_id: str) -> Response:
    only_parameters(request)
    number = record_id(consultation_id, "consultation")
    summary = consultations.consultation_summary(ctx, number)
    return _page(
        request,
        "community_consultation_summary.html",
        s=summary,
        objective_names=_objectives(ctx),
    )
