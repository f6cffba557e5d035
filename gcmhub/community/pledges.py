"""Pledges toward the Compact: who pledges what, on which objectives, where, by when.

A Member State pledges through its focal points (for their own countries only), an
organization of the directory through whoever registered it (approved ones only), anyone
through a curator. Progress comes in reports (`PledgeUpdate`, kept, never edited); the latest
sets the pledge's progress and status. A fulfilled or withdrawn pledge takes no more reports
(409); fulfilled means 100 %. A pledge is overdue when its due date is past and it is neither
fulfilled nor withdrawn: computed against today's date, never stored.

Each pledge is published as a knowledge item of type "pledge", kept in step with every
report (its progress is in the item's text; a withdrawn pledge's item says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.accounts.models import User
from gcmhub.accounts.notices import notify
from gcmhub.auth import authorize
from gcmhub.community.event_auth import PledgeScope
from gcmhub.community.event_schemas import (
    FINAL_PLEDGE_STATUSES,
    PLEDGE_STATUSES,
    PLEDGER_KINDS,
    PledgePublic,
    PledgeUpdatePublic,
    PledgeUpdateWrite,
    PledgeWrite,
)
from gcmhub.community.events import (
    ItemFacts,
    approved_organization,
    choose,
    countries_of,
    item_publish,
    item_sync,
    matches_words,
    objective_id,
    on_objective,
)
from gcmhub.community.models import Organization, Pledge, PledgeUpdate
from gcmhub.context import Context
from gcmhub.errors import BadParameter, Conflict, InvalidInput, NotFound
from gcmhub.review.common import concept_list, country_code, country_name

STATUS_NAMES = {
    "pledged": "pledged",
    "in_progress": "in progress",
    "fulfilled": "fulfilled",
    "withdrawn": "withdrawn",
}


def is_overdue(row: Pledge, today: date | None = None) -> bool:
    """Whether a pledge's due date is past and it is neither fulfilled nor withdrawn."""
    return row.due_on < (today or date.today()) and row.status not in FINAL_PLEDGE_STATUSES


def _public(row: Pledge, updates: list[PledgeUpdate] | None = None) -> PledgePublic:
    return PledgePublic(
        id=row.id,
        title=row.title,
        pledger=row.pledger,
        pledger_kind=row.pledger_kind,
        country=row.country,
        organization_id=row.organization_id,
        description=row.description,
        objectives=row.objectives,
        countries=row.countries,
        due_on=row.due_on,
        progress=row.progress,
        status=row.status,
        overdue=is_overdue(row),
        item_ref=row.item_ref,
        created_at=row.created_at,
        updated_at=row.updated_at,
        updates=[
            PledgeUpdatePublic(
                id=u.id,
                reported_on=u.reported_on,
                progress=u.progress,
                status=u.status,
                note=u.note,
                created_at=u.created_at,
            )
            for u in updates or []
        ],
    )


def _snapshot(row: Pledge) -> dict[str, Any]:
    return {
        "title": row.title,
        "pledger": row.pledger,
        "pledger_kind": row.pledger_kind,
        "country": row.country,
        "organization_id": row.organization_id,
        "objectives": row.objectives,
        "countries": row.countries,
        "due_on": row.due_on.isoformat(),
        "progress": row.progress,
        "status": row.status,
    }


def _item_text(row: Pledge, reported_on: date | None) -> str:
    """The item's text: what is pledged, by whom, where, by when, and how far it has come."""
    kind = "a Member State" if row.pledger_kind == "member_state" else row.pledger_kind
    lines = [
        row.description,
        f"Pledged by {row.pledger} ({kind}), due by {row.due_on.isoformat()}.",
    ]
    if row.countries:
        lines.append(f"Where it applies: {', '.join(row.countries)}.")
    if row.status == "withdrawn":
        lines.append("Withdrawn: the pledger withdrew this pledge.")
    else:
        since = f" on {reported_on.isoformat()}" if reported_on else ""
        lines.append(
            f"Progress: {row.progress} % ({STATUS_NAMES.get(row.status, row.status)}){since}."
        )
    return "\n\n".join(line for line in lines if line)


