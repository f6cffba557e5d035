"""Money out and back: transfers to participating organizations, their expenditure reports and
refunds, interest, and the fund's own charges.

What each writes in the ledger (base currency, debit positive; E is a sub-fund, O an
organization, A the programmable amount, I = A x GCMHUB_FUND_INDIRECT_RATE):

| operation | debit | credit |
| --- | --- | --- |
| transfer | `orgs:O` A, `indirect_costs` I | `cash:E` A + I |
| expenditure reported | `expenditure` | `orgs:O` |
| refund from an organization | `cash:E` | `orgs:O` |
| interest of the fund | `cash:E` (general by default) | `interest` |
| interest from an organization | `cash:E` | `org_interest` |
| direct cost, bank charge | `direct_costs`, `bank_charges` | `cash:E` |

A transfer beyond the sub-fund's cash, expenditure beyond what an organization holds, and a
refund of more than it holds are refused (422) and write nothing. The indirect cost is paid to
the organization with the transfer and counts as spent then.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gcmhub.accounts.audit import audit_record
from gcmhub.auth import authorize
from gcmhub.context import Context
from gcmhub.errors import InvalidInput
from gcmhub.fund.ledger import (
    InsufficientFunds,
    Line,
    account_balance,
    base_currency,
    cash_account,
    earmark_code,
    earmark_label,
    fund_write,
    ledger_post,
    normal,
    organization_code,
    reversed_ids,
)
from gcmhub.fund.models import Account, Entry, Transaction
from gcmhub.fund.money import format_money, parse_amount, to_minor
from gcmhub.fund.schemas import MovementPublic
from gcmhub.settings import get_settings


def _money(amount: Decimal) -> str:
    return format_money(amount, base_currency())


def fund_transfer(
    ctx: Context,
    project_ref: str,
    participating_organization: str,
    amount: object,
    earmark: str | None = None,
    value_date: date | None = None,
    memo: str = "",
) -> MovementPublic:
    """Transfer money for a project to a participating organization, with its indirect costs.

    `amount` is the programmable amount; the indirect cost (GCMHUB_FUND_INDIRECT_RATE of it)
    is added, and both come from the sub-fund of `earmark` (the general fund when None). A
    sub-fund without the money refuses the transfer (422) and nothing is written.
    """
    authorize(ctx, "fund_transfer")
    base = base_currency()
    programmable = parse_amount(amount, "amount", base)
    organization = organization_code(participating_organization)
    project = _project(project_ref)
    with fund_write(ctx):
        sub_fund = earmark_code(ctx, earmark)
        indirect = to_minor(programmable * get_settings().fund_indirect_rate, base)
        total = programmable + indirect
        cash = cash_account(sub_fund)
        held = account_balance(ctx, cash)
        if held < total:
            raise InsufficientFunds(
                f"amount: {earmark_label(ctx, sub_fund)} holds {_money(held)}; this transfer "
                f"needs {_money(total)} ({_money(programmable)} plus {_money(indirect)} "
                "indirect costs)",
                cash,
            )
        lines = [Line(f"orgs:{organization}", programmable), Line(cash, -total)]
        if indirect:
            lines.insert(1, Line("indirect_costs", indirect))
        transaction = ledger_post(
            ctx,
            "transfer",
            lines,
            memo=f"Transfer to {organization} for {project}" + (f": {memo}" if memo else ""),
            reference=project,
            value_date=value_date,
        )
        audit_record(
            ctx,
            "fund_transfer",
            f"fund_transaction:{transaction.id}",
            None,
            {
                "project": project,
                "organization": organization,
                "amount": str(programmable),
                "indirect": str(indirect),
                "earmark": sub_fund,
            },
        )
    return MovementPublic(
        transaction=transaction.id,
        kind="transfer",
        reference=project,
        amount=programmable,
        indirect=indirect,
        total=total,
        currency=base,
        account=cash,
    )


def _project(ref: str) -> str:
    text = " ".join((ref or "").split())
    if not text or len(text) > 80:
        raise InvalidInput("project_ref: give the project's reference (80 characters at most)")
    return text


def _held_by(ctx: Context, organization: str, amount: Decimal, what: str) -> None:
    held = normal("asset", account_balance(ctx, f"orgs:{organization}"))
    if held < amount:
        raise InsufficientFunds(
            f"amount: {organization} holds {_money(held)} of the fund's money; {what} of "
            f"{_money(amount)} is more than that",
            f"orgs:{organization}",
        )


def expenditure_report(
    ctx: Context,
    project_ref: str,
    participating_organization: str,
    amount: object,
    value_date: date | None = None,
    memo: str = "",
) -> MovementPublic:
    """Record expenditure a participating organization reports on a project.

    An organization cannot report spending more of the fund's money than it holds (422).
    """
    authorize(ctx, "expenditure_report")
    base = base_currency()
    spent = parse_amount(amount, "amount", base)
    organization = organization_code(participating_organization)
    project = _project(project_ref)
    with fund_write(ctx):
        transaction = post_expenditure(ctx, project, organization, spent, value_date, memo)
    return MovementPublic(
        transaction=transaction.id,
        kind="expenditure",
        reference=project,
        amount=spent,
        total=spent,
        currency=base,
        account=f"orgs:{organization}",
    )


def post_expenditure(
    ctx: Context,
    project: str,
    organization: str,
    spent: Decimal,
    value_date: date | None = None,
    memo: str = "",
    on_behalf: Any = None,
) -> Transaction:
    """Post expenditure an organization reports (inside `fund_write`; the caller authorizes)."""
    _held_by(ctx, organization, spent, "expenditure")
    transaction = ledger_post(
        ctx,
        "expenditure",
        [Line("expenditure", spent), Line(f"orgs:{organization}", -spent)],
        memo=f"Expenditure reported by {organization} on {project}" + (f": {memo}" if memo else ""),
        reference=project,
        value_date=value_date,
        on_behalf=on_behalf,
    )
    audit_record(
        ctx,
        "expenditure_report",
        f"fund_transaction:{transaction.id}",
        None,
        {"project": project, "organization": organization, "amount": str(spent)},
    )
    return transaction


def _project_sub_fund(ctx: Context, project: str) -> str | None:
    """The sub-fund a project's transfers came from (422 when there were several)."""
    skip = reversed_ids(ctx)
    rows = ctx.session.execute(
        select(Transaction.id, Account.earmark, Account.code)
        .join(Entry, Entry.transaction_id == Transaction.id)
        .join(Account, Account.id == Entry.account_id)
        .where(
            Transaction.kind == "transfer",
            Transaction.reference == project,
            Account.code.like("cash:%"),
        )
    )
    found = {earmark for tid, earmark, _ in rows if tid not in skip}
    if len(found) > 1:
        raise InvalidInput(
            f"earmark: {project} was funded from several sub-funds; say which one this returns to"
        )
    return next(iter(found), None)


