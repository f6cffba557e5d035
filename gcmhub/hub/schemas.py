"""What the hub takes in and gives out."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, EmailStr, Field, field_validator

from gcmhub.taxonomy.schemas import ConceptRef
from gcmhub.types import UtcDateTime, no_nul

Codes = list[str]


class ProviderWrite(BaseModel):
    """A provider as registered: an organization, or an expert who consents to be listed."""

    _clean = field_validator("*", mode="before")(no_nul)

    kind: str = Field(pattern="^(organization|expert)$")
    name: str = Field(min_length=3, max_length=300)
    organization_type: str = "civil_society"
    un_system: bool = False
    description: str = Field(min_length=20, max_length=5000)
    objectives: Codes = Field(default_factory=list, max_length=23)
    support_types: Codes = Field(default_factory=list, max_length=6)
    countries: Codes = Field(default_factory=list, max_length=60)
    regions: Codes = Field(default_factory=list, max_length=30)
    languages: Codes = Field(default_factory=list, max_length=20)
    modalities: Codes = Field(default_factory=list, max_length=2)
    capacity: int = Field(default=1, ge=0, le=100)
    available_until: date | None = None
    contact_email: EmailStr | None = None
    consent: bool = Field(
        default=False,
        description="The person or organization agreed to be listed publicly with this contact.",
    )


class ProviderUpdate(BaseModel):
    """Changes to a provider: only the fields given change."""

    _clean = field_validator("*", mode="before")(no_nul)

    name: str | None = Field(default=None, min_length=3, max_length=300)
    description: str | None = Field(default=None, min_length=20, max_length=5000)
    objectives: Codes | None = Field(default=None, max_length=23)
    support_types: Codes | None = Field(default=None, max_length=6)
    countries: Codes | None = Field(default=None, max_length=60)
    regions: Codes | None = Field(default=None, max_length=30)
    languages: Codes | None = Field(default=None, max_length=20)
    modalities: Codes | None = Field(default=None, max_length=2)
    capacity: int | None = Field(default=None, ge=0, le=100)
    available_until: date | None = None
    contact_email: EmailStr | None = None
    consent: bool | None = None
    active: bool | None = None


class ProviderPublic(BaseModel):
    """A provider as shown: the contact only when consent is on record."""

    id: str
    kind: str
    name: str
    organization_type: str
    un_system: bool
    description: str
    objectives: list[ConceptRef]
    support_types: Codes
    countries: list[ConceptRef]
    regions: list[ConceptRef]
    languages: Codes
    modalities: Codes
    capacity: int
    load: int = Field(description="Requests it is engaged on now.")
    available_until: date | None
    contact_email: str | None
    consent: bool
    active: bool
    rating: float | None = Field(description="Mean rating of its closed engagements.")
    ratings: int
    updated_at: UtcDateTime


class OfferWrite(BaseModel):
    """An offer of support."""

    _clean = field_validator("*", mode="before")(no_nul)

    provider: str = Field(description="The provider's id.")
    title: str = Field(min_length=3, max_length=300)
    description: str = Field(min_length=10, max_length=5000)
    audience: str | None = Field(default=None, max_length=300)
    objectives: Codes = Field(default_factory=list, max_length=23)
    support_types: Codes = Field(default_factory=list, max_length=6)
    countries: Codes = Field(default_factory=list, max_length=60)
    regions: Codes = Field(default_factory=list, max_length=30)
    languages: Codes = Field(default_factory=list, max_length=20)
    valid_until: date | None = None


class OfferPublic(BaseModel):
    """An offer of support as shown."""

    id: str
    provider: str
    provider_name: str
    title: str
    description: str
    audience: str | None
    objectives: list[ConceptRef]
    support_types: Codes
    countries: list[ConceptRef]
    regions: list[ConceptRef]
    languages: Codes
    valid_until: date | None
    current: bool


class RequestWrite(BaseModel):
    """A request for support, in the requester's words."""

    _clean = field_validator("*", mode="before")(no_nul)

    country: str = Field(description="ISO 3166 alpha-3 code or name of the requesting country.")
    institution: str = Field(min_length=2, max_length=300)
    title: str | None = Field(default=None, max_length=300)
    need: str = Field(min_length=20, max_length=20_000)
    objectives: Codes = Field(
        default_factory=list,
        max_length=23,
        description="Confirmed objectives; empty: the suggestions stand until confirmed.",
    )
    support_types: Codes = Field(min_length=1, max_length=6)
    languages: Codes = Field(default_factory=list, max_length=20)
    modalities: Codes = Field(default_factory=list, max_length=2)
    start: date | None = None
    end: date | None = None
    confidentiality: str = Field(default="private", pattern="^(public|anonymised|private)$")
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: EmailStr | None = None
    contact_consent: bool = Field(
        default=False, description="The contact person agreed to be stored and contacted."
    )


