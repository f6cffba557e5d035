"""Connections: who works on an objective in an area, across every part of GCM Hub.

One read joins seven kinds of record, each through the rules of the part that owns it:
published knowledge items (the knowledge listing with its facets, where a country counts for
its M49 regions), hub providers listed with consent, approved community organizations (by
residence or origin country), hub requests as the reader may read them (the hub's register:
private ones never appear to the public, anonymised ones never for a country area, which
would name their country), fund projects (public, as on the fund's gateway), active events
and pledges that are not withdrawn.

An area is an M49 region (`202`, Sub-Saharan Africa) or a country (`SEN`). A record is in a
region when one of its countries is, or one of its regions is that region, inside it, or
contains it (a provider working across Africa works in Western Africa); the World (`001`)
contains everything and so is left out of that last rule, or every global record would be
everywhere. Either filter may be left out, not both.

Pages of objectives link here with `/community/connections?objective=N` ("who works on this
objective"), and may add `&area=CODE`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import select

from gcmhub.community.connection_schemas import (
    AreaRef,
    ConnectionEntry,
    Connections,
    ConnectionSection,
    ObjectiveRef,
    RegionCounts,
)
from gcmhub.community.models import Event, Organization, Pledge
from gcmhub.context import Context
from gcmhub.errors import InvalidInput
from gcmhub.fund.projects import project_list
from gcmhub.fund.schemas import ProjectPublic
from gcmhub.hub.listing import RequestFilter, request_list
from gcmhub.hub.models import Provider
from gcmhub.knowledge.listing import item_list
from gcmhub.review.common import (
    TOP_REGIONS,
    country_code,
    country_name,
    is_action,
    objective_of,
    objective_resolver,
)
from gcmhub.taxonomy.actions import concept_closures, concept_resolver

WORLD = "001"
LIMIT = 10  # entries shown per kind
PLEDGE_GONE = "withdrawn"


@dataclass(frozen=True)
class Record:
    """A record of any part, reduced to what connections and digests match on."""

    kind: str
    id: str
    title: str
    link: str
    detail: str = ""
    objectives: frozenset[str] = frozenset()  # objective ids (objective:6), actions folded in
    countries: frozenset[str] = frozenset()  # ISO3
    regions: frozenset[str] = frozenset()  # M49 codes (202)
    organization_id: int | None = None  # the organization it belongs to, if any

    def entry(self) -> ConnectionEntry:
        return ConnectionEntry(id=self.id, title=self.title, link=self.link, detail=self.detail)


@dataclass
class Topic:
    """What a connections page or a follow is about: an objective, an area, or both."""

    objective: ObjectiveRef | None = None
    area: AreaRef | None = None
    organization_id: int | None = None


# -- naming objectives and areas --------------------------------------------------------------


def objective_resolve(ctx: Context, value: str, field: str = "objective") -> ObjectiveRef:
    """Return the objective meant by `6`, `objective:6` or its title (422 naming the field)."""
    try:
        concept = objective_resolver(ctx)(value)
    except InvalidInput as error:
        raise InvalidInput(f"{field}: {error}") from None
    if is_action(ctx, concept):
        parent = objective_of(ctx, concept).split(":", 1)[1]
        raise InvalidInput(f"{field}: '{value}' is an action of objective {parent}; name {parent}")
    closure = concept_closures(ctx)[concept]
    return ObjectiveRef(id=concept, code=closure.code, label=closure.label)


def area_resolve(ctx: Context, value: str, field: str = "area") -> AreaRef:
    """Return the area meant by an M49 region code or name, or a country (ISO3 or name)."""
    text = value.strip().removeprefix("region:").removeprefix("country:")
    closures = concept_closures(ctx)
    if not text.isdigit():
        try:
            code = country_code(ctx, text, field)
            return AreaRef(code=code, kind="country", label=country_name(ctx, code))
        except InvalidInput:
            pass  # perhaps a region's name
    try:
        concept = concept_resolver(ctx, "region")(text)
    except InvalidInput:
        raise InvalidInput(
            f"{field}: '{value}' is neither an M49 region (202, 419…) nor a country (ISO3 or name)"
        ) from None
    closure = closures[concept]
    return AreaRef(code=closure.code, kind="region", label=closure.label)


def topic_of(ctx: Context, objective: str | None, area: str | None) -> Topic:
    """Resolve the two filters of a connections query; both missing is a 422 naming them."""
    if not (objective or "").strip() and not (area or "").strip():
        raise InvalidInput("objective, area: give an objective, an area, or both")
    return Topic(
        objective=objective_resolve(ctx, objective) if objective and objective.strip() else None,
        area=area_resolve(ctx, area) if area and area.strip() else None,
    )


def topic_label(topic: Topic, organization_name: str | None = None) -> str:
    """What a topic is, in words: "Objective 6 in Sub-Saharan Africa"."""
    if topic.organization_id is not None:
        return organization_name or f"Organization {topic.organization_id}"
    parts = []
    if topic.objective:
        parts.append(f"Objective {topic.objective.code}: {topic.objective.label}")
    if topic.area:
        parts.append(("in " if parts else "") + topic.area.label)
    return " ".join(parts)


def topic_link(topic: Topic) -> str:
    """The page of a topic: the connections page, or the organization's page."""
    if topic.organization_id is not None:
        return f"/community/organizations/{topic.organization_id}"
    query = {}
    if topic.objective:
        query["objective"] = topic.objective.code
    if topic.area:
        query["area"] = topic.area.code
    return "/community/connections?" + urlencode(query)


