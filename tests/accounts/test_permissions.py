"""Every write route, for every role: generated from the application's route table.

A new write route fails this file until it declares its rule (`openapi_extra={"x-rule": …}`,
a rule registered in a part's auth.py) and gets a sample request below.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub import runtime
from gcmhub.accounts.models import AuditEntry
from gcmhub.auth import load_rules
from gcmhub.runtime import open_context
from gcmhub.web.app import create_app
from tests.accounts.conftest import ROLES, Person, make_people, sign_in
from tests.accounts.samples import Sample, api_call, form_call
from tests.community import samples_connections, samples_events, samples_messages
from tests.community.samples import COMMUNITY_SAMPLES, community_setting
from tests.conftest import DEMO, PostgresCluster, environment, recreate
from tests.fund.samples import FUND_SAMPLES, fund_setting
from tests.hub.samples import HUB_SAMPLES, hub_setting
from tests.practices.samples import PRACTICE_SAMPLES, practice_setting
from tests.review.samples import REVIEW_SAMPLES, review_setting

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Signing in and out (anyone, with a valid form) and POSTs that store nothing.
ALWAYS = {"session_open", "session_close", "stores_nothing"}


def write_routes() -> list[tuple[str, str, str]]:
    """Return (method, path, rule) of every write route of the application."""
    found = []
    for route in _routes(create_app().routes):
        for method in sorted(route.methods & WRITES):
            rule = (route.openapi_extra or {}).get("x-rule", "")
            found.append((method, route.path, rule))
    return found


def _routes(routes: list[Any]) -> list[APIRoute]:
    """Return every API route, looking inside included routers."""
    flat: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            flat.append(route)
        elif hasattr(route, "original_router"):  # FastAPI keeps included routers whole
            flat += _routes(route.original_router.routes)
    return flat


def test_every_write_route_declares_a_registered_rule() -> None:
    rules = load_rules()
    routes = write_routes()
    assert len(routes) >= 10
    missing = [(m, p) for m, p, rule in routes if rule not in rules and rule not in ALWAYS]
    assert missing == [], "write routes without an authorization rule"


EVERYONE = set(ROLES)
NEW_ITEM = {"title": "Consular help desk", "text": "A one-stop desk.", "countries": ["MEX"]}
SAMPLES: dict[tuple[str, str], Sample] = {
    ("POST", "/api/v1/items"): Sample(
        {"partner", "focal_mex", "curator", "admin"}, api_call("POST", "/api/v1/items", NEW_ITEM)
    ),
    ("PATCH", "/api/v1/items/{ref}"): Sample(
        {"partner", "curator", "admin"},  # the partner's own item, about Senegal
        api_call("PATCH", "/api/v1/items/{owned}", {"title": "Renamed by a test"}),
    ),
    ("POST", "/api/v1/items/{ref}/tags/{concept}/confirm"): Sample(
        {"curator", "admin"}, api_call("POST", "/api/v1/items/gcm-20a/tags/objective:20/confirm")
    ),
    ("POST", "/api/v1/items/{ref}/tags/{concept}/reject"): Sample(
        {"curator", "admin"}, api_call("POST", "/api/v1/items/gcm-20a/tags/cluster:2/reject")
    ),
    ("DELETE", "/api/v1/me"): Sample(EVERYONE, api_call("DELETE", "/api/v1/me")),
    ("POST", "/curate/confirm"): Sample(
        {"curator", "admin"},
        form_call("/curate/confirm", {"item": "gcm-20a", "concept": "objective:20"}),
        page=True,
    ),
    ("POST", "/curate/reject"): Sample(
        {"curator", "admin"},
        form_call("/curate/reject", {"item": "gcm-20a", "concept": "cluster:2"}),
        page=True,
    ),
    ("POST", "/items/new"): Sample(
        {"partner", "focal_mex", "curator", "admin"},
        form_call("/items/new", {"title": "Help desk", "text": "A desk.", "countries": "MEX"}),
        page=True,
    ),
    ("POST", "/items/{ref}/edit"): Sample(
        {"partner", "curator", "admin"},
        form_call(
            "/items/{owned}/edit", {"title": "Renamed", "text": "Bonds.", "countries": "SEN"}
        ),
        page=True,
    ),
    ("POST", "/account/tokens"): Sample(
        EVERYONE, form_call("/account/tokens", {"name": "matrix", "days": "5"}), page=True
    ),
    ("POST", "/account/tokens/{token_id}/revoke"): Sample(
        EVERYONE, form_call("/account/tokens/{own_token}/revoke", {}), page=True
    ),
    ("POST", "/account/delete"): Sample(
        EVERYONE, form_call("/account/delete", {"confirm": "{username}"}), page=True
    ),
}


# Each part keeps the samples of its own write routes beside its tests.
SAMPLES.update(HUB_SAMPLES)
SAMPLES.update(PRACTICE_SAMPLES)
SAMPLES.update(FUND_SAMPLES)
SAMPLES.update(REVIEW_SAMPLES)
SAMPLES.update(COMMUNITY_SAMPLES)
for part in (samples_events, samples_connections, samples_messages):
    SAMPLES.update(part.SAMPLES)


def test_every_write_route_has_a_sample_request() -> None:
    routes = {(m, p) for m, p, rule in write_routes() if rule not in ALWAYS}
    assert routes - set(SAMPLES) == set(), "add a sample request for these routes"


def _audit_count() -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    answer = web.post(
        "/api/v1/items",
        json={"title": "Diaspora bonds", "text": "Bonds for the diaspora.", "countries": ["SEN"]},
        headers=people["partner"].headers,
    )
    assert answer.status_code == 201, answer.text
    made = {"owned": answer.json()["id"]}
    made.update(hub_setting(web, people))
    made.update(practice_setting(web, people))
    made.update(fund_setting(web, people))
    made.update(review_setting(web, people))
    made.update(community_setting(web, people))
    for part in (samples_events, samples_connections, samples_messages):
        made.update(part.setting(web, people))
    return made


def _own_token(username: str) -> int:
    from gcmhub.accounts.actions import token_list

    with open_context() as ctx:
        return token_list(ctx, username)[0].id


MATRIX = "gcmhub_matrix"  # PostgreSQL: the template database of this module's setting


@pytest.fixture(scope="module")
def matrix_template(
    demo_template: Path,
    postgres: PostgresCluster | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, Person], dict[str, Any]]:
    """Build the setting every route is tried on once: the demo, one person per role, and what
    each part's samples need. Each test starts from a copy (a folder, or a database made
    from this one as a template), so no test sees another's writes."""
    folder = tmp_path_factory.mktemp("matrix-template") / "gcmhub-data"
    shutil.copytree(demo_template, folder)
    url = None
    if postgres is not None:
        postgres.create(DEMO, MATRIX)
        url = postgres.url(MATRIX)
    with environment(GCMHUB_DATA_DIR=str(folder), DATABASE_URL=url):
        people = make_people()
        with TestClient(create_app()) as web:
            made = _setting(web, people)
        made["others_token"] = _own_token("partner")
    if postgres is not None:
        postgres.admin.execute(f'ALTER DATABASE "{MATRIX}" WITH IS_TEMPLATE true')
    return folder, people, made


