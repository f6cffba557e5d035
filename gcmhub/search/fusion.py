"""Hybrid ranking: a weighted sum of the lexical and the vector score, each scaled to [0, 1].

Measured on the demo with the queries of bench/data (bench/eval_search.py), a weighted sum
ranked better than reciprocal-rank fusion (nDCG@10 English 0.77 against 0.79 for RRF with
k=60 but French 0.71 against 0.55 and Spanish 0.68 against 0.57). Lexical evidence weighs
more when the item holds every word of the query than when it holds only some.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gcmhub.search.index import Hit

LEXICAL_WEIGHT_ALL = 0.3  # the lexical ranking matched every query word
LEXICAL_WEIGHT_ANY = 0.1  # it fell back to items holding some of the words


def fuse(
    lexical: Sequence[Hit], similarity: Mapping[int, float], lexical_weight: float
) -> list[Hit]:
    """Rank the union of both lists by w·bm25/max(bm25) + (1-w)·min-max scaled cosine."""
    best = max((h.score for h in lexical), default=0.0)
    bm25 = {h.id: h.score / best for h in lexical} if best > 0 else {}
    low, high = min(similarity.values(), default=0.0), max(similarity.values(), default=0.0)
    spread = (high - low) or 1.0
    candidates = set(similarity) | {h.id for h in lexical}
    scores = {
        doc: lexical_weight * bm25.get(doc, 0.0)
        + (1 - lexical_weight) * (similarity.get(doc, low) - low) / spread
        for doc in candidates
    }
    order = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
    return [Hit(id=doc, score=round(score, 4)) for doc, score in order]
