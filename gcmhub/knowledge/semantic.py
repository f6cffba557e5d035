"""Meaning: item embeddings, the vector index, and automatic tags of stored items."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from sqlalchemy import delete, func, insert, or_, select, update

from gcmhub.context import Context
from gcmhub.errors import InvalidInput
from gcmhub.knowledge.indexing import facet_values
from gcmhub.knowledge.models import Item, ItemConcept
from gcmhub.knowledge.tagging import Tagger, build_tagger
from gcmhub.search.embedder import get_embedder
from gcmhub.search.embedding_cache import EmbeddingCache
from gcmhub.search.vectors import VectorIndex
from gcmhub.settings import get_settings
from gcmhub.taxonomy.actions import scheme_ids
from gcmhub.taxonomy.models import Scheme

BATCH = 128
SUGGESTIONS = 3  # tags the tagger proposes per scheme and item
SUGGESTION_MIN = 0.05  # below this a guess is noise, not a suggestion

_indexes: dict[Path, VectorIndex] = {}
_taggers: dict[tuple[str, ...], Tagger] = {}
_lock = threading.Lock()


def item_vectors() -> VectorIndex:
    """Return the vector index of knowledge items in the data folder."""
    settings = get_settings()
    folder = (settings.data_dir / "vectors").resolve()
    with _lock:
        if folder not in _indexes:
            folder.mkdir(parents=True, exist_ok=True)
            _indexes[folder] = VectorIndex(
                folder, get_embedder().dim, "items", ann_threshold=settings.ann_threshold
            )
        return _indexes[folder]


def forget_vectors() -> None:
    """Drop open vector indexes and trained taggers (tests switch data folders)."""
    with _lock:
        _indexes.clear()
        _taggers.clear()


def item_passage(title: str, text: str) -> str:
    """Return the text of an item as it is embedded: its title, then its body."""
    return text if text.startswith(title) else f"{title}. {text}"


def embed_passages(
    ctx: Context, texts: Sequence[str], progress: Callable[[int], None] | None = None
) -> np.ndarray:
    """Embed passages, reusing every vector already computed for the same text."""
    vectors: np.ndarray = EmbeddingCache(ctx.session, get_embedder()).passages(texts, progress)
    return vectors


def embed_query(text: str) -> np.ndarray:
    """Embed a search query."""
    vector: np.ndarray = get_embedder().embed_queries([text])[0]
    return vector


_query_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gcmhub-query")


def embed_query_soon(text: str) -> Future[np.ndarray]:
    """Start embedding a query in a worker thread, so other work can go on meanwhile."""
    return _query_pool.submit(embed_query, text)


def scheme_tagger(ctx: Context, scheme_id: str) -> Tagger:
    """Return the tagger of a scheme, retrained when the scheme or the curated tags change."""
    scheme = ctx.session.get(Scheme, scheme_id)
    if scheme is None:
        raise InvalidInput(f"no scheme '{scheme_id}'; loaded: {', '.join(scheme_ids(ctx))}")
    curated = ctx.session.execute(
        select(func.count(), func.max(ItemConcept.item_id)).where(
            ItemConcept.concept_id.like(f"{scheme_id}:%"),
            ItemConcept.origin == "curator",
        )
    ).one()
    key = (
        str(ctx.session.get_bind().engine.url),
        scheme_id,
        scheme.content_hash,
        str(curated[0]),
        str(curated[1]),
    )
    with _lock:
        tagger = _taggers.get(key)
    if tagger is None:
        tagger = build_tagger(ctx, scheme_id, lambda texts: _remembered(ctx, texts))
        with _lock:
            _taggers[key] = tagger
    return tagger


_concept_vectors: dict[tuple[str, str], np.ndarray] = {}


def _remembered(ctx: Context, texts: Sequence[str]) -> np.ndarray:
    """Embed a scheme's own texts once per process, whichever database asks."""
    model = get_embedder().name
    missing = [t for t in dict.fromkeys(texts) if (model, t) not in _concept_vectors]
    if missing:
        for text, vector in zip(missing, embed_passages(ctx, missing), strict=True):
            _concept_vectors[(model, text)] = vector
    return np.stack([_concept_vectors[(model, t)] for t in texts])


