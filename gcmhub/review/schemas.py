"""What goes in and out of the review of implementation (plans, reviews, partnerships,
capacity, progress and the mechanism report)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from gcmhub.fund.schemas import AmountIn, Currency
from gcmhub.types import UtcDateTime, no_nul

STATUSES = ("planned", "ongoing", "completed", "stalled")
LEVELS = ("local", "national", "bilateral", "regional", "global")
Names = list[str]
Status = Literal["planned", "ongoing", "completed", "stalled"]
Level = Literal["local", "national", "bilateral", "regional", "global"]
PERIOD_PATTERN = r"^[0-9]{4}(-[0-9]{4})?$"


# -- plans -------------------------------------------------------------------------------------


class Evidence(BaseModel):
    """Evidence of a commitment's progress: a text, a link, or both."""

    _clean = field_validator("*", mode="before")(no_nul)

    text: str = Field(default="", max_length=2000)
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")


class CommitmentWrite(BaseModel):
    """A commitment of a national plan."""

    _clean = field_validator("*", mode="before")(no_nul)

    key: str | None = Field(
        default=None,
        max_length=20,
        pattern=r"^C[0-9]{1,6}$",
        description="The commitment's key in the plan (C1, C2…); without one, the commitment "
        "of the same title, else a new one.",
    )
    title: str = Field(min_length=3, max_length=500)
    description: str = Field(default="", max_length=10_000)
    objectives: Names = Field(
        default_factory=list, max_length=23, description="Objectives: 6, objective:6 or a title."
    )
    actions: Names = Field(
        default_factory=list,
        max_length=50,
        description="GCM actions: 6a or objective:6a (their objectives are added).",
    )
    lead_institutions: Names = Field(default_factory=list, max_length=20)
    partners: Names = Field(default_factory=list, max_length=50)
    start: date | None = None
    end: date | None = None
    budget: AmountIn | None = None
    currency: Currency | None = None
    status: Status = "planned"
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)


class PlanWrite(BaseModel):
    """A national plan as a whole: saving it makes a new version when anything changed."""

    _clean = field_validator("title", "note", mode="before")(no_nul)

    title: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=2000, description="Why this version (kept).")
    commitments: list[CommitmentWrite] = Field(default_factory=list, max_length=500)


class CommitmentPublic(BaseModel):
    """A commitment as it stands in a version of a plan."""

    key: str
    title: str
    description: str
    objectives: list[str]
    actions: list[str]
    lead_institutions: list[str]
    partners: list[str]
    start: date | None
    end: date | None
    budget: Decimal | None
    currency: str | None
    status: str
    evidence: list[Evidence]


class VersionSummary(BaseModel):
    """One saved version of a plan."""

    number: int
    title: str
    note: str
    commitments: int
    created_by: str
    created_at: UtcDateTime


class PlanPublic(BaseModel):
    """A country's plan in one version (the current one unless asked)."""

    country: str
    country_name: str
    title: str
    version: int
    latest_version: int
    saved_by: str
    saved_at: UtcDateTime
    note: str
    commitments: list[CommitmentPublic]
    versions: list[VersionSummary] = Field(default_factory=list)


class PlanSummary(BaseModel):
    """A plan in the list of plans."""

    country: str
    country_name: str
    title: str
    version: int
    commitments: int
    status: dict[str, int]
    updated_at: UtcDateTime


class FieldChange(BaseModel):
    """One field of a commitment, before and after."""

    field: str
    before: Any = None
    after: Any = None


class CommitmentChange(BaseModel):
    """A commitment added, removed or changed between two versions."""

    key: str
    title: str
    change: Literal["added", "removed", "changed"]
    fields: list[FieldChange] = Field(default_factory=list)


class PlanDiff(BaseModel):
    """What changed in a plan between two versions."""

    country: str
    from_version: int
    to_version: int
    title: FieldChange | None
    added: int
    removed: int
    changed: int
    changes: list[CommitmentChange]


# -- voluntary reviews -------------------------------------------------------------------------


class ReviewWrite(BaseModel):
    """A new voluntary review: a country and a period (2022 or 2019-2022)."""

    _clean = field_validator("*", mode="before")(no_nul)

    country: str = Field(min_length=2, max_length=100, description="ISO3 code or name.")
    period: str = Field(pattern=PERIOD_PATTERN, description="A year, or FROM-TO years.")
    title: str = Field(default="", max_length=300)


class ReviewUpdate(BaseModel):
    """Changes to a review: its title, or submitting it (then everyone may read it)."""

    _clean = field_validator("*", mode="before")(no_nul)

    title: str | None = Field(default=None, max_length=300)
    status: Literal["draft", "submitted"] | None = None


