"""Public outputs: SDMX-CSV export and import, disclosure control, country profiles, and the
schema of migration 0010 matching the models."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gcmhub.db import engine_for
from gcmhub.errors import NotFound
from gcmhub.indicators.areas import DATA
from gcmhub.indicators.loading import FileOptions, file_load
from gcmhub.indicators.profiles import country_profile
from gcmhub.indicators.sdmx import sdmx_write
from gcmhub.indicators.series import SeriesFilter, observations_public
from gcmhub.models import Base
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings
from tests.indicators.helpers import counts, load


def test_migration_0010_matches_the_models() -> None:
    with open_context():
        pass
    with engine_for(get_settings().url).connect() as connection:
        context = MigrationContext.configure(connection)
        differences = [
            d
            for d in compare_metadata(context, Base.metadata)
            if "ind_" in str(d)  # only this part's tables
        ]
    assert differences == []


def test_small_counts_are_withheld_in_exports_and_sdmx_round_trips(
    cli,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load("wb-bilateral-migration-2017")
    # wb_bilateral_migration_matrix_2017.csv: Afghanistan -> Bolivia 1 (below the default
    # threshold of 5), Afghanistan -> Australia 45610
    out = tmp_path / "bol.csv"
    done = cli(
        "data", "export", "--indicator", "WB.MIG.BILATERAL", "--area", "BOL", "--output", str(out)
    )
    assert done.code == 0, done.err
    with out.open(encoding="utf-8") as handle:
        rows = {r["COUNTERPART_AREA"]: r for r in csv.DictReader(handle)}
    assert rows["AFG"]["OBS_VALUE"] == "" and rows["AFG"]["OBS_STATUS"] == "C"
    assert "fewer than 5" in rows["AFG"]["OBS_COMMENT"]
    assert rows["AFG"]["LICENCE"] == "CC BY 4.0"
    monkeypatch.setenv("GCMHUB_DISCLOSURE_THRESHOLD", "0")  # control off: all shown
    get_settings.cache_clear()
    with open_context() as ctx:
        shown = list(observations_public(ctx, SeriesFilter("WB.MIG.BILATERAL", "BOL")))
        assert next(o.value for o in shown if o.counterpart == "AFG") == 1.0
        buffer = io.StringIO()
        sdmx_write(observations_public(ctx, SeriesFilter("WB.MIG.BILATERAL", "AUS")), buffer)
    aus = {r["COUNTERPART_AREA"]: r for r in csv.DictReader(io.StringIO(buffer.getvalue()))}
    assert aus["AFG"]["OBS_VALUE"] == "45610.0"
    # Import the export again as another dataset: the same values come back
    again = tmp_path / "aus.csv"
    again.write_text(buffer.getvalue(), encoding="utf-8")
    before = counts()["ind_observations"]
    options = FileOptions(
        format="sdmx-csv", name="aus-again", source="re-import", licence="CC BY 4.0"
    )
    with open_context() as ctx:
        result = file_load(ctx, again, options)
    assert result.rows == len(aus)
    assert counts()["ind_observations"] == before + len(aus)
    with open_context() as ctx:
        back = list(
            observations_public(ctx, SeriesFilter("WB.MIG.BILATERAL", "AUS", dataset="aus-again"))
        )
    assert {(o.counterpart, o.value) for o in back} == {
        (c, float(r["OBS_VALUE"])) for c, r in aus.items()
    }


def test_country_profile_numbers_come_from_the_files() -> None:
    load(
        "undesa-ims2020",
        "undesa-ims2019-bilateral",
        "wdi-remittances",
        "rpw-corridors",
        "sdg-10-7-2-global",
    )
    with open_context() as ctx:
        started = time.perf_counter()
        profile = country_profile(ctx, "mex")
        elapsed = time.perf_counter() - started
        with pytest.raises(NotFound):
            country_profile(ctx, "WLD")  # an aggregate, not a country
    assert elapsed < 0.2
    assert (profile.code, profile.m49, profile.wb_region) == (
        "MEX",
        484,
        "Latin America & Caribbean",
    )
    with (DATA / "undesa_ims2020_stock_by_destination_sex.csv").open() as handle:
        mexico = {int(r["year"]): r for r in csv.DictReader(handle) if r["m49_code"] == "484"}
    stock_2020 = next(p for p in profile.stock if p.year == 2020)
    assert stock_2020.total == float(mexico[2020]["migrant_stock_total"])
    assert stock_2020.female == float(mexico[2020]["migrant_stock_female"])
    assert stock_2020.share_of_population == float(mexico[2020]["migrant_share_of_population_pct"])
    assert [p.year for p in profile.stock] == [1990, 1995, 2000, 2005, 2010, 2015, 2020]
    with (DATA / "undesa_ims2019_bilateral_stock.csv").open() as handle:
        rows = [r for r in csv.DictReader(handle) if r["year"] == "2019"]
    origins = sorted(
        (r for r in rows if r["destination_m49"] == "484"), key=lambda r: -float(r["migrant_stock"])
    )
    destinations = sorted(
        (r for r in rows if r["origin_m49"] == "484"), key=lambda r: -float(r["migrant_stock"])
    )
    assert profile.origins_year == profile.destinations_year == 2019
    assert profile.top_origins[0].code == "USA"
    assert profile.top_origins[0].value == float(origins[0]["migrant_stock"])
    assert profile.top_destinations[0].code == "USA"
    assert profile.top_destinations[0].value == float(destinations[0]["migrant_stock"])
    received = {r.year: r.received_usd for r in profile.remittances}
    with (DATA / "wdi_remittance_indicators.csv").open() as handle:
        wdi = {
            (r["indicator_code"], int(r["year"])): float(r["value"])
            for r in csv.DictReader(handle)
            if r["country_code"] == "MEX"
        }
    assert received[2022] == wdi[("BX.TRF.PWKR.CD.DT", 2022)]
    cost = {c.year: c.to_country for c in profile.costs}
    assert cost[2020] == wdi[("SI.RMT.COST.IB.ZS", 2020)]
    assert profile.cheapest_corridors_to and all(
        c.receiving == "MEX" for c in profile.cheapest_corridors_to
    )
    assert "LCN" in profile.region_comparison and "UMC" in profile.region_comparison
    assert {s.dataset for s in profile.sources} >= {"undesa-ims2020", "wdi-remittances"}
    assert all(s.licence for s in profile.sources)
