"""Tables of the taxonomy: schemes, concepts and their broader links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from gcmhub.db import Base


class Scheme(Base):
    """A concept scheme: the GCM objectives, the countries, or any loaded taxonomy."""

    __tablename__ = "schemes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    licence: Mapped[str] = mapped_column(String(300), default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    loaded_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Concept(Base):
    """One concept; its id is `scheme:code`, e.g. `objective:19` or `country:MEX`."""

    __tablename__ = "concepts"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    scheme_id: Mapped[str] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(128))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(Text)
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    alt_labels: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    definition: Mapped[str | None] = mapped_column(Text)
    notation: Mapped[str | None] = mapped_column(String(64))
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    related: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ConceptBroader(Base):
    """A broader link between two concepts of the same scheme."""

    __tablename__ = "concept_broader"

    concept_id: Mapped[str] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), primary_key=True
    )
    broader_id: Mapped[str] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
