"""Providers and offers of support: registering, changing, listing, and forgetting people.

An expert is a person: the profile is listed publicly only once consent is on record, and
the person may have it exported or erased. An organization's contact is shown only with
consent too.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.auth import allowed, authorize
from gcmhub.context import Context
from gcmhub.errors import InvalidInput, NotFound
from gcmhub.hub.auth import ProviderScope
from gcmhub.hub.concepts import Names, concept_refs
from gcmhub.hub.models import Engagement, Offer, Provider, SupportRequest
from gcmhub.hub.schemas import (
    OfferPublic,
    OfferWrite,
    ProviderPublic,
    ProviderUpdate,
    ProviderWrite,
)
from gcmhub.hub.vocabulary import (
    LANGUAGES,
    MODALITIES,
    ORGANIZATION_TYPES,
    SUPPORT_TYPES,
    checked,
)
from gcmhub.hub.workflow import OPEN_STATES

LISTS = ("objectives", "support_types", "countries", "regions", "languages", "modalities")


def _lists(names: Names, data: dict[str, Any]) -> dict[str, Any]:
    """Resolve and check the list fields present in `data`."""
    out: dict[str, Any] = {}
    if data.get("objectives") is not None:
        out["objectives"] = names.objectives(data["objectives"])
    if data.get("countries") is not None:
        out["countries"] = names.countries(data["countries"])
    if data.get("regions") is not None:
        out["regions"] = names.regions(data["regions"])
    if data.get("support_types") is not None:
        out["support_types"] = checked("support_types", data["support_types"], SUPPORT_TYPES)
    if data.get("languages") is not None:
        out["languages"] = checked("languages", data["languages"], LANGUAGES)
    if data.get("modalities") is not None:
        out["modalities"] = checked("modalities", data["modalities"], MODALITIES)
    return out


def _snapshot(provider: Provider) -> dict[str, Any]:
    return {
        "name": provider.name,
        "kind": provider.kind,
        **{name: getattr(provider, name) for name in LISTS},
        "capacity": provider.capacity,
        "consent": provider.consent_at is not None,
        "active": provider.active,
    }


def provider_create(ctx: Context, data: ProviderWrite, ref: str | None = None) -> ProviderPublic:
    """Register a provider; the person registering it owns it.

    An expert's profile and any contact address need consent (`consent`); without it the
    profile is kept for the secretariat's matching but never shown publicly.
    """
    authorize(ctx, "provider_create", ProviderScope(ctx.actor.user_id))
    checked("organization_type", [data.organization_type], ORGANIZATION_TYPES)
    if data.contact_email and not data.consent:
        raise InvalidInput("contact_email: a contact address is kept only with consent")
    lists = _lists(Names(ctx), data.model_dump())
    if ref and ctx.session.scalar(select(Provider.id).where(Provider.ref == ref)):
        raise InvalidInput(f"a provider '{ref}' exists already")
    stamp = now()
    provider = Provider(
        ref=ref or f"p-{secrets.token_hex(5)}",
        kind=data.kind,
        name=data.name.strip(),
        organization_type=data.organization_type,
        un_system=data.un_system,
        description=data.description.strip(),
        capacity=data.capacity,
        available_until=data.available_until,
        contact_email=str(data.contact_email) if data.contact_email else None,
        consent_at=stamp if data.consent else None,
        active=True,
        owner_id=ctx.actor.user_id,
        created_at=stamp,
        updated_at=stamp,
        **lists,
    )
    ctx.session.add(provider)
    ctx.session.flush()
    audit_record(ctx, "provider_create", f"provider:{provider.ref}", None, _snapshot(provider))
    return provider_show(ctx, provider.ref)


def _provider(ctx: Context, ref: str) -> Provider:
    provider = ctx.session.scalar(select(Provider).where(Provider.ref == ref))
    if provider is None:
        raise NotFound(f"no provider '{ref}'")
    return provider


def _visible(ctx: Context, provider: Provider) -> bool:
    if provider.consent_at is not None and provider.active:
        return True
    return allowed(ctx.actor, "provider_read_hidden", ProviderScope(provider.owner_id))


def provider_update(ctx: Context, ref: str, changes: ProviderUpdate) -> ProviderPublic:
    """Change a provider; withdrawing consent hides it and drops its contact."""
    provider = _provider(ctx, ref)
    authorize(ctx, "provider_update", ProviderScope(provider.owner_id))
    before = _snapshot(provider)
    data = changes.model_dump(exclude_unset=True)
    for name, value in _lists(Names(ctx), data).items():
        setattr(provider, name, value)
    for name in ("name", "description", "capacity", "available_until", "active"):
        if name in data and data[name] is not None:
            setattr(provider, name, data[name])
    if data.get("consent") is False:
        provider.consent_at, provider.contact_email = None, None
    elif data.get("consent") is True and provider.consent_at is None:
        provider.consent_at = now()
    if data.get("contact_email"):
        if provider.consent_at is None:
            raise InvalidInput("contact_email: a contact address is kept only with consent")
        provider.contact_email = str(data["contact_email"])
    provider.updated_at = now()
    audit_record(ctx, "provider_update", f"provider:{ref}", before, _snapshot(provider))
    return provider_show(ctx, ref)


def provider_loads(ctx: Context, ids: list[int] | None = None) -> dict[int, int]:
    """Count each provider's engagements on requests still open (its load)."""
    query = (
        select(Engagement.provider_id, func.count())
        .join(SupportRequest, SupportRequest.id == Engagement.request_id)
        .where(
            Engagement.status.in_(("proposed", "confirmed")),
            SupportRequest.state.in_(OPEN_STATES),
        )
        .group_by(Engagement.provider_id)
    )
    if ids is not None:
        query = query.where(Engagement.provider_id.in_(ids))
    return {pid: int(n) for pid, n in ctx.session.execute(query)}


