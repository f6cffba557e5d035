"""The data platform's pages: migration and remittance data for people, not programs.

`/data` (what is there, a country picker, SDG 10.c.1 over time), a country's profile
(`/data/countries/ISO3`), a region's or group's (`/data/areas/CODE`), remittance costs against
the SDG target 10.c (`/data/remittance-costs`, one corridor at `/data/corridors/S/R`) and SDG
10.7.2 (`/data/sdg-10-7-2`). Every figure comes from the same back-end reads as the open API
(gcmhub/indicators/profiles.py, costs.py, listing.py), with the disclosure control applied
there: a withheld count is shown as withheld, never as a number. Every chart is an SVG image
with its numbers in a data table under it and a link to download them from the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_compact_decimal, format_decimal, format_percent
from fastapi import APIRouter
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.context import Context
from gcmhub.errors import BadParameter, GcmhubError, NotFound
from gcmhub.indicators import costs, disclosure, listing, policy
from gcmhub.indicators.areas import gazetteer
from gcmhub.indicators.models import Dataset, Indicator, Observation
from gcmhub.indicators.profiles import (
    BILATERAL,
    COST_FROM,
    COST_TO,
    GDP,
    PAID,
    RECEIVED,
    area_profile,
    country_profile,
)
from gcmhub.indicators.schemas import Sdg10c1
from gcmhub.indicators.series import dataset_list
from gcmhub.web.charts import bar_chart, line_chart
from gcmhub.web.deps import ContextDep
from gcmhub.web.i18n import N_, negotiate, translations
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)

STOCK, SHARE = "UNDESA.IMS.STOCK", "UNDESA.IMS.SHARE"
LISTED = 10  # knowledge items, requests and projects listed on a profile
RANKED = 10  # cheapest and dearest corridors
# The categories and domains of SDG 10.7.2 (gcmhub.indicators.policy), marked for translation;
# a test keeps them the same as the back end's.
CATEGORIES = {
    1: N_("Requires further progress"),
    2: N_("Partially meets"),
    3: N_("Meets"),
    4: N_("Fully meets"),
}
DOMAINS = {
    1: N_("Migrant rights"),
    2: N_("Whole-of-government/evidence-based policies"),
    3: N_("Cooperation and partnerships"),
    4: N_("Socioeconomic well-being"),
    5: N_("Mobility dimensions of crises"),
    6: N_("Safe, orderly and regular migration"),
}
GROUPINGS = {
    "wb_region": N_("World Bank region"),
    "wb_income_group": N_("World Bank income group"),
    "un_region": N_("UN region"),
    "un_subregion": N_("UN sub-region"),
}
SIDES = {
    "receiving": N_("of the receiving country"),
    "sending": N_("of the sending country"),
}


# -- helpers ------------------------------------------------------------------------------------


def _only(request: Request, *names: str) -> None:
    """Refuse a query parameter the page does not know (a typo never silently widens a list)."""
    known = {*names, "lang"}
    for name in request.query_params:
        if name not in known:
            raise BadParameter(
                name, f"unknown parameter '{name}'; parameters: {', '.join(sorted(known))}"
            )


@dataclass(frozen=True)
class Formats:
    """Numbers written the reader's way: counts, percentages, US dollars."""

    code: str

    def count(self, value: float | None) -> str:
        if value is None:
            return "—"
        return str(format_decimal(round(value), locale=self.code))

    def pct(self, value: float | None, digits: int = 2) -> str:
        """A value in per cent, to `digits` decimals at most (6.25 -> "6.25%", "6,25 %")."""
        if value is None:
            return "—"
        exact = Decimal(str(round(value, digits))).normalize() / 100
        return str(format_percent(exact, locale=self.code, decimal_quantization=False))

    def millions(self, value: float | None) -> str:
        """US dollars in millions, one decimal (the tables' unit)."""
        if value is None:
            return "—"
        return str(format_decimal(value / 1e6, format="#,##0.0", locale=self.code))

    def compact(self, value: float | None) -> str:
        """A large number written short ("61.1B"), for charts."""
        if value is None:
            return "—"
        return str(
            format_compact_decimal(value, format_type="short", locale=self.code, fraction_digits=1)
        )


def _formats(request: Request) -> Formats:
    return Formats(negotiate(request))