class SectionWrite(BaseModel):
    """A section's texts; a field left out stays as it is."""

    _clean = field_validator("*", mode="before")(no_nul)

    progress: str | None = Field(default=None, max_length=20_000)
    challenges: str | None = Field(default=None, max_length=20_000)
    good_practices: str | None = Field(default=None, max_length=20_000)
    support_needed: str | None = Field(default=None, max_length=20_000)


class DraftWrite(BaseModel):
    """Draft the sections from what the system knows."""

    overwrite: bool = Field(
        default=False, description="Replace texts already written (else only empty fields)."
    )
    objectives: Names = Field(
        default_factory=list, max_length=23, description="Only these objectives (all if empty)."
    )


class PracticeWrite(BaseModel):
    """Turn a section's good practices into a knowledge item."""

    _clean = field_validator("*", mode="before")(no_nul)

    title: str | None = Field(default=None, min_length=3, max_length=500)
    status: Literal["draft", "published"] = "draft"


class SupportWrite(BaseModel):
    """Turn a section's support needed into a request to the connection hub."""

    _clean = field_validator("*", mode="before")(no_nul)

    institution: str = Field(min_length=2, max_length=300)
    support_types: Names = Field(min_length=1, max_length=6)
    confidentiality: Literal["public", "anonymised", "private"] = "private"


class SectionSource(BaseModel):
    """A record a drafted section drew on."""

    kind: str = Field(description="commitment, indicator, request or project.")
    ref: str
    text: str


class SectionPublic(BaseModel):
    """A review's section on one objective."""

    objective: str
    code: str
    label: str
    progress: str
    challenges: str
    good_practices: str
    support_needed: str
    sources: list[SectionSource]
    practice_item: str | None
    support_request: str | None
    updated_by: str | None
    updated_at: UtcDateTime | None


class ReviewSummary(BaseModel):
    """A review in a list."""

    id: int
    country: str
    country_name: str
    period: str
    title: str
    status: str
    filled: int = Field(description="Sections with any text.")
    updated_at: UtcDateTime


class ReviewPublic(ReviewSummary):
    """A voluntary review with its sections, one per objective."""

    created_by: str
    created_at: UtcDateTime
    sections: list[SectionPublic]


# -- partnerships ------------------------------------------------------------------------------


class ResultWrite(BaseModel):
    """A result a partnership reports."""

    _clean = field_validator("*", mode="before")(no_nul)

    text: str = Field(min_length=3, max_length=2000)
    reported_on: date | None = None
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")


class PartnershipWrite(BaseModel):
    """A partnership for implementing the Compact."""

    _clean = field_validator("*", mode="before")(no_nul)

    name: str = Field(min_length=3, max_length=300)
    description: str = Field(default="", max_length=10_000)
    level: Level
    partners: Names = Field(min_length=1, max_length=100)
    stakeholders: Names = Field(
        default_factory=list,
        max_length=30,
        description="Stakeholder types (scheme `stakeholder`): academia, civil-society…",
    )
    objectives: Names = Field(default_factory=list, max_length=23)
    countries: Names = Field(default_factory=list, max_length=60)
    start: date | None = None
    end: date | None = None
    results: list[ResultWrite] = Field(default_factory=list, max_length=100)


class PartnershipUpdate(BaseModel):
    """Changes to a partnership: only the fields given change."""

    _clean = field_validator("*", mode="before")(no_nul)

    name: str | None = Field(default=None, min_length=3, max_length=300)
    description: str | None = Field(default=None, max_length=10_000)
    level: Level | None = None
    partners: Names | None = Field(default=None, min_length=1, max_length=100)
    stakeholders: Names | None = Field(default=None, max_length=30)
    objectives: Names | None = Field(default=None, max_length=23)
    countries: Names | None = Field(default=None, max_length=60)
    start: date | None = None
    end: date | None = None
    results: list[ResultWrite] | None = Field(default=None, max_length=100)


class PartnershipPublic(BaseModel):
    """A partnership of the registry."""

    id: int
    name: str
    description: str
    level: str
    partners: list[str]
    stakeholders: list[str]
    objectives: list[str]
    countries: list[str]
    start: date | None
    end: date | None
    results: list[ResultWrite]
    created_by: str
    created_at: UtcDateTime
    updated_at: UtcDateTime


