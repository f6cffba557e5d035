"""Projects: money allocated to approved proposals, released in tranches, reported on.

A project is an approved proposal that money was allocated to (its reference is the
proposal's). The money moves only in the ledger (`gcmhub.fund.ledger`):

| operation | debit | credit |
| --- | --- | --- |
| allocation | `allocated:E` | `cash:E` |
| tranche released (total T) | `orgs:O` P, `indirect_costs` T - P | `allocated:E` T |
| expenditure reported | `expenditure` | `orgs:O` |

E is a sub-fund (the general fund, or one earmarked to a thematic area, region or country),
O a participating organization. A tranche's amount T is what leaves the allocation, the
organization's indirect costs included: P = T / (1 + GCMHUB_FUND_INDIRECT_RATE) to the cent,
so an approved budget that includes its indirect costs is paid out exactly.

A call's allocation runs the allocation engine (`gcmhub.fund.allocation`) on the call's
approved proposals, scored by their appraisal's mean (0-100), with the sub-funds' unallocated
cash as sources and the call's rules; the preview explains every proposal and compares other
rules with the call's (what-if); applying it writes one ledger transaction per project. A
manual allocation funds one approved proposal from one named sub-fund. An allocation beyond a
sub-fund's unallocated cash is refused (422) and writes nothing.

Delivery rate: reported expenditure (indirect costs included, as spent on transfer) over the
money transferred. A later tranche is released once it reaches GCMHUB_FUND_TRANCHE_DELIVERY.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from gcmhub.accounts.audit import audit_record, now
from gcmhub.auth import authorize
from gcmhub.context import Context
from gcmhub.errors import Conflict, InvalidInput, NotFound
from gcmhub.fund import allocation as engine
from gcmhub.fund.calls import _appraise, _call, _proposal, call_rules, call_status
from gcmhub.fund.ledger import (
    ZERO,
    InsufficientFunds,
    Line,
    SubFund,
    allocated_account,
    base_currency,
    cash_account,
    earmark_code,
    earmark_label,
    fund_write,
    ledger_post,
    organization_code,
    sub_funds,
)
from gcmhub.fund.models import (
    Account,
    Allocation,
    Call,
    Entry,
    ProjectReport,
    Proposal,
    Tranche,
    Transaction,
)
from gcmhub.fund.money import format_money, to_minor
from gcmhub.fund.schemas import (
    AllocationPublic,
    AllocationWrite,
    ManualAllocationWrite,
    PortfolioLine,
    ProjectPublic,
    ReportPublic,
    ReportWrite,
    RuleLine,
    TranchePlanWrite,
    TranchePublic,
)
from gcmhub.fund.transfers import post_expenditure
from gcmhub.settings import get_settings
from gcmhub.taxonomy.actions import concept_closures

PURPOSE_CODE = 15190  # OECD DAC CRS: facilitation of orderly, safe, regular migration
PURPOSE_NAME = "Facilitation of orderly, safe, regular and responsible migration and mobility"
TOP_REGIONS = ("002", "009", "019", "142", "150")  # M49: Africa, Oceania, Americas, Asia, Europe
PROJECT_STATES = ("funded", "closed")


def _money(amount: Decimal) -> str:
    return format_money(amount, base_currency())


def country_region(ctx: Context, iso3: str | None) -> tuple[str | None, frozenset[str]]:
    """A country's M49 continental region code and every region id it belongs to."""
    if not iso3:
        return None, frozenset()
    closure = concept_closures(ctx).get(f"country:{iso3}")
    regions = frozenset(r for r in (closure.related if closure else ()) if r.startswith("region:"))
    top = next((c for c in TOP_REGIONS if f"region:{c}" in regions), None)
    return top, regions


# -- a call's allocation ----------------------------------------------------------------------