def _names(ctx: Context, lang: str) -> dict[str, tuple[str, str]]:
    """Countries by ISO3 code: their name in the reader's language where the taxonomy has it
    (else English), and that language."""
    from gcmhub.taxonomy.models import Concept

    found: dict[str, tuple[str, str]] = {}
    rows = ctx.session.execute(
        select(Concept.code, Concept.label, Concept.labels).where(Concept.scheme_id == "country")
    )
    for code, label, labels in rows:
        own = (labels or {}).get(lang)
        found[code] = (own, lang) if own else (label, "en")
    return found


def _namer(ctx: Context, lang: str) -> Callable[[str], tuple[str, str]]:
    """Return a function naming an area: the taxonomy's name in the reader's language, else the
    gazetteer's (English)."""
    names = _names(ctx, lang)
    gaz = gazetteer()

    def name(code: str) -> tuple[str, str]:
        return names.get(code) or (gaz.name(code), "en")

    return name


def _api(path: str, **params: str | int | None) -> str:
    """An address of the open API with its parameters."""
    given = [(k, str(v)) for k, v in params.items() if v not in (None, "")]
    return f"/api/v1/data/{path}" + ("?" + urlencode(given) if given else "")


def _series_link(indicator: str, **params: str | None) -> dict[str, str]:
    """Download links (CSV, JSON) of one series of the store."""
    return {
        fmt: _api("series", indicator=indicator, **params, format=fmt) for fmt in ("csv", "json")
    }


def _translator(request: Request) -> Callable[[str], str]:
    """Translate strings of charts drawn in Python (each marked for extraction with N_)."""
    return translations(negotiate(request)).gettext


def _page(request: Request, template: str, **context: Any) -> Response:
    return render(
        request,
        template,
        active="data",
        fmt=_formats(request),
        categories=CATEGORIES,
        domains=DOMAINS,
        target=costs.TARGET,
        ceiling=costs.CEILING,
        suppressed=disclosure.SUPPRESSED,
        threshold=disclosure.threshold(),
        **context,
    )


def _target_rules(fmt: Formats) -> list[tuple[float, str]]:
    return [(costs.TARGET, fmt.pct(costs.TARGET, 0)), (costs.CEILING, fmt.pct(costs.CEILING, 0))]


# -- SDG 10.c.1 over time, computed once per state of the data ---------------------------------

_SDG_CACHE: dict[tuple[Any, ...], list[Sdg10c1]] = {}


def sdg_10c1_years(ctx: Context) -> list[Sdg10c1]:
    """SDG 10.c.1 for every year with corridor data (costs.sdg_10c1), kept in memory until
    a dataset is loaded, replaced or removed (the key is the datasets' names, rows and load
    times, and the database)."""
    state = tuple(
        ctx.session.execute(
            select(Dataset.id, Dataset.name, Dataset.rows, Dataset.loaded_at).order_by(Dataset.id)
        ).all()
    )
    key = (str(ctx.session.get_bind().engine.url), state)
    if key not in _SDG_CACHE:
        _SDG_CACHE.clear()
        _SDG_CACHE[key] = [costs.sdg_10c1(ctx, y) for y in listing.corridor_years(ctx)]
    return _SDG_CACHE[key]


def _sdg_chart(fmt: Formats, figures: list[Sdg10c1], gettext: Callable[[str], str]) -> Any:
    return line_chart(
        [str(f.year) for f in figures],
        [
            (gettext(N_("Simple average")), [f.simple_average for f in figures]),
            (gettext(N_("Weighted by flows")), [f.weighted_average for f in figures]),
        ],
        fmt.pct,
        _target_rules(fmt),
        tick=fmt.pct,
    )


# -- the data platform's front page -------------------------------------------------------------