def provider_ratings(ctx: Context, ids: list[int] | None = None) -> dict[int, tuple[float, int]]:
    """Return each rated provider's mean rating and number of ratings."""
    query = (
        select(Engagement.provider_id, func.avg(Engagement.rating), func.count(Engagement.rating))
        .where(Engagement.rating.is_not(None))
        .group_by(Engagement.provider_id)
    )
    if ids is not None:
        query = query.where(Engagement.provider_id.in_(ids))
    return {pid: (float(mean), int(n)) for pid, mean, n in ctx.session.execute(query)}


def _public(
    ctx: Context, provider: Provider, load: int, rating: tuple[float, int] | None
) -> ProviderPublic:
    return ProviderPublic(
        id=provider.ref,
        kind=provider.kind,
        name=provider.name,
        organization_type=provider.organization_type,
        un_system=provider.un_system,
        description=provider.description,
        objectives=concept_refs(ctx, provider.objectives),
        support_types=provider.support_types,
        countries=concept_refs(ctx, [f"country:{c}" for c in provider.countries]),
        regions=concept_refs(ctx, provider.regions),
        languages=provider.languages,
        modalities=provider.modalities,
        capacity=provider.capacity,
        load=load,
        available_until=provider.available_until,
        contact_email=provider.contact_email if provider.consent_at else None,
        consent=provider.consent_at is not None,
        active=provider.active,
        rating=round(rating[0], 2) if rating else None,
        ratings=rating[1] if rating else 0,
        updated_at=provider.updated_at,
    )


def provider_show(ctx: Context, ref: str) -> ProviderPublic:
    """Return a provider; one without consent is hidden from all but its owner and curators."""
    provider = _provider(ctx, ref)
    if not _visible(ctx, provider):
        raise NotFound(f"no provider '{ref}'")
    loads = provider_loads(ctx, [provider.id])
    return _public(ctx, provider, loads.get(provider.id, 0), provider_ratings(ctx).get(provider.id))


def provider_list(
    ctx: Context,
    filters: Mapping[str, str | None] | None = None,
    *,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[ProviderPublic]]:
    """List the providers the reader may see, filtered; return the total and a page.

    Filters: objective, support_type, region, language, kind (each a code or a label).
    """
    given = dict(filters or {})
    objective, support_type = given.get("objective"), given.get("support_type")
    region, language, kind = given.get("region"), given.get("language"), given.get("kind")
    query = select(Provider).order_by(Provider.name, Provider.id)
    if not allowed(ctx.actor, "provider_read_hidden", ProviderScope(-1)):
        query = query.where(Provider.consent_at.is_not(None), Provider.active)
    if kind:
        query = query.where(
            Provider.kind == checked("kind", [kind], {"organization": "", "expert": ""})[0]
        )
    rows = list(ctx.session.scalars(query))
    names = Names(ctx)
    if objective:
        wanted = names.objectives([objective])[0]
        rows = [p for p in rows if wanted in p.objectives]
    if support_type:
        wanted = checked("support_type", [support_type], SUPPORT_TYPES)[0]
        rows = [p for p in rows if wanted in p.support_types]
    if region:
        wanted = names.regions([region])[0]
        rows = [p for p in rows if wanted in p.regions]
    if language:
        wanted = checked("language", [language], LANGUAGES)[0]
        rows = [p for p in rows if wanted in p.languages]
    page = rows[offset : offset + limit]
    ids = [p.id for p in page]
    loads, ratings = provider_loads(ctx, ids), provider_ratings(ctx, ids)
    return len(rows), [_public(ctx, p, loads.get(p.id, 0), ratings.get(p.id)) for p in page]


