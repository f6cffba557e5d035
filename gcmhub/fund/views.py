"""The start-up fund's pages, in the manner of the MPTF Office Gateway.

Paragraph 43(b) of the Compact, in pages anyone may read: the gateway (`/fund`: the money at
each stage, contributions by donor, allocations by thematic area, region and country), the
pass-through financial table, projects, calls for proposals, a donor's report and the
pipeline. Stages (pledged, deposited, allocated, transferred, spent) are shown side by side
and never added. Every figure comes from the same actions as the JSON API, and every list
links to its download. Writes go through the API and the command line; these pages only read.

The fund manager and the secretariat (the rule `appraisal_read`) also see a call's allocation
preview: the portfolio the allocation engine would fund now, with scores and reasons.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from babel.numbers import format_percent
from fastapi import APIRouter
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.auth import allowed
from gcmhub.context import Context
from gcmhub.errors import BadParameter, GcmhubError
from gcmhub.fund import calls, contributions, gateway, projects, reports
from gcmhub.fund.ledger import base_currency
from gcmhub.fund.models import Donor
from gcmhub.fund.money import format_money
from gcmhub.fund.schemas import AllocationPublic
from gcmhub.web.charts import CHART_ROWS as CHART_ROWS  # the charts are shared: web/charts.py
from gcmhub.web.charts import bar_chart as bar_chart
from gcmhub.web.deps import ContextDep
from gcmhub.web.forms import attempt, only_parameters
from gcmhub.web.i18n import N_, negotiate
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)

# Donors whose name starts so are the demonstration's (gcmhub/demo/data/fund_demo.json).
DEMONSTRATION = "Demonstration"
LATEST = 5  # projects listed on the gateway

PROJECT_STATUSES = {
    "funded": N_("Funded, nothing transferred yet"),
    "ongoing": N_("Ongoing"),
    "closed": N_("Closed"),
}
CALL_STATUSES = {
    "open": N_("Open"),
    "closed": N_("Closed to proposals"),
    "decided": N_("Decided: money allocated"),
}
PROPOSAL_STATUSES = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "approved": N_("Approved, waiting for money"),
    "rejected": N_("Not approved"),
    "funded": N_("Funded"),
    "closed": N_("Closed"),
}
OUTCOMES = {
    "funded": N_("Funded"),
    "ineligible": N_("Not eligible"),
    "blocked": N_("Held back by a rule"),
    "outvalued": N_("Outranked by proposals of more value"),
}
DONOR_TYPES = {
    "member_state": N_("Member State"),
    "un": N_("UN entity"),
    "ifi": N_("International financial institution"),
    "private_sector": N_("Private sector"),
    "foundation": N_("Foundation"),
    "other": N_("Other"),
}
CRITERIA = {
    "relevance": N_("Relevance"),
    "feasibility": N_("Feasibility"),
    "guiding_principles": N_("Guiding principles of the Compact"),
    "sustainability": N_("Sustainability"),
}
MARKERS = {  # the UNSDG marker scale, 0-3
    0: N_("0: not expected to contribute"),
    1: N_("1: contributes in a limited way"),
    2: N_("2: a significant objective"),
    3: N_("3: the principal objective"),
}
REPORT_KINDS = {"progress": N_("Progress report"), "final": N_("Final report")}
TRANCHE_STATUSES = {"planned": N_("Planned"), "released": N_("Released")}
# The financial table's sections and rows (gcmhub.fund.reports), marked for translation;
# a test keeps them the same as the table's.
TABLE_TEXTS = (
    N_("Sources of funds"),
    N_("Contributions from donors"),
    N_("Fund earned interest and investment income"),
    N_("Interest income received from participating organizations"),
    N_("Total: sources of funds"),
    N_("Uses of funds"),
    N_("Transferred to participating organizations"),
    N_("of which indirect costs"),
    N_("Refunds received from participating organizations"),
    N_("Net funded amount"),
    N_("Administrative Agent fees"),
    N_("Direct costs"),
    N_("Bank charges"),
    N_("Total: uses of funds"),
    N_("Balance with the Administrative Agent"),
    N_("as % of deposits"),
    N_("Funds with participating organizations"),
    N_("Transfers"),
    N_("Expenditure (indirect costs included)"),
    N_("Refunds"),
    N_("Balance with participating organizations"),
    N_("as % of transfers"),
    N_("Delivery rate: expenditure as % of transfers"),
    N_("Commitments (pledges: a stage of their own, never added to deposits)"),
    N_("Pledges signed"),
    N_("Pledges not yet deposited"),
)
# gateway.METHOD, marked for translation (a test keeps the two the same).
METHOD = N_(
    "Each deposit goes to one sub-fund (the general fund or an earmarked one). Every "
    "allocation from a sub-fund is attributed to the sub-fund's donors in proportion to "
    "their deposits into it, net of the Administrative Agent's fee. Amounts are in the "
    "fund's currency at the rates recorded with each deposit."
)
TOTALS = {"total_sources", "total_uses", "balance_aa", "balance_orgs", "net_funded"}


# -- helpers ------------------------------------------------------------------------------------


def _day(name: str, value: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, f"{name}: '{text[:20]}' is not a date (YYYY-MM-DD)") from None


class Place(NamedTuple):
    """A country's or a region's name, and the language it is written in."""

    label: str
    lang: str


def _places(ctx: Context, lang: str) -> dict[str, Place]:
    """Countries ("MEX") and M49 regions ("019") by code, named in the reader's language
    where the taxonomy has the name, else in English."""
    from gcmhub.taxonomy.models import Concept

    rows = ctx.session.execute(
        select(Concept.code, Concept.label, Concept.labels).where(
            Concept.scheme_id.in_(("country", "region"))
        )
    )
    found: dict[str, Place] = {}
    for code, label, labels in rows:
        own = (labels or {}).get(lang)
        found[code] = Place(own, lang) if own else Place(label, "en")
    return found


def _areas(ctx: Context) -> dict[str, str]:
    """The fund's thematic areas: code to name (the names are in English)."""
    return {a.code: a.label for a in calls.area_list(ctx)}


