"""What practice submission and peer review take in and give out."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator

from gcmhub.taxonomy.schemas import ConceptRef
from gcmhub.types import UtcDateTime, no_nul

Codes = list[str]
CRITERIA = ("relates_to_objective", "adheres_to_principles", "mostly_completed", "replicable")
# What a reviewer may score from 1 to 5: the four criteria and the practice's innovation.
SCORED = (*CRITERIA, "innovation")
LEVELS = ("local", "national", "bilateral", "regional", "global")
COMPLETION = ("completed", "mostly_completed", "ongoing")
RECOMMENDATIONS = ("approve", "revise", "reject")


class Criteria(BaseModel):
    """The four criteria a practice meets, as its submitter confirms them."""

    relates_to_objective: bool = Field(
        default=False, description="It relates to at least one objective of the Compact."
    )
    adheres_to_principles: bool = Field(
        default=False, description="It adheres to the Compact's ten guiding principles."
    )
    mostly_completed: bool = Field(
        default=False, description="It is completed or mostly completed, with results to show."
    )
    replicable: bool = Field(default=False, description="Others could adopt or adapt it elsewhere.")


class CallWrite(BaseModel):
    """A thematic call for practices."""

    _clean = field_validator("*", mode="before")(no_nul)

    title: str = Field(min_length=3, max_length=300)
    description: str = Field(default="", max_length=10_000)
    objectives: Codes = Field(default_factory=list, max_length=23)
    opens: date | None = Field(default=None, description="First day of submissions; today.")
    deadline: date = Field(description="Last day of submissions (inclusive, UTC).")


class CallPublic(BaseModel):
    """A call for practices, with whether it takes submissions today."""

    id: str
    title: str
    description: str
    objectives: list[ConceptRef]
    opens: date | None
    deadline: date
    open: bool
    submissions: int
    created_at: UtcDateTime


class PracticeWrite(BaseModel):
    """A practice, as submitted through the one form (no separate document template)."""

    _clean = field_validator("*", mode="before")(no_nul)

    call: str | None = Field(default=None, max_length=40, description="The call's id, if any.")
    title: str = Field(min_length=3, max_length=300)
    summary: str = Field(min_length=20, max_length=2000)
    body: str = Field(
        min_length=50,
        max_length=50_000,
        description="What was done, for whom, how, with what results and lessons.",
    )
    objectives: Codes = Field(
        default_factory=list, max_length=50, description="GCM objectives or actions (at least one)."
    )
    principles: Codes = Field(
        default_factory=list, max_length=10, description="Guiding principles it reflects most."
    )
    countries: Codes = Field(default_factory=list, max_length=60)
    level: str = Field(default="national", pattern="^(local|national|bilateral|regional|global)$")
    implementing_entity: str = Field(min_length=2, max_length=300)
    partners: Codes = Field(default_factory=list, max_length=30)
    start: date | None = None
    end: date | None = None
    status_completion: str = Field(pattern="^(completed|mostly_completed|ongoing)$")
    replicability: str = Field(
        min_length=10, max_length=5000, description="How others could adopt or adapt it."
    )
    innovation: str = Field(default="", max_length=5000)
    criteria: Criteria = Field(default_factory=Criteria)


class ReviewerWrite(BaseModel):
    """A reviewer to assign, and whether they come from the UN system."""

    _clean = field_validator("*", mode="before")(no_nul)

    username: str = Field(min_length=1, max_length=100)
    un_system: bool = False


class AssignWrite(BaseModel):
    """Reviewers to add to a submission's panel."""

    reviewers: list[ReviewerWrite] = Field(min_length=1, max_length=6)
    override: bool = Field(
        default=False,
        description="Accept a first panel without one UN-system and two external reviewers.",
    )


class ConflictWrite(BaseModel):
    """A reviewer's declaration of conflicts of interest: "none", or what the conflict is."""

    _clean = field_validator("*", mode="before")(no_nul)

    conflict: str = Field(min_length=1, max_length=2000)


