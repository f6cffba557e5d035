"""The start-up fund's pages: the gateway, the financial table, projects, calls, donors and the
pipeline, read through the web application as people read them.

The scenario is made with the real actions and API (tests/fund/test_projects.py): two donors,
a call whose five proposals are reviewed and approved, its allocation by the engine, a tranche
released and a progress report. Each page's figures are compared with the JSON API's.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gcmhub.accounts.audit import now
from gcmhub.fund import calls, contributions, gateway, reports
from gcmhub.fund.money import format_money
from gcmhub.fund.schemas import CallWrite, DonorWrite
from gcmhub.fund.views import CHART_ROWS, METHOD, TABLE_TEXTS, bar_chart
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person, sign_in
from tests.fund import test_projects as scenario
from tests.fund.test_projects import _closed_call, _money_in

people = scenario.people
web = scenario.web
fresh_limits = scenario.fresh_limits

PAGES = (
    "/fund",
    "/fund/financial-table",
    "/fund/financial-table?start=2020-01-01&end=2099-12-31",
    "/fund/projects",
    "/fund/projects?area=TA1&status=ongoing",
    "/fund/projects/P-TEST-0001",
    "/fund/calls",
    "/fund/pipeline",
)


class Page(HTMLParser):
    """What the tests read of a page: fields and labels, links, landmarks, tables, charts."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.links: list[str] = []
        self.landmarks: set[str] = set()
        self.tables = 0
        self.charts = 0
        self.h1 = 0
        self.html: dict[str, str | None] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.html = found
        if tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.fields.append(found)
        if tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag in ("main", "nav", "header", "footer"):
            self.landmarks.add(tag)
        if tag == "table":
            self.tables += 1
        if tag == "svg" and found.get("role") == "img":
            self.charts += 1
        if tag == "h1":
            self.h1 += 1


def _usd(value: str | Decimal) -> str:
    return format_money(Decimal(str(value)), "USD", "en")


def _figure(html: str, name: str) -> str:
    found = re.search(rf'id="{name}">([^<]+)<', html)
    assert found, name
    return found.group(1)


