"""What the open API reads: indicators, keyset-paged observations and corridor costs (and the
batch-by-batch streams behind their downloads), the SDG 10.c.1 overview, the firm-level price
figures and SDG 10.7.2, each with the source and licence of its data.

Every observation passes through `series.public`, so the disclosure control applies to every
page and download as it does to the command line's export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from gcmhub.context import PUBLIC, Actor, Context
from gcmhub.cursors import MALFORMED, decode_cursor, encode_cursor, follow
from gcmhub.errors import BadParameter, NotFound
from gcmhub.indicators import costs, disclosure, policy, rpw
from gcmhub.indicators.areas import gazetteer
from gcmhub.indicators.models import (
    Dataset,
    Indicator,
    Observation,
    PolicyAnswer,
    RemittancePrice,
)
from gcmhub.indicators.schemas import (
    CorridorPage,
    CorridorRow,
    IndicatorOut,
    ObservationOut,
    PolicyComputed,
    PolicyOverview,
    PolicyRow,
    PricesOut,
    RemittanceCosts,
    SeriesPage,
    SourceRef,
)
from gcmhub.indicators.series import SeriesFilter, _query, dataset_sources, public
from gcmhub.indicators.store import period_param

MAX_ID = 2**31 - 1
BATCH = 5000  # rows per transaction of a streamed download
CORRIDOR_UNIT = "% of amount sent (USD 200)"
COSTS_METHOD = (
    "SDG 10.c.1 computed from the World Bank's corridor averages (RPW ATCR.CORR, % of USD 200): "
    "a corridor's annual cost is the mean of its quarterly averages in the year; the simple "
    "average is the mean over corridors; the weighted average weights each corridor by its "
    "flow in the World Bank bilateral remittance matrix 2017 (corridors without a flow are "
    "left out and counted). Target 10.c: 3 % by 2030, no corridor above 5 %. The published "
    "WDI series (SI.RMT.COST.IB.ZS, SI.RMT.COST.OB.ZS) average individual services instead; "
    "yearly means of the two agree within 0.40 percentage points."
)
PRICES_METHOD = (
    "World Bank RPW methodology: total cost % = fee / amount x 100 + exchange-rate margin %; "
    "corridor average = simple average of its services (USD 200); global average = simple "
    "average of all services; global weighted average = corridor averages weighted by "
    "remittance flows (corridors without a flow left out); SmaRT = mean of the three cheapest "
    "services for USD 200 that are transparent, take 5 days or less and are accessible (none "
    "when fewer than three qualify); cheapest provider = the service with the lowest total cost."
)


# -- definitions and filters -------------------------------------------------------------------


def indicator_list(ctx: Context) -> list[IndicatorOut]:
    """Return every defined indicator with how many observations it has."""
    counts = dict(
        ctx.session.execute(
            select(Observation.indicator_id, func.count()).group_by(Observation.indicator_id)
        ).all()
    )
    return [
        IndicatorOut(
            code=i.code,
            name=i.name,
            unit=i.unit,
            description=i.description,
            is_count=i.is_count,
            source=i.source,
            licence=i.licence,
            observations=counts.get(i.id, 0),
        )
        for i in ctx.session.scalars(select(Indicator).order_by(Indicator.code))
    ]


def area_param(text: str, parameter: str = "area") -> str:
    """Return the area code named by ISO3, World Bank or UN-NNN code, or M49 number."""
    gaz = gazetteer()
    cleaned = text.strip()
    code = gaz.from_m49(int(cleaned)) if cleaned.isdigit() and len(cleaned) < 6 else None
    code = code or gaz.code(cleaned)
    if code is None:
        raise BadParameter(parameter, f"'{text}' is no known area code (ISO3, M49 or aggregate)")
    return code


def series_filter(
    ctx: Context,
    indicator: str | None = None,
    area: str | None = None,
    counterpart: str | None = None,
    dataset: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> SeriesFilter:
    """Return a checked filter: unknown indicators, datasets and areas are refused by name."""
    if (
        indicator
        and ctx.session.scalar(select(Indicator.id).where(Indicator.code == indicator)) is None
    ):
        raise BadParameter("indicator", f"no indicator '{indicator}' (see /api/v1/data/indicators)")
    if dataset and ctx.session.scalar(select(Dataset.id).where(Dataset.name == dataset)) is None:
        raise BadParameter("dataset", f"no loaded dataset '{dataset}' (see /api/v1/data/datasets)")
    return SeriesFilter(
        indicator=indicator or None,
        area=area_param(area) if area else None,
        counterpart=area_param(counterpart, "counterpart") if counterpart else None,
        dataset=dataset or None,
        year_from=year_from,
        year_to=year_to,
    )


# -- observations, a page at a time ------------------------------------------------------------


def _after(cursor: str | None) -> int:
    if not cursor:
        return 0
    after = decode_cursor(cursor, ("id",))["id"]
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= MAX_ID:
        raise BadParameter("cursor", MALFORMED)
    return after


def observation_count(ctx: Context, wanted: SeriesFilter) -> int:
    """Return how many observations pass a filter."""
    counted = select(func.count()).select_from(_query(wanted).order_by(None).subquery())
    return ctx.session.scalar(counted) or 0


def filter_sources(ctx: Context, wanted: SeriesFilter) -> list[SourceRef]:
    """Return the source and licence of every dataset with observations passing a filter."""
    query = _query(wanted).order_by(None).with_only_columns(Dataset.name).distinct()
    return dataset_sources(ctx, set(ctx.session.scalars(query)))


def observation_page(
    ctx: Context, wanted: SeriesFilter, cursor: str | None, limit: int, count: bool = True
) -> SeriesPage:
    """Return observations after a cursor, as the public sees them (small counts withheld)."""
    after = _after(cursor)
    query = _query(wanted)
    total = observation_count(ctx, wanted) if count else 0
    rows = ctx.session.execute(query.where(Observation.id > after).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    names, threshold = gazetteer(), disclosure.threshold()
    data = [public(o, i, d, names.name(o.area), threshold) for o, i, d in rows]
    following = encode_cursor({"id": rows[-1][0].id}) if more and rows else None
    sources = dataset_sources(ctx, {d.name for _, _, d in rows}) if count else []
    return SeriesPage(data=data, count=total, next=following, sources=sources)


def observation_stream(
    wanted: SeriesFilter, actor: Actor = PUBLIC, batch: int = BATCH
) -> Iterator[ObservationOut]:
    """Yield every observation that passes the filter, one short transaction per batch."""
    from gcmhub.runtime import open_context

    def fetch(cursor: str | None) -> SeriesPage:
        with open_context(actor) as ctx:
            return observation_page(ctx, wanted, cursor, batch, count=False)

    return follow(fetch(None), fetch)


def corridor_row(row: ObservationOut) -> CorridorRow:
    """Return a corridor observation (area = receiving, counterpart = sending) as a corridor."""
    gaz = gazetteer()
    value = row.value
    return CorridorRow(
        sending=row.counterpart,
        sending_name=gaz.name(row.counterpart),
        receiving=row.area,
        receiving_name=row.area_name,
        period=row.period,
        value=value,
        unit=CORRIDOR_UNIT,
        above_3=None if value is None else value > costs.TARGET,
        above_5=None if value is None else value > costs.CEILING,
        dataset=row.dataset,
        source=row.source,
        licence=row.licence,
    )


def corridor_filter(
    ctx: Context,
    sending: str | None,
    receiving: str | None,
    year_from: int | None,
    year_to: int | None,
) -> SeriesFilter:
    """Return the filter of corridor costs (stored as series RPW.ATCR.CORR)."""
    return SeriesFilter(
        indicator=costs.CORRIDORS,
        area=area_param(receiving, "receiving") if receiving else None,
        counterpart=area_param(sending, "sending") if sending else None,
        year_from=year_from,
        year_to=year_to,
    )


def corridor_page(
    ctx: Context, wanted: SeriesFilter, cursor: str | None, limit: int
) -> CorridorPage:
    """Return a page of corridor costs."""
    page = observation_page(ctx, wanted, cursor, limit)
    return CorridorPage(
        data=[corridor_row(r) for r in page.data],
        count=page.count,
        next=page.next,
        sources=page.sources,
    )


def corridor_stream(wanted: SeriesFilter) -> Iterator[CorridorRow]:
    """Yield every corridor cost that passes the filter, a batch per transaction."""
    return (corridor_row(r) for r in observation_stream(wanted))


# -- remittance costs --------------------------------------------------------------------------


def corridor_years(ctx: Context) -> list[int]:
    """Return the years that have corridor costs."""
    query = (
        select(Observation.year)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Indicator.code == costs.CORRIDORS)
        .distinct()
        .order_by(Observation.year)
    )
    return list(ctx.session.scalars(query))


def costs_overview(
    ctx: Context,
    year: int | None = None,
    period: str | None = None,
    by: str = "wb_region",
    side: str = "receiving",
    limit: int = 10,
) -> RemittanceCosts:
    """Return SDG 10.c.1 by year (one year when given), and a period's rankings and averages."""
    if by not in costs.GROUPINGS:
        raise BadParameter("by", f"group by one of {', '.join(costs.GROUPINGS)}")
    if side not in ("receiving", "sending"):
        raise BadParameter("side", "side is receiving or sending")
    years = corridor_years(ctx)
    if not years:
        raise NotFound("no corridor costs are loaded (gcmhub data load rpw-corridors)")
    if year is not None:
        if year not in years:
            raise NotFound(f"no corridor costs in {year}")
        years = [year]
    figures = [costs.sdg_10c1(ctx, y) for y in years]
    chosen, cheapest, dearest = costs.corridors_ranked(ctx, period, limit)
    _, averages = costs.regional_averages(ctx, chosen, by, side)
    return RemittanceCosts(
        method=COSTS_METHOD,
        target=costs.TARGET,
        ceiling=costs.CEILING,
        sdg_10_c_1=figures,
        period=chosen,
        cheapest=cheapest,
        dearest=dearest,
        regional_by=by,
        regional_side=side,
        regional_averages=averages,
        sources=figures[0].sources,
    )


