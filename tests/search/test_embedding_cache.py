"""The embedding cache: the model runs once per (model, exact text), vectors survive float16."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from sqlalchemy import func, select

from gcmhub.context import Context
from gcmhub.search import embedding_cache
from gcmhub.search.embedder import Embedder, get_embedder, prepare_text
from gcmhub.search.embedding_cache import EmbeddingCache, text_hash
from gcmhub.search.models import Embedding

TEXTS = [
    "Migrant workers are entitled to fair wages and decent working conditions.",
    "Les migrants doivent avoir accès aux services de base.",
    "Los Estados cooperarán para salvar vidas y prevenir muertes de migrantes.",
    "Recognition of skills, qualifications and competences of migrants.",
]


class Counting:
    """The real e5 embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder, name: str | None = None):
        self.inner = inner
        self.name = name or inner.name
        self.dim = inner.dim
        self.calls: list[int] = []

    @property
    def embedded(self) -> int:
        return sum(self.calls)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)


@pytest.fixture
def counting() -> Counting:
    return Counting(get_embedder("e5"))


def stored(ctx: Context) -> int:
    return int(ctx.session.scalar(select(func.count()).select_from(Embedding)) or 0)


def test_unchanged_text_is_never_embedded_again(ctx: Context, counting: Counting) -> None:
    first = EmbeddingCache(ctx.session, counting).passages(TEXTS)
    assert counting.embedded == 4 and stored(ctx) == 4
    again = EmbeddingCache(ctx.session, counting).passages(list(reversed(TEXTS)))
    assert counting.embedded == 4
    np.testing.assert_array_equal(again, first[::-1])
    # only the new text of a mixed batch goes to the model
    mixed = EmbeddingCache(ctx.session, counting).passages([TEXTS[2], "A new text.", TEXTS[0]])
    assert counting.calls == [4, 1]
    np.testing.assert_array_equal(mixed[[0, 2]], first[[2, 0]])


def test_vectors_match_the_model_within_float16_error(ctx: Context, counting: Counting) -> None:
    cached = EmbeddingCache(ctx.session, counting).passages(TEXTS)
    direct = counting.inner.embed_passages(TEXTS)
    assert cached.dtype == np.float32 and cached.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(cached, axis=1), 1.0, atol=1e-5)
    self_cosine = np.sum(cached * direct, axis=1)
    assert (1 - self_cosine).max() < 1e-5
    pair_error = np.abs(cached @ cached.T - direct @ direct.T).max()
    assert pair_error < 1e-3  # measured: ~3e-5
    row = ctx.session.scalars(select(Embedding)).first()
    assert row is not None and len(row.vector) == 384 * 2 and len(row.text_hash) == 64


def test_duplicates_and_empty_texts(ctx: Context, counting: Counting) -> None:
    progress: list[int] = []
    cache = EmbeddingCache(ctx.session, counting, batch_size=2)
    rows = cache.passages([TEXTS[0], "", TEXTS[1], TEXTS[0], "   ", TEXTS[2]], progress.append)
    assert counting.calls == [2, 1] and progress == [2, 1]
    assert stored(ctx) == 3
    assert not rows[1].any() and not rows[4].any()
    np.testing.assert_array_equal(rows[0], rows[3])
    assert cache.passages([]).shape == (0, 384)
    assert cache.passages(["", " "]).any() == np.False_
    assert counting.calls == [2, 1]


def test_the_key_is_the_text_as_embedded_after_truncation(ctx: Context, counting: Counting) -> None:
    long_text = "Safe and orderly migration " * 200
    cache = EmbeddingCache(ctx.session, counting)
    cache.passages([long_text])
    cut, was_cut = prepare_text(long_text, cache.max_chars)
    assert was_cut
    keys = set(ctx.session.scalars(select(Embedding.text_hash)))
    assert keys == {text_hash(cut)}
    cache.passages([long_text + " and a tail past the cut", cut])
    assert counting.embedded == 1


def test_each_model_has_its_own_vectors_and_lookups_are_chunked(
    ctx: Context, counting: Counting, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedding_cache, "LOOKUP_CHUNK", 3)
    EmbeddingCache(ctx.session, counting).passages(TEXTS)
    other = Counting(counting.inner, name="e5-other-build")
    EmbeddingCache(ctx.session, other).passages(TEXTS)
    assert other.embedded == 4 and stored(ctx) == 8
    EmbeddingCache(ctx.session, other).passages(TEXTS + TEXTS)
    assert other.embedded == 4
