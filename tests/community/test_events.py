"""Events: recorded, published as knowledge items and kept in step, found, refused safely."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from gcmhub.cli import app
from gcmhub.community.models import Event
from gcmhub.errors import BadParameter
from gcmhub.knowledge.models import Item, ItemConcept
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person, sign_in
from tests.community.samples_events import EVENT, ORGANIZATION

API = "/api/v1/community"


def _count(table: Any) -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(table)) or 0)


def _counts() -> tuple[int, int]:
    return _count(Event), _count(Item)


def _event(web: TestClient, person: Person, **extra: Any) -> dict[str, Any]:
    answer = web.post(f"{API}/events", json={**EVENT, **extra}, headers=person.headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _item(ref: str) -> tuple[Item, list[str]]:
    with open_context() as ctx:
        item = ctx.session.scalar(select(Item).where(Item.ref == ref))
        assert item is not None
        tags = sorted(
            ctx.session.scalars(
                select(ItemConcept.concept_id).where(
                    ItemConcept.item_id == item.id, ItemConcept.origin == "source"
                )
            )
        )
        ctx.session.expunge(item)
    return item, tags


def _found(web: TestClient, words: str, kind: str) -> list[str]:
    answer = web.get(
        "/api/v1/search", params={"q": words, "type": kind, "mode": "lexical", "limit": 50}
    )
    assert answer.status_code == 200, answer.text
    return [hit["id"] for hit in answer.json()["hits"]]


def test_an_event_is_published_as_a_knowledge_item_and_found(
    web: TestClient, people: dict[str, Person]
) -> None:
    made = _event(web, people["partner"])
    assert made["countries"] == ["GTM", "MEX"] and made["regions"] == ["013"]
    assert made["objectives"] == ["objective:6"] and made["when"] == "ongoing"
    item, tags = _item(made["item_ref"])
    assert item.type == "event" and item.title == EVENT["title"]
    assert item.url is not None and item.url.endswith(f"/community/events/{made['id']}")
    assert item.owner_id is None  # the platform's: the event is the record
    assert {"country:GTM", "country:MEX", "objective:6", "region:013"} <= set(tags)
    assert made["item_ref"] in _found(web, "labour dialogue", "event")
    assert made["item_ref"] not in _found(web, "labour dialogue", "pledge")

    shown = web.get(f"{API}/events/{made['id']}").json()
    assert shown["title"] == EVENT["title"] and shown["city"] == "Mexico City"
    for params in (
        {"objective": "6"},
        {"country": "Guatemala"},
        {"region": "013"},
        {"region": "019"},  # the Americas, through the event's countries
        {"scope": "regional"},
        {"q": "recruitment corridor"},
        {"from": "2050-01-01", "to": "2050-12-31"},
    ):
        listed = web.get(f"{API}/events", params=params)
        assert listed.status_code == 200, (params, listed.text)
        assert [e["id"] for e in listed.json()] == [made["id"]], params
    for params in (
        {"objective": "7"},
        {"country": "FRA"},
        {"region": "150"},
        {"scope": "local"},
        {"status": "cancelled"},
        {"q": "remittances"},
        {"to": "1999-12-31"},
    ):
        assert web.get(f"{API}/events", params=params).json() == [], params
    refused = web.get(f"{API}/events", params={"colour": "blue"})
    assert refused.status_code == 400 and "colour" in refused.text
    assert web.get(f"{API}/events", params={"from": "soon"}).status_code == 400

    download = web.get(f"{API}/events", params={"format": "csv", "objective": "6"})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [(r["id"], r["countries"], r["item_ref"]) for r in rows] == [
        (str(made["id"]), "GTM;MEX", made["item_ref"])
    ]
    assert web.get(f"{API}/events", params={"format": "json"}).json()["count"] == 1


def test_changes_keep_the_item_in_step(web: TestClient, people: dict[str, Person]) -> None:
    made = _event(web, people["partner"])
    items = _count(Item)
    changed = web.patch(
        f"{API}/events/{made['id']}",
        json={"title": "Dialogue on seasonal work", "objectives": ["7"], "countries": ["FRA"]},
        headers=people["partner"].headers,
    )
    assert changed.status_code == 200, changed.text
    item, tags = _item(made["item_ref"])
    assert item.title == "Dialogue on seasonal work"
    assert "objective:7" in tags and "objective:6" not in tags
    assert "country:FRA" in tags and "country:MEX" not in tags
    assert made["item_ref"] in _found(web, "seasonal", "event")
    assert made["item_ref"] not in _found(web, "migration", "event")  # the old title
    assert _count(Item) == items  # the same item, changed

    refused = web.patch(
        f"{API}/events/{made['id']}",
        json={"title": "Hijacked"},
        headers=people["focal_fra"].headers,
    )
    assert refused.status_code == 403
    by_curator = web.post(
        f"{API}/events/{made['id']}/outcomes",
        json={"outcomes": "A joint roadmap on seasonal visas."},
        headers=people["curator"].headers,
    )
    assert by_curator.status_code == 200, by_curator.text
    assert by_curator.json()["outcomes_at"] is not None
    assert "roadmap" in _item(made["item_ref"])[0].text
    assert made["item_ref"] in _found(web, "roadmap", "event")

    cancelled = web.post(
        f"{API}/events/{made['id']}/cancel",
        json={"reason": "Venue closed"},
        headers=people["partner"].headers,
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    item, _ = _item(made["item_ref"])
    assert "Cancelled" in item.text and item.title.endswith("(cancelled)")
    again = web.patch(
        f"{API}/events/{made['id']}", json={"title": "Back on"}, headers=people["partner"].headers
    )
    assert again.status_code == 409 and "cancelled" in again.text


def test_outcomes_wait_for_the_start_date(web: TestClient, people: dict[str, Person]) -> None:
    soon = date.today() + timedelta(days=30)
    made = _event(web, people["partner"], starts_on=soon.isoformat(), ends_on=soon.isoformat())
    assert made["when"] == "upcoming"
    early = web.post(
        f"{API}/events/{made['id']}/outcomes",
        json={"outcomes": "Too early."},
        headers=people["partner"].headers,
    )
    assert early.status_code == 409 and soon.isoformat() in early.text
    assert web.get(f"{API}/events/{made['id']}").json()["outcomes"] == ""


def test_bad_input_changes_nothing(web: TestClient, people: dict[str, Person]) -> None:
    partner = people["partner"]
    registered = web.post(f"{API}/organizations", json=ORGANIZATION, headers=partner.headers)
    pending = registered.json()["id"]
    before = _counts()
    for body, status, words in (
        ({"starts_on": "2030-05-02", "ends_on": "2030-05-01"}, 422, "ends_on"),
        ({"city": "12 rue Garibaldi"}, 422, "city"),
        ({"regions": ["999"]}, 422, "regions.0"),
        ({"countries": ["Atlantis"]}, 422, "countries.0"),
        ({"objectives": ["99"]}, 422, "objectives.0"),
        ({"organization_id": pending}, 422, "organization_id"),  # not approved yet
        ({"scope": "galactic"}, 422, "scope"),
    ):
        answer = web.post(f"{API}/events", json={**EVENT, **body}, headers=partner.headers)
        assert answer.status_code == status and words in answer.text, (body, answer.text)
    web.post(
        f"{API}/organizations/{pending}/review",
        json={"decision": "approved"},
        headers=people["curator"].headers,
    )
    other = web.post(
        f"{API}/events",
        json={**EVENT, "organization_id": pending},
        headers=people["focal_fra"].headers,
    )
    assert other.status_code == 403 and "organization_id" in other.text
    assert web.post(f"{API}/events", json=EVENT).status_code == 401
    assert _counts() == before

    made = _event(web, partner, organization_id=pending)
    before = _counts()
    bad = web.patch(
        f"{API}/events/{made['id']}", json={"ends_on": "1999-01-01"}, headers=partner.headers
    )
    assert bad.status_code == 422 and "ends_on" in bad.text
    assert web.get(f"{API}/events/{made['id']}").json()["ends_on"] == EVENT["ends_on"]
    assert _counts() == before


def test_the_pages_record_list_and_change_an_event(
    web: TestClient, people: dict[str, Person]
) -> None:
    assert web.get("/community/events/new", follow_redirects=False).status_code == 303
    csrf = sign_in(web, people["partner"].username)
    form = web.get("/community/events/new")
    assert form.status_code == 200 and 'name="csrf"' in form.text
    fields = {
        "csrf": csrf,
        "title": "Forum on diaspora investment",
        "organizer": "Diaspora council",
        "scope": "national",
        "modality": "in_person",
        "starts_on": "2031-05-02",
        "ends_on": "2031-05-01",
        "countries": "Senegal",
        "city": "Dakar",
        "objectives": "objective:19",
    }
    before = _counts()
    refused = web.post("/community/events/new", data=fields)
    assert refused.status_code == 422 and "ends_on" in refused.text
    assert 'value="Forum on diaspora investment"' in refused.text  # what was typed is kept
    assert _counts() == before
    made = web.post(
        "/community/events/new", data={**fields, "ends_on": "2031-05-03"}, follow_redirects=False
    )
    assert made.status_code == 303, made.text[:500]
    page = web.get(made.headers["location"])
    assert page.status_code == 200 and "Forum on diaspora investment" in page.text
    assert "/items/" in page.text and 'action="/community/events/' in page.text
    event_id = int(made.headers["location"].split("/")[-1].split("?")[0])

    listed = web.get("/community/events", params={"objective": "objective:19"})
    assert listed.status_code == 200 and "Forum on diaspora investment" in listed.text
    assert "format=csv" in listed.text
    assert web.get("/community/events", params={"colour": "blue"}).status_code == 400

    edited = web.post(
        f"/community/events/{event_id}/edit",
        data={**fields, "ends_on": "2031-05-03", "title": "Forum on diaspora bonds"},
        follow_redirects=False,
    )
    assert edited.status_code == 303, edited.text[:500]
    with open_context() as ctx:
        row = ctx.session.get(Event, event_id)
        assert row is not None and row.title == "Forum on diaspora bonds"
        ref = row.item_ref
    assert ref is not None and _item(ref)[0].title == "Forum on diaspora bonds"
    early = web.post(
        f"/community/events/{event_id}/outcomes", data={"csrf": csrf, "outcomes": "x y z"}
    )
    assert early.status_code == 409 and "2031-05-02" in early.text

    other = TestClient(web.app)
    sign_in(other, people["focal_fra"].username)
    shown = other.get(f"/community/events/{event_id}")
    assert shown.status_code == 200 and f"/community/events/{event_id}/edit" not in shown.text


def test_the_command_line_lists_events_as_json(web: TestClient, people: dict[str, Person]) -> None:
    made = _event(web, people["partner"])
    local = _event(web, people["partner"], title="Local fair", scope="local", objectives=["16"])
    result = CliRunner().invoke(app, ["community", "events", "--json", "--objective", "6"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert [e["id"] for e in found] == [made["id"]] and found[0]["item_ref"] == made["item_ref"]
    table = CliRunner().invoke(app, ["community", "events", "--scope", "local"])
    assert table.exit_code == 0 and f"│ {local['id']} " in table.output
    assert f"│ {made['id']} " not in table.output
    wrong = CliRunner().invoke(app, ["community", "events", "--scope", "galactic"])
    assert isinstance(wrong.exception, BadParameter) and "scope" in str(wrong.exception)
