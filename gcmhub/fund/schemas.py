"""What the fund takes in and gives out.

Amounts come in as JSON numbers or as text ("1,234.56"); a negative, malformed or oversized
amount is refused with a 422 naming the field. Whether an amount has more decimals than its
currency allows is checked by the action, which knows the currency. Amounts go out as text,
so no decimal is lost to a binary float on the way.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from gcmhub.errors import InvalidInput
from gcmhub.fund.money import currency_code, parse_amount, parse_rate
from gcmhub.types import no_nul

AMOUNT_PATTERN = r"^\s*([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?\s*$"


def _refusal(error: InvalidInput) -> PydanticCustomError:
    """The action's refusal as a validation error of the field (its message without prefix)."""
    return PydanticCustomError("invalid_money", str(error).split(": ", 1)[-1])


def _amount(value: object) -> Decimal:
    try:
        return parse_amount(value, "amount")
    except InvalidInput as error:
        raise _refusal(error) from None


def _rate(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return parse_rate(value, "rate")
    except InvalidInput as error:
        raise _refusal(error) from None


def _currency(value: str) -> str:
    try:
        return currency_code(value)
    except InvalidInput as error:
        raise _refusal(error) from None


AmountIn = Annotated[
    Decimal,
    BeforeValidator(_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0},
                {"type": "string", "pattern": AMOUNT_PATTERN},
            ],
            "description": "More than zero: 1234.56, or text with a thousands comma: "
            '"1,234.56". No more decimals than the currency has.',
        }
    ),
]
RateIn = Annotated[
    Decimal | None,
    BeforeValidator(_rate),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0},
                {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*$"},
                {"type": "null"},
            ],
            "description": "Units of the fund's currency for one unit of this one (1.08 for "
            "EUR to USD); needed for any currency but the fund's own.",
        }
    ),
]
Currency = Annotated[
    str,
    Field(min_length=3, max_length=3, description="ISO 4217 code: USD, EUR, CHF…"),
    AfterValidator(_currency),
]
Money = Decimal  # written as text in JSON ("1234.56"): no binary float on the way out
Earmark = Annotated[
    str | None,
    Field(
        default=None,
        max_length=40,
        description="None or 'general' for the general fund; 'area:N' for a thematic area; "
        "'region:M49' for a region; 'country:ISO3' (or a country's name) for a country.",
    ),
]


class _Clean(BaseModel):
    _clean = field_validator("*", mode="before")(no_nul)


# -- in ---------------------------------------------------------------------------------------


class DonorWrite(_Clean):
    """A donor to record."""

    name: str = Field(min_length=2, max_length=300)
    type: str = Field(
        description="member_state, un, ifi, private_sector, foundation or other.",
        pattern="^(member_state|un|ifi|private_sector|foundation|other)$",
    )
    country: str | None = Field(
        default=None, max_length=100, description="ISO3 code or name (a Member State's own)."
    )


class InstalmentWrite(BaseModel):
    """One instalment of a multi-year pledge."""

    due: date
    amount: AmountIn


class PledgeWrite(_Clean):
    """A pledge (a signed contribution agreement), perhaps earmarked and paid over years."""

    donor: str = Field(max_length=20, description="The donor's id (D-0001).")
    amount: AmountIn
    currency: Currency
    rate: RateIn = None
    rate_date: date | None = None
    earmark: Earmark = None
    pledged_on: date | None = Field(default=None, description="Today when not given.")
    schedule: list[InstalmentWrite] = Field(
        default_factory=list,
        max_length=100,
        description="Instalments with due dates, summing to the amount; none: all due at once.",
    )
    memo: str = Field(default="", max_length=2000)


class DepositWrite(_Clean):
    """Money received by the Administrative Agent against a pledge."""

    pledge: str = Field(max_length=20, description="The pledge's id (C-0001).")
    amount: AmountIn
    currency: Currency
    rate: RateIn = None
    rate_date: date | None = None
    deposited_on: date | None = Field(default=None, description="Today when not given.")
    allow_excess: bool = Field(
        default=False,
        description="Accept more than the pledge's outstanding amount (the excess counts as a "
        "contribution not pledged); refused otherwise.",
    )
    memo: str = Field(default="", max_length=2000)


