"""What the fund publishes: the gateway's figures, the CRS-tagged project rows, a donor's report.

In the manner of the MPTF Office Gateway: contributions by donor, allocations by thematic area,
region and country, the delivery rate, and the pass-through financial table
(`gcmhub.fund.reports`). Stages (pledged, deposited, allocated, transferred, spent) are shown
side by side and never added.

A donor's report follows its money the way a pooled fund can: a deposit goes to a sub-fund
(the general fund or an earmarked one), and every allocation from that sub-fund is attributed
to its donors in proportion to what each deposited into it, net of the Administrative Agent's
fee (the "pro rata" attribution pooled funds use; a cent is not traceable further than its
sub-fund).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field
from sqlalchemy import or_, select

from gcmhub.context import Context
from gcmhub.errors import NotFound
from gcmhub.fund.calls import area_list, pipeline
from gcmhub.fund.contributions import donor_list
from gcmhub.fund.ledger import ZERO, base_currency, earmark_label, reversed_ids
from gcmhub.fund.models import Allocation, Deposit, Donor, Pledge, Proposal
from gcmhub.fund.projects import PURPOSE_CODE, PURPOSE_NAME, project_list
from gcmhub.fund.reports import financial_table
from gcmhub.fund.schemas import DonorPublic, Money, ProjectPublic

SECTOR_CODE = 151  # CRS: government and civil society, general (15190 is one of its purposes)
AID_TYPE = "C01"  # CRS type of aid: project-type interventions
FINANCE_TYPE = 110  # CRS: standard grant
CHANNEL_NAME = "United Nations agency, fund or commission (pooled fund)"


class Slice(BaseModel):
    """Money of one group (a donor, an area, a region, a country) at each stage."""

    key: str
    label: str
    allocated: Money = ZERO
    transferred: Money = ZERO
    expenditure: Money = ZERO
    projects: int = 0


class FundOverview(BaseModel):
    """The gateway's figures."""

    currency: str
    pledged: Money
    deposited: Money
    allocated: Money
    transferred: Money
    expenditure: Money
    delivery_pct: Decimal | None = Field(description="Expenditure as % of transfers.")
    balance_aa: Money = Field(description="Balance with the Administrative Agent.")
    donors: list[DonorPublic]
    by_area: list[Slice]
    by_region: list[Slice]
    by_country: list[Slice]
    projects: int
    pipeline: int
    pipeline_amount: Money


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part / whole * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _slices(
    projects: list[ProjectPublic], key: str, labels: dict[str, str] | None = None
) -> list[Slice]:
    groups: dict[str, Slice] = {}
    for project in projects:
        code = getattr(project, key) or "—"
        found = groups.setdefault(code, Slice(key=code, label=(labels or {}).get(code, code)))
        found.allocated += project.allocated
        found.transferred += project.transferred
        found.expenditure += project.expenditure
        found.projects += 1
    return sorted(groups.values(), key=lambda s: (-s.allocated, s.key))


def fund_overview(ctx: Context) -> FundOverview:
    """The fund's money at a glance, every figure computed from the ledger."""
    from gcmhub.taxonomy.models import Concept

    projects = project_list(ctx)
    donors = donor_list(ctx)
    table = financial_table(ctx)
    names = dict(
        ctx.session.execute(
            select(Concept.id, Concept.label).where(Concept.scheme_id.in_(("country", "region")))
        ).all()
    )
    waiting = pipeline(ctx)
    allocated = sum((p.allocated for p in projects), ZERO)
    transferred = table.row("org_transfers").total or ZERO
    spent = table.row("org_expenditure").total or ZERO
    return FundOverview(
        currency=base_currency(),
        pledged=sum((d.pledged for d in donors), ZERO),
        deposited=sum((d.deposited for d in donors), ZERO),
        allocated=allocated,
        transferred=transferred,
        expenditure=spent,
        delivery_pct=_percent(spent, transferred),
        balance_aa=table.row("balance_aa").total or ZERO,
        donors=sorted(donors, key=lambda d: (-d.deposited, d.name)),
        by_area=_slices(projects, "area", {a.code: a.label for a in area_list(ctx)}),
        by_region=_slices(
            projects, "region", {k.removeprefix("region:"): v for k, v in names.items()}
        ),
        by_country=_slices(
            projects, "country", {k.removeprefix("country:"): v for k, v in names.items()}
        ),
        projects=len(projects),
        pipeline=len(waiting),
        pipeline_amount=sum((p.amount or ZERO for p in waiting), ZERO),
    )


# -- CRS ------------------------------------------------------------------------------------


class CrsRow(BaseModel):
    """A project as a row tagged for the OECD DAC Creditor Reporting System."""

    project: str
    title: str
    description: str
    recipient_code: str | None = Field(description="ISO 3166 alpha-3.")
    recipient_name: str | None
    region_m49: str | None
    sector_code: int = SECTOR_CODE
    purpose_code: int = PURPOSE_CODE
    purpose_name: str = PURPOSE_NAME
    aid_type: str = AID_TYPE
    finance_type: int = FINANCE_TYPE
    channel_name: str = CHANNEL_NAME
    implementing: str = Field(description="Participating organizations, ';'-separated.")
    currency: str
    commitment: Money = Field(description="Allocated.")
    disbursement: Money = Field(description="Transferred, indirect costs included.")
    expenditure: Money
    gender_marker_unsdg: int | None = Field(description="UNSDG gender equality marker, 0-3.")
    gcm_objectives: str
    thematic_area: str | None
    status: str


