"""Pledges: who may pledge, progress reports kept as sent, overdue, search, the review."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from gcmhub.cli import app
from gcmhub.community.models import Pledge, PledgeUpdate
from gcmhub.knowledge.actions import item_search
from gcmhub.knowledge.models import Item
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person, sign_in
from tests.community.samples_events import EVENT, ORGANIZATION, PLEDGE

API = "/api/v1/community"


def _count(table: Any) -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(table)) or 0)


def _counts() -> tuple[int, int, int]:
    return _count(Pledge), _count(PledgeUpdate), _count(Item)


def _pledge(web: TestClient, person: Person, **extra: Any) -> dict[str, Any]:
    answer = web.post(f"{API}/pledges", json={**PLEDGE, **extra}, headers=person.headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _report(web: TestClient, person: Person, pledge: int, **body: Any) -> Any:
    return web.post(f"{API}/pledges/{pledge}/updates", json=body, headers=person.headers)


def _item_text(ref: str) -> tuple[str, str]:
    with open_context() as ctx:
        item = ctx.session.scalar(select(Item).where(Item.ref == ref))
        assert item is not None
        return item.title, item.text


def _organization(web: TestClient, people: dict[str, Person], approve: bool = True) -> int:
    registered = web.post(
        f"{API}/organizations", json=ORGANIZATION, headers=people["partner"].headers
    )
    assert registered.status_code == 201, registered.text
    ref = int(registered.json()["id"])
    if approve:
        web.post(
            f"{API}/organizations/{ref}/review",
            json={"decision": "approved"},
            headers=people["curator"].headers,
        )
    return ref


def test_who_may_pledge_for_whom(web: TestClient, people: dict[str, Person]) -> None:
    made = _pledge(web, people["focal_mex"], country="Mexico")
    assert made["country"] == "MEX" and made["pledger"] == "Mexico"
    assert made["status"] == "pledged" and made["progress"] == 0 and not made["overdue"]
    assert made["objectives"] == ["objective:20"] and made["item_ref"]

    pending = _organization(web, people, approve=False)
    before = _counts()
    for person, body, status, words in (
        ("focal_mex", {"country": "FRA"}, 403, "community pledge create"),
        ("partner", {}, 403, "community pledge create"),
        ("focal_mex", {"country": None}, 422, "country"),
        ("focal_mex", {"due_on": "someday"}, 422, "due_on"),
        ("partner", {"pledger_kind": "diaspora", "country": None}, 422, "organization_id"),
        (
            "partner",
            {"pledger_kind": "diaspora", "country": None, "organization_id": pending},
            403,  # not approved: no one may pledge in its name yet
            "community pledge create",
        ),
    ):
        answer = web.post(f"{API}/pledges", json={**PLEDGE, **body}, headers=people[person].headers)
        assert answer.status_code == status and words in answer.text, (person, body, answer.text)
    assert web.post(f"{API}/pledges", json=PLEDGE).status_code == 401
    assert _counts() == before

    organization = _organization(web, people)
    in_its_name = {"pledger_kind": "diaspora", "country": None, "organization_id": organization}
    mine = _pledge(web, people["partner"], **in_its_name)
    assert mine["pledger"] == ORGANIZATION["name"] and mine["organization_id"] == organization
    before = _counts()
    other = web.post(
        f"{API}/pledges", json={**PLEDGE, **in_its_name}, headers=people["focal_fra"].headers
    )
    assert other.status_code == 403
    wrong_kind = web.post(
        f"{API}/pledges",
        json={**PLEDGE, **in_its_name, "pledger_kind": "academia"},
        headers=people["partner"].headers,
    )
    assert wrong_kind.status_code == 422 and "pledger_kind" in wrong_kind.text
    assert _counts() == before
    assert _pledge(web, people["curator"], **in_its_name)["organization_id"] == organization


def test_progress_reports_are_kept_and_checked(web: TestClient, people: dict[str, Person]) -> None:
    made = _pledge(web, people["curator"])  # in Mexico's name
    ref = made["id"]
    before = _counts()
    for person, body, status, words in (
        ("focal_mex", {"progress": 120, "status": "in_progress"}, 422, "progress"),
        ("focal_mex", {"progress": -5, "status": "in_progress"}, 422, "progress"),
        ("focal_mex", {"progress": 50, "status": "fulfilled"}, 422, "100"),
        ("focal_mex", {"progress": 50, "status": "done"}, 422, "status"),
        (
            "focal_mex",
            {"progress": 50, "status": "in_progress", "reported_on": "2999-01-01"},
            422,
            "reported_on",
        ),
        ("focal_fra", {"progress": 50, "status": "in_progress"}, 403, "community pledge update"),
        ("partner", {"progress": 50, "status": "in_progress"}, 403, "community pledge update"),
    ):
        answer = _report(web, people[person], ref, **body)
        assert answer.status_code == status and words in answer.text, (body, answer.text)
    assert _counts() == before

    halfway = _report(web, people["focal_mex"], ref, progress=50, status="in_progress", note="Law")
    assert halfway.status_code == 201, halfway.text
    assert halfway.json()["progress"] == 50 and halfway.json()["status"] == "in_progress"
    assert "50 %" in _item_text(made["item_ref"])[1]
    done = _report(web, people["curator"], ref, progress=100, status="fulfilled")
    assert done.status_code == 201, done.text
    before = _counts()
    late = _report(web, people["focal_mex"], ref, progress=100, status="in_progress")
    assert late.status_code == 409 and "fulfilled" in late.text
    assert _counts() == before

    shown = web.get(f"{API}/pledges/{ref}").json()
    assert [(u["progress"], u["status"], u["note"]) for u in shown["updates"]] == [
        (50, "in_progress", "Law"),
        (100, "fulfilled", ""),
    ]
    assert shown["progress"] == 100 and shown["status"] == "fulfilled"

    withdrawn = _pledge(web, people["focal_mex"], title="Return and reintegration fund")
    _report(web, people["focal_mex"], withdrawn["id"], progress=10, status="withdrawn")
    title, text = _item_text(withdrawn["item_ref"])
    assert title.endswith("(withdrawn)") and "Withdrawn" in text
    again = _report(web, people["curator"], withdrawn["id"], progress=20, status="in_progress")
    assert again.status_code == 409


def test_overdue_pledges_are_found_and_published(
    web: TestClient, people: dict[str, Person]
) -> None:
    past = (date.today() - timedelta(days=1)).isoformat()
    late = _pledge(web, people["focal_mex"], title="Consular registration", due_on=past)
    kept = _pledge(web, people["focal_mex"], title="Remittance cost cut", due_on=past)
    _report(web, people["focal_mex"], kept["id"], progress=100, status="fulfilled")
    future = _pledge(web, people["focal_mex"], title="Diaspora bonds", objectives=["19"])
    assert late["overdue"] and not future["overdue"]

    def ids(**params: str) -> list[int]:
        answer = web.get(f"{API}/pledges", params=params)
        assert answer.status_code == 200, (params, answer.text)
        return [p["id"] for p in answer.json()]

    assert ids(overdue="true") == [late["id"]]
    assert ids(overdue="false") == [kept["id"], future["id"]]
    assert ids(objective="19") == [future["id"]]
    assert ids(status="fulfilled") == [kept["id"]]
    assert ids(country="Mexico", q="consular") == [late["id"]]
    assert ids(pledger_kind="diaspora") == []
    assert web.get(f"{API}/pledges", params={"overdue": "maybe"}).status_code == 400
    assert web.get(f"{API}/pledges", params={"colour": "red"}).status_code == 400
    download = web.get(f"{API}/pledges", params={"format": "csv", "overdue": "true"})
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [(r["id"], r["overdue"]) for r in rows] == [(str(late["id"]), "True")]

    with open_context() as ctx:
        found = item_search(ctx, "diaspora bonds", {"type": ["pledge"]}, mode="lexical")
    assert [h.id for h in found.hits] == [future["item_ref"]]
    answer = web.get("/api/v1/search", params={"q": "consular registration", "type": "pledge"})
    assert late["item_ref"] in [h["id"] for h in answer.json()["hits"]]

    result = CliRunner().invoke(app, ["community", "pledges", "--json", "--overdue"])
    assert result.exit_code == 0, result.output
    assert [p["id"] for p in json.loads(result.output)] == [late["id"]]


def test_the_review_dashboard_counts_pledges_and_events_per_objective(
    web: TestClient, people: dict[str, Person]
) -> None:
    past = (date.today() - timedelta(days=1)).isoformat()
    first = _pledge(web, people["focal_mex"], objectives=["20", "objective:6a"])
    _report(web, people["focal_mex"], first["id"], progress=100, status="fulfilled")
    second = _pledge(web, people["focal_mex"], due_on=past)
    _report(web, people["focal_mex"], second["id"], progress=40, status="in_progress")
    gone = _pledge(web, people["focal_mex"])
    _report(web, people["focal_mex"], gone["id"], progress=0, status="withdrawn")
    web.post(
        f"{API}/events", json={**EVENT, "objectives": ["20"]}, headers=people["partner"].headers
    )

    from gcmhub.review.progress import community_progress

    with open_context() as ctx:
        rows = {r.code: r for r in community_progress(ctx)}
        france = {r.code: r for r in community_progress(ctx, "FRA")}
    twenty = rows["20"]
    assert (twenty.pledges, twenty.fulfilled, twenty.mean_progress, twenty.overdue) == (
        2,
        1,
        70.0,
        1,
    )
    assert twenty.events == 1 and rows["6"].pledges == 1 and rows["6"].events == 0
    assert f"pledge:{gone['id']}" not in twenty.records["pledges"]
    assert france["20"].pledges == 0

    objectives = web.get("/api/v1/review/progress/objectives").json()
    by_code = {o["code"]: o for o in objectives}
    assert sorted(by_code["20"]["records"]["pledges"]) == sorted(
        [f"pledge:{first['id']}", f"pledge:{second['id']}"]
    )

    page = web.get("/review")
    assert page.status_code == 200
    table = page.text.split('id="pledges-table"', 1)[1].split("</table>", 1)[0]
    row = next(r for r in table.split("<tr>") if 'href="/objectives/20"' in r)
    cells = [re.sub("<[^>]+>", "", c) for c in re.findall(r'<td class="num">(.*?)</td>', row)]
    assert cells == ["2", "1", "70%", "1", "1"]


def test_the_pages_make_and_report_on_a_pledge(web: TestClient, people: dict[str, Person]) -> None:
    assert web.get("/community/pledges/new", follow_redirects=False).status_code == 303
    csrf = sign_in(web, people["focal_mex"].username)
    form = web.get("/community/pledges/new")
    assert form.status_code == 200 and 'value="MEX"' in form.text
    fields = {
        "csrf": csrf,
        "title": "Skills partnership",
        "pledger_kind": "member_state",
        "country": "FRA",
        "description": "Train and certify 1,000 workers.",
        "objectives": "objective:18",
        "due_on": "2032-01-01",
    }
    before = _counts()
    refused = web.post("/community/pledges/new", data=fields)
    assert refused.status_code == 403 and 'value="Skills partnership"' in refused.text
    assert _counts() == before
    made = web.post(
        "/community/pledges/new", data={**fields, "country": "MEX"}, follow_redirects=False
    )
    assert made.status_code == 303, made.text[:500]
    page = web.get(made.headers["location"])
    assert page.status_code == 200 and "Skills partnership" in page.text
    assert "/updates" in page.text and "<meter" in page.text
    pledge = int(made.headers["location"].split("/")[-1].split("?")[0])

    before = _counts()
    bad = web.post(
        f"/community/pledges/{pledge}/updates",
        data={"csrf": csrf, "progress": "120", "status": "in_progress", "note": ""},
    )
    assert bad.status_code == 422 and "progress" in bad.text
    assert _counts() == before
    good = web.post(
        f"/community/pledges/{pledge}/updates",
        data={"csrf": csrf, "progress": "30", "status": "in_progress", "note": "First cohort"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert "First cohort" in web.get(f"/community/pledges/{pledge}").text

    listed = web.get("/community/pledges", params={"objective": "objective:18"})
    assert listed.status_code == 200 and "Skills partnership" in listed.text
    assert 'value="30"' in listed.text and "format=csv" in listed.text
    public = TestClient(web.app).get(f"/community/pledges/{pledge}")
    assert public.status_code == 200 and "/updates" not in public.text
