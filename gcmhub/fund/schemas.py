"""What the fund takes in and gives out.

Amounts come in as JSON numbers or as text ("1,234.56"); a negative, malformed or oversized
amount is refused with a 422 naming the field. Whether an amount has more decimals than its
currency allows is checked by the action, which knows the currency. Amounts go out as text,
so no decimal is lost to a binary float on the way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

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
