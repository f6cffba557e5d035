"""The fund's double-entry ledger: posting, reversing, balances, and the proof they agree.

`ledger_post` is the one way money moves. It takes lines (account, amount in the base
currency, debit positive), checks that they balance to the cent and that no account that may
not go below zero would, and writes the transaction, its entries and the new stored balances in
one savepoint: a failure anywhere leaves nothing behind. Fund writes are serialised (a
transaction-scoped advisory lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so a check and
the write it guards see the same balances.

The chart of accounts is made on first use (`ledger_chart`); accounts for a sub-fund, a donor
or a participating organization are made when first posted to:

| code | kind | holds |
| --- | --- | --- |
| `cash:general` | asset | cash with the Administrative Agent, not earmarked (the general fund) |
| `cash:area:N`, `cash:country:ISO3` | asset | cash with the AA in an earmarked sub-fund |
| `pledges_receivable` | asset | pledges signed and not yet deposited (a memorandum pair…) |
| `pledges_unpaid` | equity | …with this account: pledges never mix with money received |
| `contributions:D-0001` | income | contributions deposited by one donor |
| `interest` | income | interest and investment income of the fund |
| `org_interest` | income | interest remitted by participating organizations |
| `aa_fee` | expense | the Administrative Agent fee, taken on each deposit |
| `direct_costs`, `bank_charges` | expense | the fund's direct costs and bank charges |
| `allocated:general`, `allocated:area:N`… | asset | cash with the AA allocated to projects |
| `orgs:IOM` | asset | transferred to a participating organization and not yet spent |
| `indirect_costs` | expense | participating organizations' indirect costs, charged on transfer |
| `expenditure` | expense | expenditure reported by participating organizations |

The fund's balance is its cash with the AA, held in the general fund and the earmarked
sub-funds: an allocation beyond a sub-fund's cash would take its account below zero and is
refused. None of these accounts may go below zero except the flows (income and expense).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select, text, update
from sqlalchemy.orm.attributes import set_committed_value

from gcmhub.accounts.audit import actor_key, audit_record, now
from gcmhub.auth import authorize
from gcmhub.context import Context
from gcmhub.errors import BadParameter, Conflict, InvalidInput, NotFound
from gcmhub.fund.models import Account, Entry, Transaction
from gcmhub.fund.money import convert, format_money, quantum
from gcmhub.settings import get_settings
from gcmhub.types import UtcDateTime

FUND_LOCK = 0x6763_6D66_756E  # "gcmfun": the advisory lock serialising fund writes
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
TRANSACTION_KINDS = (
    "pledge",
    "deposit",
    "allocation",
    "transfer",
    "expenditure",
    "refund",
    "interest",
    "direct_cost",
    "bank_charge",
    "reversal",
)
# Accounts whose normal balance is a credit: their balance is shown negated.
CREDIT_KINDS = ("liability", "equity", "income")
BASE_ACCOUNTS: dict[str, tuple[str, str, bool]] = {  # code: (kind, name, may go negative)
    "cash:general": (
        "asset",
        "Cash with the Administrative Agent: general fund (not earmarked)",
        False,
    ),
    "pledges_receivable": ("asset", "Pledges receivable (signed, not yet deposited)", False),
    "pledges_unpaid": ("equity", "Pledged contributions not yet deposited", False),
    "interest": ("income", "Interest and investment income of the fund", True),
    "org_interest": ("income", "Interest income received from participating organizations", True),
    "aa_fee": ("expense", "Administrative Agent fee", True),
    "direct_costs": ("expense", "Direct costs of the fund", True),
    "bank_charges": ("expense", "Bank charges", True),
    "indirect_costs": ("expense", "Indirect costs of participating organizations", True),
    "expenditure": ("expense", "Expenditure reported by participating organizations", True),
}


AREA = re.compile(r"[a-z0-9][a-z0-9._-]{0,19}")


class InsufficientFunds(InvalidInput):
    """A posting would take an account that may not go below zero below zero (422)."""

    def __init__(self, message: str, account: str):
        super().__init__(message)
        self.account = account


@dataclass(frozen=True)
class Line:
    """One line to post: an account debited (positive `amount`) or credited (negative).

    `amount` is in the base currency. A line converted from another currency says so:
    `original` in `currency` at `rate` (base units per unit) quoted on `rate_date`; the base
    amount must be the original times the rate, to within a cent.
    """

    account: str
    amount: Decimal
    original: Decimal | None = None
    currency: str | None = None
    rate: Decimal | None = None
    rate_date: date | None = None

    def negated(self) -> Line:
        return Line(
            self.account,
            -self.amount,
            None if self.original is None else -self.original,
            self.currency,
            self.rate,
            self.rate_date,
        )


class EntryPublic(BaseModel):
    """One line of a transaction as shown."""

    account: str
    amount: Decimal  # base currency, debit positive
    original_amount: Decimal
    currency: str
    rate: Decimal
    rate_date: date


class TransactionPublic(BaseModel):
    """A transaction of the ledger with its entries."""

    id: int
    at: UtcDateTime
    value_date: date
    kind: str
    memo: str
    reference: str | None
    reversal_of: int | None
    reversed_by: int | None
    actor: str
    entries: list[EntryPublic]


class TransactionPage(BaseModel):
    """A page of the ledger."""

    data: list[TransactionPublic]
    next: int | None = Field(description="Pass as `after` for the next page; null at the end.")


class BalancePublic(BaseModel):
    """An account with its stored balance (debit positive) and its balance on its normal side."""

    code: str
    name: str
    kind: str
    currency: str
    earmark: str | None
    may_go_negative: bool
    balance: Decimal
    normal_balance: Decimal


class CheckReport(BaseModel):
    """What `ledger_check` found: nothing in `problems` means the ledger is sound."""

    accounts: int
    transactions: int
    entries: int
    problems: list[str]


# -- writing ----------------------------------------------------------------------------------


def base_currency() -> str:
    """The currency the ledger is kept in (GCMHUB_FUND_CURRENCY)."""
    return get_settings().fund_currency


@contextmanager
def fund_write(ctx: Context) -> Iterator[None]:
    """Run a fund write alone and all-or-nothing: the fund lock, then one savepoint.

    On SQLite the outer transaction is opened first (`BEGIN IMMEDIATE`, taking the write lock):
    a savepoint opened outside a transaction would commit on release, whatever happened next.
    """
    connection = ctx.session.connection()
    if connection.dialect.name == "sqlite":
        raw: Any = connection.connection.dbapi_connection
        if not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FUND_LOCK})
    try:
        with ctx.session.begin_nested():
            yield
    except BaseException:
        # Balances were set from the database inside the savepoint, which is gone: forget them.
        for held in list(ctx.session.identity_map.values()):
            if isinstance(held, Account):
                ctx.session.expire(held)
        raise


def ledger_chart(ctx: Context) -> None:
    """Make the chart's base accounts when missing (first use)."""
    have = set(ctx.session.scalars(select(Account.code).where(Account.code.in_(BASE_ACCOUNTS))))
    for code in BASE_ACCOUNTS:
        if code not in have:
            _create(ctx, code)


