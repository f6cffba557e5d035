"""Pages of connections and follows.

`/community/connections`: a picker of objective and region; with an objective, a table of
counts per continental region; with an objective and/or an area, a section per kind of
record (items, providers, organizations, requests, projects, events, pledges), each entry
linked to its page, and a Follow button. Objective pages link here as
`/community/connections?objective=N`.

`/community/follows`: what the signed-in person follows, with unfollow buttons, when their
last digest was sent and a preview of the next one. The forms (`POST /community/follows`,
`POST /community/follows/{id}/delete`) carry the session's CSRF token, call the same actions
as the API in a savepoint, and return (303) to the page they came from (`next`, a path of
this site only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.accounts.models import User
from gcmhub.community import connections, digests, follows
from gcmhub.community.connection_schemas import FollowWrite
from gcmhub.context import Context
from gcmhub.errors import GcmhubError, InvalidInput
from gcmhub.review.common import objectives
from gcmhub.taxonomy.actions import concept_list
from gcmhub.web.deps import ContextDep
from gcmhub.web.forms import attempt, login_redirect, only_parameters, validated
from gcmhub.web.i18n import N_
from gcmhub.web.session import CSRF_FIELD, check_form
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str, Form(alias=CSRF_FIELD)]
FormText = Annotated[str, Form(max_length=60)]

KIND_NAMES = {
    "items": N_("Knowledge items and practices"),
    "providers": N_("Providers of support"),
    "organizations": N_("Organizations"),
    "requests": N_("Requests for support"),
    "projects": N_("Fund projects"),
    "events": N_("Events"),
    "pledges": N_("Pledges"),
}
NEWS_NAMES = {  # digests.NEWS_KINDS, for the preview on the page
    "organization_approved": N_("New organization in the directory"),
    "item_added": N_("New on the knowledge platform"),
    "request_added": N_("New request for support"),
    "request_resolved": N_("Request resolved"),
    "project_funded": N_("New fund project"),
    "event_added": N_("New event"),
    "event_outcomes": N_("Event outcomes"),
    "pledge_made": N_("New pledge"),
    "pledge_update": N_("Pledge progress"),
}
DONE = {
    "followed": N_("You follow it now: news will come in your digest."),
    "unfollowed": N_("You no longer follow it."),
}
FOLLOWS = "/community/follows"
FollowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _back(target: str, fallback: str) -> str:
    """A path of this site to return to (never another site)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def _returned(path: str, done: str) -> str:
    """Where a form returns: the follows page says what was done; another page is left as is
    (it may refuse a parameter it does not know)."""
    return f"{FOLLOWS}?done={done}" if path == FOLLOWS else path


def _choices(ctx: Context) -> dict[str, Any]:
    return {
        "objective_choices": [(o.code, f"{o.code}. {o.label}") for o in objectives(ctx)],
        "region_choices": [(r.code, r.label) for r in concept_list(ctx, "region", limit=1000).data],
    }


# -- connections --------------------------------------------------------------------------------


@router.get("/community/connections")
def connections_page(
    request: Request, ctx: ContextDep, objective: str = "", area: str = ""
) -> Response:
    only_parameters(request, "objective", "area")
    objective, area = objective.strip()[:60], area.strip()[:60]
    page: dict[str, Any] = {"chosen": {"objective": objective, "area": area}, "kinds": KIND_NAMES}
    status = 200
    if objective or area:
        try:
            found = connections.connections(ctx, objective, area)
            page["found"] = found
            page["follow"] = follows.follow_context(ctx, objective or None, area or None)
            if found.objective is not None:
                page["regions"] = connections.region_counts(ctx, found.objective.code)
        except GcmhubError as refused:
            page["error"], status = str(refused), refused.status
    return render(
        request,
        "community_connections.html",
        status_code=status,
        active="community",
        labels=_detail_labels(),
        **page,
        **_choices(ctx),
    )


def _detail_labels() -> dict[str, str]:
    """The codes an entry's detail may hold (item types, kinds, states), marked for
    translation, so the page says "Policy option" and "In progress" rather than the codes."""
    from gcmhub.community.event_views import PLEDGE_STATUS_NAMES
    from gcmhub.community.views import KIND_NAMES
    from gcmhub.fund.views import PROJECT_STATUSES
    from gcmhub.hub.views import STATES
    from gcmhub.hub.vocabulary import PROVIDER_KINDS
    from gcmhub.knowledge.views import TYPES

    return {
        **TYPES,
        **PROVIDER_KINDS,
        **KIND_NAMES,
        **STATES,
        **PROJECT_STATUSES,
        **PLEDGE_STATUS_NAMES,
    }


# -- follows ------------------------------------------------------------------------------------


def _follows_page(
    request: Request, ctx: Context, error: str | None = None, status: int = 200
) -> Response:
    user_id = ctx.actor.user_id
    assert user_id is not None
    user = ctx.session.get(User, user_id)
    assert user is not None
    return render(
        request,
        "community_follows.html",
        status_code=status,
        active="community",
        follows=follows.follow_list(ctx),
        last=digests.digest_last(ctx, user_id),
        preview=digests.digest_compose(ctx, user),
        news_names=NEWS_NAMES,
        done=DONE.get(request.query_params.get("done", "")),
        error=error,
        csrf=getattr(request.state, "csrf", None),
        **_choices(ctx),
    )


@router.get(FOLLOWS)
def follows_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request, "done")
    if not ctx.actor.signed_in:
        return login_redirect(FOLLOWS)
    return _follows_page(request, ctx)


def _act(
    request: Request, ctx: Context, action: Callable[[], Any], done: str, back: str
) -> Response:
    """Run a follow action in a savepoint; a refusal comes back on the follows page."""
    try:
        attempt(ctx, action)
    except GcmhubError as refused:
        if not ctx.actor.signed_in:
            raise
        return _follows_page(request, ctx, str(refused), refused.status)
    return RedirectResponse(_returned(back, done), status_code=303)


@router.post(FOLLOWS, openapi_extra={"x-rule": "follow_create"})
def follow_submit(
    request: Request,
    ctx: ContextDep,
    csrf: CsrfField,
    objective: FormText = "",
    area: FormText = "",
    organization: Annotated[str, Form(max_length=12)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    check_form(request, ctx, csrf)
    back = _back(next, FOLLOWS)

    def follow() -> None:
        number = organization.strip()
        if number and not number.isdigit():
            raise InvalidInput("organization: an organization's number")
        data = validated(
            FollowWrite,
            {
                "objective": objective.strip() or None,
                "area": area.strip() or None,
                "organization": int(number) if number else None,
            },
        )
        follows.follow_create(ctx, data)

    return _act(request, ctx, follow, "followed", back)


@router.post(FOLLOWS + "/{follow_id}/delete", openapi_extra={"x-rule": "follow_delete"})
def follow_delete_submit(
    request: Request,
    ctx: ContextDep,
    follow_id: FollowId,
    csrf: CsrfField,
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    check_form(request, ctx, csrf)
    back = _back(next, FOLLOWS)
    return _act(request, ctx, lambda: follows.follow_delete(ctx, follow_id), "unfollowed", back)