# -- where records are ------------------------------------------------------------------------


def _country_regions(ctx: Context, iso3: str) -> frozenset[str]:
    closure = concept_closures(ctx).get(f"country:{iso3}")
    related = closure.related if closure else ()
    return frozenset(r.split(":", 1)[1] for r in related if r.startswith("region:"))


def _region_chain(ctx: Context, code: str) -> frozenset[str]:
    """A region's broader regions (Western Africa: 202, 002, 001)."""
    closure = concept_closures(ctx).get(f"region:{code}")
    return frozenset(closure.ancestors) if closure else frozenset()


def in_area(ctx: Context, area: AreaRef, countries: Iterable[str], regions: Iterable[str]) -> bool:
    """Whether a record with these countries and regions (M49 codes) works in the area."""
    if area.kind == "country":
        if area.code in countries:
            return True
        around = _country_regions(ctx, area.code) - {WORLD}
        return any(r in around for r in regions)
    if area.code == WORLD:
        return bool(countries or regions)  # anywhere at all
    if any(area.code in _country_regions(ctx, c) for c in countries):
        return True
    for region in regions:
        if region == area.code or area.code in _region_chain(ctx, region):
            return True  # the region itself, or inside it
        if region != WORLD and region in _region_chain(ctx, area.code):
            return True  # a broader region contains it
    return False


def matches(ctx: Context, topic: Topic, record: Record) -> bool:
    """Whether a record belongs to a topic (an organization's own records, or the filters)."""
    if topic.organization_id is not None:
        return record.organization_id == topic.organization_id
    if topic.objective and topic.objective.id not in record.objectives:
        return False
    return not topic.area or in_area(ctx, topic.area, record.countries, record.regions)


def _objectives(ctx: Context, concepts: Iterable[str]) -> frozenset[str]:
    return frozenset(objective_of(ctx, c) for c in concepts if c.startswith("objective:"))


def _codes(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.split(":", 1)[-1] for v in values)


# -- records of each kind ---------------------------------------------------------------------


def provider_records(ctx: Context) -> list[Record]:
    """Hub providers listed with consent and active (experts are shown only so)."""
    rows = ctx.session.scalars(
        select(Provider)
        .where(Provider.consent_at.is_not(None), Provider.active)
        .order_by(Provider.name, Provider.id)
    )
    return [
        Record(
            kind="providers",
            id=p.ref,
            title=p.name,
            link=f"/hub/providers/{p.ref}",
            detail=p.kind,
            objectives=_objectives(ctx, p.objectives),
            countries=frozenset(p.countries),
            regions=_codes(p.regions),
        )
        for p in rows
    ]


def organization_record(ctx: Context, row: Organization) -> Record:
    """An organization, where it is based and where its members come from."""
    return Record(
        kind="organizations",
        id=str(row.id),
        title=row.name,
        link=f"/community/organizations/{row.id}",
        detail=row.kind,
        objectives=_objectives(ctx, row.objectives),
        countries=frozenset([*row.residence_countries, *row.origin_countries]),
        organization_id=row.id,
    )


def organization_records(ctx: Context) -> list[Record]:
    """Approved organizations of the directory."""
    rows = ctx.session.scalars(
        select(Organization)
        .where(Organization.status == "approved")
        .order_by(Organization.name, Organization.id)
    )
    return [organization_record(ctx, row) for row in rows]


def project_record(ctx: Context, project: ProjectPublic) -> Record:
    """A fund project, as the fund's gateway publishes it."""
    return Record(
        kind="projects",
        id=project.id,
        title=project.title,
        link=f"/fund/projects/{project.id}",
        detail=" · ".join(x for x in (project.country or "", project.status) if x),
        objectives=_objectives(ctx, project.objectives),
        countries=frozenset([project.country] if project.country else []),
    )


def event_record(ctx: Context, row: Event) -> Record:
    """An event, where it takes place (countries and regions)."""
    return Record(
        kind="events",
        id=str(row.id),
        title=row.title,
        link=f"/community/events/{row.id}",
        detail=f"{row.starts_on.isoformat()} · {row.organizer}",
        objectives=_objectives(ctx, row.objectives),
        countries=frozenset(row.countries),
        regions=_codes(row.regions),
        organization_id=row.organization_id,
    )


