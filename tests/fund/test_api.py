"""The fund's API: bad input is a 422 naming the field and writes nothing; reads are public."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub.accounts.actions import token_create, user_add
from gcmhub.accounts.models import AuditEntry
from gcmhub.accounts.schemas import TokenRequest
from gcmhub.fund.models import Account, Deposit, Entry, Pledge, Transaction
from gcmhub.runtime import open_context
from gcmhub.web.app import create_app
from tests.accounts import conftest as accounts
from tests.accounts.conftest import PASSWORD, Person
from tests.fund.samples import fund_setting

fresh_limits = accounts.fresh_limits  # empty rate-limit windows for every test


@pytest.fixture
def people() -> dict[str, Person]:
    """A fund manager and a curator with read-write tokens (no demo data: the fund needs none)."""
    made = {}
    with open_context() as ctx:
        for role in ("fund_manager", "curator"):
            name = role.replace("_", "-")
            user_add(ctx, name, [role], password=PASSWORD)
            token = token_create(ctx, name, TokenRequest(name="tests", scopes=["read", "write"]))
            made[role] = Person(name, token.token)
    return made


@pytest.fixture
def web(people: dict[str, Person]) -> Iterator[TestClient]:
    """A client of the application."""
    with TestClient(create_app()) as client:
        yield client


def rows() -> dict[str, int]:
    with open_context() as ctx:
        return {
            model.__tablename__: int(
                ctx.session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (Transaction, Entry, Account, Pledge, Deposit, AuditEntry)
        }


@pytest.fixture
def fund(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """The fund manager's headers and a donor and a pledge with USD 500,000 deposited."""
    made = fund_setting(web, people)
    return {**made, "headers": people["fund_manager"].headers}


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        ("-5", "must not be negative"),
        (-5, "must not be negative"),
        ("12,3x", "is not an amount"),
        ("12,3", "decimal comma"),
        ("abc", "is not an amount"),
        (0, "more than zero"),
        ("12.345", "USD has 2 decimals"),
        (None, "give a number"),
    ],
)
def test_a_bad_amount_is_a_422_naming_the_field(
    web: TestClient, fund: dict[str, Any], amount: object, says: str
) -> None:
    before = rows()
    answer = web.post(
        "/api/v1/fund/deposits",
        json={"pledge": fund["pledge"], "amount": amount, "currency": "USD"},
        headers=fund["headers"],
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"].startswith("amount: ")
    assert says in answer.json()["detail"]
    assert rows() == before


def test_an_unknown_currency_is_a_422_naming_the_field(
    web: TestClient, fund: dict[str, Any]
) -> None:
    before = rows()
    for path, body in (
        ("/api/v1/fund/deposits", {"pledge": fund["pledge"], "amount": "5"}),
        ("/api/v1/fund/contributions", {"donor": fund["donor"], "amount": "5", "rate": "1"}),
    ):
        answer = web.post(path, json={**body, "currency": "XXY"}, headers=fund["headers"])
        assert answer.status_code == 422, answer.text
        assert (
            answer.json()["detail"]
            == "currency: unknown currency 'XXY' (ISO 4217 codes: USD, EUR…)"
        )
    assert rows() == before


def test_a_transfer_beyond_the_earmarked_money_is_refused_and_writes_nothing(
    web: TestClient, fund: dict[str, Any]
) -> None:
    headers = fund["headers"]
    pledge = web.post(
        "/api/v1/fund/contributions",
        json={
            "donor": fund["donor"],
            "amount": "100000",
            "currency": "EUR",
            "rate": "1.1",
            "earmark": "country:Mexico",
        },
        headers=headers,
    ).json()
    assert pledge["earmark"] == "country:MEX"
    deposit = web.post(
        "/api/v1/fund/deposits",
        json={"pledge": pledge["id"], "amount": "100000", "currency": "EUR", "rate": "1.1"},
        headers=headers,
    )
    assert deposit.json()["net_base"] == "108900.00"  # 110,000 less the 1 % fee
    before = rows()
    move = {"project_ref": "P-MEX", "participating_organization": "IOM"}
    too_much = web.post(
        "/api/v1/fund/transfers",
        json={**move, "amount": "101,800", "earmark": "country:MEX"},  # + 7 % = 108,926
        headers=headers,
    )
    assert too_much.status_code == 422, too_much.text
    assert too_much.json()["detail"] == (
        "amount: Mexico holds $108,900.00; this transfer needs $108,926.00 "
        "($101,800.00 plus $7,126.00 indirect costs)"
    )
    assert rows() == before
    never_funded = web.post(
        "/api/v1/fund/transfers",
        json={**move, "amount": "1", "earmark": "area:3"},
        headers=headers,
    )
    assert never_funded.status_code == 422
    assert never_funded.json()["detail"].startswith("amount: thematic area 3 holds $0.00")
    assert rows() == before
    fits = web.post(
        "/api/v1/fund/transfers",
        json={**move, "amount": "101,775.70", "earmark": "country:MEX"},  # + 7,124.30
        headers=headers,
    )
    assert fits.status_code == 201, fits.text
    assert fits.json()["total"] == "108900.00"
    balances = {b["code"]: b for b in web.get("/api/v1/fund/balances").json()}
    assert balances["cash:country:MEX"]["balance"] == "0.00"
    assert web.get("/api/v1/fund/check").json()["problems"] == []


def test_over_deposit_and_over_expenditure_are_422(web: TestClient, fund: dict[str, Any]) -> None:
    headers = fund["headers"]
    before = rows()
    over = web.post(
        "/api/v1/fund/deposits",
        json={"pledge": fund["pledge"], "amount": "500,000.01", "currency": "USD"},
        headers=headers,
    )
    assert over.status_code == 422
    assert "allow_excess" in over.json()["detail"]
    spent = web.post(
        "/api/v1/fund/expenditure",
        json={"project_ref": "P-SAMPLE", "participating_organization": "IOM", "amount": "10000.01"},
        headers=headers,
    )
    assert spent.status_code == 422
    assert spent.json()["detail"].startswith("amount: IOM holds $10,000.00 of the fund's money")
    assert rows() == before


def test_the_ledger_downloads_as_csv_and_pages_as_json(
    web: TestClient, fund: dict[str, Any]
) -> None:
    page = web.get("/api/v1/fund/transactions?limit=2").json()
    assert [t["kind"] for t in page["data"]] == ["pledge", "deposit"]
    assert page["next"] == page["data"][-1]["id"]
    rest = web.get(f"/api/v1/fund/transactions?after={page['next']}").json()
    assert [t["kind"] for t in rest["data"]] == ["transfer"] and rest["next"] is None
    csv_text = web.get("/api/v1/fund/transactions?format=csv").text
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("transaction,at,value_date,kind,reference")
    assert len(lines) == 1 + 2 + 6 + 3  # a row per entry
    assert ",cash:general,500000.00," in csv_text
    one = web.get(f"/api/v1/fund/transactions/{page['data'][0]['id']}").json()
    assert one["entries"][0]["amount"] == "1000000.00"
    assert web.get("/api/v1/fund/transactions/999999").status_code == 404
    assert web.get("/api/v1/fund/transactions?kind=gift").status_code == 400
    assert web.get("/api/v1/fund/transactions?format=jsonld").status_code == 400
    assert web.get("/api/v1/fund/transactions?colour=red").status_code == 400


def test_reads_are_public_and_the_table_downloads(web: TestClient, fund: dict[str, Any]) -> None:
    donors = web.get("/api/v1/fund/donors").json()
    assert donors[0]["pledged"] == "1000000.00" and donors[0]["deposited"] == "500000.00"
    assert donors[0]["outstanding"] == "500000.00"
    pledges = web.get(f"/api/v1/fund/contributions?donor={fund['donor']}").json()
    assert pledges[0]["outstanding"] == "500000.0000"
    table = web.get("/api/v1/fund/report").json()
    row = {r["key"]: r for r in table["rows"]}
    assert row["transfers"]["total"] == "10700.00"  # 10,000 + 7 %
    assert row["balance_aa"]["total"] == "484300.00"  # 500,000 - 5,000 fee - 10,700
    csv_text = web.get("/api/v1/fund/report?format=csv&start=2020-01-01").text
    assert csv_text.startswith("section,key,label,unit,prior,period,total")
    assert web.get("/api/v1/fund/report?start=2027-01-01&end=2026-01-01").status_code == 400


def test_writes_need_a_token_of_the_fund_manager(
    web: TestClient,
    fund: dict[str, Any],
    people: dict[str, Person],
) -> None:
    before = rows()
    body = {"amount": "10"}
    assert web.post("/api/v1/fund/interest", json=body).status_code == 401
    curator = web.post("/api/v1/fund/interest", json=body, headers=people["curator"].headers)
    assert curator.status_code == 403
    assert "fund manager" in curator.json()["detail"]
    assert rows() == before


def test_cli_records_donors_pledges_and_deposits(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("fund", "donors", "--add", "Norway", "--country", "NOR").code == 0
    done = cli(
        "fund",
        "pledge",
        "D-0001",
        "2,000,000",
        "NOK",
        "--rate",
        "0.095",
        "--instalment",
        "2026-12-31=1000000",
        "--instalment",
        "2027-12-31=1000000",
        "--earmark",
        "area:2",
    )
    assert done.code == 0, done.err
    assert "Pledge C-0001 by Norway" in done.out and "$190,000.00" in done.out
    done = cli("fund", "deposit", "C-0001", "1000000", "NOK", "--rate", "0.1")
    assert done.code == 0, done.err
    assert "fee $1,000.00" in done.out
    refused = cli("fund", "deposit", "--rate", "0.1", "--", "C-0001", "-5", "NOK")
    assert refused.code == 2
    assert refused.err == "gcmhub: error: amount: must not be negative (-5)\n"
    unknown = cli("fund", "pledge", "D-0001", "5", "XXY")
    assert unknown.err.startswith("gcmhub: error: currency: unknown currency 'XXY'")
    assert "Norway" in cli("fund", "donors").out
    ledger = cli("fund", "ledger", "--json")
    assert '"kind": "deposit"' in ledger.out
    assert "NOK @" in cli("fund", "ledger").out
    assert cli("fund", "check", "--json").code == 0
