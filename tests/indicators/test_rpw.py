"""Firm-level remittance prices (RPW layout): loading, total cost, corridor and global averages,
the flow-weighted average, SmaRT and the cheapest provider, each checked by hand.

The fixture is made up for the test (no firm-level RPW file is shipped): two corridors in
2020Q1, USA -> MEX (six services, USD amounts) and GBR -> NGA (two services, GBP 160 for USD
200), and one USA -> MEX service in 2019Q4 that must not count in 2020Q1.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from gcmhub.errors import InvalidInput
from gcmhub.indicators import rpw
from gcmhub.indicators.areas import DATA
from gcmhub.indicators.loading import FileOptions, file_load
from gcmhub.runtime import open_context
from tests.indicators.helpers import counts, load

HEADER = (
    "period,source_code,destination_code,firm,firm_type,product,speed actual,"
    "cc1 lcu amount,cc1 lcu fee,cc1 fx margin,cc1 total cost %,"
    "cc2 lcu amount,cc2 lcu fee,cc2 fx margin,transparent,accessible\n"
)
# Total cost % = fee / amount x 100 + fx margin:
#   A: 5/200*100 + 1.0  = 2.5 + 1.0  = 3.5   transparent, < 1 hour, accessible  -> SmaRT
#   B: 0/200*100 + 2.0  = 0.0 + 2.0  = 2.0   transparent, 3-5 days, accessible  -> SmaRT
#   C: 10/200*100 - 0.5 = 5.0 - 0.5  = 4.5   transparent, next day, accessible  -> SmaRT
#   D: 2/200*100 + 0.5  = 1.0 + 0.5  = 1.5   NOT transparent                    -> no
#   E: 4/200*100 + 1.5  = 2.0 + 1.5  = 3.5   6 days or more                     -> no
#   F: 1/200*100 + 2.5  = 0.5 + 2.5  = 3.0   not accessible                     -> no
#   G: 8/160*100 + 2.0  = 5.0 + 2.0  = 7.0   GBR -> NGA, eligible
#   H: 4/160*100 + 3.0  = 2.5 + 3.0  = 5.5   GBR -> NGA, eligible
#   Z: 6/200*100 + 2.0  = 3.0 + 2.0  = 5.0   USA -> MEX in 2019Q4 (another period)
# USD 500 of A: 5/500*100 + 1.0 = 2.0.
ROWS = """\
2020_1Q,USA,MEX,A,Money Transfer Operator,A online,Less than one hour,200,5,1.0,3.5,500,5,1.0,yes,yes
2020_1Q,USA,MEX,B,Bank,B account,3-5 days,200,0,2.0,2.0,,,,yes,yes
2020_1Q,USA,MEX,C,Money Transfer Operator,C cash,Next day,200,10,-0.5,,,,,yes,yes
2020_1Q,USA,MEX,D,Money Transfer Operator,D cash,Same day,200,2,0.5,1.5,,,,no,yes
2020_1Q,USA,MEX,E,Bank,E wire,6 days or more,200,4,1.5,,,,,yes,yes
2020_1Q,USA,MEX,F,Post office,F post,2 days,200,1,2.5,,,,,yes,no
2020_1Q,GBR,NGA,G,Bank,G wire,Less than one hour,160,8,2.0,7.0,,,,yes,yes
2020_1Q,GBR,NGA,H,Money Transfer Operator,H app,Next day,160,4,3.0,,,,,yes,yes
2019_4Q,USA,MEX,Z,Bank,Z wire,Next day,200,6,2.0,,,,,yes,yes
"""


@pytest.fixture
def prices_file(tmp_path: Path) -> Path:
    path = tmp_path / "rpw-sample.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


def _load(path: Path) -> int:
    options = FileOptions(
        format="rpw", name="rpw-sample", source="test fixture", licence="CC0 (made up)"
    )
    with open_context() as ctx:
        return file_load(ctx, path, options).rows


def test_total_cost_is_fee_over_amount_plus_margin() -> None:
    assert rpw.total_cost(5, 200, 1.0) == pytest.approx(3.5)
    assert rpw.total_cost(10, 200, -0.5) == pytest.approx(4.5)  # negative margin: a promotion
    with pytest.raises(InvalidInput):
        rpw.total_cost(5, 0, 1.0)


def test_figures_of_a_period_by_hand(prices_file: Path) -> None:
    assert _load(prices_file) == 9
    weights = {("USA", "MEX"): 4.0, ("GBR", "NGA"): 1.0}
    with open_context() as ctx:
        summary = rpw.rpw_summary(ctx, "2020-Q1", weights)
    assert summary.period == "2020-Q1"
    assert summary.services == 8
    # Global average: (3.5 + 2.0 + 4.5 + 1.5 + 3.5 + 3.0 + 7.0 + 5.5) / 8 = 30.5 / 8 = 3.8125
    assert summary.global_average == pytest.approx(3.8125)
    by = {(c.sending, c.receiving): c for c in summary.corridors}
    mex, nga = by[("USA", "MEX")], by[("GBR", "NGA")]
    # USA -> MEX: (3.5 + 2.0 + 4.5 + 1.5 + 3.5 + 3.0) / 6 = 18.0 / 6 = 3.0
    assert mex.services == 6 and mex.average == pytest.approx(3.0)
    # GBR -> NGA: (7.0 + 5.5) / 2 = 6.25
    assert nga.services == 2 and nga.average == pytest.approx(6.25)
    # Weighted by flows 4 and 1: (3.0 x 4 + 6.25 x 1) / 5 = 18.25 / 5 = 3.65
    assert summary.global_weighted_average == pytest.approx(3.65)
    assert summary.corridors_weighted == 2 and summary.corridors_without_flow == 0
    # SmaRT USA -> MEX: eligible A 3.5, B 2.0, C 4.5 -> (2.0 + 3.5 + 4.5) / 3 = 10 / 3
    assert mex.smart.eligible == 3 and mex.smart.value == pytest.approx(10 / 3)
    # GBR -> NGA: only two eligible services -> no SmaRT
    assert nga.smart.eligible == 2 and nga.smart.value is None
    # Cheapest: D (1.5, though not transparent) and H (5.5)
    assert (mex.cheapest_firm, mex.cheapest_cost) == ("D", pytest.approx(1.5))
    assert (nga.cheapest_firm, nga.cheapest_cost) == ("H", pytest.approx(5.5))


def test_latest_period_by_default_and_the_other_period(prices_file: Path) -> None:
    _load(prices_file)
    with open_context() as ctx:
        assert rpw.rpw_summary(ctx, weights={}).period == "2020-Q1"
        older = rpw.rpw_summary(ctx, "2019-Q4", weights={})
    # One service, Z: 5.0; no flow given -> no weighted average, one corridor without flow
    assert older.global_average == pytest.approx(5.0)
    assert older.global_weighted_average is None and older.corridors_without_flow == 1


def test_weights_default_to_the_stored_bilateral_matrix(prices_file: Path) -> None:
    load("wb-bilateral-remittances-2017")
    _load(prices_file)
    flows = {}
    with (DATA / "wb_bilateral_remittances_2017.csv").open() as handle:
        for row in csv.DictReader(handle):
            corridor = (row["sending_code"], row["receiving_code"])
            if corridor in (("USA", "MEX"), ("GBR", "NGA")):
                flows[corridor] = float(row["remittances_usd_million"])
    assert len(flows) == 2
    with open_context() as ctx:
        summary = rpw.rpw_summary(ctx, "2020-Q1")
    # (3.0 x flow USA->MEX + 6.25 x flow GBR->NGA) / (sum of the two flows)
    expected = (3.0 * flows[("USA", "MEX")] + 6.25 * flows[("GBR", "NGA")]) / sum(flows.values())
    assert summary.global_weighted_average == pytest.approx(expected)


def test_usd_500_price_point_is_kept(prices_file: Path) -> None:
    _load(prices_file)
    with open_context() as ctx:
        _, services = rpw.rpw_services(ctx, "2020-Q1")
    a = next(s for s in services if s.firm == "A")
    assert a.total_cost_500 == pytest.approx(2.0)  # 5 / 500 x 100 + 1.0
    assert a.speed_days == 0 and a.transparent is True and a.accessible is True


def test_a_stated_total_that_disagrees_stops_the_load(prices_file: Path) -> None:
    prices_file.write_text(HEADER + ROWS.replace(",3.5,500,", ",9.9,500,"), encoding="utf-8")
    before = counts()
    with pytest.raises(InvalidInput, match=r"rpw-sample.csv line 2: cc1 total cost % 9.9"):
        _load(prices_file)
    assert counts() == before


def test_command_line_load_and_prices(prices_file: Path, cli) -> None:  # type: ignore[no-untyped-def]
    args = ["--format", "rpw", "--name", "rpw-sample", "--source", "fixture", "--licence", "CC0"]
    done = cli("data", "load", str(prices_file), *args)
    assert done.code == 0, done.err
    assert "rpw-sample: 9 rows loaded." in done.out
    again = cli("data", "load", str(prices_file), *args)
    assert again.code == 2
    assert again.err.strip().count("\n") == 0 and "loaded already" in again.err
    shown = cli("data", "prices", "--period", "2020Q1", "--json")
    assert shown.code == 0, shown.err
    summary = json.loads(shown.out)
    assert summary["global_average"] == pytest.approx(3.8125)