class ReviewWrite(BaseModel):
    """A reviewer's recommendation, comments and optional scores (1-5 per criterion)."""

    _clean = field_validator("recommendation", "comments", mode="before")(no_nul)

    recommendation: str = Field(pattern="^(approve|revise|reject)$")
    comments: str = Field(default="", max_length=20_000)
    scores: dict[str, int] = Field(
        default_factory=dict, description=f"Optional scores 1-5: {', '.join(SCORED)}."
    )


class QuestionWrite(BaseModel):
    """A question to the submitter."""

    _clean = field_validator("*", mode="before")(no_nul)

    question: str = Field(min_length=3, max_length=5000)


class AnswerWrite(BaseModel):
    """The submitter's answer: to one question, or to every open one."""

    _clean = field_validator("answer", mode="before")(no_nul)

    answer: str = Field(min_length=1, max_length=10_000)
    question: int | None = Field(default=None, description="The question's id; none: all open.")


class DecisionWrite(BaseModel):
    """A curator's decision on a submission."""

    _clean = field_validator("*", mode="before")(no_nul)

    decision: str = Field(pattern="^(approve|reject)$")
    note: str = Field(default="", max_length=5000)


class WithdrawWrite(BaseModel):
    """A submitter withdrawing a submission."""

    _clean = field_validator("*", mode="before")(no_nul)

    note: str = Field(default="", max_length=5000)


class ReviewPublic(BaseModel):
    """A review as the reader may see it (names and comments only to those taking part)."""

    reviewer: str = Field(description="Username, or 'Reviewer N' for those outside the review.")
    un_system: bool
    added_on_disagreement: bool
    conflict: str | None
    declared: bool
    recused: bool
    recommendation: str | None
    comments: str | None
    scores: dict[str, int]
    submitted_at: UtcDateTime | None


class ClarificationPublic(BaseModel):
    """A question to the submitter and its answer."""

    id: int
    asked_by: str
    asked_at: UtcDateTime
    question: str
    answer: str | None
    answered_at: UtcDateTime | None


class EventPublic(BaseModel):
    """Something that happened to a submission."""

    at: UtcDateTime
    actor: str
    kind: str
    from_state: str | None
    to_state: str | None
    text: str


class DecisionPublic(BaseModel):
    """The curator's decision with the reviewers' recommendations as they stood."""

    decision: str
    decided_at: UtcDateTime
    note: str
    reviewers: int
    un_system: int
    external: int
    recommendations: dict[str, int]
    summary: str


class PracticePublic(BaseModel):
    """A submission as the reader may see it."""

    id: str
    call: str | None
    title: str
    summary: str
    body: str
    objectives: list[ConceptRef]
    principles: list[ConceptRef]
    countries: list[ConceptRef]
    level: str
    implementing_entity: str
    partners: Codes
    start: date | None
    end: date | None
    status_completion: str
    replicability: str
    innovation: str
    criteria: Criteria
    submitter: str | None
    state: str
    state_since: UtcDateTime
    due_at: UtcDateTime | None
    overdue: bool
    needs_third_reviewer: bool
    can: Codes = Field(description="What the reader may do now (assign, review, ask, …).")
    decision: DecisionPublic | None
    item: str | None = Field(description="The knowledge item it was published as.")
    reviews: list[ReviewPublic] = Field(default_factory=list)
    clarifications: list[ClarificationPublic] = Field(default_factory=list)
    events: list[EventPublic] = Field(default_factory=list)
    created_at: UtcDateTime
    updated_at: UtcDateTime


class PracticeRow(BaseModel):
    """A submission in a list or the curators' review queue."""

    id: str
    title: str
    call: str | None
    state: str
    countries: Codes
    objectives: Codes
    reviewers: int
    reviews_in: int
    needs_third_reviewer: bool
    due_at: UtcDateTime | None
    overdue: bool
    item: str | None
    created_at: UtcDateTime


class PracticePage(BaseModel):
    """Submissions the reader may see, with counts by state."""

    total: int
    by_state: dict[str, int]
    practices: list[PracticeRow]