def _scenario(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """Money in, a call allocated by the engine, a tranche released, a progress report."""
    donors = _money_in()
    call = _closed_call(web, people, {"one_per_country": True})
    fm = people["fund-manager"].headers
    applied = web.post(f"/api/v1/fund/calls/{call}/allocation", json={}, headers=fm)
    assert applied.status_code == 201, applied.text
    released = web.post("/api/v1/fund/projects/P-TEST-0001/tranches/1/release", headers=fm)
    assert released.status_code == 200, released.text
    report = {
        "kind": "progress",
        "period_end": now().date().isoformat(),
        "narrative": "Inspectors trained in three states.",
        "results": [{"result": "Inspectors trained", "target": "60", "achieved": "45"}],
        "expenditure": [{"organization": "IOM", "amount": "80000"}],
    }
    sent = web.post(
        "/api/v1/fund/projects/P-TEST-0001/reports",
        json=report,
        headers=people["iom-officer"].headers,
    )
    assert sent.status_code == 201, sent.text
    return {"donors": donors, "call": call}


def test_every_fund_page_answers_with_landmarks_a_heading_and_labelled_fields(
    web: TestClient, people: dict[str, Person]
) -> None:
    made = _scenario(web, people)
    urls = [
        *PAGES,
        f"/fund/calls/{made['call']}",
        f"/fund/donors/{made['donors']['A']}",
        f"/fund/donors/{made['donors']['B']}",
    ]
    for url in urls:
        for lang in ("en", "fr", "es"):
            answer = web.get(url, params={"lang": lang})
            assert answer.status_code == 200, (url, lang, answer.text[:500])
            assert answer.headers["content-type"].startswith("text/html")
            page = Page(answer.text)
            assert page.links[0] == "#content", url  # the skip link first
            assert page.html.get("lang") == lang
            assert {"main", "nav", "header", "footer"} <= page.landmarks, url
            assert page.h1 == 1, url
            assert not [f for f in page.fields if f.get("id") not in page.labels], url
            assert "style=" not in answer.text and "<script>" not in answer.text
            assert 'href="/fund" aria-current="page"' in answer.text  # the header's nav


def test_the_gateway_shows_the_apis_figures_charts_with_tables_and_downloads(
    web: TestClient, people: dict[str, Person]
) -> None:
    _scenario(web, people)
    overview = web.get("/api/v1/fund/overview").json()
    answer = web.get("/fund")
    html = answer.text
    for name, key in (
        ("deposited", "deposited"),
        ("pledged", "pledged"),
        ("allocated", "allocated"),
        ("transferred", "transferred"),
        ("expenditure", "expenditure"),
        ("balance", "balance_aa"),
    ):
        assert _figure(html, f"figure-{name}") == _usd(overview[key]), name
    assert _figure(html, "figure-deposited") == "$1,400,000.00"
    assert _figure(html, "figure-delivery") == f"{overview['delivery_pct']}%"
    # The sentence that stages are not added, and pledges apart as commitments.
    assert "stages are never added together" in html
    assert "Pledged (commitments)" in html
    page = Page(html)
    # Four charts (donors, areas, regions, countries), each with its data table.
    assert page.charts == 4 and page.tables >= 4
    for caption in (
        "Contributions by donor, in USD",
        "Allocations by thematic area, USD",
        "Allocations by region, USD",
        "Allocations by country, USD",
    ):
        assert f"<caption>{caption}</caption>" in html
    # Deposited and pledged side by side for each donor, never one summed bar.
    assert html.count('class="series-1"') == len(overview["donors"])
    for donor in overview["donors"]:
        assert f"/fund/donors/{donor['id']}" in page.links
    funded = [line["key"] for line in overview["by_country"]]
    assert "MEX" in funded and f"/fund/projects?country={funded[0]}" in page.links
    for link in (
        "/api/v1/fund/projects?format=csv",
        "/api/v1/fund/projects?format=json",
        "/api/v1/fund/report?format=csv",
        "/fund/projects",
        "/fund/pipeline",
        "/fund/calls",
        "/fund/financial-table",
    ):
        assert link in page.links, link
    crs = web.get("/api/v1/fund/projects?format=csv")
    assert crs.status_code == 200 and "15190" in crs.text
    assert "Demonstration figures" not in html  # real names: no demonstration notice


def test_the_gateway_of_an_empty_fund_says_so(web: TestClient) -> None:
    answer = web.get("/fund")
    assert answer.status_code == 200
    assert "No contribution is recorded yet." in answer.text
    assert Page(answer.text).charts == 0
    assert _figure(answer.text, "figure-deposited") == "$0.00"


def test_the_financial_table_has_its_sections_a_period_and_downloads(
    web: TestClient, people: dict[str, Person]
) -> None:
    _scenario(web, people)
    table = web.get("/api/v1/fund/report").json()
    answer = web.get("/fund/financial-table")
    html = answer.text
    for section in dict.fromkeys(r["section"] for r in table["rows"]):
        assert section.replace("'", "&#39;") in html
    contributions_row = next(r for r in table["rows"] if r["key"] == "contributions")
    assert _usd(contributions_row["total"]) in html
    page = Page(html)
    assert "/api/v1/fund/report?format=csv" in page.links
    # A period: columns before it and in it, and the downloads keep the dates.
    period = web.get("/fund/financial-table", params={"start": "2020-01-01", "end": "2099-12-31"})
    assert period.status_code == 200
    assert "Before the period" in period.text and "In the period" in period.text
    assert (
        "/api/v1/fund/report?start=2020-01-01&end=2099-12-31&format=csv" in Page(period.text).links
    )
    assert {f.get("name") for f in Page(period.text).fields} == {"start", "end"}
    # A wrong date or a period backwards is explained on a page, not a crash.
    for params in ({"start": "yesterday"}, {"start": "2026-01-02", "end": "2026-01-01"}):
        refused = web.get("/fund/financial-table", params=params)
        assert refused.status_code == 400, params
        assert refused.headers["content-type"].startswith("text/html")
    assert web.get("/fund/financial-table?typo=1").status_code == 400
    # In French, the rows are translated.
    french = web.get("/fund/financial-table?lang=fr").text
    assert "Contributions from donors" not in french


def test_the_projects_list_filters_and_a_project_shows_its_money_tranches_and_reports(
    web: TestClient, people: dict[str, Person]
) -> None:
    _scenario(web, people)
    listed = web.get("/api/v1/fund/projects").json()
    answer = web.get("/fund/projects")
    page = Page(answer.text)
    for project in listed:
        assert f"/fund/projects/{project['id']}" in page.links
    assert f"{len(listed)} projects" in answer.text
    assert "/api/v1/fund/projects?format=csv" in page.links
    ongoing = web.get("/fund/projects", params={"status": "ongoing"})
    shown = {link for link in Page(ongoing.text).links if link.startswith("/fund/projects/P-")}
    assert shown == {"/fund/projects/P-TEST-0001"}
    assert "/api/v1/fund/projects?status=ongoing&format=csv" in Page(ongoing.text).links
    by_country = web.get("/fund/projects", params={"country": "SEN"})
    assert all(p["country"] == "SEN" for p in web.get("/api/v1/fund/projects?country=SEN").json())
    assert by_country.status_code == 200
    assert web.get("/fund/projects", params={"status": "lost"}).status_code == 400

    project = web.get("/api/v1/fund/projects/P-TEST-0001").json()
    html = web.get("/fund/projects/P-TEST-0001").text
    assert _figure(html, "money-allocated") == _usd(project["allocated"])
    assert _figure(html, "money-transferred") == _usd(project["transferred"])
    assert _figure(html, "money-expenditure") == _usd(project["expenditure"])
    assert _figure(html, "money-to-transfer") == _usd(project["to_transfer"])
    assert _figure(html, "money-delivery") == f"{project['delivery_pct']}%"
    assert "Mexico" in html and "IOM, UNHCR" in html
    assert "Released" in html and "Planned" in html  # tranche 1 released, 2 planned
    assert "Inspectors trained" in html and ">45<" in html and ">60<" in html
    assert "2: a significant objective" in html  # the gender marker in words
    assert "/objectives/6" in Page(html).links


def test_unknown_projects_donors_and_calls_are_friendly_404_pages(web: TestClient) -> None:
    for url in ("/fund/projects/P-NONE", "/fund/donors/D-9999", "/fund/calls/CFP-1999-01"):
        answer = web.get(url)
        assert answer.status_code == 404, url
        assert answer.headers["content-type"].startswith("text/html")


def test_a_call_shows_its_rules_and_only_appraisers_see_the_allocation_preview(
    web: TestClient, people: dict[str, Person]
) -> None:
    _money_in()
    call = _closed_call(
        web, people, {"one_per_country": True, "area_shares": {"TA2": {"max": 0.5}}}
    )
    public = web.get(f"/fund/calls/{call}")
    assert public.status_code == 200
    assert "One project per country." in public.text
    assert "Thematic area TA2: at most 50% of the money allocated." in public.text
    assert _figure(public.text, "call-budget") == "$1,200,000.00"
    assert _figure(public.text, "call-proposals") == "5"
    assert "Relevance" in public.text  # the rubric
    assert "Allocation preview" not in public.text and "Score" not in public.text

    expected = web.post(
        f"/api/v1/fund/calls/{call}/allocation/preview", headers=people["fund-manager"].headers
    ).json()
    for who in ("fund-manager", "reviewer"):  # the fund manager and the secretariat
        browser = TestClient(web.app)
        sign_in(browser, who)
        html = browser.get(f"/fund/calls/{call}").text
        assert "Allocation preview" in html and '<th scope="col" class="num">Score</th>' in html
        for line in expected["lines"]:
            assert line["proposal"] in html
        assert "one project per country" in html  # Mexico's second proposal, explained
        assert _usd(expected["total_allocated"]) in html
    partner = TestClient(web.app)
    sign_in(partner, "iom-officer")
    assert "Allocation preview" not in partner.get(f"/fund/calls/{call}").text
    # The pipeline shows scores to appraisers only, too.
    assert ">Score<" not in web.get("/fund/pipeline").text


def test_the_preview_explains_a_call_with_no_approved_proposal_or_impossible_rules(
    web: TestClient, people: dict[str, Person]
) -> None:
    _money_in()
    infeasible = _closed_call(
        web, people, {"area_shares": {"TA1": {"min": 0.9}, "TA2": {"min": 0.5}}}
    )
    with open_context() as ctx:
        empty = calls.call_create(
            ctx, CallWrite(title="An empty call", budget="1000", deadline=now().date())
        ).id
    browser = TestClient(web.app)
    sign_in(browser, "fund-manager")
    for call, said in ((empty, "no approved proposal"), (infeasible, "rules")):
        answer = browser.get(f"/fund/calls/{call}")
        assert answer.status_code == 200, answer.text[:300]
        assert "No preview now:" in answer.text and said in answer.text, call


def test_a_donors_report_shows_deposits_shares_and_projects_pro_rata(
    web: TestClient, people: dict[str, Person]
) -> None:
    made = _scenario(web, people)
    for donor in made["donors"].values():
        report = web.get(f"/api/v1/fund/donors/{donor}/report").json()
        html = web.get(f"/fund/donors/{donor}").text
        assert _figure(html, "donor-deposited") == _usd(report["donor"]["deposited"])
        assert _figure(html, "donor-pledged") == _usd(report["donor"]["pledged"])
        assert _figure(html, "donor-attributed") == _usd(report["attributed"])
        assert _figure(html, "donor-unallocated") == _usd(report["unallocated"])
        for share in report["sub_funds"]:
            assert _usd(share["donor_net"]) in html
        for project in report["projects"]:
            assert f"/fund/projects/{project['project']}" in Page(html).links
            assert _usd(project["attributed"]) in html
        assert "in proportion to their deposits" in html  # the method
    earmarked = web.get(f"/fund/donors/{made['donors']['B']}").text
    assert "Thematic area TA2" in earmarked


def test_the_pipeline_lists_approved_proposals_waiting_for_money(
    web: TestClient, people: dict[str, Person]
) -> None:
    _scenario(web, people)
    waiting = web.get("/api/v1/fund/pipeline").json()
    assert waiting  # one per country leaves Mexico's second proposal out
    html = web.get("/fund/pipeline").text
    for row in waiting:
        assert row["id"] in html
    total = sum(Decimal(r["amount"]) for r in waiting)
    assert _usd(total) in html
    browser = TestClient(web.app)
    sign_in(browser, "fund-manager")
    assert ">Score<" in browser.get("/fund/pipeline").text


def test_demonstration_donors_bring_a_notice_that_the_figures_are_illustrative(
    web: TestClient,
) -> None:
    with open_context() as ctx:
        donor = contributions.donor_create(
            ctx, DonorWrite(name="Demonstration donor Z", type="other")
        )
    for url in ("/fund", f"/fund/donors/{donor.id}", "/fund/projects", "/fund/calls"):
        assert "Demonstration figures." in web.get(url).text, url
    french = web.get("/fund?lang=fr").text
    assert "Demonstration figures." not in french


def test_the_header_links_the_fund_on_every_page(web: TestClient) -> None:
    for url in ("/", "/search", "/hub"):
        assert "/fund" in Page(web.get(url).text).links


def test_the_marked_texts_are_the_back_ends_own() -> None:
    rows = {label for _, lines in reports.SECTIONS for _, label, _ in lines}
    sections = {section for section, _ in reports.SECTIONS}
    assert rows | sections <= set(TABLE_TEXTS)
    assert gateway.METHOD == METHOD


@pytest.mark.parametrize("count", [0, 1, CHART_ROWS + 3])
def test_the_bar_chart_scales_bars_side_by_side_and_says_when_it_is_cut(count: int) -> None:
    rows = [(f"row {n}", [Decimal(100 * (n + 1)), Decimal(50)]) for n in range(count)]
    chart = bar_chart(rows, str)
    assert len(chart.groups) == min(count, CHART_ROWS)
    assert chart.cut == (count > CHART_ROWS)
    if count:
        widths = [b.width for g in chart.groups for b in g.bars]
        assert max(widths) <= 470 and all(w >= 0 for w in widths)
        first = chart.groups[0].bars
        assert first[0].y < first[1].y  # side by side, one under the other: never stacked