# -- firm-level prices -------------------------------------------------------------------------


def prices_overview(ctx: Context, period: str | None = None) -> PricesOut:
    """Return the RPW figures of a period (the latest by default) with their sources."""
    if period is not None:
        period = period_param(period)
    summary = rpw.rpw_summary(ctx, period)
    names = set(
        ctx.session.scalars(
            select(Dataset.name)
            .join(RemittancePrice, RemittancePrice.dataset_id == Dataset.id)
            .where(RemittancePrice.period == summary.period)
            .distinct()
        )
    )
    if summary.global_weighted_average is not None:
        names |= set(
            ctx.session.scalars(
                select(Dataset.name)
                .join(Observation, Observation.dataset_id == Dataset.id)
                .join(Indicator, Indicator.id == Observation.indicator_id)
                .where(Indicator.code == "WB.REMIT.BILATERAL")
                .distinct()
            )
        )
    return PricesOut(
        **summary.model_dump(), method=PRICES_METHOD, sources=dataset_sources(ctx, names)
    )


# -- SDG 10.7.2 --------------------------------------------------------------------------------


def policy_overview(
    ctx: Context, area: str | None = None, year: int | None = None
) -> PolicyOverview:
    """Return SDG 10.7.2 per country: published categories (overall and by domain) and results
    computed from stored answers; all labelled self-reported policy."""
    code = area_param(area) if area else None
    gaz = gazetteer()
    query = (
        select(Observation, Dataset)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .join(Dataset, Dataset.id == Observation.dataset_id)
        .where(Indicator.code == "SG_CPA_MIGRS")
        .order_by(Observation.area, Observation.period, Dataset.name)
    )
    if code:
        query = query.where(Observation.area == code)
    if year is not None:
        query = query.where(Observation.year == year)
    found: dict[tuple[str, str, str], dict[str, Any]] = defaultdict(dict)
    meta: dict[tuple[str, str, str], tuple[int, Dataset]] = {}
    for obs, dataset in ctx.session.execute(query):
        key = (obs.area, obs.period, dataset.name)
        found[key][obs.category] = int(obs.value)
        meta[key] = (obs.year, dataset)
    rows = []
    for key, values in found.items():
        overall = values.pop("ALL", None)
        when, dataset = meta[key]
        rows.append(
            PolicyRow(
                area=key[0],
                area_name=gaz.name(key[0]),
                year=when,
                period=key[1],
                category=overall,
                label=policy.LABELS.get(overall) if overall else None,
                domains=values,
                dataset=dataset.name,
                source=dataset.attribution,
                licence=dataset.licence,
            )
        )
    computed = _computed(ctx, code, year)
    names = {r.dataset for r in rows} | {c.dataset for c in computed}
    return PolicyOverview(
        data=rows,
        count=len(rows),
        computed=computed,
        categories={str(k): v for k, v in policy.LABELS.items()},
        domains={f"D{k}": v for k, v in policy.DOMAINS.items()},
        sources=dataset_sources(ctx, names),
    )


def _computed(ctx: Context, area: str | None, year: int | None) -> list[PolicyComputed]:
    query = select(PolicyAnswer, Dataset).join(Dataset, Dataset.id == PolicyAnswer.dataset_id)
    if area:
        query = query.where(PolicyAnswer.area == area)
    if year is not None:
        query = query.where(PolicyAnswer.year == year)
    answers: dict[tuple[str, int], dict[tuple[int, int], float]] = defaultdict(dict)
    datasets: dict[tuple[str, int], Dataset] = {}
    for answer, dataset in ctx.session.execute(query):
        answers[(answer.area, answer.year)][(answer.domain, answer.subcategory)] = answer.score
        datasets[(answer.area, answer.year)] = dataset
    out = []
    for (where, when), scores in sorted(answers.items()):
        result = policy.policy_compute(where, when, scores)
        dataset = datasets[(where, when)]
        out.append(
            PolicyComputed(
                **result.model_dump(),
                answers={f"{d}.{s}": v for (d, s), v in sorted(scores.items())},
                dataset=dataset.name,
                source=dataset.attribution,
                licence=dataset.licence,
            )
        )
    return out