def _facts(row: Pledge, reported_on: date | None = None) -> ItemFacts:
    title = f"{row.title} (withdrawn)" if row.status == "withdrawn" else row.title
    countries = sorted({*row.countries, *([row.country] if row.country else [])})
    return ItemFacts(
        type="pledge",
        title=title,
        text=_item_text(row, reported_on),
        path=f"/community/pledges/{row.id}",
        publisher=row.pledger,
        countries=countries,
        objectives=row.objectives,
        regions=[],
        start=row.created_at.date(),
        end=row.due_on,
    )


def focal_point_ids(ctx: Context, country: str | None) -> list[int]:
    """The active focal points of a country."""
    if country is None:
        return []
    users = ctx.session.execute(select(User.id, User.roles, User.countries).where(User.active))
    return [
        uid
        for uid, roles, countries in users
        if "focal_point" in (roles or []) and country in (countries or [])
    ]


def _pledger(ctx: Context, data: PledgeWrite) -> tuple[str | None, Organization | None]:
    """Check who pledges (before the rule is asked): the State's code or the organization."""
    if data.pledger_kind == "member_state":
        if data.organization_id is not None:
            raise InvalidInput("organization_id: a member_state pledge has no organization")
        if not data.country:
            raise InvalidInput("country: a member_state pledge names the pledging State")
        return country_code(ctx, data.country), None
    if data.country:
        raise InvalidInput("country: only a member_state pledge has a pledging State")
    if data.organization_id is None:
        raise InvalidInput(f"organization_id: a {data.pledger_kind} pledge names its organization")
    found = ctx.session.get(Organization, data.organization_id)
    return None, found


def pledge_create(ctx: Context, data: PledgeWrite) -> PledgePublic:
    """Record a pledge (focal points for their countries, an organization's registrant for it,
    curators for anyone) and publish it as a knowledge item."""
    country, organization = _pledger(ctx, data)
    owner = organization.owner_id if organization and organization.status == "approved" else None
    authorize(ctx, "community_pledge_create", PledgeScope(None, country, owner))
    if data.organization_id is not None:
        organization = approved_organization(ctx, data.organization_id, "pledges")
        if organization.kind != data.pledger_kind:
            raise InvalidInput(
                f"pledger_kind: organization {organization.id} is of kind '{organization.kind}'"
            )
    default = organization.name if organization else country_name(ctx, country or "")
    stamp = now()
    row = Pledge(
        title=" ".join(data.title.split()),
        pledger=" ".join((data.pledger or default).split()),
        pledger_kind=data.pledger_kind,
        country=country,
        organization_id=data.organization_id,
        description=data.description.strip(),
        objectives=concept_list(ctx, data.objectives, "objective", "objectives"),
        countries=countries_of(ctx, data.countries, "countries"),
        due_on=data.due_on,
        progress=0,
        status="pledged",
        owner_id=ctx.actor.user_id,
        created_by=ctx.actor.name,
        created_at=stamp,
        updated_at=stamp,
    )
    ctx.session.add(row)
    ctx.session.flush()
    row.item_ref = item_publish(ctx, _facts(row))
    audit_record(ctx, "community_pledge_create", f"pledge:{row.id}", None, _snapshot(row))
    notify(
        ctx,
        focal_point_ids(ctx, country),
        f"A pledge for {row.pledger}: {row.title}",
        "A pledge was recorded in your country's name. Report its progress on its page.",
        f"/community/pledges/{row.id}",
    )
    return _public(row)


def _get(ctx: Context, pledge_id: int) -> Pledge:
    row = ctx.session.get(Pledge, pledge_id)
    if row is None:
        raise NotFound(f"no pledge {pledge_id}")
    return row


def _updates(ctx: Context, pledge_id: int) -> list[PledgeUpdate]:
    return list(
        ctx.session.scalars(
            select(PledgeUpdate)
            .where(PledgeUpdate.pledge_id == pledge_id)
            .order_by(PledgeUpdate.reported_on, PledgeUpdate.id)
        )
    )


