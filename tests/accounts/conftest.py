"""People with each role, made through the real actions, with API tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gcmhub.accounts import actions, passwords
from gcmhub.accounts.schemas import TokenRequest
from gcmhub.runtime import open_context
from gcmhub.web.app import create_app
from gcmhub.web.limits import LOGINS, WRITES

PASSWORD = "correct horse battery staple"
ROLES = {
    "partner": (["partner"], []),
    "focal_mex": (["focal_point"], ["MEX"]),
    "focal_fra": (["focal_point"], ["FRA"]),
    "curator": (["curator"], []),
    "fund_manager": (["fund_manager"], []),
    "admin": (["admin"], []),
}


@dataclass
class Person:
    """An account with its password and a read-write API token."""

    username: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    """Start every test with empty rate-limit windows."""
    LOGINS.clear()
    WRITES.clear()
    yield
    LOGINS.clear()
    WRITES.clear()


@pytest.fixture
def people(demo_data: Path) -> dict[str, Person]:
    """Add one account per role on the demo data, each with a read-write token."""
    return make_people()


@cache
def _password_hash() -> str:
    """The argon2id hash of PASSWORD, made once per run: argon2 is slow by design (tenths of
    a second on two cores) and every person of every test has this password. Each account
    still stores a real hash that signing in verifies."""
    return passwords.hash_password(PASSWORD)


def _hash(secret: str) -> str:
    return _password_hash() if secret == PASSWORD else passwords.hash_password(secret)


def make_people() -> dict[str, Person]:
    """Add one account per role, each with a read-write token."""
    made = {}
    with pytest.MonkeyPatch.context() as patch, open_context() as ctx:
        patch.setattr(actions, "hash_password", _hash)
        for name, (roles, countries) in ROLES.items():
            actions.user_add(
                ctx, name.replace("_", "-"), roles, countries=countries, password=PASSWORD
            )
            token = actions.token_create(
                ctx, name.replace("_", "-"), TokenRequest(name="tests", scopes=["read", "write"])
            )
            made[name] = Person(name.replace("_", "-"), token.token)
    return made


@pytest.fixture
def web(people: dict[str, Person]) -> Iterator[TestClient]:
    """Return a client of the application (with its lifespan) on the demo and the people."""
    with TestClient(create_app()) as client:
        yield client


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign a browser in through the form; return its session's CSRF token."""
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:500]
    account = client.get("/account")
    return account.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