class TransferWrite(_Clean):
    """Money transferred to a participating organization for a project."""

    project_ref: str = Field(min_length=1, max_length=80)
    participating_organization: str = Field(min_length=2, max_length=40)
    amount: AmountIn = Field(description="Programmable amount; indirect costs are added to it.")
    earmark: Earmark = None
    value_date: date | None = None
    memo: str = Field(default="", max_length=2000)


class OrganizationMoneyWrite(_Clean):
    """Expenditure reported, or a refund, by a participating organization for a project."""

    project_ref: str = Field(min_length=1, max_length=80)
    participating_organization: str = Field(min_length=2, max_length=40)
    amount: AmountIn
    earmark: Earmark = None
    value_date: date | None = None
    memo: str = Field(default="", max_length=2000)


class InterestWrite(_Clean):
    """Interest earned by the fund, or remitted by a participating organization."""

    amount: AmountIn
    source: str = Field(default="fund", pattern="^(fund|organization)$")
    participating_organization: str | None = Field(default=None, min_length=2, max_length=40)
    earmark: Earmark = None
    value_date: date | None = None
    memo: str = Field(default="", max_length=2000)


class ChargeWrite(_Clean):
    """A direct cost of the fund or a bank charge, paid from its cash."""

    kind: str = Field(pattern="^(direct_cost|bank_charge)$")
    amount: AmountIn
    earmark: Earmark = None
    value_date: date | None = None
    memo: str = Field(default="", max_length=2000)


class ReversalWrite(_Clean):
    """Why a transaction is reversed."""

    memo: str = Field(min_length=3, max_length=2000)
    value_date: date | None = None


# -- out --------------------------------------------------------------------------------------


class DonorPublic(BaseModel):
    """A donor with its contributions in the fund's currency (stages side by side, not added)."""

    id: str
    name: str
    type: str
    country: str | None
    currency: str
    pledged: Money = Field(description="Pledges at their rates when signed.")
    deposited: Money = Field(description="Deposits received, at their rates when received.")
    outstanding: Money = Field(description="Pledged and not yet deposited, at pledge rates.")
    pledges: int


class InstalmentPublic(BaseModel):
    """One instalment of a pledge's schedule."""

    due: date
    amount: Money


class DepositPublic(BaseModel):
    """A deposit with the fee taken and the ledger transaction that records it."""

    id: str
    pledge: str
    donor: str
    amount: Money
    currency: str
    rate: Money
    rate_date: date
    amount_base: Money
    fee_base: Money
    net_base: Money
    applied: Money = Field(description="Counted against the pledge.")
    excess: Money = Field(description="Beyond the pledge (allow_excess).")
    deposited_on: date
    transaction: int
    reversed: bool


class PledgePublic(BaseModel):
    """A pledge, what has been deposited against it and what is still outstanding."""

    id: str
    donor: str
    donor_name: str
    amount: Money
    currency: str
    rate: Money
    amount_base: Money
    earmark: str | None
    pledged_on: date
    schedule: list[InstalmentPublic]
    deposited: Money = Field(description="In the pledge's currency (deposits not reversed).")
    outstanding: Money
    overdue: Money = Field(description="Instalments due by today and not yet deposited.")
    cancelled: bool
    transaction: int
    deposits: list[DepositPublic]


class MovementPublic(BaseModel):
    """A transfer, expenditure report, refund, interest or charge as posted."""

    transaction: int
    kind: str
    reference: str | None
    amount: Money
    indirect: Money | None = None
    total: Money
    currency: str
    account: str = Field(description="The sub-fund or organization account it moved.")


# -- calls for proposals, proposals and appraisal --------------------------------------------

MarkerIn = Annotated[int | None, Field(default=None, ge=0, le=3)]
Code = Annotated[str, Field(min_length=1, max_length=20)]
Entity = Annotated[str, Field(min_length=2, max_length=80)]


