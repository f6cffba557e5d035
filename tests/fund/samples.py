"""Sample calls of the fund's write routes, for the route-table test.

Only the fund manager and the admin write. `fund_setting` makes a donor, a pledge of
USD 1,000,000 with a first deposit, and a transfer to IOM, so that each role's call has money
to move; a reversal gets a fresh transaction per call (`prepare`).
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from gcmhub.fund.transfers import interest_record
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person
from tests.accounts.samples import Sample, api_call

FUND_MANAGERS = {"fund_manager", "admin"}
MOVE = {"project_ref": "P-SAMPLE", "participating_organization": "IOM", "amount": "100"}


def _proposal(submitted: bool) -> str:
    """A filled proposal to a fresh open call, for Mexico; submitted when asked."""
    from datetime import timedelta

    from gcmhub.accounts.audit import now
    from gcmhub.fund import calls
    from gcmhub.fund.models import Proposal
    from gcmhub.fund.schemas import CallWrite, ProposalUpdate

    with open_context() as ctx:
        call = calls.call_create(
            ctx,
            CallWrite(title="Sample call", budget="100000", deadline=now().date() + timedelta(9)),
        )
        count = len(calls.proposal_list(ctx))
        ref = f"P-SAMPLE-{count + 1:04d}"
        ctx.session.add(
            Proposal(
                ref=ref,
                title="Sample proposal",
                summary="Fair recruitment.",
                country="MEX",
                objectives=["objective:6"],
                partners=["Recruitment reform network"],
                status="draft",
                created_by="system",
                created_at=now(),
            )
        )
        ctx.session.flush()
        calls.proposal_update(ctx, ref, ProposalUpdate(call=call.id, **PROPOSAL))
        if submitted:
            calls.proposal_submit(ctx, ref)
    return ref


PROPOSAL: dict[str, Any] = {
    "area": "TA1",
    "amount": "1000",
    "budget_lines": [{"item": "Workshops", "amount": "1000"}],
    "participating": ["IOM", "ILO"],
    "endorsed": True,
    "gender_marker": 2,
    "human_rights_marker": 1,
    "child_marker": 1,
}
PROPOSAL_SIDE = {"focal_mex", "fund_manager", "admin"}
REVIEWERS = {"partner", "curator", "fund_manager", "admin"}
SCORES = {"relevance": 3, "feasibility": 3, "guiding_principles": 3, "sustainability": 3}


def _approved(closed: bool = False) -> str:
    """A submitted proposal with one review on record, approved; its call closed if asked."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from gcmhub.accounts.audit import now
    from gcmhub.accounts.models import User
    from gcmhub.fund import calls
    from gcmhub.fund.models import Call, Proposal, Review
    from gcmhub.fund.schemas import DecisionWrite

    ref = _proposal(submitted=True)
    with open_context() as ctx:
        proposal = ctx.session.scalar(select(Proposal).where(Proposal.ref == ref))
        assert proposal is not None
        reviewer = ctx.session.scalar(select(User.id).order_by(User.id))
        assert reviewer is not None
        ctx.session.add(
            Review(
                proposal_id=proposal.id,
                reviewer_id=reviewer,
                reviewer="sample",
                conflict="none",
                scores=SCORES,
                total=60.0,
                comment="",
                submitted_at=now(),
            )
        )
        ctx.session.flush()
        calls.proposal_decide(ctx, ref, DecisionWrite(decision="approved", note="Sample"))
        if closed:
            ctx.session.execute(
                update(Call)
                .where(Call.id == proposal.call_id)
                .values(deadline=now().date() - timedelta(1))
            )
    return ref


def _project(released: bool = False) -> dict[str, Any]:
    """An approved proposal with USD 1,000 allocated from the general fund (tranches 600 and
    400); its first tranche released if asked."""
    from gcmhub.fund.projects import project_allocate, tranche_release
    from gcmhub.fund.schemas import ManualAllocationWrite

    ref = _approved()
    with open_context() as ctx:
        project_allocate(ctx, ref, ManualAllocationWrite(amount="1000"))
        if released:
            tranche_release(ctx, ref, 1)
    return {"fresh": ref}


def _closed_call(made: dict[str, Any]) -> dict[str, Any]:
    from gcmhub.fund.calls import proposal_show

    with open_context() as ctx:
        call = proposal_show(ctx, _approved(closed=True)).call
    return {"fresh": call}


def _fresh_transaction(made: dict[str, Any]) -> dict[str, Any]:
    with open_context() as ctx:
        return {"fresh": interest_record(ctx, "5.00", memo="to be reversed").transaction}