def _rules(stored: dict[str, Any], budget: Decimal) -> engine.Rules:
    def shares(values: dict[str, dict[str, Any]]) -> dict[str, engine.Share]:
        return {k: engine.Share(v.get("min"), v.get("max")) for k, v in values.items()}

    cap = stored.get("project_cap")
    return engine.Rules(
        budget=budget,
        area_shares=shares({k.lower(): v for k, v in (stored.get("area_shares") or {}).items()}),
        region_shares=shares(stored.get("region_shares") or {}),
        project_cap=Decimal(cap) if cap else None,
        gender_min_share=stored.get("gender_min_share"),
        one_per_country=bool(stored.get("one_per_country")),
        min_score=stored.get("min_score"),
    )


def _source_ref(sub_fund: SubFund) -> str:
    return sub_fund.earmark or "general"


def _inputs(
    ctx: Context, call: Call, stored: dict[str, Any]
) -> tuple[engine.Inputs, dict[str, Proposal]]:
    proposals = {
        p.ref: p
        for p in ctx.session.scalars(
            select(Proposal)
            .where(Proposal.call_id == call.id, Proposal.status == "approved")
            .order_by(Proposal.id)
        )
    }
    candidates = []
    for ref, proposal in proposals.items():
        region, regions = country_region(ctx, proposal.country)
        candidates.append(
            engine.Candidate(
                ref=ref,
                amount=proposal.amount or ZERO,
                score=_appraise(ctx, ref).mean or 0.0,
                thematic_area=(proposal.area or "").lower(),
                region=region or "",
                country=proposal.country or "",
                gender_marker=proposal.gender_marker or 0,
                tags=regions,
            )
        )
    sources = [
        engine.Source(_source_ref(s), s.available, s.kind_code)
        for s in sub_funds(ctx)
        if s.available > 0
    ]
    inputs = engine.Inputs(
        candidates=candidates,
        sources=sources,
        rules=_rules(stored, call.budget),
        currency=base_currency(),
    )
    return inputs, proposals


def allocation_preview(
    ctx: Context, ref: str, data: AllocationWrite | None = None
) -> AllocationPublic:
    """The portfolio the engine would fund now, with every proposal explained; stores nothing.

    Given other rules, it also says what they change against the call's own (what-if).
    """
    authorize(ctx, "appraisal_read")
    call = _call(ctx, ref)
    return _solve(ctx, call, data, applied=False)[0]


def _solve(
    ctx: Context, call: Call, data: AllocationWrite | None, applied: bool
) -> tuple[AllocationPublic, engine.Allocation, dict[str, Proposal]]:
    own = dict(call.rules or {})
    given = call_rules(ctx, data.rules) if data is not None and data.rules is not None else None
    inputs, proposals = _inputs(ctx, call, given if given is not None else own)
    if not inputs.candidates:
        raise Conflict(f"call {call.ref} has no approved proposal waiting for money")
    try:
        result = engine.allocate(inputs)
    except engine.InfeasibleRules as error:
        raise InvalidInput(f"rules: {error}") from None
    baseline = engine.greedy(inputs)
    what_if: list[str] = []
    if given is not None and given != own:
        own_inputs, _ = _inputs(ctx, call, own)
        try:
            change = engine.what_if(own_inputs, inputs.rules)
            first, *rest = change.sentences
            what_if = [f"Against the call's own rules: {first}", *rest]
        except engine.InfeasibleRules as error:
            what_if = [f"The call's own rules cannot be met together: {error}"]
    lines = []
    for candidate in inputs.candidates:
        proposal = proposals[candidate.ref]
        sources = {
            source: amount
            for (source, target), amount in result.money.items()
            if target == candidate.ref and amount > 0
        }
        if candidate.ref in result.chosen:
            outcome, text, needed = "funded", _funded_text(result, candidate.ref), None
        else:
            why = engine.explain(result, inputs, candidate.ref)
            outcome, text, needed = why.outcome, why.text, why.needed_score
        lines.append(
            PortfolioLine(
                proposal=candidate.ref,
                title=proposal.title,
                area=proposal.area,
                region=candidate.region or None,
                country=proposal.country,
                score=candidate.score,
                asked=proposal.amount,
                funded=result.funded.get(candidate.ref, ZERO),
                sources=sources,
                outcome=outcome,
                explanation=text,
                needed_score=needed,
            )
        )
    lines.sort(key=lambda line: (line.outcome != "funded", -(line.score or 0)))
    public = AllocationPublic(
        call=call.ref,
        applied=applied,
        status=result.status,
        currency=base_currency(),
        budget=call.budget,
        available={s.ref: s.available for s in inputs.sources},
        total_allocated=result.total_allocated,
        total_value=round(result.total_value, 2),
        greedy_value=round(baseline.total_value, 2),
        lines=lines,
        rules=[
            RuleLine(
                name=r.name,
                kind=r.kind,
                limit=r.limit,
                actual=r.actual,
                slack=r.slack,
                binds=r.binds,
                blocks=list(r.blocks),
                note=r.note,
            )
            for r in result.rules
        ],
        by_area={k.upper(): v for k, v in result.by_area.items()},
        by_region=dict(result.by_region),
        rules_used=given if given is not None else own,
        what_if=what_if,
        seconds=round(result.seconds, 3),
    )
    return public, result, proposals


