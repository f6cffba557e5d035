"""Knowledge actions: ingest files, search items, show one item."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy import select

from gcmhub.context import Context
from gcmhub.errors import InvalidInput, NotFound
from gcmhub.knowledge.indexing import NARROWER_FACETS
from gcmhub.knowledge.ingest import FileReport, Ingester, IngestOptions, Progress, normalise_type
from gcmhub.knowledge.models import Item, ItemConcept, Source
from gcmhub.knowledge.schemas import (
    FacetValue,
    ItemPublic,
    Provenance,
    SearchHit,
    SearchResults,
    Tag,
)
from gcmhub.search.analysis import parse_query
from gcmhub.search.index import FacetCount
from gcmhub.search.snippets import snippet
from gcmhub.search.sqlite_index import SqliteIndex
from gcmhub.settings import get_settings
from gcmhub.taxonomy.actions import concept_closures, concept_resolver
from gcmhub.taxonomy.models import Concept, Scheme

PLAIN_FACETS = ("type", "language", "year")


def item_index(ctx: Context) -> SqliteIndex:
    """Return the search index of knowledge items."""
    return SqliteIndex(ctx.session, "items", facet_max_rows=get_settings().facet_max_rows)


def knowledge_ingest(
    ctx: Context, path: Path, options: IngestOptions, progress: Progress | None = None
) -> FileReport:
    """Read one file into knowledge items; re-reading a file updates, never duplicates."""
    return Ingester(ctx, item_index(ctx), options).ingest(path, progress)


def ingest_check(ctx: Context, options: IngestOptions) -> None:
    """Refuse options that name an unknown type, country or objective, before any file is read."""
    Ingester(ctx, item_index(ctx), options)


def facet_names(ctx: Context) -> list[str]:
    """Return every facet a search can filter on."""
    schemes = list(ctx.session.scalars(select(Scheme.id).order_by(Scheme.id)))
    return [*PLAIN_FACETS, *schemes, *NARROWER_FACETS.values()]


def _scheme_of(facet: str) -> str:
    for scheme, narrower in NARROWER_FACETS.items():
        if facet == narrower:
            return scheme
    return facet


def resolve_filters(ctx: Context, filters: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Turn filters as people write them (`country=Mexico`) into index values (`MEX`)."""
    known = facet_names(ctx)
    resolved: dict[str, list[str]] = {}
    for facet, values in filters.items():
        if facet not in known:
            raise InvalidInput(f"unknown filter '{facet}'; filters: {', '.join(known)}")
        if facet == "type":
            resolved[facet] = [normalise_type(v) for v in values]
        elif facet in PLAIN_FACETS:
            resolved[facet] = [v.strip().lower() for v in values]
        else:
            resolve = concept_resolver(ctx, _scheme_of(facet))
            resolved[facet] = [resolve(v).split(":", 1)[1] for v in values]
    return resolved


def item_search(
    ctx: Context,
    query: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int = 10,
    offset: int = 0,
) -> SearchResults:
    """Search knowledge items by words, with filters, facet counts and highlighted snippets.

    All words must match (stemmed in English, French and Spanish); when no item holds them
    all, items holding any of them are returned and `matched` says "any".
    """
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000")
    resolved = resolve_filters(ctx, filters) if filters else {}
    page = item_index(ctx).search(query, resolved, limit, offset)
    items = {
        item.id: (item, source)
        for item, source in ctx.session.execute(
            select(Item, Source)
            .outerjoin(Source, Source.id == Item.source_id)
            .where(Item.id.in_([h.id for h in page.hits]))
        )
    }
    words = parse_query(query).all_words()
    hits = []
    for hit in page.hits:
        item, source = items[hit.id]
        text, terms = snippet(item.text, item.language, words)
        hits.append(
            SearchHit(
                id=item.ref,
                title=item.title,
                type=item.type,
                language=item.language,
                score=hit.score,
                snippet=text,
                matched_terms=terms,
                url=item.url,
                source=_provenance(item, source),
            )
        )
    return SearchResults(
        query=query,
        total=page.total,
        matched=page.matched,
        facets=_label_facets(ctx, page.facets),
        facets_approximate=page.facets_approximate,
        hits=hits,
    )


def _label_facets(
    ctx: Context, facets: Mapping[str, Sequence[FacetCount]]
) -> dict[str, list[FacetValue]]:
    closures = concept_closures(ctx)
    labelled: dict[str, list[FacetValue]] = {}
    for name, counts in facets.items():
        labelled[name] = []
        for count in counts:
            closure = closures.get(f"{_scheme_of(name)}:{count.value}")
            label = closure.label if closure and name not in PLAIN_FACETS else count.value
            labelled[name].append(FacetValue(value=count.value, label=label, count=count.count))
    return labelled


def _provenance(item: Item, source: Source | None) -> Provenance:
    return Provenance(
        file=source.name if source else None,
        format=source.format if source else None,
        page_start=item.page_start,
        page_end=item.page_end,
        para_start=item.para_start,
        para_end=item.para_end,
        heading_path=item.heading_path,
        content_hash=item.content_hash,
    )


def item_show(ctx: Context, ref: str) -> ItemPublic:
    """Return one item with its tags and provenance."""
    item = ctx.session.scalar(select(Item).where(Item.ref == ref))
    if item is None:
        raise NotFound(f"no item '{ref}'")
    source = ctx.session.get(Source, item.source_id) if item.source_id else None
    tags = ctx.session.execute(
        select(ItemConcept, Concept.label)
        .join(Concept, Concept.id == ItemConcept.concept_id)
        .where(ItemConcept.item_id == item.id)
        .order_by(Concept.scheme_id, Concept.position)
    )
    return ItemPublic(
        id=item.ref,
        type=item.type,
        title=item.title,
        text=item.text,
        url=item.url,
        language=item.language,
        languages=item.languages,
        publisher=item.publisher,
        implementing_entities=item.implementing_entities,
        date_published=item.date_published,
        status=item.status,
        licence=item.licence,
        tags=[
            Tag(concept=t.concept_id, label=label, origin=t.origin, status=t.status, score=t.score)
            for t, label in tags
        ],
        source=_provenance(item, source),
    )
