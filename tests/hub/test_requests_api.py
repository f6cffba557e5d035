"""A request's life through the API: filing, matching, the plan, each step, the end."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub.accounts.models import AuditEntry, Notification
from gcmhub.hub.models import RequestEvent, SupportRequest
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person
from tests.hub.conftest import NEED, file_request


def _count(model: Any) -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(model)) or 0)


def step(web: TestClient, person: Person, ref: str, to: str, **extra: Any) -> Any:
    return web.post(
        f"/api/v1/hub/requests/{ref}/steps", json={"to": to, **extra}, headers=person.headers
    )


def test_a_focal_point_files_a_request_and_objectives_are_suggested(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    made = file_request(web, people["focal_mex"], objectives=[])
    assert made["state"] == "submitted"
    assert made["country"]["code"] == "MEX"
    assert made["objectives"] == []
    suggested = [s["concept"] for s in made["suggested"]]
    assert "objective:6" in suggested, made["suggested"]  # recruitment and decent work
    assert made["due_at"] is not None and not made["overdue"]
    # The secretariat hears of it in the application.
    with open_context() as ctx:
        subjects = list(ctx.session.scalars(select(Notification.subject)))
    assert any(made["id"] in s or "New request" in s for s in subjects)
    confirmed = web.patch(
        f"/api/v1/hub/requests/{made['id']}",
        json={
            "objectives": [
                "6",
                "Eliminate all forms of discrimination and promote evidence-based public discourse to shape perceptions of migration",
            ]
        },
        headers=people["focal_mex"].headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert [o["code"] for o in confirmed.json()["objectives"]] == ["6", "17"]


def test_a_request_for_another_country_is_refused_and_nothing_is_stored(
    web: TestClient, people: dict[str, Person]
) -> None:
    before = (_count(SupportRequest), _count(AuditEntry), _count(RequestEvent))
    body = {
        "country": "France",
        "institution": "Ministère",
        "need": NEED,
        "support_types": ["training"],
    }
    answer = web.post("/api/v1/hub/requests", json=body, headers=people["focal_mex"].headers)
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "request create" in answer.json()["detail"]
    partner = web.post("/api/v1/hub/requests", json=body, headers=people["partner"].headers)
    assert partner.status_code == 403
    assert (_count(SupportRequest), _count(AuditEntry), _count(RequestEvent)) == before


def test_bad_request_fields_are_named(web: TestClient, people: dict[str, Person]) -> None:
    base = {"country": "MEX", "institution": "Ministry", "need": NEED, "support_types": ["x"]}
    wrong = web.post("/api/v1/hub/requests", json=base, headers=people["focal_mex"].headers)
    assert wrong.status_code == 422
    assert "support_types" in wrong.json()["detail"]
    unknown = web.post(
        "/api/v1/hub/requests",
        json={**base, "support_types": ["training"], "country": "Atlantis"},
        headers=people["focal_mex"].headers,
    )
    assert unknown.status_code == 422 and "country" in unknown.json()["detail"]
    contact = web.post(
        "/api/v1/hub/requests",
        json={**base, "support_types": ["training"], "contact_email": "ana@example.org"},
        headers=people["focal_mex"].headers,
    )
    assert contact.status_code == 422 and "consent" in contact.json()["detail"]
    assert _count(SupportRequest) == 0


def test_the_whole_life_of_a_request(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    focal, curator = people["focal_mex"], people["curator"]
    ref = file_request(
        web, focal, contact_name="Ana", contact_email="ana@example.org", contact_consent=True
    )["id"]
    # A step that skips the workflow is refused, naming the allowed ones.
    skipped = step(web, curator, ref, "in_progress")
    assert skipped.status_code == 409
    assert skipped.json()["allowed"] == ["triaged", "declined", "withdrawn"]
    # The country may not triage its own request.
    assert step(web, focal, ref, "triaged").status_code == 403
    assigned = web.post(
        f"/api/v1/hub/requests/{ref}/assign",
        json={"assignee": "curator"},
        headers=curator.headers,
    )
    assert assigned.status_code == 200 and assigned.json()["assignee"] == "curator"
    assert (
        step(web, curator, ref, "triaged", note="Clear need; policy and training").status_code
        == 200
    )
    # Matching: the shortlist explains itself, the plan covers every part.
    matches = web.get(f"/api/v1/hub/requests/{ref}/matches", headers=curator.headers).json()
    top = matches["providers"][0]
    assert top["id"] in ("p-recruit", "p-expert"), matches["providers"]
    kinds = {r["kind"] for r in top["reasons"]}
    assert {"objectives", "meaning"} <= kinds
    assert set(matches["parts"]) == {"objective:6", "policy_advice", "training"}
    plan = matches["plan"]
    assert plan["uncovered"] == [] and plan["method"] == "exact"
    assert {p["provider"] for p in plan["parts"]} <= {m["id"] for m in plan["providers"]}
    assert len(plan["providers"]) == 2  # no single provider gives both advice and training
    # Matching before anyone is in the plan is refused.
    assert step(web, curator, ref, "matched").status_code == 409
    adopted = web.post(f"/api/v1/hub/requests/{ref}/plan", headers=curator.headers)
    assert adopted.status_code == 200, adopted.text
    assert len(adopted.json()["plan"]) == 2
    assert step(web, curator, ref, "matched").status_code == 200
    assert step(web, curator, ref, "in_progress").status_code == 409  # nobody confirmed
    for member in adopted.json()["plan"]:
        confirmed = web.post(
            f"/api/v1/hub/requests/{ref}/engagements",
            json={"provider": member["provider"], "parts": member["parts"], "status": "confirmed"},
            headers=curator.headers,
        )
        assert confirmed.status_code == 200, confirmed.text
    funded = web.post(f"/api/v1/hub/requests/{ref}/fund", headers=focal.headers)
    assert funded.status_code == 200 and funded.json()["proposal"].startswith("P-")
    assert web.post(f"/api/v1/hub/requests/{ref}/fund", headers=focal.headers).status_code == 409
    assert step(web, curator, ref, "in_progress").status_code == 200
    commented = web.post(
        f"/api/v1/hub/requests/{ref}/comments",
        json={"text": "The inspectors' training is set for March."},
        headers=focal.headers,
    )
    assert commented.status_code == 200
    assert (
        step(
            web, curator, ref, "resolved", note="Decree drafted, 40 inspectors trained"
        ).status_code
        == 200
    )
    # Closing needs the requester's rating.
    assert step(web, focal, ref, "closed").status_code == 422
    plan_ids = [m["provider"] for m in adopted.json()["plan"]]
    closed = step(
        web,
        focal,
        ref,
        "closed",
        rating=5,
        lessons="Pairing policy advice with inspector training worked.",
        provider_ratings={plan_ids[0]: 5, plan_ids[1]: 4},
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["state"] == "closed" and body["rating"] == 5 and body["steps"] == []
    assert {m["rating"] for m in body["plan"]} == {5, 4}
    assert step(web, curator, ref, "triaged").json()["allowed"] == []
    # Every step is on the audit trail.
    with open_context() as ctx:
        steps = ctx.session.scalar(
            select(func.count()).where(
                AuditEntry.action == "request_step", AuditEntry.target == f"request:{ref}"
            )
        )
    assert steps == 5  # triaged, matched, in progress, resolved, closed
    # Published as a solution: a knowledge item anyone can find.
    published = web.post(f"/api/v1/hub/requests/{ref}/publish", headers=curator.headers)
    assert published.status_code == 200, published.text
    item = web.get(f"/api/v1/items/{published.json()['solution']}").json()
    assert item["type"] == "solution" and "Ministry of Labour" in item["text"]
    # Ratings now show on the providers.
    rated = web.get(f"/api/v1/hub/providers/{plan_ids[0]}").json()
    assert rated["rating"] == 5.0 and rated["ratings"] == 1


def test_an_anonymised_request_hides_who_asked(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    ref = file_request(
        web,
        people["focal_mex"],
        confidentiality="anonymised",
        contact_name="Ana",
        contact_email="ana@example.org",
        contact_consent=True,
    )["id"]
    public = web.get(f"/api/v1/hub/requests/{ref}").json()
    assert public["institution"] is None and public["country"] is None
    assert public["contact_email"] is None
    assert any(r["code"] == "419" for r in public["regions"])
    inside = web.get(f"/api/v1/hub/requests/{ref}", headers=people["focal_mex"].headers).json()
    assert inside["institution"] == "Ministry of Labour"
    assert inside["contact_email"] == "ana@example.org"
    assert {e["actor"] for e in public["events"]} == {""}  # the focal point's name is not shown
    listed = web.get("/api/v1/hub/requests").json()
    assert listed["requests"][0]["country"] is None


def test_a_private_request_is_seen_only_by_those_taking_part(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = file_request(web, people["focal_mex"], confidentiality="private")["id"]
    assert web.get(f"/api/v1/hub/requests/{ref}").status_code == 404
    assert (
        web.get(f"/api/v1/hub/requests/{ref}", headers=people["focal_fra"].headers).status_code
        == 404
    )
    assert (
        web.get(f"/api/v1/hub/requests/{ref}", headers=people["curator"].headers).status_code == 200
    )
    assert web.get("/api/v1/hub/requests").json()["total"] == 0
    assert web.get("/api/v1/hub/requests", headers=people["curator"].headers).json()["total"] == 1
    # A comment from someone outside does not reveal it either.
    outside = web.post(
        f"/api/v1/hub/requests/{ref}/comments",
        json={"text": "hello"},
        headers=people["partner"].headers,
    )
    assert outside.status_code == 404


def test_the_queue_filters_and_exports(web: TestClient, people: dict[str, Person]) -> None:
    file_request(web, people["focal_mex"])
    file_request(web, people["focal_mex"], objectives=["1"], support_types=["data_statistics"])
    curator = people["curator"].headers
    queue = web.get("/api/v1/hub/requests?objective=1&sort=due", headers=curator).json()
    assert queue["total"] == 1 and queue["requests"][0]["objectives"] == ["1"]
    assert queue["by_state"]["submitted"] == 1
    by_region = web.get(
        "/api/v1/hub/requests?region=Latin America and the Caribbean", headers=curator
    )
    assert by_region.json()["total"] == 2
    assert web.get("/api/v1/hub/requests?region=Europe", headers=curator).json()["total"] == 0
    bad = web.get("/api/v1/hub/requests?state=lost", headers=curator)
    assert bad.status_code == 400 and bad.json()["parameter"] == "state"
    csv = web.get("/api/v1/hub/requests?format=csv", headers=curator)
    assert csv.status_code == 200 and csv.headers["cache-control"].startswith("private")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("id,title,country,region,objectives")
    assert len(lines) == 3


def test_a_need_in_spanish_gets_its_objective_suggested(
    web: TestClient, people: dict[str, Person]
) -> None:
    made = file_request(
        web,
        people["focal_mex"],
        objectives=[],
        need="Queremos reducir el costo de las remesas que envían los trabajadores migrantes a "
        "sus familias y promover la inclusión financiera de los migrantes.",
    )
    assert made["language"] == "es"
    assert made["suggested"][0]["concept"] == "objective:20", made["suggested"]


def test_confirming_a_provider_keeps_its_part_and_the_need_language_is_kept(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    curator = people["curator"].headers
    made = file_request(web, people["focal_mex"], languages=[])
    assert made["languages"] == ["en"]  # the need is in English
    ref = made["id"]
    first = web.post(
        f"/api/v1/hub/requests/{ref}/engagements",
        json={"provider": "p-recruit", "parts": ["objective:6"], "role": "fee-ban advice"},
        headers=curator,
    )
    assert first.status_code == 200, first.text
    confirmed = web.post(
        f"/api/v1/hub/requests/{ref}/engagements",
        json={"provider": "p-recruit", "status": "confirmed"},
        headers=curator,
    ).json()["plan"][0]
    assert confirmed["status"] == "confirmed"
    assert confirmed["parts"] == ["objective:6"] and confirmed["role"] == "fee-ban advice"
    wrong = web.post(
        f"/api/v1/hub/requests/{ref}/engagements",
        json={"provider": "p-stats", "parts": ["objective:1"]},
        headers=curator,
    )
    assert wrong.status_code == 422 and "not parts of this request" in wrong.json()["detail"]
    assert len(web.get(f"/api/v1/hub/requests/{ref}", headers=curator).json()["plan"]) == 1
