"""A country's numbers for its profile: migrant stock over time (total, by sex, share of the
population), top origins and destinations (UN DESA bilateral 2019 revision, latest year),
remittances received and paid and as % of GDP (WDI), the cost of sending to and from it (WDI,
SDG 10.c.1) and its cheapest corridors (RPW), SDG 10.7.2 status (self-reported policy), and the
World Bank aggregates of its region and income group for comparison.

Four queries, all on the (indicator, area, year) and (indicator, counterpart, year) indexes.
Small counts among origins and destinations are withheld as in every public output.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from gcmhub.context import Context
from gcmhub.errors import NotFound
from gcmhub.indicators import disclosure
from gcmhub.indicators.areas import Gazetteer, gazetteer
from gcmhub.indicators.models import Dataset, Indicator, Observation
from gcmhub.indicators.policy import LABELS
from gcmhub.indicators.schemas import (
    AreaProfile,
    AreaRef,
    CorridorCost,
    CostYear,
    CountryProfile,
    Partner,
    PolicyStatus,
    RemittancePoint,
    StockPoint,
)
from gcmhub.indicators.series import dataset_sources

RECEIVED, PAID, GDP = "BX.TRF.PWKR.CD.DT", "BM.TRF.PWKR.CD.DT", "BX.TRF.PWKR.DT.GD.ZS"
COST_TO, COST_FROM = "SI.RMT.COST.IB.ZS", "SI.RMT.COST.OB.ZS"
BILATERAL, CORRIDORS, POLICY = "UNDESA.IMS2019.BILATERAL", "RPW.ATCR.CORR", "SG_CPA_MIGRS"
STOCK = {
    ("UNDESA.IMS.STOCK", "_T"): "total",
    ("UNDESA.IMS.STOCK", "M"): "male",
    ("UNDESA.IMS.STOCK", "F"): "female",
    ("UNDESA.IMS.SHARE", "_T"): "share_of_population",
    ("UNDESA.IMS.FEMALE_SHARE", "_T"): "female_share",
    ("UNDESA.IMS.REFUGEES", "_T"): "refugees",
}
AREA_SIDE = {
    *(code for code, _ in STOCK),
    RECEIVED,
    PAID,
    GDP,
    COST_TO,
    COST_FROM,
    POLICY,
    BILATERAL,
    CORRIDORS,
}
TOP = 10
CORRIDORS_SHOWN = 5

# indicator, sex, counterpart, category, period, year, value, flag, dataset, is_count, area
Row = tuple[str, str, str, str, str, int, float, str | None, str, bool, str]


def _rows(ctx: Context, side: Any, code: str, indicators: set[str]) -> list[Row]:
    query = (
        select(
            Indicator.code,
            Observation.sex,
            Observation.counterpart,
            Observation.category,
            Observation.period,
            Observation.year,
            Observation.value,
            Observation.flag,
            Dataset.name,
            Indicator.is_count,
            Observation.area,
        )
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .join(Dataset, Dataset.id == Observation.dataset_id)
        .where(side == code, Indicator.code.in_(indicators))
    )
    return [tuple(r) for r in ctx.session.execute(query)]


def _partners(rows: list[Row], other: int, gaz: Gazetteer) -> tuple[int | None, list[Partner]]:
    """Return the latest year and the largest partners (`other`: index of the partner code)."""
    if not rows:
        return None, []
    year = max(r[5] for r in rows)
    limit = disclosure.threshold()
    latest = sorted((r for r in rows if r[5] == year), key=lambda r: (-r[6], r[other]))[:TOP]
    partners = []
    for r in latest:
        partner = str(r[other])
        hidden = disclosure.small_count(r[6], r[9], True, limit)
        partners.append(
            Partner(
                code=partner,
                name=gaz.name(partner),
                value=None if hidden else r[6],
                flag=disclosure.SUPPRESSED if hidden else None,
            )
        )
    return year, partners


def _corridors(rows: list[Row], gaz: Gazetteer, to_country: bool, code: str) -> list[CorridorCost]:
    if not rows:
        return []
    latest = max((r[5], r[4]) for r in rows)
    chosen = sorted((r for r in rows if (r[5], r[4]) == latest), key=lambda r: (r[6], r[2], r[10]))
    out = []
    for r in chosen[:CORRIDORS_SHOWN]:
        sending, receiving = (r[2], code) if to_country else (code, r[10])
        out.append(
            CorridorCost(
                sending=sending,
                sending_name=gaz.name(sending),
                receiving=receiving,
                receiving_name=gaz.name(receiving),
                period=r[4],
                value=r[6],
            )
        )
    return out


def _remittances(rows: list[Row]) -> list[RemittancePoint]:
    years: dict[int, RemittancePoint] = {}
    fields = {RECEIVED: "received_usd", PAID: "paid_usd", GDP: "received_pct_gdp"}
    for r in rows:
        if r[0] in fields:
            point = years.setdefault(r[5], RemittancePoint(year=r[5]))
            setattr(point, fields[r[0]], r[6])
    return [years[y] for y in sorted(years)]


def _policy(rows: list[Row]) -> list[PolicyStatus]:
    found: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    years: dict[tuple[str, str], int] = {}
    for r in rows:
        if r[0] == POLICY:
            found[(r[4], r[8])][r[3]] = int(r[6])
            years[(r[4], r[8])] = r[5]
    out = []
    for (period, dataset), values in sorted(found.items()):
        overall = values.pop("ALL", None)
        out.append(
            PolicyStatus(
                year=years[(period, dataset)],
                period=period,
                category=overall,
                label=LABELS.get(overall) if overall else None,
                domains=values,
                dataset=dataset,
            )
        )
    return out


def country_profile(ctx: Context, iso3: str) -> CountryProfile:
    """Return the numbers of a country's profile (NotFound for an unknown code)."""
    gaz = gazetteer()
    code = gaz.code(iso3)
    place = gaz.places.get(code) if code else None
    if place is None or code is None or place.kind != "country":
        raise NotFound(f"no country with the code '{iso3}'")
    own = _rows(ctx, Observation.area, code, AREA_SIDE)
    away = _rows(ctx, Observation.counterpart, code, {BILATERAL, CORRIDORS})
    stock: dict[int, StockPoint] = {}
    costs: dict[int, CostYear] = {}
    for r in own:
        field = STOCK.get((r[0], r[1]))
        if field and r[2] == "_T":
            setattr(stock.setdefault(r[5], StockPoint(year=r[5])), field, r[6])
        elif r[0] in (COST_TO, COST_FROM):
            point = costs.setdefault(r[5], CostYear(year=r[5]))
            setattr(point, "to_country" if r[0] == COST_TO else "from_country", r[6])
    origins_year, origins = _partners([r for r in own if r[0] == BILATERAL], 2, gaz)
    dest_year, dests = _partners([r for r in away if r[0] == BILATERAL], 10, gaz)
    comparison = _comparison(ctx, place.wb_region, place.wb_income_group, gaz)
    used = {r[8] for r in own} | {r[8] for r in away}
    return CountryProfile(
        code=code,
        name=place.name,
        m49=place.m49,
        un_region=place.un_region,
        un_subregion=place.un_subregion,
        wb_region=place.wb_region,
        wb_income_group=place.wb_income_group,
        stock=[stock[y] for y in sorted(stock)],
        origins_year=origins_year,
        top_origins=origins,
        destinations_year=dest_year,
        top_destinations=dests,
        remittances=_remittances(own),
        costs=[costs[y] for y in sorted(costs)],
        cheapest_corridors_to=_corridors([r for r in own if r[0] == CORRIDORS], gaz, True, code),
        cheapest_corridors_from=_corridors(
            [r for r in away if r[0] == CORRIDORS], gaz, False, code
        ),
        sdg_10_7_2=_policy(own),
        region_comparison=comparison,
        sources=dataset_sources(ctx, used),
    )


