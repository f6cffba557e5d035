"""Commands: `gcmhub fund donors|pledge|deposit|ledger|balances|check|report|calls|areas|
area-map|pipeline|allocate|projects|release|donor-report`."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table

from gcmhub.console import fail, out, print_json
from gcmhub.errors import InvalidInput
from gcmhub.fund import calls, contributions, gateway, ledger, projects, reports
from gcmhub.fund.money import format_money
from gcmhub.fund.schemas import (
    AllocationWrite,
    CallWrite,
    DepositWrite,
    DonorWrite,
    PledgeWrite,
)
from gcmhub.runtime import open_context

fund_app = typer.Typer(
    no_args_is_help=True,
    help="Start-up fund: donors, pledges, deposits, the ledger and the financial table.",
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
DateOption = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="A day (YYYY-MM-DD).")
]
Model = TypeVar("Model", bound=BaseModel)


def _checked(model: type[Model], **data: Any) -> Model:
    """Build an input model, saying what is wrong in one line (naming the field)."""
    try:
        return model(**data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "input"
        raise InvalidInput(f"{where}: {first['msg']}") from None


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency)


@fund_app.command("donors")
def donors(
    add: Annotated[str | None, typer.Option("--add", help="Record a donor by this name.")] = None,
    type_: Annotated[
        str,
        typer.Option("--type", help="member_state, un, ifi, private_sector, foundation or other."),
    ] = "member_state",
    country: Annotated[str | None, typer.Option(help="The donor's country (ISO3 or name).")] = None,
    as_json: JsonOption = False,
) -> None:
    """List donors with pledged, deposited and outstanding (or record one with --add)."""
    with open_context() as ctx:
        if add is not None:
            made = contributions.donor_create(
                ctx, _checked(DonorWrite, name=add, type=type_, country=country)
            )
            if as_json:
                print_json(made)
            else:
                out.print(f"Donor {made.id} recorded: {made.name}.")
            return
        found = contributions.donor_list(ctx)
    if as_json:
        print_json(found)
        return
    table = Table("id", "donor", "type", "country", "pledged", "deposited", "outstanding")
    for d in found:
        table.add_row(
            d.id,
            d.name,
            contributions.DONOR_TYPES.get(d.type, d.type),
            d.country or "",
            _money(d.pledged, d.currency),
            _money(d.deposited, d.currency),
            _money(d.outstanding, d.currency),
        )
    out.print(table)


def _instalment(text: str) -> dict[str, str]:
    due, sep, amount = text.partition("=")
    if not sep:
        raise InvalidInput(f"--instalment: write DUE=AMOUNT (2027-06-30=250000), not '{text}'")
    return {"due": due.strip(), "amount": amount.strip()}


@fund_app.command("pledge")
def pledge(
    donor: Annotated[str, typer.Argument(help="The donor's id (D-0001).")],
    amount: Annotated[str, typer.Argument(help="The amount: 1000000 or 1,000,000.00.")],
    currency: Annotated[str, typer.Argument(help="ISO 4217 code: USD, EUR…")],
    rate: Annotated[
        str | None, typer.Option(help="Units of the fund's currency for one of this one.")
    ] = None,
    rate_date: DateOption = None,
    earmark: Annotated[
        str | None, typer.Option(help="general (default), area:N or country:ISO3.")
    ] = None,
    pledged_on: DateOption = None,
    instalment: Annotated[
        list[str] | None,
        typer.Option(help="DUE=AMOUNT, repeated for a multi-year schedule."),
    ] = None,
    memo: Annotated[str, typer.Option(help="A note kept with the pledge.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Record a pledge (a signed contribution agreement)."""
    data = _checked(
        PledgeWrite,
        donor=donor,
        amount=amount,
        currency=currency,
        rate=rate,
        rate_date=_day(rate_date),
        earmark=earmark,
        pledged_on=_day(pledged_on),
        schedule=[_instalment(i) for i in instalment or []],
        memo=memo,
    )
    with open_context() as ctx:
        made = contributions.pledge_create(ctx, data)
    if as_json:
        print_json(made)
        return
    out.print(
        f"Pledge {made.id} by {made.donor_name}: {_money(made.amount, made.currency)} "
        f"({_money(made.amount_base, ledger.base_currency())}), "
        f"{len(made.schedule)} instalment(s), earmark {made.earmark or 'none'}."
    )


