"""The demo: the Compact's objectives and actions as searchable items, the hub's and the
fund's illustrative records, loaded once.

`gcmhub demo` itself runs in one test (it is slow: every item is embedded); the tests of what
the loaded demo answers start from the session's demo template (`demo_data`), which is made
by the same loader.
"""

from __future__ import annotations

import json


def test_the_demo_loads_the_objectives_and_actions_and_an_illustrative_fund_once(cli) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from fastapi.testclient import TestClient

    from gcmhub.fund import contributions, ledger, projects
    from gcmhub.runtime import open_context
    from gcmhub.web.app import create_app

    first = cli("demo", "--json")
    assert first.code == 0, first.err
    report = json.loads(first.out)
    assert report["added"] == 23 + 187
    assert report["embedded"] == 23 + 187
    # The fund's demonstration records go through the fund's actions.
    fund = report["fund"]
    assert fund == {"donors": 3, "pledges": 3, "deposits": 3, "proposals": 2, "projects": 2}
    # The review's demonstration: a plan saved twice, partnerships and a before/after pair.
    assert report["review"] == {"plans": 1, "versions": 2, "partnerships": 2, "assessments": 2}
    # And the public data sets, with their licences, for the data pages and API.
    assert report["data"]["datasets"] >= 10 and report["data"]["rows"] > 100_000
    with open_context() as ctx:
        donors = contributions.donor_list(ctx)
        assert donors and all(d.name.startswith("Demonstration donor") for d in donors)
        found = projects.project_list(ctx, detail=True)
        assert ledger.ledger_check(ctx).problems == []
    assert {p.country for p in found} == {"KEN", "MEX"}
    assert all(any(t.status == "released" for t in p.tranches) for p in found)
    kenya = next(p for p in found if p.country == "KEN")
    assert kenya.reports and kenya.reports[0].results[1]["achieved"] == "80"
    assert kenya.expenditure > 0 and kenya.delivery_pct is not None
    # Pledged and deposited stay apart: donor C paid half of its EUR 200,000 pledge.
    assert sum((d.pledged for d in donors), Decimal(0)) == Decimal("1720000.00")
    assert sum((d.deposited for d in donors), Decimal(0)) == Decimal("1610000.00")
    again = cli("demo", "--json")
    assert json.loads(again.out)["fund"]["donors"] == 0  # loaded once
    assert json.loads(again.out)["data"]["datasets"] == 0
    assert json.loads(again.out)["review"]["plans"] == 0
    assert "already loaded" in cli("demo").out
    with TestClient(create_app()) as site:
        page = site.get("/fund")
        assert page.status_code == 200
        assert "Demonstration figures." in page.text and "$1,610,000.00" in page.text
        for project in found:
            assert site.get(f"/fund/projects/{project.id}").status_code == 200
        profile = site.get("/api/v1/data/countries/MEX")
        assert profile.status_code == 200, profile.text
        assert site.get(f"/fund/donors/{donors[0].id}").status_code == 200
        plan = site.get("/review/countries/MEX/plan")  # what changed from version 1 to 2
        assert plan.status_code == 200 and "Demonstration records." in plan.text
        assert "Changed: 1" in plan.text


def test_the_demo_answers_a_search_about_remittance_costs(cli, demo_data) -> None:  # type: ignore[no-untyped-def]
    result = json.loads(cli("search", "remittance costs", "--json").out)
    assert result["mode"] == "hybrid"
    top = [hit["id"] for hit in result["hits"][:3]]
    assert "gcm-20a" in top and all(ref.startswith("gcm-20") for ref in top)
    assert {f["value"] for f in result["facets"]["objective"]} >= {"20"}
    actions = json.loads(
        cli(
            "search", "", "--filter", "objective=20", "--filter", "type=policy_option", "--json"
        ).out
    )
    assert actions["total"] == 9  # objective 20 has actions (a) to (i)


def test_show_prints_an_item_with_its_tags(cli, demo_data) -> None:  # type: ignore[no-untyped-def]
    item = json.loads(cli("show", "gcm-20a", "--json").out)
    given = [t["concept"] for t in item["tags"] if t["origin"] == "source"]
    assert given == ["objective:20a"]
    assert any(t["origin"] == "auto" and t["concept"].startswith("cluster:") for t in item["tags"])
    assert item["licence"].startswith("Official UN document")
    missing = cli("show", "nope")
    assert missing.code == 2 and "nope" in missing.err