def refund_record(
    ctx: Context,
    project_ref: str,
    participating_organization: str,
    amount: object,
    earmark: str | None = None,
    value_date: date | None = None,
    memo: str = "",
) -> MovementPublic:
    """Record unspent money a participating organization returns to the fund.

    It goes back to the sub-fund the project's transfers came from, unless `earmark` says.
    """
    authorize(ctx, "refund_record")
    base = base_currency()
    refunded = parse_amount(amount, "amount", base)
    organization = organization_code(participating_organization)
    project = _project(project_ref)
    with fund_write(ctx):
        sub_fund = (
            earmark_code(ctx, earmark) if earmark is not None else _project_sub_fund(ctx, project)
        )
        _held_by(ctx, organization, refunded, "a refund")
        cash = cash_account(sub_fund)
        transaction = ledger_post(
            ctx,
            "refund",
            [Line(cash, refunded), Line(f"orgs:{organization}", -refunded)],
            memo=f"Refund from {organization} on {project}" + (f": {memo}" if memo else ""),
            reference=project,
            value_date=value_date,
        )
        audit_record(
            ctx,
            "refund_record",
            f"fund_transaction:{transaction.id}",
            None,
            {"project": project, "organization": organization, "amount": str(refunded)},
        )
    return MovementPublic(
        transaction=transaction.id,
        kind="refund",
        reference=project,
        amount=refunded,
        total=refunded,
        currency=base,
        account=cash,
    )


def interest_record(
    ctx: Context,
    amount: object,
    source: str = "fund",
    participating_organization: str | None = None,
    earmark: str | None = None,
    value_date: date | None = None,
    memo: str = "",
) -> MovementPublic:
    """Record interest: earned by the fund, or remitted by a participating organization."""
    authorize(ctx, "interest_record")
    base = base_currency()
    earned = parse_amount(amount, "amount", base)
    if source not in ("fund", "organization"):
        raise InvalidInput("source: fund or organization")
    organization = None
    if source == "organization":
        if not participating_organization:
            raise InvalidInput("participating_organization: say which organization remits it")
        organization = organization_code(participating_organization)
    with fund_write(ctx):
        cash = cash_account(earmark_code(ctx, earmark))
        income = "interest" if organization is None else "org_interest"
        transaction = ledger_post(
            ctx,
            "interest",
            [Line(cash, earned), Line(income, -earned)],
            memo=(
                "Interest of the fund" if organization is None else f"Interest from {organization}"
            )
            + (f": {memo}" if memo else ""),
            reference=organization,
            value_date=value_date,
        )
        audit_record(
            ctx,
            "interest_record",
            f"fund_transaction:{transaction.id}",
            None,
            {"amount": str(earned), "source": source, "organization": organization},
        )
    return MovementPublic(
        transaction=transaction.id,
        kind="interest",
        reference=organization,
        amount=earned,
        total=earned,
        currency=base,
        account=cash,
    )


def charge_record(
    ctx: Context,
    kind: str,
    amount: object,
    earmark: str | None = None,
    value_date: date | None = None,
    memo: str = "",
) -> MovementPublic:
    """Record a direct cost of the fund or a bank charge, paid from a sub-fund's cash."""
    authorize(ctx, "charge_record")
    accounts = {"direct_cost": "direct_costs", "bank_charge": "bank_charges"}
    if kind not in accounts:
        raise InvalidInput("kind: direct_cost or bank_charge")
    base = base_currency()
    charged = parse_amount(amount, "amount", base)
    with fund_write(ctx):
        sub_fund = earmark_code(ctx, earmark)
        cash = cash_account(sub_fund)
        held = account_balance(ctx, cash)
        if held < charged:
            raise InsufficientFunds(
                f"amount: {earmark_label(ctx, sub_fund)} holds {_money(held)}; "
                f"this charge is {_money(charged)}",
                cash,
            )
        transaction = ledger_post(
            ctx,
            kind,
            [Line(accounts[kind], charged), Line(cash, -charged)],
            memo=memo or kind.replace("_", " "),
            value_date=value_date,
        )
        audit_record(
            ctx,
            "charge_record",
            f"fund_transaction:{transaction.id}",
            None,
            {"kind": kind, "amount": str(charged), "earmark": sub_fund},
        )
    return MovementPublic(
        transaction=transaction.id,
        kind=kind,
        reference=None,
        amount=charged,
        total=charged,
        currency=base,
        account=cash,
    )