def account_for(ctx: Context, code: str, name: str | None = None) -> Account:
    """Return an account by code, making it when its code says what it is."""
    found = ctx.session.scalar(select(Account).where(Account.code == code))
    if found is not None:
        if found.currency != base_currency():
            raise Conflict(
                f"the ledger is kept in {found.currency}; GCMHUB_FUND_CURRENCY says "
                f"{base_currency()}: a ledger's currency cannot change once it has accounts"
            )
        return found
    return _create(ctx, code, name)


def _create(ctx: Context, code: str, name: str | None = None) -> Account:
    from gcmhub.fund.models import Donor

    earmark = None
    if code in BASE_ACCOUNTS:
        kind, default, negative = BASE_ACCOUNTS[code]
    elif code.startswith("cash:"):
        earmark = code.removeprefix("cash:")
        kind, negative = "asset", False
        label = earmark_label(ctx, earmark)
        default = f"Cash with the Administrative Agent: sub-fund earmarked for {label}"
    elif code.startswith("allocated:"):
        earmark = code.removeprefix("allocated:")
        earmark = None if earmark == "general" else earmark
        kind, negative = "asset", False
        default = (
            "Cash with the Administrative Agent allocated to approved projects, not yet "
            f"transferred: {earmark_label(ctx, earmark)}"
        )
    elif code.startswith("contributions:"):
        ref = code.removeprefix("contributions:")
        donor = ctx.session.scalar(select(Donor.name).where(Donor.ref == ref))
        kind, negative = "income", True
        default = f"Contributions from {donor or ref}"
    elif code.startswith("orgs:"):
        kind, negative = "asset", False
        default = f"Funds with {code.removeprefix('orgs:')} (transferred, not yet spent)"
    else:
        raise NotFound(f"no ledger account '{code}'")
    account = Account(
        code=code,
        name=name or default,
        kind=kind,
        currency=base_currency(),
        earmark=earmark,
        may_go_negative=negative,
        balance=ZERO,
        created_at=now(),
    )
    ctx.session.add(account)
    ctx.session.flush()
    return account


