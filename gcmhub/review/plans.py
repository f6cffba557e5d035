"""National implementation plans: commitments per objective and action, saved in versions.

A country's plan is saved whole (`plan_save`): the commitments given replace those of the
current version, and when anything changed a new version is stored as an immutable snapshot
(migration 0012's triggers refuse changing or deleting one). A commitment keeps its key
(C1, C2…) across versions, so `plan_diff` says which commitments were added, removed or
changed between any two versions, field by field. Saving a plan that did not change stores
nothing and answers the current version.

A commitment names GCM objectives and actions by code (`6`, `6a`, `objective:6a`) or title;
an unknown one is refused (422 naming it and where it is). A focal point saves its own
countries' plans only (403 for another's, nothing stored); the secretariat any.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.auth import authorize
from gcmhub.context import Context
from gcmhub.errors import InvalidInput, NotFound
from gcmhub.fund.money import minor_unit
from gcmhub.review.auth import CountryScope
from gcmhub.review.common import concept_list, country_code, country_name, objective_of
from gcmhub.review.models import Commitment, Plan, PlanVersion
from gcmhub.review.schemas import (
    STATUSES,
    CommitmentChange,
    CommitmentPublic,
    CommitmentWrite,
    Evidence,
    FieldChange,
    PlanDiff,
    PlanPublic,
    PlanSummary,
    PlanWrite,
    VersionSummary,
)

FIELDS = (
    "title",
    "description",
    "objectives",
    "actions",
    "lead_institutions",
    "partners",
    "start",
    "end",
    "budget",
    "currency",
    "status",
    "evidence",
)


def _names(values: list[str]) -> list[str]:
    """Names as given, trimmed, blanks and repeats dropped."""
    out: list[str] = []
    for value in values:
        text = " ".join(value.split())
        if text and text not in out:
            out.append(text)
    return out


def _commitment(ctx: Context, index: int, given: CommitmentWrite) -> dict[str, Any]:
    """A commitment checked and resolved, as a snapshot stores it (JSON values)."""
    where = f"commitments.{index}"
    actions = concept_list(ctx, given.actions, "objective", f"{where}.actions")
    named = concept_list(ctx, given.objectives, "objective", f"{where}.objectives")
    wrong = [a for a in actions if objective_of(ctx, a) == a]
    if wrong:
        raise InvalidInput(f"{where}.actions: {wrong[0]} is an objective, not an action")
    objectives = [c for c in named if objective_of(ctx, c) == c]
    for concept in [*named, *actions]:
        parent = objective_of(ctx, concept)
        if parent not in objectives:
            objectives.append(parent)
    actions += [c for c in named if objective_of(ctx, c) != c and c not in actions]
    if not objectives:
        raise InvalidInput(f"{where}: name at least one GCM objective or action")
    if given.start and given.end and given.end < given.start:
        raise InvalidInput(f"{where}.end: the timeline ends before it starts")
    budget: Decimal | None = given.budget
    currency = given.currency
    if budget is not None:
        if currency is None:
            raise InvalidInput(f"{where}.currency: a budget needs its currency")
        places = min(minor_unit(currency), 2)
        if budget != budget.quantize(Decimal(1).scaleb(-places)):
            raise InvalidInput(f"{where}.budget: {currency} budgets have at most {places} decimals")
    return {
        "title": " ".join(given.title.split()),
        "description": given.description.strip(),
        "objectives": sorted(objectives, key=_order),
        "actions": sorted(actions, key=_order),
        "lead_institutions": _names(given.lead_institutions),
        "partners": _names(given.partners),
        "start": given.start.isoformat() if given.start else None,
        "end": given.end.isoformat() if given.end else None,
        "budget": format(budget, "f") if budget is not None else None,
        "currency": currency if budget is not None else None,
        "status": given.status,
        "evidence": [
            {"text": e.text.strip(), "url": e.url}
            for e in given.evidence
            if e.text.strip() or e.url
        ],
    }


def _order(concept: str) -> tuple[int, str]:
    code = concept.split(":", 1)[-1]
    digits = "".join(c for c in code if c.isdigit())
    return (int(digits) if digits else 999, code)


def _plan(ctx: Context, country: str) -> Plan | None:
    return ctx.session.scalar(select(Plan).where(Plan.country == country))


def _current(ctx: Context, plan: Plan) -> PlanVersion:
    found = ctx.session.scalar(
        select(PlanVersion).where(
            PlanVersion.plan_id == plan.id, PlanVersion.number == plan.version
        )
    )
    assert found is not None
    return found


def plan_save(ctx: Context, country: str, data: PlanWrite) -> PlanPublic:
    """Save a country's plan whole; a new version when anything changed."""
    code = country_code(ctx, country)
    authorize(ctx, "plan_write", CountryScope(code))
    keys = [c.key for c in data.commitments if c.key]
    if len(keys) != len(set(keys)):
        raise InvalidInput("commitments: a key is given twice")
    made = [_commitment(ctx, i, c) for i, c in enumerate(data.commitments)]
    plan = _plan(ctx, code)
    before: list[dict[str, Any]] = []
    title = " ".join(data.title.split())
    if plan is not None:
        before = list(_current(ctx, plan).commitments)
        title = title or plan.title
    title = title or f"National implementation plan of {country_name(ctx, code)}"
    known = {c["key"] for c in before}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise InvalidInput(f"commitments: {unknown[0]} is not a commitment of this plan")
    used = [int(k[1:]) for k in known]
    following = max(used, default=0) + 1
    # A commitment given without its key is the one of the same title, when there is one.
    free = {c["title"].casefold(): c["key"] for c in before if c["key"] not in keys}
    for given, commitment in zip(data.commitments, made, strict=True):
        if given.key:
            commitment["key"] = given.key
        elif commitment["title"].casefold() in free:
            commitment["key"] = free.pop(commitment["title"].casefold())
        else:
            commitment["key"] = f"C{following}"
            following += 1
    snapshot = [{"key": c.pop("key"), **c} for c in made]
    if plan is not None and snapshot == before and title == plan.title:
        return plan_show(ctx, code)  # nothing changed: no new version
    stamp = now()
    if plan is None:
        plan = Plan(
            country=code,
            title=title,
            version=0,
            created_by=ctx.actor.name,
            created_at=stamp,
            updated_at=stamp,
        )
        ctx.session.add(plan)
        ctx.session.flush()
    plan.version += 1
    plan.title = title
    plan.updated_at = stamp
    ctx.session.add(
        PlanVersion(
            plan_id=plan.id,
            number=plan.version,
            title=title,
            note=data.note.strip(),
            commitments=snapshot,
            created_by=ctx.actor.name,
            created_at=stamp,
        )
    )
    ctx.session.execute(delete(Commitment).where(Commitment.plan_id == plan.id))
    for position, item in enumerate(snapshot):
        ctx.session.add(_row(plan.id, position, item))
    ctx.session.flush()
    diff = _diff(before, snapshot)
    audit_record(
        ctx,
        "plan_write",
        f"plan:{code}",
        {"version": plan.version - 1} if plan.version > 1 else None,
        {
            "version": plan.version,
            "added": [c.key for c in diff if c.change == "added"],
            "removed": [c.key for c in diff if c.change == "removed"],
            "changed": [c.key for c in diff if c.change == "changed"],
        },
    )
    return plan_show(ctx, code)


