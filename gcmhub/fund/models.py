"""Tables of the start-up fund: proposals, and the ledger with the contributions behind it.

The ledger is double-entry. An entry's `amount` is in the fund's base currency
(GCMHUB_FUND_CURRENCY, USD by default), signed: **a debit is positive, a credit negative**, so
the entries of every transaction sum to zero and an account's balance is the plain sum of its
entries (positive: a debit balance). Assets and expenses normally hold debit balances; equity,
liabilities and income credit balances. An account that may not go below zero
(`may_go_negative` false) may not cross zero on its normal side: an asset's balance stays at
or above zero, an equity account's at or below. Each entry keeps the amount as it was given
(`original_amount`, `currency`), the `rate` to the base currency and the rate's date.

Transactions and entries are immutable: triggers (migration 0008) refuse UPDATE and DELETE on
both SQLite and PostgreSQL; a correction is a reversing transaction (`reversal_of`).

Amounts are exact decimals: NUMERIC on PostgreSQL; on SQLite, which has no decimal type and
would store NUMERIC as a binary float, an integer count of the smallest unit kept (cents for
NUMERIC(18, 2)), so sums in SQL stay exact there too (`Fixed`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from gcmhub.db import Base


class Fixed(TypeDecorator[Decimal]):
    """An exact decimal: NUMERIC(precision, scale), or on SQLite a scaled 64-bit integer."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 18, scale: int = 2):
        super().__init__(precision, scale, asdecimal=True)
        self.scale = scale
        self.unit = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(self.impl_instance)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        number = Decimal(value)
        exact = number.quantize(self.unit)
        if exact != number:
            raise ValueError(f"{number} has more than {self.scale} decimals")
        if dialect.name == "sqlite":
            return int(exact.scaleb(self.scale))
        return exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self.unit)
        return Decimal(value).quantize(self.unit)


Amount = Fixed(18, 2)  # in the fund's base currency
Original = Fixed(18, 4)  # as given, in any currency (four decimals: CLF has four)
Rate = Fixed(18, 10)  # units of the base currency for one unit of another


class Proposal(Base):
    """A project proposal to the fund; a hub request can open one as a draft (43(a)(v))."""

    __tablename__ = "fund_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(3), index=True)
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("hub_requests.id", ondelete="SET NULL"), index=True
    )
    # draft, submitted, approved, rejected; funded once money is allocated; closed after the
    # final report
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Filled by the proponents before submission (migration 0009).
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("fund_calls.id", ondelete="RESTRICT"), index=True
    )
    area: Mapped[str | None] = mapped_column(String(20))  # a thematic area's code: TA1…
    amount: Mapped[Decimal | None] = mapped_column(Amount)  # base currency; None while draft
    budget_lines: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)  # [{item, amount}]
    participating: Mapped[list[str] | None] = mapped_column(JSON)  # UN entities (PUNOs)
    endorsed: Mapped[bool | None] = mapped_column(Boolean)  # by the recipient government
    gender_marker: Mapped[int | None] = mapped_column(Integer)  # 0-3, required to submit
    human_rights_marker: Mapped[int | None] = mapped_column(Integer)
    child_marker: Mapped[int | None] = mapped_column(Integer)
    whole_of_government: Mapped[bool | None] = mapped_column(Boolean)
    whole_of_society: Mapped[bool | None] = mapped_column(Boolean)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision: Mapped[str | None] = mapped_column(String(10))  # approved, rejected
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))


ACCOUNT_KINDS = ("asset", "liability", "equity", "income", "expense")


class Account(Base):
    """An account of the fund's ledger, with its balance as stored (kept with each posting)."""

    __tablename__ = "fund_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)  # cash:general, orgs:IOM…
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))  # ACCOUNT_KINDS
    currency: Mapped[str] = mapped_column(String(3))
    earmark: Mapped[str | None] = mapped_column(String(40), index=True)  # area:2, country:MEX
    may_go_negative: Mapped[bool] = mapped_column(Boolean, default=False)
    balance: Mapped[Decimal] = mapped_column(Amount, default=Decimal("0.00"))  # debit positive
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Transaction(Base):
    """One balanced posting: a pledge, a deposit with its fee, a transfer… (never changed)."""

    __tablename__ = "fund_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)  # when it was recorded (UTC)
    value_date: Mapped[date] = mapped_column(Date, index=True)  # the day it counts for
    kind: Mapped[str] = mapped_column(String(20), index=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str | None] = mapped_column(String(80), index=True)  # D-…, P-…, a project
    reversal_of: Mapped[int | None] = mapped_column(
        ForeignKey("fund_transactions.id", ondelete="RESTRICT"), unique=True
    )
    actor: Mapped[str] = mapped_column(String(100))


class Entry(Base):
    """One line of a transaction: an account debited (positive) or credited (negative)."""

    __tablename__ = "fund_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("fund_transactions.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("fund_accounts.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Amount)  # base currency, debit positive
    original_amount: Mapped[Decimal] = mapped_column(Original)  # same sign, as given
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Rate)  # amount = original_amount x rate, to a cent
    rate_date: Mapped[date] = mapped_column(Date)