@fund_app.command("deposit")
def deposit(
    pledge: Annotated[str, typer.Argument(help="The pledge's id (C-0001).")],
    amount: Annotated[str, typer.Argument(help="The amount received.")],
    currency: Annotated[str, typer.Argument(help="ISO 4217 code, the pledge's.")],
    rate: Annotated[
        str | None, typer.Option(help="Units of the fund's currency for one of this one.")
    ] = None,
    rate_date: DateOption = None,
    deposited_on: DateOption = None,
    allow_excess: Annotated[
        bool, typer.Option("--allow-excess", help="Accept more than the pledge's outstanding.")
    ] = False,
    memo: Annotated[str, typer.Option(help="A note kept with the deposit.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Record a deposit against a pledge; the Administrative Agent fee is taken."""
    data = _checked(
        DepositWrite,
        pledge=pledge,
        amount=amount,
        currency=currency,
        rate=rate,
        rate_date=_day(rate_date),
        deposited_on=_day(deposited_on),
        allow_excess=allow_excess,
        memo=memo,
    )
    with open_context() as ctx:
        made = contributions.deposit_create(ctx, data)
    if as_json:
        print_json(made)
        return
    base = ledger.base_currency()
    out.print(
        f"Deposit {made.id} against {made.pledge}: {_money(made.amount, made.currency)} = "
        f"{_money(made.amount_base, base)}, fee {_money(made.fee_base, base)}, "
        f"transaction {made.transaction}."
    )


@fund_app.command("ledger")
def ledger_(
    kind: Annotated[str | None, typer.Option(help="Only this kind: deposit, transfer…")] = None,
    reference: Annotated[str | None, typer.Option(help="Only this reference.")] = None,
    account: Annotated[str | None, typer.Option(help="Only transactions on this account.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="Transactions to show.")] = 1000,
    as_json: JsonOption = False,
) -> None:
    """Show the ledger: transactions with their entries, in the order posted."""
    with open_context() as ctx:
        found = ledger.transaction_list(ctx, kind, reference, account, 0, limit)
    if as_json:
        print_json(found)
        return
    table = Table("id", "date", "kind", "reference", "account", "debit", "credit", "original")
    for t in found:
        for n, e in enumerate(t.entries):
            original = "" if e.rate == 1 else f"{e.original_amount} {e.currency} @ {e.rate}"
            table.add_row(
                str(t.id) if n == 0 else "",
                t.value_date.isoformat() if n == 0 else "",
                (t.kind + (f" of {t.reversal_of}" if t.reversal_of else "")) if n == 0 else "",
                (t.reference or "") if n == 0 else "",
                e.account,
                f"{e.amount:,.2f}" if e.amount > 0 else "",
                f"{-e.amount:,.2f}" if e.amount < 0 else "",
                original,
            )
    out.print(table)


@fund_app.command("balances")
def balances(as_json: JsonOption = False) -> None:
    """Show every account's stored balance, on its normal side."""
    with open_context() as ctx:
        found = ledger.balance_list(ctx)
    if as_json:
        print_json(found)
        return
    table = Table("account", "kind", "balance", "name")
    for b in found:
        table.add_row(b.code, b.kind, f"{b.normal_balance:,.2f} {b.currency}", b.name)
    out.print(table)


@fund_app.command("check")
def check(as_json: JsonOption = False) -> None:
    """Prove the ledger sound: balances recomputed from entries equal the stored ones."""
    with open_context() as ctx:
        found = ledger.ledger_check(ctx)
    if as_json:
        print_json(found)
    elif not found.problems:
        out.print(
            f"The ledger is sound: {found.transactions} transactions, {found.entries} entries, "
            f"{found.accounts} accounts; every stored balance equals its entries."
        )
    if found.problems:
        fail(f"the ledger is not sound: {'; '.join(found.problems[:5])}")


@fund_app.command("report")
def report(
    start: DateOption = None,
    end: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the standard pass-through financial table (stages never added together)."""
    with open_context() as ctx:
        table = reports.financial_table(ctx, _day(start), _day(end))
    if as_json:
        print_json(table)
        return
    shown = Table(
        "",
        f"before {table.start}" if table.start else "before",
        "period",
        f"total to {table.end}" if table.end else "total",
        title=f"Financial table ({table.currency})",
    )
    section = ""
    for row in table.rows:
        if row.section != section:
            section = row.section
            shown.add_row(f"[bold]{section}[/bold]", "", "", "")
        cells = [_cell(v, row.unit) for v in (row.prior, row.period, row.total)]
        shown.add_row(f"  {row.label}", *cells)
    out.print(shown)


def _cell(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    return f"{value:.2f} %" if unit == "%" else f"{value:,.2f}"


def register(app: typer.Typer) -> None:
    """Add `gcmhub fund …` to the command line."""
    app.add_typer(fund_app, name="fund")


@fund_app.command("calls")
def calls_command(
    add: Annotated[str | None, typer.Option("--add", help="Open a call with this title.")] = None,
    budget: Annotated[str | None, typer.Option(help="The call's budget (with --add).")] = None,
    deadline: DateOption = None,
    area: Annotated[
        list[str] | None, typer.Option(help="A thematic area (TA1…), repeated; none: all.")
    ] = None,
    min_un_entities: Annotated[int, typer.Option(help="UN entities taking part, at least.")] = 2,
    no_endorsement: Annotated[
        bool, typer.Option("--no-endorsement", help="Do not require the government's.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List calls for proposals (or open one with --add TITLE --budget B --deadline D)."""
    with open_context() as ctx:
        if add is not None:
            if budget is None or deadline is None:
                raise InvalidInput("--add needs --budget and --deadline")
            made = calls.call_create(
                ctx,
                _checked(
                    CallWrite,
                    title=add,
                    budget=budget,
                    deadline=_day(deadline),
                    areas=area or [],
                    min_un_entities=min_un_entities,
                    endorsement_required=not no_endorsement,
                ),
            )
            if as_json:
                print_json(made)
            else:
                out.print(f"Call {made.id} opened: {made.title}, until {made.deadline}.")
            return
        found = calls.call_list(ctx)
    if as_json:
        print_json(found)
        return
    table = Table("id", "call", "budget", "areas", "deadline", "status", "proposals")
    for c in found:
        table.add_row(
            c.id,
            c.title,
            _money(c.budget, c.currency),
            ", ".join(c.areas),
            c.deadline.isoformat(),
            c.status,
            str(c.proposals),
        )
    out.print(table)


@fund_app.command("areas")
def areas_command(as_json: JsonOption = False) -> None:
    """List the fund's thematic areas with the GCM objectives mapped to each."""
    with open_context() as ctx:
        found = calls.area_list(ctx)
    if as_json:
        print_json(found)
        return
    table = Table("code", "thematic area", "GCM objectives")
    for a in found:
        mapped = ", ".join(o.removeprefix("objective:") for o in a.objectives)
        table.add_row(a.code, a.label, mapped or "(not mapped)")
    out.print(table)


@fund_app.command("area-map")
def area_map_command(
    code: Annotated[str, typer.Argument(help="The thematic area's code (TA1…).")],
    objectives: Annotated[list[int], typer.Argument(help="GCM objective numbers (1-23).")],
    as_json: JsonOption = False,
) -> None:
    """Set which GCM objectives a thematic area covers (replacing its mapping)."""
    with open_context() as ctx:
        made = calls.area_map(ctx, code, list(objectives))
    if as_json:
        print_json(made)
        return
    mapped = ", ".join(o.removeprefix("objective:") for o in made.objectives)
    out.print(f"{made.code} ({made.label}) covers objectives {mapped or 'none'}.")


@fund_app.command("pipeline")
def pipeline_command(as_json: JsonOption = False) -> None:
    """List approved proposals with no transfer yet."""
    with open_context() as ctx:
        found = calls.pipeline(ctx)
    if as_json:
        print_json(found)
        return
    table = Table("id", "proposal", "area", "country", "amount", "score", "markers G/HR/C")
    for p in found:
        table.add_row(
            p.id,
            p.title,
            p.area or "",
            p.country or "",
            _money(p.amount, p.currency) if p.amount is not None else "",
            "" if p.score is None else f"{p.score:.1f}",
            f"{p.gender_marker}/{p.human_rights_marker}/{p.child_marker}",
        )
    out.print(table)


@fund_app.command("allocate")
def allocate_command(
    call: Annotated[str, typer.Argument(help="The call, e.g. CFP-2027-01.")],
    rules: Annotated[
        typer.FileText | None,
        typer.Option(help="A JSON file of rules to use instead of the call's (what-if)."),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Allocate in the ledger (else: a preview).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Preview a call's allocation with every proposal explained, or apply it (--apply)."""
    given = None
    if rules is not None:
        try:
            given = json.load(rules)
        except ValueError as error:
            raise InvalidInput(f"{rules.name}: not JSON ({error})") from None
    data = _checked(AllocationWrite, rules=given)
    with open_context() as ctx:
        action = projects.call_allocate if apply else projects.allocation_preview
        found = action(ctx, call, data)
    if as_json:
        print_json(found)
        return
    table = Table("proposal", "score", "asked", "funded", "outcome", "why", title=found.call)
    for line in found.lines:
        table.add_row(
            line.proposal,
            "" if line.score is None else f"{line.score:.1f}",
            _money(line.asked, found.currency) if line.asked is not None else "",
            _money(line.funded, found.currency),
            line.outcome,
            line.explanation,
        )
    out.print(table)
    verb = "Allocated" if found.applied else "Would allocate"
    out.print(
        f"{verb} {_money(found.total_allocated, found.currency)} of "
        f"{_money(found.budget, found.currency)}; value {found.total_value:,.0f} "
        f"(greedy by score: {found.greedy_value:,.0f})."
    )
    for sentence in found.what_if:
        out.print(sentence)


@fund_app.command("projects")
def projects_command(as_json: JsonOption = False) -> None:
    """List projects: allocated, transferred, spent and the delivery rate."""
    with open_context() as ctx:
        found = projects.project_list(ctx)
    if as_json:
        print_json(found)
        return
    table = Table("id", "project", "country", "area", "allocated", "transferred", "delivery")
    for p in found:
        table.add_row(
            p.id,
            p.title,
            p.country or "",
            p.area or "",
            _money(p.allocated, p.currency),
            _money(p.transferred, p.currency),
            "" if p.delivery_pct is None else f"{p.delivery_pct} %",
        )
    out.print(table)


@fund_app.command("release")
def release_command(
    project: Annotated[str, typer.Argument(help="The project (its proposal's reference).")],
    number: Annotated[int, typer.Argument(help="The tranche's number.")],
    as_json: JsonOption = False,
) -> None:
    """Release a project's planned tranche to its organization."""
    with open_context() as ctx:
        found = projects.tranche_release(ctx, project, number)
    if as_json:
        print_json(found)
        return
    tranche = next(t for t in found.tranches if t.number == number)
    out.print(
        f"Tranche {number} of {found.id}: {_money(tranche.amount, found.currency)} to "
        f"{tranche.organization} (transaction {tranche.transaction})."
    )


@fund_app.command("donor-report")
def donor_report_command(
    donor: Annotated[str, typer.Argument(help="The donor, e.g. D-0001.")],
    as_json: JsonOption = False,
) -> None:
    """A donor's deposits, sub-fund shares and the projects their money went to (pro rata)."""
    with open_context() as ctx:
        found = gateway.donor_report(ctx, donor)
    if as_json:
        print_json(found)
        return
    cur = found.currency
    out.print(f"[bold]{found.donor.name}[/bold] ({found.donor.id})")
    shares = Table("sub-fund", "donor's net deposits", "all net deposits", "share")
    for s in found.sub_funds:
        shares.add_row(s.name, _money(s.donor_net, cur), _money(s.all_net, cur), f"{s.share_pct} %")
    out.print(shares)
    table = Table("project", "country", "sub-fund", "allocated", "donor's part")
    for p in found.projects:
        table.add_row(
            f"{p.project} {p.title}",
            p.country or "",
            p.sub_fund,
            _money(p.allocated, cur),
            _money(p.attributed, cur),
        )
    out.print(table)
    out.print(
        f"Attributed {_money(found.attributed, cur)}; not yet allocated "
        f"{_money(found.unallocated, cur)}. {found.method}"
    )