def _aggregates() -> dict[str, list[tuple[str, str]]]:
    """The World Bank's regions and income groups, and the world, as (code, name)."""
    gaz = gazetteer()
    regions = {p.wb_region for p in gaz.places.values() if p.kind == "country" and p.wb_region}
    incomes = {
        p.wb_income_group for p in gaz.places.values() if p.kind == "country" and p.wb_income_group
    }
    found: dict[str, list[tuple[str, str]]] = {"regions": [], "incomes": [], "world": []}
    for place in gaz.places.values():
        if place.kind != "aggregate":
            continue
        if place.code == "UN-900":
            found["world"].append((place.code, N_("World (UN DESA)")))
        elif place.code.startswith("UN-"):
            continue  # UN DESA regions: named like the World Bank's, reached from UN-900
        elif place.name in regions:
            found["regions"].append((place.code, place.name))
        elif place.name in incomes:
            found["incomes"].append((place.code, place.name))
        elif place.code == "WLD":
            found["world"].append((place.code, N_("World (World Bank)")))
    for value in found.values():
        value.sort(key=lambda pair: pair[1])
    return found


def _countries(ctx: Context, lang: str) -> list[tuple[str, str, str]]:
    """Every country of the gazetteer as (code, name, language), sorted by name."""
    name = _namer(ctx, lang)
    gaz = gazetteer()
    rows = [
        (p.code, *name(p.code))
        for p in gaz.places.values()
        if p.kind == "country" and p.m49 is not None and len(p.code) == 3
    ]
    return sorted(rows, key=lambda r: r[1].casefold())


@router.get("/data")
def data_page(request: Request, ctx: ContextDep) -> Response:
    _only(request)
    fmt = _formats(request)
    lang = negotiate(request)
    figures = sdg_10c1_years(ctx)
    datasets = dataset_list(ctx)
    spans = ctx.session.execute(
        select(Dataset.name, func.min(Observation.year), func.max(Observation.year))
        .join(Observation, Observation.dataset_id == Dataset.id)
        .group_by(Dataset.name)
    )
    return _page(
        request,
        "data.html",
        datasets=datasets,
        loaded=[d for d in datasets if d.loaded],
        periods={n: (first, last) for n, first, last in spans},
        download_sdg={f: _api("remittance-costs", format=f) for f in ("csv", "json")},
        countries=_countries(ctx, lang),
        aggregates=_aggregates(),
        figures=figures,
        sdg_chart=_sdg_chart(fmt, figures, _translator(request)) if figures else None,
    )


@router.get("/data/countries")
def country_pick(request: Request, ctx: ContextDep, country: str = "") -> Response:
    """The country picker's answer: on to the chosen country's profile."""
    _only(request, "country")
    code = gazetteer().code(country) if country.strip() else None
    if code is None:
        raise BadParameter("country", f"'{country[:20]}' is not a known country code")
    return RedirectResponse(f"/data/countries/{code}", status_code=303)


# -- a country's profile ------------------------------------------------------------------------


def _knowledge(ctx: Context, code: str) -> tuple[int, list[Any]]:
    from gcmhub.knowledge.listing import item_list

    try:
        page = item_list(ctx, {"country": [code]}, "-date", None, LISTED)
    except GcmhubError:  # no country taxonomy loaded: no item can be about the country
        return 0, []
    return page.count, page.data


def _requests(ctx: Context, code: str) -> list[Any]:
    """The country's hub requests that are public: as the hub's register shows them to all."""
    from gcmhub.hub.listing import RequestFilter, request_list

    try:
        found = request_list(ctx, RequestFilter(country=code), "age", 0, 1000)
    except GcmhubError:
        return []
    return [r for r in found.requests if r.confidentiality == "public"]


def _projects(ctx: Context, code: str) -> list[Any]:
    from gcmhub.fund.projects import project_list

    return project_list(ctx, country=code)


def _aggregate_code(name: str | None) -> str | None:
    """The World Bank aggregate named so (a region or income group), if any."""
    if not name:
        return None
    for place in gazetteer().places.values():
        if place.kind == "aggregate" and place.name == name and not place.code.startswith("UN-"):
            return place.code
    return None