def earmark_code(ctx: Context, value: str | None, field: str = "earmark") -> str | None:
    """Return the earmark a person means: None for the general fund, `area:N` for a thematic
    area, `region:M49` for a region, `country:ISO3` for a country (code or name).

    Thematic areas are not checked against a list yet: the fund's areas are a configurable
    taxonomy (the Migration MPTF's five are a working assumption, [M] in the research).
    """
    if value is None:
        return None
    text = value.strip()
    if text.lower() in ("", "general", "none"):
        return None
    kind, _, code = text.partition(":")
    kind, code = kind.strip().lower(), code.strip()
    if kind == "area" and AREA.fullmatch(code.lower()):
        return f"area:{code.lower()}"
    if kind in ("country", "region") and code:
        from gcmhub.taxonomy.actions import concept_resolver

        try:
            return concept_resolver(ctx, kind)(code)
        except InvalidInput:
            raise InvalidInput(f"{field}: unknown {kind} '{code[:40]}'") from None
    raise InvalidInput(
        f"{field}: '{text[:40]}' is not an earmark; write general, area:N, region:M49 "
        "or country:ISO3"
    )


def earmark_label(ctx: Context, earmark: str | None) -> str:
    """Name an earmark in words: "the general fund", "thematic area 2", "Mexico"."""
    if earmark is None:
        return "the general fund"
    if earmark.startswith("area:"):
        return f"thematic area {earmark.removeprefix('area:')}"
    from gcmhub.taxonomy.models import Concept

    label = ctx.session.scalar(select(Concept.label).where(Concept.id == earmark))
    return label or earmark


class SubFund(BaseModel):
    """A sub-fund and the cash it holds with the Administrative Agent."""

    earmark: str | None = Field(description="None: the general fund; else area:N, region:…")
    account: str
    name: str
    available: Decimal

    @property
    def kind_code(self) -> tuple[str, str] | None:
        """The earmark as (kind, code): ("area", "2"), ("country", "MEX"); None: general."""
        if self.earmark is None:
            return None
        kind, _, code = self.earmark.partition(":")
        return kind, code


def sub_funds(ctx: Context) -> list[SubFund]:
    """Return the general fund and each earmarked sub-fund with the cash it holds now."""
    rows = ctx.session.scalars(select(Account).where(Account.code.like("cash:%")))
    found = [
        SubFund(earmark=a.earmark, account=a.code, name=a.name, available=a.balance) for a in rows
    ]
    return sorted(found, key=lambda s: (s.earmark is not None, s.earmark or ""))


def cash_account(earmark: str | None) -> str:
    """The account of a sub-fund's cash with the Administrative Agent."""
    return f"cash:{earmark}" if earmark else "cash:general"


def allocated_account(earmark: str | None) -> str:
    """The account of a sub-fund's cash allocated to projects and not yet transferred."""
    return f"allocated:{earmark}" if earmark else "allocated:general"


def organization_code(value: str, field: str = "participating_organization") -> str:
    """Return the code of a participating organization as accounts name it: "IOM", "UN-WOMEN"."""
    code = re.sub(r"[^A-Za-z0-9]+", "-", value or "").strip("-").upper()
    if len(code) < 2 or len(code) > 40:
        raise InvalidInput(f"{field}: name the organization by its acronym (IOM, UNDP, ILO…)")
    return code