def _demonstration(ctx: Context) -> bool:
    """Whether the demonstration's illustrative donors are on record."""
    found = ctx.session.scalar(
        select(Donor.id).where(Donor.name.like(f"{DEMONSTRATION}%")).limit(1)
    )
    return found is not None


def _formats(request: Request) -> dict[str, Any]:
    """Money and percentages written the reader's way."""
    code = negotiate(request)
    currency = base_currency()

    def money(value: Decimal | str | None, unit: str | None = None) -> str:
        if value is None or value == "":
            return "—"
        return format_money(Decimal(str(value)), unit or currency, code)

    def pct(value: Decimal | float | None) -> str:
        if value is None:
            return "—"
        return str(
            format_percent(
                Decimal(str(value)).normalize() / 100, locale=code, decimal_quantization=False
            )
        )

    return {"money": money, "pct": pct, "currency": currency}


def _page(request: Request, ctx: Context, template: str, **context: Any) -> Response:
    return render(
        request,
        template,
        active="fund",
        demonstration=_demonstration(ctx),
        project_statuses=PROJECT_STATUSES,
        call_statuses=CALL_STATUSES,
        **_formats(request),
        **context,
    )


# -- the gateway --------------------------------------------------------------------------------


@router.get("/fund")
def fund_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    overview = gateway.fund_overview(ctx)
    lang = negotiate(request)
    places = _places(ctx, lang)
    write = _formats(request)["money"]
    donors = [d for d in overview.donors if d.pledged or d.deposited]

    def named(key: str) -> str:
        place = places.get(key)
        return place.label if place else key

    open_calls = [c for c in calls.call_list(ctx) if c.status == "open"]
    return _page(
        request,
        ctx,
        "fund.html",
        o=overview,
        donors=donors,
        donor_types=DONOR_TYPES,
        places=places,
        donor_chart=bar_chart([(d.name, [d.deposited, d.pledged]) for d in donors], write),
        area_chart=bar_chart([(s.key, [s.allocated]) for s in overview.by_area], write),
        region_chart=bar_chart([(named(s.key), [s.allocated]) for s in overview.by_region], write),
        country_chart=bar_chart(
            [(named(s.key), [s.allocated]) for s in overview.by_country], write
        ),
        latest=projects.project_list(ctx)[:LATEST],
        open_calls=open_calls,
        areas=_areas(ctx),
    )


@router.get("/fund/financial-table")
def table_page(request: Request, ctx: ContextDep, start: str = "", end: str = "") -> Response:
    only_parameters(request, "start", "end")
    first, last = _day("start", start), _day("end", end)
    table = reports.financial_table(ctx, first, last)
    sections: list[tuple[str, list[reports.Row]]] = []
    for row in table.rows:
        if not sections or sections[-1][0] != row.section:
            sections.append((row.section, []))
        sections[-1][1].append(row)
    query = "&".join(
        f"{name}={value.isoformat()}" for name, value in (("start", first), ("end", last)) if value
    )
    return _page(
        request,
        ctx,
        "fund_table.html",
        table=table,
        sections=sections,
        totals=TOTALS,
        chosen={"start": start.strip(), "end": end.strip()},
        download="/api/v1/fund/report?" + (query + "&" if query else ""),
    )


# -- projects -----------------------------------------------------------------------------------


