"""Connections (who works on an objective in an area) and follows, on a small real setting.

The setting is built through the parts' actions on the demo's knowledge base: items tagged
objective 6 in Senegal (Western Africa, 202) and Mexico (419), providers with and without
consent, an organization pending then approved, a public and a private hub request for
Senegal, a fund project in Senegal, an event and pledges (written to their tables).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub.community.connections import connections
from gcmhub.community.models import Follow
from gcmhub.context import PUBLIC
from gcmhub.errors import InvalidInput
from gcmhub.hub.providers import provider_create
from gcmhub.hub.requests import request_create
from gcmhub.hub.schemas import ProviderWrite, RequestWrite
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person, sign_in
from tests.community import samples_connections as build

NEED = "We need help to set up labour inspection of recruitment agencies and fair fees."


def _item(web: TestClient, person: Person, title: str, country: str, objective: str) -> str:
    answer = web.post(
        "/api/v1/items",
        json={
            "title": title,
            "text": f"{title}. Fair recruitment.",
            "countries": [country],
            "objectives": [objective],
        },
        headers=person.headers,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _organization(web: TestClient, people: dict[str, Person], approve: bool) -> int:
    answer = web.post(
        "/api/v1/community/organizations",
        json={
            "name": "Senegalese workers abroad",
            "kind": "diaspora",
            "origin_countries": ["SEN"],
            "residence_countries": ["FRA"],
            "objectives": ["6"],
        },
        headers=people["partner"].headers,
    )
    assert answer.status_code == 201, answer.text
    found = int(answer.json()["id"])
    if approve:
        review = web.post(
            f"/api/v1/community/organizations/{found}/review",
            json={"decision": "approved"},
            headers=people["curator"].headers,
        )
        assert review.status_code == 200, review.text
    return found


def _requests() -> dict[str, str]:
    made = {}
    with open_context() as ctx:
        for confidentiality in ("public", "private"):
            found = request_create(
                ctx,
                RequestWrite(
                    country="SEN",
                    institution="Ministry of Labour",
                    title=f"Labour inspection ({confidentiality})",
                    need=NEED,
                    objectives=["6"],
                    support_types=["technical_assistance"],
                    confidentiality=confidentiality,
                ),
            )
            made[confidentiality] = found.id
    return made


def _providers() -> None:
    with open_context() as ctx:
        for name, consent in (("Recruitment watch", True), ("Hidden expert body", False)):
            provider_create(
                ctx,
                ProviderWrite(
                    kind="organization",
                    name=name,
                    description="Audits of recruitment agencies and fees.",
                    objectives=["6"],
                    countries=["SEN"],
                    consent=consent,
                ),
            )


@pytest.fixture
def setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    made: dict[str, Any] = {
        "sen_item": _item(web, people["partner"], "Fair fees in Senegal", "SEN", "6"),
        "mex_item": _item(web, people["focal_mex"], "Fair fees in Mexico", "MEX", "6"),
        "organization": _organization(web, people, approve=True),
        "requests": _requests(),
        "project": build.fund_project("SEN", "6"),
    }
    _providers()
    with open_context() as ctx:
        made["event"] = build.event_row(ctx, "Recruitment forum", ["GHA"], ["objective:6"]).id
        made["pledge"] = build.pledge_row(ctx, "Zero fees", ["SEN"], ["objective:6"]).id
        made["withdrawn"] = build.pledge_row(
            ctx, "Withdrawn pledge", ["SEN"], ["objective:6"], status="withdrawn"
        ).id
    return made


def _by_kind(found: dict[str, Any]) -> dict[str, list[str]]:
    return {s["kind"]: [e["id"] for e in s["entries"]] for s in found["sections"]}


def test_connections_join_each_kind_for_the_area_and_the_objective(
    web: TestClient, setting: dict[str, Any]
) -> None:
    answer = web.get("/api/v1/community/connections", params={"objective": "6", "area": "202"})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["objective"]["id"] == "objective:6"
    assert found["area"] == {"code": "202", "kind": "region", "label": "Sub-Saharan Africa"}
    kinds = _by_kind(found)
    assert list(kinds) == [
        "items",
        "providers",
        "organizations",
        "requests",
        "projects",
        "events",
        "pledges",
    ]
    assert setting["sen_item"] in kinds["items"]
    assert setting["mex_item"] not in kinds["items"]
    assert len(kinds["providers"]) == 1  # the one without consent is not shown
    assert kinds["organizations"] == [str(setting["organization"])]
    assert kinds["requests"] == [setting["requests"]["public"]]  # the private one: never
    assert kinds["projects"] == [setting["project"]]
    assert kinds["events"] == [str(setting["event"])]  # Ghana is in Western Africa too
    assert kinds["pledges"] == [str(setting["pledge"])]  # the withdrawn one is left out
    sections = {s["kind"]: s for s in found["sections"]}
    assert (
        sections["requests"]["entries"][0]["link"]
        == f"/hub/requests/{setting['requests']['public']}"
    )
    assert sections["projects"]["entries"][0]["link"] == f"/fund/projects/{setting['project']}"
    assert sections["organizations"]["entries"][0]["link"] == (
        f"/community/organizations/{setting['organization']}"
    )
    assert sections["items"]["entries"][0]["link"].startswith("/items/")
    assert found["total"] == sum(s["count"] for s in found["sections"])

    # Latin America: the Mexican item only; nothing of Senegal's.
    other = _by_kind(
        web.get("/api/v1/community/connections", params={"objective": "6", "area": "419"}).json()
    )
    assert setting["mex_item"] in other["items"] and setting["sen_item"] not in other["items"]
    assert other["organizations"] == other["requests"] == other["projects"] == []
    assert other["events"] == other["pledges"] == other["providers"] == []
    # The organization lives in France: it works in Europe too (residence), not for objective 7.
    europe = _by_kind(web.get("/api/v1/community/connections", params={"area": "150"}).json())
    assert europe["organizations"] == [str(setting["organization"])]
    seven = _by_kind(
        web.get("/api/v1/community/connections", params={"objective": "7", "area": "SEN"}).json()
    )
    assert seven["organizations"] == [] and seven["requests"] == []


def test_a_private_request_is_only_for_those_who_may_read_it(
    web: TestClient, people: dict[str, Person], setting: dict[str, Any]
) -> None:
    query = {"objective": "6", "area": "Senegal"}
    public = _by_kind(web.get("/api/v1/community/connections", params=query).json())
    assert public["requests"] == [setting["requests"]["public"]]
    curator = web.get(
        "/api/v1/community/connections", params=query, headers=people["curator"].headers
    ).json()
    assert sorted(_by_kind(curator)["requests"]) == sorted(setting["requests"].values())
    page = web.get("/community/connections", params={"objective": "6", "area": "202"})
    assert page.status_code == 200
    assert "Labour inspection (public)" in page.text
    assert "Labour inspection (private)" not in page.text
    assert "Hidden expert body" not in page.text


def test_both_filters_missing_or_unknown_are_refused(web: TestClient) -> None:
    missing = web.get("/api/v1/community/connections")
    assert missing.status_code == 422
    assert "objective, area" in missing.json()["detail"]
    unknown = web.get("/api/v1/community/connections", params={"objective": "99"})
    assert unknown.status_code == 422 and "objective" in unknown.json()["detail"]
    nowhere = web.get("/api/v1/community/connections", params={"area": "Atlantis"})
    assert nowhere.status_code == 422 and "area" in nowhere.json()["detail"]
    action = web.get("/api/v1/community/connections", params={"objective": "6a"})
    assert action.status_code == 422 and "action of objective 6" in action.json()["detail"]
    typo = web.get("/api/v1/community/connections", params={"objectiv": "6"})
    assert typo.status_code == 400
    with open_context(PUBLIC) as ctx, pytest.raises(InvalidInput):
        connections(ctx, " ", None)


def test_the_page_shows_a_picker_counts_per_region_and_a_follow_button(
    web: TestClient, people: dict[str, Person], setting: dict[str, Any]
) -> None:
    picker = web.get("/community/connections")
    assert picker.status_code == 200
    assert 'name="objective"' in picker.text and 'name="area"' in picker.text
    assert "region-counts" not in picker.text
    chosen = web.get("/community/connections", params={"objective": "6"})
    assert chosen.status_code == 200
    assert 'id="region-counts"' in chosen.text
    assert "/community/connections?objective=6&amp;area=002" in chosen.text
    assert "Sign in to follow" in chosen.text
    bad = web.get("/community/connections", params={"objective": "99"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text

    browser = TestClient(web.app)
    csrf = sign_in(browser, people["partner"].username)
    here = "/community/connections?objective=6&area=202"
    page = browser.get(here)
    assert ">Follow<" in page.text
    followed = browser.post(
        "/community/follows",
        data={"objective": "6", "area": "202", "next": here, "csrf": csrf},
        follow_redirects=False,
    )
    assert followed.status_code == 303 and followed.headers["location"] == here
    assert "Following (unfollow)" in browser.get(here).text
    # Another site is never where a form returns.
    again = browser.post(
        "/community/follows",
        data={"objective": "7", "next": "//evil.example.org/", "csrf": csrf},
        follow_redirects=False,
    )
    assert again.headers["location"] == "/community/follows?done=followed"


def _follow_count() -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(Follow)) or 0)


def test_follow_twice_is_a_conflict_and_bad_topics_change_nothing(
    web: TestClient, people: dict[str, Person]
) -> None:
    partner = people["partner"].headers
    first = web.post(
        "/api/v1/community/follows", json={"objective": "6", "area": "202"}, headers=partner
    )
    assert first.status_code == 201, first.text
    assert first.json()["key"] == "objective=6;area=202"
    assert first.json()["label"] == (
        "Objective 6: Facilitate fair and ethical recruitment and safeguard conditions that "
        "ensure decent work in Sub-Saharan Africa"
    )
    before = _follow_count()
    twice = web.post(
        "/api/v1/community/follows",
        json={"objective": "objective:6", "area": "Sub-Saharan Africa"},
        headers=partner,
    )
    assert twice.status_code == 409 and "already followed" in twice.json()["detail"]
    for body, status, word in (
        ({}, 422, "objective, area, organization"),
        ({"objective": "99"}, 422, "objective"),
        ({"area": "Atlantis"}, 422, "area"),
        ({"organization": 999999}, 404, "organization"),
        ({"organization": 1, "objective": "6"}, 422, "organization"),
        ({"objective": "6", "colour": "blue"}, 422, "colour"),
    ):
        answer = web.post("/api/v1/community/follows", json=body, headers=partner)
        assert answer.status_code == status, (body, answer.text)
        assert word in answer.text, (body, answer.text)
    assert _follow_count() == before
    # The same topic is followed by another person without conflict.
    other = web.post(
        "/api/v1/community/follows",
        json={"objective": "6", "area": "202"},
        headers=people["curator"].headers,
    )
    assert other.status_code == 201
    mine = web.get("/api/v1/community/follows", headers=partner).json()
    assert [f["id"] for f in mine] == [first.json()["id"]]
    assert web.get("/api/v1/community/follows").status_code == 401


def test_a_pending_organization_cannot_be_followed_an_approved_one_can(
    web: TestClient, people: dict[str, Person]
) -> None:
    pending = _organization(web, people, approve=False)
    stranger = web.post(
        "/api/v1/community/follows",
        json={"organization": pending},
        headers=people["focal_fra"].headers,
    )
    assert stranger.status_code == 404  # a pending organization does not exist for them
    owner = web.post(
        "/api/v1/community/follows",
        json={"organization": pending},
        headers=people["partner"].headers,
    )
    assert owner.status_code == 422 and "pending" in owner.json()["detail"]
    approved = _organization(web, people, approve=True)
    made = web.post(
        "/api/v1/community/follows",
        json={"organization": approved},
        headers=people["focal_fra"].headers,
    )
    assert made.status_code == 201
    assert made.json()["link"] == f"/community/organizations/{approved}"
    assert made.json()["organization_name"] == "Senegalese workers abroad"


def test_only_ones_own_follow_is_deleted(web: TestClient, people: dict[str, Person]) -> None:
    made = web.post(
        "/api/v1/community/follows", json={"area": "419"}, headers=people["partner"].headers
    ).json()
    theirs = web.delete(f"/api/v1/community/follows/{made['id']}", headers=people["admin"].headers)
    assert theirs.status_code == 404
    assert _follow_count() == 1
    assert web.delete(f"/api/v1/community/follows/{made['id']}").status_code == 401
    mine = web.delete(f"/api/v1/community/follows/{made['id']}", headers=people["partner"].headers)
    assert mine.status_code == 204
    assert _follow_count() == 0
    gone = web.delete(f"/api/v1/community/follows/{made['id']}", headers=people["partner"].headers)
    assert gone.status_code == 404


def test_the_follows_page_lists_unfollows_and_refuses_on_the_page(
    web: TestClient, people: dict[str, Person]
) -> None:
    assert web.get("/community/follows", follow_redirects=False).status_code == 303
    browser = TestClient(web.app)
    csrf = sign_in(browser, people["focal_mex"].username)
    made = browser.post(
        "/community/follows",
        data={"objective": "6", "area": "MEX", "csrf": csrf},
        follow_redirects=False,
    )
    assert made.headers["location"] == "/community/follows?done=followed"
    page = browser.get("/community/follows?done=followed")
    assert "You follow it now" in page.text and "in Mexico" in page.text
    assert "No digest has been sent to you yet." in page.text
    twice = browser.post("/community/follows", data={"objective": "6", "area": "MEX", "csrf": csrf})
    assert twice.status_code == 409 and "already followed" in twice.text
    nothing = browser.post("/community/follows", data={"csrf": csrf})
    assert nothing.status_code == 422
    forged = browser.post("/community/follows", data={"objective": "5", "csrf": "forged"})
    assert forged.status_code == 403
    with open_context() as ctx:
        follow_id = ctx.session.scalar(select(Follow.id))
    gone = browser.post(
        f"/community/follows/{follow_id}/delete", data={"csrf": csrf}, follow_redirects=False
    )
    assert gone.headers["location"] == "/community/follows?done=unfollowed"
    assert _follow_count() == 0
    again = browser.post(f"/community/follows/{follow_id}/delete", data={"csrf": csrf})
    assert again.status_code == 404