def ledger_post(
    ctx: Context,
    kind: str,
    lines: Sequence[Line],
    memo: str = "",
    reference: str | None = None,
    value_date: date | None = None,
    reversal_of: int | None = None,
    on_behalf: Any = None,
) -> Transaction:
    """Post one balanced transaction, or nothing at all.

    Refuses (422) lines that do not balance to the cent, a zero line, a converted line whose
    base amount is not its original times its rate, and a posting that would take an account
    that may not go below zero below zero (`InsufficientFunds`, naming the account).
    """
    authorize(ctx, "ledger_post", on_behalf)  # on_behalf: the project an organization reports on
    if kind not in TRANSACTION_KINDS:
        raise InvalidInput(f"kind: unknown transaction kind '{kind}'")
    if len(lines) < 2:
        raise InvalidInput("lines: a transaction has two lines at least")
    currency = base_currency()
    checked = [_checked(line, currency) for line in lines]
    total = sum((line.amount for line in checked), ZERO)
    if total != 0:
        raise InvalidInput(f"lines: debits and credits differ by {total} {currency}")
    with fund_write(ctx):
        ledger_chart(ctx)
        accounts = {line.account: account_for(ctx, line.account) for line in checked}
        transaction = Transaction(
            at=now(),
            value_date=value_date or now().date(),
            kind=kind,
            memo=memo[:2000],
            reference=reference,
            reversal_of=reversal_of,
            actor=actor_key(ctx.actor),
        )
        ctx.session.add(transaction)
        ctx.session.flush()
        ctx.session.add_all(
            Entry(
                transaction_id=transaction.id,
                account_id=accounts[line.account].id,
                amount=line.amount,
                original_amount=line.original,
                currency=line.currency,
                rate=line.rate,
                rate_date=line.rate_date,
            )
            for line in checked
        )
        ctx.session.flush()
        moves: dict[str, Decimal] = {}
        for line in checked:
            moves[line.account] = moves.get(line.account, ZERO) + line.amount
        # In one order, so that two writers never wait on each other's rows.
        for code in sorted(moves, key=lambda c: accounts[c].id):
            _move(ctx, accounts[code], moves[code])
        audit_record(
            ctx,
            "ledger_post",
            f"fund_transaction:{transaction.id}",
            None,
            {
                "kind": kind,
                "reference": reference,
                "reversal_of": reversal_of,
                "lines": [[line.account, str(line.amount)] for line in checked],
            },
        )
    return transaction


def _checked(line: Line, currency: str) -> Line:
    amount = Decimal(line.amount)
    if amount != amount.quantize(quantum(currency)):
        raise InvalidInput(f"lines: {amount} {currency} has more decimals than {currency} has")
    if amount == 0:
        raise InvalidInput(f"lines: a zero line on {line.account}")
    if line.original is None:
        return Line(line.account, amount, amount, currency, Decimal(1), line.rate_date or _today())
    if line.currency is None or line.rate is None:
        raise InvalidInput("lines: a converted line needs its currency and rate")
    if (line.original < 0) != (amount < 0):
        raise InvalidInput(f"lines: {line.account}: the original amount has the other sign")
    if abs(convert(line.original, line.rate, currency) - amount) > CENT:
        raise InvalidInput(
            f"lines: {line.account}: {amount} {currency} is not {line.original} "
            f"{line.currency} at {line.rate}"
        )
    return Line(
        line.account,
        amount,
        line.original,
        line.currency,
        line.rate,
        line.rate_date or _today(),
    )


def _today() -> date:
    return now().date()


