"""What goes in and out of connections, follows and digests."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gcmhub.types import UtcDateTime, no_nul

KINDS = ("items", "providers", "organizations", "requests", "projects", "events", "pledges")


class AreaRef(BaseModel):
    """An area: an M49 region (`202`) or a country (`SEN`)."""

    code: str
    kind: str = Field(description="region or country")
    label: str


class ObjectiveRef(BaseModel):
    """An objective of the Compact."""

    id: str = Field(description="The concept id: objective:6")
    code: str
    label: str


class ConnectionEntry(BaseModel):
    """One record that works on the objective in the area, with the page it lives on."""

    id: str
    title: str
    link: str
    detail: str = Field(default="", description="Kind, country or status, in a few words.")


class ConnectionSection(BaseModel):
    """One kind of record: how many there are, and the first ones."""

    kind: str = Field(description=", ".join(KINDS))
    count: int
    entries: list[ConnectionEntry]
    more: str | None = Field(default=None, description="The page listing them all, if any.")


class Connections(BaseModel):
    """Who works on an objective in an area: a section per kind of record."""

    objective: ObjectiveRef | None
    area: AreaRef | None
    total: int
    sections: list[ConnectionSection]


class RegionCounts(BaseModel):
    """How many records of each kind work on an objective in one top region."""

    area: AreaRef
    counts: dict[str, int]
    total: int


class FollowWrite(BaseModel):
    """What to follow: an objective, an area, both at once, or an organization alone."""

    model_config = ConfigDict(extra="forbid")
    _clean = field_validator("*", mode="before")(no_nul)

    objective: str | None = Field(
        default=None, min_length=1, max_length=60, description="An objective: 6 or objective:6."
    )
    area: str | None = Field(
        default=None,
        min_length=2,
        max_length=60,
        description="An M49 region code (202) or a country (ISO3 or name).",
    )
    organization: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="An approved organization's id."
    )


class FollowPublic(BaseModel):
    """Something a person follows, with the page showing it."""

    id: int
    key: str
    label: str = Field(description="What is followed, in words (English).")
    objective: ObjectiveRef | None
    area: AreaRef | None
    organization: int | None
    organization_name: str | None
    link: str
    created_at: UtcDateTime
    digest_from: UtcDateTime = Field(description="Where the next digest's news start.")


class NewsItem(BaseModel):
    """One piece of news in a digest."""

    kind: str = Field(description="What happened: organization_approved, item_added, …")
    title: str
    link: str
    at: UtcDateTime


class DigestSection(BaseModel):
    """The news of one follow."""

    follow: FollowPublic
    news: list[NewsItem]


class DigestPreview(BaseModel):
    """What a person's digest holds for a period."""

    user: str
    period_from: UtcDateTime | None
    period_to: UtcDateTime
    news: int
    sections: list[DigestSection]


class DigestOutcome(BaseModel):
    """One person's digest in a run (no address: a run's report never shows one)."""

    user: str
    news: int
    sent: bool


class DigestRun(BaseModel):
    """What a run of the digests did."""

    period_to: UtcDateTime
    dry_run: bool
    people: int = Field(description="People with follows and an email address.")
    sent: int
    news: int
    digests: list[DigestOutcome]
