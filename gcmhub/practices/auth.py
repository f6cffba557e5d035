"""Who may do what with practice submissions and calls for practices.

Partners, curators, and focal points (for practices about their own countries) submit. The
curators run the review: they open calls, assign reviewers, decide and publish. Only an
assigned reviewer reviews, and never one who submitted the practice or belongs to the
submitter's organization: that is a conflict of interest, refused whatever was declared.
Reviewers and curators ask the submitter for clarification; the submitter answers, and may
withdraw the submission until it is approved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gcmhub.auth import rule
from gcmhub.context import Actor
from gcmhub.practices.workflow import SUBMITTER_STEPS


@dataclass(frozen=True)
class PracticeScope:
    """What decides who may touch a submission."""

    countries: frozenset[str] = field(default_factory=frozenset)
    submitter_id: int | None = None
    submitter_organization: str | None = None
    assigned: frozenset[int] = field(default_factory=frozenset)  # every assigned reviewer
    reviewing: frozenset[int] = field(default_factory=frozenset)  # those not recused
    target_state: str | None = None  # for a step: where the submission would go
    answering: bool = False  # for a clarification: the answer rather than the question


def _curator(actor: Actor) -> bool:
    return actor.has("curator")


def _submitter(actor: Actor, scope: PracticeScope) -> bool:
    return actor.user_id is not None and actor.user_id == scope.submitter_id


def conflicted(actor: Actor, scope: PracticeScope) -> bool:
    """Whether an actor is too close to a submission to review it: its submitter, or a
    member of the submitter's organization."""
    if _submitter(actor, scope):
        return True
    mine, theirs = _organization(actor.organization), _organization(scope.submitter_organization)
    return bool(mine) and mine == theirs


def _organization(name: str | None) -> str:
    return " ".join((name or "").casefold().split())


@rule("practice_submit", "partners, curators, and focal points for their own countries")
def practice_submit(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, PracticeScope)
    if actor.has("curator", "partner"):
        return True
    return actor.has("focal_point") and bool(scope.countries) and scope.countries <= actor.countries


@rule("practice_read", "a submission under review: its submitter, reviewers and curators", "read")
def practice_read(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, PracticeScope)
    if _curator(actor) or _submitter(actor, scope):
        return True
    return actor.user_id is not None and actor.user_id in scope.assigned


@rule("practice_assign", "curators assign reviewers")
def practice_assign(actor: Actor, scope: Any) -> bool:
    return _curator(actor)


@rule(
    "practice_review",
    "only an assigned reviewer without a conflict of interest (not the submitter, "
    "nor of the submitter's organization)",
)
def practice_review(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, PracticeScope)
    if actor.user_id is None or actor.user_id not in scope.assigned:
        return False
    return not conflicted(actor, scope)


@rule("practice_clarify", "reviewers and curators ask for clarification; the submitter answers")
def practice_clarify(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, PracticeScope)
    if scope.answering:
        return _submitter(actor, scope)
    if _curator(actor):
        return True
    return actor.user_id is not None and actor.user_id in scope.reviewing


@rule("practice_step", "curators approve, reject and publish; the submitter withdraws")
def practice_step(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, PracticeScope)
    if scope.target_state in SUBMITTER_STEPS:
        return _submitter(actor, scope)
    return _curator(actor)


@rule("call_write", "curators open calls for practices")
def call_write(actor: Actor, scope: Any) -> bool:
    return _curator(actor)