def crs_rows(ctx: Context, projects: list[ProjectPublic]) -> list[CrsRow]:
    """The projects as CRS-tagged rows (purpose 15190)."""
    from gcmhub.taxonomy.models import Concept

    names = dict(
        ctx.session.execute(
            select(Concept.id, Concept.label).where(Concept.scheme_id == "country")
        ).all()
    )
    return [
        CrsRow(
            project=p.id,
            title=p.title,
            description=p.summary,
            recipient_code=p.country,
            recipient_name=names.get(f"country:{p.country}") if p.country else None,
            region_m49=p.region,
            implementing=";".join(p.participating),
            currency=p.currency,
            commitment=p.allocated,
            disbursement=p.transferred,
            expenditure=p.expenditure,
            gender_marker_unsdg=p.gender_marker,
            gcm_objectives=";".join(o.removeprefix("objective:") for o in p.objectives),
            thematic_area=p.area,
            status=p.status,
        )
        for p in projects
    ]


# -- a donor's report -----------------------------------------------------------------------


class SubFundShare(BaseModel):
    """A donor's part of one sub-fund."""

    earmark: str | None
    name: str
    donor_net: Money = Field(description="The donor's deposits into it, net of the AA fee.")
    all_net: Money = Field(description="Everyone's deposits into it, net of the AA fee.")
    share_pct: Decimal


class AttributedProject(BaseModel):
    """An allocation from a sub-fund the donor gave to, and the donor's pro rata part of it."""

    project: str
    title: str
    country: str | None
    area: str | None
    sub_fund: str
    allocated: Money
    attributed: Money


class DepositLine(BaseModel):
    ref: str
    pledge: str
    deposited_on: date
    amount: Money
    currency: str
    rate: Decimal
    amount_base: Money
    fee_base: Money
    earmark: str | None


class DonorReport(BaseModel):
    """What a donor gave and where the fund allocated it, pro rata by sub-fund."""

    donor: DonorPublic
    currency: str
    deposits: list[DepositLine]
    sub_funds: list[SubFundShare]
    projects: list[AttributedProject]
    attributed: Money
    unallocated: Money = Field(description="The donor's net deposits not yet attributed.")
    method: str


METHOD = (
    "Each deposit goes to one sub-fund (the general fund or an earmarked one). Every "
    "allocation from a sub-fund is attributed to the sub-fund's donors in proportion to "
    "their deposits into it, net of the Administrative Agent's fee. Amounts are in the "
    "fund's currency at the rates recorded with each deposit."
)


def donor_report(ctx: Context, ref: str) -> DonorReport:
    """A donor's contributions and the projects their money went to (public)."""
    found = donor_list(ctx, ref)
    if not found:
        raise NotFound(f"no donor '{str(ref)[:20]}'")
    donor = found[0]
    skip = reversed_ids(ctx)
    rows = ctx.session.execute(
        select(Deposit, Pledge, Donor)
        .join(Pledge, Pledge.id == Deposit.pledge_id)
        .join(Donor, Donor.id == Pledge.donor_id)
        .order_by(Deposit.id)
    ).all()
    all_net: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    own_net: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    deposits: list[DepositLine] = []
    for deposit, pledge, giver in rows:
        if deposit.transaction_id in skip:
            continue
        net = deposit.amount_base - deposit.fee_base
        all_net[pledge.earmark] += net
        if giver.ref == donor.id:
            own_net[pledge.earmark] += net
            deposits.append(
                DepositLine(
                    ref=deposit.ref,
                    pledge=pledge.ref,
                    deposited_on=deposit.deposited_on,
                    amount=deposit.amount,
                    currency=deposit.currency,
                    rate=deposit.rate,
                    amount_base=deposit.amount_base,
                    fee_base=deposit.fee_base,
                    earmark=pledge.earmark,
                )
            )
    shares = {e: own_net[e] / all_net[e] for e in own_net if all_net[e]}
    earmarked = [e for e in shares if e is not None]
    given = [Allocation.earmark.in_(earmarked)] if earmarked else []
    if None in shares:
        given.append(Allocation.earmark.is_(None))
    allocations = (
        ctx.session.execute(
            select(Allocation, Proposal)
            .join(Proposal, Proposal.id == Allocation.proposal_id)
            .where(or_(*given))
            .order_by(Allocation.id)
        ).all()
        if given
        else []
    )
    projects: list[AttributedProject] = []
    for allocation, proposal in allocations:
        if allocation.transaction_id in skip:
            continue
        share = shares[allocation.earmark]
        projects.append(
            AttributedProject(
                project=proposal.ref,
                title=proposal.title,
                country=proposal.country,
                area=proposal.area,
                sub_fund=earmark_label(ctx, allocation.earmark),
                allocated=allocation.amount,
                attributed=(allocation.amount * share).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                ),
            )
        )
    attributed = sum((p.attributed for p in projects), ZERO)
    return DonorReport(
        donor=donor,
        currency=base_currency(),
        deposits=deposits,
        sub_funds=[
            SubFundShare(
                earmark=e,
                name=earmark_label(ctx, e),
                donor_net=own_net[e],
                all_net=all_net[e],
                share_pct=(shares.get(e, Decimal(0)) * 100).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                ),
            )
            for e in sorted(own_net, key=lambda e: (e is not None, e or ""))
        ],
        projects=projects,
        attributed=attributed,
        unallocated=sum(own_net.values(), ZERO) - attributed,
        method=METHOD,
    )