def pledge_record(ctx: Context, row: Pledge) -> Record:
    """A pledge, where it applies and who pledges it."""
    return Record(
        kind="pledges",
        id=str(row.id),
        title=row.title,
        link=f"/community/pledges/{row.id}",
        detail=f"{row.pledger} · {row.status}",
        objectives=_objectives(ctx, row.objectives),
        countries=frozenset([*row.countries, *([row.country] if row.country else [])]),
        organization_id=row.organization_id,
    )


def event_records(ctx: Context) -> list[Record]:
    """Active events, the latest first."""
    rows = ctx.session.scalars(
        select(Event).where(Event.status == "active").order_by(Event.starts_on.desc(), Event.id)
    )
    return [event_record(ctx, row) for row in rows]


def pledge_records(ctx: Context) -> list[Record]:
    """Pledges not withdrawn, the latest first."""
    rows = ctx.session.scalars(
        select(Pledge).where(Pledge.status != PLEDGE_GONE).order_by(Pledge.id.desc())
    )
    return [pledge_record(ctx, row) for row in rows]


def project_records(ctx: Context) -> list[Record]:
    """Fund projects (money allocated), the latest first."""
    return [project_record(ctx, p) for p in project_list(ctx)]


GATHERERS: dict[str, Callable[[Context], list[Record]]] = {
    "providers": provider_records,
    "organizations": organization_records,
    "projects": project_records,
    "events": event_records,
    "pledges": pledge_records,
}


# -- the join ---------------------------------------------------------------------------------


def _item_filters(topic: Topic) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    if topic.objective:
        filters["objective"] = [topic.objective.code]
    if topic.area:
        filters[topic.area.kind] = [topic.area.code]
    return filters


def _items(ctx: Context, topic: Topic, limit: int) -> ConnectionSection:
    filters = _item_filters(topic)
    page = item_list(ctx, filters, limit=max(limit, 1))
    return ConnectionSection(
        kind="items",
        count=page.count,
        entries=[
            ConnectionEntry(id=i.id, title=i.title, link=f"/items/{i.id}", detail=i.type)
            for i in page.data[:limit]
        ],
        more="/search?" + urlencode([(k, v) for k, vs in filters.items() for v in vs]),
    )


def _requests(ctx: Context, topic: Topic, limit: int) -> ConnectionSection:
    area = topic.area
    wanted = RequestFilter(
        objective=topic.objective.code if topic.objective else None,
        region=area.code if area and area.kind == "region" else None,
        country=area.code if area and area.kind == "country" else None,
    )
    rows = request_list(ctx, wanted, sort="age", limit=1000).requests
    if area and area.kind == "country":
        rows = [r for r in rows if r.country]  # anonymised: the country is not to be named
    return ConnectionSection(
        kind="requests",
        count=len(rows),
        entries=[
            ConnectionEntry(
                id=r.id,
                title=r.title,
                link=f"/hub/requests/{r.id}",
                detail=" · ".join(x for x in (r.country or r.region or "", r.state) if x),
            )
            for r in rows[:limit]
        ],
    )


def _section(kind: str, records: list[Record], limit: int) -> ConnectionSection:
    return ConnectionSection(
        kind=kind, count=len(records), entries=[r.entry() for r in records[:limit]]
    )


def connections(
    ctx: Context, objective: str | None, area: str | None, limit: int = LIMIT
) -> Connections:
    """Who works on an objective in an area: a section per kind, each with a count and the
    first `limit` entries linked to their pages. Either filter may be left out, not both."""
    topic = topic_of(ctx, objective, area)
    sections = [_items(ctx, topic, limit)]
    for kind, gather in GATHERERS.items():
        found = [r for r in gather(ctx) if matches(ctx, topic, r)]
        sections.append(_section(kind, found, limit))
        if kind == "organizations":
            sections.append(_requests(ctx, topic, limit))
    return Connections(
        objective=topic.objective,
        area=topic.area,
        total=sum(s.count for s in sections),
        sections=sections,
    )


def region_counts(ctx: Context, objective: str) -> list[RegionCounts]:
    """For one objective, how many records of each kind work in each continental region."""
    chosen = objective_resolve(ctx, objective)
    gathered = {kind: gather(ctx) for kind, gather in GATHERERS.items()}
    closures = concept_closures(ctx)
    out = []
    for code in TOP_REGIONS:
        area = AreaRef(code=code, kind="region", label=closures[f"region:{code}"].label)
        topic = Topic(objective=chosen, area=area)
        counts = {"items": _items(ctx, topic, 0).count}
        for kind, records in gathered.items():
            counts[kind] = sum(1 for r in records if matches(ctx, topic, r))
        counts["requests"] = _requests(ctx, topic, 0).count
        out.append(RegionCounts(area=area, counts=counts, total=sum(counts.values())))
    return out