def _row(plan_id: int, position: int, item: dict[str, Any]) -> Commitment:
    from datetime import date

    return Commitment(
        plan_id=plan_id,
        key=item["key"],
        position=position,
        title=item["title"],
        description=item["description"],
        objectives=item["objectives"],
        actions=item["actions"],
        lead_institutions=item["lead_institutions"],
        partners=item["partners"],
        start=date.fromisoformat(item["start"]) if item["start"] else None,
        end=date.fromisoformat(item["end"]) if item["end"] else None,
        budget=Decimal(item["budget"]) if item["budget"] is not None else None,
        currency=item["currency"],
        status=item["status"],
        evidence=item["evidence"],
    )


def _public(item: dict[str, Any]) -> CommitmentPublic:
    return CommitmentPublic(
        key=item["key"],
        title=item["title"],
        description=item["description"],
        objectives=item["objectives"],
        actions=item["actions"],
        lead_institutions=item["lead_institutions"],
        partners=item["partners"],
        start=item["start"],
        end=item["end"],
        budget=Decimal(item["budget"]) if item["budget"] is not None else None,
        currency=item["currency"],
        status=item["status"],
        evidence=[Evidence(**e) for e in item["evidence"]],
    )


def _version(ctx: Context, plan: Plan, number: int) -> PlanVersion:
    found = ctx.session.scalar(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.number == number)
    )
    if found is None:
        raise NotFound(f"the plan of {plan.country} has no version {number}")
    return found