@router.get("/data/countries/{iso3}")
def country_page(request: Request, ctx: ContextDep, iso3: str) -> Response:
    _only(request)
    if len(iso3) > 16:
        raise NotFound(f"no country with the code '{iso3[:16]}…'")
    profile = country_profile(ctx, iso3)
    if profile.code != iso3:
        return RedirectResponse(f"/data/countries/{profile.code}", status_code=308)
    fmt = _formats(request)
    lang = negotiate(request)
    name = _namer(ctx, lang)
    code = profile.code
    gettext = _translator(request)
    stock_years = [str(p.year) for p in profile.stock]
    stock_chart = (
        line_chart(
            stock_years,
            [
                (gettext(N_("Total")), [p.total for p in profile.stock]),
                (gettext(N_("Women")), [p.female for p in profile.stock]),
                (gettext(N_("Men")), [p.male for p in profile.stock]),
            ],
            fmt.count,
            tick=fmt.compact,
        )
        if any(p.total is not None for p in profile.stock)
        else None
    )
    share_chart = (
        line_chart(
            stock_years,
            [
                (
                    gettext(N_("Share of the population")),
                    [p.share_of_population for p in profile.stock],
                )
            ],
            lambda v: fmt.pct(v, 1),
            tick=fmt.pct,
        )
        if any(p.share_of_population is not None for p in profile.stock)
        else None
    )
    money = profile.remittances
    money_years = [str(p.year) for p in money]
    remittance_chart = (
        line_chart(
            money_years,
            [
                (gettext(N_("Received")), [p.received_usd for p in money]),
                (gettext(N_("Paid")), [p.paid_usd for p in money]),
            ],
            fmt.compact,
        )
        if any(p.received_usd is not None or p.paid_usd is not None for p in money)
        else None
    )
    gdp_chart = (
        line_chart(
            money_years,
            [(gettext(N_("Received, share of GDP")), [p.received_pct_gdp for p in money])],
            lambda v: fmt.pct(v, 1),
            tick=fmt.pct,
        )
        if any(p.received_pct_gdp is not None for p in money)
        else None
    )
    cost_chart = (
        line_chart(
            [str(c.year) for c in profile.costs],
            [
                (gettext(N_("Sending to the country")), [c.to_country for c in profile.costs]),
                (gettext(N_("Sending from the country")), [c.from_country for c in profile.costs]),
            ],
            fmt.pct,
            _target_rules(fmt),
            tick=fmt.pct,
        )
        if profile.costs
        else None
    )

    def partners(rows: list[Any]) -> Any:
        shown = [(name(p.code)[0], [p.value]) for p in rows if p.value is not None]
        return bar_chart(shown, fmt.count) if shown else None

    items_count, items = _knowledge(ctx, code)
    region = _aggregate_code(profile.wb_region)
    income = _aggregate_code(profile.wb_income_group)
    latest_money = next((p for p in reversed(money) if p.received_usd is not None), None)
    latest_stock = next((p for p in reversed(profile.stock) if p.total is not None), None)
    return _page(
        request,
        "data_country.html",
        p=profile,
        name=name,
        country_name=name(code),
        stock_chart=stock_chart,
        share_chart=share_chart,
        remittance_chart=remittance_chart,
        gdp_chart=gdp_chart,
        cost_chart=cost_chart,
        origins_chart=partners(profile.top_origins),
        destinations_chart=partners(profile.top_destinations),
        latest_money=latest_money,
        latest_stock=latest_stock,
        region=region,
        income=income,
        comparison=[
            (c, gazetteer().name(c), points[-1] if points else None)
            for c, points in profile.region_comparison.items()
        ],
        items=items,
        items_count=items_count,
        hub_requests=_requests(ctx, code),
        projects=_projects(ctx, code),
        downloads={
            "stock": _series_link(STOCK, area=code),
            "share": _series_link(SHARE, area=code),
            "origins": _series_link(BILATERAL, area=code),
            "destinations": _series_link(BILATERAL, counterpart=code),
            "received": _series_link(RECEIVED, area=code),
            "paid": _series_link(PAID, area=code),
            "gdp": _series_link(GDP, area=code),
            "cost_to": _series_link(COST_TO, area=code),
            "cost_from": _series_link(COST_FROM, area=code),
            "corridors_to": {
                f: _api("corridors", receiving=code, format=f) for f in ("csv", "json")
            },
            "corridors_from": {
                f: _api("corridors", sending=code, format=f) for f in ("csv", "json")
            },
            "policy": {f: _api("sdg-10-7-2", area=code, format=f) for f in ("csv", "json")},
            "profile": {f: _api(f"countries/{code}", format=f) for f in ("csv", "json")},
        },
    )


# -- a region's or group's page -----------------------------------------------------------------


