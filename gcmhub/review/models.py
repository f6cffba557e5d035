"""Tables of the review of implementation.

A national implementation plan is one row per country (`review_plans`) with its commitments
as they stand now (`review_commitments`, queried by the dashboard) and every saved version as
an immutable snapshot (`review_plan_versions`: triggers of migration 0012 refuse UPDATE and
DELETE), so what changed between two versions can always be shown. Budgets are exact
decimals (`Fixed`: NUMERIC on PostgreSQL, cents on SQLite); in a snapshot they are text.

Concept lists hold concept ids (`objective:6`, `objective:6a`, `stakeholder:academia`);
countries hold ISO 3166 alpha-3 codes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gcmhub.db import Base
from gcmhub.fund.models import Fixed


class Plan(Base):
    """A country's national implementation plan: the current version's number and title."""

    __tablename__ = "review_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(3), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Commitment(Base):
    """A commitment of a plan as it stands in the plan's current version."""

    __tablename__ = "review_commitments"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("review_plans.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(20))  # C1, C2…: the same across versions
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead_institutions: Mapped[list[str]] = mapped_column(JSON, default=list)
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[Decimal | None] = mapped_column(Fixed(18, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12), index=True)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class PlanVersion(Base):
    """One saved version of a plan: who saved it, when, why, and the whole plan as it was."""

    __tablename__ = "review_plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("review_plans.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    commitments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class VoluntaryReview(Base):
    """A voluntary GCM review of a country for a period, one section per objective."""

    __tablename__ = "review_reviews"
    __table_args__ = (UniqueConstraint("country", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(3), index=True)
    period: Mapped[str] = mapped_column(String(9))  # 2022 or 2019-2022
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12))  # draft | submitted
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewSection(Base):
    """A review's section on one objective."""

    __tablename__ = "review_sections"
    __table_args__ = (UniqueConstraint("review_id", "objective"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review_reviews.id", ondelete="CASCADE"), index=True
    )
    objective: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    progress: Mapped[str] = mapped_column(Text, default="")
    challenges: Mapped[str] = mapped_column(Text, default="")
    good_practices: Mapped[str] = mapped_column(Text, default="")
    support_needed: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    practice_item: Mapped[str | None] = mapped_column(String(200))
    support_request: Mapped[str | None] = mapped_column(String(40))
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


class Partnership(Base):
    """A partnership for implementing the Compact: who, at which level, on what, with what."""

    __tablename__ = "review_partnerships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(12), index=True)
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    stakeholders: Mapped[list[str]] = mapped_column(JSON, default=list)
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    owner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CapacityAssessment(Base):
    """A capacity assessment of a country: a score per domain, before or after support."""

    __tablename__ = "review_capacity_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(3), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(8))  # before | after
    assessed_on: Mapped[date] = mapped_column(Date)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    request_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    project_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
