"""The community: directory with consent and approval, consultations, moderation, safety."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub.accounts.models import Notification, User
from gcmhub.community.models import Contribution, Organization
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person
from tests.community.samples import CONSULTATION, CONTRIBUTION, ORGANIZATION

API = "/api/v1/community"


def _count(table: Any) -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(table)) or 0)


def _consultation(web: TestClient, people: dict[str, Person], **extra: Any) -> int:
    body = {**CONSULTATION, "moderator": people["focal_mex"].username, **extra}
    answer = web.post(f"{API}/consultations", json=body, headers=people["curator"].headers)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _post(web: TestClient, person: Person, consultation: int, **extra: Any) -> Any:
    return web.post(
        f"{API}/consultations/{consultation}/contributions",
        json={**CONTRIBUTION, **extra},
        headers=person.headers,
    )


def test_an_organization_is_public_only_once_a_curator_approves_it(
    web: TestClient, people: dict[str, Person]
) -> None:
    registered = web.post(
        f"{API}/organizations", json=ORGANIZATION, headers=people["partner"].headers
    )
    assert registered.status_code == 201, registered.text
    found = registered.json()
    assert found["status"] == "pending"
    assert found["origin_countries"] == ["SEN"] and found["residence_countries"] == ["FRA"]
    assert found["objectives"] == ["objective:19"]
    ref = found["id"]
    assert web.get(f"{API}/organizations/{ref}").status_code == 404
    assert ref not in [o["id"] for o in web.get(f"{API}/organizations").json()]
    assert web.get(f"{API}/organizations/{ref}", headers=people["partner"].headers).is_success
    refused = web.post(
        f"{API}/organizations/{ref}/review",
        json={"decision": "approved"},
        headers=people["partner"].headers,
    )
    assert refused.status_code == 403
    approved = web.post(
        f"{API}/organizations/{ref}/review",
        json={"decision": "approved", "note": "Checked with the association."},
        headers=people["curator"].headers,
    )
    assert approved.status_code == 200, approved.text
    assert web.get(f"{API}/organizations/{ref}").json()["status"] == "approved"
    listed = web.get(f"{API}/organizations", params={"country": "SEN", "kind": "diaspora"})
    assert [o["id"] for o in listed.json()] == [ref]
    assert web.get(f"{API}/organizations", params={"status": "pending"}).status_code == 401
    # By working language (ORGANIZATION works in French and Wolof), and as a download.
    assert [o["id"] for o in web.get(f"{API}/organizations?language=wo").json()] == [ref]
    assert web.get(f"{API}/organizations?language=ar").json() == []
    assert web.get(f"{API}/organizations?language=Wolof").status_code in (400, 422)
    table = web.get(f"{API}/organizations", params={"language": "wo", "format": "csv"})
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [(r["id"], r["name"], r["languages"], r["origin_countries"]) for r in rows] == [
        (str(ref), ORGANIZATION["name"], "fr;wo", "SEN")
    ]


def test_a_named_person_is_shown_only_with_consent(
    web: TestClient, people: dict[str, Person]
) -> None:
    before = _count(Organization)
    refused = web.post(
        f"{API}/organizations",
        json={**ORGANIZATION, "contact_name": "Awa Diop"},
        headers=people["partner"].headers,
    )
    assert refused.status_code == 422 and "consent" in refused.text
    assert _count(Organization) == before
    consented = web.post(
        f"{API}/organizations",
        json={**ORGANIZATION, "contact_name": "Awa Diop", "contact_consent": True},
        headers=people["partner"].headers,
    )
    assert consented.status_code == 201
    assert consented.json()["contact_name"] == "Awa Diop"
    anonymous = web.post(
        f"{API}/organizations",
        json={**ORGANIZATION, "name": "Without a person", "contact_consent": False},
        headers=people["partner"].headers,
    )
    ref = anonymous.json()["id"]
    web.post(
        f"{API}/organizations/{ref}/review",
        json={"decision": "approved"},
        headers=people["curator"].headers,
    )
    for answer in (
        anonymous,
        web.get(f"{API}/organizations/{ref}"),
        web.get(f"{API}/organizations"),
    ):
        assert "Awa Diop" not in answer.text
    assert web.get(f"{API}/organizations/{ref}").json()["contact_name"] is None
    with open_context() as ctx:
        row = ctx.session.get(Organization, ref)
        assert row is not None and row.contact_name is None and row.contact_consent_at is None


def test_no_precise_location(web: TestClient, people: dict[str, Person]) -> None:
    answer = web.post(
        f"{API}/organizations",
        json={**ORGANIZATION, "city": "12 rue Garibaldi"},
        headers=people["partner"].headers,
    )
    assert answer.status_code == 422 and "city" in answer.text


def test_a_contribution_is_tagged_and_a_closed_consultation_refuses_posts(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = _consultation(web, people)
    posted = _post(web, people["partner"], ref)
    assert posted.status_code == 201, posted.text
    assert posted.json()["language"] == "en"
    spanish = _post(
        web,
        people["focal_mex"],
        ref,
        question=2,
        text="Los costos de las remesas son demasiado altos para las familias migrantes.",
    )
    assert spanish.json()["language"] == "es"
    assert all(s["concept"].startswith("objective:") for s in posted.json()["objectives"])
    assert _post(web, people["partner"], ref, question=3).status_code == 422

    closed = _consultation(web, people, opens_on="2020-01-01", closes_on="2020-03-31")
    before = _count(Contribution)
    late = _post(web, people["partner"], closed)
    assert late.status_code == 409
    assert "2020-03-31" in late.json()["detail"]
    assert _count(Contribution) == before


def test_a_burst_of_contributions_is_refused_and_not_stored(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = _consultation(web, people)
    before = _count(Contribution)
    answers = [_post(web, people["partner"], ref).status_code for _ in range(7)]
    assert answers == [201] * 5 + [429] * 2
    assert _count(Contribution) == before + 5
    assert _post(web, people["focal_fra"], ref).status_code == 201  # per person


def test_moderation_keeps_reasons_on_record(web: TestClient, people: dict[str, Person]) -> None:
    ref = _consultation(web, people)
    contribution = _post(web, people["partner"], ref).json()["id"]
    url = f"{API}/contributions/{contribution}/moderation"
    refused = web.post(
        url, json={"action": "hide", "reason": "spam"}, headers=people["focal_fra"].headers
    )
    assert refused.status_code == 403
    hidden = web.post(
        url, json={"action": "hide", "reason": "Advertising"}, headers=people["focal_mex"].headers
    )
    assert hidden.status_code == 200 and hidden.json()["status"] == "hidden"
    public = web.get(f"{API}/consultations/{ref}/contributions").json()
    assert contribution not in [c["id"] for c in public]
    flagged = web.post(
        url,
        json={"action": "flag", "reason": "Check the figures"},
        headers=people["curator"].headers,
    )
    assert flagged.json()["status"] == "flagged"
    restored = web.post(
        url,
        json={"action": "restore", "reason": "Figures checked"},
        headers=people["curator"].headers,
    )
    record = restored.json()["moderation"]
    assert [(m["action"], m["reason"], m["by"]) for m in record] == [
        ("hide", "Advertising", people["focal_mex"].username),
        ("flag", "Check the figures", people["curator"].username),
        ("restore", "Figures checked", people["curator"].username),
    ]
    shown = web.get(f"{API}/consultations/{ref}/contributions").json()
    assert [c["id"] for c in shown] == [contribution] and shown[0]["moderation"] == []
    # A person is not named publicly: the author is for the moderator and curators only.
    assert shown[0]["author"] is None
    assert restored.json()["author"] == people["partner"].username


def test_a_report_of_abuse_reaches_the_curators(web: TestClient, people: dict[str, Person]) -> None:
    ref = _consultation(web, people)
    contribution = _post(web, people["partner"], ref).json()["id"]
    reported = web.post(
        f"{API}/contributions/{contribution}/reports",
        json={"reason": "Threatens another member"},
        headers=people["focal_fra"].headers,
    )
    assert reported.status_code == 200, reported.text
    assert reported.json()["notified"] >= 2
    with open_context() as ctx:
        notices = ctx.session.execute(
            select(User.username, Notification.body).join(User, User.id == Notification.user_id)
        ).all()
    to = {name for name, body in notices if "Threatens another member" in body}
    assert {people["curator"].username, people["focal_mex"].username} <= to
    assert people["partner"].username not in to


def test_a_closed_consultation_is_summarized_with_every_contribution_traceable(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = _consultation(web, people)
    first = _post(web, people["partner"], ref).json()["id"]
    second = _post(web, people["focal_mex"], ref, question=2).json()["id"]
    assert web.get(f"{API}/consultations/{ref}/summary").status_code == 409
    with open_context() as ctx:
        from datetime import date

        from gcmhub.community.models import Consultation

        row = ctx.session.get(Consultation, ref)
        assert row is not None
        row.closes_on = date(2020, 12, 31)
    summary = web.get(f"{API}/consultations/{ref}/summary").json()
    assert summary["total"] == 2
    assert [(q["number"], q["contributions"]) for q in summary["questions"]] == [
        (1, [first]),
        (2, [second]),
    ]
    assert summary["languages"] == {"en": [first, second]}
    rows = list(
        csv.reader(io.StringIO(web.get(f"{API}/consultations/{ref}/summary?format=csv").text))
    )
    assert rows[0] == ["dimension", "value", "count", "contributions"]
    assert ["question", "1", "1", str(first)] in rows
