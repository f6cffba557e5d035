"""Server-rendered pages: one Jinja environment, translated per request."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from gcmhub.context import PUBLIC
from gcmhub.web.i18n import COOKIE, direction, locale_of, negotiate, offered, translations

TEMPLATES = Path(__file__).parent / "templates"
PART_TEMPLATES = [
    Path(__file__).parent.parent / part / "templates"
    for part in (
        "knowledge",
        "taxonomy",
        "accounts",
        "practices",
        "hub",
        "fund",
        "indicators",
        "review",
        "community",
    )
]


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Return the Jinja environment: every part's templates, autoescaped, with gettext."""
    env = Environment(
        loader=FileSystemLoader([TEMPLATES, *PART_TEMPLATES]),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    return env


def _with_query(request: Request, **changes: str | int | None) -> str:
    """Return the current path with some query parameters set, or removed when None."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    params += [(k, str(v)) for k, v in changes.items() if v not in (None, "")]
    return request.url.path + ("?" + urlencode(params) if params else "")


def _toggled(request: Request, name: str, value: str) -> str:
    """Return the current path with one filter value added, or removed if present (page 1)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    if (name, value) in params:
        params.remove((name, value))
    else:
        params.append((name, value))
    return request.url.path + ("?" + urlencode(params) if params else "")


def _unread_notices(request: Request) -> int:
    """Count the signed-in reader's unread notices, for the header (0 when it cannot tell)."""
    actor = getattr(request.state, "actor", PUBLIC)
    if not actor.signed_in:
        return 0
    from sqlalchemy.exc import SQLAlchemyError

    from gcmhub.accounts.notices import notice_unread
    from gcmhub.runtime import open_context

    try:
        with open_context(actor) as ctx:
            return notice_unread(ctx)
    except SQLAlchemyError:
        return 0


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page in the request's language; remember an explicit ?lang= in a cookie."""
    code = negotiate(request)
    catalog = translations(code)
    locale = locale_of(code)

    def number(value: float | int) -> str:
        return format_decimal(value, locale=locale)

    def percent(value: float) -> str:
        return format_percent(value, locale=locale)

    def day(value: date | datetime | None) -> str:
        return "" if value is None else format_date(value, format="medium", locale=locale)

    def language_name(code: str | None) -> str:
        if not code:
            return ""
        try:
            return locale.languages.get(code) or code
        except (AttributeError, KeyError):
            return code

    languages = [(c, locale_of(c).get_display_name(c) or c) for c in offered()]
    page = (
        environment()
        .get_template(template)
        .render(
            request=request,
            lang=code,
            dir=direction(code),
            languages=languages,
            gettext=catalog.gettext,
            ngettext=catalog.ngettext,
            _=catalog.gettext,
            number=number,
            percent=percent,
            day=day,
            language_name=language_name,
            actor=getattr(request.state, "actor", PUBLIC),
            session_csrf=getattr(request.state, "csrf", None),
            unread_notices=lambda: _unread_notices(request),
            with_query=lambda **changes: _with_query(request, **changes),
            toggled=lambda name, value: _toggled(request, name, value),
            **context,
        )
    )
    response = HTMLResponse(page, status_code=status_code)
    response.headers["Content-Language"] = code
    response.headers["Vary"] = "Accept-Language, Cookie"
    chosen = request.query_params.get(COOKIE)
    if chosen == code:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
    return response