def _funded_text(result: engine.Allocation, ref: str) -> str:
    binding = [r.name for r in result.rules if r.binds]
    text = f"Funded: {_money(result.funded[ref])}."
    if binding:
        text += " Rules that bind this portfolio: " + ", ".join(binding) + "."
    return text


def call_allocate(ctx: Context, ref: str, data: AllocationWrite | None = None) -> AllocationPublic:
    """Allocate a closed call's money as the engine chooses, in the ledger; the call is decided.

    Solved again inside the fund's lock, so the money it counts on is there when it is taken.
    """
    authorize(ctx, "call_allocate")
    call = _call(ctx, ref)
    status = call_status(call)
    if status == "open":
        raise Conflict(f"call {call.ref} is open until {call.deadline.isoformat()}")
    if status == "decided":
        raise Conflict(f"call {call.ref} was allocated already")
    with fund_write(ctx):
        public, result, proposals = _solve(ctx, call, data, applied=True)
        by_project: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
        for (source, target), amount in sorted(result.money.items()):
            if amount > 0:
                by_project[target].append((source, amount))
        for target, parts in by_project.items():
            earmarks = [(None if s == "general" else s, amount) for s, amount in parts]
            _allocate(ctx, proposals[target], earmarks, call, "milp", data.note if data else "")
        call.status = "decided"
        ctx.session.flush()
        audit_record(
            ctx,
            "call_allocate",
            f"fund_call:{call.ref}",
            {"status": "closed"},
            {
                "status": "decided",
                "funded": {k: str(v) for k, v in result.funded.items()},
                "rules": public.rules_used,
            },
        )
    return public


def _allocate(
    ctx: Context,
    proposal: Proposal,
    parts: list[tuple[str | None, Decimal]],
    call: Call | None,
    method: str,
    note: str,
) -> None:
    """Move each part of a sub-fund's cash into its allocated account, for one project."""
    lines: list[Line] = []
    for earmark, amount in parts:
        lines += [Line(allocated_account(earmark), amount), Line(cash_account(earmark), -amount)]
    total = sum((amount for _, amount in parts), ZERO)
    transaction = ledger_post(
        ctx,
        "allocation",
        lines,
        memo=f"Allocation of {_money(total)} to {proposal.ref}" + (f": {note}" if note else ""),
        reference=proposal.ref,
    )
    for earmark, amount in parts:
        ctx.session.add(
            Allocation(
                proposal_id=proposal.id,
                call_id=call.id if call else None,
                earmark=earmark,
                amount=amount,
                transaction_id=transaction.id,
                method=method,
                created_by=ctx.actor.name,
                created_at=now(),
            )
        )
    previous = proposal.status
    proposal.status = "funded"
    ctx.session.flush()
    _extend_plan(ctx, proposal, total)
    audit_record(
        ctx,
        "project_allocate",
        f"fund_proposal:{proposal.ref}",
        {"status": previous},
        {"status": "funded", "amount": str(total), "transaction": transaction.id},
    )


