"""Who may do what with the start-up fund's money.

The fund manager (and the admin) record donors, pledges, deposits, transfers, expenditure
reports, refunds, interest and charges, and correct the ledger by reversal. Everyone reads
the ledger, the balances and the financial table: the fund publishes its money as the MPTF
Office Gateway does.
"""

from __future__ import annotations

from typing import Any

from gcmhub.auth import rule
from gcmhub.context import Actor

FUND_MANAGERS = "the fund manager or the admin"


def _fund_manager(actor: Actor) -> bool:
    return actor.has("fund_manager")


@rule("ledger_post", f"{FUND_MANAGERS} post to the fund's ledger")
def ledger_post(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule("ledger_reverse", f"{FUND_MANAGERS} correct the ledger by reversing a transaction")
def ledger_reverse(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule("donor_create", f"{FUND_MANAGERS} record donors")
def donor_create(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule("pledge_create", f"{FUND_MANAGERS} record pledges")
def pledge_create(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule("deposit_create", f"{FUND_MANAGERS} record deposits")
def deposit_create(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule("fund_transfer", f"{FUND_MANAGERS} transfer money to participating organizations")
def fund_transfer(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule("expenditure_report", f"{FUND_MANAGERS} record expenditure reported by organizations")
def expenditure_report(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule("refund_record", f"{FUND_MANAGERS} record refunds from participating organizations")
def refund_record(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule("interest_record", f"{FUND_MANAGERS} record interest income")
def interest_record(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule("charge_record", f"{FUND_MANAGERS} record direct costs and bank charges")
def charge_record(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)
