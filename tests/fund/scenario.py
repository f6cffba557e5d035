"""The hand-checked scenario of the fund's tests, made through the real actions.

Two donors: Germany pledges and deposits USD 1,000,000 (general fund); Spain pledges and
deposits EUR 500,000 at 1.08 = USD 540,000, earmarked for Mexico. The AA fee is 1 %:
10,000 + 5,400 = 15,400. IOM receives a transfer of 600,000 for project P-1 from the
general fund, plus 7 % indirect costs = 42,000, 642,000 in all; it reports 250,000 of
expenditure and refunds 10,000. The figures are worked out by hand in tests/fund/test_report.py.
"""

from __future__ import annotations

from datetime import date

from gcmhub.context import Context
from gcmhub.fund import contributions, transfers
from gcmhub.fund.schemas import DepositWrite, DonorWrite, PledgeWrite

DAY = date(2026, 3, 2)


def donors(ctx: Context) -> tuple[str, str]:
    """Record Germany and Spain; return their ids."""
    germany = contributions.donor_create(
        ctx, DonorWrite(name="Germany", type="member_state", country="DEU")
    )
    spain = contributions.donor_create(
        ctx, DonorWrite(name="Spain", type="member_state", country="Spain")
    )
    return germany.id, spain.id


def contributed(ctx: Context) -> tuple[str, str]:
    """Both pledges, both deposited in full; return the pledges' ids."""
    germany, spain = donors(ctx)
    usd = contributions.pledge_create(
        ctx, PledgeWrite(donor=germany, amount="1,000,000", currency="USD", pledged_on=DAY)
    )
    eur = contributions.pledge_create(
        ctx,
        PledgeWrite(
            donor=spain,
            amount="500000",
            currency="EUR",
            rate="1.08",
            earmark="country:MEX",
            pledged_on=DAY,
        ),
    )
    contributions.deposit_create(
        ctx, DepositWrite(pledge=usd.id, amount="1000000", currency="USD", deposited_on=DAY)
    )
    contributions.deposit_create(
        ctx,
        DepositWrite(
            pledge=eur.id, amount="500,000.00", currency="EUR", rate=1.08, deposited_on=DAY
        ),
    )
    return usd.id, eur.id


def whole(ctx: Context, later: date = date(2026, 9, 30)) -> None:
    """The whole scenario: contributions, then the transfer, expenditure and refund."""
    contributed(ctx)
    transfers.fund_transfer(ctx, "P-1", "IOM", "600000", value_date=later)
    transfers.expenditure_report(ctx, "P-1", "IOM", "250,000", value_date=later)
    transfers.refund_record(ctx, "P-1", "IOM", "10000", value_date=later)
