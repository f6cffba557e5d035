"""The pages of messages between members: my messages, a thread, writing to an organization.

`/community/messages` lists what the reader received and sent; `/community/messages/N` shows
the thread (the message, what it answers and the replies), with a reply form and a report
form for the recipient. `/community/organizations/N/messages` is the page to write to an
organization (GET), and the target of every message form (POST).

The snippet contract: an organization's page includes
`community_message_form.html` with two variables, `organization` (an `OrganizationPublic`)
and `csrf` (the session's CSRF token, None for the public). The snippet shows the form to a
signed-in reader of an approved organization, "Sign in to write to this organization" to
the public, and a line saying messages wait for approval otherwise. It posts `subject`,
`body` and `csrf` here; the answer is a redirect (303) to the new message's thread, or this
module's writing page with the error and what was typed.

Every form calls the same action as the API in a savepoint: a refusal stores nothing and
sends no notice, and comes back on the page it was sent from.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.community import messages, organizations
from gcmhub.community.message_schemas import (
    BODY_MAX,
    SUBJECT_MAX,
    MessagePublic,
    MessageReport,
    MessageWrite,
    ReplyWrite,
)
from gcmhub.context import Context
from gcmhub.errors import GcmhubError
from gcmhub.web.deps import ContextDep
from gcmhub.web.forms import attempt, login_redirect, only_parameters, validated
from gcmhub.web.i18n import N_
from gcmhub.web.session import CSRF_FIELD, check_form
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str, Form(alias=CSRF_FIELD)]

# The message shown on a thread after a form on it went through.
DONE = {
    "sent": N_("Your message is sent. You will get a notice when they reply."),
    "replied": N_("Your reply is sent."),
    "reported": N_("The message is reported to the curators. The sender is not told."),
}


def _csrf(request: Request) -> str | None:
    return getattr(request.state, "csrf", None)


# -- My messages ------------------------------------------------------------------------------


@router.get("/community/messages")
def messages_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    if not ctx.actor.signed_in:
        return login_redirect("/community/messages")
    found = messages.message_list(ctx, limit=messages.LIST_MAX)
    return render(
        request,
        "community_messages.html",
        active="community",
        received=[m for m in found if m.direction == "received"],
        sent=[m for m in found if m.direction == "sent"],
    )


def _thread_page(
    request: Request,
    ctx: Context,
    message_id: int,
    error: str | None = None,
    status: int = 200,
    given: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    thread = messages.message_thread(ctx, message_id)
    shown: MessagePublic = next(m for m in thread if m.id == message_id)
    return render(
        request,
        "community_message.html",
        status_code=status,
        active="community",
        thread=thread,
        shown=shown,
        received=shown.direction == "received",
        error=error,
        given=given or {},
        done=DONE.get(done or ""),
        csrf=_csrf(request),
        body_max=BODY_MAX,
    )


@router.get("/community/messages/{message_id}")
def message_page(
    request: Request, ctx: ContextDep, message_id: int, done: str | None = None
) -> Response:
    only_parameters(request, "done")
    if not ctx.actor.signed_in:
        return login_redirect(f"/community/messages/{message_id}")
    return _thread_page(request, ctx, message_id, done=done)


@router.post("/community/messages/{message_id}/reply", openapi_extra={"x-rule": "message_reply"})
def message_reply_submit(
    request: Request,
    ctx: ContextDep,
    message_id: int,
    csrf: CsrfField,
    body: Annotated[str, Form()] = "",
) -> Response:
    check_form(request, ctx, csrf)
    try:
        made = attempt(
            ctx,
            lambda: messages.message_reply(ctx, message_id, validated(ReplyWrite, {"body": body})),
        )
    except GcmhubError as refused:
        if refused.status in (401, 403, 404):
            raise
        return _thread_page(request, ctx, message_id, str(refused), refused.status, {"body": body})
    return RedirectResponse(f"/community/messages/{made.id}?done=replied", status_code=303)


@router.post("/community/messages/{message_id}/report", openapi_extra={"x-rule": "message_report"})
def message_report_submit(
    request: Request,
    ctx: ContextDep,
    message_id: int,
    csrf: CsrfField,
    reason: Annotated[str, Form()] = "",
) -> Response:
    check_form(request, ctx, csrf)
    try:
        attempt(
            ctx,
            lambda: messages.message_report(
                ctx, message_id, validated(MessageReport, {"reason": reason})
            ),
        )
    except GcmhubError as refused:
        if refused.status in (401, 403, 404):
            raise
        return _thread_page(
            request, ctx, message_id, str(refused), refused.status, {"reason": reason}
        )
    return RedirectResponse(f"/community/messages/{message_id}?done=reported", status_code=303)


# -- Writing to an organization -----------------------------------------------------------------


def _write_page(
    request: Request,
    ctx: Context,
    organization_id: int,
    given: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "community_message_new.html",
        status_code=status,
        active="community",
        organization=organizations.organization_show(ctx, organization_id),
        given=given or {},
        error=error,
        csrf=_csrf(request),
        subject_max=SUBJECT_MAX,
        body_max=BODY_MAX,
    )


@router.get("/community/organizations/{organization_id}/messages")
def message_new_page(request: Request, ctx: ContextDep, organization_id: int) -> Response:
    only_parameters(request)
    return _write_page(request, ctx, organization_id)


@router.post(
    "/community/organizations/{organization_id}/messages",
    openapi_extra={"x-rule": "message_send"},
)
def message_new_submit(
    request: Request,
    ctx: ContextDep,
    organization_id: int,
    csrf: CsrfField,
    subject: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
) -> Response:
    check_form(request, ctx, csrf)
    given = {"subject": subject, "body": body}
    try:
        made = attempt(
            ctx,
            lambda: messages.message_send(ctx, organization_id, validated(MessageWrite, given)),
        )
    except GcmhubError as refused:
        if refused.status in (401, 403, 404):
            raise
        return _write_page(request, ctx, organization_id, given, str(refused), refused.status)
    return RedirectResponse(f"/community/messages/{made.id}?done=sent", status_code=303)
