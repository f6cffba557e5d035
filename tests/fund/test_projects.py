"""Projects: a call's allocation through the engine, manual allocation, tranches, reports, the
gateway's figures, the CRS download and a donor's report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from gcmhub.accounts.actions import token_create, user_add
from gcmhub.accounts.audit import now
from gcmhub.accounts.schemas import TokenRequest
from gcmhub.fund import calls, contributions, ledger
from gcmhub.fund.models import Allocation, Call, Entry, Proposal, Tranche, Transaction
from gcmhub.fund.schemas import CallWrite, DepositWrite, DonorWrite, PledgeWrite, ProposalUpdate
from gcmhub.runtime import open_context
from gcmhub.web.app import create_app
from tests.accounts import conftest as accounts
from tests.accounts.conftest import PASSWORD, Person

fresh_limits = accounts.fresh_limits

PEOPLE = {
    "fund-manager": (["fund_manager"], None),
    "reviewer": (["curator"], "OHCHR"),
    "iom-officer": (["partner"], "IOM"),
    "unhcr-officer": (["partner"], "UNHCR"),
}
SCORES = {  # relevance, feasibility, guiding principles, sustainability (0-5): total 0-100
    "high": {"relevance": 5, "feasibility": 5, "guiding_principles": 5, "sustainability": 5},
    "good": {"relevance": 4, "feasibility": 4, "guiding_principles": 4, "sustainability": 4},
    "fair": {"relevance": 3, "feasibility": 3, "guiding_principles": 3, "sustainability": 3},
}
# (country, area, amount, score, gender marker)
PROPOSALS = [
    ("MEX", "TA1", "400000", "high", 2),
    ("MEX", "TA4", "300000", "good", 2),  # a second for Mexico: one per country keeps it out
    ("SEN", "TA2", "300000", "good", 1),
    ("PHL", "TA3", "350000", "fair", 3),
    ("NPL", "TA2", "200000", "fair", 0),
]


@pytest.fixture
def people() -> dict[str, Person]:
    made = {}
    with open_context() as ctx:
        for name, (roles, organization) in PEOPLE.items():
            user_add(ctx, name, roles, organization=organization, password=PASSWORD)
            token = token_create(ctx, name, TokenRequest(name="tests", scopes=["read", "write"]))
            made[name] = Person(name, token.token)
    return made


@pytest.fixture
def web(people: dict[str, Person]) -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        yield client


def _money_in() -> dict[str, str]:
    """Two donors: one gives USD 1,000,000 to the general fund, one USD 400,000 earmarked to
    thematic area 2. The AA takes 1 %: 990,000 and 396,000 reach the sub-funds."""
    with open_context() as ctx:
        first = contributions.donor_create(ctx, DonorWrite(name="Donor A", type="member_state"))
        second = contributions.donor_create(ctx, DonorWrite(name="Donor B", type="foundation"))
        general = contributions.pledge_create(
            ctx, PledgeWrite(donor=first.id, amount="1000000", currency="USD")
        )
        earmarked = contributions.pledge_create(
            ctx, PledgeWrite(donor=second.id, amount="400000", currency="USD", earmark="area:ta2")
        )
        contributions.deposit_create(
            ctx, DepositWrite(pledge=general.id, amount="1000000", currency="USD")
        )
        contributions.deposit_create(
            ctx, DepositWrite(pledge=earmarked.id, amount="400000", currency="USD")
        )
    return {"A": first.id, "B": second.id}


def _closed_call(web: TestClient, people: dict[str, Person], rules: dict[str, Any]) -> str:
    """A call with PROPOSALS submitted, reviewed and approved, its deadline then past."""
    with open_context() as ctx:
        call = calls.call_create(
            ctx,
            CallWrite(
                title="Call 2027",
                budget="1,200,000",
                deadline=now().date() + timedelta(days=5),
                rules=rules,  # type: ignore[arg-type]
            ),
        )
        for n, (country, area, amount, _, gender) in enumerate(PROPOSALS, start=1):
            ref = f"P-TEST-{n:04d}"
            ctx.session.add(
                Proposal(
                    ref=ref,
                    title=f"Project {n} in {country}",
                    summary="Fair recruitment and labour inspection.",
                    country=country,
                    objectives=["objective:6"],
                    partners=[],
                    status="draft",
                    created_by="system",
                    created_at=now(),
                )
            )
            ctx.session.flush()
            calls.proposal_update(
                ctx,
                ref,
                ProposalUpdate(
                    call=call.id,
                    area=area,
                    amount=amount,
                    budget_lines=[{"item": "Everything", "amount": amount}],  # type: ignore[list-item]
                    participating=["IOM", "UNHCR"],
                    endorsed=True,
                    gender_marker=gender,
                    human_rights_marker=2,
                    child_marker=1,
                ),
            )
            calls.proposal_submit(ctx, ref)
    for n, (*_, score, _) in enumerate(PROPOSALS, start=1):
        ref = f"P-TEST-{n:04d}"
        answer = web.post(
            f"/api/v1/fund/proposals/{ref}/reviews",
            json={"scores": SCORES[score]},
            headers=people["reviewer"].headers,
        )
        assert answer.status_code == 201, answer.text
        answer = web.post(
            f"/api/v1/fund/proposals/{ref}/decision",
            json={"decision": "approved", "note": "Approved by the steering committee"},
            headers=people["fund-manager"].headers,
        )
        assert answer.status_code == 200, answer.text
    with open_context() as ctx:
        ctx.session.execute(
            update(Call).where(Call.ref == call.id).values(deadline=now().date() - timedelta(1))
        )
    return call.id


def _counts() -> tuple[int, int, int, int]:
    with open_context() as ctx:
        return tuple(  # type: ignore[return-value]
            int(ctx.session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Transaction, Entry, Allocation, Tranche)
        )


def test_a_call_is_allocated_by_the_engine_with_reasons_and_the_money_moves_in_the_ledger(
    web: TestClient, people: dict[str, Person]
) -> None:
    _money_in()
    call = _closed_call(
        web, people, {"one_per_country": True, "area_shares": {"TA2": {"max": 0.5}}}
    )
    fm = people["fund-manager"].headers

    preview = web.post(f"/api/v1/fund/calls/{call}/allocation/preview", headers=fm)
    assert preview.status_code == 200, preview.text
    found = preview.json()
    assert found["applied"] is False and found["status"] == "optimal"
    lines = {line["proposal"]: line for line in found["lines"]}
    # One per country: Mexico's second proposal (good, 300,000) stays out, with that reason.
    assert lines["P-TEST-0001"]["outcome"] == "funded"
    assert lines["P-TEST-0002"]["outcome"] != "funded"
    assert "one project per country" in lines["P-TEST-0002"]["explanation"]
    funded = [r for r, line in lines.items() if line["outcome"] == "funded"]
    total = sum(Decimal(lines[r]["funded"]) for r in funded)
    assert Decimal(found["total_allocated"]) == total <= Decimal("1200000")
    # Senegal's TA2 proposal is paid from the TA2 sub-fund first (earmarked money first).
    assert lines["P-TEST-0003"]["sources"] == {"area:ta2": "300000.00"}
    assert found["total_value"] >= found["greedy_value"]
    assert _counts()[0] == 4  # the preview wrote nothing: two pledges, two deposits

    # What-if: without one per country, Mexico's second proposal gets in instead.
    other = web.post(
        f"/api/v1/fund/calls/{call}/allocation/preview",
        json={"rules": {"area_shares": {"TA2": {"max": 0.5}}}},
        headers=fm,
    ).json()
    assert other["rules_used"]["one_per_country"] is False
    assert other["what_if"] and other["what_if"][0].startswith("Against the call's own rules")
    assert any("P-TEST-0002" in s for s in other["what_if"])

    applied = web.post(f"/api/v1/fund/calls/{call}/allocation", json={}, headers=fm)
    assert applied.status_code == 201, applied.text
    assert {
        line["proposal"] for line in applied.json()["lines"] if line["outcome"] == "funded"
    } == set(funded)
    assert web.get(f"/api/v1/fund/calls/{call}").json()["status"] == "decided"
    again = web.post(f"/api/v1/fund/calls/{call}/allocation", json={}, headers=fm)
    assert again.status_code == 409

    with open_context() as ctx:
        assert ledger.ledger_check(ctx).problems == []
        held = {b.code: b.normal_balance for b in ledger.balance_list(ctx)}
    assert held["allocated:area:ta2"] == Decimal("300000.00")
    assert held["allocated:general"] == total - Decimal("300000.00")
    assert held["cash:general"] == Decimal("990000.00") - held["allocated:general"]
    # The pipeline keeps the approved proposals that got no money.
    pipeline = {p["id"] for p in web.get("/api/v1/fund/pipeline").json()}
    assert pipeline == {line["proposal"] for line in found["lines"]} - set(funded)
    project = web.get("/api/v1/fund/projects/P-TEST-0001").json()
    assert project["status"] == "funded" and project["allocated"] == "400000.00"
    assert [t["amount"] for t in project["tranches"]] == ["240000.00", "160000.00"]  # 60/40


def test_an_open_call_is_not_allocated_and_infeasible_rules_are_named(
    web: TestClient, people: dict[str, Person]
) -> None:
    _money_in()
    call = _closed_call(
        web,
        people,
        {"area_shares": {"TA1": {"min": 0.9}, "TA2": {"min": 0.5}}},
    )
    fm = people["fund-manager"].headers
    before = _counts()
    answer = web.post(f"/api/v1/fund/calls/{call}/allocation", json={}, headers=fm)
    assert answer.status_code == 422
    assert "TA" in answer.json()["detail"].upper()
    assert _counts() == before
    with open_context() as ctx:
        ctx.session.execute(
            update(Call).where(Call.ref == call).values(deadline=now().date() + timedelta(3))
        )
    answer = web.post(f"/api/v1/fund/calls/{call}/allocation", json={}, headers=fm)
    assert answer.status_code == 409 and "open until" in answer.json()["detail"]
    # Allocation is the fund manager's.
    answer = web.post(
        f"/api/v1/fund/calls/{call}/allocation", json={}, headers=people["reviewer"].headers
    )
    assert answer.status_code == 403
    assert _counts() == before


def test_an_allocation_beyond_the_earmarked_sub_fund_is_refused_and_writes_nothing(
    web: TestClient, people: dict[str, Person]
) -> None:
    _money_in()
    _closed_call(web, people, {})
    fm = people["fund-manager"].headers
    before = _counts()
    # Thematic area 2's sub-fund holds 396,000; Nepal's proposal was approved for 200,000 and
    # Senegal's for 300,000: the second allocation from area 2 would overdraw it.
    url = "/api/v1/fund/proposals/{}/allocation"
    first = web.post(
        url.format("P-TEST-0003"), json={"amount": "300000", "earmark": "area:ta2"}, headers=fm
    )
    assert first.status_code == 201, first.text
    after_first = _counts()
    refused = web.post(
        url.format("P-TEST-0005"), json={"amount": "200000", "earmark": "area:ta2"}, headers=fm
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert "thematic area ta2 holds $96,000.00 not yet allocated" in problem["detail"]
    assert _counts() == after_first
    # More than the proposal was approved for, a negative or malformed amount: 422.
    for body in (
        {"amount": "250000"},
        {"amount": "-5"},
        {"amount": "12,34.5"},
        {"amount": "100", "earmark": "planet:mars"},
    ):
        answer = web.post(url.format("P-TEST-0005"), json=body, headers=fm)
        assert answer.status_code == 422, (body, answer.text)
    assert _counts() == after_first
    # A rejected or unknown proposal gets no money.
    assert web.post(url.format("P-NONE"), json={"amount": "1"}, headers=fm).status_code == 404
    assert before != after_first


def test_tranches_are_released_in_order_against_delivery_and_reports_close_a_project(
    web: TestClient, people: dict[str, Person]
) -> None:
    donors = _money_in()
    _closed_call(web, people, {})
    fm = people["fund-manager"].headers
    ref = "P-TEST-0001"
    answer = web.post(
        f"/api/v1/fund/proposals/{ref}/allocation", json={"amount": "400000"}, headers=fm
    )
    assert answer.status_code == 201, answer.text
    # Plan: 107,000 then 293,000 to IOM... the second to UNHCR; a plan not summing is refused.
    plan = f"/api/v1/fund/projects/{ref}/tranches"
    bad = web.put(plan, json={"tranches": [{"organization": "IOM", "amount": "100"}]}, headers=fm)
    assert bad.status_code == 422 and "400,000.00" in bad.json()["detail"]
    stranger = web.put(
        plan, json={"tranches": [{"organization": "WHO", "amount": "400000"}]}, headers=fm
    )
    assert stranger.status_code == 422 and "WHO" in stranger.json()["detail"]
    good = web.put(
        plan,
        json={
            "tranches": [
                {"organization": "IOM", "amount": "107000"},
                {"organization": "UNHCR", "amount": "293000"},
            ]
        },
        headers=fm,
    )
    assert good.status_code == 200, good.text
    release = f"/api/v1/fund/projects/{ref}/tranches/{{}}/release"
    assert web.post(release.format(2), headers=fm).status_code == 409  # in order
    first = web.post(release.format(1), headers=fm)
    assert first.status_code == 200, first.text
    project = first.json()
    # 107,000 leaves the allocation: 100,000 programmable to IOM and 7,000 indirect (7 %).
    assert project["transferred"] == "107000.00" and project["indirect"] == "7000.00"
    assert project["status"] == "ongoing" and project["to_transfer"] == "293000.00"
    assert web.post(release.format(1), headers=fm).status_code == 409  # released already
    # Delivery is 7,000 / 107,000 = 6.5 %: the second tranche waits for 75 %.
    waiting = web.post(release.format(2), headers=fm)
    assert waiting.status_code == 409 and "6.5 %" in waiting.json()["detail"]

    # IOM reports; UNHCR's officer may not report expenditure it does not hold, nor more
    # than IOM holds (all or nothing).
    report = {
        "kind": "progress",
        "period_end": now().date().isoformat(),
        "narrative": "Inspectors trained in three states.",
        "results": [{"result": "Inspectors trained", "target": "60", "achieved": "45"}],
        "expenditure": [{"organization": "IOM", "amount": "80000"}],
    }
    url = f"/api/v1/fund/projects/{ref}/reports"
    before = _counts()
    too_much = web.post(
        url,
        json={**report, "expenditure": [{"organization": "IOM", "amount": "100000.01"}]},
        headers=people["iom-officer"].headers,
    )
    assert too_much.status_code == 422 and "IOM holds" in too_much.json()["detail"]
    unhcr = web.post(
        url,
        json={**report, "expenditure": [{"organization": "UNHCR", "amount": "1"}]},
        headers=people["unhcr-officer"].headers,
    )
    assert unhcr.status_code == 422  # UNHCR holds nothing yet
    assert _counts() == before
    sent = web.post(url, json=report, headers=people["iom-officer"].headers)
    assert sent.status_code == 201, sent.text
    project = sent.json()
    assert project["expenditure"] == "87000.00"  # 80,000 reported + 7,000 indirect
    assert project["delivery_pct"] == "81.3"  # 87,000 / 107,000
    assert project["reports"][0]["results"][0]["achieved"] == "45"
    second = web.post(release.format(2), headers=fm)
    assert second.status_code == 200, second.text
    assert second.json()["to_transfer"] == "0.00"

    final = web.post(url, json={**report, "kind": "final", "expenditure": []}, headers=fm)
    assert final.status_code == 201 and final.json()["status"] == "closed"
    assert web.post(url, json=report, headers=fm).status_code == 409

    with open_context() as ctx:
        assert ledger.ledger_check(ctx).problems == []

    # The gateway's figures, the CRS download and the donor's report agree with the ledger.
    overview = web.get("/api/v1/fund/overview").json()
    assert overview["allocated"] == "400000.00"
    assert overview["transferred"] == "400000.00"
    assert overview["by_country"][0]["key"] == "MEX"
    assert overview["by_area"][0]["key"] == "TA1"
    assert overview["deposited"] == "1400000.00"
    crs = web.get("/api/v1/fund/projects?format=csv")
    rows = list(csv.DictReader(io.StringIO(crs.text)))
    assert rows[0]["purpose_code"] == "15190" and rows[0]["recipient_code"] == "MEX"
    assert rows[0]["commitment"] == "400000.00" and rows[0]["implementing"] == "IOM;UNHCR"
    report_a = web.get(f"/api/v1/fund/donors/{donors['A']}/report").json()
    # Donor A is the general fund's only donor: the whole allocation is attributed to it.
    assert report_a["sub_funds"][0]["share_pct"] == "100.00"
    assert report_a["projects"][0]["attributed"] == "400000.00"
    assert report_a["unallocated"] == "590000.00"  # 990,000 net of the AA fee - 400,000
    report_b = web.get(f"/api/v1/fund/donors/{donors['B']}/report").json()
    assert report_b["projects"] == [] and report_b["unallocated"] == "396000.00"


def test_the_command_line_previews_and_applies_an_allocation(
    web: TestClient, people: dict[str, Person], tmp_path: Any, cli: Any
) -> None:
    _money_in()
    call = _closed_call(web, people, {})
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"one_per_country": True}))
    shown = cli("fund", "allocate", call, "--rules", str(rules), "--json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["applied"] is False
    rules.write_text("{not json")
    bad = cli("fund", "allocate", call, "--rules", str(rules))
    assert bad.code == 2 and "not JSON" in bad.err and len(bad.err.strip().splitlines()) == 1
    done = cli("fund", "allocate", call, "--apply")
    assert done.code == 0, done.err
    assert "Allocated" in done.out
    listed = cli("fund", "projects", "--json")
    assert listed.code == 0 and len(json.loads(listed.out)) >= 2
    released = cli("fund", "release", "P-TEST-0001", "1")
    assert released.code == 0, released.err
    again = cli("fund", "release", "P-TEST-0001", "1")
    assert again.code == 2 and "released already" in again.err
