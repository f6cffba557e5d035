"""What goes in and out of the community (organizations, consultations, contributions)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gcmhub.downloads import Table, joined
from gcmhub.types import UtcDateTime, no_nul

KINDS = (
    "diaspora",
    "civil-society",
    "local-authority",
    "trade-union",
    "private-sector",
    "academia",
    "nhri",
    "un-entity",
)
Kind = Literal[
    "diaspora",
    "civil-society",
    "local-authority",
    "trade-union",
    "private-sector",
    "academia",
    "nhri",
    "un-entity",
]
LANGUAGE_PATTERN = r"^[a-z]{2,3}$"  # ISO 639 codes


def _languages(value: list[str]) -> list[str]:
    import re

    for code in value:
        if not re.fullmatch(LANGUAGE_PATTERN, code):
            raise ValueError(f"'{code}' is not an ISO 639 language code (en, fr, ar…)")
    return list(dict.fromkeys(value))


class OrganizationWrite(BaseModel):
    """An organization registering itself in the directory."""

    _clean = field_validator("*", mode="before")(no_nul)

    name: str = Field(min_length=3, max_length=300)
    kind: Kind = Field(
        description="diaspora (diaspora or migrant association), civil-society, "
        "local-authority, trade-union, private-sector, academia, nhri (national human "
        "rights institution), un-entity."
    )
    description: str = Field(default="", max_length=10_000)
    origin_countries: list[str] = Field(
        default_factory=list, max_length=60, description="Countries of origin: ISO3 or names."
    )
    residence_countries: list[str] = Field(
        default_factory=list, max_length=60, description="Countries of residence: ISO3 or names."
    )
    city: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="A city at most: no street address or any precise location.",
    )
    objectives: list[str] = Field(default_factory=list, max_length=23)
    languages: list[str] = Field(default_factory=list, max_length=20)
    offers: str = Field(default="", max_length=5000, description="What the organization offers.")
    seeks: str = Field(default="", max_length=5000, description="What the organization seeks.")
    website: str | None = Field(default=None, max_length=500, pattern=r"^https?://\S+$")
    contact_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="A named contact person: stored and shown only with `contact_consent`.",
    )
    contact_consent: bool = Field(
        default=False, description="The contact person agreed to be named publicly."
    )

    _langs = field_validator("languages")(_languages)


class OrganizationUpdate(BaseModel):
    """Changes to an organization's profile: only the fields given change.

    The result is checked as a registration is (a named contact needs consent, a city at
    most); a new contact name needs `contact_consent` again, and `contact_name: null`
    removes the person. An unknown field is refused rather than ignored.
    """

    model_config = ConfigDict(extra="forbid")
    _clean = field_validator("*", mode="before")(no_nul)

    name: str | None = Field(default=None, min_length=3, max_length=300)
    kind: Kind | None = None
    description: str | None = Field(default=None, max_length=10_000)
    origin_countries: list[str] | None = Field(default=None, max_length=60)
    residence_countries: list[str] | None = Field(default=None, max_length=60)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    objectives: list[str] | None = Field(default=None, max_length=23)
    languages: list[str] | None = Field(default=None, max_length=20)
    offers: str | None = Field(default=None, max_length=5000)
    seeks: str | None = Field(default=None, max_length=5000)
    website: str | None = Field(default=None, max_length=500, pattern=r"^https?://\S+$")
    contact_name: str | None = Field(default=None, min_length=1, max_length=200)
    contact_consent: bool | None = None


class OrganizationReview(BaseModel):
    """A curator's decision on a registered organization."""

    _clean = field_validator("*", mode="before")(no_nul)

    decision: Literal["approved", "rejected"]
    note: str = Field(default="", max_length=2000)


class OrganizationPublic(BaseModel):
    """An organization as shown: its contact person only with their consent."""

    id: int
    name: str
    kind: str
    description: str
    origin_countries: list[str]
    residence_countries: list[str]
    city: str | None
    objectives: list[str]
    languages: list[str]
    offers: str
    seeks: str
    website: str | None
    contact_name: str | None = Field(description="Only when the person consented.")
    status: str
    created_at: UtcDateTime