class CriterionIn(_Clean):
    """One criterion of a call's rubric and its weight."""

    criterion: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    weight: int = Field(ge=1, le=100)


DEFAULT_RUBRIC = [  # a working default [M]: the fund's own rubric is set per call
    ("relevance", 30),
    ("feasibility", 25),
    ("guiding_principles", 25),
    ("sustainability", 20),
]


class CallWrite(_Clean):
    """A call for proposals to open."""

    title: str = Field(min_length=3, max_length=300)
    description: str = Field(default="", max_length=10_000)
    budget: AmountIn
    currency: Currency | None = Field(default=None, description="The fund's currency only.")
    areas: list[Code] = Field(
        default_factory=list,
        max_length=50,
        description="Thematic area codes (TA1…TA5); none: all of the fund's areas.",
    )
    opens: date | None = Field(default=None, description="Today when not given.")
    deadline: date
    min_un_entities: int = Field(default=2, ge=1, le=20)
    endorsement_required: bool = True
    rubric: list[CriterionIn] = Field(
        default_factory=lambda: [CriterionIn(criterion=c, weight=w) for c, w in DEFAULT_RUBRIC],
        min_length=1,
        max_length=20,
    )
    rules: RulesIn | None = Field(
        default=None, description="How the call's money is allocated (the allocation engine)."
    )


class CallPublic(BaseModel):
    """A call for proposals."""

    id: str
    title: str
    description: str
    budget: Money
    currency: str
    areas: list[str]
    opens: date
    deadline: date
    min_un_entities: int
    endorsement_required: bool
    rubric: list[dict[str, Any]]
    rules: dict[str, Any]
    status: str = Field(
        description="open; closed once its deadline is past; decided once its money is allocated."
    )
    proposals: int


class BudgetLineIn(_Clean):
    """One line of a proposal's budget."""

    item: str = Field(min_length=1, max_length=300)
    amount: AmountIn


class ProposalUpdate(_Clean):
    """What the proponents fill in a draft proposal; fields left out are kept."""

    call: str | None = Field(default=None, max_length=20, description="The call's id.")
    title: str | None = Field(default=None, min_length=3, max_length=300)
    summary: str | None = Field(default=None, max_length=10_000)
    area: str | None = Field(default=None, max_length=20, description="One of the call's areas.")
    amount: Any = Field(
        default=None,
        description='More than zero, in the fund\'s currency: 1234.56 or "1,234.56".',
        json_schema_extra={"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]},
    )
    currency: Currency | None = Field(default=None, description="The fund's currency only.")
    budget_lines: list[BudgetLineIn] | None = Field(
        default=None, max_length=200, description="Summing to the amount."
    )
    participating: list[Entity] | None = Field(
        default=None, max_length=30, description="Participating UN entities (IOM, UNICEF…)."
    )
    partners: list[Entity] | None = Field(default=None, max_length=50)
    endorsed: bool | None = Field(default=None, description="By the recipient government.")
    gender_marker: MarkerIn = None
    human_rights_marker: MarkerIn = None
    child_marker: MarkerIn = None
    whole_of_government: bool | None = None
    whole_of_society: bool | None = None
    objectives: list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, max_length=23, description="GCM objectives by number or title."
    )


class ProposalPublic(BaseModel):
    """A proposal to the fund, with its markers and the decision on it."""

    id: str
    title: str
    summary: str
    country: str | None
    call: str | None
    area: str | None
    amount: Money | None
    currency: str
    budget_lines: list[dict[str, Any]]
    participating: list[str]
    partners: list[str]
    objectives: list[str]
    endorsed: bool | None
    gender_marker: int | None
    human_rights_marker: int | None
    child_marker: int | None
    whole_of_government: bool | None
    whole_of_society: bool | None
    status: str
    submitted_at: datetime | None
    decision: str | None
    decision_note: str | None
    decided_at: datetime | None
    decided_by: str | None
    request: str | None


