"""Tables of the community: the directory of organizations, consultations and contributions.

An organization's named contact person is stored only with their consent
(`contact_consent_at`); no precise location is kept (a city at most). A contribution keeps
its moderation on record (`moderation`: every hide, flag, restore and abuse report with who,
when and why). Countries are ISO3 codes; objectives are concept ids (`objective:6`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gcmhub.db import Base


class Organization(Base):
    """An organization in the directory: public once a curator approved it."""

    __tablename__ = "community_organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    origin_countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    residence_countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    city: Mapped[str | None] = mapped_column(String(100))
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    offers: Mapped[str] = mapped_column(Text, default="")
    seeks: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(500))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending, approved, rejected
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    owner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Consultation(Base):
    """A discussion space: numbered questions, a moderator, open from one date to another."""

    __tablename__ = "community_consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)  # question n: [n - 1]
    moderator_id: Mapped[int | None] = mapped_column(Integer, index=True)
    audience: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Contribution(Base):
    """A contribution to one question of a consultation, with its moderation on record."""

    __tablename__ = "community_contributions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("community_consultations.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    objectives: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), index=True)  # visible, flagged, hidden
    moderation: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Event(Base):
    """An event toward the Compact: who organizes it, where, on which objectives, its outcomes.

    Public once recorded; each is also published as a knowledge item of type "event"
    (`item_ref`), so search finds it with every other kind of record.
    """

    __tablename__ = "community_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    organizer: Mapped[str] = mapped_column(String(300))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_organizations.id", ondelete="SET NULL"), index=True
    )
    scope: Mapped[str] = mapped_column(String(12), index=True)  # global, regional, national, local
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO3
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)  # M49 codes
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    modality: Mapped[str] = mapped_column(String(12))  # in_person, online, hybrid
    city: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    outcomes_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), index=True)  # active, cancelled
    item_ref: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Pledge(Base):
    """A pledge toward the Compact: who pledges what, on which objectives, by when.

    Progress is reported in `PledgeUpdate`s; the latest one sets `progress` and `status`.
    Also published as a knowledge item of type "pledge" (`item_ref`).
    """

    __tablename__ = "community_pledges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    pledger: Mapped[str] = mapped_column(String(300))
    pledger_kind: Mapped[str] = mapped_column(String(30), index=True)  # member_state, or a kind
    country: Mapped[str | None] = mapped_column(String(3), index=True)  # a pledging State
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_organizations.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)  # where it applies, ISO3
    due_on: Mapped[date] = mapped_column(Date, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent, from the latest update
    status: Mapped[str] = mapped_column(String(12), index=True)  # pledged, in_progress, ...
    item_ref: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class PledgeUpdate(Base):
    """A progress update on a pledge: kept, never edited."""

    __tablename__ = "community_pledge_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pledge_id: Mapped[int] = mapped_column(
        ForeignKey("community_pledges.id", ondelete="CASCADE"), index=True
    )
    reported_on: Mapped[date] = mapped_column(Date)
    progress: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Follow(Base):
    """What a person follows: an objective, an area (M49 region or ISO3 country), both at once
    ("objective 6 in Western Africa"), or an organization. `key` is the canonical form, one
    per person and topic; `digest_from` is when the next digest's news start."""

    __tablename__ = "community_follows"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(160))
    objective: Mapped[str | None] = mapped_column(String(60))
    area: Mapped[str | None] = mapped_column(String(8))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_organizations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)
    digest_from: Mapped[datetime] = mapped_column(DateTime)


class Digest(Base):
    """A digest sent to a person: the period it covered and how many news it held."""

    __tablename__ = "community_digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    period_from: Mapped[datetime] = mapped_column(DateTime)
    period_to: Mapped[datetime] = mapped_column(DateTime)
    news: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(DateTime)


class Message(Base):
    """A message between members, delivered through the platform: neither side sees the
    other's address. Sent to an organization (its registering account reads it) or, as a
    reply, to a person. `status`: delivered, or reported (abuse sent to curators)."""

    __tablename__ = "community_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_organizations.id", ondelete="SET NULL"), index=True
    )
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_messages.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
