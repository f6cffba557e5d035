"""The data platform's pages, read as people read them: the numbers shown are the back end's,
every chart has its data table and a download, refusals are friendly pages, and the pages
speak French and Spanish.

Each test loads only the shipped datasets it needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gcmhub.indicators import costs, listing, policy
from gcmhub.indicators.profiles import area_profile, country_profile
from gcmhub.indicators.related import OBJECTIVE_INDICATORS
from gcmhub.indicators.views import CATEGORIES, DOMAINS, Formats
from gcmhub.runtime import open_context
from gcmhub.web.app import create_app
from gcmhub.web.charts import line_chart, nice_step
from tests.indicators.helpers import load

EN = Formats("en")
COSTS = ("rpw-corridors", "wb-bilateral-remittances-2017")


@pytest.fixture
def site(data_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        yield client


class Page(HTMLParser):
    """What the tests read of a page: tables by id with their cells, charts, fields, links."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.table_count = 0
        self.charts: list[dict[str, str | None]] = []
        self.fields: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.links: list[str] = []
        self.h1: list[str] = []
        self.h2: list[str] = []
        self.scopes: list[str | None] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: str | None = None
        self._heading: str | None = None
        self._svg = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self.table_count += 1
            self._table = found.get("id") or f"table-{self.table_count}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
            if tag == "th":
                self.scopes.append(found.get("scope"))
        elif tag == "svg":
            self._svg += 1
            self.charts.append(found)
        elif tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.fields.append(found)
        elif tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        elif tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        elif tag in ("h1", "h2"):
            self._heading = tag
            getattr(self, tag).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr" and self._table and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "svg":
            self._svg -= 1
        elif tag in ("h1", "h2"):
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._svg:
            self._cell += data
        if self._heading:
            headings = getattr(self, self._heading)
            headings[-1] += data.strip()

    def rows(self, table: str) -> dict[str, list[str]]:
        """A table's body rows by their first cell."""
        return {row[0]: row[1:] for row in self.tables[table][1:]}


def _page(site: TestClient, url: str, status: int = 200) -> Page:
    answer = site.get(url)
    assert answer.status_code == status, (url, answer.text[:500])
    assert answer.headers["content-type"].startswith("text/html")
    page = Page(answer.text)
    assert len(page.h1) == 1, url  # one h1
    for field in page.fields:
        assert field.get("id") in page.labels, (url, field)
    assert all(scope in ("col", "row") for scope in page.scopes), url
    for chart in page.charts:
        assert chart.get("role") == "img" and chart.get("aria-labelledby"), (url, chart)
    return page


def test_the_front_page_shows_datasets_a_country_picker_and_sdg_10c1(site: TestClient) -> None:
    load(*COSTS, "sdg-10-c-1-uk")
    page = _page(site, "/data")
    assert page.h1[0].startswith("Migration data")
    listed = next(rows for rows in page.tables.values() if rows and rows[0][0] == "Dataset")
    assert any("sdg-10-c-1-uk" in row[0] and "Open Government Licence" in row[2] for row in listed)
    assert any("rpw-corridors" in row[0] and row[3] == "2011–2020" for row in listed)
    assert any(row[-1] == "not loaded" for row in listed)
    assert "country" in page.labels  # the country picker is labelled
    with open_context() as ctx:
        figures = [costs.sdg_10c1(ctx, y) for y in listing.corridor_years(ctx)]
    sdg = next(rows for rows in page.tables.values() if rows and rows[0][0] == "Year")
    shown = {row[0]: row for row in sdg[1:]}
    for f in figures:
        assert shown[str(f.year)][2] == EN.pct(f.simple_average)
        assert shown[str(f.year)][3] == EN.pct(f.weighted_average)
    assert len(page.charts) == 1
    assert "/data/remittance-costs" in page.links and "/data/sdg-10-7-2" in page.links
    assert "/api/v1/data/remittance-costs?format=csv" in page.links
    assert "/api/v1/data/datasets?format=csv" in page.links


