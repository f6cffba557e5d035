"""Embeddings computed once per (model, exact text): the `embeddings` table in front of a model.

Texts are prepared exactly as the embedder prepares them (cut to ``max_chars`` at a word
boundary, stripped) and hashed with SHA-256; the hash and the embedder's ``name`` are the key.
Vectors are stored as float16 (768 bytes for 384 dimensions instead of 1536): the cosine
between a vector and its float16 round trip differs from 1 by about 2e-7, and a cosine
between two texts moves by at most about 1e-4 (3e-5 measured on e5 vectors of GCM text).
Rows are re-normalised after decoding, and a freshly computed vector goes through the same
round trip, so a text gets bit-identical vectors whether or not it was cached.

Empty texts get zero rows (no embedding) and are not stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from gcmhub.search.embedder import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_CHARS,
    Embedder,
    Vectors,
    prepare_texts,
)
from gcmhub.search.models import Embedding
from gcmhub.settings import get_settings

LOOKUP_CHUNK = 500  # hashes per SELECT … IN (…), well under every database's parameter limit


def text_hash(text: str) -> str:
    """Return the key of a prepared text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def encode_vector(vector: Vectors) -> bytes:
    """Return a vector as little-endian float16 bytes."""
    return np.asarray(vector, dtype="<f2").tobytes()


def decode_vectors(blobs: Sequence[bytes], dim: int) -> Vectors:
    """Return float32 rows of unit length from float16 bytes (zero rows stay zero)."""
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blobs), dtype="<f2").astype(np.float32).reshape(-1, dim)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    np.divide(matrix, norms, out=matrix, where=norms > 0)
    return matrix


class EmbeddingCache:
    """Passage embeddings of one embedder, looked up before the model is asked.

    Writes go into the caller's session (and its transaction); a row another process stored
    meanwhile is kept, not duplicated.
    """

    def __init__(
        self,
        session: Session,
        embedder: Embedder,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_chars: int | None = None,
    ):
        self.session = session
        self.embedder = embedder
        self.batch_size = max(1, batch_size)
        # The embedder's own limit, so that what is hashed is exactly what it embeds.
        limit: object = (
            max_chars
            or getattr(embedder, "max_chars", None)
            or getattr(get_settings(), "embed_max_chars", None)
        )
        self.max_chars = limit if isinstance(limit, int) and limit > 0 else DEFAULT_MAX_CHARS

    def passages(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> Vectors:
        """Return float32 (len(texts), dim) unit rows in input order, embedding only new texts.

        Looks every text up first (one query per 500 texts), embeds the missing ones
        ``batch_size`` at a time, stores each batch, and calls ``progress(k)`` after each batch
        with the number of texts that batch embedded.
        """
        dim = self.embedder.dim
        prepared = prepare_texts(texts, self.max_chars)
        hashes = [text_hash(text) if text else "" for text in prepared]
        found = self._lookup(sorted({h for h in hashes if h}))
        missing: dict[str, str] = {}
        for text, key in zip(prepared, hashes, strict=True):
            if key and key not in found and key not in missing:
                missing[key] = text
        todo = list(missing.items())
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            vectors = np.asarray(
                self.embedder.embed_passages([text for _, text in batch]), dtype=np.float32
            )
            if vectors.shape != (len(batch), dim):
                raise RuntimeError(
                    f"embedder {self.embedder.name} returned {vectors.shape}, "
                    f"expected {(len(batch), dim)}"
                )
            blobs = [encode_vector(vector) for vector in vectors]
            self._store([(key, blob) for (key, _), blob in zip(batch, blobs, strict=True)])
            for (key, _), row in zip(batch, decode_vectors(blobs, dim), strict=True):
                found[key] = row
            if progress is not None:
                progress(len(batch))
        out = np.zeros((len(prepared), dim), dtype=np.float32)
        for i, key in enumerate(hashes):
            if key:
                out[i] = found[key]
        return out

    def _lookup(self, hashes: list[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        model = self.embedder.name
        for start in range(0, len(hashes), LOOKUP_CHUNK):
            chunk = hashes[start : start + LOOKUP_CHUNK]
            rows = self.session.execute(
                select(Embedding.text_hash, Embedding.vector).where(
                    Embedding.model == model, Embedding.text_hash.in_(chunk)
                )
            ).all()
            keys = [row[0] for row in rows]
            blobs = [bytes(row[1]) for row in rows]
            found.update(zip(keys, decode_vectors(blobs, self.embedder.dim), strict=True))
        return found

    def _store(self, rows: list[tuple[str, bytes]]) -> None:
        if not rows:
            return
        statement: Insert
        dialect = self.session.get_bind().dialect.name
        if dialect == "sqlite":
            statement = sqlite.insert(Embedding).on_conflict_do_nothing()
        elif dialect == "postgresql":
            statement = postgresql.insert(Embedding).on_conflict_do_nothing()
        else:
            statement = insert(Embedding)
        model = self.embedder.name
        self.session.execute(
            statement, [{"model": model, "text_hash": key, "vector": blob} for key, blob in rows]
        )
