"""Pages of practice submission and peer review: the one form, calls, a submission, the queue.

Forms post with the session's CSRF token; each calls the same action as the API, so the
same rules and refusals hold. A refused submission form comes back filled in, with the
reason; other refusals show the error page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.context import Context
from gcmhub.errors import Conflict, InvalidInput
from gcmhub.practices import actions
from gcmhub.practices.schemas import (
    CRITERIA,
    SCORED,
    AnswerWrite,
    AssignWrite,
    CallWrite,
    ConflictWrite,
    DecisionWrite,
    PracticeWrite,
    QuestionWrite,
    ReviewWrite,
    WithdrawWrite,
)
from gcmhub.practices.workflow import PRACTICE_STATES
from gcmhub.taxonomy.actions import scheme_show
from gcmhub.web.deps import ContextDep
from gcmhub.web.forms import invalid_message, login_redirect, validated
from gcmhub.web.i18n import N_
from gcmhub.web.session import CSRF_FIELD, check_form
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str, Form(alias=CSRF_FIELD)]
Note = Annotated[str, Form(max_length=5000)]

# The four criteria as the form shows them: what to confirm, and what it means.
CRITERIA_TEXT = {
    "relates_to_objective": (
        N_("It relates to at least one objective of the Compact"),
        N_(
            "The practice contributes to at least one of the 23 objectives of the Global "
            "Compact for Migration. Tick the objectives below."
        ),
    ),
    "adheres_to_principles": (
        N_("It adheres to the guiding principles"),
        N_(
            "The practice respects the Compact's ten cross-cutting guiding principles, such "
            "as a people-centred, human rights-based, gender-responsive and child-sensitive "
            "approach."
        ),
    ),
    "mostly_completed": (
        N_("It is completed or mostly completed"),
        N_(
            "It has been implemented far enough for its results to be assessed. Ongoing "
            "practices can be submitted once mostly completed."
        ),
    ),
    "replicable": (
        N_("It is replicable"),
        N_("Others could adopt or adapt it in another place or context. Explain how below."),
    ),
}
SCORE_NAMES = {
    "relates_to_objective": N_("Relevance to the objectives"),
    "adheres_to_principles": N_("Adherence to the guiding principles"),
    "mostly_completed": N_("Completion and results"),
    "replicable": N_("Replicability"),
    "innovation": N_("Innovation"),
}
LEVELS = {
    "local": N_("Local"),
    "national": N_("National"),
    "bilateral": N_("Bilateral"),
    "regional": N_("Regional"),
    "global": N_("Global"),
}
COMPLETION = {
    "completed": N_("Completed"),
    "mostly_completed": N_("Mostly completed"),
    "ongoing": N_("Ongoing"),
}
STATES = {
    "submitted": N_("Submitted"),
    "in_review": N_("In review"),
    "clarification_requested": N_("Clarification requested"),
    "approved": N_("Approved"),
    "published": N_("Published"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}
RECOMMENDATIONS = {"approve": N_("Approve"), "revise": N_("Revise"), "reject": N_("Reject")}
EVENTS = {
    "step": N_("Step"),
    "assign": N_("Reviewers assigned"),
    "conflict": N_("Conflict of interest declared"),
    "review": N_("Review"),
    "flag": N_("Another reviewer needed"),
    "question": N_("Question"),
    "answer": N_("Answer"),
}
ROLES = {
    "submitter": N_("submitter"),
    "reviewer": N_("reviewer"),
    "curator": N_("curator"),
    "system": N_("system"),
}
FORM_FIELDS = (
    "call",
    "title",
    "summary",
    "body",
    "countries",
    "level",
    "implementing_entity",
    "partners",
    "start",
    "end",
    "status_completion",
    "replicability",
    "innovation",
)
REVIEWER_ROWS = 4


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _back(ref: str) -> Response:
    return RedirectResponse(f"/practices/{ref}", status_code=303)


# -- The list and the curators' queue ---------------------------------------------------------


@router.get("/practices")
def practices_page(request: Request, ctx: ContextDep, state: str | None = None) -> Response:
    page = actions.practice_list(ctx, state or None)
    return render(
        request,
        "practice_queue.html",
        active="practices",
        page=page,
        state=state or "",
        states=STATES,
        order=PRACTICE_STATES,
        queue=ctx.actor.has("curator"),
    )


# -- The one submission form ------------------------------------------------------------------


def _form_page(
    request: Request,
    ctx: Context,
    given: dict[str, Any],
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "practice_form.html",
        status_code=status,
        active="practices",
        given=given,
        error=error,
        calls=actions.call_list(ctx, open_only=True),
        objectives=scheme_show(ctx, "objective").top_concepts,
        principles=scheme_show(ctx, "principle").top_concepts,
        criteria=[(name, *CRITERIA_TEXT[name]) for name in CRITERIA],
        levels=LEVELS,
        completion=COMPLETION,
        csrf=request.state.csrf,
    )


@router.get("/practices/new")
def practice_new_page(request: Request, ctx: ContextDep, call: str | None = None) -> Response:
    if not ctx.actor.signed_in:
        return login_redirect("/practices/new")
    given: dict[str, Any] = {"level": "national", "call": call or "", "objectives": []}
    if ctx.actor.countries:
        given["countries"] = ", ".join(sorted(ctx.actor.countries))
    if ctx.actor.organization:
        given["implementing_entity"] = ctx.actor.organization
    return _form_page(request, ctx, given)


def _given(form: FormData) -> dict[str, Any]:
    given: dict[str, Any] = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    given["objectives"] = [str(v) for v in form.getlist("objectives")]
    given["principles"] = [str(v) for v in form.getlist("principles")]
    given["criteria"] = {name: bool(form.get(name)) for name in CRITERIA}
    return given


def _submit(request: Request, ctx: Context, given: dict[str, Any]) -> Response:
    data = {
        **{name: given[name] or None for name in ("call", "start", "end")},
        **{name: given[name] for name in FORM_FIELDS if name not in ("call", "start", "end")},
        "countries": _list(given["countries"]),
        "partners": _list(given["partners"]),
        "objectives": given["objectives"],
        "principles": given["principles"],
        "criteria": given["criteria"],
        "level": given["level"] or "national",
    }
    try:
        created = actions.practice_submit(ctx, PracticeWrite.model_validate(data))
    except ValidationError as invalid:
        return _form_page(request, ctx, given, invalid_message(invalid), 422)
    except (InvalidInput, Conflict) as refused:  # refused before anything is stored
        return _form_page(request, ctx, given, str(refused), refused.status)
    return _back(created.id)


@router.post("/practices/new", openapi_extra={"x-rule": "practice_submit"})
async def practice_new_submit(request: Request, ctx: ContextDep) -> Response:
    form = await request.form()
    check_form(request, ctx, str(form.get(CSRF_FIELD) or ""))
    return await run_in_threadpool(_submit, request, ctx, _given(form))


# -- Calls for practices ----------------------------------------------------------------------


@router.get("/practice-calls")
def calls_page(request: Request, ctx: ContextDep) -> Response:
    return render(
        request,
        "practice_calls.html",
        active="practices",
        calls=actions.call_list(ctx),
        can_write=ctx.actor.has("curator") and ctx.actor.signed_in,
        csrf=getattr(request.state, "csrf", None),
    )


@router.post("/practice-calls/new", openapi_extra={"x-rule": "call_write"})
def call_new_submit(
    request: Request,
    ctx: ContextDep,
    csrf: CsrfField,
    title: Annotated[str, Form(max_length=300)],
    deadline: Annotated[str, Form(max_length=10)],
    description: Annotated[str, Form(max_length=10_000)] = "",
    objectives: Annotated[str, Form(max_length=500)] = "",
    opens: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    check_form(request, ctx, csrf)
    data = validated(
        CallWrite,
        {
            "title": title,
            "description": description,
            "objectives": _list(objectives),
            "opens": opens or None,
            "deadline": deadline,
        },
    )
    actions.call_create(ctx, data)
    return RedirectResponse("/practice-calls", status_code=303)


# -- A submission and what may be done with it ------------------------------------------------


@router.get("/practices/{ref}")
def practice_page(request: Request, ctx: ContextDep, ref: str) -> Response:
    practice = actions.practice_show(ctx, ref)
    return render(
        request,
        "practice.html",
        active="practices",
        practice=practice,
        states=STATES,
        levels=LEVELS,
        completion=COMPLETION,
        criteria=[(name, *CRITERIA_TEXT[name]) for name in CRITERIA],
        recommendations=RECOMMENDATIONS,
        scored=[(name, SCORE_NAMES[name]) for name in SCORED],
        events=EVENTS,
        roles=ROLES,
        reviewer_rows=range(1, REVIEWER_ROWS + 1),
        csrf=getattr(request.state, "csrf", None),
    )


def _assign(ctx: Context, ref: str, form: FormData) -> Response:
    reviewers = []
    for row in range(1, REVIEWER_ROWS + 1):
        name = str(form.get(f"reviewer{row}") or "").strip()
        if name:
            reviewers.append({"username": name, "un_system": bool(form.get(f"un{row}"))})
    try:
        data = AssignWrite.model_validate(
            {"reviewers": reviewers, "override": bool(form.get("override"))}
        )
    except ValidationError:
        raise InvalidInput("reviewers: name at least one reviewer") from None
    actions.reviewers_assign(ctx, ref, data)
    return _back(ref)


@router.post("/practices/{ref}/reviewers", openapi_extra={"x-rule": "practice_assign"})
async def reviewers_submit(request: Request, ctx: ContextDep, ref: str) -> Response:
    form = await request.form()
    check_form(request, ctx, str(form.get(CSRF_FIELD) or ""))
    return await run_in_threadpool(_assign, ctx, ref, form)


@router.post("/practices/{ref}/review/conflict", openapi_extra={"x-rule": "practice_review"})
def conflict_submit(
    request: Request,
    ctx: ContextDep,
    ref: str,
    csrf: CsrfField,
    conflict: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    check_form(request, ctx, csrf)
    actions.review_declare_conflict(ctx, ref, ConflictWrite(conflict=conflict))
    return _back(ref)


def _review(ctx: Context, ref: str, form: FormData) -> Response:
    scores = {
        name: int(str(form.get(f"score_{name}")))
        for name in SCORED
        if str(form.get(f"score_{name}") or "").isdigit()
    }
    try:
        data = ReviewWrite.model_validate(
            {
                "recommendation": str(form.get("recommendation") or ""),
                "comments": str(form.get("comments") or ""),
                "scores": scores,
            }
        )
    except ValidationError:
        raise InvalidInput("recommendation: choose approve, revise or reject") from None
    actions.review_submit(ctx, ref, data)
    return _back(ref)


@router.post("/practices/{ref}/review", openapi_extra={"x-rule": "practice_review"})
async def review_submit(request: Request, ctx: ContextDep, ref: str) -> Response:
    form = await request.form()
    check_form(request, ctx, str(form.get(CSRF_FIELD) or ""))
    return await run_in_threadpool(_review, ctx, ref, form)


@router.post("/practices/{ref}/clarifications", openapi_extra={"x-rule": "practice_clarify"})
def question_submit(
    request: Request,
    ctx: ContextDep,
    ref: str,
    csrf: CsrfField,
    question: Annotated[str, Form(min_length=3, max_length=5000)],
) -> Response:
    check_form(request, ctx, csrf)
    actions.clarification_ask(ctx, ref, QuestionWrite(question=question))
    return _back(ref)


@router.post("/practices/{ref}/clarifications/answer", openapi_extra={"x-rule": "practice_clarify"})
def answer_submit(
    request: Request,
    ctx: ContextDep,
    ref: str,
    csrf: CsrfField,
    answer: Annotated[str, Form(min_length=1, max_length=10_000)],
) -> Response:
    check_form(request, ctx, csrf)
    actions.clarification_answer(ctx, ref, AnswerWrite(answer=answer))
    return _back(ref)


@router.post("/practices/{ref}/decision", openapi_extra={"x-rule": "practice_step"})
def decision_submit(
    request: Request,
    ctx: ContextDep,
    ref: str,
    csrf: CsrfField,
    decision: Annotated[str, Form(pattern="^(approve|reject)$")],
    note: Note = "",
) -> Response:
    check_form(request, ctx, csrf)
    actions.practice_decide(ctx, ref, DecisionWrite(decision=decision, note=note))
    return _back(ref)


@router.post("/practices/{ref}/publish", openapi_extra={"x-rule": "practice_step"})
def publish_submit(request: Request, ctx: ContextDep, ref: str, csrf: CsrfField) -> Response:
    check_form(request, ctx, csrf)
    actions.practice_publish(ctx, ref)
    return _back(ref)


@router.post("/practices/{ref}/withdraw", openapi_extra={"x-rule": "practice_step"})
def withdraw_submit(
    request: Request, ctx: ContextDep, ref: str, csrf: CsrfField, note: Note = ""
) -> Response:
    check_form(request, ctx, csrf)
    actions.practice_withdraw(ctx, ref, WithdrawWrite(note=note))
    return _back(ref)
