"""The indicators' open API under /api/v1/data: numbers as the back end computes them,
downloads (CSV, JSON, SDMX-CSV with the licence), refusals, caching and disclosure control.

Each test loads only the shipped datasets it needs (the full load takes seconds).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gcmhub.indicators import costs
from gcmhub.indicators.loading import FileOptions, file_load
from gcmhub.indicators.policy import policy_result
from gcmhub.indicators.profiles import country_profile
from gcmhub.indicators.rpw import rpw_summary
from gcmhub.indicators.sdmx import COLUMNS
from gcmhub.indicators.series import SeriesFilter, observations_public
from gcmhub.runtime import open_context
from gcmhub.web.app import create_app
from tests.indicators.helpers import load
from tests.indicators.test_policy import answers_file
from tests.indicators.test_rpw import HEADER, ROWS

PROBLEM = "application/problem+json"
MIGRATION = "WB.MIG.BILATERAL"


@pytest.fixture
def api(data_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        yield client


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_datasets_list_source_licence_rows_and_download(api: TestClient) -> None:
    load("sdg-10-c-1-uk")
    answer = api.get("/api/v1/data/datasets")
    assert answer.status_code == 200
    rows = {r["name"]: r for r in answer.json()}
    uk = rows["sdg-10-c-1-uk"]
    assert uk["loaded"] and uk["rows"] > 0 and uk["loaded_at"]
    assert uk["licence"].startswith("Open Government Licence v3.0")
    assert not rows["rpw-corridors"]["loaded"] and rows["rpw-corridors"]["licence"] == "CC BY 4.0"
    download = api.get("/api/v1/data/datasets", params={"format": "csv"})
    assert download.headers["content-type"].startswith("text/csv")
    assert download.text.splitlines()[0].startswith("name,title,kind,files,source,licence")
    as_json = json.loads(api.get("/api/v1/data/datasets?format=json").text)
    assert as_json["count"] == len(rows) and as_json["data"][0]["licence"]


def test_indicators_are_defined_with_unit_source_and_licence(api: TestClient) -> None:
    load("wb-bilateral-migration-2017")
    found = {i["code"]: i for i in api.get("/api/v1/data/indicators").json()}
    assert found[MIGRATION]["is_count"] is True
    assert found[MIGRATION]["observations"] > 1000
    assert found[MIGRATION]["licence"] and found[MIGRATION]["source"]
    text = api.get("/api/v1/data/indicators", params={"format": "csv"}).text
    assert text.startswith("code,name,unit,description,is_count,observations,source,licence")


def test_series_pages_match_the_back_end_and_withhold_small_counts(api: TestClient) -> None:
    load("wb-bilateral-migration-2017")
    with open_context() as ctx:
        expected = [
            o.model_dump(mode="json")
            for o in observations_public(ctx, SeriesFilter(MIGRATION, "BOL"))
        ]
    rows: list[dict[str, object]] = []
    params: dict[str, object] = {"indicator": MIGRATION, "area": "BOL", "limit": 7}
    page = api.get("/api/v1/data/series", params=params).json()
    assert page["count"] == len(expected) > 7
    assert page["sources"][0]["licence"] == "CC BY 4.0"
    rows += page["data"]
    while page["next"]:
        page = api.get("/api/v1/data/series", params={**params, "cursor": page["next"]}).json()
        rows += page["data"]
    assert rows == expected
    # wb_bilateral_migration_matrix_2017.csv: Afghanistan -> Bolivia 1, below the threshold 5
    afghans = next(r for r in rows if r["counterpart"] == "AFG")
    assert afghans["value"] is None and afghans["flag"] == "C"
    assert "fewer than 5" in str(afghans["note"])
    # The same area by its M49 number (Bolivia 68)
    by_m49 = api.get("/api/v1/data/series", params={**params, "area": "68", "limit": 1000})
    assert by_m49.json()["data"] == expected


def test_series_download_as_sdmx_csv_and_csv_with_licence_and_suppression(
    api: TestClient,
) -> None:
    load("wb-bilateral-migration-2017")
    params = {"indicator": MIGRATION, "area": "BOL", "format": "sdmx-csv"}
    sdmx = api.get("/api/v1/data/series", params=params)
    assert sdmx.status_code == 200
    assert sdmx.headers["content-type"].startswith("application/vnd.sdmx.data+csv")
    assert sdmx.text.splitlines()[0] == ",".join(COLUMNS)
    rows = {r["COUNTERPART_AREA"]: r for r in _csv(sdmx.text)}
    assert rows["AFG"]["OBS_VALUE"] == "" and rows["AFG"]["OBS_STATUS"] == "C"
    assert rows["AFG"]["LICENCE"] == "CC BY 4.0" and rows["AFG"]["SOURCE"]
    plain = api.get("/api/v1/data/series", params={**params, "format": "csv"})
    assert plain.headers["content-type"].startswith("text/csv")
    header = plain.text.splitlines()[0].split(",")
    assert header[:2] == ["indicator", "area"] and header[-2:] == ["source", "licence"]
    csv_rows = {r["counterpart"]: r for r in _csv(plain.text)}
    assert csv_rows["AFG"]["value"] == "" and csv_rows["AFG"]["flag"] == "C"
    assert len(csv_rows) == len(rows)
    whole = json.loads(api.get("/api/v1/data/series", params={**params, "format": "json"}).text)
    assert whole["count"] == len(whole["data"]) == len(rows)
    assert whole["sources"][0]["licence"] == "CC BY 4.0"


def test_disclosure_threshold_is_configurable(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gcmhub.settings import get_settings

    load("wb-bilateral-migration-2017")
    monkeypatch.setenv("GCMHUB_DISCLOSURE_THRESHOLD", "0")
    get_settings.cache_clear()
    try:
        params = {"indicator": MIGRATION, "area": "BOL", "counterpart": "AFG"}
        row = api.get("/api/v1/data/series", params=params).json()["data"][0]
        assert row["value"] == 1.0 and row["flag"] is None
    finally:
        monkeypatch.delenv("GCMHUB_DISCLOSURE_THRESHOLD")
        get_settings.cache_clear()


def test_refusals_name_the_parameter(api: TestClient) -> None:
    load("sdg-10-c-1-uk")
    for path, params, parameter in (
        ("/api/v1/data/series", {"indicatr": "x"}, "indicatr"),
        ("/api/v1/data/datasets", {"sort": "name"}, "sort"),
        ("/api/v1/data/countries/MEX", {"year": "2020"}, "year"),
        ("/api/v1/data/series", {"indicator": "NO.SUCH"}, "indicator"),
        ("/api/v1/data/series", {"area": "XYZ"}, "area"),
        ("/api/v1/data/series", {"dataset": "nope"}, "dataset"),
        ("/api/v1/data/series", {"cursor": "not-ours"}, "cursor"),
        ("/api/v1/data/series", {"format": "xlsx"}, "format"),
        ("/api/v1/data/corridors", {"sending": "ZZZ"}, "sending"),
        ("/api/v1/data/sdg-10-7-2", {"format": "jsonld"}, "format"),
    ):
        answer = api.get(path, params=params)
        assert answer.status_code == 400, (path, params, answer.text)
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json()["parameter"] == parameter
    too_big = api.get("/api/v1/data/series", params={"limit": 2**31})
    assert too_big.status_code == 400 and too_big.headers["content-type"] == PROBLEM


def test_country_profile_matches_the_back_end_and_unknown_codes_are_404(api: TestClient) -> None:
    load("undesa-ims2020", "undesa-ims2019-bilateral", "sdg-10-7-2-global")
    with open_context() as ctx:
        expected = country_profile(ctx, "MEX").model_dump(mode="json")
    answer = api.get("/api/v1/data/countries/mex")
    assert answer.status_code == 200 and answer.json() == expected
    assert {s["licence"] for s in expected["sources"]} >= {"CC BY 3.0 IGO"}
    tag = answer.headers["etag"]
    assert answer.headers["cache-control"].startswith("public")
    again = api.get("/api/v1/data/countries/mex", headers={"If-None-Match": tag})
    assert again.status_code == 304
    for code in ("ZZZ", "WLD"):  # unknown; an aggregate
        missing = api.get(f"/api/v1/data/countries/{code}")
        assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    rows = _csv(api.get("/api/v1/data/countries/MEX", params={"format": "csv"}).text)
    stock = next(r for r in rows if r["section"] == "migrant_stock" and r["year"] == "2020")
    assert float(stock["value"]) == next(p["total"] for p in expected["stock"] if p["year"] == 2020)
    assert all(r["licence"] for r in rows)


def test_remittance_costs_match_the_back_end(api: TestClient) -> None:
    assert api.get("/api/v1/data/remittance-costs").status_code == 404  # nothing loaded
    load("rpw-corridors", "wb-bilateral-remittances-2017")
    answer = api.get("/api/v1/data/remittance-costs", params={"limit": 3})
    assert answer.status_code == 200
    found = answer.json()
    with open_context() as ctx:
        sdg_2019 = costs.sdg_10c1(ctx, 2019).model_dump(mode="json")
        period, cheapest, dearest = costs.corridors_ranked(ctx, None, 3)
        _, averages = costs.regional_averages(ctx, period)
    years = {y["year"]: y for y in found["sdg_10_c_1"]}
    assert sorted(years) == list(range(2011, 2021))
    assert years[2019] == sdg_2019
    assert years[2019]["weighted_average"] is not None
    assert found["period"] == period == "2020-Q3"
    assert found["cheapest"] == [c.model_dump(mode="json") for c in cheapest]
    assert found["dearest"] == [c.model_dump(mode="json") for c in dearest]
    assert found["regional_averages"] == [a.model_dump(mode="json") for a in averages]
    assert found["target"] == 3.0 and "weighted" in found["method"]
    assert {s["licence"] for s in found["sources"]} == {"CC BY 4.0"}
    one = api.get("/api/v1/data/remittance-costs", params={"year": 2019}).json()
    assert one["sdg_10_c_1"] == [sdg_2019]
    rows = _csv(api.get("/api/v1/data/remittance-costs", params={"format": "csv"}).text)
    assert [int(r["year"]) for r in rows] == list(range(2011, 2021))
    assert float(rows[8]["simple_average"]) == pytest.approx(sdg_2019["simple_average"])
    assert rows[0]["licence"].startswith("CC BY 4.0")
    assert api.get("/api/v1/data/remittance-costs", params={"by": "x"}).json()["parameter"] == "by"


def test_corridors_filter_by_sending_receiving_and_year(api: TestClient) -> None:
    load("rpw-corridors")
    params: dict[str, object] = {"sending": "USA", "receiving": "MEX", "year_from": 2019}
    page = api.get("/api/v1/data/corridors", params=params).json()
    with open_context() as ctx:
        series = costs.corridor_series(ctx, "USA", "MEX")
    expected = {p.period: p for p in series.points if p.period >= "2019"}
    assert page["count"] == len(page["data"]) == len(expected) > 0
    for row in page["data"]:
        assert (row["sending"], row["receiving"]) == ("USA", "MEX")
        assert row["value"] == expected[row["period"]].value
        assert row["above_3"] == expected[row["period"]].above_3
        assert row["licence"] == "CC BY 4.0"
    one = api.get("/api/v1/data/corridors/USA/MEX").json()
    assert one == series.model_dump(mode="json")
    assert api.get("/api/v1/data/corridors/USA/NOR").status_code == 404
    text = api.get("/api/v1/data/corridors", params={**params, "format": "csv"}).text
    assert text.splitlines()[0].startswith("sending,sending_name,receiving,receiving_name,period")
    assert len(text.splitlines()) == len(expected) + 1


def test_prices_are_the_rpw_figures_when_loaded(api: TestClient, tmp_path: Path) -> None:
    assert api.get("/api/v1/data/prices").status_code == 404
    path = tmp_path / "rpw.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    options = FileOptions(format="rpw", name="rpw-sample", source="test", licence="CC0")
    with open_context() as ctx:
        file_load(ctx, path, options)
        summary = rpw_summary(ctx, "2020-Q1")
    found = api.get("/api/v1/data/prices", params={"period": "2020Q1"}).json()
    assert found["period"] == "2020-Q1"
    assert found["corridors"] == [c.model_dump(mode="json") for c in summary.corridors]
    mex = next(c for c in found["corridors"] if c["receiving"] == "MEX")
    assert mex["smart"]["value"] == pytest.approx((3.5 + 2.0 + 4.5) / 3)  # A, B, C by hand
    assert mex["cheapest_firm"] == "D"
    assert found["sources"] == [
        {"dataset": "rpw-sample", "title": "rpw-sample", "source": "test", "licence": "CC0"}
    ]
    rows = _csv(api.get("/api/v1/data/prices", params={"format": "csv"}).text)
    assert {r["period"] for r in rows} == {"2020-Q1"} and rows[0]["licence"] == "CC0"


def test_sdg_10_7_2_published_and_computed_labelled_self_reported(
    api: TestClient, tmp_path: Path
) -> None:
    load("sdg-10-7-2-global", "sdg-10-7-2-national")
    options = FileOptions(format="sdg-10-7-2", name="answers", source="made up", licence="CC0")
    with open_context() as ctx:
        file_load(ctx, answers_file(tmp_path), options)
        computed = policy_result(ctx, "ARM", 2019)
    found = api.get("/api/v1/data/sdg-10-7-2", params={"area": "ARM"}).json()
    assert found["nature"] == "self-reported policy"
    assert all(r["nature"] == "self-reported policy" for r in found["data"])
    assert any(r["domains"] for r in found["data"])  # by domain from Armenia's platform
    assert found["computed"][0]["domains"] == [d.model_dump() for d in computed.domains]
    assert len(found["computed"][0]["answers"]) == 30
    assert {s["dataset"] for s in found["sources"]} >= {"sdg-10-7-2-global", "answers"}
    every = api.get("/api/v1/data/sdg-10-7-2").json()
    assert every["count"] > 100
    rows = _csv(api.get("/api/v1/data/sdg-10-7-2", params={"format": "csv"}).text)
    assert len(rows) == every["count"] and "D6" in rows[0] and rows[0]["licence"]


def test_empty_database_answers_lists_and_404s(api: TestClient) -> None:
    assert api.get("/api/v1/data/indicators").json() == []
    page = api.get("/api/v1/data/series").json()
    assert page == {"data": [], "count": 0, "next": None, "sources": []}
    assert api.get("/api/v1/data/corridors").json()["count"] == 0
    assert api.get("/api/v1/data/sdg-10-7-2").json()["count"] == 0
    assert api.get("/api/v1/data/countries/MEX").status_code == 200


def test_answers_with_data_match_the_openapi_document(api: TestClient, tmp_path: Path) -> None:
    """The fuzzing runs on the demo, which holds no indicators: check real answers here."""
    from schemathesis.checks import response_schema_conformance

    from tests.web.test_schemathesis import conformance

    load("rpw-corridors", "wb-bilateral-remittances-2017", "undesa-ims2020", "sdg-10-7-2-global")
    path = tmp_path / "rpw.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    options = FileOptions(format="rpw", name="rpw-sample", source="test", licence="CC0")
    with open_context() as ctx:
        file_load(ctx, path, options)
    for template, parts in (
        ("/api/v1/data/datasets", {}),
        ("/api/v1/data/indicators", {}),
        ("/api/v1/data/series", {"query": {"area": "MEX", "limit": 5}}),
        ("/api/v1/data/countries/{iso3}", {"path_parameters": {"iso3": "MEX"}}),
        ("/api/v1/data/remittance-costs", {}),
        ("/api/v1/data/corridors", {"query": {"receiving": "MEX"}}),
        (
            "/api/v1/data/corridors/{sending}/{receiving}",
            {"path_parameters": {"sending": "USA", "receiving": "MEX"}},
        ),
        ("/api/v1/data/prices", {}),
        ("/api/v1/data/sdg-10-7-2", {}),
    ):
        address = template.format(**parts.get("path_parameters", {}))
        response = api.get(address, params=parts.get("query"))
        assert response.status_code == 200, (address, response.text)
        conformance(response, "GET", template, response_schema_conformance, **parts)