@router.get("/data/areas/{code}")
def area_page(request: Request, ctx: ContextDep, code: str) -> Response:
    _only(request)
    if len(code) > 16:
        raise NotFound(f"no region or group with the code '{code[:16]}…'")
    place = gazetteer().places.get(gazetteer().code(code) or "")
    if place is not None and place.kind == "country":
        return RedirectResponse(f"/data/countries/{place.code}", status_code=308)
    found = area_profile(ctx, code)
    if found.code != code:
        return RedirectResponse(f"/data/areas/{found.code}", status_code=308)
    fmt = _formats(request)
    gettext = _translator(request)
    money = found.remittances
    years = [str(p.year) for p in money]
    stock_years = [str(p.year) for p in found.stock]
    return _page(
        request,
        "data_area.html",
        a=found,
        name=_namer(ctx, negotiate(request)),
        groupings=GROUPINGS,
        stock_chart=line_chart(
            stock_years,
            [
                (gettext(N_("Total")), [p.total for p in found.stock]),
                (gettext(N_("Women")), [p.female for p in found.stock]),
                (gettext(N_("Men")), [p.male for p in found.stock]),
            ],
            fmt.count,
            tick=fmt.compact,
        )
        if any(p.total is not None for p in found.stock)
        else None,
        remittance_chart=line_chart(
            years,
            [
                (gettext(N_("Received")), [p.received_usd for p in money]),
                (gettext(N_("Paid")), [p.paid_usd for p in money]),
            ],
            fmt.compact,
        )
        if any(p.received_usd is not None or p.paid_usd is not None for p in money)
        else None,
        downloads={
            "stock": _series_link(STOCK, area=found.code),
            "received": _series_link(RECEIVED, area=found.code),
            "paid": _series_link(PAID, area=found.code),
            "gdp": _series_link(GDP, area=found.code),
        },
    )


# -- remittance costs ---------------------------------------------------------------------------


def _periods(ctx: Context) -> list[str]:
    """The periods with corridor costs, the latest first."""
    query = (
        select(Observation.period, Observation.year)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Indicator.code == costs.CORRIDORS)
        .distinct()
    )
    return [p for p, _ in sorted(ctx.session.execute(query).all(), key=lambda r: (r[1], r[0]))][
        ::-1
    ]


def _corridor_ends(ctx: Context) -> tuple[list[str], list[str]]:
    """The sending and the receiving countries of the corridor data."""
    query = (
        select(Observation.counterpart, Observation.area)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Indicator.code == costs.CORRIDORS)
        .distinct()
    )
    pairs = ctx.session.execute(query).all()
    return sorted({s for s, _ in pairs}), sorted({r for _, r in pairs})


@router.get("/data/remittance-costs")
def costs_page(
    request: Request, ctx: ContextDep, period: str = "", by: str = "wb_region", side: str = ""
) -> Response:
    _only(request, "period", "by", "side")
    side = side or "receiving"
    if by not in GROUPINGS:
        raise BadParameter("by", f"by: one of {', '.join(GROUPINGS)}")
    if side not in SIDES:
        raise BadParameter("side", f"side: one of {', '.join(SIDES)}")
    if len(period) > 16:
        raise BadParameter("period", "period: too long")
    fmt = _formats(request)
    lang = negotiate(request)
    figures = sdg_10c1_years(ctx)
    periods = _periods(ctx)
    chosen = cheapest = dearest = averages = None
    senders: list[str] = []
    receivers: list[str] = []
    if figures:
        if period.strip() and period.strip() not in periods:
            wanted = period.strip()
            from gcmhub.indicators.store import period_param

            wanted = period_param(wanted)
            if wanted not in periods:
                raise NotFound(f"no corridor costs in period {wanted}")
        chosen, cheapest, dearest = costs.corridors_ranked(ctx, period.strip() or None, RANKED)
        _, averages = costs.regional_averages(ctx, chosen, by, side)
        senders, receivers = _corridor_ends(ctx)
    name = _namer(ctx, lang)
    region_chart = (
        bar_chart([(g.group, [g.average]) for g in averages], fmt.pct, limit=40)
        if averages
        else None
    )
    return _page(
        request,
        "data_costs.html",
        figures=figures,
        sdg_chart=_sdg_chart(fmt, figures, _translator(request)) if figures else None,
        method=listing.COSTS_METHOD,
        periods=periods,
        period=chosen,
        by=by,
        side=side,
        groupings=GROUPINGS,
        sides=SIDES,
        cheapest=cheapest or [],
        dearest=dearest or [],
        averages=averages or [],
        region_chart=region_chart,
        senders=[(c, *name(c)) for c in senders],
        receivers=[(c, *name(c)) for c in receivers],
        name=name,
        download={f: _api("remittance-costs", format=f) for f in ("csv", "json")},
        ranking_json=_api("remittance-costs", period=chosen, by=by, side=side, limit=RANKED),
    )


