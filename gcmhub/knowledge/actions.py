"""Knowledge actions: ingest files, search items, show one item."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import func, literal, select

from gcmhub.auth import allowed
from gcmhub.context import Context
from gcmhub.errors import BadParameter, InvalidInput, NotFound
from gcmhub.knowledge.indexing import NARROWER_FACETS
from gcmhub.knowledge.ingest import FileReport, Ingester, IngestOptions, Progress, normalise_type
from gcmhub.knowledge.listing import NO_DATE
from gcmhub.knowledge.models import Item, ItemConcept, Source
from gcmhub.knowledge.schemas import (
    FacetValue,
    ItemCounts,
    ItemPublic,
    Provenance,
    RelatedItem,
    SearchHit,
    SearchResults,
    Suggestion,
    Tag,
    TagRequest,
    TagSuggestions,
    Why,
)
from gcmhub.knowledge.semantic import (
    embed_passages,
    embed_query_soon,
    item_vectors,
    scheme_tagger,
)
from gcmhub.search.analysis import parse_query
from gcmhub.search.facets import id_list
from gcmhub.search.fusion import LEXICAL_WEIGHT_ALL, LEXICAL_WEIGHT_ANY, fuse
from gcmhub.search.index import FacetCount, Hit, SearchPage
from gcmhub.search.postgres_index import PostgresIndex
from gcmhub.search.snippets import snippet
from gcmhub.search.sqlite_index import SqliteIndex
from gcmhub.settings import get_settings
from gcmhub.taxonomy.actions import concept_closures, concept_resolver
from gcmhub.taxonomy.models import Concept, Scheme

PLAIN_FACETS = ("type", "language", "year")


def item_index(ctx: Context) -> SqliteIndex | PostgresIndex:
    """Return the search index of knowledge items on the context's database."""
    kind = PostgresIndex if ctx.session.get_bind().dialect.name == "postgresql" else SqliteIndex
    return kind(
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
            raise BadParameter(facet, f"unknown filter '{facet}'; filters: {', '.join(known)}")
        try:
            if facet == "type":
                resolved[facet] = [normalise_type(v) for v in values]
            elif facet in PLAIN_FACETS:
                resolved[facet] = [v.strip().lower() for v in values]
            else:
                resolve = concept_resolver(ctx, _scheme_of(facet))
                resolved[facet] = [resolve(v).split(":", 1)[1] for v in values]
        except InvalidInput as error:
            raise BadParameter(facet, f"filter '{facet}': {error}") from None
    return resolved


MODES = ("hybrid", "lexical", "semantic")
SEARCH_SORTS = ("relevance", "-date", "date", "title")
FUSION_DEPTH = 100  # how deep each ranking goes before fusion


def item_search(
    ctx: Context,
    query: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int = 10,
    offset: int = 0,
    mode: str = "hybrid",
    sort: str = "relevance",
) -> SearchResults:
    """Search knowledge items by words and by meaning, with filters, facets and snippets.

    Lexical: all words must match (stemmed in English, French and Spanish); when no item holds
    them all, items holding any are returned and `matched` says "any". Semantic: items whose
    embedding is close to the query's, in any language. Hybrid (the default): both rankings
    fused by a weighted sum of scaled scores (gcmhub/search/fusion.py). Each hit says why it
    matched: terms, similarity and tags. `sort` orders every match by relevance (the
    default), date (`-date`: newest first) or title.
    """
    if not 1 <= limit <= 1000:
        raise BadParameter("limit", "limit must be between 1 and 1000")
    if offset < 0:
        raise BadParameter("offset", "offset must be 0 or more")
    if mode not in MODES:
        raise BadParameter("mode", f"unknown mode '{mode}'; modes: {', '.join(MODES)}")
    if sort not in SEARCH_SORTS:
        raise BadParameter("sort", f"unknown sort '{sort}'; sorts: {', '.join(SEARCH_SORTS)}")
    resolved = resolve_filters(ctx, filters) if filters else {}
    index = item_index(ctx)
    parsed = parse_query(query)
    if mode == "lexical" or parsed.is_empty or not len(item_vectors()):
        mode = "lexical" if not parsed.is_empty else "browse"
        lexical = index.rank(query, resolved, limit, offset)
        page = index.count(lexical)
        shown: Sequence[Hit] = page.hits
        if sort != "relevance":
            shown = _sorted(ctx, index.match_ids(lexical), sort, limit, offset, {})
        return _results(ctx, query, mode, page, shown, {}, None)
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
        if sort != "relevance":
            shown = _sorted(ctx, [h.id for h in close], sort, limit, offset, similarity)
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
    if sort != "relevance":
        every = index.match_ids(ranking, extra=[h.id for h in close])
        shown = _sorted(ctx, every, sort, limit, offset, similarity)
    return _results(ctx, query, mode, page, shown, similarity, query_vector)


def _sorted(
    ctx: Context,
    ids: Sequence[int],
    sort: str,
    limit: int,
    offset: int,
    scores: Mapping[int, float],
) -> list[Hit]:
    """Return one page of the matched ids ordered by date or title instead of relevance."""
    dated = func.coalesce(Item.date_published, literal(NO_DATE))
    keys = {"-date": (dated.desc(), Item.id.desc()), "date": (dated, Item.id)}
    order = keys.get(sort, (Item.title, Item.id))
    rows = ctx.session.scalars(
        select(Item.id)
        .where(Item.id.in_(id_list(ctx.session, ids)))
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    return [Hit(id=i, score=round(scores.get(i, 0.0), 4)) for i in rows]


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
    if item.status != "published":
        from gcmhub.knowledge.editing import item_scope

        if not allowed(ctx.actor, "item_read_unpublished", item_scope(ctx, item)):
            raise NotFound(f"no item '{ref}'")  # a draft is not there for others
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


def item_related(ctx: Context, ref: str, limit: int = 6) -> list[RelatedItem]:
    """Return the published items closest in meaning to one item (none before it is embedded)."""
    item_id = ctx.session.scalar(select(Item.id).where(Item.ref == ref))
    if item_id is None:
        raise NotFound(f"no item '{ref}'")
    vectors = item_vectors()
    vector = vectors.vector(item_id)
    if vector is None:
        return []
    near = [(i, s) for i, s in vectors.search(vector, k=limit + 1) if i != item_id][:limit]
    rows = {
        row.id: row
        for row in ctx.session.execute(
            select(Item.id, Item.ref, Item.title, Item.type).where(
                Item.id.in_([i for i, _ in near]), Item.status == "published"
            )
        )
    }
    return [
        RelatedItem(id=rows[i].ref, title=rows[i].title, type=rows[i].type, similarity=round(s, 4))
        for i, s in near
        if i in rows
    ]


MAX_TAG_CHARS = 20_000


def tag_suggest(ctx: Context, request: TagRequest) -> TagSuggestions:
    """Suggest the concepts of a scheme for each text, best first; nothing is stored."""
    if any(len(t) > MAX_TAG_CHARS for t in request.texts):
        raise InvalidInput(f"each text may hold at most {MAX_TAG_CHARS} characters")
    tagger = scheme_tagger(ctx, request.scheme)
    texts = [t.replace("\x00", "") for t in request.texts]  # PostgreSQL text holds no NUL
    vectors = embed_passages(ctx, texts)
    found = tagger.suggest(vectors, k=request.k)
    return TagSuggestions(
        scheme=request.scheme,
        suggestions=[
            [Suggestion(concept=s.concept, label=s.label, score=s.score) for s in one]
            for one in found
        ],
    )


def item_counts(ctx: Context) -> ItemCounts:
    """Count published items by type, with the time of the latest change."""
    rows = ctx.session.execute(
        select(Item.type, func.count(), func.max(Item.updated_at))
        .where(Item.status == "published")
        .group_by(Item.type)
    ).all()
    by_type = {kind: int(n) for kind, n, _ in rows}
    changed = [when for _, _, when in rows if when is not None]
    return ItemCounts(
        total=sum(by_type.values()), by_type=by_type, updated=max(changed, default=None)
    )