def _move(ctx: Context, account: Account, delta: Decimal) -> None:
    """Add to an account's stored balance in the database, refusing to cross zero."""
    balance = ctx.session.execute(
        update(Account)
        .where(Account.id == account.id)
        .values(balance=Account.balance + delta)
        .returning(Account.balance)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(account, "balance", balance)
    if not account.may_go_negative and normal(account.kind, balance) < 0:
        before = normal(account.kind, balance - delta)
        raise InsufficientFunds(
            f"{account.code} holds {format_money(before, account.currency)}; this needs "
            f"{format_money(abs(delta), account.currency)} from it ({account.name})",
            account.code,
        )


def normal(kind: str, balance: Decimal) -> Decimal:
    """Return a balance on the account's normal side (credits positive for equity, income…)."""
    return -balance if kind in CREDIT_KINDS else balance


def ledger_reverse(
    ctx: Context, transaction_id: int, memo: str, value_date: date | None = None
) -> Transaction:
    """Correct a transaction by posting its exact opposite (the only correction there is).

    A reversal cannot be reversed (post the operation again), a transaction is reversed once,
    and a reversal that would take an account below zero is refused: reverse what came after
    first (a transfer before the deposit that paid for it).
    """
    authorize(ctx, "ledger_reverse")
    if not memo.strip():
        raise InvalidInput("memo: say why the transaction is reversed")
    with fund_write(ctx):
        original = ctx.session.get(Transaction, transaction_id)
        if original is None:
            raise NotFound(f"no ledger transaction {transaction_id}")
        if original.kind == "reversal":
            raise Conflict(
                f"transaction {transaction_id} is itself a reversal; post the operation again"
            )
        done = ctx.session.scalar(
            select(Transaction.id).where(Transaction.reversal_of == transaction_id)
        )
        if done is not None:
            raise Conflict(f"transaction {transaction_id} was reversed already, by {done}")
        lines = [line.negated() for line in transaction_lines(ctx, transaction_id)]
        reversal = ledger_post(
            ctx,
            "reversal",
            lines,
            memo=f"Reverses {transaction_id} ({original.kind}): {memo.strip()}",
            reference=original.reference,
            value_date=value_date,
            reversal_of=transaction_id,
        )
        audit_record(
            ctx,
            "ledger_reverse",
            f"fund_transaction:{transaction_id}",
            None,
            {"reversal": reversal.id, "memo": memo.strip()},
        )
    return reversal


def transaction_lines(ctx: Context, transaction_id: int) -> list[Line]:
    """Return a stored transaction's lines."""
    rows = ctx.session.execute(
        select(Account.code, Entry)
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.transaction_id == transaction_id)
        .order_by(Entry.id)
    )
    return [
        Line(code, e.amount, e.original_amount, e.currency, e.rate, e.rate_date) for code, e in rows
    ]


def reversed_ids(ctx: Context) -> set[int]:
    """Return the ids of transactions that were reversed."""
    return set(
        ctx.session.scalars(
            select(Transaction.reversal_of).where(Transaction.reversal_of.is_not(None))
        )
    )


# -- reading ----------------------------------------------------------------------------------


def account_balance(ctx: Context, code: str) -> Decimal:
    """Return an account's stored balance (debit positive); zero for an account not yet used."""
    found = ctx.session.scalar(select(Account.balance).where(Account.code == code))
    return found if found is not None else ZERO


def balance_list(ctx: Context) -> list[BalancePublic]:
    """Return every account with its stored balance, by code."""
    return [
        BalancePublic(
            code=a.code,
            name=a.name,
            kind=a.kind,
            currency=a.currency,
            earmark=a.earmark,
            may_go_negative=a.may_go_negative,
            balance=a.balance,
            normal_balance=normal(a.kind, a.balance),
        )
        for a in ctx.session.scalars(select(Account).order_by(Account.code))
    ]


