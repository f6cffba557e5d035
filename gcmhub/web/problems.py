"""Errors as RFC 9457 problem JSON for the API and as friendly pages for people."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gcmhub.errors import (
    BadParameter,
    GcmhubError,
    TooManyRequests,
    TransitionRefused,
    Unauthorized,
)
from gcmhub.web.i18n import N_

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
TITLES = {  # shown translated on error pages; English in problem JSON
    400: N_("Bad request"),
    401: N_("Sign-in needed"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Content too large"),
    414: N_("URI too long"),
    422: N_("Invalid input"),
    429: N_("Too many requests"),
    500: N_("Internal server error"),
}


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong, and the parameter at fault when there is one."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    parameter: str | None = None
    allowed: list[str] | None = None  # a refused workflow step: the steps allowed instead


PROBLEM_SCHEMA = Problem.model_json_schema()
# Every API operation documents its refusals as problem JSON (FastAPI would otherwise list a
# 422 with its own validation shape, which this application never sends).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": TITLES[code], "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}}}
    for code in (400, 401, 403, 404, 409, 413, 414, 422, 429)
}


def problem(status: int, detail: str, instance: str | None = None, **extra: Any) -> JSONResponse:
    """Return a problem response: type, title, status, detail, instance and any extra members."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, N_("Error")),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def wants_json(request: Request) -> bool:
    """Whether an error should be answered with JSON rather than a page."""
    if request.url.path.startswith("/api/") or request.url.path.endswith(".jsonld"):
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "text/html" not in accept


def _answer(request: Request, status: int, detail: str, **extra: Any) -> Response:
    if wants_json(request):
        return problem(status, detail, request.url.path, **extra)
    from gcmhub.web.templating import render

    return render(
        request,
        "error.html",
        status_code=status,
        status=status,
        title=TITLES.get(status, N_("Error")),
        detail=detail,
    )


async def _refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, GcmhubError)
    extra: dict[str, Any] = {}
    if isinstance(error, BadParameter):
        extra["parameter"] = error.parameter
    if isinstance(error, TransitionRefused):
        extra["allowed"] = error.allowed
    response = _answer(request, error.status, str(error), **extra)
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthorized) and wants_json(request):
        response.headers["WWW-Authenticate"] = 'Bearer realm="gcmhub"'
    return response


async def _http(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    detail = error.detail if isinstance(error.detail, str) else ""
    if error.status_code == 404 and detail == "Not Found":
        detail = f"nothing at {request.url.path}"
    response = _answer(request, error.status_code, detail)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


async def _invalid(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {}
    location = [str(part) for part in first.get("loc", ())]
    parameter = location[-1] if location else "request"
    where = location[0] if location else ""
    message = first.get("msg", "invalid value")
    if where == "body":
        return _answer(request, 422, f"{'.'.join(location[1:]) or 'body'}: {message}")
    return _answer(request, 400, f"parameter '{parameter}': {message}", parameter=parameter)


async def _crash(request: Request, error: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return _answer(request, 500, "an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    """Answer every refusal in the one problem shape (JSON) or as a page."""
    app.add_exception_handler(Exception, _crash)
    app.add_exception_handler(GcmhubError, _refused)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _invalid)
