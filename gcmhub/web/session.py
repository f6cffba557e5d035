"""Who is asking: an API token, a signed-in browser, or the public; CSRF for forms."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.accounts.actions import session_actor, token_actor
from gcmhub.context import PUBLIC, Context
from gcmhub.errors import Forbidden, Unauthorized
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings
from gcmhub.web.limits import WRITES

SESSION_COOKIE = "gcmhub_session"
CSRF_COOKIE = "gcmhub_csrf"
CSRF_FIELD = "csrf"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        return None
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send an API token as 'Authorization: Bearer gcm_…'")
    return token.strip()


def request_context(request: Request) -> Iterator[Context]:
    """Yield a context acting as whoever made the request, in one transaction.

    An API token (Authorization: Bearer) wins; else a session cookie; else the public. A
    bad or expired token is refused (401) rather than treated as the public.
    """
    with open_context(PUBLIC) as ctx:
        token = _bearer(request)
        if token is not None:
            ctx.actor = token_actor(ctx, token)
            request.state.via = "token"
        elif secret := request.cookies.get(SESSION_COOKIE):
            found = session_actor(ctx, secret)
            if found is not None:
                ctx.actor, request.state.csrf = found
                request.state.via = "session"
        request.state.actor = ctx.actor
        yield ctx


ContextDep = Annotated[Context, Depends(request_context)]


def require_token(request: Request, ctx: Context) -> None:
    """Refuse an API write made with a browser session: the API is written with tokens.

    This keeps cross-site requests riding on a cookie away from the API (no CSRF there).
    """
    if getattr(request.state, "via", None) != "token":
        raise Unauthorized("API writes need a token: 'Authorization: Bearer gcm_…' (see /account)")
    _count_write(request, ctx)


def check_form(request: Request, ctx: Context, token: str) -> None:
    """Refuse a form whose CSRF token does not match the session's (or the login cookie's)."""
    expected = getattr(request.state, "csrf", None) or request.cookies.get(CSRF_COOKIE)
    if not expected or not token or not hmac.compare_digest(expected, token):
        raise Forbidden("the form expired or did not come from this site; reload it and retry")
    _count_write(request, ctx)


def _count_write(request: Request, ctx: Context) -> None:
    who = ctx.actor.name if ctx.actor.signed_in else f"ip:{_client(request)}"
    WRITES.hit(who, get_settings().write_rate, "changes")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def client_address(request: Request) -> str:
    """Return the address a request came from (after the proxy, with --proxy-headers)."""
    return _client(request)


def set_session_cookie(request: Request, response: Response, secret: str | None) -> None:
    """Set (or, with None, clear) the session cookie: HttpOnly, SameSite=Lax, Secure on HTTPS."""
    if secret is None:
        response.delete_cookie(SESSION_COOKIE, path="/")
        return
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=get_settings().session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