def test_the_front_page_works_without_data_and_refuses_unknown_parameters(
    site: TestClient,
) -> None:
    page = _page(site, "/data")
    assert not page.charts
    refused = site.get("/data", params={"contry": "MEX"})
    assert refused.status_code == 400 and "contry" in refused.text
    assert refused.headers["content-type"].startswith("text/html")


def test_the_country_picker_leads_to_the_profile(site: TestClient) -> None:
    answer = site.get("/data/countries", params={"country": "mex"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/data/countries/MEX"
    assert site.get("/data/countries", params={"country": "XXX"}).status_code == 400


def test_a_country_profile_shows_the_back_ends_numbers_with_tables_and_downloads(
    site: TestClient,
) -> None:
    load("undesa-ims2020", "undesa-ims2019-bilateral", "wdi-remittances", "sdg-10-7-2-global")
    page = _page(site, "/data/countries/MEX")
    with open_context() as ctx:
        profile = country_profile(ctx, "MEX")
    assert page.h1 == ["Mexico"]
    stock = page.rows("stock-table")
    for point in profile.stock:
        assert stock[str(point.year)][:3] == [
            EN.count(point.total),
            EN.count(point.female),
            EN.count(point.male),
        ]
        assert stock[str(point.year)][3] == EN.pct(point.share_of_population, 1)
    origins = page.rows("origins-table")
    assert list(origins.values()) == [[EN.count(p.value)] for p in profile.top_origins]
    money = page.rows("remittances-table")
    for point in profile.remittances:
        assert money[str(point.year)] == [
            EN.millions(point.received_usd),
            EN.millions(point.paid_usd),
            EN.pct(point.received_pct_gdp, 1),
        ]
    costs_shown = page.rows("costs-table")
    for c in profile.costs:
        assert costs_shown[str(c.year)] == [EN.pct(c.to_country), EN.pct(c.from_country)]
    policy_rows = page.rows("policy-table")
    latest = profile.sdg_10_7_2[-1]
    assert policy_rows[latest.period][0].startswith(f"{latest.category}: {latest.label}")
    # Every chart is an image with its table; the numbers download from the API
    assert len(page.charts) >= 6
    for table in ("stock-table", "origins-table", "destinations-table", "remittances-table"):
        assert page.tables[table]
    assert "/api/v1/data/series?indicator=UNDESA.IMS.STOCK&area=MEX&format=csv" in page.links
    assert "/api/v1/data/series?indicator=BX.TRF.PWKR.CD.DT&area=MEX&format=json" in page.links
    assert "/api/v1/data/countries/MEX?format=csv" in page.links
    assert "Self-reported policy." in site.get("/data/countries/MEX").text
    sources = next(rows for rows in page.tables.values() if rows and rows[0][0] == "Dataset")
    assert {row[2] for row in sources[1:]} >= {"CC BY 3.0 IGO", "CC BY 4.0"}
    # The region and income group have their own pages
    assert "/data/areas/LCN" in page.links and "/data/areas/UMC" in page.links


def test_withheld_counts_are_flagged_not_shown(
    site: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gcmhub.settings import get_settings

    load("undesa-ims2019-bilateral")
    monkeypatch.setenv("GCMHUB_DISCLOSURE_THRESHOLD", "20000")
    get_settings.cache_clear()
    try:
        with open_context() as ctx:
            profile = country_profile(ctx, "MEX")
        hidden = [p for p in profile.top_origins if p.flag == "C"]
        assert hidden and all(p.value is None for p in hidden)
        answer = site.get("/data/countries/MEX")
        origins = Page(answer.text).rows("origins-table")
        assert sum(1 for cells in origins.values() if cells[0].startswith("withheld")) == len(
            hidden
        )
        assert "fewer than 20000 people" in answer.text
        assert "10,081" not in answer.text  # France, withheld below the threshold
    finally:
        monkeypatch.delenv("GCMHUB_DISCLOSURE_THRESHOLD")
        get_settings.cache_clear()


def test_unknown_countries_and_areas_are_404_pages_and_codes_are_normalised(
    site: TestClient,
) -> None:
    for url in ("/data/countries/XXX", "/data/areas/XXX", "/data/countries/WLD"):
        answer = site.get(url)
        assert answer.status_code == 404, url
        assert answer.headers["content-type"].startswith("text/html")
    moved = site.get("/data/countries/mex", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/data/countries/MEX"
    country = site.get("/data/areas/MEX", follow_redirects=False)
    assert country.headers["location"] == "/data/countries/MEX"
    assert site.get("/data/countries/MEX", params={"year": "2020"}).status_code == 400


def test_an_area_page_shows_the_aggregates_numbers(site: TestClient) -> None:
    load("wdi-remittances", "undesa-ims2020")
    page = _page(site, "/data/areas/LCN")
    with open_context() as ctx:
        found = area_profile(ctx, "LCN")
    money = page.rows("remittances-table")
    for point in found.remittances:
        assert money[str(point.year)][0] == EN.millions(point.received_usd)
    assert "/data/countries/MEX" in page.links  # a member country
    world = _page(site, "/data/areas/UN-900")
    with open_context() as ctx:
        stock = area_profile(ctx, "UN-900").stock
    assert world.rows("stock-table")["2020"][0] == EN.count(stock[-1].total)


def test_the_remittance_costs_page_ranks_corridors_and_explains_the_method(
    site: TestClient,
) -> None:
    load(*COSTS)
    answer = site.get("/data/remittance-costs")
    page = _page(site, "/data/remittance-costs")
    with open_context() as ctx:
        period, cheapest, dearest = costs.corridors_ranked(ctx, None, 10)
        _, averages = costs.regional_averages(ctx, period, "wb_region", "receiving")
    assert [r[2] for r in page.tables["cheapest-table"][1:]] == [EN.pct(c.value) for c in cheapest]
    assert [r[2] for r in page.tables["dearest-table"][1:]] == [EN.pct(c.value) for c in dearest]
    regional = page.rows("regional-table")
    for g in averages:
        assert regional[g.group] == [EN.count(g.corridors), EN.pct(g.average)]
    assert "How it is computed" in answer.text and "weighted average" in answer.text
    for field in ("period", "by", "side", "sending", "receiving"):
        assert field in page.labels
    assert f"/data/corridors/{cheapest[0].sending}/{cheapest[0].receiving}" in page.links
    # Another period, grouped by the sending country's UN region
    other = _page(site, "/data/remittance-costs?period=2015-Q1&by=un_region&side=sending")
    with open_context() as ctx:
        _, by_un = costs.regional_averages(ctx, "2015-Q1", "un_region", "sending")
    assert other.rows("regional-table")[by_un[0].group][1] == EN.pct(by_un[0].average)
    for bad in ({"by": "planet"}, {"side": "both"}, {"perod": "2015-Q1"}, {"period": "x"}):
        refused = site.get("/data/remittance-costs", params=bad)
        assert refused.status_code == 400, bad
    assert site.get("/data/remittance-costs", params={"period": "1999-Q1"}).status_code == 404


def test_a_corridor_page_shows_the_cost_over_time_against_the_targets(site: TestClient) -> None:
    load("rpw-corridors")
    page = _page(site, "/data/corridors/USA/MEX")
    with open_context() as ctx:
        series = costs.corridor_series(ctx, "USA", "MEX")
    rows = page.rows("corridor-table")
    assert len(rows) == len(series.points)
    for point in series.points:
        verdict = "above 5%" if point.above_5 else "above 3%" if point.above_3 else "within 3%"
        assert rows[point.period] == [EN.pct(point.value), verdict]
    assert len(page.charts) == 1
    assert "/api/v1/data/corridors?sending=USA&receiving=MEX&format=csv" in page.links
    picked = site.get(
        "/data/corridors", params={"sending": "usa", "receiving": "MEX"}, follow_redirects=False
    )
    assert picked.headers["location"] == "/data/corridors/USA/MEX"
    assert site.get("/data/corridors/MEX/ISL").status_code == 404  # no such corridor
    assert site.get("/data/corridors/USA/ZZZ").status_code == 404


def test_the_sdg_10_7_2_page_is_labelled_self_reported_with_categories_explained(
    site: TestClient,
) -> None:
    load("sdg-10-7-2-global", "sdg-10-7-2-national")
    answer = site.get("/data/sdg-10-7-2")
    page = _page(site, "/data/sdg-10-7-2")
    assert "Self-reported policy." in answer.text
    with open_context() as ctx:
        overview = listing.policy_overview(ctx)
    assert len(page.tables["policy-table"]) - 1 == len(overview.data)  # overall and by domain
    categories = page.rows("categories-table")
    assert set(categories) == {f"{n}: {label}" for n, label in policy.LABELS.items()}
    assert categories["4: Fully meets"][0] == "100%"
    armenia = [r for r in page.tables["policy-table"][1:] if r[0] == "Armenia"]
    assert any(r[3].startswith("3: Meets") for r in armenia)  # domain 1 in 2019
    in_2019 = _page(site, "/data/sdg-10-7-2?year=2019")
    assert all(r[1].startswith("2019") for r in in_2019.tables["policy-table"][1:])
    assert site.get("/data/sdg-10-7-2", params={"year": "soon"}).status_code == 400


def test_french_and_spanish_pages_are_translated(site: TestClient) -> None:
    load(*COSTS)
    french = _page(site, "/data?lang=fr")
    assert french.h2[0] == "Profils de pays"
    assert "ODD 10.c.1" in " ".join(french.h2)
    assert "9,27\xa0%" in site.get("/data?lang=fr").text  # 2011's simple average, French style
    spanish = _page(site, "/data/remittance-costs?lang=es")
    assert spanish.h1[0].startswith("El costo")


def test_the_objective_pages_show_related_data(demo_data: Path) -> None:
    load(*COSTS)
    with TestClient(create_app()) as client:
        answer = client.get("/objectives/20")
        page = Page(answer.text)
        assert "Related data" in page.h2
        assert "/data/remittance-costs" in page.links
        with open_context() as ctx:
            latest = costs.sdg_10c1(ctx, listing.corridor_years(ctx)[-1])
        assert f"<strong>{EN.pct(latest.simple_average)}</strong> ({latest.year})" in answer.text
        assert "Related data" not in Page(client.get("/objectives/5").text).h2
    assert 20 in OBJECTIVE_INDICATORS and 1 in OBJECTIVE_INDICATORS


def test_the_translated_labels_match_the_back_end() -> None:
    assert CATEGORIES == policy.LABELS
    assert DOMAINS == policy.DOMAINS


def test_the_line_chart_scales_breaks_gaps_and_draws_targets() -> None:
    chart = line_chart(
        ["2010", "2011", "2012", "2013"],
        [("a", [2.0, None, 6.0, 4.0]), ("b", [None, None, None, None])],
        str,
        [(3.0, "3%"), (5.0, "5%")],
    )
    a, b = chart.lines
    assert a.path.count("M") == 2 and a.path.count("L") == 1  # the gap breaks the line
    assert [p.label for p in a.points] == ["2010", "2012", "2013"]
    assert b.points == [] and b.path == ""
    assert chart.y_ticks[0].text == "0.0" and float(chart.y_ticks[-1].text) >= 6.0
    three, five = chart.rules
    assert chart.bottom > three.y > five.y > chart.top  # higher values are drawn higher
    assert [t.text for t in chart.x_ticks][-1] == "2013"  # the latest period is labelled
    assert nice_step(7.0) == 2.0 and nice_step(0.9) == 0.2
    assert re.fullmatch(r"M[\d.]+,[\d.]+", line_chart(["x"], [("c", [1.0])], str).lines[0].path)
