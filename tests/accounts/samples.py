"""How the route-table test calls a write route: a sample request and the roles that may."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from tests.accounts.conftest import Person


@dataclass
class Sample:
    """How to call one write route, and which roles may."""

    allowed: set[str]
    call: Callable[[TestClient, Person | None, dict[str, Any]], Any]
    page: bool = False  # a form: signed in with a session and a CSRF token
    # Makes what one call needs (each role acts on its own record), before the audit count.
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None


def api_call(method: str, path: str, body: dict[str, Any] | None = None) -> Callable[..., Any]:
    def call(client: TestClient, person: Person | None, made: dict[str, Any]) -> Any:
        headers = person.headers if person else {}
        url = path.format(**made)
        return client.request(method, url, json=_filled(body, made), headers=headers)

    return call


def _filled(value: Any, made: dict[str, Any]) -> Any:
    """Put the names of things made for the test ("{provider}") into a request body."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return made.get(value[1:-1], value)
    if isinstance(value, dict):
        return {k: _filled(v, made) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, made) for v in value]
    return value


def form_call(path: str, fields: dict[str, str]) -> Callable[..., Any]:
    def call(client: TestClient, person: Person | None, made: dict[str, Any]) -> Any:
        data = {k: v.format(**made) for k, v in fields.items()}
        data["csrf"] = made.get("csrf", "")
        return client.post(path.format(**made), data=data, follow_redirects=False)

    return call
