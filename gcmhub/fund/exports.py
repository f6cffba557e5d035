"""How the fund's rows are written in downloads: the ledger (a CSV row per entry, JSON per
transaction) and the financial table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from gcmhub.downloads import Table
from gcmhub.fund.ledger import TransactionPublic
from gcmhub.fund.reports import Row
from gcmhub.knowledge.exports import base_url
from gcmhub.types import UtcDateTime


class EntryRow(BaseModel):
    """One entry of the ledger with its transaction: a line of the CSV download."""

    transaction: int
    at: UtcDateTime
    value_date: date
    kind: str
    reference: str | None
    reversal_of: int | None
    reversed_by: int | None
    memo: str
    account: str
    amount: Decimal
    original_amount: Decimal
    currency: str
    rate: Decimal
    rate_date: date


def entry_rows(transactions: list[TransactionPublic]) -> list[EntryRow]:
    """Flatten transactions into one row per entry."""
    return [
        EntryRow(
            transaction=t.id,
            at=t.at,
            value_date=t.value_date,
            kind=t.kind,
            reference=t.reference,
            reversal_of=t.reversal_of,
            reversed_by=t.reversed_by,
            memo=t.memo,
            **e.model_dump(),
        )
        for t in transactions
        for e in t.entries
    ]


def _plain(row: BaseModel) -> dict[str, Any]:
    return {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in row.model_dump().items()}


def _transaction_node(row: TransactionPublic) -> dict[str, Any]:
    return {
        "@id": f"{base_url()}/api/v1/fund/transactions/{row.id}",
        "@type": "MoneyTransfer",
        "name": row.kind,
        "description": row.memo,
        "startTime": row.value_date.isoformat(),
    }


ENTRIES = Table(
    name="gcmhub-fund-ledger",
    columns=(
        "transaction",
        "at",
        "value_date",
        "kind",
        "reference",
        "reversal_of",
        "reversed_by",
        "memo",
        "account",
        "amount",
        "original_amount",
        "currency",
        "rate",
        "rate_date",
    ),
    flatten=_plain,
    context={"@vocab": "https://schema.org/"},
    node=_plain,
)
TRANSACTIONS = Table(
    name="gcmhub-fund-ledger",
    columns=ENTRIES.columns,
    flatten=_plain,
    context={"@vocab": "https://schema.org/"},
    node=_transaction_node,
)


def _table_row(row: Row) -> dict[str, Any]:
    def text(value: Decimal | None) -> str:
        return "" if value is None else format(value, "f")

    return {
        "section": row.section,
        "key": row.key,
        "label": row.label,
        "unit": row.unit,
        "prior": text(row.prior),
        "period": text(row.period),
        "total": text(row.total),
    }


FINANCIAL_TABLE = Table(
    name="gcmhub-fund-financial-table",
    columns=("section", "key", "label", "unit", "prior", "period", "total"),
    flatten=_table_row,
    context={},
    node=_table_row,
)


CRS = Table(
    name="gcmhub-fund-projects-crs",
    columns=(
        "project",
        "title",
        "description",
        "recipient_code",
        "recipient_name",
        "region_m49",
        "sector_code",
        "purpose_code",
        "purpose_name",
        "aid_type",
        "finance_type",
        "channel_name",
        "implementing",
        "currency",
        "commitment",
        "disbursement",
        "expenditure",
        "gender_marker_unsdg",
        "gcm_objectives",
        "thematic_area",
        "status",
    ),
    flatten=_plain,
    context={},
    node=_plain,
)
