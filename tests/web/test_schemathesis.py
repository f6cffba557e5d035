"""The open API against its own OpenAPI document, with schemathesis: no 5xx, answers as documented.

Every operation of `/api/v1/openapi.json` is fuzzed with requests generated from the document
(valid ones, and invalid ones that must be refused with a 4xx), on a copy of the demo with an
administrator's token, built once per module (`fuzz_template`) and copied for each operation.

The schema is loaded from the application at import time (the document does not depend on the
data; each request opens the database named by the environment when it is made). The test
cases come from `APIOperation.as_strategy()` under our own `pytest.mark.parametrize`, not from
`schema.parametrize()`: with pytest 9.2, schemathesis 4.32's pytest plugin gives every
operation the same test id, and `schemathesis.pytest.from_fixture` fails (`_nodeid`).

The departures fuzzing found (a JSON download not shaped as documented, naive timestamps,
undocumented refusals, a 500 on a null status) were fixed; each keeps a regression test at the
end. Status code conformance runs in those tests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from gcmhub import runtime
from gcmhub.runtime import open_context
from gcmhub.web.app import create_app
from tests.conftest import DEMO, PostgresCluster, environment, recreate

APP = create_app()
SCHEMA = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json",
    APP,
)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# Examples per operation, valid and invalid requests together. GCMHUB_FUZZ_EXAMPLES=1000 digs
# deeper by hand.
EXAMPLES = int(os.environ.get("GCMHUB_FUZZ_EXAMPLES", "40"))
SLOW = {"POST /api/v1/tagging/suggest": max(1, EXAMPLES // 3)}  # embeds up to 100 texts a request
# Path values that exist in the demo, besides generated ones (which are nearly always 404s).
REAL_PATHS = [
    {"ref": "gcm-20a", "scheme": "objective", "concept": "objective:20a"},
    {"ref": "gcm-1", "scheme": "cluster", "concept": "cluster:2"},
    {"ref": "gcm-20a", "scheme": "country", "concept": "cluster:4"},
]

FUZZ = settings(
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


FUZZ_TEMPLATE = "gcmhub_fuzz"  # PostgreSQL: the template database of this module's setting


@pytest.fixture(scope="module")
def fuzz_template(
    demo_template: Path,
    postgres: PostgresCluster | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, str]:
    """Build once per module the setting every operation is fuzzed on: the demo and an
    administrator with a read and write API token, so writes get past sign-in. Each test
    starts from a copy (a folder, or a database made from this one as a template)."""
    from gcmhub.accounts.actions import token_create, user_add
    from gcmhub.accounts.schemas import TokenRequest

    folder = tmp_path_factory.mktemp("fuzz-template") / "gcmhub-data"
    shutil.copytree(demo_template, folder)
    url = None
    if postgres is not None:
        postgres.create(DEMO, FUZZ_TEMPLATE)
        url = postgres.url(FUZZ_TEMPLATE)
    with environment(GCMHUB_DATA_DIR=str(folder), DATABASE_URL=url):
        with open_context() as ctx:
            user_add(ctx, "fuzzer", ["admin"], password="fuzzer password 2026")
            made = token_create(ctx, "fuzzer", TokenRequest(name="fuzz", scopes=["read", "write"]))
    if postgres is not None:
        postgres.admin.execute(f'ALTER DATABASE "{FUZZ_TEMPLATE}" WITH IS_TEMPLATE true')
    return folder, made.token


@pytest.fixture
def token(fuzz_template: tuple[Path, str], data_dir: Path, request: pytest.FixtureRequest) -> str:
    """Give the test its own copy of the module's setting; return the administrator's token."""
    folder, value = fuzz_template
    recreate(request, FUZZ_TEMPLATE)
    shutil.copytree(folder, data_dir, dirs_exist_ok=True)
    runtime.reset()
    return value


def cases(operation: Any, mode: GenerationMode, token: str) -> st.SearchStrategy[Any]:
    """Requests for an operation: generated, on real path values, anonymous or signed in."""
    names = [parameter.name for parameter in operation.path_parameters]
    paths: list[dict[str, str] | None] = [None]
    if names:
        paths += [
            {name: values[name] for name in names}
            for values in REAL_PATHS
            if all(name in values for name in names)
        ]
    signed_in = {"Authorization": f"Bearer {token}"}
    return st.one_of(
        [
            operation.as_strategy(mode, path_parameters=path, headers=headers)
            for path in paths
            for headers in (None, signed_in)
        ]
    )


def examples(label: str) -> int:
    return SLOW.get(label, EXAMPLES)


def downloads(case: Any) -> bool:
    """Whether a request asks for a download: CSV and JSON-LD (and the JSON downloads of
    search, schemes, concepts and the audit trail) are not described by the document."""
    return isinstance(case.query, dict) and case.query.get("format") is not None


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_request_makes_a_server_error_and_answers_match_the_document(
    operation: Any, token: str
) -> None:
    """Valid requests (positive) and invalid ones (negative): never a 5xx; the answers to
    valid ones, downloads apart, are shaped as the document says."""

    @settings(FUZZ, max_examples=examples(operation.label))
    @given(
        drawn=st.one_of(
            cases(operation, GenerationMode.POSITIVE, token).map(lambda case: (True, case)),
            cases(operation, GenerationMode.NEGATIVE, token).map(lambda case: (False, case)),
        )
    )
    def fuzz(drawn: tuple[bool, Any]) -> None:
        valid, case = drawn
        checks = [not_a_server_error]
        if valid and not downloads(case):
            checks.append(response_schema_conformance)
        case.call_and_validate(checks=checks)

    fuzz()


def test_the_document_lists_the_api() -> None:
    labels = {op.label for op in OPERATIONS}
    assert {
        "GET /api/v1/items",
        "GET /api/v1/items/{ref}",
        "GET /api/v1/search",
        "POST /api/v1/tagging/suggest",
        "GET /api/v1/schemes",
        "GET /api/v1/concepts/{concept}",
    } <= labels


# -- Departures found by fuzzing, fixed; each stays as a regression test ----------------------


@pytest.fixture
def api(demo_data: Path) -> Any:
    with TestClient(APP, raise_server_exceptions=False) as client:
        yield client


def conformance(response: Any, method: str, path: str, check: Any, **parts: Any) -> None:
    """Validate one real response against the document with one schemathesis check."""
    case = SCHEMA[path][method].Case(**parts)
    try:
        case.validate_response(response, checks=[check])
    except schemathesis.errors.FailureGroup as failures:
        raise AssertionError(str(failures)) from failures


def test_a_json_download_is_described_by_the_document(api: TestClient) -> None:
    response = api.get("/api/v1/items", params={"format": "json"})
    assert response.status_code == 200
    conformance(
        response, "GET", "/api/v1/items", response_schema_conformance, query={"format": "json"}
    )


def test_timestamps_are_rfc3339_date_times(api: TestClient) -> None:
    from datetime import datetime

    stamp = api.get("/api/v1/items", params={"limit": 1}).json()["data"][0]["updated_at"]
    assert datetime.fromisoformat(stamp.replace("Z", "+00:00")).tzinfo is not None


@pytest.mark.parametrize(
    ("method", "path", "parts", "status"),
    [
        ("GET", "/api/v1/items/{ref}", {"path_parameters": {"ref": "no-such-item"}}, 404),
        ("GET", "/api/v1/items", {"query": {"sort": "sideways"}}, 400),
        ("GET", "/api/v1/me", {}, 401),
    ],
)
def test_refusals_are_documented(
    api: TestClient, method: str, path: str, parts: dict[str, Any], status: int
) -> None:
    address = path.format(**parts.get("path_parameters", {}))
    response = api.request(method, address, params=parts.get("query"))
    assert response.status_code == status
    conformance(response, method, path, status_code_conformance, **parts)


def test_invalid_input_is_documented_as_problem_json(api: TestClient) -> None:
    response = api.post("/api/v1/tagging/suggest", json={"texts": 5})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    conformance(response, "POST", "/api/v1/tagging/suggest", content_type_conformance)


def test_a_null_status_is_refused_not_a_server_error(api: TestClient, token: str) -> None:
    response = api.patch(
        "/api/v1/items/gcm-20a",
        json={"status": None},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (400, 422)