FUND_SAMPLES: dict[tuple[str, str], Sample] = {
    ("POST", "/api/v1/fund/donors"): Sample(
        FUND_MANAGERS,
        api_call("POST", "/api/v1/fund/donors", {"name": "{donor_name}", "type": "foundation"}),
        prepare=lambda made: {"donor_name": f"Foundation of {made['username']}"},
    ),
    ("POST", "/api/v1/fund/contributions"): Sample(
        FUND_MANAGERS,
        api_call(
            "POST",
            "/api/v1/fund/contributions",
            {"donor": "{donor}", "amount": "250,000", "currency": "EUR", "rate": "1.08"},
        ),
    ),
    ("POST", "/api/v1/fund/deposits"): Sample(
        FUND_MANAGERS,
        api_call(
            "POST",
            "/api/v1/fund/deposits",
            {"pledge": "{pledge}", "amount": "1000", "currency": "USD"},
        ),
    ),
    ("POST", "/api/v1/fund/transfers"): Sample(
        FUND_MANAGERS, api_call("POST", "/api/v1/fund/transfers", MOVE)
    ),
    ("POST", "/api/v1/fund/expenditure"): Sample(
        FUND_MANAGERS, api_call("POST", "/api/v1/fund/expenditure", MOVE)
    ),
    ("POST", "/api/v1/fund/refunds"): Sample(
        FUND_MANAGERS, api_call("POST", "/api/v1/fund/refunds", MOVE)
    ),
    ("POST", "/api/v1/fund/interest"): Sample(
        FUND_MANAGERS, api_call("POST", "/api/v1/fund/interest", {"amount": "12.34"})
    ),
    ("POST", "/api/v1/fund/charges"): Sample(
        FUND_MANAGERS,
        api_call("POST", "/api/v1/fund/charges", {"kind": "bank_charge", "amount": "25"}),
    ),
    ("POST", "/api/v1/fund/transactions/{transaction_id}/reverse"): Sample(
        FUND_MANAGERS,
        api_call("POST", "/api/v1/fund/transactions/{fresh}/reverse", {"memo": "entered twice"}),
        prepare=_fresh_transaction,
    ),
    ("POST", "/api/v1/fund/calls"): Sample(
        FUND_MANAGERS,
        api_call(
            "POST",
            "/api/v1/fund/calls",
            {"title": "Call of the matrix", "budget": "50000", "deadline": "2099-12-31"},
        ),
    ),
    ("POST", "/api/v1/fund/areas/{code}/objectives"): Sample(
        FUND_MANAGERS,
        api_call("POST", "/api/v1/fund/areas/TA2/objectives", {"objectives": [2, 7]}),
    ),
    ("PATCH", "/api/v1/fund/proposals/{ref}"): Sample(
        PROPOSAL_SIDE,
        api_call("PATCH", "/api/v1/fund/proposals/{fresh}", {"whole_of_society": True}),
        prepare=lambda made: {"fresh": _proposal(submitted=False)},
    ),
    ("POST", "/api/v1/fund/proposals/{ref}/submit"): Sample(
        PROPOSAL_SIDE,
        api_call("POST", "/api/v1/fund/proposals/{fresh}/submit"),
        prepare=lambda made: {"fresh": _proposal(submitted=False)},
    ),
    ("POST", "/api/v1/fund/proposals/{ref}/reviews"): Sample(
        REVIEWERS,
        api_call("POST", "/api/v1/fund/proposals/{fresh}/reviews", {"scores": SCORES}),
        prepare=lambda made: {"fresh": _proposal(submitted=True)},
    ),
    ("POST", "/api/v1/fund/proposals/{ref}/decision"): Sample(
        FUND_MANAGERS,
        api_call("POST", "/api/v1/fund/proposals/{fresh}/decision", {"decision": "rejected"}),
        prepare=lambda made: {"fresh": _proposal(submitted=True)},
    ),
    ("POST", "/api/v1/fund/calls/{ref}/allocation"): Sample(
        FUND_MANAGERS,
        api_call("POST", "/api/v1/fund/calls/{fresh}/allocation", {}),
        prepare=_closed_call,
    ),
    ("POST", "/api/v1/fund/proposals/{ref}/allocation"): Sample(
        FUND_MANAGERS,
        api_call("POST", "/api/v1/fund/proposals/{fresh}/allocation", {"amount": "1000"}),
        prepare=lambda made: {"fresh": _approved()},
    ),
    ("PUT", "/api/v1/fund/projects/{ref}/tranches"): Sample(
        FUND_MANAGERS,
        api_call(
            "PUT",
            "/api/v1/fund/projects/{fresh}/tranches",
            {"tranches": [{"organization": "ILO", "amount": "1000"}]},
        ),
        prepare=lambda made: _project(),
    ),
    ("POST", "/api/v1/fund/projects/{ref}/tranches/{number}/release"): Sample(
        FUND_MANAGERS,
        api_call("POST", "/api/v1/fund/projects/{fresh}/tranches/1/release"),
        prepare=lambda made: _project(),
    ),
    ("POST", "/api/v1/fund/projects/{ref}/reports"): Sample(
        FUND_MANAGERS,
        api_call(
            "POST",
            "/api/v1/fund/projects/{fresh}/reports",
            {"period_end": "2027-06-30", "narrative": "Workshops held in two states."},
        ),
        prepare=lambda made: _project(released=True),
    ),
}


def fund_setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """Make a donor, a pledge with a deposit, and a transfer to IOM, as the fund manager."""
    headers = people["fund_manager"].headers
    donor = web.post(
        "/api/v1/fund/donors",
        json={"name": "Sample donor", "type": "member_state"},
        headers=headers,
    )
    assert donor.status_code == 201, donor.text
    pledge = web.post(
        "/api/v1/fund/contributions",
        json={"donor": donor.json()["id"], "amount": "1,000,000", "currency": "USD"},
        headers=headers,
    )
    assert pledge.status_code == 201, pledge.text
    ref = pledge.json()["id"]
    deposit = web.post(
        "/api/v1/fund/deposits",
        json={"pledge": ref, "amount": "500000", "currency": "USD"},
        headers=headers,
    )
    assert deposit.status_code == 201, deposit.text
    transfer = web.post("/api/v1/fund/transfers", json={**MOVE, "amount": "10000"}, headers=headers)
    assert transfer.status_code == 201, transfer.text
    return {"donor": donor.json()["id"], "pledge": ref}