class ReviewWrite(_Clean):
    """One reviewer's appraisal: a declared conflict ("none", or what it is) and scores."""

    conflict: str = Field(
        default="none",
        min_length=1,
        max_length=2000,
        description='"none", or the conflict of interest declared: the reviewer is recused.',
    )
    scores: dict[Annotated[str, Field(max_length=60)], int] = Field(
        default_factory=dict, max_length=20, description="Each rubric criterion: 0 to 5."
    )
    comment: str = Field(default="", max_length=10_000)


class ReviewPublic(BaseModel):
    """A review as the appraisal shows it."""

    reviewer: str
    organization: str | None
    conflict: str
    recused: bool
    scores: dict[str, int]
    total: float | None
    comment: str
    submitted_at: datetime


class AppraisalPublic(BaseModel):
    """The reviews of a proposal aggregated: mean, range and whether they disagree."""

    proposal: str
    scored: int
    recused: int
    mean: float | None
    min: float | None
    max: float | None
    spread: float | None
    spread_limit: float
    spread_flagged: bool
    reviews: list[ReviewPublic]


class DecisionWrite(_Clean):
    """The steering committee's decision on a submitted proposal."""

    decision: str = Field(pattern="^(approved|rejected)$")
    note: str = Field(default="", max_length=10_000)


class AreaPublic(BaseModel):
    """A thematic area of the fund with the GCM objectives the fund manager mapped to it."""

    code: str
    id: str
    label: str
    objectives: list[str]


class AreaMapWrite(_Clean):
    """The GCM objectives a thematic area covers (numbers 1-23)."""

    objectives: list[Annotated[int, Field(ge=1, le=23)]] = Field(max_length=23)


class PipelineRow(BaseModel):
    """An approved proposal not funded yet."""

    id: str
    title: str
    call: str | None
    area: str | None
    country: str | None
    amount: Money | None
    currency: str
    score: float | None
    gender_marker: int | None
    human_rights_marker: int | None
    child_marker: int | None
    decided_at: datetime | None


# -- projects: allocation, tranches, reports ----------------------------------------------------

Share01 = Annotated[float, Field(ge=0, le=1)]


class ShareIn(BaseModel):
    """A minimum and a maximum share of the money allocated (0 to 1; leave out for no bound)."""

    min: Share01 | None = None
    max: Share01 | None = None


class RulesIn(_Clean):
    """The rules an allocation follows; every one optional (the fund publishes no numbers)."""

    area_shares: dict[Annotated[str, Field(max_length=20)], ShareIn] = Field(
        default_factory=dict, max_length=50, description="Thematic area code (TA1…): share."
    )
    region_shares: dict[Annotated[str, Field(max_length=60)], ShareIn] = Field(
        default_factory=dict,
        max_length=50,
        description="M49 region code or name (002 Africa, 019 Americas…): share.",
    )
    project_cap: AmountIn | None = Field(default=None, description="Most one project may get.")
    gender_min_share: Share01 | None = Field(
        default=None, description="Least share of the money to proposals with gender marker >= 2."
    )
    one_per_country: bool = Field(default=False, description="One project per country.")
    min_score: float | None = Field(
        default=None, ge=0, le=100, description="Least appraisal score (0-100) to be funded."
    )


class AllocationWrite(_Clean):
    """Allocate a call's money: its rules, or these instead (kept on record with the result)."""

    rules: RulesIn | None = None
    note: str = Field(default="", max_length=2000)


class ManualAllocationWrite(_Clean):
    """Allocate money of one sub-fund to one approved proposal (the steering committee's
    decision outside a call's allocation)."""

    amount: AmountIn
    earmark: Earmark
    note: str = Field(default="", max_length=2000)


class PortfolioLine(BaseModel):
    """A proposal in an allocation: funded, or why not."""

    proposal: str
    title: str
    area: str | None
    region: str | None
    country: str | None
    score: float | None
    asked: Money | None
    funded: Money
    sources: dict[str, Money] = Field(description="Sub-fund (earmark or general): amount.")
    outcome: str = Field(description="funded, ineligible, blocked or outvalued.")
    explanation: str
    needed_score: float | None = None