def project_allocate(ctx: Context, ref: str, data: ManualAllocationWrite) -> ProjectPublic:
    """Allocate money of one sub-fund to one approved (or funded) proposal."""
    authorize(ctx, "call_allocate")
    proposal = _proposal(ctx, ref)
    if proposal.status not in ("approved", "funded"):
        raise Conflict(f"proposal {proposal.ref} is {proposal.status}; money goes to approved ones")
    base = base_currency()
    amount = to_minor(data.amount, base)
    if amount != data.amount:
        raise InvalidInput(f"amount: {base} has no more than 2 decimals")
    with fund_write(ctx):
        earmark = earmark_code(ctx, data.earmark)
        already = _figures(ctx, [proposal.ref])[proposal.ref]["allocated"]
        approved = proposal.amount or ZERO
        if already + amount > approved:
            raise InvalidInput(
                f"amount: proposal {proposal.ref} was approved for {_money(approved)}; "
                f"{_money(already)} is allocated already"
            )
        cash = cash_account(earmark)
        held = next((s.available for s in sub_funds(ctx) if s.account == cash), ZERO)
        if held < amount:
            raise InsufficientFunds(
                f"amount: {earmark_label(ctx, earmark)} holds {_money(held)} not yet allocated; "
                f"this allocation is {_money(amount)}",
                cash,
            )
        call = ctx.session.get(Call, proposal.call_id) if proposal.call_id else None
        _allocate(ctx, proposal, [(earmark, amount)], call, "manual", data.note.strip())
    return project_show(ctx, proposal.ref)


# -- tranches ---------------------------------------------------------------------------------


def _tranches(ctx: Context, proposal: Proposal) -> list[Tranche]:
    return list(
        ctx.session.scalars(
            select(Tranche).where(Tranche.proposal_id == proposal.id).order_by(Tranche.number)
        )
    )


def _default_shares() -> list[Decimal]:
    shares = [Decimal(p.strip()) for p in get_settings().fund_tranches.split(",")]
    if sum(shares) != 100 or any(s <= 0 for s in shares):
        raise InvalidInput("GCMHUB_FUND_TRANCHES: shares in % above zero, summing to 100")
    return shares


def _condition(number: int) -> str:
    if number == 1:
        return "On allocation."
    share = get_settings().fund_tranche_delivery * 100
    return f"When reported expenditure reaches {share.normalize():f} % of the money transferred."


def _extend_plan(ctx: Context, proposal: Proposal, amount: Decimal) -> None:
    """Plan new money: by the default shares when the project has no plan, else one more
    tranche for the lead organization."""
    existing = _tranches(ctx, proposal)
    lead = organization_code((proposal.participating or ["UNDP"])[0])
    base = base_currency()
    if existing:
        amounts = [amount]
    else:
        shares = _default_shares()
        amounts = [to_minor(amount * s / 100, base) for s in shares[:-1]]
        amounts.append(amount - sum(amounts, ZERO))
    start = len(existing)
    for offset, part in enumerate(a for a in amounts if a > 0):
        number = start + offset + 1
        ctx.session.add(
            Tranche(
                proposal_id=proposal.id,
                number=number,
                organization=lead,
                amount=part,
                condition=_condition(number),
            )
        )
    ctx.session.flush()


