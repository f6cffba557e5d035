"""Sample calls of the practice-submission write routes, for the route-table test.

The partner submits; the fund manager (from the UN system) and the France focal point review.
Routes whose call moves a submission on for good (assigning, deciding, publishing) get a
fresh submission per call (`prepare`); the others share the ones made by `practice_setting`.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from gcmhub.accounts.actions import actor_of
from gcmhub.accounts.models import User
from gcmhub.context import SYSTEM, Context
from gcmhub.practices import actions
from gcmhub.practices.schemas import (
    AssignWrite,
    ConflictWrite,
    DecisionWrite,
    PracticeWrite,
    QuestionWrite,
    ReviewerWrite,
    ReviewWrite,
)
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person
from tests.accounts.samples import Sample, api_call, form_call

CURATORS = {"curator", "admin"}
SUBMITTERS = {"partner", "focal_mex", "curator", "admin"}  # the practice is about Mexico
REVIEWERS = {"fund_manager", "focal_fra"}
PRACTICE: dict[str, Any] = {
    "title": "Bilingual consular help desk for returning workers",
    "summary": "A one-stop desk at the border helps returning workers with papers and jobs.",
    "body": "Since 2019 the desk has advised returning migrant workers on identity papers, "
    "recognition of skills and job placement, with the employment service and the civil "
    "registry side by side. Nine in ten visitors left with the papers they needed.",
    "objectives": ["21", "4"],
    "principles": ["a"],
    "countries": ["MEX"],
    "level": "local",
    "implementing_entity": "Municipal employment service",
    "partners": ["Civil registry"],
    "status_completion": "completed",
    "replicability": "Any border municipality with an employment office can open one.",
    "criteria": {
        "relates_to_objective": True,
        "adheres_to_principles": True,
        "mostly_completed": True,
        "replicable": True,
    },
}
CALL = {"title": "Reintegration practices", "objectives": ["21"], "deadline": "2099-12-31"}
PANEL = {
    "reviewers": [
        {"username": "fund-manager", "un_system": True},
        {"username": "focal-fra"},
        {"username": "focal-mex"},
    ]
}
FORM_PRACTICE = {
    "title": "Help desk for returning workers",
    "summary": "A desk at the border helps returning workers with papers and jobs.",
    "body": "The desk advises returning workers on papers, skills recognition and jobs, "
    "with the employment service and the civil registry side by side.",
    "objectives": "objective:21",
    "countries": "MEX",
    "level": "local",
    "implementing_entity": "Municipal employment service",
    "status_completion": "completed",
    "replicability": "Any border municipality can open one.",
    "relates_to_objective": "yes",
    "adheres_to_principles": "yes",
    "mostly_completed": "yes",
    "replicable": "yes",
}
FORM_PANEL = {
    "reviewer1": "fund-manager",
    "un1": "yes",
    "reviewer2": "focal-fra",
    "reviewer3": "focal-mex",
}

STAGES = ("submitted", "assigned", "declared", "asked", "reviewed", "approved")


def _as(ctx: Context, username: str) -> None:
    user = ctx.session.scalar(select(User).where(User.username == username))
    assert user is not None, username
    ctx.actor = actor_of(user)


def practice_made(
    stage: str,
    submitter: str = "partner",
    reviewers: tuple[tuple[str, bool], ...] = (("fund-manager", True), ("focal-fra", False)),
    **changes: Any,
) -> str:
    """Submit a practice and take it to a stage of the review; return its id.

    Stages: submitted, assigned (reviewers, with override), declared (no conflicts),
    asked (a clarification is awaited), reviewed (every reviewer approves), approved.
    """
    assert stage in STAGES, stage
    with open_context() as ctx:
        _as(ctx, submitter)
        ref = actions.practice_submit(ctx, PracticeWrite(**{**PRACTICE, **changes})).id
        if stage == "submitted":
            return ref
        ctx.actor = SYSTEM
        panel = [ReviewerWrite(username=name, un_system=un) for name, un in reviewers]
        actions.reviewers_assign(ctx, ref, AssignWrite(reviewers=panel, override=True))
        if stage == "assigned":
            return ref
        for name, _ in reviewers:
            _as(ctx, name)
            actions.review_declare_conflict(ctx, ref, ConflictWrite(conflict="none"))
        if stage == "declared":
            return ref
        if stage == "asked":
            ctx.actor = SYSTEM
            actions.clarification_ask(ctx, ref, QuestionWrite(question="How many were served?"))
            return ref
        for name, _ in reviewers:
            _as(ctx, name)
            actions.review_submit(ctx, ref, ReviewWrite(recommendation="approve"))
        if stage == "reviewed":
            return ref
        ctx.actor = SYSTEM
        actions.practice_decide(ctx, ref, DecisionWrite(decision="approve"))
        return ref


def _fresh(stage: str) -> Any:
    return lambda made: {"practice_fresh": practice_made(stage)}


PRACTICE_SAMPLES: dict[tuple[str, str], Sample] = {
    # The API
    ("POST", "/api/v1/practice-calls"): Sample(
        CURATORS, api_call("POST", "/api/v1/practice-calls", CALL)
    ),
    ("POST", "/api/v1/practices"): Sample(
        SUBMITTERS, api_call("POST", "/api/v1/practices", PRACTICE)
    ),
    ("POST", "/api/v1/practices/{ref}/reviewers"): Sample(
        CURATORS,
        api_call("POST", "/api/v1/practices/{practice_fresh}/reviewers", PANEL),
        prepare=_fresh("submitted"),
    ),
    ("POST", "/api/v1/practices/{ref}/review/conflict"): Sample(
        REVIEWERS,
        api_call(
            "POST", "/api/v1/practices/{practice_assigned}/review/conflict", {"conflict": "none"}
        ),
    ),
    ("POST", "/api/v1/practices/{ref}/review"): Sample(
        REVIEWERS,
        api_call(
            "POST", "/api/v1/practices/{practice_declared}/review", {"recommendation": "approve"}
        ),
    ),
    ("POST", "/api/v1/practices/{ref}/clarifications"): Sample(
        REVIEWERS | CURATORS,
        api_call(
            "POST",
            "/api/v1/practices/{practice_assigned}/clarifications",
            {"question": "What did it cost?"},
        ),
    ),
    ("POST", "/api/v1/practices/{ref}/clarifications/answer"): Sample(
        {"partner"},
        api_call(
            "POST",
            "/api/v1/practices/{practice_asked}/clarifications/answer",
            {"answer": "About 12,000 people a year."},
        ),
    ),
    ("POST", "/api/v1/practices/{ref}/decision"): Sample(
        CURATORS,
        api_call("POST", "/api/v1/practices/{practice_fresh}/decision", {"decision": "approve"}),
        prepare=_fresh("reviewed"),
    ),
    ("POST", "/api/v1/practices/{ref}/publish"): Sample(
        CURATORS,
        api_call("POST", "/api/v1/practices/{practice_fresh}/publish"),
        prepare=_fresh("approved"),
    ),
    ("POST", "/api/v1/practices/{ref}/withdraw"): Sample(
        {"partner"},
        api_call("POST", "/api/v1/practices/{practice_submitted}/withdraw", {"note": "Too early"}),
    ),
    # The pages
    ("POST", "/practices/new"): Sample(
        SUBMITTERS, form_call("/practices/new", FORM_PRACTICE), page=True
    ),
    ("POST", "/practice-calls/new"): Sample(
        CURATORS,
        form_call("/practice-calls/new", {"title": "Return", "deadline": "2099-12-31"}),
        page=True,
    ),
    ("POST", "/practices/{ref}/reviewers"): Sample(
        CURATORS,
        form_call("/practices/{practice_fresh}/reviewers", FORM_PANEL),
        page=True,
        prepare=_fresh("submitted"),
    ),
    ("POST", "/practices/{ref}/review/conflict"): Sample(
        REVIEWERS,
        form_call("/practices/{practice_assigned}/review/conflict", {"conflict": "none"}),
        page=True,
    ),
    ("POST", "/practices/{ref}/review"): Sample(
        REVIEWERS,
        form_call("/practices/{practice_declared}/review", {"recommendation": "approve"}),
        page=True,
    ),
    ("POST", "/practices/{ref}/clarifications"): Sample(
        REVIEWERS | CURATORS,
        form_call("/practices/{practice_assigned}/clarifications", {"question": "The cost?"}),
        page=True,
    ),
    ("POST", "/practices/{ref}/clarifications/answer"): Sample(
        {"partner"},
        form_call("/practices/{practice_asked}/clarifications/answer", {"answer": "Low."}),
        page=True,
    ),
    ("POST", "/practices/{ref}/decision"): Sample(
        CURATORS,
        form_call("/practices/{practice_fresh}/decision", {"decision": "approve"}),
        page=True,
        prepare=_fresh("reviewed"),
    ),
    ("POST", "/practices/{ref}/publish"): Sample(
        CURATORS,
        form_call("/practices/{practice_fresh}/publish", {}),
        page=True,
        prepare=_fresh("approved"),
    ),
    ("POST", "/practices/{ref}/withdraw"): Sample(
        {"partner"}, form_call("/practices/{practice_submitted}/withdraw", {}), page=True
    ),
}


def practice_setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """Make what the samples refer to; return the names they use in their paths."""
    return {f"practice_{stage}": practice_made(stage) for stage in STAGES[:4]}