@router.get("/fund/projects")
def projects_page(
    request: Request, ctx: ContextDep, area: str = "", country: str = "", status: str = ""
) -> Response:
    only_parameters(request, "area", "country", "status")
    if status and status not in PROJECT_STATUSES:
        raise BadParameter("status", f"status: one of {', '.join(PROJECT_STATUSES)}")
    if len(area) > 20 or len(country) > 3:
        raise BadParameter("area" if len(area) > 20 else "country", "too long")
    every = projects.project_list(ctx)
    found = projects.project_list(ctx, area or None, country or None, status or None)
    places = _places(ctx, negotiate(request))
    countries = sorted(
        {p.country for p in every if p.country},
        key=lambda c: places[c].label if c in places else c,
    )
    params = [(k, v) for k, v in (("area", area), ("country", country), ("status", status)) if v]
    return _page(
        request,
        ctx,
        "fund_projects.html",
        found=found,
        total=len(every),
        areas=_areas(ctx),
        places=places,
        countries=countries,
        chosen={"area": area, "country": country, "status": status},
        download="/api/v1/fund/projects?" + "".join(f"{k}={v}&" for k, v in params),
    )


@router.get("/fund/projects/{ref}")
def project_page(request: Request, ctx: ContextDep, ref: str) -> Response:
    only_parameters(request)
    shown = projects.project_show(ctx, ref)
    return _page(
        request,
        ctx,
        "fund_project.html",
        p=shown,
        areas=_areas(ctx),
        places=_places(ctx, negotiate(request)),
        markers=MARKERS,
        report_kinds=REPORT_KINDS,
        tranche_statuses=TRANCHE_STATUSES,
        released=sum((t.amount for t in shown.tranches if t.status == "released"), Decimal(0)),
        planned=sum((t.amount for t in shown.tranches if t.status == "planned"), Decimal(0)),
    )


# -- calls and the pipeline ---------------------------------------------------------------------


@router.get("/fund/calls")
def calls_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    return _page(request, ctx, "fund_calls.html", found=calls.call_list(ctx), areas=_areas(ctx))


def _rules(rules: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A call's allocation rules as (sentence to translate, its values)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for kind, shares in (
        ("area", rules.get("area_shares")),
        ("region", rules.get("region_shares")),
    ):
        for code, share in (shares or {}).items():
            low, high = share.get("min"), share.get("max")
            found.append((f"{kind}:{code}", {"min": low, "max": high}))
    if rules.get("project_cap"):
        found.append(("cap", {"amount": Decimal(str(rules["project_cap"]))}))
    if rules.get("gender_min_share") is not None:
        found.append(("gender", {"share": rules["gender_min_share"]}))
    if rules.get("one_per_country"):
        found.append(("one_per_country", {}))
    if rules.get("min_score") is not None:
        found.append(("min_score", {"score": rules["min_score"]}))
    return found


@router.get("/fund/calls/{ref}")
def call_page(request: Request, ctx: ContextDep, ref: str) -> Response:
    only_parameters(request)
    call = calls.call_show(ctx, ref)
    appraiser = allowed(ctx.actor, "appraisal_read")
    preview: AllocationPublic | None = None
    refused: str | None = None
    if appraiser:
        try:
            preview = attempt(ctx, lambda: projects.allocation_preview(ctx, call.id))
        except GcmhubError as error:
            refused = str(error)
    return _page(
        request,
        ctx,
        "fund_call.html",
        c=call,
        areas=_areas(ctx),
        places=_places(ctx, negotiate(request)),
        rules=_rules(call.rules),
        criteria=CRITERIA,
        proposals=calls.proposal_list(ctx, call=call.id),
        proposal_statuses=PROPOSAL_STATUSES,
        appraiser=appraiser,
        preview=preview,
        refused=refused,
        outcomes=OUTCOMES,
    )


@router.get("/fund/pipeline")
def pipeline_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    waiting = calls.pipeline(ctx)
    return _page(
        request,
        ctx,
        "fund_pipeline.html",
        found=waiting,
        amount=sum((p.amount or Decimal(0) for p in waiting), Decimal(0)),
        areas=_areas(ctx),
        places=_places(ctx, negotiate(request)),
        appraiser=allowed(ctx.actor, "appraisal_read"),
    )


# -- donors -------------------------------------------------------------------------------------


@router.get("/fund/donors/{ref}")
def donor_page(request: Request, ctx: ContextDep, ref: str) -> Response:
    only_parameters(request)
    shown = gateway.donor_report(ctx, ref)
    return _page(
        request,
        ctx,
        "fund_donor.html",
        r=shown,
        pledges=contributions.pledge_list(ctx, donor=shown.donor.id),
        donor_types=DONOR_TYPES,
        areas=_areas(ctx),
        places=_places(ctx, negotiate(request)),
        method=METHOD if shown.method == gateway.METHOD else shown.method,
    )
