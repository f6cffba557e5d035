"""Events toward the Compact: record, edit, outcomes, cancel, and find them.

An event is public once recorded and is published at once as a knowledge item of type
"event" (`item_ref`), so the platform's search finds it with every other record. The item is
the platform's own (written by the system actor, owned by no one): the event is the record,
and every change to it rewrites the item's title, text, countries, regions and objectives.
A cancelled event's item says so. No precise location is kept: a city at most.

The knowledge-item helpers here (`ItemFacts`, `item_publish`, `item_sync`) serve pledges too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import delete, select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.accounts.notices import notify
from gcmhub.auth import authorize
from gcmhub.community.event_auth import EventScope
from gcmhub.community.event_schemas import (
    EVENT_STATUSES,
    SCOPES,
    CancelWrite,
    EventPublic,
    EventUpdate,
    EventWrite,
    OutcomesWrite,
)
from gcmhub.community.models import Event, Organization
from gcmhub.context import SYSTEM, Context
from gcmhub.errors import BadParameter, Conflict, Forbidden, InvalidInput, NotFound
from gcmhub.review.common import concept_list, country_code, objective_of
from gcmhub.settings import get_settings
from gcmhub.taxonomy.actions import concept_closures, concept_resolver, fold_key

When = Literal["upcoming", "ongoing", "past"]
SCOPE_NAMES = {
    "global": "Global",
    "regional": "Regional",
    "national": "National",
    "local": "Local",
}
MODALITY_NAMES = {"in_person": "in person", "online": "online", "hybrid": "hybrid"}


# -- shared with pledges: countries, regions, organizations, words -----------------------------


def countries_of(ctx: Context, names: list[str], field: str) -> list[str]:
    """ISO3 codes of countries given by code or name (422 naming the field and position)."""
    return sorted({country_code(ctx, name, f"{field}.{i}") for i, name in enumerate(names)})


def regions_of(ctx: Context, codes: list[str], field: str = "regions") -> list[str]:
    """M49 region codes, checked against the taxonomy's regions (422 naming the position)."""
    resolve = concept_resolver(ctx, "region")
    found: list[str] = []
    for index, code in enumerate(codes):
        try:
            concept = resolve(code)
        except InvalidInput:
            raise InvalidInput(
                f"{field}.{index}: '{code[:40]}' is not an M49 region (002 Africa, 150 Europe…)"
            ) from None
        region = concept.split(":", 1)[1]
        if region not in found:
            found.append(region)
    return sorted(found)


def country_regions(ctx: Context, country: str) -> set[str]:
    """The M49 regions a country belongs to, at every level (015, 002, 001…)."""
    closures = concept_closures(ctx)
    found = closures.get(f"country:{country}")
    if found is None:
        return set()
    out: set[str] = set()
    for related in found.related:
        if related.startswith("region:"):
            out.add(related.split(":", 1)[1])
            region = closures.get(related)
            out.update(region.ancestors if region else ())
    return out


def city_of(value: str | None) -> str | None:
    """A city, with spaces tidied; digits are refused (no street address, no location)."""
    city = " ".join(value.split()) if value else None
    if city and any(ch.isdigit() for ch in city):
        raise InvalidInput("city: a city at most, no street address or precise location")
    return city or None


def approved_organization(ctx: Context, organization_id: int, acting: str) -> Organization:
    """An approved organization the actor registered (curators: any), to act in its name.

    Not approved or unknown: 422 naming `organization_id`; someone else's: 403.
    """
    row = ctx.session.get(Organization, organization_id)
    if row is None or row.status != "approved":
        raise InvalidInput(f"organization_id: no approved organization {organization_id}")
    actor = ctx.actor
    if not actor.has("curator") and (actor.user_id is None or actor.user_id != row.owner_id):
        raise Forbidden(
            f"organization_id: only who registered organization {organization_id} "
            f"(or a curator) {acting} in its name"
        )
    return row


