"""What goes in and out of events and pledges, and how their downloads are written.

Countries are given as ISO3 codes or names and come back as ISO3; regions are M49 codes
("002", "015"); objectives are numbers, titles or concept ids and come back as concept ids
("objective:6").
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from gcmhub.community.schemas import KINDS
from gcmhub.downloads import Table, joined
from gcmhub.types import UtcDateTime, no_nul

SCOPES = ("global", "regional", "national", "local")
MODALITIES = ("in_person", "online", "hybrid")
EVENT_STATUSES = ("active", "cancelled")
PLEDGE_STATUSES = ("pledged", "in_progress", "fulfilled", "withdrawn")
FINAL_PLEDGE_STATUSES = ("fulfilled", "withdrawn")
PLEDGER_KINDS = ("member_state", *KINDS)
Scope = Literal["global", "regional", "national", "local"]
Modality = Literal["in_person", "online", "hybrid"]
PledgeStatus = Literal["pledged", "in_progress", "fulfilled", "withdrawn"]
PledgerKind = Literal[
    "member_state",
    "diaspora",
    "civil-society",
    "local-authority",
    "trade-union",
    "private-sector",
    "academia",
    "nhri",
    "un-entity",
]
URL_PATTERN = r"^https?://\S+$"
CITY_HINT = "A city at most: no street address or any precise location."


# -- events ------------------------------------------------------------------------------------


class EventWrite(BaseModel):
    """An event toward the Compact, as its organizer records it."""

    _clean = field_validator("*", mode="before")(no_nul)

    title: str = Field(min_length=3, max_length=300)
    organizer: str = Field(min_length=2, max_length=300, description="Who organizes it.")
    organization_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="An approved organization of the directory that you registered.",
    )
    scope: Scope
    countries: list[str] = Field(default_factory=list, max_length=60)
    regions: list[str] = Field(
        default_factory=list, max_length=30, description="M49 region codes (002, 015…)."
    )
    objectives: list[str] = Field(default_factory=list, max_length=23)
    starts_on: date
    ends_on: date
    modality: Modality
    city: str | None = Field(default=None, min_length=1, max_length=100, description=CITY_HINT)
    url: str | None = Field(default=None, max_length=500, pattern=URL_PATTERN)
    description: str = Field(default="", max_length=10_000)


class EventUpdate(BaseModel):
    """Changes to an event: only the fields given change."""

    _clean = field_validator("*", mode="before")(no_nul)

    title: str | None = Field(default=None, min_length=3, max_length=300)
    organizer: str | None = Field(default=None, min_length=2, max_length=300)
    scope: Scope | None = None
    countries: list[str] | None = Field(default=None, max_length=60)
    regions: list[str] | None = Field(default=None, max_length=30)
    objectives: list[str] | None = Field(default=None, max_length=23)
    starts_on: date | None = None
    ends_on: date | None = None
    modality: Modality | None = None
    city: str | None = Field(default=None, max_length=100, description=CITY_HINT)
    url: str | None = Field(default=None, max_length=500, pattern=URL_PATTERN)
    description: str | None = Field(default=None, max_length=10_000)


class OutcomesWrite(BaseModel):
    """What an event achieved, once it has started."""

    _clean = field_validator("*", mode="before")(no_nul)

    outcomes: str = Field(min_length=3, max_length=20_000)


class CancelWrite(BaseModel):
    """Why an event is cancelled (on record, and in its knowledge item)."""

    _clean = field_validator("*", mode="before")(no_nul)

    reason: str = Field(default="", max_length=2000)


class EventPublic(BaseModel):
    """An event as everyone sees it."""

    id: int
    title: str
    organizer: str
    organization_id: int | None
    scope: str
    countries: list[str]
    regions: list[str]
    objectives: list[str]
    starts_on: date
    ends_on: date
    when: Literal["upcoming", "ongoing", "past"] = Field(description="Against today's date.")
    modality: str
    city: str | None
    url: str | None
    description: str
    outcomes: str
    outcomes_at: UtcDateTime | None
    status: str
    item_ref: str | None = Field(description="The knowledge item that publishes the event.")
    created_at: UtcDateTime
    updated_at: UtcDateTime


# -- pledges -----------------------------------------------------------------------------------


class PledgeWrite(BaseModel):
    """A pledge: who pledges what, toward which objectives, where, by when."""

    _clean = field_validator("*", mode="before")(no_nul)

    title: str = Field(min_length=3, max_length=300)
    pledger: str | None = Field(
        default=None,
        min_length=2,
        max_length=300,
        description="Who pledges (default: the country's or the organization's name).",
    )
    pledger_kind: PledgerKind = Field(
        description="member_state, or the kind of the pledging organization."
    )
    country: str | None = Field(
        default=None,
        min_length=2,
        max_length=60,
        description="The pledging State (member_state pledges only): ISO3 or a name.",
    )
    organization_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The pledging organization (organization pledges): an approved one you "
        "registered.",
    )
    description: str = Field(min_length=3, max_length=10_000, description="What is pledged.")
    objectives: list[str] = Field(default_factory=list, max_length=23)
    countries: list[str] = Field(
        default_factory=list, max_length=60, description="Where the pledge applies."
    )
    due_on: date


class PledgeUpdateWrite(BaseModel):
    """A progress report on a pledge; the latest one sets the pledge's progress and status."""

    _clean = field_validator("*", mode="before")(no_nul)

    reported_on: date | None = Field(default=None, description="Default: today.")
    progress: int = Field(description="Per cent done, 0 to 100 (100 when fulfilled).")
    status: PledgeStatus
    note: str = Field(default="", max_length=5000)


