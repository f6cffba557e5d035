"""The pages where an organization's profile is kept current after registration.

`/community/organizations/N/edit` shows the profile in a form, prefilled, to whoever
registered the organization and to curators; sending it replaces the profile through the
same action as the API's PATCH (the rules of registration apply; an approved organization
stays approved and the curators are told). On the same page a button removes the named
contact person at once, when they withdraw their consent. Both forms post the session's CSRF
token; a refusal comes back on the page with what was typed, nothing changed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.auth import authorize
from gcmhub.community import organizations
from gcmhub.community.auth import OwnerScope
from gcmhub.community.message_views import CsrfField
from gcmhub.community.schemas import KINDS, OrganizationUpdate
from gcmhub.context import Context
from gcmhub.errors import GcmhubError
from gcmhub.taxonomy.actions import scheme_show
from gcmhub.web.deps import ContextDep
from gcmhub.web.forms import attempt, form_text, login_redirect, only_parameters, validated
from gcmhub.web.i18n import N_
from gcmhub.web.session import CSRF_FIELD, check_form
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)

KIND_NAMES = {
    "diaspora": N_("Diaspora or migrant association"),
    "civil-society": N_("Civil society organization"),
    "local-authority": N_("Local authority"),
    "trade-union": N_("Trade union"),
    "private-sector": N_("Private sector"),
    "academia": N_("Academia"),
    "nhri": N_("National human rights institution"),
    "un-entity": N_("UN entity"),
}
assert set(KIND_NAMES) == set(KINDS)
TEXTS = ("name", "kind", "description", "city", "offers", "seeks", "website", "contact_name")
LISTS = ("origin_countries", "residence_countries", "languages")
DONE = {
    "saved": N_("The profile is saved."),
    "withdrawn": N_("The contact person's name is removed."),
}


def _given(ctx: Context, organization_id: int) -> dict[str, Any]:
    """The stored profile as the form shows it."""
    shown = organizations.organization_show(ctx, organization_id)
    given: dict[str, Any] = {name: getattr(shown, name) or "" for name in TEXTS}
    for name in LISTS:
        given[name] = ", ".join(getattr(shown, name))
    given["objectives"] = [o.split(":", 1)[1] for o in shown.objectives]
    given["contact_consent"] = shown.contact_name is not None
    return given


def _edit_page(
    request: Request,
    ctx: Context,
    organization_id: int,
    given: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
    done: str | None = None,
) -> Response:
    row = organizations.organization_row(ctx, organization_id)
    authorize(ctx, "organization_update", OwnerScope(row.owner_id))
    return render(
        request,
        "community_profile_edit.html",
        status_code=status,
        active="community",
        organization=organizations.organization_show(ctx, organization_id),
        given=given if given is not None else _given(ctx, organization_id),
        error=error,
        done=DONE.get(done or ""),
        kinds=KIND_NAMES,
        objective_choices=[
            (o.code, f"{o.code}. {o.label}") for o in scheme_show(ctx, "objective").top_concepts
        ],
        csrf=getattr(request.state, "csrf", None),
    )


@router.get("/community/organizations/{organization_id}/edit")
def profile_edit_page(
    request: Request, ctx: ContextDep, organization_id: int, done: str | None = None
) -> Response:
    only_parameters(request, "done")
    if not ctx.actor.signed_in:
        return login_redirect(f"/community/organizations/{organization_id}/edit")
    return _edit_page(request, ctx, organization_id, done=done)


def _form_given(form: FormData) -> dict[str, Any]:
    given: dict[str, Any] = {name: form_text(form, name) for name in (*TEXTS, *LISTS)}
    given["objectives"] = [v for v in form.getlist("objectives") if isinstance(v, str)]
    given["contact_consent"] = bool(form.get("contact_consent"))
    return given


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _update(given: dict[str, Any]) -> OrganizationUpdate:
    """The whole form as a change to every field of the profile."""
    data: dict[str, Any] = {name: given[name] or None for name in ("city", "website")}
    data.update({name: given[name] for name in ("name", "kind", "description", "offers", "seeks")})
    data.update({name: _split(given[name]) for name in LISTS})
    data["objectives"] = given["objectives"]
    data["contact_name"] = given["contact_name"] or None
    data["contact_consent"] = given["contact_consent"]
    return validated(OrganizationUpdate, data)


def _save(request: Request, ctx: Context, organization_id: int, given: dict[str, Any]) -> Response:
    try:
        attempt(
            ctx, lambda: organizations.organization_update(ctx, organization_id, _update(given))
        )
    except GcmhubError as refused:
        if refused.status in (401, 403, 404):
            raise
        return _edit_page(request, ctx, organization_id, given, str(refused), refused.status)
    return RedirectResponse(
        f"/community/organizations/{organization_id}/edit?done=saved", status_code=303
    )


@router.post(
    "/community/organizations/{organization_id}/edit",
    openapi_extra={"x-rule": "organization_update"},
)
async def profile_edit_submit(request: Request, ctx: ContextDep, organization_id: int) -> Response:
    form = await request.form()
    token = form.get(CSRF_FIELD)
    check_form(request, ctx, token if isinstance(token, str) else "")
    return await run_in_threadpool(_save, request, ctx, organization_id, _form_given(form))


@router.post(
    "/community/organizations/{organization_id}/consent/withdraw",
    openapi_extra={"x-rule": "organization_consent_withdraw"},
)
def profile_withdraw_submit(
    request: Request, ctx: ContextDep, organization_id: int, csrf: CsrfField
) -> Response:
    check_form(request, ctx, csrf)
    try:
        attempt(ctx, lambda: organizations.organization_withdraw_consent(ctx, organization_id))
    except GcmhubError as refused:
        if refused.status in (401, 403, 404):
            raise
        return _edit_page(request, ctx, organization_id, None, str(refused), refused.status)
    return RedirectResponse(
        f"/community/organizations/{organization_id}/edit?done=withdrawn", status_code=303
    )
