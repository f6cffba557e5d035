"""The standard pass-through financial table, computed from the ledger.

The MPTF Office Gateway publishes each pooled fund's money in one table: sources of funds,
uses of funds, the balance with the Administrative Agent, and the funds with participating
organizations; the columns are the years before the period, the period, and the total. The
Gateway warns that its stages (pledges, deposits, transfers, expenditure) "must not be
summed"; here every row says which figures it combines (`formula`), and no row adds pledges
to deposits or transfers to expenditure. Pledges are shown on their own, as commitments.

Each figure is a sum of ledger entries, by account and by the kind of transaction (a
reversal counts as the kind it reverses, on the day it is posted), over the transactions'
value dates.

The money-moving operations this table reports on live in `gcmhub.fund.transfers`; they are
imported here too under the names the fund's plan gave them (`transfer`, `refund`…).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from gcmhub.context import Context
from gcmhub.errors import BadParameter
from gcmhub.fund.ledger import ZERO, base_currency
from gcmhub.fund.models import Account, Entry, Transaction
from gcmhub.fund.transfers import (
    charge_record,
    expenditure_report,
    fund_transfer,
    interest_record,
    refund_record,
)

__all__ = [
    "FinancialTable",
    "charge",
    "expenditure_report",
    "financial_table",
    "interest",
    "refund",
    "transfer",
]

transfer = fund_transfer
refund = refund_record
interest = interest_record
charge = charge_record

# Each figure: its stage, what it is, and how it is read off the ledger: the accounts (a code,
# or a prefix ending in ':'), the kinds of transaction, and the sign that makes it positive.
FIGURES: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...] | None, int]] = {
    "pledged": ("pledge", "Pledges signed", ("pledges_receivable",), ("pledge",), 1),
    "pledges_outstanding": (
        "pledge",
        "Pledges not yet deposited",
        ("pledges_receivable",),
        None,
        1,
    ),
    "contributions": ("deposit", "Contributions from donors", ("contributions:",), None, -1),
    "interest": ("deposit", "Fund earned interest and investment income", ("interest",), None, -1),
    "org_interest": (
        "deposit",
        "Interest income received from participating organizations",
        ("org_interest",),
        None,
        -1,
    ),
    "transferred": (
        "transfer",
        "Transferred to participating organizations: programmable",
        ("orgs:",),
        ("transfer",),
        1,
    ),
    # The indirect cost is paid with the transfer and spent at once: both stages hold it.
    "indirect_transferred": (
        "transfer",
        "Transferred to participating organizations: indirect costs",
        ("indirect_costs",),
        None,
        1,
    ),
    "indirect_spent": (
        "expenditure",
        "Indirect costs charged by participating organizations",
        ("indirect_costs",),
        None,
        1,
    ),
    "refunds": (
        "transfer",
        "Refunds received from participating organizations",
        ("orgs:",),
        ("refund",),
        -1,
    ),
    "aa_fee": ("deposit", "Administrative Agent fees", ("aa_fee",), None, 1),
    "direct_costs": ("deposit", "Direct costs", ("direct_costs",), None, 1),
    "bank_charges": ("deposit", "Bank charges", ("bank_charges",), None, 1),
    "expenditure": (
        "expenditure",
        "Expenditure reported by participating organizations",
        ("expenditure",),
        None,
        1,
    ),
}
# Rows: (key, label, formula as signed figures or other rows; "%a/b" for a percentage).
SECTIONS: list[tuple[str, list[tuple[str, str, list[str]]]]] = [
    (
        "Sources of funds",
        [
            ("contributions", "Contributions from donors", ["+contributions"]),
            ("interest", "Fund earned interest and investment income", ["+interest"]),
            (
                "org_interest",
                "Interest income received from participating organizations",
                ["+org_interest"],
            ),
            (
                "total_sources",
                "Total: sources of funds",
                ["+contributions", "+interest", "+org_interest"],
            ),
        ],
    ),
    (
        "Uses of funds",
        [
            (
                "transfers",
                "Transferred to participating organizations",
                ["+transferred", "+indirect_transferred"],
            ),
            ("indirect_costs", "of which indirect costs", ["+indirect_transferred"]),
            ("refunds", "Refunds received from participating organizations", ["-refunds"]),
            (
                "net_funded",
                "Net funded amount",
                ["+transferred", "+indirect_transferred", "-refunds"],
            ),
            ("aa_fee", "Administrative Agent fees", ["+aa_fee"]),
            ("direct_costs", "Direct costs", ["+direct_costs"]),
            ("bank_charges", "Bank charges", ["+bank_charges"]),
            (
                "total_uses",
                "Total: uses of funds",
                [
                    "+transferred",
                    "+indirect_transferred",
                    "-refunds",
                    "+aa_fee",
                    "+direct_costs",
                    "+bank_charges",
                ],
            ),
        ],
    ),
    (
        "Balance with the Administrative Agent",
        [
            (
                "balance_aa",
                "Balance with the Administrative Agent",
                ["=total_sources", "-total_uses"],
            ),
            ("balance_aa_pct", "as % of deposits", ["%balance_aa/contributions"]),
        ],
    ),
    (
        "Funds with participating organizations",
        [
            ("org_transfers", "Transfers", ["+transferred", "+indirect_transferred"]),
            (
                "org_expenditure",
                "Expenditure (indirect costs included)",
                ["+expenditure", "+indirect_spent"],
            ),
            ("org_refunds", "Refunds", ["+refunds"]),
            (
                "balance_orgs",
                "Balance with participating organizations",
                ["=org_transfers", "-org_expenditure", "-org_refunds"],
            ),
            ("balance_orgs_pct", "as % of transfers", ["%balance_orgs/org_transfers"]),
            (
                "delivery_pct",
                "Delivery rate: expenditure as % of transfers",
                ["%org_expenditure/org_transfers"],
            ),
        ],
    ),
    (
        "Commitments (pledges: a stage of their own, never added to deposits)",
        [
            ("pledged", "Pledges signed", ["+pledged"]),
            ("pledges_outstanding", "Pledges not yet deposited", ["+pledges_outstanding"]),
        ],
    ),
]


class Row(BaseModel):
    """One row of the table: a figure before the period, in it, and in all (to its end)."""

    key: str
    label: str
    section: str
    unit: str = Field(description="The fund's currency, or % for a percentage.")
    prior: Decimal | None
    period: Decimal | None
    total: Decimal | None
    formula: list[str] = Field(
        description="What the row combines: +figure, -figure, =row, %row/row."
    )


class FinancialTable(BaseModel):
    """The standard pass-through financial table for a period."""

    currency: str
    start: date | None
    end: date | None
    rows: list[Row]
    figures: dict[str, list[Decimal]] = Field(
        description="The ledger figures the rows are made of: [prior, period, total]."
    )

    def row(self, key: str) -> Row:
        """Return a row by its key."""
        return next(r for r in self.rows if r.key == key)


def _sums(
    ctx: Context, start: date | None, end: date | None
) -> list[tuple[str, str, bool, Decimal]]:
    """Sum entries by account, effective kind, and whether they fall before the period."""
    original = aliased(Transaction)
    kind = func.coalesce(original.kind, Transaction.kind)
    query = (
        select(Account.code, kind, Transaction.value_date, func.sum(Entry.amount))
        .join(Entry, Entry.account_id == Account.id)
        .join(Transaction, Transaction.id == Entry.transaction_id)
        .outerjoin(original, original.id == Transaction.reversal_of)
        .group_by(Account.code, kind, Transaction.value_date)
    )
    if end is not None:
        query = query.where(Transaction.value_date <= end)
    return [
        (code, k, start is not None and day < start, total)
        for code, k, day, total in ctx.session.execute(query)
    ]


def financial_table(
    ctx: Context, start: date | None = None, end: date | None = None
) -> FinancialTable:
    """Compute the financial table: before `start`, from `start` to `end`, and to `end`."""
    if start is not None and end is not None and start > end:
        raise BadParameter("start", "the period starts after it ends")
    sums = _sums(ctx, start, end)
    figures: dict[str, list[Decimal]] = {}
    for name, (_, _, accounts, kinds, sign) in FIGURES.items():
        prior = period = ZERO
        for code, kind, before, total in sums:
            if not any(code == a or (a.endswith(":") and code.startswith(a)) for a in accounts):
                continue
            if kinds is not None and kind not in kinds:
                continue
            if before:
                prior += sign * total
            else:
                period += sign * total
        figures[name] = [prior, period, prior + period]
    rows: list[Row] = []
    done: dict[str, list[Decimal | None]] = {}
    currency = base_currency()
    for section, lines in SECTIONS:
        for key, label, formula in lines:
            values = _evaluate(formula, figures, done)
            done[key] = values
            rows.append(
                Row(
                    key=key,
                    label=label,
                    section=section,
                    unit="%" if formula[0].startswith("%") else currency,
                    prior=values[0],
                    period=values[1],
                    total=values[2],
                    formula=formula,
                )
            )
    return FinancialTable(currency=currency, start=start, end=end, rows=rows, figures=figures)


def _evaluate(
    formula: list[str],
    figures: dict[str, list[Decimal]],
    done: dict[str, list[Decimal | None]],
) -> list[Decimal | None]:
    if formula[0].startswith("%"):
        top, bottom = formula[0][1:].split("/")
        return [_percent(a, b) for a, b in zip(done[top], done[bottom], strict=True)]
    values: list[Decimal | None] = [ZERO, ZERO, ZERO]
    for term in formula:
        sign = -1 if term[0] == "-" else 1
        name = term[1:]
        source = figures[name] if name in figures else done[name]
        values = [
            None if a is None or b is None else a + sign * b
            for a, b in zip(values, source, strict=True)
        ]
    return values


def _percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