class Donor(Base):
    """Who contributes to the fund: a Member State, a UN entity, an IFI, a company…"""

    __tablename__ = "fund_donors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)  # D-0001
    name: Mapped[str] = mapped_column(String(300), unique=True)
    type: Mapped[str] = mapped_column(String(20))  # contributions.DONOR_TYPES
    country: Mapped[str | None] = mapped_column(String(3))  # ISO3
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Pledge(Base):
    """A donor's commitment, in its own currency, perhaps earmarked and paid over years."""

    __tablename__ = "fund_pledges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)  # C-0001
    donor_id: Mapped[int] = mapped_column(
        ForeignKey("fund_donors.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Original)
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Rate)  # to the base currency, when pledged
    rate_date: Mapped[date] = mapped_column(Date)
    amount_base: Mapped[Decimal] = mapped_column(Amount)  # amount x rate
    earmark: Mapped[str | None] = mapped_column(String(40), index=True)
    pledged_on: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(Text, default="")
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("fund_transactions.id", ondelete="RESTRICT"), unique=True
    )
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Instalment(Base):
    """One due date of a multi-year pledge's schedule, in the pledge's currency."""

    __tablename__ = "fund_pledge_instalments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pledge_id: Mapped[int] = mapped_column(
        ForeignKey("fund_pledges.id", ondelete="CASCADE"), index=True
    )
    due: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Original)


class Deposit(Base):
    """Money received by the Administrative Agent against a pledge, with the fee taken."""

    __tablename__ = "fund_deposits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)  # R-0001
    pledge_id: Mapped[int] = mapped_column(
        ForeignKey("fund_pledges.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Original)  # in the pledge's currency
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Rate)
    rate_date: Mapped[date] = mapped_column(Date)
    amount_base: Mapped[Decimal] = mapped_column(Amount)
    fee_base: Mapped[Decimal] = mapped_column(Amount)  # the Administrative Agent fee taken
    applied: Mapped[Decimal] = mapped_column(Original)  # counted against the pledge
    deposited_on: Mapped[date] = mapped_column(Date)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("fund_transactions.id", ondelete="RESTRICT"), unique=True
    )
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Call(Base):
    """A call for proposals: a budget, thematic areas, a deadline and eligibility rules."""

    __tablename__ = "fund_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)  # CFP-2027-01
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    budget: Mapped[Decimal] = mapped_column(Amount)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)  # thematic area codes
    opens: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    min_un_entities: Mapped[int] = mapped_column(Integer, default=2)
    endorsement_required: Mapped[bool] = mapped_column(Boolean, default=True)
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # criterion, weight
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, decided
    rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # allocation rules (projects.py)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Review(Base):
    """One reviewer's appraisal of a proposal: scores per criterion, or a declared conflict."""

    __tablename__ = "fund_reviews"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("fund_proposals.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reviewer: Mapped[str] = mapped_column(String(100))
    organization: Mapped[str | None] = mapped_column(String(300))
    conflict: Mapped[str] = mapped_column(Text, default="none")  # else: recused, no score
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # criterion: 0-5
    total: Mapped[float | None] = mapped_column(Float)  # weighted, 0-100; None when recused
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime)


class Allocation(Base):
    """Money of one sub-fund allocated to a project (an approved proposal).

    The money itself moves in the ledger (`transaction_id`: `cash:E` to `allocated:E`); this row
    says which decision it came from.
    """

    __tablename__ = "fund_allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("fund_proposals.id", ondelete="RESTRICT"), index=True
    )
    call_id: Mapped[int | None] = mapped_column(ForeignKey("fund_calls.id", ondelete="RESTRICT"))
    earmark: Mapped[str | None] = mapped_column(String(40))  # the sub-fund; None: general
    amount: Mapped[Decimal] = mapped_column(Amount)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("fund_transactions.id", ondelete="RESTRICT")
    )
    method: Mapped[str] = mapped_column(String(20))  # milp (a call's allocation) or manual
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Tranche(Base):
    """A planned disbursement of a project's allocation to one participating organization.

    `amount` is what leaves the allocation, the organization's indirect costs included.
    """

    __tablename__ = "fund_tranches"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("fund_proposals.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    organization: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Amount)
    due: Mapped[date | None] = mapped_column(Date)
    condition: Mapped[str] = mapped_column(Text, default="")
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("fund_transactions.id", ondelete="RESTRICT")
    )
    released_at: Mapped[datetime | None] = mapped_column(DateTime)
    released_by: Mapped[str | None] = mapped_column(String(100))


class ProjectReport(Base):
    """A progress or final report: results against targets, and expenditure by organization."""

    __tablename__ = "fund_project_reports"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("fund_proposals.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # progress, final
    period_end: Mapped[date] = mapped_column(Date)
    narrative: Mapped[str] = mapped_column(Text)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    expenditure: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
