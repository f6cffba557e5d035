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


@rule(
    "ledger_post",
    f"{FUND_MANAGERS} post to the fund's ledger; a participating organization posts the "
    "expenditure it reports on its own project",
)
def ledger_post(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor) or _participates(actor, scope)


def _participates(actor: Actor, proposal: Any) -> bool:
    """Whether the actor works for one of a project's participating organizations."""
    if not actor.signed_in or not actor.organization or proposal is None:
        return False
    own = actor.organization.strip().casefold()
    return any(own == str(o).strip().casefold() for o in (proposal.participating or []))


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


@rule("fund_call_write", f"{FUND_MANAGERS} open calls for proposals")
def fund_call_write(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule("area_map", f"{FUND_MANAGERS} set which GCM objectives a thematic area covers")
def area_map(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule(
    "proposal_write",
    "the proposal's creator, focal points of its country, its partners and "
    f"{FUND_MANAGERS} fill and submit a proposal",
)
def proposal_write(actor: Actor, scope: Any) -> bool:
    if _fund_manager(actor):
        return True
    if not actor.signed_in:
        return False
    if scope is None:
        return False
    if actor.name == scope.created_by:
        return True
    if actor.has("focal_point") and scope.country in actor.countries:
        return True
    organizations = {o.casefold() for o in [*(scope.partners or []), *(scope.participating or [])]}
    return bool(actor.organization) and str(actor.organization).casefold() in organizations


@rule(
    "review_write",
    "curators, partners and the fund manager review proposals (not their own organization's)",
)
def review_write(actor: Actor, scope: Any) -> bool:
    return actor.signed_in and actor.has("curator", "partner", "fund_manager")


@rule("proposal_decide", f"{FUND_MANAGERS} record the steering committee's decision")
def proposal_decide(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule(
    "proposal_read_draft",
    "a draft proposal (it may come from a confidential hub request) is read by those who may "
    "write it and the secretariat; submitted ones by everyone",
    scope="read",
)
def proposal_read_draft(actor: Actor, scope: Any) -> bool:
    return actor.has("curator") or proposal_write(actor, scope)


@rule(
    "appraisal_read",
    f"reviews and their comments are read by the secretariat and {FUND_MANAGERS}",
    scope="read",
)
def appraisal_read(actor: Actor, scope: Any) -> bool:
    return actor.has("curator", "fund_manager")


@rule("call_allocate", f"{FUND_MANAGERS} allocate money to approved proposals")
def call_allocate(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule("tranche_write", f"{FUND_MANAGERS} plan and release a project's tranches")
def tranche_write(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor)


@rule(
    "project_report",
    f"a project's participating organizations and {FUND_MANAGERS} report on it",
)
def project_report(actor: Actor, scope: Any) -> bool:
    return _fund_manager(actor) or _participates(actor, scope)