def tranche_plan(ctx: Context, ref: str, data: TranchePlanWrite) -> ProjectPublic:
    """Replace a project's planned (unreleased) tranches; they must sum to what is left."""
    proposal = _project(ctx, ref)
    authorize(ctx, "tranche_write", proposal)
    base = base_currency()
    participating = {organization_code(o): o for o in proposal.participating or []}
    with fund_write(ctx):
        tranches = _tranches(ctx, proposal)
        released = [t for t in tranches if t.transaction_id is not None]
        left = _figures(ctx, [proposal.ref])[proposal.ref]["to_transfer"]
        planned = ZERO
        for index, wanted in enumerate(data.tranches):
            organization = organization_code(wanted.organization, f"tranches.{index}")
            if organization not in participating:
                raise InvalidInput(
                    f"tranches.{index}.organization: {organization} is not a participating "
                    f"organization of {proposal.ref} ({', '.join(participating) or 'none'})"
                )
            planned += to_minor(wanted.amount, base)
        if planned != left:
            raise InvalidInput(
                f"tranches: the plan sums to {_money(planned)}; {_money(left)} of the "
                "allocation is left to transfer"
            )
        before = [[t.number, t.organization, str(t.amount)] for t in tranches]
        for tranche in tranches:
            if tranche.transaction_id is None:
                ctx.session.delete(tranche)
        ctx.session.flush()
        for offset, given in enumerate(data.tranches):
            number = len(released) + offset + 1
            ctx.session.add(
                Tranche(
                    proposal_id=proposal.id,
                    number=number,
                    organization=organization_code(given.organization),
                    amount=to_minor(given.amount, base),
                    due=given.due,
                    condition=given.condition.strip() or _condition(number),
                )
            )
        ctx.session.flush()
        audit_record(
            ctx,
            "tranche_plan",
            f"fund_proposal:{proposal.ref}",
            {"tranches": before},
            {"tranches": [[t.organization, str(t.amount)] for t in data.tranches]},
        )
    return project_show(ctx, proposal.ref)


def tranche_release(ctx: Context, ref: str, number: int) -> ProjectPublic:
    """Transfer a planned tranche to its organization, from the project's allocation.

    Tranches go in order; a later one waits for the project's delivery rate to reach
    GCMHUB_FUND_TRANCHE_DELIVERY (409 saying where it stands).
    """
    proposal = _project(ctx, ref)
    authorize(ctx, "tranche_write", proposal)
    if proposal.status == "closed":
        raise Conflict(f"project {proposal.ref} is closed")
    base = base_currency()
    with fund_write(ctx):
        tranches = _tranches(ctx, proposal)
        tranche = next((t for t in tranches if t.number == number), None)
        if tranche is None:
            raise NotFound(f"project {proposal.ref} has no tranche {number}")
        if tranche.transaction_id is not None:
            raise Conflict(f"tranche {number} of {proposal.ref} was released already")
        waiting = [t.number for t in tranches if t.number < number and t.transaction_id is None]
        if waiting:
            raise Conflict(f"release tranche {waiting[0]} of {proposal.ref} first")
        figures = _figures(ctx, [proposal.ref])[proposal.ref]
        needed = get_settings().fund_tranche_delivery * 100
        delivery = figures["delivery_pct"]
        if figures["transferred"] > 0 and (delivery is None or delivery < needed):
            raise Conflict(
                f"tranche {number} of {proposal.ref} waits for delivery of {needed:.0f} %: "
                f"{delivery or 0:.1f} % of the money transferred is reported spent"
            )
        parts = _take(ctx, proposal.ref, tranche.amount)
        rate = get_settings().fund_indirect_rate
        programmable = to_minor(tranche.amount / (1 + rate), base)
        indirect = tranche.amount - programmable
        lines = [Line(f"orgs:{tranche.organization}", programmable)]
        if indirect:
            lines.append(Line("indirect_costs", indirect))
        lines += [Line(account, -amount) for account, amount in parts]
        transaction = ledger_post(
            ctx,
            "transfer",
            lines,
            memo=f"Tranche {number} of {proposal.ref} to {tranche.organization}",
            reference=proposal.ref,
        )
        tranche.transaction_id = transaction.id
        tranche.released_at = now()
        tranche.released_by = ctx.actor.name
        ctx.session.flush()
        audit_record(
            ctx,
            "tranche_release",
            f"fund_proposal:{proposal.ref}",
            None,
            {
                "tranche": number,
                "organization": tranche.organization,
                "programmable": str(programmable),
                "indirect": str(indirect),
                "transaction": transaction.id,
            },
        )
    return project_show(ctx, proposal.ref)


def _take(ctx: Context, ref: str, amount: Decimal) -> list[tuple[str, Decimal]]:
    """Which allocated accounts a tranche is paid from: the project's money left in each,
    earmarked money first."""
    left = _allocated_left(ctx, ref)
    total = sum(left.values(), ZERO)
    if total < amount:
        raise InsufficientFunds(
            f"amount: {ref} has {_money(total)} allocated and not yet transferred; this "
            f"tranche is {_money(amount)}",
            next(iter(left), "allocated:general"),
        )
    parts: list[tuple[str, Decimal]] = []
    rest = amount
    for account in sorted(left, key=lambda a: (a == "allocated:general", a)):
        part = min(left[account], rest)
        if part > 0:
            parts.append((account, part))
            rest -= part
    return parts


