"""Tables of practice submission and peer review: calls, submissions, reviews, their history.

Concept lists hold concept ids (`objective:5`, `principle:c`); countries hold ISO3 codes.
A submission carries the four criteria its submitter confirmed; a review carries its
reviewer's conflict-of-interest declaration, which comes before any recommendation.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
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


class PracticeCall(Base):
    """A thematic call for practices, open until its deadline (inclusive, UTC)."""

    __tablename__ = "practice_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    opens: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class PracticeSubmission(Base):
    """A practice submitted through the one web form (or the API), on its way to publication."""

    __tablename__ = "practice_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice_calls.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    principles: Mapped[list[str]] = mapped_column(JSON, default=list)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    level: Mapped[str] = mapped_column(String(20))  # local | national | … | global
    implementing_entity: Mapped[str] = mapped_column(String(300))
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status_completion: Mapped[str] = mapped_column(String(20))  # completed | mostly_completed …
    replicability: Mapped[str] = mapped_column(Text)
    innovation: Mapped[str] = mapped_column(Text, default="")
    # The four criteria, as the submitter confirmed them on the form.
    relates_to_objective: Mapped[bool] = mapped_column(Boolean, default=False)
    adheres_to_principles: Mapped[bool] = mapped_column(Boolean, default=False)
    mostly_completed: Mapped[bool] = mapped_column(Boolean, default=False)
    replicable: Mapped[bool] = mapped_column(Boolean, default=False)
    submitter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(30), index=True)
    state_since: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    # Set when every review is in and they disagree: a curator adds another reviewer.
    needs_third_reviewer: Mapped[bool] = mapped_column(Boolean, default=False)
    # The curator's decision with the reviewers' recommendations as they stood.
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    item_ref: Mapped[str | None] = mapped_column(String(200))  # the published knowledge item
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class PracticeReview(Base):
    """One reviewer's part: the conflict declaration first, then the recommendation."""

    __tablename__ = "practice_reviews"
    __table_args__ = (UniqueConstraint("submission_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("practice_submissions.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    un_system: Mapped[bool] = mapped_column(Boolean, default=False)
    added_on_disagreement: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_at: Mapped[datetime] = mapped_column(DateTime)
    conflict: Mapped[str | None] = mapped_column(Text)  # "none", or what the conflict is
    declared_at: Mapped[datetime | None] = mapped_column(DateTime)
    recommendation: Mapped[str | None] = mapped_column(String(10))  # approve | revise | reject
    comments: Mapped[str] = mapped_column(Text, default="")
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)


class PracticeEvent(Base):
    """Something that happened to a submission: a step, an assignment, a question, an answer."""

    __tablename__ = "practice_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("practice_submissions.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))  # submitter | reviewer | curator | system
    # step | assign | conflict | review | flag | question | answer | decision | publish
    kind: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str | None] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text, default="")
    reply_to: Mapped[int | None] = mapped_column(Integer)  # an answer: the question's event id
    internal: Mapped[bool] = mapped_column(Boolean, default=False)  # curators and reviewers only
