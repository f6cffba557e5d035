"""The start-up fund's API under /api/v1/fund: donors, contributions, deposits, money moved,
the ledger, balances and the financial table.

Everyone reads: the fund publishes its money as the MPTF Office Gateway does. Every write takes
an API token with the `write` scope and is checked by its rule inside the action (the fund
manager and the admin).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.downloads import format_of
from gcmhub.errors import BadParameter, NotFound
from gcmhub.fund import calls, contributions, gateway, ledger, projects, reports, transfers
from gcmhub.fund.exports import CRS, ENTRIES, FINANCIAL_TABLE, TRANSACTIONS, entry_rows
from gcmhub.fund.schemas import (
    AllocationPublic,
    AllocationWrite,
    AppraisalPublic,
    AreaMapWrite,
    AreaPublic,
    CallPublic,
    CallWrite,
    ChargeWrite,
    DecisionWrite,
    DepositPublic,
    DepositWrite,
    DonorPublic,
    DonorWrite,
    InterestWrite,
    ManualAllocationWrite,
    MovementPublic,
    OrganizationMoneyWrite,
    PipelineRow,
    PledgePublic,
    PledgeWrite,
    ProjectPublic,
    ProposalPublic,
    ProposalUpdate,
    ReportWrite,
    ReversalWrite,
    ReviewPublic,
    ReviewWrite,
    TranchePlanWrite,
    TransferWrite,
)
from gcmhub.web.deps import MAX_ID, ContextDep, RecordId, filters_from
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.responses import cache_control, cached_json, download
from gcmhub.web.session import require_token

router = APIRouter(prefix="/api/v1/fund", tags=["start-up fund"], responses=PROBLEM_RESPONSES)
WRITE = "Fund manager or admin, with a write token. "
FormatQuery = Annotated[str | None, Query(description="Download: csv or json.")]


@router.get(
    "/donors",
    summary="Donors and their contributions",
    description="Pledged, deposited and outstanding in the fund's currency, side by side: "
    "different stages, never added.",
    response_model=list[DonorPublic],
)
def donors_list(request: Request, ctx: ContextDep) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, [d.model_dump(mode="json") for d in contributions.donor_list(ctx)])


@router.post(
    "/donors",
    summary="Record a donor",
    description=WRITE + "Type: member_state, un, ifi, private_sector, foundation or other.",
    status_code=201,
    response_model=DonorPublic,
    openapi_extra={"x-rule": "donor_create"},
)
def donors_create(request: Request, ctx: ContextDep, body: DonorWrite) -> DonorPublic:
    require_token(request, ctx)
    return contributions.donor_create(ctx, body)


@router.get(
    "/contributions",
    summary="Pledges with their deposits",
    description="Each pledge with its schedule, what was deposited, what is outstanding and "
    "what is overdue, in the pledge's currency.",
    response_model=list[PledgePublic],
)
def contributions_list(
    request: Request,
    ctx: ContextDep,
    donor: Annotated[str | None, Query(description="A donor's id.", max_length=20)] = None,
) -> Response:
    filters_from(request, {"donor"}, [])
    found = contributions.pledge_list(ctx, donor=donor)
    return cached_json(request, [p.model_dump(mode="json") for p in found])


@router.post(
    "/contributions",
    summary="Record a pledge",
    description=WRITE + "An amount in any currency with its rate to the fund's; an earmark "
    "(none, `area:N`, `country:ISO3`); for a multi-year pledge, its schedule of instalments.",
    status_code=201,
    response_model=PledgePublic,
    openapi_extra={"x-rule": "pledge_create"},
)
def contributions_create(request: Request, ctx: ContextDep, body: PledgeWrite) -> PledgePublic:
    require_token(request, ctx)
    return contributions.pledge_create(ctx, body)


@router.get(
    "/contributions/{ref}", summary="One pledge with its deposits", response_model=PledgePublic
)
def contributions_show(request: Request, ctx: ContextDep, ref: str) -> Response:
    return cached_json(request, contributions.pledge_show(ctx, ref).model_dump(mode="json"))


@router.post(
    "/deposits",
    summary="Record a deposit against a pledge",
    description=WRITE + "In the pledge's currency, with its rate. The Administrative Agent fee "
    "(GCMHUB_FUND_AA_FEE) is taken. More than the pledge's outstanding amount is refused "
    "(422) unless `allow_excess`.",
    status_code=201,
    response_model=DepositPublic,
    openapi_extra={"x-rule": "deposit_create"},
)
def deposits_create(request: Request, ctx: ContextDep, body: DepositWrite) -> DepositPublic:
    require_token(request, ctx)
    return contributions.deposit_create(ctx, body)


@router.post(
    "/transfers",
    summary="Transfer money to a participating organization",
    description=WRITE + "The programmable amount for a project, from the general fund or an "
    "earmarked sub-fund; indirect costs (GCMHUB_FUND_INDIRECT_RATE) are added. A sub-fund "
    "without the money refuses it (422) and nothing is written.",
    status_code=201,
    response_model=MovementPublic,
    openapi_extra={"x-rule": "fund_transfer"},
)
def transfers_create(request: Request, ctx: ContextDep, body: TransferWrite) -> MovementPublic:
    require_token(request, ctx)
    return transfers.fund_transfer(
        ctx,
        body.project_ref,
        body.participating_organization,
        body.amount,
        body.earmark,
        body.value_date,
        body.memo,
    )


@router.post(
    "/expenditure",
    summary="Record expenditure reported by a participating organization",
    description=WRITE + "No more than the organization holds of the fund's money (422).",
    status_code=201,
    response_model=MovementPublic,
    openapi_extra={"x-rule": "expenditure_report"},
)
def expenditure_create(
    request: Request, ctx: ContextDep, body: OrganizationMoneyWrite
) -> MovementPublic:
    require_token(request, ctx)
    return transfers.expenditure_report(
        ctx,
        body.project_ref,
        body.participating_organization,
        body.amount,
        body.value_date,
        body.memo,
    )


@router.post(
    "/refunds",
    summary="Record a refund from a participating organization",
    description=WRITE + "Back to the sub-fund the project's transfers came from unless "
    "`earmark` says otherwise.",
    status_code=201,
    response_model=MovementPublic,
    openapi_extra={"x-rule": "refund_record"},
)
def refunds_create(
    request: Request, ctx: ContextDep, body: OrganizationMoneyWrite
) -> MovementPublic:
    require_token(request, ctx)
    return transfers.refund_record(
        ctx,
        body.project_ref,
        body.participating_organization,
        body.amount,
        body.earmark,
        body.value_date,
        body.memo,
    )


@router.post(
    "/interest",
    summary="Record interest income",
    description=WRITE + "Earned by the fund (`source: fund`) or remitted by a participating "
    "organization (`source: organization`).",
    status_code=201,
    response_model=MovementPublic,
    openapi_extra={"x-rule": "interest_record"},
)
def interest_create(request: Request, ctx: ContextDep, body: InterestWrite) -> MovementPublic:
    require_token(request, ctx)
    return transfers.interest_record(
        ctx,
        body.amount,
        body.source,
        body.participating_organization,
        body.earmark,
        body.value_date,
        body.memo,
    )


@router.post(
    "/charges",
    summary="Record a direct cost or a bank charge",
    description=WRITE + "Paid from a sub-fund's cash (the general fund by default).",
    status_code=201,
    response_model=MovementPublic,
    openapi_extra={"x-rule": "charge_record"},
)
def charges_create(request: Request, ctx: ContextDep, body: ChargeWrite) -> MovementPublic:
    require_token(request, ctx)
    return transfers.charge_record(
        ctx, body.kind, body.amount, body.earmark, body.value_date, body.memo
    )


@router.get(
    "/transactions",
    summary="The ledger",
    description="Transactions in the order posted, each with its entries (amounts in the "
    "fund's currency, debit positive; the original amount, currency and rate kept). Page "
    "with `after` (the last id seen); `format=csv` downloads a row per entry.",
    response_model=ledger.TransactionPage,
)
def transactions_list(
    request: Request,
    ctx: ContextDep,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    reference: Annotated[str | None, Query(max_length=80)] = None,
    account: Annotated[str | None, Query(max_length=80)] = None,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    format: FormatQuery = None,
) -> Response:
    filters_from(request, {"kind", "reference", "account", "after", "limit", "format"}, [])
    if format:
        fmt = format_of(format)
        if fmt == "jsonld":
            raise BadParameter("format", "the ledger downloads as csv or json")
        found = ledger.transaction_list(ctx, kind, reference, account, after, limit=10_000)
        if fmt == "csv":
            rows = entry_rows(found)
            return download(ENTRIES, rows, fmt, None, cache_control(request))
        return download(TRANSACTIONS, found, fmt, {"count": len(found)}, cache_control(request))
    return cached_json(
        request, ledger.transaction_page(ctx, kind, reference, account, after, limit)
    )


@router.get(
    "/transactions/{transaction_id}",
    summary="One ledger transaction",
    response_model=ledger.TransactionPublic,
)
def transactions_show(request: Request, ctx: ContextDep, transaction_id: RecordId) -> Response:
    found = ledger.transaction_list(ctx, after=transaction_id - 1, limit=1)
    if not found or found[0].id != transaction_id:
        raise NotFound(f"no ledger transaction {transaction_id}")
    return cached_json(request, found[0])


@router.post(
    "/transactions/{transaction_id}/reverse",
    summary="Reverse a transaction",
    description=WRITE + "Posts the exact opposite: the only correction there is. A "
    "transaction is reversed once; a reversal that would take an account below zero is "
    "refused (reverse what came after it first).",
    status_code=201,
    response_model=ledger.TransactionPublic,
    openapi_extra={"x-rule": "ledger_reverse"},
)
def transactions_reverse(
    request: Request, ctx: ContextDep, transaction_id: RecordId, body: ReversalWrite
) -> ledger.TransactionPublic:
    require_token(request, ctx)
    reversal = ledger.ledger_reverse(ctx, transaction_id, body.memo, body.value_date)
    return ledger.transaction_list(ctx, after=reversal.id - 1, limit=1)[0]


@router.get(
    "/balances",
    summary="Balances of the ledger's accounts",
    description="As stored (debit positive) and on each account's normal side.",
    response_model=list[ledger.BalancePublic],
)
def balances_list(request: Request, ctx: ContextDep) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, [b.model_dump(mode="json") for b in ledger.balance_list(ctx)])


@router.get(
    "/check",
    summary="Proof that the ledger is sound",
    description="Every balance recomputed from the entries and compared with the stored one, "
    "every transaction balanced, no account below zero that may not be.",
    response_model=ledger.CheckReport,
)
def check(request: Request, ctx: ContextDep) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, ledger.ledger_check(ctx))


@router.get(
    "/report",
    summary="The financial table",
    description="The standard pass-through table (as the MPTF Office Gateway shows it): "
    "sources and uses of funds, balance with the Administrative Agent, funds with "
    "participating organizations, and pledges on their own; columns before the period, the "
    "period and the total. Stages are never added together.",
    response_model=reports.FinancialTable,
)
def report(
    request: Request,
    ctx: ContextDep,
    start: date | None = None,
    end: date | None = None,
    format: FormatQuery = None,
) -> Response:
    filters_from(request, {"start", "end", "format"}, [])
    table = reports.financial_table(ctx, start, end)
    if format and format_of(format) == "csv":
        return download(FINANCIAL_TABLE, table.rows, "csv", None, cache_control(request))
    if format and format_of(format) == "jsonld":
        raise BadParameter("format", "the financial table downloads as csv or json")
    return cached_json(request, table)


# -- calls for proposals, proposals, appraisal and the pipeline -------------------------------

Ref = Annotated[str, Path(min_length=1, max_length=40)]


@router.get(
    "/areas",
    summary="The fund's thematic areas",
    description="An editable scheme (`fund-area`) with the GCM objectives the fund manager "
    "mapped to each area. The names are unverified [M] against the fund's Terms of Reference.",
    response_model=list[AreaPublic],
)
def areas_list(request: Request, ctx: ContextDep) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, [a.model_dump(mode="json") for a in calls.area_list(ctx)])


@router.post(
    "/areas/{code}/objectives",
    summary="Map a thematic area to GCM objectives",
    description=WRITE + "Replaces the area's objectives (numbers 1-23).",
    response_model=AreaPublic,
    openapi_extra={"x-rule": "area_map"},
)
def areas_map(
    request: Request,
    ctx: ContextDep,
    code: Annotated[str, Path(min_length=1, max_length=20)],
    body: AreaMapWrite,
) -> AreaPublic:
    require_token(request, ctx)
    return calls.area_map(ctx, code, list(body.objectives))


@router.get("/calls", summary="Calls for proposals", response_model=list[CallPublic])
def calls_list(request: Request, ctx: ContextDep) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, [c.model_dump(mode="json") for c in calls.call_list(ctx)])


@router.post(
    "/calls",
    summary="Open a call for proposals",
    description=WRITE + "A budget in the fund's currency, thematic areas, a deadline, the "
    "eligibility rules (UN entities taking part, the government's endorsement) and a rubric.",
    status_code=201,
    response_model=CallPublic,
    openapi_extra={"x-rule": "fund_call_write"},
)
def calls_create(request: Request, ctx: ContextDep, body: CallWrite) -> CallPublic:
    require_token(request, ctx)
    return calls.call_create(ctx, body)


@router.get("/calls/{ref}", summary="One call for proposals", response_model=CallPublic)
def calls_show(request: Request, ctx: ContextDep, ref: Ref) -> Response:
    return cached_json(request, calls.call_show(ctx, ref).model_dump(mode="json"))


@router.get("/proposals", summary="Proposals to the fund", response_model=list[ProposalPublic])
def proposals_list(
    request: Request,
    ctx: ContextDep,
    call: Annotated[str | None, Query(max_length=20)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    filters_from(request, {"call", "status"}, [])
    found = calls.proposal_list(ctx, call, status)
    return cached_json(request, [p.model_dump(mode="json") for p in found])


@router.get("/proposals/{ref}", summary="One proposal", response_model=ProposalPublic)
def proposals_show(request: Request, ctx: ContextDep, ref: Ref) -> Response:
    return cached_json(request, calls.proposal_show(ctx, ref).model_dump(mode="json"))


@router.patch(
    "/proposals/{ref}",
    summary="Fill a draft proposal",
    description="Its creator, focal points of its country, its partners, or the fund "
    "manager, with a write token. Fields given replace what was there; budget lines must sum "
    "to the amount.",
    response_model=ProposalPublic,
    openapi_extra={"x-rule": "proposal_write"},
)
def proposals_update(
    request: Request, ctx: ContextDep, ref: Ref, body: ProposalUpdate
) -> ProposalPublic:
    require_token(request, ctx)
    return calls.proposal_update(ctx, ref, body)


@router.post(
    "/proposals/{ref}/submit",
    summary="Submit a proposal to its call",
    description="As filling it. Refused (422, naming the field) without the gender, "
    "human-rights and child-sensitivity markers or when the call's eligibility fails; after "
    "the deadline, 409.",
    response_model=ProposalPublic,
    openapi_extra={"x-rule": "proposal_write"},
)
def proposals_submit(request: Request, ctx: ContextDep, ref: Ref) -> ProposalPublic:
    require_token(request, ctx)
    return calls.proposal_submit(ctx, ref)


@router.post(
    "/proposals/{ref}/reviews",
    summary="Review a submitted proposal",
    description="Curators, partners and the fund manager, with a write token. Declare a "
    'conflict of interest ("none", or what it is: a recusal, no score). A reviewer of an '
    "organization taking part in the proposal is refused (403).",
    status_code=201,
    response_model=ReviewPublic,
    openapi_extra={"x-rule": "review_write"},
)
def proposals_review(
    request: Request, ctx: ContextDep, ref: Ref, body: ReviewWrite
) -> ReviewPublic:
    require_token(request, ctx)
    return calls.review_submit(ctx, ref, body)


@router.get(
    "/proposals/{ref}/appraisal",
    summary="A proposal's appraisal",
    description="The reviews with their comments, the mean, range and spread of the totals; "
    "a spread over GCMHUB_FUND_SPREAD points is flagged.",
    response_model=AppraisalPublic,
)
def proposals_appraisal(request: Request, ctx: ContextDep, ref: Ref) -> Response:
    return cached_json(request, calls.appraisal(ctx, ref).model_dump(mode="json"))


@router.post(
    "/proposals/{ref}/decision",
    summary="Record the steering committee's decision",
    description=WRITE + "approved (after at least one review) or rejected, with a note.",
    response_model=ProposalPublic,
    openapi_extra={"x-rule": "proposal_decide"},
)
def proposals_decide(
    request: Request, ctx: ContextDep, ref: Ref, body: DecisionWrite
) -> ProposalPublic:
    require_token(request, ctx)
    return calls.proposal_decide(ctx, ref, body)


@router.get(
    "/pipeline",
    summary="The pipeline",
    description="Approved proposals with no transfer yet: amount, area, country, score, markers.",
    response_model=list[PipelineRow],
)
def pipeline_list(request: Request, ctx: ContextDep) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, [p.model_dump(mode="json") for p in calls.pipeline(ctx)])


# -- allocation and projects ------------------------------------------------------------------


@router.post(
    "/calls/{ref}/allocation/preview",
    summary="Preview a call's allocation",
    description="The secretariat and the fund manager. The portfolio the allocation engine "
    "would fund now from the call's approved proposals and the sub-funds' unallocated cash, "
    "with each proposal explained (which rule binds, the score it would need) and the value "
    "a greedy choice would reach. Give `rules` to see what other rules would change "
    "(what-if). Stores nothing.",
    response_model=AllocationPublic,
    openapi_extra={"x-rule": "stores_nothing"},
)
def calls_allocation_preview(
    ctx: ContextDep, ref: Ref, body: AllocationWrite | None = None
) -> AllocationPublic:
    return projects.allocation_preview(ctx, ref, body)


@router.post(
    "/calls/{ref}/allocation",
    summary="Allocate a call's money",
    description=WRITE + "Once the call is closed, solves again and allocates the chosen "
    "portfolio in the ledger (each project's money moves from its sub-fund's cash into "
    "`allocated:`); the call is then decided (409 if open or decided already).",
    status_code=201,
    response_model=AllocationPublic,
    openapi_extra={"x-rule": "call_allocate"},
)
def calls_allocate(
    request: Request, ctx: ContextDep, ref: Ref, body: AllocationWrite | None = None
) -> AllocationPublic:
    require_token(request, ctx)
    return projects.call_allocate(ctx, ref, body)


@router.post(
    "/proposals/{ref}/allocation",
    summary="Allocate money to one approved proposal",
    description=WRITE + "From one sub-fund (`earmark`), no more than the proposal was "
    "approved for. More than the sub-fund holds unallocated is refused (422) and nothing is "
    "written.",
    status_code=201,
    response_model=ProjectPublic,
    openapi_extra={"x-rule": "call_allocate"},
)
def proposals_allocate(
    request: Request, ctx: ContextDep, ref: Ref, body: ManualAllocationWrite
) -> ProjectPublic:
    require_token(request, ctx)
    return projects.project_allocate(ctx, ref, body)


@router.get(
    "/projects",
    summary="Projects the fund finances",
    description="Allocated, transferred and spent (each stage on its own), the delivery rate. "
    "`format=csv` or `json` downloads rows tagged for the OECD DAC Creditor Reporting System "
    "(purpose code 15190).",
    response_model=list[ProjectPublic],
)
def projects_list(
    request: Request,
    ctx: ContextDep,
    area: Annotated[str | None, Query(max_length=20)] = None,
    country: Annotated[str | None, Query(max_length=3)] = None,
    status: Annotated[str | None, Query(pattern="^(funded|ongoing|closed)$")] = None,
    format: FormatQuery = None,
) -> Response:
    filters_from(request, {"area", "country", "status", "format"}, [])
    found = projects.project_list(ctx, area, country, status)
    if format:
        fmt = format_of(format)
        if fmt == "jsonld":
            raise BadParameter("format", "projects download as csv or json")
        rows = gateway.crs_rows(ctx, found)
        head = {"count": len(rows), "purpose_code": projects.PURPOSE_CODE}
        return download(CRS, rows, fmt, head, cache_control(request))
    return cached_json(request, [p.model_dump(mode="json") for p in found])


@router.get("/projects/{ref}", summary="One project", response_model=ProjectPublic)
def projects_show(request: Request, ctx: ContextDep, ref: Ref) -> Response:
    return cached_json(request, projects.project_show(ctx, ref).model_dump(mode="json"))


@router.put(
    "/projects/{ref}/tranches",
    summary="Plan a project's tranches",
    description=WRITE + "Replaces the tranches not yet released; they must sum to the "
    "allocation left to transfer and go to participating organizations.",
    response_model=ProjectPublic,
    openapi_extra={"x-rule": "tranche_write"},
)
def projects_plan(
    request: Request, ctx: ContextDep, ref: Ref, body: TranchePlanWrite
) -> ProjectPublic:
    require_token(request, ctx)
    return projects.tranche_plan(ctx, ref, body)


@router.post(
    "/projects/{ref}/tranches/{number}/release",
    summary="Release a tranche",
    description=WRITE + "Transfers it from the project's allocation to its organization "
    "(indirect costs included in its amount). In order; a later tranche waits for the "
    "delivery rate GCMHUB_FUND_TRANCHE_DELIVERY (409 saying where it stands).",
    response_model=ProjectPublic,
    openapi_extra={"x-rule": "tranche_write"},
)
def projects_release(
    request: Request,
    ctx: ContextDep,
    ref: Ref,
    number: Annotated[int, Path(ge=1, le=20)],
) -> ProjectPublic:
    require_token(request, ctx)
    return projects.tranche_release(ctx, ref, number)


@router.post(
    "/projects/{ref}/reports",
    summary="Report on a project",
    description="Its participating organizations or the fund manager, with a write token. "
    "Results against targets, and each organization's expenditure, posted to the ledger "
    "(no more than it holds: 422). A final report closes the project.",
    status_code=201,
    response_model=ProjectPublic,
    openapi_extra={"x-rule": "project_report"},
)
def projects_report(
    request: Request, ctx: ContextDep, ref: Ref, body: ReportWrite
) -> ProjectPublic:
    require_token(request, ctx)
    return projects.report_submit(ctx, ref, body)


@router.get(
    "/overview",
    summary="The fund at a glance",
    description="Contributions by donor; allocations by thematic area, region and country; "
    "transfers, expenditure and the delivery rate; the pipeline. Stages are never added.",
    response_model=gateway.FundOverview,
)
def overview(request: Request, ctx: ContextDep) -> Response:
    filters_from(request, set(), [])
    return cached_json(request, gateway.fund_overview(ctx).model_dump(mode="json"))


@router.get(
    "/donors/{ref}/report",
    summary="A donor's report",
    description="Deposits, the donor's share of each sub-fund it gave to, and the projects "
    "allocated from them with the donor's pro rata part.",
    response_model=gateway.DonorReport,
)
def donors_report(request: Request, ctx: ContextDep, ref: Ref) -> Response:
    return cached_json(request, gateway.donor_report(ctx, ref).model_dump(mode="json"))
