"""The directory of organizations: self-registration, curator approval, public profiles.

Only approved organizations are public; a pending or rejected one is seen by whoever
registered it and curators. A named contact person is stored only with their consent, so
without it the person is not kept (nor shown) anywhere. No precise location: a city at most.

After registration, whoever registered an organization (or a curator) keeps its profile
current under the same rules, and removes the named contact at once when the person
withdraws consent. The audit trail records whether a contact is named, never the name, so a
withdrawal leaves no trace of the person.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.accounts.models import User
from gcmhub.accounts.notices import notify
from gcmhub.auth import allowed, authorize
from gcmhub.community.auth import OwnerScope
from gcmhub.community.models import Organization
from gcmhub.community.schemas import (
    OrganizationPublic,
    OrganizationReview,
    OrganizationUpdate,
    OrganizationWrite,
)
from gcmhub.context import Context
from gcmhub.errors import Conflict, InvalidInput, NotFound
from gcmhub.review.common import concept_list, country_code


def curator_ids(ctx: Context) -> list[int]:
    """The active curators and admins."""
    users = ctx.session.execute(select(User.id, User.roles).where(User.active))
    return [uid for uid, roles in users if {"curator", "admin"} & set(roles or [])]


def _countries(ctx: Context, names: list[str], field: str) -> list[str]:
    out = {country_code(ctx, name, f"{field}.{i}") for i, name in enumerate(names)}
    return sorted(out)


def _public(row: Organization) -> OrganizationPublic:
    return OrganizationPublic(
        id=row.id,
        name=row.name,
        kind=row.kind,
        description=row.description,
        origin_countries=row.origin_countries,
        residence_countries=row.residence_countries,
        city=row.city,
        objectives=row.objectives,
        languages=row.languages,
        offers=row.offers,
        seeks=row.seeks,
        website=row.website,
        contact_name=row.contact_name if row.contact_consent_at else None,
        status=row.status,
        created_at=row.created_at,
    )


def _snapshot(row: Organization) -> dict[str, Any]:
    return {"name": row.name, "kind": row.kind, "status": row.status}


def _profile(ctx: Context, data: OrganizationWrite) -> dict[str, Any]:
    """The stored form of a profile, checked as at registration: a named contact needs
    consent, and a city at most (no street address or precise location)."""
    if data.contact_name and not data.contact_consent:
        raise InvalidInput(
            "contact_name: a named person is stored only with their consent (contact_consent)"
        )
    city = " ".join(data.city.split()) if data.city else None
    if city and any(ch.isdigit() for ch in city):
        raise InvalidInput("city: a city at most, no street address or precise location")
    return {
        "name": " ".join(data.name.split()),
        "kind": data.kind,
        "description": data.description.strip(),
        "origin_countries": _countries(ctx, data.origin_countries, "origin_countries"),
        "residence_countries": _countries(ctx, data.residence_countries, "residence_countries"),
        "city": city or None,
        "objectives": concept_list(ctx, data.objectives, "objective", "objectives"),
        "languages": data.languages,
        "offers": data.offers.strip(),
        "seeks": data.seeks.strip(),
        "website": data.website,
        "contact_name": (data.contact_name or "").strip() or None,
    }


def organization_register(ctx: Context, data: OrganizationWrite) -> OrganizationPublic:
    """Register an organization: pending until a curator approves it."""
    authorize(ctx, "organization_register")
    fields = _profile(ctx, data)
    stamp = now()
    row = Organization(
        **fields,
        contact_consent_at=stamp if fields["contact_name"] else None,
        status="pending",
        review_note="",
        owner_id=ctx.actor.user_id,
        created_by=ctx.actor.name,
        created_at=stamp,
        updated_at=stamp,
    )
    ctx.session.add(row)
    ctx.session.flush()
    audit_record(ctx, "organization_register", f"organization:{row.id}", None, _snapshot(row))
    notify(
        ctx,
        curator_ids(ctx),
        f"Organization to review: {row.name}",
        "An organization registered in the community directory. Approve or reject it.",
        f"/community/organizations/{row.id}",
    )
    return _public(row)


def organization_row(ctx: Context, organization_id: int) -> Organization:
    """An organization the reader may see (a pending or rejected one to others: 404)."""
    row = ctx.session.get(Organization, organization_id)
    if row is None or (
        row.status != "approved"
        and not allowed(ctx.actor, "organization_read_pending", OwnerScope(row.owner_id))
    ):
        raise NotFound(f"no organization {organization_id}")
    return row


def organization_show(ctx: Context, organization_id: int) -> OrganizationPublic:
    """An organization: approved ones to everyone, others to who registered it and curators."""
    return _public(organization_row(ctx, organization_id))


def organization_list(
    ctx: Context,
    kind: str | None = None,
    country: str | None = None,
    objective: str | None = None,
    status: str = "approved",
    language: str | None = None,
) -> list[OrganizationPublic]:
    """Approved organizations (curators may ask for pending or rejected ones), narrowed by
    kind, country of origin or residence, objective and working language."""
    if status != "approved":
        authorize(ctx, "organization_review")
    query = select(Organization).where(Organization.status == status)
    if kind:
        query = query.where(Organization.kind == kind)
    rows = list(ctx.session.scalars(query.order_by(Organization.name, Organization.id)))
    if country:
        code = country_code(ctx, country)
        rows = [r for r in rows if code in r.origin_countries or code in r.residence_countries]
    if objective:
        concept = concept_list(ctx, [objective], "objective", "objective")[0]
        rows = [r for r in rows if concept in r.objectives]
    if language:
        rows = [r for r in rows if language in r.languages]
    return [_public(r) for r in rows]


def organization_review(
    ctx: Context, organization_id: int, data: OrganizationReview
) -> OrganizationPublic:
    """Approve or reject a registered organization, with a note on record."""
    authorize(ctx, "organization_review")
    row = organization_row(ctx, organization_id)
    if data.decision == "rejected" and not data.note.strip():
        raise InvalidInput("note: say why the organization is rejected; its registrant reads it")
    if row.status == data.decision:
        raise Conflict(f"organization {organization_id} is already {row.status}")
    before = _snapshot(row)
    row.status = data.decision
    row.review_note = data.note.strip()
    row.reviewed_by = ctx.actor.name
    row.updated_at = now()
    ctx.session.flush()
    audit_record(
        ctx,
        "organization_review",
        f"organization:{row.id}",
        before,
        {**_snapshot(row), "note": row.review_note},
    )
    notify(
        ctx,
        [row.owner_id],
        f"Organization {row.name}: {row.status}",
        row.review_note or f"A curator {row.status} the organization.",
        f"/community/organizations/{row.id}",
    )
    return _public(row)


PROFILE = (
    "name",
    "kind",
    "description",
    "origin_countries",
    "residence_countries",
    "city",
    "objectives",
    "languages",
    "offers",
    "seeks",
    "website",
)


def _as_written(row: Organization) -> dict[str, Any]:
    """A stored profile in the shape it is registered with."""
    named = row.contact_consent_at is not None and bool(row.contact_name)
    return {
        **{field: getattr(row, field) for field in PROFILE},
        "contact_name": row.contact_name if named else None,
        "contact_consent": named,
    }


def _profile_snapshot(row: Organization) -> dict[str, Any]:
    """A profile for the audit trail: whether a contact is named, never the name."""
    written = _as_written(row)
    return {
        **{field: written[field] for field in PROFILE},
        "contact_named": written["contact_consent"],
        "status": row.status,
    }


def _merged(row: Organization, data: OrganizationUpdate) -> OrganizationWrite:
    """The profile after the changes given, checked as a registration is (422 naming the field)."""
    changes = data.model_dump(exclude_unset=True)
    current = _as_written(row)
    if changes.get("contact_name", current["contact_name"]) != current["contact_name"]:
        changes.setdefault("contact_consent", False)  # another person gives their own consent
    try:
        return OrganizationWrite.model_validate({**current, **changes})
    except ValidationError as invalid:
        first = invalid.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(f"{where}: {first['msg']}") from None


def organization_update(
    ctx: Context, organization_id: int, data: OrganizationUpdate
) -> OrganizationPublic:
    """Edit an organization's profile (whoever registered it, or curators): only the fields
    given change, under the rules of registration.

    An approved organization stays approved: asking for approval again at every edit would
    take it out of the directory each time and so punish keeping a profile current. The
    curators are told of the change instead (with the fields changed), so they can look
    again; when a curator edits, whoever registered it is told.
    """
    row = organization_row(ctx, organization_id)
    authorize(ctx, "organization_update", OwnerScope(row.owner_id))
    fields = _profile(ctx, _merged(row, data))
    before = _profile_snapshot(row)
    new_contact = fields["contact_name"] != _as_written(row)["contact_name"]
    for name, value in fields.items():
        setattr(row, name, value)
    if new_contact:
        row.contact_consent_at = now() if fields["contact_name"] else None
    after = _profile_snapshot(row)
    changed = [key for key in after if after[key] != before[key]]
    if not changed and not new_contact:
        return _public(row)
    row.updated_at = now()
    ctx.session.flush()
    audit_record(ctx, "organization_update", f"organization:{row.id}", before, after)
    who = [row.owner_id] if ctx.actor.has("curator") else curator_ids(ctx)
    notify(
        ctx,
        who,
        f"Organization profile changed: {row.name}",
        f"{ctx.actor.name} changed the {row.status} organization's profile: "
        f"{', '.join(changed) or 'contact person'}.",
        f"/community/organizations/{row.id}",
    )
    return _public(row)


def organization_withdraw_consent(ctx: Context, organization_id: int) -> OrganizationPublic:
    """Remove an organization's named contact at once (their consent is withdrawn).

    The name is deleted from the row; the audit trail says only that a contact was named.
    """
    row = organization_row(ctx, organization_id)
    authorize(ctx, "organization_consent_withdraw", OwnerScope(row.owner_id))
    if row.contact_name is None and row.contact_consent_at is None:
        raise Conflict(f"organization {organization_id} names no contact person")
    before = {"contact_named": True}
    row.contact_name = None
    row.contact_consent_at = None
    row.updated_at = now()
    ctx.session.flush()
    audit_record(
        ctx,
        "organization_consent_withdraw",
        f"organization:{row.id}",
        before,
        {"contact_named": False},
    )
    notify(
        ctx,
        [row.owner_id],
        f"Contact person removed: {row.name}",
        f"{ctx.actor.name} removed the organization's named contact person (consent withdrawn).",
        f"/community/organizations/{row.id}",
    )
    return _public(row)