@pytest.fixture
def matrix(
    matrix_template: tuple[Path, dict[str, Person], dict[str, Any]],
    data_dir: Path,
    request: pytest.FixtureRequest,
) -> Iterator[tuple[TestClient, dict[str, Person], dict[str, Any]]]:
    """A copy of the module's setting for one test, with a client of the application."""
    folder, people, made = matrix_template
    recreate(request, MATRIX)
    shutil.copytree(folder, data_dir, dirs_exist_ok=True)
    runtime.reset()
    with TestClient(create_app()) as web:
        yield web, people, dict(made)


@pytest.mark.parametrize("route", sorted(SAMPLES), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_role_may_write_only_where_its_rule_allows(
    route: tuple[str, str],
    matrix: tuple[TestClient, dict[str, Person], dict[str, Any]],
) -> None:
    sample = SAMPLES[route]
    web, people, made = matrix
    for role in [None, *ROLES]:
        person = people[role] if role else None
        client = TestClient(web.app)
        extra = {**made, "username": "nobody", "own_token": made["others_token"]}
        if person is not None:
            extra["username"] = person.username
            extra["own_token"] = _own_token(person.username)
            if sample.page:
                extra["csrf"] = sign_in(client, person.username)
        elif sample.page:
            client.get("/login")  # the public gets a form token, but no session
            extra["csrf"] = client.cookies.get("gcmhub_csrf") or ""
        if sample.prepare is not None:
            extra.update(sample.prepare(extra))
        before = _audit_count()
        answer = sample.call(client, person, extra)
        expected = role in sample.allowed
        if expected:
            assert answer.status_code < 400, (role, answer.status_code, answer.text[:300])
            assert _audit_count() > before, (role, "a write must leave an audit entry")
        else:
            assert answer.status_code in (401, 403), (role, answer.status_code, answer.text[:300])
            assert _audit_count() == before, (role, "a refused write must change nothing")
