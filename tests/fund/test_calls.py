"""Calls for proposals, proposals with markers, appraisal, the decision and the pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub.accounts.actions import token_create, user_add
from gcmhub.accounts.audit import now
from gcmhub.accounts.models import AuditEntry
from gcmhub.accounts.schemas import TokenRequest
from gcmhub.fund import calls
from gcmhub.fund.models import Call, Review
from gcmhub.fund.schemas import CallWrite
from gcmhub.hub.handoffs import request_fund
from gcmhub.hub.providers import provider_create
from gcmhub.hub.schemas import ProviderWrite
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings
from gcmhub.web.app import create_app
from tests.accounts import conftest as accounts
from tests.accounts.conftest import PASSWORD, Person
from tests.hub.samples import PROVIDER, _fresh

fresh_limits = accounts.fresh_limits

PEOPLE = {
    "fund-manager": (["fund_manager"], None),
    "reviewer-iom": (["curator"], "IOM"),
    "reviewer-a": (["curator"], "OHCHR"),
    "reviewer-b": (["partner"], "Independent"),
    "reviewer-c": (["curator"], "University of Geneva"),
    "focal-mex": (["focal_point"], None),
}
FILLED = {
    "area": "TA4",
    "amount": "1,000,000",
    "budget_lines": [
        {"item": "Labour inspection training", "amount": "600000"},
        {"item": "Model contracts and outreach", "amount": 400000},
    ],
    "participating": ["IOM", "ILO"],
    "endorsed": True,
    "gender_marker": 2,
    "human_rights_marker": 2,
    "child_marker": 1,
    "whole_of_government": True,
    "whole_of_society": True,
    "objectives": ["6"],
}
SCORES = {"relevance": 5, "feasibility": 4, "guiding_principles": 4, "sustainability": 3}


@pytest.fixture
def people() -> dict[str, Person]:
    made = {}
    with open_context() as ctx:
        for name, (roles, organization) in PEOPLE.items():
            countries = ["MEX"] if name == "focal-mex" else None
            user_add(
                ctx, name, roles, countries=countries, organization=organization, password=PASSWORD
            )
            token = token_create(ctx, name, TokenRequest(name="tests", scopes=["read", "write"]))
            made[name] = Person(name, token.token)
    return made


@pytest.fixture
def web(people: dict[str, Person]) -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        yield client


def _audits(action: str) -> int:
    with open_context() as ctx:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        return int(ctx.session.scalar(query) or 0)


def _draft_from_request() -> str:
    """A hub request, matched, hands on a draft proposal (request_fund)."""
    with open_context() as ctx:
        provider = provider_create(ctx, ProviderWrite(**PROVIDER)).id
    ref = _fresh(provider, ["triaged", "matched"])
    with open_context() as ctx:
        proposal = request_fund(ctx, ref).proposal
    assert proposal
    return proposal


@pytest.fixture
def call(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    answer = web.post(
        "/api/v1/fund/calls",
        json={
            "title": "Call 2027: fair recruitment",
            "budget": "3,000,000",
            "areas": ["TA2", "ta4"],
            "deadline": (now().date() + timedelta(days=30)).isoformat(),
        },
        headers=people["fund-manager"].headers,
    )
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["areas"] == ["TA2", "TA4"]
    assert made["min_un_entities"] == 2 and made["endorsement_required"] is True
    return made


def test_a_proposal_goes_from_a_request_through_appraisal_to_the_pipeline(
    web: TestClient, people: dict[str, Person], call: dict[str, Any]
) -> None:
    fm = people["fund-manager"].headers
    ref = _draft_from_request()
    url = f"/api/v1/fund/proposals/{ref}"
    # A draft may come from a private request: the public does not see it, its country does.
    assert web.get(url).status_code == 404
    assert ref not in [p["id"] for p in web.get("/api/v1/fund/proposals").json()]
    assert web.get(url, headers=people["focal-mex"].headers).json()["status"] == "draft"

    # The country's focal point fills it; a marker is missing at first.
    focal = people["focal-mex"].headers
    body = {**FILLED, "call": call["id"], "child_marker": None}
    answer = web.patch(url, json=body, headers=focal)
    assert answer.status_code == 200, answer.text
    assert answer.json()["amount"] == "1000000.00"
    answer = web.post(f"{url}/submit", headers=focal)
    assert answer.status_code == 422 and "child_marker" in answer.text

    # One UN entity is not a joint proposal.
    web.patch(url, json={"child_marker": 1, "participating": ["IOM"]}, headers=focal)
    answer = web.post(f"{url}/submit", headers=focal)
    assert answer.status_code == 422 and "participating" in answer.text

    # After the deadline: 409 naming it.
    web.patch(url, json={"participating": ["IOM", "ILO"]}, headers=focal)
    with open_context() as ctx:
        row = ctx.session.scalar(select(Call).where(Call.ref == call["id"]))
        assert row is not None
        good = row.deadline
        row.deadline = now().date() - timedelta(days=1)
    answer = web.post(f"{url}/submit", headers=focal)
    assert answer.status_code == 409 and "deadline" in answer.text
    with open_context() as ctx:
        row = ctx.session.scalar(select(Call).where(Call.ref == call["id"]))
        assert row is not None
        row.deadline = good
    answer = web.post(f"{url}/submit", headers=focal)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "submitted"

    # A reviewer of IOM, which takes part: refused, nothing stored.
    answer = web.post(
        f"{url}/reviews", json={"scores": SCORES}, headers=people["reviewer-iom"].headers
    )
    assert answer.status_code == 403
    assert "own organization" in answer.text
    with open_context() as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(Review)) == 0

    # A missing criterion: 422 naming it.
    partial = {k: v for k, v in SCORES.items() if k != "sustainability"}
    answer = web.post(
        f"{url}/reviews", json={"scores": partial}, headers=people["reviewer-a"].headers
    )
    assert answer.status_code == 422 and "sustainability" in answer.text

    # A declared conflict is a recusal with no score.
    answer = web.post(
        f"{url}/reviews",
        json={"conflict": "Advised the ministry in 2025", "scores": SCORES},
        headers=people["reviewer-c"].headers,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["recused"] is True and answer.json()["total"] is None

    answer = web.post(
        f"{url}/reviews",
        json={"scores": SCORES, "comment": "Strong and well costed."},
        headers=people["reviewer-a"].headers,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["total"] == 82.0  # (150 + 100 + 100 + 60) / 500
    low = dict.fromkeys(SCORES, 1)
    answer = web.post(
        f"{url}/reviews",
        json={"scores": low, "comment": "Weak."},
        headers=people["reviewer-b"].headers,
    )
    assert answer.status_code == 201, answer.text
    assert web.get(f"{url}/appraisal").status_code == 401  # reviews are the secretariat's
    assert web.get(f"{url}/appraisal", headers=focal).status_code == 403
    appraisal = web.get(f"{url}/appraisal", headers=fm).json()
    assert appraisal["scored"] == 2 and appraisal["recused"] == 1
    assert appraisal["mean"] == 51.0 and appraisal["spread"] == 62.0
    assert appraisal["spread_flagged"] is True
    assert appraisal["spread_limit"] == get_settings().fund_spread == 20
    assert {r["comment"] for r in appraisal["reviews"]} >= {"Strong and well costed.", "Weak."}

    # The steering committee's decision, on record.
    answer = web.post(f"{url}/decision", json={"decision": "approved"}, headers=focal)
    assert answer.status_code == 403
    before = _audits("proposal_decide")
    answer = web.post(
        f"{url}/decision", json={"decision": "approved", "note": "SC meeting 12"}, headers=fm
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["decided_by"] == "fund-manager"
    assert _audits("proposal_decide") == before + 1

    pipeline = web.get("/api/v1/fund/pipeline").json()
    assert [p["id"] for p in pipeline] == [ref]
    assert pipeline[0]["amount"] == "1000000.00" and pipeline[0]["area"] == "TA4"
    assert pipeline[0]["score"] == 51.0 and pipeline[0]["country"] == "MEX"
    assert pipeline[0]["child_marker"] == 1


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "12,3x"}, "amount"),
        ({"amount": "1000", "currency": "ZZZ"}, "currency"),
        ({"amount": "1000", "budget_lines": [{"item": "a", "amount": "999"}]}, "budget_lines"),
        ({"area": "TA1"}, "area"),
    ],
)
def test_bad_proposal_input_is_a_422_naming_the_field(
    web: TestClient,
    people: dict[str, Person],
    call: dict[str, Any],
    body: dict[str, Any],
    says: str,
) -> None:
    ref = _draft_from_request()
    answer = web.patch(
        f"/api/v1/fund/proposals/{ref}",
        json={"call": call["id"], **body},
        headers=people["fund-manager"].headers,
    )
    assert answer.status_code == 422, answer.text
    assert says in answer.text
    shown = web.get(f"/api/v1/fund/proposals/{ref}", headers=people["fund-manager"].headers)
    assert shown.json()["amount"] is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"budget": "-1"}, "budget"),
        ({"budget": "abc"}, "budget"),
        ({"currency": "QQQ"}, "currency"),
    ],
)
def test_a_bad_call_is_a_422(
    web: TestClient, people: dict[str, Person], body: dict[str, Any], says: str
) -> None:
    data = {"title": "A call", "budget": "100", "deadline": "2099-01-01", **body}
    answer = web.post("/api/v1/fund/calls", json=data, headers=people["fund-manager"].headers)
    assert answer.status_code == 422 and says in answer.text


def test_thematic_areas_are_loaded_and_mapped_by_the_fund_manager(
    web: TestClient, people: dict[str, Person]
) -> None:
    areas = web.get("/api/v1/fund/areas").json()
    assert [a["code"] for a in areas] == ["TA1", "TA2", "TA3", "TA4", "TA5"]
    assert all(a["objectives"] == [] for a in areas)  # no mapping shipped
    answer = web.post(
        "/api/v1/fund/areas/TA1/objectives",
        json={"objectives": [17, 1, 3]},
        headers=people["reviewer-a"].headers,
    )
    assert answer.status_code == 403
    answer = web.post(
        "/api/v1/fund/areas/TA1/objectives",
        json={"objectives": [17, 1, 3]},
        headers=people["fund-manager"].headers,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["objectives"] == ["objective:1", "objective:3", "objective:17"]
    assert _audits("area_map") == 1
    with open_context() as ctx:
        mapped = {a.code: a.objectives for a in calls.area_list(ctx)}
    assert mapped["TA1"] == ["objective:1", "objective:3", "objective:17"]


def test_an_approval_needs_a_review_and_the_cli_lists_the_pipeline(
    people: dict[str, Person],
) -> None:
    from typer.testing import CliRunner

    from gcmhub.cli import app

    with open_context() as ctx:
        made = calls.call_create(
            ctx,
            CallWrite(
                title="Open call",
                budget="500000",
                deadline=now().date() + timedelta(days=5),
                min_un_entities=1,
                endorsement_required=False,
            ),
        )
    ref = _draft_from_request()
    with open_context() as ctx:
        from gcmhub.fund.schemas import DecisionWrite, ProposalUpdate

        calls.proposal_update(
            ctx, ref, ProposalUpdate(**{**FILLED, "call": made.id, "participating": ["IOM"]})
        )
        calls.proposal_submit(ctx, ref)
    with pytest.raises(Exception, match="no review"), open_context() as ctx:
        calls.proposal_decide(ctx, ref, DecisionWrite(decision="approved"))
    runner = CliRunner()
    result = runner.invoke(app, ["fund", "area-map", "TA2", "2", "7"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["fund", "areas"])
    assert result.exit_code == 0 and "2, 7" in result.output
    result = runner.invoke(app, ["fund", "calls", "--json"])
    assert result.exit_code == 0 and made.id in result.output
    result = runner.invoke(app, ["fund", "pipeline", "--json"])
    assert result.exit_code == 0 and result.output.strip() == "[]"