def provider_personal_data(ctx: Context, user_id: int) -> list[dict[str, Any]]:
    """Return the expert profiles a person registered (part of their personal data export)."""
    rows = ctx.session.scalars(
        select(Provider).where(Provider.owner_id == user_id, Provider.kind == "expert")
    )
    return [
        {"id": p.ref, "name": p.name, "description": p.description, "email": p.contact_email}
        for p in rows
    ]


def provider_forget_person(ctx: Context, user_id: int) -> None:
    """Erase the expert profiles of a person who asks to be forgotten.

    Organizations they registered stay (they are not personal data) without the contact.
    """
    for provider in ctx.session.scalars(select(Provider).where(Provider.owner_id == user_id)):
        if provider.kind == "expert":
            provider.name = f"Expert (erased {provider.ref})"
            provider.description = "This expert's profile was erased at their request."
            provider.active = False
            provider.consent_at = None
        provider.contact_email = None
        provider.updated_at = now()


def offer_create(ctx: Context, data: OfferWrite, ref: str | None = None) -> OfferPublic:
    """Publish an offer of support for a provider one owns (or as the secretariat)."""
    provider = _provider(ctx, data.provider)
    authorize(ctx, "offer_write", ProviderScope(provider.owner_id))
    lists = _lists(Names(ctx), data.model_dump())
    if not lists.get("objectives") and not lists.get("support_types"):
        raise InvalidInput("an offer names at least one objective or kind of support")
    offer = Offer(
        ref=ref or f"o-{secrets.token_hex(5)}",
        provider_id=provider.id,
        title=data.title.strip(),
        description=data.description.strip(),
        audience=data.audience,
        valid_until=data.valid_until,
        created_at=now(),
        **lists,
    )
    ctx.session.add(offer)
    ctx.session.flush()
    audit_record(ctx, "offer_create", f"offer:{offer.ref}", None, {"title": offer.title, **lists})
    return _offer_public(ctx, offer, provider)


def offer_withdraw(ctx: Context, ref: str) -> None:
    """Take an offer down: it ended yesterday, so it is no longer current."""
    offer = ctx.session.scalar(select(Offer).where(Offer.ref == ref))
    if offer is None:
        raise NotFound(f"no offer '{ref}'")
    provider = ctx.session.get(Provider, offer.provider_id)
    assert provider is not None
    authorize(ctx, "offer_write", ProviderScope(provider.owner_id))
    before = {"valid_until": str(offer.valid_until) if offer.valid_until else None}
    offer.valid_until = date.today() - timedelta(days=1)
    audit_record(
        ctx, "offer_withdraw", f"offer:{ref}", before, {"valid_until": str(offer.valid_until)}
    )


def _offer_public(ctx: Context, offer: Offer, provider: Provider) -> OfferPublic:
    return OfferPublic(
        id=offer.ref,
        provider=provider.ref,
        provider_name=provider.name,
        title=offer.title,
        description=offer.description,
        audience=offer.audience,
        objectives=concept_refs(ctx, offer.objectives),
        support_types=offer.support_types,
        countries=concept_refs(ctx, [f"country:{c}" for c in offer.countries]),
        regions=concept_refs(ctx, offer.regions),
        languages=offer.languages,
        valid_until=offer.valid_until,
        current=offer.valid_until is None or offer.valid_until >= date.today(),
    )


def offer_list(
    ctx: Context, *, current_only: bool = True, objective: str | None = None
) -> list[OfferPublic]:
    """List offers of providers the reader may see, the newest first."""
    rows = ctx.session.execute(
        select(Offer, Provider)
        .join(Provider, Provider.id == Offer.provider_id)
        .order_by(Offer.id.desc())
    )
    wanted = Names(ctx).objectives([objective])[0] if objective else None
    found = []
    for offer, provider in rows:
        if not _visible(ctx, provider):
            continue
        public = _offer_public(ctx, offer, provider)
        if current_only and not public.current:
            continue
        if wanted and wanted not in offer.objectives:
            continue
        found.append(public)
    return found


def offer_show(ctx: Context, ref: str) -> OfferPublic:
    """Return one offer."""
    row = ctx.session.execute(
        select(Offer, Provider)
        .join(Provider, Provider.id == Offer.provider_id)
        .where(Offer.ref == ref)
    ).first()
    if row is None or not _visible(ctx, row[1]):
        raise NotFound(f"no offer '{ref}'")
    return _offer_public(ctx, row[0], row[1])