def _comparison(
    ctx: Context, region: str | None, income: str | None, gaz: Gazetteer
) -> dict[str, list[RemittancePoint]]:
    """The World Bank aggregates of the country's region and income group (WDI publishes
    them under the same names), for comparison."""
    codes = {
        p.code
        for p in gaz.places.values()
        if p.kind == "aggregate" and p.name in {region, income} - {None}
    }
    out = {}
    for aggregate in sorted(codes):
        points = _remittances(_rows(ctx, Observation.area, aggregate, {RECEIVED, PAID, GDP}))
        if points:
            out[aggregate] = points
    return out


def area_profile(ctx: Context, code: str) -> AreaProfile:
    """Return an aggregate's migrant stock and remittances over time, and for a World Bank
    region or income group its member countries (NotFound for a code that is no aggregate).
    A read helper of the data pages (gcmhub/indicators/views.py)."""
    gaz = gazetteer()
    found = gaz.code(code)
    place = gaz.places.get(found) if found else None
    if place is None or found is None or place.kind != "aggregate":
        raise NotFound(f"no region or group with the code '{code}'")
    rows = _rows(ctx, Observation.area, found, {*(c for c, _ in STOCK), RECEIVED, PAID, GDP})
    stock: dict[int, StockPoint] = {}
    for r in rows:
        field = STOCK.get((r[0], r[1]))
        if field and r[2] == "_T":
            setattr(stock.setdefault(r[5], StockPoint(year=r[5])), field, r[6])
    grouping = None
    members: list[AreaRef] = []
    for attribute, kind in (("wb_region", "wb_region"), ("wb_income_group", "wb_income_group")):
        inside = [
            p
            for p in gaz.places.values()
            if p.kind == "country" and getattr(p, attribute) == place.name
        ]
        if inside:
            grouping = kind
            members = [AreaRef(code=p.code, name=p.name) for p in sorted(inside, key=_by_name)]
            break
    if grouping is None and found.startswith("UN-"):
        grouping = "un_desa"
    return AreaProfile(
        code=found,
        name=place.name,
        grouping=grouping,
        stock=[stock[y] for y in sorted(stock)],
        remittances=_remittances(rows),
        members=members,
        sources=dataset_sources(ctx, {r[8] for r in rows}),
    )


def _by_name(place: Any) -> str:
    return str(place.name)