class RequestUpdate(BaseModel):
    """Changes to a request: confirm objectives, adjust the need, timeline or contact."""

    _clean = field_validator("*", mode="before")(no_nul)

    title: str | None = Field(default=None, max_length=300)
    need: str | None = Field(default=None, min_length=20, max_length=20_000)
    objectives: Codes | None = Field(default=None, max_length=23)
    support_types: Codes | None = Field(default=None, min_length=1, max_length=6)
    languages: Codes | None = Field(default=None, max_length=20)
    modalities: Codes | None = Field(default=None, max_length=2)
    start: date | None = None
    end: date | None = None
    confidentiality: str | None = Field(default=None, pattern="^(public|anonymised|private)$")


class Suggested(BaseModel):
    """An objective suggested from the need's text."""

    concept: str
    label: str
    score: float


class StepRequest(BaseModel):
    """A move to another state, with a note; closing carries the requester's rating."""

    _clean = field_validator("*", mode="before")(no_nul)

    to: str
    note: str = Field(default="", max_length=5000)
    rating: int | None = Field(default=None, ge=1, le=5)
    lessons: str | None = Field(default=None, max_length=5000)
    provider_ratings: dict[str, int] = Field(
        default_factory=dict, description="Rating 1-5 of each engaged provider, by its id."
    )


class CommentWrite(BaseModel):
    """A comment on a request; `internal` keeps it to the secretariat."""

    _clean = field_validator("*", mode="before")(no_nul)

    text: str = Field(min_length=1, max_length=10_000)
    internal: bool = False


class EngageWrite(BaseModel):
    """A provider put in a request's plan, with what it does."""

    _clean = field_validator("*", mode="before")(no_nul)

    provider: str
    parts: Codes | None = Field(
        default=None, max_length=30, description="Parts it covers; omitted: unchanged."
    )
    role: str | None = Field(default=None, max_length=2000, description="Omitted: unchanged.")
    status: str = Field(default="proposed", pattern="^(proposed|confirmed|done|dropped)$")


class EventPublic(BaseModel):
    """Something that happened to a request."""

    at: UtcDateTime
    actor: str
    kind: str
    from_state: str | None
    to_state: str | None
    text: str
    internal: bool


class AttachmentPublic(BaseModel):
    """A file attached to a request."""

    id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    added_at: UtcDateTime


class EngagementPublic(BaseModel):
    """A provider's part in answering a request."""

    provider: str
    provider_name: str
    parts: Codes
    role: str
    status: str
    score: float | None
    rating: int | None


class RequestPublic(BaseModel):
    """A request as the reader may see it (anonymised: no institution or contact)."""

    id: str
    title: str
    country: ConceptRef | None
    regions: list[ConceptRef]
    institution: str | None
    contact_name: str | None
    contact_email: str | None
    need: str
    language: str | None
    objectives: list[ConceptRef]
    suggested: list[Suggested]
    support_types: Codes
    languages: Codes
    modalities: Codes
    start: date | None
    end: date | None
    confidentiality: str
    state: str
    state_since: UtcDateTime
    due_at: UtcDateTime | None
    overdue: bool
    assignee: str | None
    steps: Codes = Field(description="States the reader may move the request to now.")
    rating: int | None
    lessons: str | None
    solution: str | None
    proposal: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    events: list[EventPublic] = Field(default_factory=list)
    attachments: list[AttachmentPublic] = Field(default_factory=list)
    plan: list[EngagementPublic] = Field(default_factory=list)


class RequestRow(BaseModel):
    """A request in a list or the secretariat's queue."""

    id: str
    title: str
    country: str | None
    region: str | None
    objectives: Codes
    support_types: Codes
    state: str
    age_days: int
    due_at: UtcDateTime | None
    overdue: bool
    assignee: str | None
    confidentiality: str
    created_at: UtcDateTime


class RequestPage(BaseModel):
    """A page of requests, with counts by state."""

    total: int
    by_state: dict[str, int]
    requests: list[RequestRow]
    next: str | None = None


class Reason(BaseModel):
    """One reason a candidate is proposed, with its share of the score."""

    kind: str  # objectives, support, meaning, region, language, availability, outcomes
    text: str
    weight: float


class Match(BaseModel):
    """A provider or offer on a request's shortlist."""

    id: str
    name: str
    kind: str
    score: float
    un_system: bool = False
    parts: Codes = Field(default_factory=list, description="Parts of the request it covers.")
    reasons: list[Reason]


class PracticeMatch(BaseModel):
    """A knowledge item or a solved request that a request can learn from (43(a)(iii))."""

    id: str
    title: str
    kind: str  # item | request
    score: float
    url: str


class PlanPart(BaseModel):
    """One part of a request (an objective or a kind of support) and who covers it."""

    part: str
    label: str
    provider: str | None
    provider_name: str | None


class Plan(BaseModel):
    """The integrated solution: the fewest, best providers that together cover every part."""

    method: str  # exact (HiGHS) or greedy
    providers: list[Match]
    parts: list[PlanPart]
    uncovered: Codes


class Shortlist(BaseModel):
    """What the hub proposes for a request."""

    request: str
    parts: Codes
    providers: list[Match]
    offers: list[Match]
    practices: list[PracticeMatch]
    plan: Plan
    took_ms: float