def transaction_list(
    ctx: Context,
    kind: str | None = None,
    reference: str | None = None,
    account: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[TransactionPublic]:
    """Return transactions in the order they were posted, with their entries."""
    if kind is not None and kind not in TRANSACTION_KINDS:
        raise BadParameter("kind", f"unknown kind '{kind}'; kinds: {', '.join(TRANSACTION_KINDS)}")
    if not 1 <= limit <= 100_000:
        raise BadParameter("limit", "limit must be between 1 and 100000")
    query = select(Transaction).where(Transaction.id > after).order_by(Transaction.id).limit(limit)
    if kind is not None:
        query = query.where(Transaction.kind == kind)
    if reference is not None:
        query = query.where(Transaction.reference == reference)
    if account is not None:
        query = query.where(
            Transaction.id.in_(
                select(Entry.transaction_id)
                .join(Account, Account.id == Entry.account_id)
                .where(Account.code == account)
            )
        )
    transactions = list(ctx.session.scalars(query))
    ids = [t.id for t in transactions]
    entries: dict[int, list[EntryPublic]] = {}
    for code, entry in ctx.session.execute(
        select(Account.code, Entry)
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.transaction_id.in_(ids))
        .order_by(Entry.id)
    ):
        entries.setdefault(entry.transaction_id, []).append(
            EntryPublic(
                account=code,
                amount=entry.amount,
                original_amount=entry.original_amount,
                currency=entry.currency,
                rate=entry.rate,
                rate_date=entry.rate_date,
            )
        )
    reversed_by = dict(
        ctx.session.execute(
            select(Transaction.reversal_of, Transaction.id).where(Transaction.reversal_of.in_(ids))
        ).all()
    )
    return [
        TransactionPublic(
            id=t.id,
            at=t.at,
            value_date=t.value_date,
            kind=t.kind,
            memo=t.memo,
            reference=t.reference,
            reversal_of=t.reversal_of,
            reversed_by=reversed_by.get(t.id),
            actor=t.actor,
            entries=entries.get(t.id, []),
        )
        for t in transactions
    ]


def transaction_page(
    ctx: Context,
    kind: str | None = None,
    reference: str | None = None,
    account: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> TransactionPage:
    """Return a page of transactions after the id `after`, and where the next page starts."""
    found = transaction_list(ctx, kind, reference, account, after, limit + 1)
    more = len(found) > limit
    found = found[:limit]
    return TransactionPage(data=found, next=found[-1].id if more and found else None)


def ledger_check(ctx: Context) -> CheckReport:
    """Prove the ledger sound: recompute every balance from the entries and compare.

    Checks that every transaction balances, that each stored balance equals the sum of its
    account's entries, that no account that may not go below zero is below zero, that each
    converted entry is its original amount times its rate (to a cent), and that the balances
    of all accounts sum to zero.
    """
    problems: list[str] = []
    for transaction_id, total in ctx.session.execute(
        select(Entry.transaction_id, func.sum(Entry.amount))
        .group_by(Entry.transaction_id)
        .having(func.sum(Entry.amount) != 0)
    ):
        problems.append(f"transaction {transaction_id} does not balance: off by {total}")
    lonely = ctx.session.scalars(
        select(Transaction.id).where(~Transaction.id.in_(select(Entry.transaction_id)))
    ).all()
    problems += [f"transaction {t} has no entries" for t in lonely]
    sums = dict(
        ctx.session.execute(
            select(Entry.account_id, func.sum(Entry.amount)).group_by(Entry.account_id)
        ).all()
    )
    accounts = list(ctx.session.scalars(select(Account).order_by(Account.code)))
    for account in accounts:
        recomputed = sums.get(account.id) or ZERO
        if recomputed != account.balance:
            problems.append(
                f"{account.code}: stored balance {account.balance}, entries sum to {recomputed}"
            )
        if not account.may_go_negative and normal(account.kind, recomputed) < 0:
            problems.append(f"{account.code} is below zero: {normal(account.kind, recomputed)}")
    for entry in ctx.session.scalars(select(Entry).where(Entry.rate != 1)):
        expected = convert(entry.original_amount, entry.rate, base_currency())
        if abs(expected - entry.amount) > CENT:
            problems.append(
                f"entry {entry.id}: {entry.amount} is not {entry.original_amount} "
                f"{entry.currency} at {entry.rate}"
            )
    trial = sum((a.balance for a in accounts), ZERO)
    if trial != 0:
        problems.append(f"the balances of all accounts sum to {trial}, not zero")
    return CheckReport(
        accounts=len(accounts),
        transactions=int(ctx.session.scalar(select(func.count()).select_from(Transaction)) or 0),
        entries=int(ctx.session.scalar(select(func.count()).select_from(Entry)) or 0),
        problems=problems,
    )
