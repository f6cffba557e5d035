"""The small helpers every part's pages share: query parameters, sign-in, forms, savepoints.

The hub, practices, review, fund and community pages all refuse query parameters they do not
know, send the public to sign in, run a form's action in a savepoint, read a form's fields,
say in one line what is wrong with a form and take a record's number from the address. They
do each the same way, so each is done here, once: a page module imports what it needs and
keeps no copy of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse

from gcmhub.context import Context
from gcmhub.errors import BadParameter, InvalidInput, NotFound
from gcmhub.web.deps import MAX_ID

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

ALWAYS_KNOWN = "lang"  # every page takes the language it is shown in


def only_parameters(request: Request, *names: str) -> None:
    """Refuse a query parameter the page does not know (a typo never silently widens a list).

    `names` are the page's own parameters; "lang" is always known.
    """
    known = {*names, ALWAYS_KNOWN}
    for name in request.query_params:
        if name not in known:
            raise BadParameter(
                name, f"unknown parameter '{name}'; parameters: {', '.join(sorted(known))}"
            )


def login_redirect(path: str) -> RedirectResponse:
    """Send the public to sign in, and back to `path` afterwards (303)."""
    return RedirectResponse(f"/login?{urlencode({'next': path})}", status_code=303)


def attempt(ctx: Context, action: Callable[[], T]) -> T:
    """Run an action in a savepoint: when it is refused, nothing is stored and nothing sent.

    The emails the action queued in the outbox are dropped with its changes.
    """
    queued = len(ctx.outbox)
    try:
        with ctx.session.begin_nested():
            return action()
    except BaseException:
        del ctx.outbox[queued:]
        raise


def invalid_message(error: ValidationError) -> str:
    """What is wrong with a form, in one line naming the first field at fault."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "form"
    return f"{where}: {first['msg']}"


def validated(model: type[M], data: dict[str, Any]) -> M:
    """A form's fields as the API's input, or InvalidInput (422) naming the first field."""
    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        raise InvalidInput(invalid_message(invalid)) from None


def form_text(form: FormData, name: str) -> str:
    """A text field of a form, stripped; "" when it is missing or a file."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def record_id(value: str, what: str) -> int:
    """A record's number from the address; anything but 1 to MAX_ID does not exist (404)."""
    digits = value.isascii() and value.isdigit() and len(value) <= len(str(MAX_ID))
    if not digits or not 0 < int(value) <= MAX_ID:
        raise NotFound(f"no {what} {value[:20]}")
    return int(value)
