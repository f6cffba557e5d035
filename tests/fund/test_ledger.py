"""The ledger: balanced postings, immutable rows, reversal, all-or-nothing, the migration."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from gcmhub.context import Context
from gcmhub.db import alembic_config, engine_for
from gcmhub.db import upgrade as db_upgrade
from gcmhub.errors import Conflict, InvalidInput
from gcmhub.fund import ledger, transfers
from gcmhub.fund.ledger import InsufficientFunds, Line, ledger_check, ledger_post, ledger_reverse
from gcmhub.fund.models import Account, Entry, Transaction
from gcmhub.models import Base
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings
from tests.fund import scenario

D = Decimal


def counts(ctx: Context) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        int(ctx.session.scalar(select(func.count()).select_from(t)) or 0)
        for t in (Transaction, Entry, Account)
    )


def test_the_chart_of_accounts_is_made_on_first_use(ctx: Context) -> None:
    ledger.ledger_chart(ctx)
    codes = {b.code for b in ledger.balance_list(ctx)}
    assert {"cash:general", "pledges_receivable", "pledges_unpaid", "aa_fee"} <= codes
    assert {"interest", "org_interest", "indirect_costs", "expenditure"} <= codes
    assert all(b.balance == 0 and b.currency == "USD" for b in ledger.balance_list(ctx))


def test_a_transaction_must_balance_to_the_cent(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="differ by 0.01 USD"):
        ledger_post(
            ctx, "interest", [Line("cash:general", D("10.00")), Line("interest", D("-9.99"))]
        )
    with pytest.raises(InvalidInput, match="more decimals"):
        ledger_post(
            ctx, "interest", [Line("cash:general", D("0.001")), Line("interest", D("-0.001"))]
        )
    with pytest.raises(InvalidInput, match="zero line"):
        ledger_post(
            ctx,
            "interest",
            [Line("cash:general", D("1")), Line("interest", D("-1")), Line("aa_fee", D("0"))],
        )
    with pytest.raises(InvalidInput, match="is not 100 EUR at 1.08"):
        ledger_post(
            ctx,
            "interest",
            [
                Line("cash:general", D("108.02"), D("100"), "EUR", D("1.08")),
                Line("interest", D("-108.02"), D("-100"), "EUR", D("1.08")),
            ],
        )
    assert counts(ctx)[:2] == (0, 0)


def test_no_account_that_may_not_go_below_zero_does(ctx: Context) -> None:
    transfers.interest_record(ctx, "100")
    before = counts(ctx)
    with pytest.raises(InsufficientFunds, match="cash:general holds \\$100.00") as refused:
        ledger_post(
            ctx,
            "direct_cost",
            [Line("direct_costs", D("100.01")), Line("cash:general", D("-100.01"))],
        )
    assert refused.value.account == "cash:general"
    assert counts(ctx) == before
    assert ledger.account_balance(ctx, "cash:general") == D("100.00")  # not the failed value
    assert ledger_check(ctx).problems == []


def test_entries_keep_the_original_amount_currency_rate_and_date(ctx: Context) -> None:
    scenario.contributed(ctx)
    deposit = ledger.transaction_list(ctx, kind="deposit")[1]
    cash = next(e for e in deposit.entries if e.account == "cash:country:MEX" and e.amount > 0)
    assert (cash.amount, cash.original_amount, cash.currency) == (
        D("540000.00"),
        D("500000.0000"),
        "EUR",
    )
    assert cash.rate == D("1.08") and cash.rate_date == scenario.DAY
    fee = next(e for e in deposit.entries if e.account == "aa_fee")
    assert (fee.amount, fee.original_amount) == (D("5400.00"), D("5000.0000"))


def test_the_database_refuses_to_change_or_delete_entries_and_transactions(ctx: Context) -> None:
    transfers.interest_record(ctx, "100")
    ctx.session.commit()
    engine = engine_for(get_settings().url)
    for statement in (
        "UPDATE fund_entries SET amount = 0",
        "DELETE FROM fund_entries",
        "UPDATE fund_transactions SET memo = 'changed'",
        "DELETE FROM fund_transactions",
    ):
        with pytest.raises(DBAPIError, match="immutable"), engine.begin() as connection:
            connection.execute(text(statement))
    with open_context() as fresh:
        assert counts(fresh)[:2] == (1, 2)
        assert ledger.transaction_list(fresh)[0].memo == "Interest of the fund"


def test_a_correction_is_a_reversing_transaction(ctx: Context) -> None:
    made = transfers.interest_record(ctx, "250.50")
    reversal = ledger_reverse(ctx, made.transaction, "entered twice")
    assert reversal.kind == "reversal" and reversal.reversal_of == made.transaction
    assert ledger.account_balance(ctx, "cash:general") == 0
    shown = ledger.transaction_list(ctx)
    assert shown[0].reversed_by == reversal.id
    assert [e.amount for e in shown[1].entries] == [D("-250.50"), D("250.50")]
    with pytest.raises(Conflict, match="reversed already"):
        ledger_reverse(ctx, made.transaction, "again")
    with pytest.raises(Conflict, match="itself a reversal"):
        ledger_reverse(ctx, reversal.id, "undo the undo")
    with pytest.raises(InvalidInput, match="memo"):
        ledger_reverse(ctx, made.transaction, " ")
    assert ledger_check(ctx).problems == []


def test_a_reversal_that_would_overdraw_is_refused(ctx: Context) -> None:
    scenario.contributed(ctx)
    transfers.fund_transfer(ctx, "P-1", "IOM", "900000")  # the general fund is nearly spent
    deposit = ledger.transaction_list(ctx, kind="deposit")[0]
    before = counts(ctx)
    with pytest.raises(InsufficientFunds, match="cash:general"):
        ledger_reverse(ctx, deposit.id, "the bank returned it")
    assert counts(ctx) == before
    assert ledger_check(ctx).problems == []


def test_a_failure_in_the_middle_of_a_posting_leaves_nothing(ctx: Context) -> None:
    transfers.interest_record(ctx, "1000")
    before = counts(ctx)
    real = ledger._move
    calls = []

    def failing(ctx: Context, account: Account, delta: Decimal) -> None:
        calls.append(account.code)
        if len(calls) == 3:  # the transaction, its entries and two balances are written
            raise RuntimeError("the disk is full")
        real(ctx, account, delta)

    with mock.patch.object(ledger, "_move", failing), pytest.raises(RuntimeError):
        transfers.fund_transfer(ctx, "P-1", "IOM", "500")
    assert len(calls) == 3
    # The outer transaction goes on (a savepoint was rolled back), with the right balances.
    assert counts(ctx) == before
    assert ledger.account_balance(ctx, "cash:general") == D("1000.00")
    assert ledger.account_balance(ctx, "orgs:IOM") == 0
    transfers.fund_transfer(ctx, "P-1", "IOM", "500")
    ctx.session.commit()
    with open_context() as fresh:
        assert counts(fresh)[0] == before[0] + 1
        assert ledger.account_balance(fresh, "cash:general") == D("465.00")  # 1000 - 500 - 35
        assert ledger_check(fresh).problems == []


def test_a_failure_after_posting_undoes_the_posting_too(ctx: Context) -> None:
    germany, _ = scenario.donors(ctx)
    from gcmhub.fund import contributions
    from gcmhub.fund.schemas import PledgeWrite

    before = counts(ctx)
    with (
        mock.patch.object(contributions, "audit_record", side_effect=RuntimeError("crash")),
        pytest.raises(RuntimeError),
    ):
        contributions.pledge_create(ctx, PledgeWrite(donor=germany, amount="5", currency="USD"))
    assert counts(ctx)[:2] == before[:2]
    assert contributions.pledge_list(ctx) == []


@pytest.mark.sqlite_only("how SQLite stores exact amounts")
def test_sqlite_stores_amounts_as_exact_integers(ctx: Context) -> None:
    transfers.interest_record(ctx, "0.10")
    transfers.interest_record(ctx, "0.20")
    stored = ctx.session.execute(text("SELECT typeof(amount), amount FROM fund_entries")).all()
    assert stored[0] == ("integer", 10)
    assert ledger.account_balance(ctx, "cash:general") == D("0.30")  # not 0.30000000000000004
    total = ctx.session.execute(text("SELECT sum(amount) FROM fund_entries")).scalar_one()
    assert total == 0


def test_the_check_command_proves_the_ledger_and_finds_a_tampered_balance(cli) -> None:  # type: ignore[no-untyped-def]
    with open_context() as ctx:
        scenario.whole(ctx)
    done = cli("fund", "check")
    assert done.code == 0, done.err
    assert "sound: 7 transactions" in done.out
    engine = engine_for(get_settings().url)
    with engine.begin() as connection:  # balances are not immutable; the check sees through
        connection.execute(
            text("UPDATE fund_accounts SET balance = balance + 1 WHERE code = 'orgs:IOM'")
        )
    done = cli("fund", "check")
    assert done.code == 2
    assert done.err.startswith("gcmhub: error: the ledger is not sound: orgs:IOM: stored")
    assert done.err.count("\n") == 1


def test_migration_0008_goes_up_and_down(empty_database: None) -> None:
    url = get_settings().url
    engine = engine_for(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    assert "fund_entries" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0008")
    tables = set(inspect(engine).get_table_names())
    assert {"fund_accounts", "fund_transactions", "fund_entries", "fund_donors"} <= tables
    assert {"fund_pledges", "fund_pledge_instalments", "fund_deposits", "fund_proposals"} <= tables
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    assert not {t for t in inspect(engine).get_table_names() if t != "fund_proposals"} & {
        t for t in tables if t.startswith("fund_")
    }
    assert db_upgrade(url)[1] is not None
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_object": lambda obj, name, kind, r, o: not str(name).startswith("items_f")
            },
        )
        assert compare_metadata(context, Base.metadata) == []


def test_two_transfers_at_once_cannot_both_spend_the_same_money() -> None:
    import threading

    with open_context() as ctx:
        transfers.interest_record(ctx, "1000")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def spend() -> None:
        barrier.wait()
        try:
            with open_context() as ctx:
                transfers.fund_transfer(ctx, "P-1", "IOM", "600")  # 642 with indirect costs
            outcomes.append("done")
        except InsufficientFunds:
            outcomes.append("refused")

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["done", "refused"]
    with open_context() as ctx:
        assert ledger.account_balance(ctx, "cash:general") == D("358.00")
        assert ledger_check(ctx).problems == []
