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