class ConsultationWrite(BaseModel):
    """A consultation: numbered questions, a moderator, an audience, languages and dates."""

    _clean = field_validator("*", mode="before")(no_nul)

    title: str = Field(min_length=3, max_length=300)
    description: str = Field(default="", max_length=10_000)
    questions: list[str] = Field(
        min_length=1, max_length=50, description="Questions, numbered 1, 2… in this order."
    )
    moderator: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The moderator's username (default: who opens the consultation).",
    )
    audience: str = Field(default="", max_length=2000)
    languages: list[str] = Field(default_factory=list, max_length=20)
    opens_on: date
    closes_on: date

    _langs = field_validator("languages")(_languages)

    @field_validator("questions")
    @classmethod
    def _questions(cls, value: list[str]) -> list[str]:
        out = [" ".join(q.split()) for q in value]
        if any(len(q) < 3 or len(q) > 2000 for q in out):
            raise ValueError("each question has 3 to 2000 characters")
        return out


class ConsultationPublic(BaseModel):
    """A consultation and whether it is open now."""

    id: int
    title: str
    description: str
    questions: list[str]
    moderator: str | None
    audience: str
    languages: list[str]
    opens_on: date
    closes_on: date
    state: Literal["upcoming", "open", "closed"]
    contributions: int


class ContributionWrite(BaseModel):
    """A contribution to one question, in any language."""

    _clean = field_validator("*", mode="before")(no_nul)

    question: int = Field(ge=1, le=50, description="The question's number.")
    text: str = Field(min_length=3, max_length=10_000)


class ModerationWrite(BaseModel):
    """Hide, flag or restore a contribution, with the reason on record."""

    _clean = field_validator("*", mode="before")(no_nul)

    action: Literal["hide", "flag", "restore"]
    reason: str = Field(min_length=3, max_length=2000)


class ReportWrite(BaseModel):
    """A report of abuse on a contribution, for the curators."""

    _clean = field_validator("*", mode="before")(no_nul)

    reason: str = Field(min_length=3, max_length=2000)


class Suggested(BaseModel):
    """An objective suggested from a contribution's text."""

    concept: str
    label: str
    score: float


class ModerationEvent(BaseModel):
    """One moderation step or report on record."""

    action: str
    reason: str
    by: str
    at: UtcDateTime


class ContributionPublic(BaseModel):
    """A contribution; hidden ones (text withheld) are shown to the moderator and curators."""

    id: int
    consultation_id: int
    question: int
    text: str
    language: str | None
    objectives: list[Suggested]
    status: str
    author: str | None = Field(
        default=None,
        description="Who wrote it: to the moderator and curators only, as a person is not "
        "named publicly without their consent.",
    )
    created_at: UtcDateTime
    moderation: list[ModerationEvent] = Field(
        default_factory=list, description="To the moderator and curators only."
    )


class SummaryQuestion(BaseModel):
    """Contributions to one question and their ids."""

    number: int
    question: str
    count: int
    contributions: list[int]


class ConsultationSummary(BaseModel):
    """A closed consultation's counts; every contribution traceable by its id."""

    consultation_id: int
    title: str
    closes_on: date
    total: int
    hidden: int
    questions: list[SummaryQuestion]
    objectives: dict[str, list[int]]
    languages: dict[str, list[int]]


# -- downloads ---------------------------------------------------------------------------------


def _organization_row(row: OrganizationPublic) -> dict[str, Any]:
    lists = {"origin_countries", "residence_countries", "objectives", "languages"}
    return {
        **row.model_dump(mode="json", exclude=lists),
        **{name: joined(getattr(row, name)) for name in sorted(lists)},
    }


def _plain(row: BaseModel) -> dict[str, Any]:
    return row.model_dump(mode="json")


ORGANIZATIONS = Table(
    name="gcmhub-community-organizations",
    columns=(
        "id",
        "name",
        "kind",
        "description",
        "origin_countries",
        "residence_countries",
        "city",
        "objectives",
        "languages",
        "offers",
        "seeks",
        "website",
        "contact_name",
        "status",
        "created_at",
    ),
    flatten=_organization_row,
    context={"@vocab": "https://schema.org/"},
    node=_plain,
)