def autotag_schemes() -> list[str]:
    """Return the schemes every ingested item is tagged with."""
    return [s.strip() for s in get_settings().autotag_schemes.split(",") if s.strip()]


def knowledge_embed_pending(
    ctx: Context, progress: Callable[[int], None] | None = None, most: int | None = None
) -> int:
    """Embed and tag items whose text changed since they were last embedded; return how many.

    `most` bounds the work of one call, so that a long run commits as it goes.
    """
    pending = select(Item.id, Item.title, Item.text, Item.content_hash).where(
        or_(Item.embedded_hash.is_(None), Item.embedded_hash != Item.content_hash)
    )
    rows = ctx.session.execute(pending.order_by(Item.id).limit(most)).all()
    vectors = item_vectors()
    schemes = [s for s in autotag_schemes() if ctx.session.get(Scheme, s) is not None]
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        ids = [row.id for row in chunk]
        matrix = embed_passages(ctx, [item_passage(row.title, row.text) for row in chunk])
        vectors.upsert(ids, matrix)
        for scheme in schemes:
            _autotag(ctx, scheme, ids, matrix)
        from gcmhub.knowledge.actions import item_index

        item_index(ctx).update_facets(facet_values(ctx, ids))
        ctx.session.execute(
            update(Item),
            [{"id": row.id, "embedded_hash": row.content_hash} for row in chunk],
        )
        if progress is not None:
            progress(len(chunk))
    if most is None or len(rows) < most:
        _drop_vanished(ctx, vectors)
        if rows:
            warm_taggers(ctx)
    return len(rows)


QUERY_SCHEMES = ("objective",)  # search explains hits by the objectives a query is about


def warm_taggers(ctx: Context) -> None:
    """Train the taggers searches use, so that their concept texts are embedded and cached.

    Without this, the first search after a load would embed every concept text of the
    objective scheme while a person waits.
    """
    for scheme in dict.fromkeys([*autotag_schemes(), *QUERY_SCHEMES]):
        if ctx.session.get(Scheme, scheme) is not None:
            scheme_tagger(ctx, scheme)


def pending_count(ctx: Context) -> int:
    """Return how many items wait to be embedded."""
    return int(
        ctx.session.scalar(
            select(func.count()).where(
                or_(Item.embedded_hash.is_(None), Item.embedded_hash != Item.content_hash)
            )
        )
        or 0
    )


def _autotag(ctx: Context, scheme: str, ids: list[int], matrix: np.ndarray) -> None:
    """Store the tagger's suggestions for items that have no given or curated tag in a scheme."""
    tagged = set(
        ctx.session.scalars(
            select(ItemConcept.item_id).where(
                ItemConcept.item_id.in_(ids),
                ItemConcept.concept_id.like(f"{scheme}:%"),
                ItemConcept.origin != "auto",
            )
        )
    )
    ctx.session.execute(
        delete(ItemConcept).where(
            ItemConcept.item_id.in_(ids),
            ItemConcept.concept_id.like(f"{scheme}:%"),
            ItemConcept.origin == "auto",
        )
    )
    todo = [n for n, item_id in enumerate(ids) if item_id not in tagged]
    if not todo:
        return
    suggestions = scheme_tagger(ctx, scheme).suggest(
        matrix[todo], k=SUGGESTIONS, min_score=SUGGESTION_MIN
    )
    rows = [
        {
            "item_id": ids[n],
            "concept_id": s.concept,
            "origin": "auto",
            "status": "suggested",
            "score": s.score,
        }
        for n, found in zip(todo, suggestions, strict=True)
        for s in found
    ]
    if rows:
        ctx.session.execute(insert(ItemConcept), rows)


def _drop_vanished(ctx: Context, vectors: VectorIndex) -> None:
    """Remove vectors of items that no longer exist (deleted by a re-ingest)."""
    stored = vectors.ids()
    if not len(stored):
        return
    alive = set(ctx.session.scalars(select(Item.id)))
    gone = [int(i) for i in stored if int(i) not in alive]
    if gone:
        vectors.delete(gone)