def _allocated_left(ctx: Context, ref: str) -> dict[str, Decimal]:
    rows = ctx.session.execute(
        select(Account.code, func.sum(Entry.amount))
        .join(Entry, Entry.account_id == Account.id)
        .join(Transaction, Transaction.id == Entry.transaction_id)
        .where(Transaction.reference == ref, Account.code.like("allocated:%"))
        .group_by(Account.code)
    )
    return {code: total for code, total in rows if total}


# -- reports ----------------------------------------------------------------------------------


def report_submit(ctx: Context, ref: str, data: ReportWrite) -> ProjectPublic:
    """Record a progress or final report: results, and expenditure posted to the ledger.

    Each organization's expenditure may not exceed what it holds for the fund (422); a report
    is all or nothing. The final report closes the project.
    """
    proposal = _project(ctx, ref)
    authorize(ctx, "project_report", proposal)
    if proposal.status == "closed":
        raise Conflict(f"project {proposal.ref} is closed: its final report is in")
    base = base_currency()
    participating = {organization_code(o) for o in proposal.participating or []}
    with fund_write(ctx):
        spent: list[dict[str, Any]] = []
        for index, line in enumerate(data.expenditure):
            organization = organization_code(line.organization, f"expenditure.{index}")
            if organization not in participating:
                raise InvalidInput(
                    f"expenditure.{index}.organization: {organization} does not take part in "
                    f"{proposal.ref}"
                )
            amount = to_minor(line.amount, base)
            transaction = post_expenditure(
                ctx,
                proposal.ref,
                organization,
                amount,
                value_date=data.period_end,
                memo=f"{data.kind} report to {data.period_end.isoformat()}",
                on_behalf=proposal,
            )
            spent.append(
                {"organization": organization, "amount": str(amount), "transaction": transaction.id}
            )
        count = ctx.session.scalar(
            select(func.count())
            .select_from(ProjectReport)
            .where(ProjectReport.proposal_id == proposal.id)
        )
        report = ProjectReport(
            proposal_id=proposal.id,
            number=int(count or 0) + 1,
            kind=data.kind,
            period_end=data.period_end,
            narrative=data.narrative.strip(),
            results=[r.model_dump() for r in data.results],
            expenditure=spent,
            submitted_by=ctx.actor.name,
            submitted_at=now(),
        )
        ctx.session.add(report)
        if data.kind == "final":
            proposal.status = "closed"
        ctx.session.flush()
        audit_record(
            ctx,
            "project_report",
            f"fund_proposal:{proposal.ref}",
            None,
            {"report": report.number, "kind": data.kind, "expenditure": spent},
        )
    return project_show(ctx, proposal.ref)


# -- reading ----------------------------------------------------------------------------------


def _project(ctx: Context, ref: str) -> Proposal:
    proposal = _proposal(ctx, ref)
    if proposal.status not in PROJECT_STATES:
        raise NotFound(f"no project '{str(ref)[:40]}': money was never allocated to it")
    return proposal


