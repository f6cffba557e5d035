"""Contributions: donors, pledges with schedules and earmarks, deposits and the fee."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gcmhub.context import Context
from gcmhub.errors import Conflict, InvalidInput
from gcmhub.fund import contributions, ledger
from gcmhub.fund.schemas import DepositWrite, DonorWrite, PledgeWrite
from tests.fund import scenario

D = Decimal


def test_donors_are_recorded_once_with_their_country(ctx: Context) -> None:
    germany, spain = scenario.donors(ctx)
    found = contributions.donor_list(ctx)
    assert [(d.id, d.name, d.country) for d in found] == [
        (germany, "Germany", "DEU"),
        (spain, "Spain", "ESP"),  # named, resolved to its code
    ]
    with pytest.raises(Conflict, match="recorded already"):
        contributions.donor_create(ctx, DonorWrite(name="germany", type="member_state"))
    with pytest.raises(InvalidInput, match="^country: "):
        contributions.donor_create(ctx, DonorWrite(name="Atlantis", type="other", country="ATL"))


def test_a_multi_year_pledge_has_a_schedule_summing_to_it(ctx: Context) -> None:
    germany, _ = scenario.donors(ctx)
    pledge = contributions.pledge_create(
        ctx,
        PledgeWrite(
            donor=germany,
            amount="3,000,000",
            currency="USD",
            earmark="area:2",
            pledged_on=date(2026, 1, 15),
            schedule=[
                {"due": "2028-01-31", "amount": "1000000"},
                {"due": "2026-01-31", "amount": "1000000"},
                {"due": "2027-01-31", "amount": "1,000,000"},
            ],
        ),
    )
    assert [i.due.year for i in pledge.schedule] == [2026, 2027, 2028]
    assert pledge.earmark == "area:2" and pledge.outstanding == D("3000000")
    later = contributions.pledge_list(ctx, today=date(2027, 6, 1))[0]
    assert later.overdue == D("2000000")  # two instalments due, nothing deposited
    with pytest.raises(InvalidInput, match="^schedule: the instalments sum to 2000000"):
        contributions.pledge_create(
            ctx,
            PledgeWrite(
                donor=germany,
                amount="3000000",
                currency="USD",
                schedule=[{"due": "2026-01-31", "amount": "2000000"}],
            ),
        )
    # The commitment is in its own pair of accounts, not in the fund's cash.
    assert ledger.account_balance(ctx, "pledges_receivable") == D("3000000.00")
    assert ledger.account_balance(ctx, "cash:general") == 0


def test_a_pledge_in_another_currency_needs_its_rate(ctx: Context) -> None:
    _, spain = scenario.donors(ctx)
    with pytest.raises(InvalidInput, match="^rate: an amount in EUR needs its rate to USD"):
        contributions.pledge_create(ctx, PledgeWrite(donor=spain, amount="10", currency="EUR"))
    with pytest.raises(InvalidInput, match="^rate: an amount in USD has the rate 1"):
        contributions.pledge_create(
            ctx, PledgeWrite(donor=spain, amount="10", currency="USD", rate="1.1")
        )
    with pytest.raises(InvalidInput, match="^earmark: "):
        contributions.pledge_create(
            ctx, PledgeWrite(donor=spain, amount="10", currency="USD", earmark="planet:mars")
        )
    with pytest.raises(InvalidInput, match="^donor: no donor 'D-0099'"):
        contributions.pledge_create(ctx, PledgeWrite(donor="D-0099", amount="10", currency="USD"))


def test_a_deposit_takes_the_fee_and_settles_the_pledge(ctx: Context) -> None:
    usd, eur = scenario.contributed(ctx)
    eur_pledge = contributions.pledge_show(ctx, eur)
    assert eur_pledge.deposited == D("500000") and eur_pledge.outstanding == 0
    deposit = eur_pledge.deposits[0]
    assert (deposit.amount_base, deposit.fee_base, deposit.net_base) == (
        D("540000.00"),
        D("5400.00"),
        D("534600.00"),
    )
    assert ledger.account_balance(ctx, "cash:country:MEX") == D("534600.00")
    assert ledger.account_balance(ctx, "cash:general") == D("990000.00")
    assert ledger.account_balance(ctx, "aa_fee") == D("15400.00")
    assert ledger.account_balance(ctx, "pledges_receivable") == 0
    donors = {d.name: d for d in contributions.donor_list(ctx)}
    assert (donors["Spain"].pledged, donors["Spain"].deposited) == (D("540000"), D("540000"))
    assert ledger.ledger_check(ctx).problems == []


def test_more_than_outstanding_is_refused_unless_allowed(ctx: Context) -> None:
    germany, _ = scenario.donors(ctx)
    pledge = contributions.pledge_create(
        ctx, PledgeWrite(donor=germany, amount="100000", currency="USD")
    )
    contributions.deposit_create(
        ctx, DepositWrite(pledge=pledge.id, amount="60000", currency="USD")
    )
    with pytest.raises(InvalidInput, match="^amount: pledge C-0001 has \\$40,000.00 outstanding"):
        contributions.deposit_create(
            ctx, DepositWrite(pledge=pledge.id, amount="50000", currency="USD")
        )
    with pytest.raises(InvalidInput, match="^currency: pledge C-0001 is in USD"):
        contributions.deposit_create(
            ctx, DepositWrite(pledge=pledge.id, amount="5", currency="EUR", rate="1.1")
        )
    made = contributions.deposit_create(
        ctx, DepositWrite(pledge=pledge.id, amount="50000", currency="USD", allow_excess=True)
    )
    assert (made.applied, made.excess) == (D("40000"), D("10000"))
    shown = contributions.pledge_show(ctx, pledge.id)
    assert shown.outstanding == 0 and shown.deposited == D("100000")
    assert ledger.account_balance(ctx, "pledges_receivable") == 0
    assert ledger.account_balance(ctx, "cash:general") == D("108900.00")  # 110,000 less 1 %


def test_partial_deposits_in_another_currency_clear_the_pledge_to_the_cent(ctx: Context) -> None:
    _, spain = scenario.donors(ctx)
    pledge = contributions.pledge_create(
        ctx, PledgeWrite(donor=spain, amount="1000.01", currency="EUR", rate="1.0833")
    )
    assert pledge.amount_base == D("1083.31")  # 1,083.310833 rounded
    for amount, rate in (("333.33", "1.09"), ("333.33", "1.1"), ("333.35", "1.05")):
        contributions.deposit_create(
            ctx, DepositWrite(pledge=pledge.id, amount=amount, currency="EUR", rate=rate)
        )
    assert ledger.account_balance(ctx, "pledges_receivable") == 0
    assert ledger.account_balance(ctx, "pledges_unpaid") == 0
    # Deposits count at their own rates: 363.33 + 366.66 + 350.02 (the pledge at 1.0833).
    assert contributions.donor_list(ctx)[1].deposited == D("1080.01")
    assert ledger.ledger_check(ctx).problems == []


def test_a_cancelled_pledge_takes_no_deposit(ctx: Context) -> None:
    germany, _ = scenario.donors(ctx)
    pledge = contributions.pledge_create(
        ctx, PledgeWrite(donor=germany, amount="10", currency="USD")
    )
    ledger.ledger_reverse(ctx, pledge.transaction, "withdrawn by the donor")
    assert contributions.pledge_show(ctx, pledge.id).cancelled
    with pytest.raises(Conflict, match="cancelled"):
        contributions.deposit_create(
            ctx, DepositWrite(pledge=pledge.id, amount="5", currency="USD")
        )
    assert contributions.donor_list(ctx)[0].pledged == 0


def test_a_reversed_deposit_no_longer_counts(ctx: Context) -> None:
    usd, _ = scenario.contributed(ctx)
    shown = contributions.pledge_show(ctx, usd)
    ledger.ledger_reverse(ctx, shown.deposits[0].transaction, "bounced")
    again = contributions.pledge_show(ctx, usd)
    assert again.deposited == 0 and again.outstanding == D("1000000")
    assert again.deposits[0].reversed
    assert ledger.account_balance(ctx, "pledges_receivable") == D("1000000.00")
    assert ledger.account_balance(ctx, "cash:general") == 0
    # The pledge is still open: it can be paid again.
    contributions.deposit_create(ctx, DepositWrite(pledge=usd, amount="1000000", currency="USD"))
    assert ledger.ledger_check(ctx).problems == []
