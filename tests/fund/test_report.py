"""The standard pass-through financial table on a scenario worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gcmhub.context import Context
from gcmhub.errors import BadParameter
from gcmhub.fund import ledger, reports
from gcmhub.fund.reports import FIGURES, SECTIONS, financial_table
from tests.fund import scenario

D = Decimal


def test_the_table_of_the_hand_checked_scenario(ctx: Context) -> None:
    scenario.whole(ctx)
    table = financial_table(ctx)
    total = {row.key: row.total for row in table.rows}
    # Sources: deposits of 1,000,000 USD and 500,000 EUR x 1.08 = 540,000 USD.
    assert total["contributions"] == D("1540000.00")
    assert total["interest"] == total["org_interest"] == 0
    assert total["total_sources"] == D("1540000.00")
    # Uses: 600,000 programmable + 7 % = 42,000 indirect: 642,000 transferred; 10,000 back.
    assert total["transfers"] == D("642000.00")
    assert total["indirect_costs"] == D("42000.00")
    assert total["refunds"] == D("-10000.00")
    assert total["net_funded"] == D("632000.00")
    # The AA fee, 1 % of each deposit: 10,000 + 5,400.
    assert total["aa_fee"] == D("15400.00")
    assert total["total_uses"] == D("647400.00")  # 632,000 + 15,400
    # Balance with the AA: 1,540,000 - 647,400 = 892,600 = 57.96 % of 1,540,000.
    assert total["balance_aa"] == D("892600.00")
    assert total["balance_aa_pct"] == D("57.96")
    # ... and it is the cash in the sub-funds: general 1,000,000 - 10,000 - 642,000 + 10,000
    # = 358,000; Mexico 540,000 - 5,400 = 534,600.
    funds = {s.earmark: s.available for s in ledger.sub_funds(ctx)}
    assert funds == {None: D("358000.00"), "country:MEX": D("534600.00")}
    assert sum(funds.values()) == total["balance_aa"]
    # With IOM: 642,000 transferred; 250,000 + 42,000 indirect spent; 10,000 refunded:
    # 340,000 left = 52.96 % of transfers; 292,000 / 642,000 = 45.48 % delivered.
    assert total["org_transfers"] == D("642000.00")
    assert total["org_expenditure"] == D("292000.00")
    assert total["org_refunds"] == D("10000.00")
    assert total["balance_orgs"] == D("340000.00")
    assert total["balance_orgs"] == ledger.account_balance(ctx, "orgs:IOM")
    assert total["balance_orgs_pct"] == D("52.96")
    assert total["delivery_pct"] == D("45.48")
    # Pledges: 1,540,000 signed, all deposited.
    assert total["pledged"] == D("1540000.00") and total["pledges_outstanding"] == 0


def test_the_period_columns_split_before_and_within(ctx: Context) -> None:
    scenario.whole(ctx)  # contributions on 2 March, the rest on 30 September 2026
    table = financial_table(ctx, start=date(2026, 7, 1), end=date(2026, 12, 31))
    contributions = table.row("contributions")
    assert (contributions.prior, contributions.period) == (D("1540000.00"), 0)
    transfers = table.row("transfers")
    assert (transfers.prior, transfers.period, transfers.total) == (
        0,
        D("642000.00"),
        D("642000.00"),
    )
    assert table.row("balance_aa").prior == D("1524600.00")  # 1,540,000 - 15,400 fees
    assert table.row("balance_aa").period == D("-632000.00")
    early = financial_table(ctx, end=date(2026, 6, 30))
    assert early.row("transfers").total == 0
    assert early.row("balance_orgs_pct").total is None  # no transfers: no percentage
    with pytest.raises(BadParameter, match="starts after it ends"):
        financial_table(ctx, start=date(2027, 1, 1), end=date(2026, 1, 1))


def test_a_reversal_counts_as_what_it_reverses(ctx: Context) -> None:
    scenario.whole(ctx)
    transfer = ledger.transaction_list(ctx, kind="transfer")[0]
    made = reports.transfer(ctx, "P-2", "UNDP", "1000")  # the plan's name for fund_transfer
    ledger.ledger_reverse(ctx, made.transaction, "wrong project")
    assert financial_table(ctx).row("transfers").total == D("642000.00")
    assert transfer.reversed_by is None


def _expanded(formula: list[str], sign: int = 1) -> list[tuple[int, str]]:
    """Turn a row's formula into signed figures (rows it refers to are expanded)."""
    rows = {key: f for _, lines in SECTIONS for key, _, f in lines}
    terms: list[tuple[int, str]] = []
    for term in formula:
        if term.startswith("%"):
            continue  # a ratio adds nothing up
        own = -1 if term[0] == "-" else 1
        name = term[1:]
        if name in FIGURES:
            terms.append((sign * own, name))
        else:
            terms += _expanded(rows[name], sign * own)
    return terms


def test_no_row_adds_up_figures_of_different_stages() -> None:
    stage = {name: spec[0] for name, spec in FIGURES.items()}
    forbidden = [{"pledge", "deposit"}, {"transfer", "expenditure"}]
    for _, lines in SECTIONS:
        for key, _, formula in lines:
            terms = _expanded(formula)
            added = {stage[name] for sign, name in terms if sign > 0}
            for pair in forbidden:
                assert not pair <= added, f"row {key} adds {pair}"
            stages = {stage[name] for _, name in terms}
            if "transfer" in stages and "expenditure" in stages:
                # Only ever expenditure taken from transfers (a balance), never the reverse.
                assert all(s < 0 for s, name in terms if stage[name] == "expenditure"), key
            if "pledge" in stages:
                assert stages == {"pledge"}, f"row {key} mixes pledges with money"
    # The same rule, read off the rows the table holds.
    assert {r.key for r in financial_table_rows()} >= {"balance_aa", "balance_orgs"}


def financial_table_rows() -> list[reports.Row]:
    from gcmhub.runtime import open_context

    with open_context() as ctx:
        return financial_table(ctx).rows


def test_cli_report_and_balances(cli) -> None:  # type: ignore[no-untyped-def]
    from gcmhub.runtime import open_context

    with open_context() as ctx:
        scenario.whole(ctx)
    done = cli("fund", "report")
    assert done.code == 0, done.err
    assert "Balance with the Administrative Agent" in done.out and "892,600.00" in done.out
    assert "57.96 %" in done.out
    shown = cli("fund", "report", "--json", "--start", "2026-07-01")
    assert '"key": "balance_orgs"' in shown.out
    assert cli("fund", "report", "--start", "2026-99-01").code == 2
    balances = cli("fund", "balances")
    assert "orgs:IOM" in balances.out and "340,000.00" in balances.out
