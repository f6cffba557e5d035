"""Tables of semantic search: cached text embeddings."""

from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gcmhub.db import Base


class Embedding(Base):
    """The vector one model gave one exact text (after truncation), stored as float16 bytes.

    Keyed by content, not by item: an item whose text did not change is never embedded again,
    and identical texts share a row. Halving float32 to float16 moves a cosine by ~1e-4 at most.
    """

    __tablename__ = "embeddings"

    model: Mapped[str] = mapped_column(String(100), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
