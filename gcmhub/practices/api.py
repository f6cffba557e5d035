"""The API of practice submission and peer review: /api/v1/practices and /api/v1/practice-calls.

Reads need no account for published practices and calls; every write takes an API token with
the `write` scope and is checked by its rule inside the action.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.practices import actions
from gcmhub.practices.schemas import (
    AnswerWrite,
    AssignWrite,
    CallPublic,
    CallWrite,
    ConflictWrite,
    DecisionWrite,
    PracticePage,
    PracticePublic,
    PracticeWrite,
    QuestionWrite,
    ReviewWrite,
    WithdrawWrite,
)
from gcmhub.practices.workflow import PRACTICE_STATES
from gcmhub.web.deps import ContextDep, filters_from
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.responses import cached_json
from gcmhub.web.session import require_token

router = APIRouter(prefix="/api/v1", tags=["practices"], responses=PROBLEM_RESPONSES)


@router.get(
    "/practice-calls",
    summary="Calls for practices",
    description="Thematic calls for practices with their objectives and deadlines, the "
    "soonest deadline first; `open=true` lists only those taking submissions today.",
    response_model=list[CallPublic],
)
def calls_list(
    request: Request,
    ctx: ContextDep,
    open: Annotated[bool, Query(description="Only calls open today.")] = False,
) -> Response:
    filters_from(request, {"open"}, [])
    return cached_json(request, [c.model_dump(mode="json") for c in actions.call_list(ctx, open)])


@router.post(
    "/practice-calls",
    summary="Open a call for practices (curators)",
    description="A thematic call: title, description, objectives, first and last day.",
    status_code=201,
    response_model=CallPublic,
    openapi_extra={"x-rule": "call_write"},
)
def calls_create(request: Request, ctx: ContextDep, body: CallWrite) -> CallPublic:
    require_token(request, ctx)
    return actions.call_create(ctx, body)


@router.get(
    "/practice-calls/{ref}",
    summary="One call for practices",
    response_model=CallPublic,
)
def calls_show(request: Request, ctx: ContextDep, ref: str) -> Response:
    return cached_json(request, actions.call_show(ctx, ref))


@router.get(
    "/practices",
    summary="Practice submissions",
    description="The submissions the reader may see, the oldest due first, with counts by "
    "state: every one for curators (the review queue), one's own and those one reviews for "
    "others, and the published ones for everyone.",
    response_model=PracticePage,
)
def practices_list(
    request: Request,
    ctx: ContextDep,
    state: Annotated[str | None, Query(description=f"One of {', '.join(PRACTICE_STATES)}.")] = None,
    call: Annotated[str | None, Query(description="A call's id.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Response:
    filters_from(request, {"state", "call", "limit"}, [])
    return cached_json(request, actions.practice_list(ctx, state, call, limit))


@router.post(
    "/practices",
    summary="Submit a practice",
    description="The one submission form as JSON: the practice, its objectives (at least "
    "one), guiding principles, countries, and the four criteria confirmed "
    "(`relates_to_objective`, `adheres_to_principles`, `mostly_completed`, `replicable`). "
    "Partners, curators, and focal points for their own countries submit; a submission to "
    "a closed call is refused (409, naming the deadline).",
    status_code=201,
    response_model=PracticePublic,
    openapi_extra={"x-rule": "practice_submit"},
)
def practices_submit(request: Request, ctx: ContextDep, body: PracticeWrite) -> PracticePublic:
    require_token(request, ctx)
    return actions.practice_submit(ctx, body)


@router.get(
    "/practices/{ref}",
    summary="One practice submission",
    description="With its reviews, clarifications and history as the reader may see them, "
    "and `can`: what the reader may do now. Unpublished submissions are seen only by their "
    "submitter, reviewers and curators.",
    response_model=PracticePublic,
)
def practices_show(request: Request, ctx: ContextDep, ref: str) -> Response:
    return cached_json(request, actions.practice_show(ctx, ref))


@router.post(
    "/practices/{ref}/reviewers",
    summary="Assign reviewers (curators)",
    description="By default one UN-system and two external reviewers (`override` accepts "
    "another panel). The first assignment starts the review; a reviewer added while the "
    "reviewers disagree is the third (or further) reviewer.",
    response_model=PracticePublic,
    openapi_extra={"x-rule": "practice_assign"},
)
def practices_assign(
    request: Request, ctx: ContextDep, ref: str, body: AssignWrite
) -> PracticePublic:
    require_token(request, ctx)
    return actions.reviewers_assign(ctx, ref, body)


@router.post(
    "/practices/{ref}/review/conflict",
    summary="Declare conflicts of interest (the reviewer)",
    description='`{"conflict": "none"}`, or what the conflict is (the reviewer is then '
    "recused). Required before reviewing.",
    response_model=PracticePublic,
    openapi_extra={"x-rule": "practice_review"},
)
def practices_declare(
    request: Request, ctx: ContextDep, ref: str, body: ConflictWrite
) -> PracticePublic:
    require_token(request, ctx)
    return actions.review_declare_conflict(ctx, ref, body)


@router.post(
    "/practices/{ref}/review",
    summary="Review a practice (the reviewer)",
    description="A recommendation (approve, revise, reject), comments and optional scores "
    "from 1 to 5 per criterion. When every review is in and they disagree, the submission "
    "is flagged `needs_third_reviewer`.",
    response_model=PracticePublic,
    openapi_extra={"x-rule": "practice_review"},
)
def practices_review(
    request: Request, ctx: ContextDep, ref: str, body: ReviewWrite
) -> PracticePublic:
    require_token(request, ctx)
    return actions.review_submit(ctx, ref, body)


@router.post(
    "/practices/{ref}/clarifications",
    summary="Ask the submitter for clarification (reviewers, curators)",
    response_model=PracticePublic,
    openapi_extra={"x-rule": "practice_clarify"},
)
def practices_ask(
    request: Request, ctx: ContextDep, ref: str, body: QuestionWrite
) -> PracticePublic:
    require_token(request, ctx)
    return actions.clarification_ask(ctx, ref, body)


@router.post(
    "/practices/{ref}/clarifications/answer",
    summary="Answer the open questions (the submitter)",
    response_model=PracticePublic,
    openapi_extra={"x-rule": "practice_clarify"},
)
def practices_answer(
    request: Request, ctx: ContextDep, ref: str, body: AnswerWrite
) -> PracticePublic:
    require_token(request, ctx)
    return actions.clarification_answer(ctx, ref, body)


@router.post(
    "/practices/{ref}/decision",
    summary="Approve or reject (curators)",
    description="The reviewers' recommendations are recorded with the decision.",
    response_model=PracticePublic,
    openapi_extra={"x-rule": "practice_step"},
)
def practices_decide(
    request: Request, ctx: ContextDep, ref: str, body: DecisionWrite
) -> PracticePublic:
    require_token(request, ctx)
    return actions.practice_decide(ctx, ref, body)


@router.post(
    "/practices/{ref}/publish",
    summary="Publish an approved practice (curators)",
    description="Creates a knowledge item of type practice with the review on record.",
    response_model=PracticePublic,
    openapi_extra={"x-rule": "practice_step"},
)
def practices_publish(request: Request, ctx: ContextDep, ref: str) -> PracticePublic:
    require_token(request, ctx)
    return actions.practice_publish(ctx, ref)


@router.post(
    "/practices/{ref}/withdraw",
    summary="Withdraw a submission (its submitter)",
    response_model=PracticePublic,
    openapi_extra={"x-rule": "practice_step"},
)
def practices_withdraw(
    request: Request, ctx: ContextDep, ref: str, body: WithdrawWrite | None = None
) -> PracticePublic:
    require_token(request, ctx)
    return actions.practice_withdraw(ctx, ref, body or WithdrawWrite())
