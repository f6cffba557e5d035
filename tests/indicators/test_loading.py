"""Loading: every shipped file within the time limit, twice refused or replaced on request, a
CSV with a column mapping, and bad input stopping the load with nothing stored."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gcmhub.indicators.areas import DATA
from gcmhub.indicators.models import Area, Indicator, Observation
from gcmhub.indicators.shipped import SHIPPED
from gcmhub.runtime import open_context
from tests.indicators.helpers import counts

MAPPING: dict[str, Any] = {
    "name": "made-up-stock",
    "title": "A made-up stock by sex",
    "source": "written for the test",
    "licence": "CC0",
    "indicator": {"code": "TEST.STOCK", "name": "Made-up stock", "unit": "persons"},
    "columns": {
        "Country": "area_name",
        "Year": "period",
        "Sex": "sex",
        "Value": "value",
        "Remark": "note",
    },
    "codes": {"sex": {"Male": "M", "Female": "F", "Both sexes": "_T"}},
}
GOOD = (
    "Country,Year,Sex,Value,Remark\n"
    "Mexico,2020,Both sexes,1200,\n"
    "Côte d'Ivoire,2020,Female,3,tiny\n"
    "Egypt, Arab Rep.,2020,Male,40,\n"
).replace("Egypt, Arab Rep.", '"Egypt, Arab Rep."')


def _files(tmp_path: Path, text: str, mapping: dict[str, Any] | None = None) -> list[str]:
    data, spec = tmp_path / "stock.csv", tmp_path / "mapping.json"
    data.write_text(text, encoding="utf-8")
    spec.write_text(json.dumps(mapping or MAPPING), encoding="utf-8")
    return ["data", "load", str(data), "--mapping", str(spec)]


def _file_rows(shipped_name: str) -> int:
    path = DATA / SHIPPED[shipped_name].files[0]
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_every_shipped_file_loads_within_30_seconds(cli) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    done = cli("data", "load", "--all", "--json")
    elapsed = time.perf_counter() - started
    assert done.code == 0, done.err
    assert elapsed <= 30, f"loading all shipped data took {elapsed:.1f} s"
    loaded = {r["name"]: r["rows"] for r in json.loads(done.out)["loaded"]}
    assert set(loaded) == set(SHIPPED)
    # One observation per row, except where a row holds several values or none:
    assert loaded["rpw-corridors"] == _file_rows("rpw-corridors") == 10417
    assert loaded["undesa-ims2019-bilateral"] == _file_rows("undesa-ims2019-bilateral")
    assert loaded["wb-bilateral-migration-2017"] == _file_rows("wb-bilateral-migration-2017")
    assert loaded["wdi-remittances"] == _file_rows("wdi-remittances")
    # KNOMAD inflows: one row of St. Martin 2018 has a blank cell (no value) -> 4,475 - 1
    assert loaded["knomad-inflows"] == _file_rows("knomad-inflows") - 1
    listed = json.loads(cli("data", "list", "--json").out)
    assert all(d["loaded"] and d["licence"] for d in listed)
    with open_context() as ctx:
        kosovo = ctx.session.get(Area, "XKX")
        assert kosovo is not None and kosovo.wb_income_group == "Upper middle income"
        # RPW writes Kosovo KSV: stored under the World Bank's XKX
        areas = set(ctx.session.scalars(select(Observation.area).distinct()))
        assert "KSV" not in areas and "XKX" in areas


def test_loading_twice_is_refused_then_replaced_on_request(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("data", "load", "sdg-10-c-1-uk").code == 0
    before = counts()
    again = cli("data", "load", "sdg-10-c-1-uk")
    assert again.code == 2
    assert again.err.count("\n") == 1
    assert "dataset 'sdg-10-c-1-uk' is loaded already (33 rows" in again.err
    assert counts() == before
    replaced = cli("data", "load", "sdg-10-c-1-uk", "--replace")
    assert replaced.code == 0 and "33 rows replaced" in replaced.out
    assert counts() == before


def test_a_mapped_csv_loads_names_matched_exactly(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = cli(*_files(tmp_path, GOOD))
    assert done.code == 0, done.err
    with open_context() as ctx:
        rows = ctx.session.execute(
            select(Observation.area, Observation.sex, Observation.value, Observation.note)
            .join(Indicator)
            .where(Indicator.code == "TEST.STOCK")
            .order_by(Observation.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("MEX", "_T", 1200.0, None),
        ("CIV", "F", 3.0, "tiny"),
        ("EGY", "M", 40.0, None),
    ]


def test_an_unknown_column_stops_the_load(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    done = cli(*_files(tmp_path, GOOD.replace("Remark", "Comment")))
    assert done.code == 2
    assert done.err == "gcmhub: error: stock.csv line 1: unknown column(s) Comment\n"
    assert counts() == before


def test_unparseable_numbers_are_reported_by_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace("1200", "1,200").replace(",40,", ",forty,")
    text = text.replace('"Egypt, Arab Rep."', "Egypt")
    before = counts()
    done = cli(*_files(tmp_path, text))
    assert done.code == 2
    assert done.err.count("\n") == 1
    # "1,200" unquoted splits into one cell too many; "forty" is no number
    assert "stock.csv line 2: 6 cells for 5 columns" in done.err
    assert "line 4: value 'forty' is not a number" in done.err
    assert counts() == before


def test_country_names_that_match_no_code_are_reported_not_guessed(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace("Mexico", "Mexiko").replace('"Egypt, Arab Rep."', "Egypt Arab Republic")
    before = counts()
    done = cli(*_files(tmp_path, text))
    assert done.code == 2
    assert done.err.count("\n") == 1
    assert (
        "stock.csv: country names that match no code: 'Mexiko' (line 2), "
        "'Egypt Arab Republic' (line 4)"
    ) in done.err
    assert counts() == before


def test_a_bad_shipped_style_file_is_reported(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "DATAFLOW,INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE\n"
        "GCMHUB:DF_MIGRATION(1.0),X,MEX,2020,12.5,%\n"
        "GCMHUB:DF_MIGRATION(1.0),X,ZZZ,2020,1,%\n"
        "GCMHUB:DF_MIGRATION(1.0),X,MEX,20x0,1,%\n",
        encoding="utf-8",
    )
    before = counts()
    args = ["--format", "sdmx-csv", "--source", "test", "--licence", "CC0"]
    done = cli("data", "load", str(bad), *args)
    assert done.code == 2
    assert done.err == (
        "gcmhub: error: bad.csv line 3: REF_AREA 'ZZZ' is not a known country or area code; "
        "line 4: period '20x0' is not a year, quarter (2019Q2) or month (2019M05)\n"
    )
    assert counts() == before


@pytest.mark.parametrize(
    "problem, message",
    [
        ({"columns": {"Country": "area_name"}}, "no column is mapped to 'period'"),
        ({"indicator": None}, "give either an 'indicator' or a column mapped to 'indicator'"),
    ],
)
def test_a_mapping_that_cannot_be_used_is_refused(
    cli,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    problem: dict[str, Any],
    message: str,
) -> None:
    done = cli(*_files(tmp_path, GOOD, {**MAPPING, **problem}))
    assert done.code == 2 and message in done.err and done.err.count("\n") == 1