@router.get("/data/corridors")
def corridor_pick(
    request: Request, ctx: ContextDep, sending: str = "", receiving: str = ""
) -> Response:
    """The corridor picker's answer: on to the chosen corridor's page."""
    _only(request, "sending", "receiving")
    gaz = gazetteer()
    codes = []
    for parameter, text in (("sending", sending), ("receiving", receiving)):
        code = gaz.code(text) if text.strip() else None
        if code is None:
            raise BadParameter(parameter, f"{parameter}: '{text[:20]}' is not a known country code")
        codes.append(code)
    return RedirectResponse(f"/data/corridors/{codes[0]}/{codes[1]}", status_code=303)


@router.get("/data/corridors/{sending}/{receiving}")
def corridor_page(request: Request, ctx: ContextDep, sending: str, receiving: str) -> Response:
    _only(request)
    if len(sending) > 16 or len(receiving) > 16:
        raise NotFound("no such corridor")
    try:
        found = costs.corridor_series(ctx, sending, receiving)
    except BadParameter as error:  # an unknown country in the address: nothing there
        raise NotFound(str(error)) from None
    fmt = _formats(request)
    name = _namer(ctx, negotiate(request))
    chart = line_chart(
        [p.period for p in found.points],
        [
            (
                _translator(request)(N_("Average cost of sending USD 200")),
                [p.value for p in found.points],
            )
        ],
        fmt.pct,
        _target_rules(fmt),
        tick=fmt.pct,
    )
    return _page(
        request,
        "data_corridor.html",
        c=found,
        name=name,
        chart=chart,
        download={
            f: _api("corridors", sending=found.sending, receiving=found.receiving, format=f)
            for f in ("csv", "json")
        },
        above_3=sum(1 for p in found.points if p.above_3),
        above_5=sum(1 for p in found.points if p.above_5),
    )


# -- SDG 10.7.2 ---------------------------------------------------------------------------------


def _bands(fmt: Formats) -> dict[int, str]:
    """Each category's band of scores (policy.CATEGORY_FLOORS), written out."""
    floors = sorted(policy.CATEGORY_FLOORS)  # (0, 1), (40, 2), (80, 3), (100, 4)
    found = {}
    for index, (floor, value) in enumerate(floors):
        if index + 1 < len(floors):
            found[value] = f"{fmt.pct(floor, 0)} – < {fmt.pct(floors[index + 1][0], 0)}"
        else:
            found[value] = fmt.pct(floor, 0)
    return found


@router.get("/data/sdg-10-7-2")
def policy_page(request: Request, ctx: ContextDep, year: str = "") -> Response:
    _only(request, "year")
    wanted: int | None = None
    if year.strip():
        if not year.strip().isdigit() or len(year.strip()) != 4:
            raise BadParameter("year", f"year: '{year[:10]}' is not a year")
        wanted = int(year.strip())
    every = listing.policy_overview(ctx)
    found = listing.policy_overview(ctx, None, wanted) if wanted else every
    years = sorted({r.year for r in every.data}, reverse=True)
    counts: dict[int, int] = dict.fromkeys(CATEGORIES, 0)
    latest: dict[str, Any] = {}
    for row in found.data:
        if row.category is not None:
            latest[row.area] = row  # rows are by area and period: the last is the latest
    for row in latest.values():
        counts[row.category] += 1
    with_domains = [r for r in found.data if r.domains]
    return _page(
        request,
        "data_policy.html",
        found=found,
        rows=found.data,
        with_domains=with_domains,
        counts=counts,
        countries=len(latest),
        years=years,
        year=wanted,
        name=_namer(ctx, negotiate(request)),
        download={f: _api("sdg-10-7-2", year=wanted, format=f) for f in ("csv", "json")},
        bands=_bands(_formats(request)),
    )