def pledge_progress(ctx: Context, pledge_id: int, data: PledgeUpdateWrite) -> PledgePublic:
    """Report progress on a pledge (its owner, the pledging country's focal points, curators).

    The report is kept as it is; the pledge takes its progress and status. Out of 0..100:
    422; fulfilled below 100: 422; a report dated in the future: 422; a fulfilled or
    withdrawn pledge: 409.
    """
    row = _get(ctx, pledge_id)
    authorize(ctx, "community_pledge_update", PledgeScope(row.owner_id, row.country))
    if row.status in FINAL_PLEDGE_STATUSES:
        raise Conflict(f"pledge {pledge_id} is {row.status}: it takes no more progress reports")
    if not 0 <= data.progress <= 100:
        raise InvalidInput(f"progress: {data.progress} is not a percentage from 0 to 100")
    if data.status == "fulfilled" and data.progress != 100:
        raise InvalidInput(f"progress: a fulfilled pledge is 100 % done, not {data.progress}")
    today = date.today()
    reported_on = data.reported_on or today
    if reported_on > today:
        raise InvalidInput(f"reported_on: {reported_on.isoformat()} is in the future")
    before = _snapshot(row)
    stamp = now()
    ctx.session.add(
        PledgeUpdate(
            pledge_id=row.id,
            reported_on=reported_on,
            progress=data.progress,
            status=data.status,
            note=data.note.strip(),
            created_by=ctx.actor.name,
            created_at=stamp,
        )
    )
    row.progress, row.status, row.updated_at = data.progress, data.status, stamp
    ctx.session.flush()
    row.item_ref = item_sync(ctx, row.item_ref, _facts(row, reported_on))
    audit_record(ctx, "community_pledge_update", f"pledge:{row.id}", before, _snapshot(row))
    notify(
        ctx,
        [row.owner_id, *focal_point_ids(ctx, row.country)],
        f"Pledge '{row.title}': {row.progress} % ({STATUS_NAMES[row.status]})",
        data.note.strip() or "A progress report was recorded.",
        f"/community/pledges/{row.id}",
    )
    return _public(row, _updates(ctx, row.id))


def pledge_show(ctx: Context, pledge_id: int) -> PledgePublic:
    """A pledge with its progress reports, oldest first (pledges are public)."""
    row = _get(ctx, pledge_id)
    return _public(row, _updates(ctx, row.id))


@dataclass(frozen=True)
class PledgeFilter:
    """What a pledge list is narrowed to; every field optional."""

    q: str | None = None
    objective: str | None = None
    country: str | None = None  # the pledging State, or where the pledge applies
    pledger_kind: str | None = None
    status: str | None = None
    overdue: bool | None = None


def pledge_list(ctx: Context, wanted: PledgeFilter | None = None) -> list[PledgePublic]:
    """Pledges by due date, narrowed by words, objective (or its actions), country, kind of
    pledger, status and whether overdue."""
    wanted = wanted or PledgeFilter()
    choose("pledger_kind", wanted.pledger_kind, PLEDGER_KINDS)
    choose("status", wanted.status, PLEDGE_STATUSES)
    query = select(Pledge)
    if wanted.pledger_kind:
        query = query.where(Pledge.pledger_kind == wanted.pledger_kind)
    if wanted.status:
        query = query.where(Pledge.status == wanted.status)
    rows = list(ctx.session.scalars(query.order_by(Pledge.due_on, Pledge.id)))
    if wanted.country:
        code = country_code(ctx, wanted.country)
        rows = [r for r in rows if code == r.country or code in r.countries]
    if wanted.objective:
        concept = objective_id(ctx, wanted.objective)
        rows = [r for r in rows if on_objective(ctx, concept, r.objectives)]
    if wanted.overdue is not None:
        today = date.today()
        rows = [r for r in rows if is_overdue(r, today) == wanted.overdue]
    if wanted.q:
        rows = [r for r in rows if matches_words(wanted.q, r.title, r.pledger, r.description)]
    return [_public(r) for r in rows]


def overdue_flag(value: str | None) -> bool | None:
    """Read `overdue=true|false` (also yes/no, 1/0); empty means either."""
    if value is None or not value.strip():
        return None
    text = value.strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise BadParameter("overdue", "overdue: true or false")
