"""The ledger's invariants over random sequences of operations, checked with hypothesis.

A state machine pledges (USD, EUR or JPY at a rate, earmarked or not, in instalments),
deposits (part, all, or more than a pledge), transfers to organizations, reports
expenditure, records refunds, interest and charges, reverses transactions, and crashes on
purpose in the middle of postings. Many operations are refused (a transfer beyond a sub-fund,
a deposit beyond a pledge, a second reversal): a refusal must leave every row as it was.
After every step, recomputed from the raw entries (not by the code under test):

1. every transaction balances;
2. every stored balance equals the sum of its account's entries;
3. no account that may not go below zero is below zero;
4. a failure in the middle of an operation leaves nothing half-written (checked at the
   crash: nothing of it is stored, and the same session goes on with correct balances).

The financial table must also agree with the balances. Each example starts from a fresh
database: a copied SQLite file, or a PostgreSQL database made from the migrated template.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from gcmhub import runtime
from gcmhub.accounts.models import AuditEntry
from gcmhub.context import Context
from gcmhub.errors import GcmhubError
from gcmhub.fund import contributions, ledger, reports, transfers
from gcmhub.fund.models import Account, Deposit, Entry, Instalment, Pledge, Transaction
from gcmhub.fund.money import quantum
from gcmhub.fund.schemas import DepositWrite, PledgeWrite
from gcmhub.runtime import open_context
from tests.conftest import MIGRATED, POSTGRES, PostgresCluster
from tests.fund import scenario

D = Decimal
RATES = {"USD": (D(1), D(1)), "EUR": (D("0.8"), D("1.6")), "JPY": (D("0.004"), D("0.012"))}
AMOUNTS = st.decimals(min_value=D("0.01"), max_value=D("400000"), places=2)
EARMARKS = st.sampled_from([None, "area:1", "country:MEX"])
ORG_NAMES = ("IOM", "UNDP")
ORGS = st.sampled_from(ORG_NAMES)
PROJECTS = st.sampled_from(["P-1", "P-2", "P-3"])
SHARES = st.sampled_from([D("0.1"), D("0.5"), D("0.9"), D("1"), D("1.2")])
TABLES = (Transaction, Entry, Account, Pledge, Instalment, Deposit, AuditEntry)


def snapshot() -> tuple[Any, ...]:
    """Every row count of the fund and the audit trail, and every stored balance."""
    with open_context() as ctx:
        counts = tuple(
            int(ctx.session.scalar(select(func.count()).select_from(t)) or 0) for t in TABLES
        )
        balances = tuple(ctx.session.execute(select(Account.code, Account.balance)).all())
    return counts, balances


class Crash(RuntimeError):
    """A failure injected in the middle of a posting."""


class LedgerMachine(RuleBasedStateMachine):
    """Random fund operations on a fresh database, the invariants checked after each."""

    fresh: Callable[[], None] = staticmethod(lambda: None)
    seen: Counter[str] = Counter()  # what happened over the whole run, to show it did

    def __init__(self) -> None:
        super().__init__()
        self.pledges: list[tuple[str, str]] = []  # (id, currency)
        self.transactions: list[int] = []

    @initialize(money=st.lists(AMOUNTS, min_size=3, max_size=3))
    def start(self, money: list[Decimal]) -> None:
        """A fresh database; two donors; some money in the general fund and two sub-funds."""
        type(self).fresh()
        with open_context() as ctx:
            self.donors = list(scenario.donors(ctx))
            for amount, earmark in zip(money, (None, "area:1", "country:MEX"), strict=True):
                made = contributions.pledge_create(
                    ctx,
                    PledgeWrite(
                        donor=self.donors[0], amount=amount, currency="USD", earmark=earmark
                    ),
                )
                contributions.deposit_create(
                    ctx, DepositWrite(pledge=made.id, amount=amount, currency="USD")
                )
                self.pledges.append((made.id, "USD"))

    def attempt(self, operation: Callable[[Context], Any]) -> Any:
        """Run an operation in its own transaction; a refusal must change nothing."""
        before = snapshot()
        try:
            with open_context() as ctx:
                made = operation(ctx)
        except GcmhubError as refusal:
            self.seen[f"refused {type(refusal).__name__}"] += 1
            assert snapshot() == before, "a refused operation left something behind"
            return None
        self.seen[getattr(made, "kind", type(made).__name__)] += 1
        return made

    # -- operations -------------------------------------------------------------------------

    @rule(
        donor=st.integers(0, 1),
        amount=AMOUNTS,
        currency=st.sampled_from(sorted(RATES)),
        data=st.data(),
        earmark=EARMARKS,
        instalments=st.integers(1, 3),
    )
    def pledge(
        self,
        donor: int,
        amount: Decimal,
        currency: str,
        data: st.DataObject,
        earmark: str | None,
        instalments: int,
    ) -> None:
        amount = max(amount.quantize(quantum(currency)), quantum(currency))
        rate = self._rate(data, currency)
        part = (amount / instalments).quantize(quantum(currency), rounding="ROUND_DOWN")
        schedule = [{"due": f"{2026 + n}-06-30", "amount": part} for n in range(instalments - 1)]
        last = amount - part * (instalments - 1)
        schedule.append({"due": f"{2026 + instalments - 1}-06-30", "amount": last})
        if part <= 0 or last <= 0:
            schedule = []
        made = self.attempt(
            lambda ctx: contributions.pledge_create(
                ctx,
                PledgeWrite(
                    donor=self.donors[donor],
                    amount=amount,
                    currency=currency,
                    rate=rate,
                    earmark=earmark,
                    schedule=schedule,
                ),
            )
        )
        if made is not None:
            self.pledges.append((made.id, currency))
            self.transactions.append(made.transaction)

    def _rate(self, data: st.DataObject, currency: str) -> Decimal | None:
        low, high = RATES[currency]
        if currency == "USD":
            return None
        return data.draw(st.decimals(min_value=low, max_value=high, places=6), label="rate")

    @precondition(lambda self: self.pledges)
    @rule(
        data=st.data(),
        share=st.sampled_from([D("0.3"), D("0.5"), D("1"), D("1.2")]),
        allow_excess=st.booleans(),
    )
    def deposit(self, data: st.DataObject, share: Decimal, allow_excess: bool) -> None:
        ref, currency = data.draw(st.sampled_from(self.pledges), label="pledge")
        rate = self._rate(data, currency)
        with open_context() as ctx:
            pledge = contributions.pledge_show(ctx, ref)
        amount = (pledge.amount * share).quantize(quantum(currency))
        if amount <= 0:
            return
        made = self.attempt(
            lambda ctx: contributions.deposit_create(
                ctx,
                DepositWrite(
                    pledge=ref,
                    amount=amount,
                    currency=currency,
                    rate=rate,
                    allow_excess=allow_excess,
                ),
            )
        )
        if made is not None:
            self.transactions.append(made.transaction)

    def _holding(self, organization: str) -> str:
        """The organization drawn, or the other when only the other holds money: so that
        spending and refunds happen in short runs too (shares above 1 still overspend)."""
        with open_context() as ctx:
            held = {o: ledger.account_balance(ctx, f"orgs:{o}") for o in ORG_NAMES}
        if held[organization] <= 0:
            return max(held, key=lambda o: held[o]) if any(held.values()) else organization
        return organization

    def _share(self, account: str, share: Decimal, fallback: Decimal) -> Decimal:
        """A share of what an account holds now (so that some moves fit and some do not)."""
        with open_context() as ctx:
            held = abs(ledger.account_balance(ctx, account))
        amount = (held * share).quantize(D("0.01"))
        return amount if amount > 0 else fallback

    @rule(
        project=PROJECTS,
        organization=ORGS,
        share=SHARES,
        fallback=AMOUNTS,
        earmark=EARMARKS,
    )
    def transfer(
        self,
        project: str,
        organization: str,
        share: Decimal,
        fallback: Decimal,
        earmark: str | None,
    ) -> None:
        with open_context() as ctx:
            code = ledger.cash_account(ledger.earmark_code(ctx, earmark))
        amount = self._share(code, share / D("1.07"), fallback)
        self._moved(
            lambda ctx: transfers.fund_transfer(ctx, project, organization, amount, earmark)
        )

    @rule(project=PROJECTS, organization=ORGS, share=SHARES, fallback=AMOUNTS)
    def expenditure(
        self, project: str, organization: str, share: Decimal, fallback: Decimal
    ) -> None:
        organization = self._holding(organization)
        amount = self._share(f"orgs:{organization}", share, fallback)
        self._moved(lambda ctx: transfers.expenditure_report(ctx, project, organization, amount))

    @rule(
        project=PROJECTS,
        organization=ORGS,
        share=SHARES,
        fallback=AMOUNTS,
        earmark=st.none() | EARMARKS,
    )
    def refund(
        self,
        project: str,
        organization: str,
        share: Decimal,
        fallback: Decimal,
        earmark: str | None,
    ) -> None:
        organization = self._holding(organization)
        amount = self._share(f"orgs:{organization}", share, fallback)
        self._moved(
            lambda ctx: transfers.refund_record(ctx, project, organization, amount, earmark)
        )

    @rule(amount=AMOUNTS, organization=st.none() | ORGS, earmark=EARMARKS)
    def interest(self, amount: Decimal, organization: str | None, earmark: str | None) -> None:
        source = "fund" if organization is None else "organization"
        self._moved(
            lambda ctx: transfers.interest_record(ctx, amount, source, organization, earmark)
        )

    @rule(kind=st.sampled_from(["direct_cost", "bank_charge"]), amount=AMOUNTS, earmark=EARMARKS)
    def charge(self, kind: str, amount: Decimal, earmark: str | None) -> None:
        self._moved(lambda ctx: transfers.charge_record(ctx, kind, amount, earmark))

    def _moved(self, operation: Callable[[Context], Any]) -> None:
        made = self.attempt(operation)
        if made is not None:
            self.transactions.append(made.transaction)

    @precondition(lambda self: self.transactions)
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        chosen = data.draw(st.sampled_from(self.transactions), label="transaction")
        made = self.attempt(lambda ctx: ledger.ledger_reverse(ctx, chosen, "a test's correction"))
        if made is not None:
            self.transactions.append(made.id)  # reversing it again must be refused

    @rule(
        operation=st.sampled_from(["transfer", "interest", "deposit", "reverse"]),
        at=st.integers(1, 3),
        carry_on=st.booleans(),
        amount=AMOUNTS,
    )
    def crash(self, operation: str, at: int, carry_on: bool, amount: Decimal) -> None:
        """Fail the `at`-th balance update of an operation; then, maybe, go on in the session."""
        target = 0
        if operation in ("interest", "reverse"):
            at = min(at, 2)  # they move two accounts
        if operation == "reverse":
            with open_context() as ctx:
                target = transfers.interest_record(ctx, amount, memo="to reverse").transaction
        before = snapshot()
        real = ledger._move
        calls: list[str] = []

        def failing(ctx: Context, account: Account, delta: Decimal) -> None:
            calls.append(account.code)
            if len(calls) == at:
                raise Crash(f"crash at the update of {account.code}")
            real(ctx, account, delta)

        def run(ctx: Context) -> None:
            if operation == "transfer":
                transfers.fund_transfer(ctx, "P-9", "IOM", D("1.00"))  # three accounts
            elif operation == "interest":
                transfers.interest_record(ctx, amount)
            elif operation == "deposit":
                ref, currency = self.pledges[0]
                rate = None if currency == "USD" else RATES[currency][0]
                contributions.deposit_create(
                    ctx,
                    DepositWrite(
                        pledge=ref,
                        amount=quantum(currency),
                        currency=currency,
                        rate=rate,
                        allow_excess=True,
                    ),
                )
            else:
                ledger.ledger_reverse(ctx, target, "crashing")

        crashed = False
        try:
            with open_context() as ctx:
                with mock.patch.object(ledger, "_move", failing):
                    try:
                        run(ctx)
                    except Crash:
                        crashed = True
                        if not carry_on:
                            raise
                    except GcmhubError:
                        pass  # refused before it got so far: rolled back all the same
                if crashed and carry_on:
                    # The same session goes on: the failed operation left nothing behind and
                    # the balances it read are the stored ones.
                    cash = ledger.account_balance(ctx, "cash:general")
                    made = transfers.interest_record(ctx, "1.00", memo="after the crash")
                    self.transactions.append(made.transaction)
                    assert ledger.account_balance(ctx, "cash:general") == cash + 1
        except Crash:
            pass
        self.seen["crash, then on" if carry_on else "crash"] += crashed
        after = snapshot()
        if crashed and carry_on:
            counts, balances = after
            assert counts[0] == before[0][0] + 1  # only the interest after the crash
            assert dict(balances)["cash:general"] == dict(before[1]).get("cash:general", D(0)) + D(
                "1.00"
            )
        elif crashed:
            assert after == before, "a crash left half an operation behind"

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def books_are_sound(self) -> None:
        with open_context() as ctx:
            entries = ctx.session.execute(
                select(Entry.transaction_id, Entry.account_id, Entry.amount)
            ).all()
            accounts = list(ctx.session.scalars(select(Account)))
            by_transaction: dict[int, Decimal] = {}
            by_account: dict[int, Decimal] = {}
            for transaction_id, account_id, amount in entries:
                by_transaction[transaction_id] = by_transaction.get(transaction_id, D(0)) + amount
                by_account[account_id] = by_account.get(account_id, D(0)) + amount
            # 1. every transaction balances
            assert {t: s for t, s in by_transaction.items() if s != 0} == {}
            for account in accounts:
                recomputed = by_account.get(account.id, D(0))
                # 2. stored balances equal the entries
                assert account.balance == recomputed, account.code
                # 3. nothing below zero that may not be
                if not account.may_go_negative:
                    side = -1 if account.kind in ("equity", "liability", "income") else 1
                    assert side * recomputed >= 0, account.code
            assert ledger.ledger_check(ctx).problems == []
            # The financial table agrees with the balances it summarises.
            table = reports.financial_table(ctx)
            cash = sum((a.balance for a in accounts if a.code.startswith("cash:")), D(0))
            held = sum((a.balance for a in accounts if a.code.startswith("orgs:")), D(0))
            assert table.row("balance_aa").total == cash
            assert table.row("balance_orgs").total == held
            assert table.row("pledges_outstanding").total == ledger.account_balance(
                ctx, "pledges_receivable"
            )


@pytest.fixture
def fresh_databases(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Callable[[], None]]:
    """Return a function that points GCM Hub at a fresh, migrated database."""
    cluster: PostgresCluster | None = request.getfixturevalue("postgres") if POSTGRES else None
    made: list[str] = []
    template = tmp_path / "template"
    if cluster is None:
        monkeypatch.setenv("GCMHUB_DATA_DIR", str(template))
        runtime.reset()
        with open_context():
            pass
        runtime.reset()

    def fresh() -> None:
        runtime.reset()
        if cluster is not None:
            for old in made:
                cluster.drop(old)
            made[:] = [cluster.create(MIGRATED)]
            monkeypatch.setenv("DATABASE_URL", cluster.url(made[0]))
        else:
            folder = tmp_path / f"example-{len(list(tmp_path.iterdir()))}"
            folder.mkdir()
            for name in os.listdir(template):
                if name.startswith("gcmhub.db"):
                    shutil.copy(template / name, folder / name)
            monkeypatch.setenv("GCMHUB_DATA_DIR", str(folder))
        runtime.reset()

    yield fresh
    runtime.reset()
    if cluster is not None:
        for old in made:
            cluster.drop(old)


def test_the_ledger_stays_sound_over_random_operations(
    fresh_databases: Callable[[], None],
) -> None:
    LedgerMachine.fresh = staticmethod(fresh_databases)
    LedgerMachine.seen.clear()
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=12 if POSTGRES else 40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    seen = LedgerMachine.seen
    sys.stderr.write(f"\nledger operations: {dict(sorted(seen.items()))}\n")
    for happened in (
        "PledgePublic",
        "DepositPublic",
        "transfer",
        "expenditure",
        "refund",
        "reversal",
        "crash, then on",
    ):
        assert seen[happened] > 0, (happened, seen)
    assert seen["refused InsufficientFunds"] > 0 and seen["refused Conflict"] > 0
