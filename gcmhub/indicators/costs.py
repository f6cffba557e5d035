"""Remittance costs by corridor (RPW corridor averages, series RPW.ATCR.CORR) and SDG 10.c.1.

Data: the World Bank's average total cost of sending USD 200 in each corridor (sending ->
receiving) per quarter, 2011Q1-2020Q3 (half-yearly in 2011-2012), stored with area = receiving
and counterpart = sending. The SDG target 10.c is 3 % by 2030 (and no corridor above 5 %).

SDG 10.c.1 from corridor data, for a year:
1. each corridor's annual cost is the simple average of its quarterly averages in that year;
2. the simple average is the mean of those annual corridor costs over all corridors priced that
   year;
3. the weighted average weights each corridor's annual cost by its flow in the World Bank
   bilateral remittance matrix (2017 estimates, US$ million, stored as WB.REMIT.BILATERAL):
   sum(cost x flow) / sum(flow) over the corridors that have a flow; corridors without one are
   left out and counted (`corridors` - `corridors_weighted`). The matrix is of 2017 for every
   year: the shipped data have no other year.

A country's cost (sending to it, SI.RMT.COST.IB.ZS; from it, SI.RMT.COST.OB.ZS) is computed the
same way: the mean of all corridor-quarter averages into (from) the country in the year.
It does not equal the published WDI figure, which averages the individual services of all
corridors (a corridor with many services weighs more) while only corridor averages are shipped;
the published figure's quarter weighting is not stated either. Measured on the shipped data
(tests/indicators/test_costs.py): the median per-country difference is 0.36 points (receiving)
and 0.34 (sending); averaged over the countries of a year, computed and published differ by at
most 0.35 (receiving) and 0.39 points (sending) in every year 2011-2020.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from gcmhub.context import Context
from gcmhub.errors import BadParameter, NotFound
from gcmhub.indicators.areas import gazetteer
from gcmhub.indicators.models import Dataset, Indicator, Observation
from gcmhub.indicators.rpw import remittance_flows
from gcmhub.indicators.schemas import (
    CorridorCost,
    CorridorSeries,
    CostPoint,
    GroupAverage,
    Sdg10c1,
    SourceRef,
)
from gcmhub.indicators.series import dataset_sources
from gcmhub.indicators.store import period_param

CORRIDORS = "RPW.ATCR.CORR"
TARGET = 3.0
CEILING = 5.0
GROUPINGS = ("wb_region", "wb_income_group", "un_region", "un_subregion")


@dataclass(frozen=True)
class CorridorValue:
    """A corridor's average cost in one period."""

    sending: str
    receiving: str
    period: str
    year: int
    value: float


def corridor_values(
    ctx: Context, year: int | None = None, period: str | None = None
) -> list[CorridorValue]:
    """Return stored corridor averages, for a year or a period (all when neither is given)."""
    query = (
        select(Observation.counterpart, Observation.area, Observation.period, Observation.year)
        .add_columns(Observation.value)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Indicator.code == CORRIDORS)
    )
    if year is not None:
        query = query.where(Observation.year == year)
    if period is not None:
        query = query.where(Observation.period == period)
    return [CorridorValue(*row) for row in ctx.session.execute(query)]


def _sources(ctx: Context, *indicators: str) -> list[SourceRef]:
    query = (
        select(Dataset.name)
        .join(Observation, Observation.dataset_id == Dataset.id)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Indicator.code.in_(indicators))
        .distinct()
    )
    return dataset_sources(ctx, set(ctx.session.scalars(query)))


def _latest_period(ctx: Context) -> str:
    query = (
        select(Observation.period)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Indicator.code == CORRIDORS)
        .order_by(Observation.year.desc(), Observation.period.desc())
        .limit(1)
    )
    found = ctx.session.scalar(query)
    if found is None:
        raise NotFound("no corridor costs are loaded (gcmhub data load rpw-corridors)")
    return found