class RuleLine(BaseModel):
    """How one rule stands in an allocation."""

    name: str
    kind: str
    limit: Money | None
    actual: Money | None
    slack: Money | None
    binds: bool
    blocks: list[str]
    note: str


class AllocationPublic(BaseModel):
    """A call's allocation: the portfolio chosen, every proposal's explanation and the rules."""

    call: str
    applied: bool = Field(description="True when the money was allocated in the ledger.")
    status: str
    currency: str
    budget: Money
    available: dict[str, Money] = Field(description="Each sub-fund's unallocated cash.")
    total_allocated: Money
    total_value: float
    greedy_value: float = Field(description="The value a by-score greedy choice reaches.")
    lines: list[PortfolioLine]
    rules: list[RuleLine]
    by_area: dict[str, Money]
    by_region: dict[str, Money]
    rules_used: dict[str, Any]
    what_if: list[str] = Field(description="Against the call's own rules, when others were given.")
    seconds: float


class TrancheWrite(_Clean):
    """One tranche of a project's disbursement plan."""

    organization: str = Field(min_length=2, max_length=40, description="A participating entity.")
    amount: AmountIn = Field(description="Leaves the allocation, indirect costs included.")
    due: date | None = None
    condition: str = Field(default="", max_length=2000)


class TranchePlanWrite(_Clean):
    """A project's disbursement plan: tranches summing to its allocation."""

    tranches: list[TrancheWrite] = Field(min_length=1, max_length=20)


class TranchePublic(BaseModel):
    number: int
    organization: str
    amount: Money
    due: date | None
    condition: str
    status: str = Field(description="planned or released.")
    transaction: int | None
    released_at: datetime | None


class ResultIn(_Clean):
    """A result reported against its target."""

    result: str = Field(min_length=2, max_length=500)
    indicator: str = Field(default="", max_length=500)
    baseline: str = Field(default="", max_length=100)
    target: str = Field(default="", max_length=100)
    achieved: str = Field(default="", max_length=100)


class SpendIn(_Clean):
    """Expenditure a participating organization reports for the period."""

    organization: str = Field(min_length=2, max_length=40)
    amount: AmountIn


class ReportWrite(_Clean):
    """A progress or final report of a project."""

    kind: str = Field(default="progress", pattern="^(progress|final)$")
    period_end: date
    narrative: str = Field(min_length=10, max_length=20_000)
    results: list[ResultIn] = Field(default_factory=list, max_length=50)
    expenditure: list[SpendIn] = Field(default_factory=list, max_length=20)


class ReportPublic(BaseModel):
    number: int
    kind: str
    period_end: date
    narrative: str
    results: list[dict[str, Any]]
    expenditure: list[dict[str, Any]]
    submitted_by: str
    submitted_at: datetime


class ProjectPublic(BaseModel):
    """A funded proposal and its money, each stage on its own (never added together)."""

    id: str
    title: str
    summary: str
    call: str | None
    area: str | None
    country: str | None
    region: str | None
    objectives: list[str]
    participating: list[str]
    gender_marker: int | None
    human_rights_marker: int | None
    child_marker: int | None
    status: str = Field(description="funded (nothing transferred yet), ongoing, or closed.")
    currency: str
    approved: Money | None = Field(description="The amount the proposal asked and was approved.")
    allocated: Money
    transferred: Money = Field(description="Transfers, indirect costs included, net of reversals.")
    indirect: Money
    expenditure: Money = Field(description="Reported expenditure, indirect costs included.")
    refunded: Money
    to_transfer: Money = Field(description="Allocated and not yet transferred.")
    delivery_pct: Decimal | None = Field(description="Expenditure as % of transfers.")
    purpose_code: int = Field(description="OECD DAC CRS purpose code: 15190.")
    tranches: list[TranchePublic]
    reports: list[ReportPublic]


CallWrite.model_rebuild()