class PledgeUpdatePublic(BaseModel):
    """One progress report, as kept."""

    id: int
    reported_on: date
    progress: int
    status: str
    note: str
    created_at: UtcDateTime


class PledgePublic(BaseModel):
    """A pledge as everyone sees it; `overdue` is computed against today's date."""

    id: int
    title: str
    pledger: str
    pledger_kind: str
    country: str | None
    organization_id: int | None
    description: str
    objectives: list[str]
    countries: list[str]
    due_on: date
    progress: int
    status: str
    overdue: bool = Field(description="Due date past and not fulfilled (nor withdrawn).")
    item_ref: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    updates: list[PledgeUpdatePublic] = Field(
        default_factory=list, description="The progress reports, oldest first (one pledge)."
    )


# -- downloads ---------------------------------------------------------------------------------


def _plain(row: BaseModel) -> dict[str, Any]:
    return row.model_dump(mode="json")


def _event_row(row: EventPublic) -> dict[str, Any]:
    return {
        **row.model_dump(mode="json", exclude={"countries", "regions", "objectives"}),
        "countries": joined(row.countries),
        "regions": joined(row.regions),
        "objectives": joined(row.objectives),
    }


def _pledge_row(row: PledgePublic) -> dict[str, Any]:
    return {
        **row.model_dump(mode="json", exclude={"objectives", "countries", "updates"}),
        "objectives": joined(row.objectives),
        "countries": joined(row.countries),
    }


EVENTS = Table(
    name="gcmhub-community-events",
    columns=(
        "id",
        "title",
        "organizer",
        "organization_id",
        "scope",
        "countries",
        "regions",
        "objectives",
        "starts_on",
        "ends_on",
        "when",
        "modality",
        "city",
        "url",
        "status",
        "description",
        "outcomes",
        "item_ref",
    ),
    flatten=_event_row,
    context={"@vocab": "https://schema.org/"},
    node=_plain,
)
PLEDGES = Table(
    name="gcmhub-community-pledges",
    columns=(
        "id",
        "title",
        "pledger",
        "pledger_kind",
        "country",
        "organization_id",
        "objectives",
        "countries",
        "due_on",
        "progress",
        "status",
        "overdue",
        "description",
        "item_ref",
    ),
    flatten=_pledge_row,
    context={"@vocab": "https://schema.org/"},
    node=_plain,
)
