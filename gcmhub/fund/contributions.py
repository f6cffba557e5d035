"""Contributions: donors, pledges (earmarked or not, paid over years) and deposits.

What each writes in the ledger (base currency, debit positive; E is the pledge's sub-fund):

| operation | debit | credit |
| --- | --- | --- |
| pledge P at rate r | `pledges_receivable` P x r | `pledges_unpaid` |
| deposit D at rate s | `cash:E` D x s | `contributions:DONOR` |
| … its AA fee | `aa_fee` (D x fee) x s | `cash:E` |
| … settling the pledge | `pledges_unpaid` (part of P) x r | `pledges_receivable` |

A pledge is a commitment, not money: it lives in its own pair of accounts and is never added
to deposits. A deposit's part within the pledge settles it at the pledge's rate; the cash is
counted at the deposit's own rate. The receivable of a pledge is kept at exactly its
outstanding amount at the pledge's rate: a cent of rounding left by partial deposits (or by
reversing one) is put right by a pair of lines in the base currency alone, so the pair clears
exactly when the pledge is paid. A deposit beyond what is outstanding is refused (422) unless
`allow_excess`: the excess is then a contribution that was not pledged.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from gcmhub.accounts.audit import actor_key, audit_record, now
from gcmhub.auth import authorize
from gcmhub.context import Context
from gcmhub.errors import Conflict, InvalidInput, NotFound
from gcmhub.fund.ledger import (
    ZERO,
    Line,
    base_currency,
    cash_account,
    earmark_code,
    fund_write,
    ledger_post,
    reversed_ids,
)
from gcmhub.fund.models import Account, Deposit, Donor, Entry, Instalment, Pledge, Transaction
from gcmhub.fund.money import (
    convert,
    converted,
    currency_code,
    format_money,
    parse_amount,
    parse_rate,
    to_minor,
)
from gcmhub.fund.schemas import (
    DepositPublic,
    DepositWrite,
    DonorPublic,
    DonorWrite,
    InstalmentPublic,
    PledgePublic,
    PledgeWrite,
)
from gcmhub.settings import get_settings

DONOR_TYPES = {
    "member_state": "Member State",
    "un": "UN entity",
    "ifi": "International financial institution",
    "private_sector": "Private sector",
    "foundation": "Foundation",
    "other": "Other",
}


def _ref(ctx: Context, model: type[Donor] | type[Pledge] | type[Deposit], prefix: str) -> str:
    count = ctx.session.scalar(select(func.count()).select_from(model)) or 0
    return f"{prefix}-{count + 1:04d}"


def donor_create(ctx: Context, data: DonorWrite) -> DonorPublic:
    """Record a donor (fund manager)."""
    authorize(ctx, "donor_create")
    if data.type not in DONOR_TYPES:
        raise InvalidInput(f"type: one of {', '.join(DONOR_TYPES)}")
    with fund_write(ctx):
        name = " ".join(data.name.split())
        if name.casefold() in {n.casefold() for n in ctx.session.scalars(select(Donor.name))}:
            raise Conflict(f"a donor named '{name}' is recorded already")
        country = None
        if data.country and data.country.strip():
            from gcmhub.hub.concepts import Names

            country = Names(ctx).country(data.country)
        donor = Donor(
            ref=_ref(ctx, Donor, "D"),
            name=name,
            type=data.type,
            country=country,
            created_at=now(),
        )
        ctx.session.add(donor)
        ctx.session.flush()
        audit_record(
            ctx,
            "donor_create",
            f"fund_donor:{donor.ref}",
            None,
            {"name": name, "type": data.type, "country": country},
        )
    return donor_list(ctx, donor.ref)[0]


def _donor(ctx: Context, ref: str, field: str = "donor") -> Donor:
    found = ctx.session.scalar(select(Donor).where(Donor.ref == ref.strip().upper()))
    if found is None:
        raise InvalidInput(f"{field}: no donor '{ref[:20]}'")
    return found


def _rate_for(currency: str, rate: object, field: str = "rate") -> Decimal:
    if currency == base_currency():
        if rate is not None and parse_rate(rate, field) != 1:
            raise InvalidInput(f"{field}: an amount in {currency} has the rate 1")
        return Decimal(1)
    if rate is None:
        raise InvalidInput(f"{field}: an amount in {currency} needs its rate to {base_currency()}")
    return parse_rate(rate, field)


def pledge_create(ctx: Context, data: PledgeWrite) -> PledgePublic:
    """Record a pledge and post it as a commitment (fund manager).

    A multi-year pledge gives its schedule: instalments with due dates summing to the amount.
    """
    authorize(ctx, "pledge_create")
    currency = currency_code(data.currency)
    amount = parse_amount(data.amount, "amount", currency)
    rate = _rate_for(currency, data.rate)
    pledged_on = data.pledged_on or now().date()
    schedule = sorted(
        (i.due, parse_amount(i.amount, "schedule.amount", currency)) for i in data.schedule
    ) or [(pledged_on, amount)]
    scheduled = sum((a for _, a in schedule), Decimal(0))
    if scheduled != amount:
        raise InvalidInput(
            f"schedule: the instalments sum to {scheduled} {currency}; the pledge is {amount}"
        )
    if len({d for d, _ in schedule}) != len(schedule):
        raise InvalidInput("schedule: two instalments fall due on the same day")
    with fund_write(ctx):
        donor = _donor(ctx, data.donor)
        earmark = earmark_code(ctx, data.earmark)
        base = base_currency()
        amount_base = converted(amount, rate, base)
        ref = _ref(ctx, Pledge, "C")
        rate_date = data.rate_date or pledged_on
        transaction = ledger_post(
            ctx,
            "pledge",
            [
                Line("pledges_receivable", amount_base, amount, currency, rate, rate_date),
                Line("pledges_unpaid", -amount_base, -amount, currency, rate, rate_date),
            ],
            memo=f"Pledge {ref} by {donor.name}" + (f": {data.memo}" if data.memo else ""),
            reference=ref,
            value_date=pledged_on,
        )
        pledge = Pledge(
            ref=ref,
            donor_id=donor.id,
            amount=amount,
            currency=currency,
            rate=rate,
            rate_date=rate_date,
            amount_base=amount_base,
            earmark=earmark,
            pledged_on=pledged_on,
            memo=data.memo,
            transaction_id=transaction.id,
            created_by=actor_key(ctx.actor),
            created_at=now(),
        )
        ctx.session.add(pledge)
        ctx.session.flush()
        ctx.session.add_all(Instalment(pledge_id=pledge.id, due=d, amount=a) for d, a in schedule)
        audit_record(
            ctx,
            "pledge_create",
            f"fund_pledge:{ref}",
            None,
            {
                "donor": donor.ref,
                "amount": str(amount),
                "currency": currency,
                "rate": str(rate),
                "earmark": earmark,
                "instalments": len(schedule),
            },
        )
    return pledge_show(ctx, ref)


def _applied(ctx: Context, pledge: Pledge, skip: set[int]) -> Decimal:
    """What deposits not reversed have paid against a pledge, in its currency."""
    rows = ctx.session.execute(
        select(Deposit.applied, Deposit.transaction_id).where(Deposit.pledge_id == pledge.id)
    )
    return sum((a for a, t in rows if t not in skip), Decimal(0))


def deposit_create(ctx: Context, data: DepositWrite) -> DepositPublic:
    """Record money received against a pledge, take the AA fee, settle the pledge.

    The deposit is in the pledge's currency, at its rate to the fund's currency on its day.
    More than the pledge's outstanding amount is refused (422) unless `allow_excess`.
    """
    authorize(ctx, "deposit_create")
    with fund_write(ctx):
        pledge = ctx.session.scalar(select(Pledge).where(Pledge.ref == data.pledge.strip().upper()))
        if pledge is None:
            raise InvalidInput(f"pledge: no pledge '{data.pledge[:20]}'")
        skip = reversed_ids(ctx)
        if pledge.transaction_id in skip:
            raise Conflict(f"pledge {pledge.ref} was cancelled (its transaction reversed)")
        currency = currency_code(data.currency)
        if currency != pledge.currency:
            raise InvalidInput(f"currency: pledge {pledge.ref} is in {pledge.currency}")
        amount = parse_amount(data.amount, "amount", currency)
        rate = _rate_for(currency, data.rate)
        deposited_on = data.deposited_on or now().date()
        rate_date = data.rate_date or deposited_on
        before = _applied(ctx, pledge, skip)
        outstanding = max(pledge.amount - before, Decimal(0))
        if amount > outstanding and not data.allow_excess:
            raise InvalidInput(
                f"amount: pledge {pledge.ref} has {format_money(outstanding, currency)} "
                f"outstanding; {format_money(amount, currency)} is "
                f"{format_money(amount - outstanding, currency)} more (allow_excess records "
                "the excess as a contribution not pledged)"
            )
        applied = min(amount, outstanding)
        donor = ctx.session.get(Donor, pledge.donor_id)
        assert donor is not None
        base = base_currency()
        gross = converted(amount, rate, base)
        fee_original = to_minor(amount * get_settings().fund_aa_fee, currency)
        fee = convert(fee_original, rate, base)
        cash = cash_account(pledge.earmark)
        lines = [
            Line(cash, gross, amount, currency, rate, rate_date),
            Line(f"contributions:{donor.ref}", -gross, -amount, currency, rate, rate_date),
        ]
        if fee:
            lines += [
                Line("aa_fee", fee, fee_original, currency, rate, rate_date),
                Line(cash, -fee, -fee_original, currency, rate, rate_date),
            ]
        # The pledge is settled at its own rate. Its receivable is kept at exactly what is
        # outstanding at that rate: a rounding difference left by partial deposits (or by
        # reversing one) is put right in the base currency alone.
        settled = convert(applied, pledge.rate, base)
        receivable = _receivable(ctx, pledge.ref)
        rounding = receivable - settled - convert(outstanding - applied, pledge.rate, base)
        if settled:
            lines += [
                Line("pledges_unpaid", settled, applied, currency, pledge.rate, pledge.rate_date),
                Line(
                    "pledges_receivable",
                    -settled,
                    -applied,
                    currency,
                    pledge.rate,
                    pledge.rate_date,
                ),
            ]
        if rounding:
            lines += [Line("pledges_unpaid", rounding), Line("pledges_receivable", -rounding)]
        ref = _ref(ctx, Deposit, "R")
        transaction = ledger_post(
            ctx,
            "deposit",
            lines,
            memo=f"Deposit {ref} by {donor.name} against {pledge.ref}"
            + (f": {data.memo}" if data.memo else ""),
            reference=pledge.ref,
            value_date=deposited_on,
        )
        deposit = Deposit(
            ref=ref,
            pledge_id=pledge.id,
            amount=amount,
            currency=currency,
            rate=rate,
            rate_date=rate_date,
            amount_base=gross,
            fee_base=fee,
            applied=applied,
            deposited_on=deposited_on,
            transaction_id=transaction.id,
            created_by=actor_key(ctx.actor),
            created_at=now(),
        )
        ctx.session.add(deposit)
        ctx.session.flush()
        audit_record(
            ctx,
            "deposit_create",
            f"fund_deposit:{ref}",
            None,
            {
                "pledge": pledge.ref,
                "amount": str(amount),
                "currency": currency,
                "rate": str(rate),
                "fee": str(fee),
                "excess": str(amount - applied),
            },
        )
    return _deposit_public(deposit, pledge, donor, skip)


def _receivable(ctx: Context, pledge_ref: str) -> Decimal:
    """What the ledger holds receivable on one pledge (its postings carry its reference)."""
    total = ctx.session.scalar(
        select(func.sum(Entry.amount))
        .join(Account, Account.id == Entry.account_id)
        .join(Transaction, Transaction.id == Entry.transaction_id)
        .where(Account.code == "pledges_receivable", Transaction.reference == pledge_ref)
    )
    return total if total is not None else ZERO


def _deposit_public(
    deposit: Deposit, pledge: Pledge, donor: Donor, skip: set[int]
) -> DepositPublic:
    return DepositPublic(
        id=deposit.ref,
        pledge=pledge.ref,
        donor=donor.ref,
        amount=deposit.amount,
        currency=deposit.currency,
        rate=deposit.rate,
        rate_date=deposit.rate_date,
        amount_base=deposit.amount_base,
        fee_base=deposit.fee_base,
        net_base=deposit.amount_base - deposit.fee_base,
        applied=deposit.applied,
        excess=deposit.amount - deposit.applied,
        deposited_on=deposit.deposited_on,
        transaction=deposit.transaction_id,
        reversed=deposit.transaction_id in skip,
    )


def pledge_show(ctx: Context, ref: str) -> PledgePublic:
    """One pledge with its schedule and deposits."""
    found = pledge_list(ctx, pledge=ref)
    if not found:
        raise NotFound(f"no pledge '{ref}'")
    return found[0]


def pledge_list(
    ctx: Context, donor: str | None = None, pledge: str | None = None, today: date | None = None
) -> list[PledgePublic]:
    """Pledges (of one donor) with what was deposited, what is outstanding and overdue."""
    today = today or now().date()
    skip = reversed_ids(ctx)
    query = select(Pledge, Donor).join(Donor, Donor.id == Pledge.donor_id).order_by(Pledge.id)
    if donor is not None:
        query = query.where(Donor.ref == donor.strip().upper())
    if pledge is not None:
        query = query.where(Pledge.ref == pledge.strip().upper())
    rows = [(p, d) for p, d in ctx.session.execute(query)]
    ids = [p.id for p, _ in rows]
    deposits: dict[int, list[Deposit]] = {}
    for made in ctx.session.scalars(
        select(Deposit).where(Deposit.pledge_id.in_(ids)).order_by(Deposit.id)
    ):
        deposits.setdefault(made.pledge_id, []).append(made)
    schedules: dict[int, list[Instalment]] = {}
    for i in ctx.session.scalars(
        select(Instalment).where(Instalment.pledge_id.in_(ids)).order_by(Instalment.due)
    ):
        schedules.setdefault(i.pledge_id, []).append(i)
    found = []
    for p, d in rows:
        cancelled = p.transaction_id in skip
        paid = sum(
            (x.applied for x in deposits.get(p.id, []) if x.transaction_id not in skip),
            Decimal(0),
        )
        due = sum((i.amount for i in schedules.get(p.id, []) if i.due <= today), Decimal(0))
        outstanding = Decimal(0) if cancelled else max(p.amount - paid, Decimal(0))
        found.append(
            PledgePublic(
                id=p.ref,
                donor=d.ref,
                donor_name=d.name,
                amount=p.amount,
                currency=p.currency,
                rate=p.rate,
                amount_base=p.amount_base,
                earmark=p.earmark,
                pledged_on=p.pledged_on,
                schedule=[
                    InstalmentPublic(due=i.due, amount=i.amount) for i in schedules.get(p.id, [])
                ],
                deposited=paid,
                outstanding=outstanding,
                overdue=Decimal(0) if cancelled else max(due - paid, Decimal(0)),
                cancelled=cancelled,
                transaction=p.transaction_id,
                deposits=[_deposit_public(x, p, d, skip) for x in deposits.get(p.id, [])],
            )
        )
    return found


def donor_list(ctx: Context, ref: str | None = None) -> list[DonorPublic]:
    """Donors with their contributions in the fund's currency: pledged, deposited, outstanding.

    The three are different stages, shown side by side and never added: pledges at their
    rates when signed, deposits at theirs when received.
    """
    base = base_currency()
    skip = reversed_ids(ctx)
    query = select(Donor).order_by(Donor.ref)
    if ref is not None:
        query = query.where(Donor.ref == ref.strip().upper())
    donors = list(ctx.session.scalars(query))
    pledges = list(ctx.session.scalars(select(Pledge)))
    deposits = list(ctx.session.scalars(select(Deposit)))
    by_pledge = {p.id: p for p in pledges}
    found = []
    for donor in donors:
        own = [p for p in pledges if p.donor_id == donor.id and p.transaction_id not in skip]
        paid = [
            d
            for d in deposits
            if d.transaction_id not in skip and by_pledge[d.pledge_id].donor_id == donor.id
        ]
        pledged = sum((p.amount_base for p in own), ZERO)
        outstanding = ZERO
        for p in own:
            applied = sum((d.applied for d in paid if d.pledge_id == p.id), Decimal(0))
            outstanding += p.amount_base - convert(min(applied, p.amount), p.rate, base)
        found.append(
            DonorPublic(
                id=donor.ref,
                name=donor.name,
                type=donor.type,
                country=donor.country,
                currency=base,
                pledged=pledged,
                deposited=sum((d.amount_base for d in paid), ZERO),
                outstanding=outstanding,
                pledges=len(own),
            )
        )
    return found
