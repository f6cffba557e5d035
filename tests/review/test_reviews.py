"""Voluntary reviews: drafted from the plan, the hub and the fund; hand-offs; exports."""

from __future__ import annotations

import io
from typing import Any

import docx
from fastapi.testclient import TestClient

from gcmhub.review.models import ReviewSection, VoluntaryReview
from tests.accounts.conftest import Person
from tests.fund.samples import _project, fund_setting
from tests.hub.samples import REQUEST
from tests.review.conftest import counts, save_plan


def _setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """Mexico's plan, a public request of Mexico on objective 6, a fund project on it."""
    assert save_plan(web, people["focal_mex"]).status_code == 200
    asked = web.post("/api/v1/hub/requests", json=REQUEST, headers=people["focal_mex"].headers)
    assert asked.status_code == 201, asked.text
    fund_setting(web, people)
    project = _project()["fresh"]
    review = web.post(
        "/api/v1/review/reviews",
        json={"country": "MEX", "period": "2022-2024"},
        headers=people["focal_mex"].headers,
    )
    assert review.status_code == 201, review.text
    return {"request": asked.json()["id"], "project": project, "review": review.json()["id"]}


def _section(review: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in review["sections"] if s["code"] == code)


def test_a_review_is_drafted_from_what_the_system_knows(
    web: TestClient, people: dict[str, Person]
) -> None:
    made = _setting(web, people)
    me = people["focal_mex"].headers
    url = f"/api/v1/review/reviews/{made['review']}"
    opened = web.get(url, headers=me).json()
    assert opened["status"] == "draft" and len(opened["sections"]) == 23
    assert opened["filled"] == 0
    drafted = web.post(f"{url}/draft", json={}, headers=me)
    assert drafted.status_code == 200, drafted.text
    review = drafted.json()
    six = _section(review, "6")
    assert "C1 Ban recruitment fees" in six["progress"]
    assert made["project"] in six["progress"]
    assert made["request"] in six["support_needed"]
    kinds = {(s["kind"], s["ref"]) for s in six["sources"]}
    assert {("commitment", "MEX/C1"), ("request", made["request"])} <= kinds
    assert ("project", made["project"]) in kinds
    assert "Lower the cost of sending remittances" in _section(review, "20")["good_practices"]
    fourteen = _section(review, "14")
    assert "Stalled commitments: C3" in fourteen["challenges"]
    assert "Partners are sought" in fourteen["support_needed"]
    assert _section(review, "2")["progress"] == ""  # nothing known on objective 2

    own = web.put(f"{url}/sections/6", json={"progress": "Our own words."}, headers=me)
    assert own.status_code == 200 and own.json()["challenges"] == six["challenges"]
    again = web.post(f"{url}/draft", json={"objectives": ["6"]}, headers=me).json()
    assert _section(again, "6")["progress"] == "Our own words."  # written texts stay
    forced = web.post(f"{url}/draft", json={"overwrite": True}, headers=me).json()
    assert _section(forced, "6")["progress"] == six["progress"]


def test_good_practices_become_an_item_and_support_needed_a_request(
    web: TestClient, people: dict[str, Person]
) -> None:
    made = _setting(web, people)
    me = people["focal_mex"].headers
    url = f"/api/v1/review/reviews/{made['review']}"
    assert web.post(f"{url}/draft", headers=me).status_code == 200
    practice = web.post(f"{url}/sections/20/practice", json={}, headers=me)
    assert practice.status_code == 201, practice.text
    ref = practice.json()["practice_item"]
    item = web.get(f"/api/v1/items/{ref}", headers=me).json()
    assert item["type"] == "practice" and item["status"] == "draft"
    assert "price comparison site" in item["text"]
    assert {"country:MEX", "objective:20"} <= {t["concept"] for t in item["tags"]}
    assert web.post(f"{url}/sections/20/practice", json={}, headers=me).status_code == 409
    empty = web.post(f"{url}/sections/2/practice", json={}, headers=me)
    assert empty.status_code == 422

    support = {"institution": "Ministry of Foreign Affairs", "support_types": ["training"]}
    asked = web.post(f"{url}/sections/14/request", json=support, headers=me)
    assert asked.status_code == 201, asked.text
    request = web.get(
        f"/api/v1/hub/requests/{asked.json()['support_request']}",
        headers=people["curator"].headers,
    ).json()
    assert request["country"]["id"] == "country:MEX"
    assert "Consular one-stop desks" in request["need"]
    assert [o["id"] for o in request["objectives"]] == ["objective:14"]


def test_a_draft_is_the_countrys_and_a_submitted_review_everyones(
    web: TestClient, people: dict[str, Person]
) -> None:
    assert save_plan(web, people["focal_mex"]).status_code == 200
    me = people["focal_mex"].headers
    created = web.post(
        "/api/v1/review/reviews", json={"country": "MEX", "period": "2024"}, headers=me
    )
    url = f"/api/v1/review/reviews/{created.json()['id']}"
    assert web.get(url).status_code == 404
    assert web.get(url, headers=people["focal_fra"].headers).status_code == 404
    assert web.get(url, headers=people["curator"].headers).status_code == 200
    assert web.get("/api/v1/review/reviews").json() == []
    before = counts(VoluntaryReview, ReviewSection)
    other = web.post(
        "/api/v1/review/reviews",
        json={"country": "MEX", "period": "2023"},
        headers=people["focal_fra"].headers,
    )
    assert other.status_code == 403 and counts(VoluntaryReview, ReviewSection) == before
    twice = web.post(
        "/api/v1/review/reviews", json={"country": "MEX", "period": "2024"}, headers=me
    )
    assert twice.status_code == 409
    backwards = web.post(
        "/api/v1/review/reviews", json={"country": "MEX", "period": "2024-2020"}, headers=me
    )
    assert backwards.status_code == 422
    submitted = web.patch(url, json={"status": "submitted"}, headers=me)
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert web.get(url).status_code == 200
    write = web.put(
        f"{url}/sections/1", json={"progress": "Not mine."}, headers=people["focal_fra"].headers
    )
    assert write.status_code == 403


def test_a_review_exports_as_docx_with_a_heading_per_objective_and_as_html(
    web: TestClient, people: dict[str, Person]
) -> None:
    made = _setting(web, people)
    me = people["focal_mex"].headers
    url = f"/api/v1/review/reviews/{made['review']}"
    web.post(f"{url}/draft", headers=me)
    answer = web.get(f"{url}/export", params={"format": "docx"}, headers=me)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(answer.content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == 23
    assert headings[0].startswith("Objective 1: ")
    assert headings[5].startswith("Objective 6: ")
    assert headings[22].startswith("Objective 23: ")
    texts = [p.text for p in document.paragraphs]
    assert any("C1 Ban recruitment fees" in t for t in texts)
    parts = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert parts[:4] == ["Progress", "Challenges", "Good practices", "Support needed"]
    page = web.get(f"{url}/export", params={"format": "html"}, headers=me)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.count("<h2>Objective ") == 23 and 'id="objective-6"' in page.text
    assert web.get(f"{url}/export", params={"format": "docx"}).status_code == 404  # a draft
