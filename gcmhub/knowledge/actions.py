"""Knowledge actions: ingest files, search items, show one item."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
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
    Why,
)
from gcmhub.knowledge.semantic import embed_query_soon, item_vectors, scheme_tagger
from gcmhub.search.analysis import parse_query
from gcmhub.search.fusion import LEXICAL_WEIGHT_ALL, LEXICAL_WEIGHT_ANY, fuse
from gcmhub.search.index import FacetCount, Hit, SearchPage
from gcmhub.search.snippets import snippet
from gcmhub.search.sqlite_index import SqliteIndex
from gcmhub.settings import get_settings
from gcmhub.taxonomy.actions import concept_closures, concept_resolver
from gcmhub.taxonomy.models import Concept, Scheme

PLAIN_FACETS = ("type", "language", "year")


def item_index(ctx: Context) -> SqliteIndex:
    """Return the search index of knowledge items."""
    return SqliteIndex(
        ctx.session,
        "items",
        facet_max_rows=get_settings().facet_max_rows,
        total_facet="type",  # every item has exactly one type
    )


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


MODES = ("hybrid", "lexical", "semantic")
FUSION_DEPTH = 100  # how deep each ranking goes before fusion


def item_search(
    ctx: Context,
    query: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int = 10,
    offset: int = 0,
    mode: str = "hybrid",
) -> SearchResults:
    """Search knowledge items by words and by meaning, with filters, facets and snippets.

    Lexical: all words must match (stemmed in English, French and Spanish); when no item holds
    them all, items holding any are returned and `matched` says "any". Semantic: items whose
    embedding is close to the query's, in any language. Hybrid (the default): both rankings
    fused by a weighted sum of scaled scores (gcmhub/search/fusion.py). Each hit says why it
    matched: terms, similarity and tags.
    """
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000")
    if mode not in MODES:
        raise InvalidInput(f"unknown mode '{mode}'; modes: {', '.join(MODES)}")
    resolved = resolve_filters(ctx, filters) if filters else {}
    index = item_index(ctx)
    parsed = parse_query(query)
    if mode == "lexical" or parsed.is_empty or not len(item_vectors()):
        mode = "lexical" if not parsed.is_empty else "browse"
        page = index.search(query, resolved, limit, offset)
        return _results(ctx, query, mode, page, page.hits, {}, None)
    # The query is embedded in C with the GIL released, while SQLite ranks the words.
    pending = embed_query_soon(query)
    ranking = index.rank(query, resolved, FUSION_DEPTH, 0) if mode == "hybrid" else None
    allowed = index.allowed(resolved)
    query_vector = pending.result()
    vectors = item_vectors()
    candidates = vectors.search(
        query_vector,
        k=max(FUSION_DEPTH, offset + limit),
        allowed=None if allowed is None else np.asarray(allowed, dtype=np.int64),
    )
    close = _meaning_matches(candidates)
    similarity = dict(candidates)
    if ranking is None:
        total, facets, approximate = index.facets_of([h.id for h in close])
        page = SearchPage(total, close, facets, "meaning", approximate)
        shown = close[offset : offset + limit]
        return _results(ctx, query, mode, page, shown, similarity, query_vector)
    page = index.count(ranking, extra=[h.id for h in close])
    missing = [h.id for h in page.hits if h.id not in similarity]
    if missing:
        ids = np.asarray(missing, dtype=np.int64)
        similarity.update(vectors.search(query_vector, k=len(missing), allowed=ids))
    weight = LEXICAL_WEIGHT_ALL if page.matched == "all" else LEXICAL_WEIGHT_ANY
    kept = {h.id: similarity[h.id] for h in close}
    kept.update({h.id: similarity[h.id] for h in page.hits if h.id in similarity})
    fused = fuse(page.hits, kept, weight)
    shown = fused[offset : offset + limit]
    return _results(ctx, query, mode, page, shown, similarity, query_vector)


def _meaning_matches(candidates: Sequence[tuple[int, float]]) -> list[Hit]:
    """Keep the candidates close enough to the query: above a floor, near the best one."""
    if not candidates:
        return []
    settings = get_settings()
    cut = max(settings.semantic_min_similarity, candidates[0][1] - settings.semantic_margin)
    return [Hit(id=i, score=round(s, 4)) for i, s in candidates if s >= cut]


def _results(
    ctx: Context,
    query: str,
    mode: str,
    page: SearchPage,
    ranked: Sequence[Hit],
    similarity: Mapping[int, float],
    query_vector: np.ndarray | None,
) -> SearchResults:
    items = {
        item.id: (item, source)
        for item, source in ctx.session.execute(
            select(Item, Source)
            .outerjoin(Source, Source.id == Item.source_id)
            .where(Item.id.in_([h.id for h in ranked]))
        )
    }
    shared = _shared_tags(ctx, query_vector, [h.id for h in ranked])
    words = parse_query(query).all_words()
    hits = []
    for hit in ranked:
        if hit.id not in items:  # a vector whose item was deleted since
            continue
        item, source = items[hit.id]
        text, terms = snippet(item.text, item.language, words)
        cosine = similarity.get(hit.id)
        hits.append(
            SearchHit(
                id=item.ref,
                title=item.title,
                type=item.type,
                language=item.language,
                score=hit.score,
                snippet=text,
                why=Why(
                    terms=terms,
                    similarity=None if cosine is None else round(cosine, 4),
                    tags=shared.get(hit.id, []),
                ),
                url=item.url,
                source=_provenance(item, source),
            )
        )
    return SearchResults(
        query=query,
        mode=mode,
        total=page.total,
        matched=page.matched,
        facets=_label_facets(ctx, page.facets),
        facets_approximate=page.facets_approximate,
        hits=hits,
    )


def _shared_tags(
    ctx: Context, query_vector: np.ndarray | None, ids: Sequence[int]
) -> dict[int, list[str]]:
    """Return, per item, its objective tags that the query itself is about."""
    if query_vector is None or not ids or ctx.session.get(Scheme, "objective") is None:
        return {}
    suggestions = scheme_tagger(ctx, "objective").suggest(query_vector[None, :], k=2, min_score=0.2)
    wanted = {s.concept: s.label for s in suggestions[0]}
    closures = concept_closures(ctx)
    shared: dict[int, list[str]] = {}
    for item_id, concept in ctx.session.execute(
        select(ItemConcept.item_id, ItemConcept.concept_id).where(
            ItemConcept.item_id.in_(ids), ItemConcept.status != "rejected"
        )
    ):
        closure = closures.get(concept)
        if closure is None or closure.scheme != "objective":
            continue
        top = f"objective:{closure.ancestors[-1]}" if closure.ancestors else concept
        if top in wanted:
            names = shared.setdefault(item_id, [])
            label = f"{top} {wanted[top]}"
            if label not in names:
                names.append(label)
    return shared


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
