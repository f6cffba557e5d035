"""Pages for people with accounts: sign in and out, my account and tokens, the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.accounts import actions
from gcmhub.accounts.audit import AUDIT, audit_list, audit_stream
from gcmhub.accounts.passwords import new_secret
from gcmhub.accounts.schemas import TokenRequest
from gcmhub.errors import GcmhubError, Unauthorized
from gcmhub.settings import get_settings
from gcmhub.web.deps import ContextDep
from gcmhub.web.limits import LOGINS
from gcmhub.web.responses import download
from gcmhub.web.session import (
    CSRF_COOKIE,
    CSRF_FIELD,
    check_form,
    client_address,
    set_session_cookie,
)
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str, Form(alias=CSRF_FIELD)]


def _local(target: str | None) -> str:
    """Return a path on this site to go back to, never another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/account"


def _login_page(request: Request, status: int = 200, error: str | None = None) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or new_secret()
    response = render(
        request,
        "login.html",
        status_code=status,
        csrf=token,
        error=error,
        next=_local(request.query_params.get("next")),
    )
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


@router.get("/login")
def login_page(request: Request) -> Response:
    return _login_page(request)


@router.post("/login", openapi_extra={"x-rule": "session_open"})
def login_submit(
    request: Request,
    ctx: ContextDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf: CsrfField,
    next: Annotated[str, Form(max_length=500)] = "/account",
) -> Response:
    check_form(request, ctx, csrf)
    LOGINS.hit(client_address(request), get_settings().login_rate, "sign-in attempts")
    try:
        secret, _ = actions.login(ctx, username, password)
    except Unauthorized as refusal:
        ctx.session.commit()  # the count of wrong passwords must stick
        return _login_page(request, 401, str(refusal))
    response = RedirectResponse(_local(next), status_code=303)
    set_session_cookie(request, response, secret)
    return response


@router.post("/logout", openapi_extra={"x-rule": "session_close"})
def logout(request: Request, ctx: ContextDep, csrf: CsrfField) -> Response:
    check_form(request, ctx, csrf)
    secret = request.cookies.get("gcmhub_session")
    if secret:
        actions.logout(ctx, secret)
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(request, response, None)
    return response


@router.get("/account")
def account_page(request: Request, ctx: ContextDep, made: str | None = None) -> Response:
    if not ctx.actor.signed_in:
        return RedirectResponse("/login?next=/account", status_code=303)
    data = actions.personal_data_export(ctx, ctx.actor.name)
    return render(
        request,
        "account.html",
        active="account",
        data=data,
        csrf=request.state.csrf,
        made=made,
    )


@router.post("/account/tokens", openapi_extra={"x-rule": "token_create"})
def token_create(
    request: Request,
    ctx: ContextDep,
    csrf: CsrfField,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    days: Annotated[int, Form(ge=1, le=365)] = 90,
    write: Annotated[bool, Form()] = False,
) -> Response:
    check_form(request, ctx, csrf)
    if not ctx.actor.signed_in:
        raise Unauthorized("sign in to make a token")
    scopes = ["read", "write"] if write else ["read"]
    made = actions.token_create(
        ctx, ctx.actor.name, TokenRequest(name=name, scopes=scopes, days=days)
    )
    data = actions.personal_data_export(ctx, ctx.actor.name)
    return render(
        request,
        "account.html",
        active="account",
        data=data,
        csrf=request.state.csrf,
        made=made.token,
    )


@router.post("/account/tokens/{token_id}/revoke", openapi_extra={"x-rule": "token_revoke"})
def token_revoke(request: Request, ctx: ContextDep, token_id: int, csrf: CsrfField) -> Response:
    check_form(request, ctx, csrf)
    actions.token_revoke(ctx, token_id)
    return RedirectResponse("/account", status_code=303)


@router.get("/account/data.json")
def account_data(request: Request, ctx: ContextDep) -> Response:
    if not ctx.actor.signed_in:
        raise Unauthorized("sign in to download your data")
    data = actions.personal_data_export(ctx, ctx.actor.name)
    return Response(
        data.model_dump_json(indent=2),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-gcmhub-data.json"'},
    )


@router.post("/account/delete", openapi_extra={"x-rule": "personal_data_delete"})
def account_delete(
    request: Request, ctx: ContextDep, csrf: CsrfField, confirm: Annotated[str, Form()] = ""
) -> Response:
    check_form(request, ctx, csrf)
    if not ctx.actor.signed_in:
        raise Unauthorized("sign in to delete your data")
    if confirm.strip().lower() != ctx.actor.name:
        raise GcmhubError("type your username to confirm the deletion")
    actions.personal_data_delete(ctx, ctx.actor.name)
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(request, response, None)
    return response


@router.get("/audit")
def audit_page(
    request: Request, ctx: ContextDep, cursor: Annotated[str | None, Query()] = None
) -> Response:
    if not ctx.actor.signed_in:
        return RedirectResponse("/login?next=/audit", status_code=303)
    return render(request, "audit.html", active="audit", page=audit_list(ctx, cursor, 100))


@router.get("/audit.csv")
def audit_csv(ctx: ContextDep) -> Response:
    audit_list(ctx, None, 1)  # checks the reader may see the trail before streaming
    return download(AUDIT, audit_stream(ctx.actor), "csv")
