"""National implementation plans: versions, what changed, actions checked, country scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from gcmhub.accounts.models import AuditEntry
from gcmhub.review.models import Commitment, Plan, PlanVersion
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person
from tests.review.conftest import COMMITMENTS, counts, save_plan

TABLES = (Plan, PlanVersion, Commitment, AuditEntry)


def test_a_focal_point_saves_its_plan_with_commitments_on_actions(
    web: TestClient, people: dict[str, Person]
) -> None:
    answer = save_plan(web, people["focal_mex"], note="First plan")
    assert answer.status_code == 200, answer.text
    plan = answer.json()
    assert (plan["country"], plan["version"], plan["note"]) == ("MEX", 1, "First plan")
    first, second, third = plan["commitments"]
    assert [c["key"] for c in plan["commitments"]] == ["C1", "C2", "C3"]
    assert first["objectives"] == ["objective:6"]  # the actions' objective is added
    assert first["actions"] == ["objective:6a", "objective:6b"]
    assert Decimal(first["budget"]) == Decimal("1250000.50")
    assert first["evidence"][0]["url"] == "https://example.org/decree"
    assert second["objectives"] == ["objective:20"] and third["actions"] == []
    read = web.get("/api/v1/review/plans/Mexico").json()  # a name works as well as a code
    assert read["commitments"] == plan["commitments"]
    listed = web.get("/api/v1/review/plans").json()
    assert listed[0]["status"] == {"planned": 0, "ongoing": 1, "completed": 1, "stalled": 1}


def test_each_saved_change_is_a_version_and_the_changes_are_listed(
    web: TestClient, people: dict[str, Person]
) -> None:
    me = people["focal_mex"]
    assert save_plan(web, me).status_code == 200
    again = save_plan(web, me)  # nothing changed: no new version, nothing on record
    assert again.json()["version"] == 1
    changed: list[dict[str, Any]] = [
        {**COMMITMENTS[0], "key": "C1", "status": "completed", "partners": ["ILO", "IOM"]},
        {**COMMITMENTS[2], "key": "C3"},
        {"title": "Data on labour migration", "actions": ["1b"]},
    ]
    answer = save_plan(web, me, commitments=changed, note="Mid-term update")
    assert answer.status_code == 200, answer.text
    plan = answer.json()
    assert plan["version"] == 2
    assert [c["key"] for c in plan["commitments"]] == ["C1", "C3", "C4"]
    assert [v["number"] for v in plan["versions"]] == [1, 2]
    diff = web.get("/api/v1/review/plans/MEX/diff", params={"from": 1, "to": 2}).json()
    assert (diff["added"], diff["removed"], diff["changed"]) == (1, 1, 1)
    by_key = {c["key"]: c for c in diff["changes"]}
    assert by_key["C4"]["change"] == "added" and by_key["C2"]["change"] == "removed"
    fields = {f["field"]: f for f in by_key["C1"]["fields"]}
    assert set(fields) == {"status", "partners"}
    assert fields["status"] == {"field": "status", "before": "ongoing", "after": "completed"}
    assert web.get("/api/v1/review/plans/MEX", params={"version": 1}).json()["version"] == 1
    assert web.get("/api/v1/review/plans/MEX/diff").json()["to_version"] == 2  # default: last
    assert web.get("/api/v1/review/plans/MEX", params={"version": 9}).status_code == 404


def test_a_commitment_on_an_unknown_action_is_refused_naming_it(
    web: TestClient, people: dict[str, Person]
) -> None:
    before = counts(*TABLES)
    bad = [COMMITMENTS[0], {"title": "Something else", "actions": ["6a", "6z"]}]
    answer = save_plan(web, people["focal_mex"], commitments=bad)
    assert answer.status_code == 422
    assert "commitments.1.actions.1" in answer.text and "'6z'" in answer.text
    assert counts(*TABLES) == before
    objective = save_plan(
        web, people["curator"], commitments=[{"title": "Xyz", "objectives": ["24"]}]
    )
    assert objective.status_code == 422 and "'24'" in objective.text
    none = save_plan(web, people["curator"], commitments=[{"title": "No objective at all"}])
    assert none.status_code == 422 and "objective" in none.text


def test_a_focal_point_may_not_edit_another_countrys_plan(
    web: TestClient, people: dict[str, Person]
) -> None:
    assert save_plan(web, people["focal_mex"]).status_code == 200
    before = counts(*TABLES)
    refused = save_plan(web, people["focal_fra"], commitments=[COMMITMENTS[1]])
    assert refused.status_code == 403
    assert counts(*TABLES) == before
    assert save_plan(web, people["focal_fra"], country="FRA").status_code == 200
    assert save_plan(web, people["partner"], country="FRA").status_code == 403
    assert web.put("/api/v1/review/plans/FRA", json={"commitments": []}).status_code == 401
    secretariat = save_plan(web, people["curator"], commitments=[COMMITMENTS[1]])
    assert secretariat.status_code == 200 and secretariat.json()["version"] == 2


def test_a_version_cannot_be_changed_in_the_database(
    web: TestClient, people: dict[str, Person]
) -> None:
    assert save_plan(web, people["focal_mex"]).status_code == 200
    with pytest.raises(DBAPIError), open_context() as ctx:
        ctx.session.execute(text("UPDATE review_plan_versions SET note = 'rewritten'"))
    with pytest.raises(DBAPIError), open_context() as ctx:
        ctx.session.execute(text("DELETE FROM review_plan_versions"))
    assert web.get("/api/v1/review/plans/MEX").json()["note"] == ""


def test_bad_budgets_and_unknown_keys_are_refused(
    web: TestClient, people: dict[str, Person]
) -> None:
    me = people["focal_mex"]
    cents = [{**COMMITMENTS[0], "budget": "10.005"}]
    assert save_plan(web, me, commitments=cents).status_code == 422
    no_currency = [{"title": "Budget alone", "objectives": ["6"], "budget": 10}]
    answer = save_plan(web, me, commitments=no_currency)
    assert answer.status_code == 422 and "currency" in answer.text
    ghost = [{**COMMITMENTS[0], "key": "C7"}]
    assert save_plan(web, me, commitments=ghost).status_code == 422
    backwards = [{**COMMITMENTS[0], "start": "2027-01-01", "end": "2026-01-01"}]
    assert save_plan(web, me, commitments=backwards).status_code == 422
    assert web.get("/api/v1/review/plans/MEX").status_code == 404
