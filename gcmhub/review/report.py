"""The whole mechanism's report for a period: knowledge, hub, fund, review, objectives.

Every figure carries what it was computed from: the query or filter in words (`source`) and
the records it counts (`records`: item refs, request refs, ledger transaction ids, plan
versions…), so any number can be traced. Figures are read through the parts' own read
actions, as the reader may see them (the secretariat sees every request; the public the
public and anonymised ones). A period in which nothing happened gives a report whose figures
are all zero and says so (`empty`), never an error.

- Knowledge items added: published items created in the period (`items_added`).
- Requests submitted: requests filed in the period; answered: requests that reached
  `resolved` in the period, with the median of days from filing to that step.
- Money: allocated = allocation transactions of the ledger with a value date in the period,
  net of their reversals; transferred, expenditure and the delivery rate = the period
  column of the pass-through financial table (`gcmhub.fund.reports.financial_table`); the
  fund's totals to date from the gateway (`gcmhub.fund.gateway.fund_overview`).
- Review: plan versions saved, partnerships registered, capacity assessments made.
- Progress per objective: as it stands when the report is made (`progress.py`).
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from gcmhub.context import Context
from gcmhub.errors import BadParameter
from gcmhub.review.models import CapacityAssessment, Partnership
from gcmhub.review.plans import versions_between
from gcmhub.review.progress import objective_progress
from gcmhub.review.schemas import Figure, MechanismReport, ReportSection

ANSWERED = "resolved"


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    high = datetime.max if end == date.max else datetime.combine(end + timedelta(days=1), time())
    return datetime.combine(start, time()), high


def _money(value: Decimal | None) -> str | None:
    return format(value, "f") if value is not None else None


def _knowledge(ctx: Context, low: datetime, high: datetime, period: str) -> ReportSection:
    from gcmhub.knowledge.listing import items_added

    added = items_added(ctx, low, high)
    by_type: dict[str, list[str]] = {}
    for ref, kind in added:
        by_type.setdefault(kind, []).append(ref)
    figures = [
        Figure(
            key="items_added",
            label="Knowledge items added",
            value=len(added),
            source=f"published items created {period}",
            records=[ref for ref, _ in added],
        )
    ]
    for kind, refs in sorted(by_type.items()):
        figures.append(
            Figure(
                key=f"items_added_{kind}",
                label=f"of which {kind}",
                value=len(refs),
                source=f"published items of type {kind} created {period}",
                records=refs,
            )
        )
    return ReportSection(title="Knowledge platform", figures=figures)


def _hub(ctx: Context, low: datetime, high: datetime, period: str) -> ReportSection:
    from gcmhub.hub.listing import RequestFilter, request_list
    from gcmhub.hub.requests import request_show

    rows = request_list(ctx, RequestFilter(), limit=1000).requests
    offset = 1000
    while len(rows) == offset:
        more = request_list(ctx, RequestFilter(), offset=offset, limit=1000).requests
        if not more:
            break
        rows += more
        offset += 1000
    naive = [(r, r.created_at.replace(tzinfo=None)) for r in rows]
    submitted = [r.id for r, at in naive if low <= at < high]
    answered: list[str] = []
    days: list[float] = []
    for row, filed in naive:
        if row.state in ("submitted", "triaged", "declined"):
            continue
        steps = [
            e.at.replace(tzinfo=None)
            for e in request_show(ctx, row.id).events
            if e.kind == "step" and e.to_state == ANSWERED
        ]
        inside = [at for at in steps if low <= at < high]
        if inside:
            answered.append(row.id)
            days.append((inside[0] - filed).total_seconds() / 86400)
    median = round(statistics.median(days), 1) if days else None
    return ReportSection(
        title="Connection hub",
        figures=[
            Figure(
                key="requests_submitted",
                label="Requests for support submitted",
                value=len(submitted),
                source=f"requests the reader may see, filed {period}",
                records=submitted,
            ),
            Figure(
                key="requests_answered",
                label="Requests answered (resolved)",
                value=len(answered),
                source=f"requests whose step to '{ANSWERED}' falls {period}",
                records=answered,
            ),
            Figure(
                key="median_days_to_answer",
                label="Median days from submission to resolution",
                value=median,
                unit="days",
                source="median over the answered requests of (resolved at - filed at)",
                records=answered,
            ),
        ],
    )


def _fund(ctx: Context, start: date, end: date, period: str) -> ReportSection:
    from gcmhub.fund.gateway import fund_overview
    from gcmhub.fund.ledger import ZERO, base_currency, transaction_list
    from gcmhub.fund.projects import project_list
    from gcmhub.fund.reports import financial_table

    currency = base_currency()
    allocations = transaction_list(ctx, kind="allocation", limit=100_000)
    ids = {t.id for t in allocations}
    allocated = ZERO
    records: list[str] = []

    def allocated_in(entries: list[tuple[str, Decimal]]) -> Decimal:
        return sum((amount for code, amount in entries if code.startswith("allocated:")), ZERO)

    for t in allocations:
        if start <= t.value_date <= end:
            allocated += allocated_in([(e.account, e.amount) for e in t.entries])
            records.append(f"transaction:{t.id}")
    for t in transaction_list(ctx, kind="reversal", limit=100_000):
        if t.reversal_of in ids and start <= t.value_date <= end:
            allocated += allocated_in([(e.account, e.amount) for e in t.entries])
            records.append(f"transaction:{t.id}")
    transfers = [
        f"transaction:{t.id}"
        for t in transaction_list(ctx, kind="transfer", limit=100_000)
        if start <= t.value_date <= end
    ]
    spending = [
        f"transaction:{t.id}"
        for t in transaction_list(ctx, kind="expenditure", limit=100_000)
        if start <= t.value_date <= end
    ]
    table = financial_table(ctx, start, end)
    overview = fund_overview(ctx)
    projects = [f"project:{p.id}" for p in project_list(ctx)]
    row = table.row
    return ReportSection(
        title="Start-up fund",
        figures=[
            Figure(
                key="allocated",
                label="Money allocated to projects",
                value=_money(allocated),
                unit=currency,
                source=f"ledger: allocation transactions (net of reversals) with value date "
                f"{period}, debits to allocated: accounts",
                records=records,
            ),
            Figure(
                key="transferred",
                label="Transferred to participating organizations",
                value=_money(row("org_transfers").period or ZERO),
                unit=currency,
                source="financial table, period column: " + " ".join(row("org_transfers").formula),
                records=transfers,
            ),
            Figure(
                key="expenditure",
                label="Expenditure reported (delivered)",
                value=_money(row("org_expenditure").period or ZERO),
                unit=currency,
                source="financial table, period column: "
                + " ".join(row("org_expenditure").formula),
                records=spending,
            ),
            Figure(
                key="delivery_pct",
                label="Delivery rate in the period",
                value=_money(row("delivery_pct").period),
                unit="%",
                source="financial table, period column: expenditure as % of transfers",
                records=[*transfers, *spending],
            ),
            Figure(
                key="allocated_to_date",
                label="Allocated to date",
                value=_money(overview.allocated),
                unit=currency,
                source="gateway fund_overview: all projects' allocations",
                records=projects,
            ),
            Figure(
                key="delivery_pct_to_date",
                label="Delivery rate to date",
                value=_money(overview.delivery_pct),
                unit="%",
                source="gateway fund_overview: expenditure as % of transfers",
                records=projects,
            ),
        ],
    )


def _review(ctx: Context, low: datetime, high: datetime, period: str) -> ReportSection:
    versions = versions_between(ctx, low, high)
    partnerships = list(
        ctx.session.scalars(
            select(Partnership.id).where(
                Partnership.created_at >= low, Partnership.created_at < high
            )
        )
    )
    assessments = list(
        ctx.session.scalars(
            select(CapacityAssessment.id).where(
                CapacityAssessment.created_at >= low, CapacityAssessment.created_at < high
            )
        )
    )
    return ReportSection(
        title="Review of implementation",
        figures=[
            Figure(
                key="plan_versions",
                label="National plan versions saved",
                value=len(versions),
                source=f"plan versions saved {period}",
                records=[f"plan:{c}/v{n}" for c, n, _ in versions],
            ),
            Figure(
                key="partnerships_registered",
                label="Partnerships registered",
                value=len(partnerships),
                source=f"partnerships registered {period}",
                records=[f"partnership:{i}" for i in partnerships],
            ),
            Figure(
                key="capacity_assessments",
                label="Capacity assessments recorded",
                value=len(assessments),
                source=f"capacity assessments recorded {period}",
                records=[f"capacity:{i}" for i in assessments],
            ),
        ],
    )


def mechanism_report(ctx: Context, start: date, end: date) -> MechanismReport:
    """The mechanism's report from `start` to `end` (both days included)."""
    if end < start:
        raise BadParameter("to", f"the period ends ({end}) before it starts ({start})")
    low, high = _bounds(start, end)
    period = f"from {start.isoformat()} to {end.isoformat()}"
    sections = [
        _knowledge(ctx, low, high, period),
        _hub(ctx, low, high, period),
        _fund(ctx, start, end, period),
        _review(ctx, low, high, period),
    ]
    activity = [
        f.value
        for s in sections
        for f in s.figures
        if f.key
        in (
            "items_added",
            "requests_submitted",
            "requests_answered",
            "allocated",
            "transferred",
            "expenditure",
            "plan_versions",
            "partnerships_registered",
            "capacity_assessments",
        )
    ]
    empty = all(v in (0, None) or (isinstance(v, str) and Decimal(v) == 0) for v in activity)
    message = (
        f"Nothing was recorded {period}: no knowledge items, requests, money moved, plan "
        "versions, partnerships or capacity assessments. Progress per objective is shown as "
        "it stands today."
        if empty
        else f"The mechanism {period}; progress per objective as it stands today."
    )
    return MechanismReport(
        start=start,
        end=end,
        empty=empty,
        message=message,
        sections=sections,
        objectives=objective_progress(ctx, trends=False),
    )