class PartnershipMeasures(BaseModel):
    """Measures of the partnerships that pass the filters (method in partnerships.py)."""

    partnerships: int
    by_level: dict[str, int]
    stakeholder_types: dict[str, int] = Field(
        description="Partnerships involving each stakeholder type."
    )
    distinct_stakeholder_types: int
    shannon: float | None = Field(description="Shannon index H of stakeholder types (ln).")
    evenness: float | None = Field(description="Pielou's evenness H / ln(types), 0-1.")
    objectives_covered: int
    by_objective: dict[str, int]
    with_results: int
    results_reported: int
    ids: list[int] = Field(description="The partnerships counted.")


# -- capacity ----------------------------------------------------------------------------------


class Domain(BaseModel):
    """A capacity domain assessments score."""

    id: str
    label: str
    definition: str
    scale_max: float


class AssessmentWrite(BaseModel):
    """A capacity assessment: a score per domain, before or after support."""

    _clean = field_validator("*", mode="before")(no_nul)

    country: str = Field(min_length=2, max_length=100)
    subject: str = Field(min_length=3, max_length=300, description="What capacity was built.")
    kind: Literal["before", "after"]
    assessed_on: date
    scores: dict[str, float] = Field(min_length=1, max_length=50)
    request: str | None = Field(default=None, max_length=40, description="A hub request's ref.")
    project: str | None = Field(default=None, max_length=40, description="A fund project's ref.")
    note: str = Field(default="", max_length=5000)


class AssessmentPublic(BaseModel):
    """A recorded capacity assessment."""

    id: int
    country: str
    subject: str
    kind: str
    assessed_on: date
    scores: dict[str, float]
    request: str | None
    project: str | None
    note: str
    created_by: str
    created_at: UtcDateTime


class DomainChange(BaseModel):
    """One domain's score before and after, and the change."""

    domain: str
    label: str
    before: float | None
    after: float | None
    change: float | None


class CapacityChange(BaseModel):
    """The change in capacity of one subject: the latest before against the latest after."""

    country: str
    subject: str
    request: str | None
    project: str | None
    before: int | None = Field(description="The assessment id used as baseline.")
    after: int | None = Field(description="The assessment id used as endline.")
    before_on: date | None
    after_on: date | None
    domains: list[DomainChange]
    mean_change: float | None


# -- progress ----------------------------------------------------------------------------------


class TrendPoint(BaseModel):
    """A value of an indicator in a year."""

    year: int
    value: float


class IndicatorTrend(BaseModel):
    """An indicator's series against its target, where the indicators part gives one."""

    indicator: str
    label: str
    unit: str
    target: float | None
    better: Literal["lower", "higher"]
    points: list[TrendPoint]
    latest: float | None
    meets_target: bool | None
    source: str


class ObjectiveProgress(BaseModel):
    """Progress on one objective (for one country, or all)."""

    objective: str
    code: str
    label: str
    actions: int = Field(description="Actions of the objective in the Compact.")
    actions_committed: int = Field(description="Actions with at least one commitment.")
    coverage_pct: float
    commitments: int
    status: dict[str, int]
    countries: list[str]
    requests: int
    projects: int
    pledges: int = Field(default=0, description="Pledges toward the objective, not withdrawn.")
    pledges_fulfilled: int = 0
    pledge_mean_progress: float | None = Field(
        default=None, description="Mean reported progress of those pledges, in percent."
    )
    pledges_overdue: int = 0
    events: int = Field(default=0, description="Events on the objective, not cancelled.")
    indicators: list[IndicatorTrend] = Field(default_factory=list)
    records: dict[str, list[str]] = Field(
        default_factory=dict,
        description="The commitments, requests, projects, pledges and events counted.",
    )


class CountryProgress(BaseModel):
    """A country's progress on every objective."""

    country: str
    country_name: str
    plan_version: int | None
    objectives: list[ObjectiveProgress]


class MatrixCell(BaseModel):
    """One cell of the region x objective matrix."""

    region: str
    region_name: str
    objective: str
    value: int


class RegionMatrix(BaseModel):
    """Regions by objectives, for a heat map."""

    measure: str
    regions: list[str]
    objectives: list[str]
    cells: list[MatrixCell]
    max: int


# -- the mechanism report ----------------------------------------------------------------------


class Figure(BaseModel):
    """A number of the report with what it was computed from."""

    key: str
    label: str
    value: int | float | str | None
    unit: str = ""
    source: str = Field(description="The query or filter behind the figure, in words.")
    records: list[str] = Field(default_factory=list, description="The records counted.")


class ReportSection(BaseModel):
    """A part of the report."""

    title: str
    figures: list[Figure]


class MechanismReport(BaseModel):
    """The whole mechanism's report for a period."""

    start: date
    end: date
    empty: bool
    message: str
    sections: list[ReportSection]
    objectives: list[ObjectiveProgress]