def _found(ctx: Context, country: str) -> Plan:
    try:
        code = country_code(ctx, country)
    except InvalidInput:
        raise NotFound(f"no plan for '{country[:60]}'") from None
    plan = _plan(ctx, code)
    if plan is None:
        raise NotFound(f"{country_name(ctx, code)} has no implementation plan yet")
    return plan


def plan_show(ctx: Context, country: str, version: int | None = None) -> PlanPublic:
    """A country's plan in its current version, or in an earlier one, with every version."""
    plan = _found(ctx, country)
    shown = _version(ctx, plan, version) if version is not None else _current(ctx, plan)
    versions = list(
        ctx.session.scalars(
            select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(PlanVersion.number)
        )
    )
    return PlanPublic(
        country=plan.country,
        country_name=country_name(ctx, plan.country),
        title=shown.title,
        version=shown.number,
        latest_version=plan.version,
        saved_by=shown.created_by,
        saved_at=shown.created_at,
        note=shown.note,
        commitments=[_public(c) for c in shown.commitments],
        versions=[
            VersionSummary(
                number=v.number,
                title=v.title,
                note=v.note,
                commitments=len(v.commitments),
                created_by=v.created_by,
                created_at=v.created_at,
            )
            for v in versions
        ],
    )


def plan_list(ctx: Context) -> list[PlanSummary]:
    """Every country's plan: its current version, commitments and their status."""
    counts: dict[int, dict[str, int]] = {}
    for plan_id, state, n in ctx.session.execute(
        select(Commitment.plan_id, Commitment.status, func.count()).group_by(
            Commitment.plan_id, Commitment.status
        )
    ):
        counts.setdefault(plan_id, {})[state] = int(n)
    out = []
    for plan in ctx.session.scalars(select(Plan).order_by(Plan.country)):
        status = {s: counts.get(plan.id, {}).get(s, 0) for s in STATUSES}
        out.append(
            PlanSummary(
                country=plan.country,
                country_name=country_name(ctx, plan.country),
                title=plan.title,
                version=plan.version,
                commitments=sum(status.values()),
                status=status,
                updated_at=plan.updated_at,
            )
        )
    return out


def _diff(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[CommitmentChange]:
    old = {c["key"]: c for c in before}
    new = {c["key"]: c for c in after}
    changes: list[CommitmentChange] = []
    for key, item in new.items():
        if key not in old:
            changes.append(CommitmentChange(key=key, title=item["title"], change="added"))
            continue
        fields = [
            FieldChange(field=f, before=old[key].get(f), after=item.get(f))
            for f in FIELDS
            if old[key].get(f) != item.get(f)
        ]
        if fields:
            changes.append(
                CommitmentChange(key=key, title=item["title"], change="changed", fields=fields)
            )
    for key, item in old.items():
        if key not in new:
            changes.append(CommitmentChange(key=key, title=item["title"], change="removed"))
    return sorted(changes, key=lambda c: int(c.key[1:]))


def plan_diff(ctx: Context, country: str, start: int, end: int) -> PlanDiff:
    """What changed in a plan from one version to another (added, removed, changed fields)."""
    plan = _found(ctx, country)
    first, second = _version(ctx, plan, start), _version(ctx, plan, end)
    changes = _diff(list(first.commitments), list(second.commitments))
    return PlanDiff(
        country=plan.country,
        from_version=start,
        to_version=end,
        title=FieldChange(field="title", before=first.title, after=second.title)
        if first.title != second.title
        else None,
        added=sum(c.change == "added" for c in changes),
        removed=sum(c.change == "removed" for c in changes),
        changed=sum(c.change == "changed" for c in changes),
        changes=changes,
    )


def commitments_current(ctx: Context, country: str | None = None) -> list[tuple[str, Commitment]]:
    """The commitments of every plan's current version (or one country's), with the country."""
    query = (
        select(Plan.country, Commitment)
        .join(Commitment, Commitment.plan_id == Plan.id)
        .order_by(Plan.country, Commitment.position)
    )
    if country:
        query = query.where(Plan.country == country)
    return [(c, row) for c, row in ctx.session.execute(query)]


def versions_between(ctx: Context, start: Any, end: Any) -> list[tuple[str, int, Any]]:
    """Plan versions saved between two moments: (country, number, when)."""
    return [
        (c, n, at)
        for c, n, at in ctx.session.execute(
            select(Plan.country, PlanVersion.number, PlanVersion.created_at)
            .join(PlanVersion, PlanVersion.plan_id == Plan.id)
            .where(PlanVersion.created_at >= start, PlanVersion.created_at < end)
            .order_by(PlanVersion.created_at)
        )
    ]