def corridor_series(ctx: Context, sending: str, receiving: str) -> CorridorSeries:
    """Return a corridor's cost over time against the 3 % and 5 % targets."""
    gaz = gazetteer()
    codes = []
    for name, text in (("sending", sending), ("receiving", receiving)):
        code = gaz.code(text)
        if code is None:
            raise BadParameter(name, f"'{text}' is not a known country code")
        codes.append(code)
    query = (
        select(Observation.period, Observation.value)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(
            Indicator.code == CORRIDORS,
            Observation.counterpart == codes[0],
            Observation.area == codes[1],
        )
        .order_by(Observation.year, Observation.period)
    )
    points = [
        CostPoint(period=p, value=v, above_3=v > TARGET, above_5=v > CEILING)
        for p, v in ctx.session.execute(query)
    ]
    if not points:
        raise NotFound(f"no corridor {codes[0]} -> {codes[1]} in the corridor data")
    return CorridorSeries(
        sending=codes[0],
        sending_name=gaz.name(codes[0]),
        receiving=codes[1],
        receiving_name=gaz.name(codes[1]),
        points=points,
        sources=_sources(ctx, CORRIDORS),
    )


def _cost(item: CorridorValue) -> CorridorCost:
    gaz = gazetteer()
    return CorridorCost(
        sending=item.sending,
        sending_name=gaz.name(item.sending),
        receiving=item.receiving,
        receiving_name=gaz.name(item.receiving),
        period=item.period,
        value=item.value,
    )


def corridors_ranked(
    ctx: Context, period: str | None = None, limit: int = 10
) -> tuple[str, list[CorridorCost], list[CorridorCost]]:
    """Return a period (the latest by default), its cheapest and its dearest corridors."""
    period = period_param(period) if period else _latest_period(ctx)
    values = corridor_values(ctx, period=period)
    if not values:
        raise NotFound(f"no corridor costs in period {period}")
    ordered = sorted(values, key=lambda v: (v.value, v.sending, v.receiving))
    dearest = sorted(values, key=lambda v: (-v.value, v.sending, v.receiving))
    return period, [_cost(v) for v in ordered[:limit]], [_cost(v) for v in dearest[:limit]]


def regional_averages(
    ctx: Context, period: str | None = None, by: str = "wb_region", side: str = "receiving"
) -> tuple[str, list[GroupAverage]]:
    """Return the simple average of corridor costs per group of the receiving (or sending)
    country: World Bank region or income group, UN region or sub-region."""
    if by not in GROUPINGS:
        raise BadParameter("by", f"group by one of {', '.join(GROUPINGS)}")
    if side not in ("receiving", "sending"):
        raise BadParameter("side", "side is receiving or sending")
    period = period_param(period) if period else _latest_period(ctx)
    gaz = gazetteer()
    groups: dict[str, list[float]] = defaultdict(list)
    for item in corridor_values(ctx, period=period):
        place = gaz.places.get(item.receiving if side == "receiving" else item.sending)
        group = getattr(place, by, None) if place else None
        groups[group or "unclassified"].append(item.value)
    averages = [
        GroupAverage(group=g, corridors=len(v), average=statistics.fmean(v))
        for g, v in sorted(groups.items())
    ]
    return period, averages


def annual_corridor_costs(ctx: Context, year: int) -> dict[tuple[str, str], float]:
    """Return each corridor's annual cost: the mean of its quarterly averages in the year."""
    costs: dict[tuple[str, str], list[float]] = defaultdict(list)
    for item in corridor_values(ctx, year=year):
        costs[(item.sending, item.receiving)].append(item.value)
    return {corridor: statistics.fmean(v) for corridor, v in costs.items()}


def sdg_10c1(ctx: Context, year: int) -> Sdg10c1:
    """Compute SDG 10.c.1 for a year from corridor averages: simple and flow-weighted."""
    annual = annual_corridor_costs(ctx, year)
    if not annual:
        raise NotFound(f"no corridor costs in {year}")
    flows = remittance_flows(ctx)
    weighted = {c: flows[c] for c in annual if flows.get(c, 0) > 0}
    # fsum is correctly rounded, so the figure does not depend on the order rows come in
    total = math.fsum(weighted.values())
    return Sdg10c1(
        year=year,
        corridors=len(annual),
        simple_average=statistics.fmean(annual.values()),
        weighted_average=(math.fsum(annual[c] * w for c, w in weighted.items()) / total)
        if total
        else None,
        corridors_weighted=len(weighted),
        weights="World Bank bilateral remittance matrix 2017 (US$ million)",
        sources=_sources(ctx, CORRIDORS, "WB.REMIT.BILATERAL"),
    )


def country_costs(ctx: Context, year: int, side: str = "receiving") -> dict[str, float]:
    """Return each country's cost computed from corridors: sending to it, or from it."""
    values: dict[str, list[float]] = defaultdict(list)
    for item in corridor_values(ctx, year=year):
        values[item.receiving if side == "receiving" else item.sending].append(item.value)
    return {country: statistics.fmean(v) for country, v in values.items()}
