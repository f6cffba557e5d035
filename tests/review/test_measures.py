"""Partnerships and their measures, capacity assessments and their change."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gcmhub import runtime
from gcmhub.review.models import CapacityAssessment, Partnership
from tests.accounts.conftest import Person
from tests.hub.samples import REQUEST
from tests.review.conftest import counts

PARTNERSHIPS = [
    {
        "name": "Fair recruitment corridor Mexico-Canada",
        "level": "bilateral",
        "partners": ["Ministry of Labour", "ILO", "Trade union confederation"],
        "stakeholders": ["government", "trade-unions", "UN entities"],
        "objectives": ["6"],
        "countries": ["MEX", "CAN"],
        "start": "2023-01-01",
        "results": [{"text": "Fees banned in 40 agencies", "reported_on": "2024-06-30"}],
    },
    {
        "name": "Cities welcoming migrants",
        "level": "local",
        "partners": ["City of Lyon", "Migrant association"],
        "stakeholders": ["local-authorities", "migrants", "government"],
        "objectives": ["15", "16"],
        "countries": ["FRA"],
    },
]


def test_partnerships_are_registered_and_measured(
    web: TestClient, people: dict[str, Person]
) -> None:
    made = []
    for body, who in zip(PARTNERSHIPS, ("partner", "focal_fra"), strict=True):
        answer = web.post("/api/v1/review/partnerships", json=body, headers=people[who].headers)
        assert answer.status_code == 201, answer.text
        made.append(answer.json())
    assert made[0]["stakeholders"] == [
        "stakeholder:government",
        "stakeholder:trade-unions",
        "stakeholder:un-entities",
    ]
    assert made[0]["countries"] == ["CAN", "MEX"]
    measures = web.get("/api/v1/review/partnerships/measures").json()
    assert measures["partnerships"] == 2
    assert measures["by_level"]["bilateral"] == 1 and measures["by_level"]["global"] == 0
    assert measures["distinct_stakeholder_types"] == 5
    assert measures["stakeholder_types"]["stakeholder:government"] == 2
    shares = [2 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6]
    h = -sum(p * math.log(p) for p in shares)
    assert measures["shannon"] == pytest.approx(h, abs=1e-4)
    assert measures["evenness"] == pytest.approx(h / math.log(5), abs=1e-4)
    assert measures["objectives_covered"] == 3
    assert (measures["with_results"], measures["results_reported"]) == (1, 1)
    assert sorted(measures["ids"]) == sorted(p["id"] for p in made)
    local = web.get("/api/v1/review/partnerships", params={"level": "local"}).json()
    assert [p["name"] for p in local] == ["Cities welcoming migrants"]
    on_six = web.get("/api/v1/review/partnerships/measures", params={"objective": "6"}).json()
    assert on_six["partnerships"] == 1 and on_six["evenness"] == pytest.approx(1.0)
    csv = web.get("/api/v1/review/partnerships", params={"format": "csv"})
    assert csv.status_code == 200 and csv.text.splitlines()[0].startswith("id,name,level")


def test_who_may_change_a_partnership(web: TestClient, people: dict[str, Person]) -> None:
    first = web.post(
        "/api/v1/review/partnerships", json=PARTNERSHIPS[1], headers=people["partner"].headers
    ).json()
    url = f"/api/v1/review/partnerships/{first['id']}"
    change = {"results": [{"text": "Two welcome desks opened"}]}
    assert web.patch(url, json=change, headers=people["focal_mex"].headers).status_code == 403
    assert web.patch(url, json=change, headers=people["fund_manager"].headers).status_code == 403
    own = web.patch(url, json=change, headers=people["partner"].headers)
    assert own.status_code == 200 and len(own.json()["results"]) == 1
    assert web.patch(url, json=change, headers=people["focal_fra"].headers).status_code == 200
    moved = web.patch(url, json={"countries": ["MEX"]}, headers=people["focal_fra"].headers)
    assert moved.status_code == 403
    before = counts(Partnership)
    bad = {**PARTNERSHIPS[0], "stakeholders": ["astronauts"]}
    answer = web.post("/api/v1/review/partnerships", json=bad, headers=people["partner"].headers)
    assert answer.status_code == 422 and "stakeholders.0" in answer.text
    assert counts(Partnership) == before
    assert web.get("/api/v1/review/partnerships/999").status_code == 404


def test_capacity_is_assessed_before_and_after_with_the_change_per_domain(
    web: TestClient, people: dict[str, Person]
) -> None:
    domains = web.get("/api/v1/review/capacity/domains").json()
    assert len(domains) == 6 and domains[0]["id"] == "migrant-rights"
    me = people["focal_mex"].headers
    asked = web.post("/api/v1/hub/requests", json=REQUEST, headers=me).json()["id"]
    base = {
        "country": "MEX",
        "subject": "Labour inspection of recruiters",
        "request": asked,
    }
    before = web.post(
        "/api/v1/review/capacity/assessments",
        json={
            **base,
            "kind": "before",
            "assessed_on": "2024-01-10",
            "scores": {"whole-of-government": 1, "partnerships": 2},
        },
        headers=me,
    )
    assert before.status_code == 201, before.text
    after = web.post(
        "/api/v1/review/capacity/assessments",
        json={
            **base,
            "kind": "after",
            "assessed_on": "2024-12-10",
            "scores": {"whole-of-government": 3.5, "partnerships": 2},
        },
        headers=me,
    )
    assert after.status_code == 201
    changes = web.get("/api/v1/review/capacity/changes", params={"request": asked}).json()
    assert len(changes) == 1
    change = changes[0]
    assert (change["before"], change["after"]) == (before.json()["id"], after.json()["id"])
    by_domain = {d["domain"]: d for d in change["domains"]}
    assert by_domain["whole-of-government"]["change"] == 2.5
    assert by_domain["partnerships"]["change"] == 0
    assert change["mean_change"] == 1.25
    rows = web.get("/api/v1/review/capacity/changes", params={"format": "csv"}).text
    assert len(rows.splitlines()) == 3

    stored = counts(CapacityAssessment)
    wrong = [
        ({**base, "scores": {"bravery": 3}}, people["focal_mex"], 422, "bravery"),
        ({**base, "scores": {"partnerships": 9}}, people["focal_mex"], 422, "off the scale"),
        ({**base, "request": "R-9999"}, people["focal_mex"], 422, "R-9999"),
        ({**base, "project": "P-NONE"}, people["curator"], 422, "P-NONE"),
        (base, people["focal_fra"], 403, ""),
    ]
    for body, person, status, words in wrong:
        full = {"kind": "before", "assessed_on": "2024-01-01", "scores": {"partnerships": 1}}
        answer = web.post(
            "/api/v1/review/capacity/assessments",
            json={**full, **body},
            headers=person.headers,
        )
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.text
    assert counts(CapacityAssessment) == stored


def test_the_domains_are_configurable(
    web: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheme = tmp_path / "domains.csv"
    scheme.write_text("id,label,definition,scale_max\ndata,Data,Migration data,100\n")
    monkeypatch.setenv("GCMHUB_REVIEW_CAPACITY_DOMAINS", str(scheme))
    runtime.reset()
    domains = web.get("/api/v1/review/capacity/domains").json()
    assert domains == [
        {"id": "data", "label": "Data", "definition": "Migration data", "scale_max": 100.0}
    ]