def _figures(ctx: Context, refs: list[str]) -> dict[str, dict[str, Any]]:
    """Each project's money by stage, read off the ledger (reversals net out)."""
    original = aliased(Transaction)
    kind = func.coalesce(original.kind, Transaction.kind)
    sums: dict[str, dict[str, Decimal]] = {r: defaultdict(lambda: ZERO) for r in refs}
    if refs:
        rows = ctx.session.execute(
            select(Transaction.reference, Account.code, kind, func.sum(Entry.amount))
            .join(Entry, Entry.transaction_id == Transaction.id)
            .join(Account, Account.id == Entry.account_id)
            .outerjoin(original, original.id == Transaction.reversal_of)
            .where(Transaction.reference.in_(refs))
            .group_by(Transaction.reference, Account.code, kind)
        )
        for ref, code, k, total in rows:
            figures = sums[str(ref)]
            if code.startswith("allocated:"):
                figures["allocated_left"] += total
                if k == "allocation":
                    figures["allocated"] += total
            elif k == "transfer" and (code.startswith("orgs:") or code == "indirect_costs"):
                figures["transferred"] += total
                if code == "indirect_costs":
                    figures["indirect"] += total
            elif code == "expenditure":
                figures["expenditure"] += total
            elif k == "refund" and code.startswith("orgs:"):
                figures["refunded"] -= total
    result: dict[str, dict[str, Any]] = {}
    for ref, figures in sums.items():
        transferred = figures["transferred"]
        spent = figures["expenditure"] + figures["indirect"]
        result[ref] = {
            "allocated": figures["allocated"],
            "transferred": transferred,
            "indirect": figures["indirect"],
            "expenditure": spent,
            "refunded": figures["refunded"],
            "to_transfer": figures["allocated_left"],
            "delivery_pct": (spent / transferred * 100).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
            if transferred
            else None,
        }
    return result


def _project_public(
    ctx: Context, proposal: Proposal, figures: dict[str, Any], detail: bool = True
) -> ProjectPublic:
    call = ctx.session.get(Call, proposal.call_id) if proposal.call_id else None
    region, _ = country_region(ctx, proposal.country)
    tranches = _tranches(ctx, proposal) if detail else []
    reports = (
        list(
            ctx.session.scalars(
                select(ProjectReport)
                .where(ProjectReport.proposal_id == proposal.id)
                .order_by(ProjectReport.number)
            )
        )
        if detail
        else []
    )
    if proposal.status == "closed":
        status = "closed"
    else:
        status = "ongoing" if figures["transferred"] > 0 else "funded"
    return ProjectPublic(
        id=proposal.ref,
        title=proposal.title,
        summary=proposal.summary,
        call=call.ref if call else None,
        area=proposal.area,
        country=proposal.country,
        region=region,
        objectives=list(proposal.objectives or []),
        participating=list(proposal.participating or []),
        gender_marker=proposal.gender_marker,
        human_rights_marker=proposal.human_rights_marker,
        child_marker=proposal.child_marker,
        status=status,
        currency=base_currency(),
        approved=proposal.amount,
        purpose_code=PURPOSE_CODE,
        tranches=[
            TranchePublic(
                number=t.number,
                organization=t.organization,
                amount=t.amount,
                due=t.due,
                condition=t.condition,
                status="released" if t.transaction_id else "planned",
                transaction=t.transaction_id,
                released_at=t.released_at,
            )
            for t in tranches
        ],
        reports=[
            ReportPublic(
                number=r.number,
                kind=r.kind,
                period_end=r.period_end,
                narrative=r.narrative,
                results=list(r.results),
                expenditure=list(r.expenditure),
                submitted_by=r.submitted_by,
                submitted_at=r.submitted_at,
            )
            for r in reports
        ],
        **figures,
    )


def project_show(ctx: Context, ref: str) -> ProjectPublic:
    """A project with its money, tranches and reports (public, as on the fund's gateway)."""
    proposal = _project(ctx, ref)
    return _project_public(ctx, proposal, _figures(ctx, [proposal.ref])[proposal.ref])


def project_list(
    ctx: Context,
    area: str | None = None,
    country: str | None = None,
    status: str | None = None,
    detail: bool = False,
) -> list[ProjectPublic]:
    """Every project, the latest funded first; filters on area, country and status."""
    query = select(Proposal).where(Proposal.status.in_(PROJECT_STATES)).order_by(Proposal.id.desc())
    if area:
        query = query.where(func.upper(Proposal.area) == area.strip().upper())
    if country:
        query = query.where(Proposal.country == country.strip().upper())
    proposals = list(ctx.session.scalars(query))
    figures = _figures(ctx, [p.ref for p in proposals])
    projects = [_project_public(ctx, p, figures[p.ref], detail) for p in proposals]
    return [p for p in projects if status is None or p.status == status]