def choose(name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    """Refuse a filter value outside its list (400 naming the parameter)."""
    if value is not None and value not in allowed:
        raise BadParameter(name, f"{name}: one of {', '.join(allowed)}")


def matches_words(query: str | None, *texts: str | None) -> bool:
    """Whether every word of a query is in the texts (case, accents and punctuation ignored)."""
    words = fold_key(query or "").split()
    if not words:
        return True
    haystack = " " + fold_key(" ".join(t for t in texts if t)) + " "
    return all(f" {word}" in haystack for word in words)


# -- shared with pledges: the knowledge item -----------------------------------------------------


@dataclass(frozen=True)
class ItemFacts:
    """What a community record puts in its knowledge item."""

    type: str  # event, pledge
    title: str
    text: str
    path: str  # the record's page: /community/events/3
    publisher: str
    countries: list[str]  # ISO3
    objectives: list[str]  # concept ids
    regions: list[str]  # M49 codes
    start: date | None
    end: date | None


def _platform(ctx: Context) -> Context:
    """The same transaction acting as the platform: the item is derived, owned by no one."""
    return Context(ctx.session, SYSTEM, ctx.outbox)


def _tags(ctx: Context, item_id: int, facts: ItemFacts) -> None:
    """Set the item's objectives and regions as given by the record (other tags stay)."""
    from gcmhub.knowledge.models import ItemConcept

    ctx.session.execute(
        delete(ItemConcept).where(
            ItemConcept.item_id == item_id,
            ItemConcept.origin == "source",
            ItemConcept.concept_id.like("objective:%") | ItemConcept.concept_id.like("region:%"),
        )
    )
    ctx.session.flush()
    for concept in [*facts.objectives, *(f"region:{r}" for r in facts.regions)]:
        found = ctx.session.get(ItemConcept, (item_id, concept))
        if found is None:
            ctx.session.add(
                ItemConcept(
                    item_id=item_id, concept_id=concept, origin="source", status="confirmed"
                )
            )
        else:  # a suggestion of the tagger becomes the record's own
            found.origin, found.status = "source", "confirmed"
    ctx.session.flush()


def _url(path: str) -> str:
    return get_settings().public_url.rstrip("/") + path


def item_publish(ctx: Context, facts: ItemFacts) -> str:
    """Publish a record as a knowledge item, searchable at once; return the item's ref."""
    from gcmhub.knowledge.actions import item_index
    from gcmhub.knowledge.editing import item_create
    from gcmhub.knowledge.indexing import facet_values
    from gcmhub.knowledge.models import Item
    from gcmhub.knowledge.schemas import ItemCreate
    from gcmhub.search.index import IndexRecord

    created = item_create(
        _platform(ctx),
        ItemCreate(
            title=facts.title,
            text=facts.text,
            type=facts.type,
            url=_url(facts.path),
            publisher=facts.publisher,
            date_published=date.today(),
            countries=facts.countries,
            status="published",
        ),
    )
    item = ctx.session.scalar(select(Item).where(Item.ref == created.id))
    assert item is not None
    item.date_start, item.date_end = facts.start, facts.end
    _tags(ctx, item.id, facts)
    facets = facet_values(ctx, [item.id])
    item_index(ctx).upsert(
        [IndexRecord(item.id, item.title, item.text, item.language, facets.get(item.id, {}))]
    )
    return item.ref


def item_sync(ctx: Context, ref: str | None, facts: ItemFacts) -> str:
    """Keep a record's knowledge item in step (title, text, countries, regions, objectives,
    dates); publish it again if a curator removed it. Return the item's ref."""
    from gcmhub.knowledge.editing import item_update
    from gcmhub.knowledge.models import Item
    from gcmhub.knowledge.schemas import ItemUpdate

    item = ctx.session.scalar(select(Item).where(Item.ref == ref)) if ref else None
    if item is None:
        return item_publish(ctx, facts)
    item.date_start, item.date_end = facts.start, facts.end
    _tags(ctx, item.id, facts)
    item_update(  # re-indexes the item with its new tags, and puts the change on record
        _platform(ctx),
        item.ref,
        ItemUpdate(
            title=facts.title,
            text=facts.text,
            url=_url(facts.path),
            publisher=facts.publisher,
            countries=facts.countries,
        ),
    )
    return item.ref


# -- events --------------------------------------------------------------------------------------


def when_of(row: Event, today: date | None = None) -> When:
    """Upcoming, ongoing or past, against today's date."""
    day = today or date.today()
    if row.starts_on > day:
        return "upcoming"
    return "ongoing" if row.ends_on >= day else "past"


def _public(row: Event) -> EventPublic:
    return EventPublic(
        id=row.id,
        title=row.title,
        organizer=row.organizer,
        organization_id=row.organization_id,
        scope=row.scope,
        countries=row.countries,
        regions=row.regions,
        objectives=row.objectives,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        when=when_of(row),
        modality=row.modality,
        city=row.city,
        url=row.url,
        description=row.description,
        outcomes=row.outcomes,
        outcomes_at=row.outcomes_at,
        status=row.status,
        item_ref=row.item_ref,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _snapshot(row: Event) -> dict[str, Any]:
    return {
        "title": row.title,
        "organizer": row.organizer,
        "organization_id": row.organization_id,
        "scope": row.scope,
        "countries": row.countries,
        "regions": row.regions,
        "objectives": row.objectives,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "modality": row.modality,
        "city": row.city,
        "url": row.url,
        "status": row.status,
        "outcomes": row.outcomes,
    }


def _item_text(row: Event) -> str:
    """The item's text: what the event is, who, where and when, its outcomes, if cancelled."""
    where = f", in {row.city}" if row.city else ""
    lines = [
        row.description,
        f"{SCOPE_NAMES.get(row.scope, row.scope)} event organized by {row.organizer}, "
        f"{MODALITY_NAMES.get(row.modality, row.modality)}{where}, "
        f"from {row.starts_on.isoformat()} to {row.ends_on.isoformat()}.",
    ]
    if row.outcomes:
        lines.append(f"Outcomes: {row.outcomes}")
    if row.status == "cancelled":
        lines.append("Cancelled: this event does not take place.")
    return "\n\n".join(line for line in lines if line)


def _facts(row: Event) -> ItemFacts:
    title = f"{row.title} (cancelled)" if row.status == "cancelled" else row.title
    return ItemFacts(
        type="event",
        title=title,
        text=_item_text(row),
        path=f"/community/events/{row.id}",
        publisher=row.organizer,
        countries=row.countries,
        objectives=row.objectives,
        regions=row.regions,
        start=row.starts_on,
        end=row.ends_on,
    )


def _dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise InvalidInput(
            f"ends_on: {ends_on.isoformat()} is before starts_on {starts_on.isoformat()}"
        )


def event_create(ctx: Context, data: EventWrite) -> EventPublic:
    """Record an event (anyone signed in) and publish it as a knowledge item."""
    authorize(ctx, "event_create")
    _dates(data.starts_on, data.ends_on)
    if data.organization_id is not None:
        approved_organization(ctx, data.organization_id, "records events")
    stamp = now()
    row = Event(
        title=" ".join(data.title.split()),
        organizer=" ".join(data.organizer.split()),
        organization_id=data.organization_id,
        scope=data.scope,
        countries=countries_of(ctx, data.countries, "countries"),
        regions=regions_of(ctx, data.regions),
        objectives=concept_list(ctx, data.objectives, "objective", "objectives"),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        modality=data.modality,
        city=city_of(data.city),
        url=data.url,
        description=data.description.strip(),
        outcomes="",
        status="active",
        owner_id=ctx.actor.user_id,
        created_by=ctx.actor.name,
        created_at=stamp,
        updated_at=stamp,
    )
    ctx.session.add(row)
    ctx.session.flush()
    row.item_ref = item_publish(ctx, _facts(row))
    audit_record(ctx, "event_create", f"event:{row.id}", None, _snapshot(row))
    return _public(row)


def _get(ctx: Context, event_id: int) -> Event:
    row = ctx.session.get(Event, event_id)
    if row is None:
        raise NotFound(f"no event {event_id}")
    return row


def _editable(ctx: Context, event_id: int) -> Event:
    """An event the actor may change: authorized first, and not cancelled (409)."""
    row = _get(ctx, event_id)
    authorize(ctx, "event_edit", EventScope(row.owner_id))
    if row.status == "cancelled":
        raise Conflict(f"event {event_id} is cancelled: it cannot change any more")
    return row


def _changed(
    ctx: Context, row: Event, action: str, before: dict[str, Any], what: str, why: str = ""
) -> None:
    """Keep the item in step, put the change on record (with its reason, if any) and tell
    the owner when someone else (a curator) made it."""
    row.updated_at = now()
    ctx.session.flush()
    row.item_ref = item_sync(ctx, row.item_ref, _facts(row))
    after = {**_snapshot(row), **({"reason": why} if why else {})}
    audit_record(ctx, action, f"event:{row.id}", before, after)
    notify(
        ctx,
        [row.owner_id],
        f"Event '{row.title}': {what}",
        why or f"{ctx.actor.name}: {what}.",
        f"/community/events/{row.id}",
    )


def event_update(ctx: Context, event_id: int, changes: EventUpdate) -> EventPublic:
    """Change an event (its owner or curators); its knowledge item follows."""
    row = _editable(ctx, event_id)
    given = changes.model_dump(exclude_unset=True)
    for name in ("title", "organizer", "scope", "starts_on", "ends_on", "modality"):
        if name in given and given[name] is None:
            raise InvalidInput(f"{name} cannot be empty")
    _dates(given.get("starts_on") or row.starts_on, given.get("ends_on") or row.ends_on)
    before = _snapshot(row)
    if "countries" in given:
        row.countries = countries_of(ctx, given.pop("countries") or [], "countries")
    if "regions" in given:
        row.regions = regions_of(ctx, given.pop("regions") or [])
    if "objectives" in given:
        row.objectives = concept_list(ctx, given.pop("objectives") or [], "objective", "objectives")
    if "city" in given:
        row.city = city_of(given.pop("city"))
    for name in ("title", "organizer"):
        if name in given:
            setattr(row, name, " ".join(given.pop(name).split()))
    if "description" in given:
        row.description = (given.pop("description") or "").strip()
    for name, value in given.items():  # scope, dates, modality, url
        setattr(row, name, value)
    _changed(ctx, row, "event_update", before, "changed")
    return _public(row)


def event_outcomes(ctx: Context, event_id: int, data: OutcomesWrite) -> EventPublic:
    """Record what an event achieved, from its start date on (before it: 409)."""
    row = _editable(ctx, event_id)
    if date.today() < row.starts_on:
        raise Conflict(
            f"event {event_id} starts on {row.starts_on.isoformat()}: "
            "record its outcomes from that date"
        )
    before = _snapshot(row)
    row.outcomes = data.outcomes.strip()
    row.outcomes_at = now()
    _changed(ctx, row, "event_outcomes", before, "outcomes recorded")
    return _public(row)


def event_cancel(ctx: Context, event_id: int, data: CancelWrite) -> EventPublic:
    """Cancel an event (its owner or curators): it stays on record, its item says so."""
    row = _editable(ctx, event_id)
    before = _snapshot(row)
    row.status = "cancelled"
    _changed(ctx, row, "event_cancel", before, "cancelled", data.reason.strip())
    return _public(row)


def event_show(ctx: Context, event_id: int) -> EventPublic:
    """An event (events are public)."""
    return _public(_get(ctx, event_id))


@dataclass(frozen=True)
class EventFilter:
    """What an event list is narrowed to; every field optional."""

    q: str | None = None
    objective: str | None = None
    country: str | None = None
    region: str | None = None
    scope: str | None = None
    start: date | None = None  # events ending on or after this day
    end: date | None = None  # events starting on or before this day
    status: str | None = None  # active, cancelled


def _in_region(ctx: Context, row: Event, region: str) -> bool:
    if region in row.regions:
        return True
    closures = concept_closures(ctx)
    for own in row.regions:  # a sub-region of the one asked for
        found = closures.get(f"region:{own}")
        if found and region in found.ancestors:
            return True
    return any(region in country_regions(ctx, c) for c in row.countries)


def event_list(ctx: Context, wanted: EventFilter | None = None) -> list[EventPublic]:
    """Events by start date, narrowed by words, objective, country, region, scope, period
    (overlapping it) and status. An objective also finds events on its actions."""
    wanted = wanted or EventFilter()
    choose("scope", wanted.scope, SCOPES)
    choose("status", wanted.status, EVENT_STATUSES)
    query = select(Event)
    if wanted.scope:
        query = query.where(Event.scope == wanted.scope)
    if wanted.status:
        query = query.where(Event.status == wanted.status)
    if wanted.start:
        query = query.where(Event.ends_on >= wanted.start)
    if wanted.end:
        query = query.where(Event.starts_on <= wanted.end)
    rows = list(ctx.session.scalars(query.order_by(Event.starts_on, Event.id)))
    if wanted.country:
        code = country_code(ctx, wanted.country)
        rows = [r for r in rows if code in r.countries]
    if wanted.region:
        region = regions_of(ctx, [wanted.region], "region")[0]
        rows = [r for r in rows if _in_region(ctx, r, region)]
    if wanted.objective:
        concept = objective_id(ctx, wanted.objective)
        rows = [r for r in rows if on_objective(ctx, concept, r.objectives)]
    if wanted.q:
        rows = [
            r
            for r in rows
            if matches_words(wanted.q, r.title, r.organizer, r.description, r.outcomes, r.city)
        ]
    return [_public(r) for r in rows]


def objective_id(ctx: Context, objective: str) -> str:
    """The concept id of an objective named by number, title or id (422 naming `objective`)."""
    return concept_list(ctx, [objective], "objective", "objective")[0]


def on_objective(ctx: Context, objective: str, concepts: list[str]) -> bool:
    """Whether a record on these concepts is on an objective (or one of its actions)."""
    return any(c == objective or objective_of(ctx, c) == objective for c in concepts)
