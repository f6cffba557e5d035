"""The indicators' open API under /api/v1/data: datasets, indicator definitions, series,
country profiles, remittance costs (SDG 10.c.1), corridors, firm-level prices and SDG 10.7.2.

Read-only and open to all. Every answer that carries figures carries their source and licence
(a field of each row, or `sources`); small counts are withheld by the disclosure control
(`GCMHUB_DISCLOSURE_THRESHOLD`) in every answer and download, as in `gcmhub data export`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from gcmhub.cursors import MAX_CHARS
from gcmhub.errors import BadParameter
from gcmhub.indicators import costs, listing
from gcmhub.indicators.exports import (
    CORRIDORS,
    DATASETS,
    INDICATORS,
    OBSERVATIONS,
    POLICY,
    PRICES,
    PROFILE,
    SDG_10_C_1,
    price_rows,
    profile_rows,
)
from gcmhub.indicators.profiles import country_profile
from gcmhub.indicators.schemas import (
    CorridorPage,
    CorridorSeries,
    CountryProfile,
    DatasetOut,
    IndicatorOut,
    PolicyOverview,
    PricesOut,
    RemittanceCosts,
    SeriesPage,
)
from gcmhub.indicators.sdmx import MEDIA_TYPE as SDMX_CSV
from gcmhub.indicators.sdmx import sdmx_chunks
from gcmhub.indicators.series import dataset_list
from gcmhub.web.deps import ContextDep, filters_from
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.responses import cache_control, cached_json, download

router = APIRouter(prefix="/api/v1/data", tags=["migration data"], responses=PROBLEM_RESPONSES)

FormatQuery = Annotated[
    str | None,
    Query(description="Download the whole list: csv or json (streamed).", max_length=20),
]
SeriesFormat = Annotated[
    str | None,
    Query(
        description="Download every matching observation: csv, json or sdmx-csv (SDMX-CSV 1.0 "
        "with the SOURCE and LICENCE attributes).",
        max_length=20,
    ),
]
Cursor = Annotated[
    str | None, Query(description="`next` of the previous page.", max_length=MAX_CHARS)
]
Limit = Annotated[int, Query(ge=1, le=10_000, description="Rows on a page.")]
Year = Annotated[int | None, Query(ge=0, le=9999)]
AreaQuery = Annotated[
    str | None,
    Query(
        description="An area: ISO 3166 alpha-3 code, UN M49 number, or aggregate code "
        "(World Bank `WLD`, `SSF`…, UN DESA `UN-NNN`).",
        max_length=16,
    ),
]
PeriodQuery = Annotated[
    str | None,
    Query(description="A period: 2020, 2020Q1 or 2020-Q1 (default: the latest).", max_length=16),
]
SOURCES_NOTE = " Every row carries its source and licence."
DISCLOSURE_NOTE = (
    " Counts of people below GCMHUB_DISCLOSURE_THRESHOLD in disaggregated rows are withheld "
    "(no value, flag `C`)."
)


def _format(value: str | None, allowed: tuple[str, ...] = ("csv", "json")) -> str | None:
    """Return the download format asked for (None: the JSON answer), refusing others."""
    if value is None:
        return None
    chosen = value.strip().lower()
    if chosen not in allowed:
        raise BadParameter("format", f"unknown format '{value}'; formats: {', '.join(allowed)}")
    return chosen


@router.get(
    "/datasets",
    summary="Datasets",
    description="The shipped datasets (loaded or not) and every loaded one, with source, "
    "licence, attribution, rows stored and when they were loaded. `format=csv|json` downloads "
    "the list.",
    response_model=list[DatasetOut],
)
def datasets_list(request: Request, ctx: ContextDep, format: FormatQuery = None) -> Response:
    filters_from(request, {"format"}, [])
    fmt = _format(format)
    rows = dataset_list(ctx)
    if fmt:
        return download(DATASETS, rows, fmt, {"count": len(rows)}, cache_control(request))
    return cached_json(request, [r.model_dump(mode="json") for r in rows])


@router.get(
    "/indicators",
    summary="Indicator definitions",
    description="Every defined indicator: code, name, unit, description, whether it counts "
    "people (the values disclosure control looks at), source, licence and how many "
    "observations are stored. `format=csv|json` downloads the list.",
    response_model=list[IndicatorOut],
)
def indicators_list(request: Request, ctx: ContextDep, format: FormatQuery = None) -> Response:
    filters_from(request, {"format"}, [])
    fmt = _format(format)
    rows = listing.indicator_list(ctx)
    if fmt:
        return download(INDICATORS, rows, fmt, {"count": len(rows)}, cache_control(request))
    return cached_json(request, [r.model_dump(mode="json") for r in rows])


@router.get(
    "/series",
    summary="Observations of the series store",
    description="Values by indicator, area, disaggregation (sex, age, counterpart area, "
    "category) and period, with unit, flag and note, a page at a time (keyset cursor `next`). "
    "An unknown indicator, dataset or area is refused naming the parameter. `format=csv|json|"
    "sdmx-csv` downloads every matching observation." + SOURCES_NOTE + DISCLOSURE_NOTE,
    response_model=SeriesPage,
)
def series_list(
    request: Request,
    ctx: ContextDep,
    indicator: Annotated[
        str | None, Query(description="An indicator code (/api/v1/data/indicators).", max_length=60)
    ] = None,
    area: AreaQuery = None,
    counterpart: Annotated[
        str | None,
        Query(
            description="The counterpart area (origin, sending country…), coded as `area`.",
            max_length=16,
        ),
    ] = None,
    dataset: Annotated[str | None, Query(description="A dataset name.", max_length=80)] = None,
    year_from: Year = None,
    year_to: Year = None,
    cursor: Cursor = None,
    limit: Limit = 100,
    format: SeriesFormat = None,
) -> Response:
    fixed = {"indicator", "area", "counterpart", "dataset", "year_from", "year_to"}
    filters_from(request, fixed | {"cursor", "limit", "format"}, [])
    fmt = _format(format, ("csv", "json", "sdmx-csv"))
    wanted = listing.series_filter(ctx, indicator, area, counterpart, dataset, year_from, year_to)
    if fmt is None:
        return cached_json(request, listing.observation_page(ctx, wanted, cursor, limit))
    rows = listing.observation_stream(wanted)
    if fmt == "sdmx-csv":
        return StreamingResponse(
            sdmx_chunks(rows),
            media_type=SDMX_CSV,
            headers={
                "Content-Disposition": 'attachment; filename="gcmhub-series.sdmx.csv"',
                "Cache-Control": cache_control(request),
            },
        )
    head = {
        "count": listing.observation_count(ctx, wanted),
        "next": None,
        "sources": [s.model_dump() for s in listing.filter_sources(ctx, wanted)],
    }
    return download(OBSERVATIONS, rows, fmt, head, cache_control(request))


@router.get(
    "/countries/{iso3}",
    summary="A country's profile",
    description="Migrant stock over time (total, by sex, share of the population), top origins "
    "and destinations, remittances received and paid and as % of GDP, the cost of sending to "
    "and from the country and its cheapest corridors, SDG 10.7.2 status (self-reported "
    "policy), and its World Bank region's and income group's remittances for comparison. "
    "An unknown code is a 404. `format=csv|json` downloads the numbers, one row each."
    + DISCLOSURE_NOTE,
    response_model=CountryProfile,
)
def countries_show(
    request: Request,
    ctx: ContextDep,
    iso3: Annotated[str, Path(description="ISO 3166 alpha-3 code.", min_length=1, max_length=16)],
    format: FormatQuery = None,
) -> Response:
    filters_from(request, {"format"}, [])
    fmt = _format(format)
    profile = country_profile(ctx, iso3)
    if fmt:
        head = {"country": profile.code, "sources": [s.model_dump() for s in profile.sources]}
        return download(PROFILE, list(profile_rows(profile)), fmt, head, cache_control(request))
    return cached_json(request, profile)


@router.get(
    "/remittance-costs",
    summary="Remittance costs: SDG 10.c.1, rankings and regional averages",
    description="SDG 10.c.1 computed from corridor averages for each year with corridor data "
    "(or `year`): simple and weighted by the bilateral remittance matrix, with the method; "
    "the cheapest and dearest corridors of a period (the latest by default) and average costs "
    "by group of the receiving or sending country (`by`: wb_region, wb_income_group, "
    "un_region, un_subregion). 404 when no corridor data are loaded. `format=csv|json` "
    "downloads SDG 10.c.1 by year.",
    response_model=RemittanceCosts,
)
def remittance_costs(
    request: Request,
    ctx: ContextDep,
    year: Year = None,
    period: PeriodQuery = None,
    by: Annotated[str, Query(description=", ".join(costs.GROUPINGS), max_length=20)] = "wb_region",
    side: Annotated[str, Query(description="receiving or sending.", max_length=20)] = "receiving",
    limit: Annotated[int, Query(ge=1, le=1000, description="Corridors ranked.")] = 10,
    format: FormatQuery = None,
) -> Response:
    filters_from(request, {"year", "period", "by", "side", "limit", "format"}, [])
    fmt = _format(format)
    found = listing.costs_overview(ctx, year, period, by, side, limit)
    if fmt:
        head = {
            "count": len(found.sdg_10_c_1),
            "method": found.method,
            "sources": [s.model_dump() for s in found.sources],
        }
        return download(SDG_10_C_1, found.sdg_10_c_1, fmt, head, cache_control(request))
    return cached_json(request, found)


@router.get(
    "/corridors",
    summary="Corridor costs",
    description="The average total cost of sending USD 200 in each corridor (sending -> "
    "receiving) per period (World Bank RPW), against the 3 % and 5 % targets, a page at a "
    "time. `format=csv|json` downloads every matching row." + SOURCES_NOTE,
    response_model=CorridorPage,
)
def corridors_list(
    request: Request,
    ctx: ContextDep,
    sending: Annotated[
        str | None, Query(description="Sending country (ISO3 or M49).", max_length=16)
    ] = None,
    receiving: Annotated[
        str | None, Query(description="Receiving country (ISO3 or M49).", max_length=16)
    ] = None,
    year_from: Year = None,
    year_to: Year = None,
    cursor: Cursor = None,
    limit: Limit = 100,
    format: FormatQuery = None,
) -> Response:
    fixed = {"sending", "receiving", "year_from", "year_to", "cursor", "limit", "format"}
    filters_from(request, fixed, [])
    fmt = _format(format)
    wanted = listing.corridor_filter(ctx, sending, receiving, year_from, year_to)
    if fmt is None:
        return cached_json(request, listing.corridor_page(ctx, wanted, cursor, limit))
    head = {
        "count": listing.observation_count(ctx, wanted),
        "next": None,
        "targets": [costs.TARGET, costs.CEILING],
        "sources": [s.model_dump() for s in listing.filter_sources(ctx, wanted)],
    }
    return download(CORRIDORS, listing.corridor_stream(wanted), fmt, head, cache_control(request))


@router.get(
    "/corridors/{sending}/{receiving}",
    summary="One corridor over time",
    description="The cost of sending USD 200 from one country to another in every period, "
    "each point marked above 3 % and above 5 %. 404 for a corridor without data.",
    response_model=CorridorSeries,
)
def corridors_show(
    request: Request,
    ctx: ContextDep,
    sending: Annotated[str, Path(description="Sending country.", min_length=1, max_length=16)],
    receiving: Annotated[str, Path(description="Receiving country.", min_length=1, max_length=16)],
) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, costs.corridor_series(ctx, sending, receiving))


@router.get(
    "/prices",
    summary="Firm-level remittance prices (RPW)",
    description="From a loaded Remittance Prices Worldwide file (none is shipped): per "
    "corridor the simple average of its services, SmaRT and the cheapest provider; the global "
    "average and the flow-weighted global average, for a period (the latest by default), with "
    "the method. 404 when no firm-level prices are loaded. `format=csv|json` downloads the "
    "corridor rows.",
    response_model=PricesOut,
)
def prices(
    request: Request, ctx: ContextDep, period: PeriodQuery = None, format: FormatQuery = None
) -> Response:
    filters_from(request, {"period", "format"}, [])
    fmt = _format(format)
    found = listing.prices_overview(ctx, period)
    if fmt:
        rows = price_rows(found.period, found.corridors, found.sources)
        head = found.model_dump(mode="json", exclude={"corridors"})
        return download(PRICES, rows, fmt, head, cache_control(request))
    return cached_json(request, found)


@router.get(
    "/sdg-10-7-2",
    summary="SDG 10.7.2: migration policies (self-reported)",
    description="Per country and period the published category (1 requires further progress, "
    "2 partially meets, 3 meets, 4 fully meets), overall and by policy domain (D1-D6) where "
    "published, and results computed from stored answers to the 30 sub-categories (each "
    "domain's % and category). Governments' own answers about their policies, not measured "
    "outcomes. `format=csv|json` downloads the published rows." + SOURCES_NOTE,
    response_model=PolicyOverview,
)
def sdg_10_7_2(
    request: Request,
    ctx: ContextDep,
    area: AreaQuery = None,
    year: Year = None,
    format: FormatQuery = None,
) -> Response:
    filters_from(request, {"area", "year", "format"}, [])
    fmt = _format(format)
    found = listing.policy_overview(ctx, area, year)
    if fmt:
        head = found.model_dump(mode="json", exclude={"data"})
        return download(POLICY, found.data, fmt, head, cache_control(request))
    return cached_json(request, found)
