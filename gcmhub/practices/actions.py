"""Practice submission and peer review: calls, submissions, reviews, clarifications, decisions.

Every change is one transaction with its audit entry, its event on the submission's history
and its notices. A write is authorized first; a step the workflow does not allow is refused
with the allowed ones (409); nothing is stored on a refusal.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.accounts.models import User
from gcmhub.accounts.notices import notify
from gcmhub.auth import allowed, authorize
from gcmhub.context import Context
from gcmhub.errors import BadParameter, Conflict, InvalidInput, NotFound
from gcmhub.practices.auth import PracticeScope
from gcmhub.practices.models import PracticeCall, PracticeEvent, PracticeReview, PracticeSubmission
from gcmhub.practices.schemas import (
    CRITERIA,
    SCORED,
    AnswerWrite,
    AssignWrite,
    CallPublic,
    CallWrite,
    ClarificationPublic,
    ConflictWrite,
    Criteria,
    DecisionPublic,
    DecisionWrite,
    EventPublic,
    PracticePage,
    PracticePublic,
    PracticeRow,
    PracticeWrite,
    QuestionWrite,
    ReviewPublic,
    ReviewWrite,
    WithdrawWrite,
)
from gcmhub.practices.workflow import PRACTICE_STATES, REVIEWING, practice_workflow
from gcmhub.settings import get_settings
from gcmhub.taxonomy.actions import concept_closures, concept_resolver
from gcmhub.taxonomy.schemas import ConceptRef

# Why each criterion matters, in the words of a refusal (the form shows the same).
CRITERION_HELP = {
    "relates_to_objective": "confirm that the practice relates to at least one objective of "
    "the Compact",
    "adheres_to_principles": "confirm that the practice adheres to the Compact's guiding "
    "principles",
    "mostly_completed": "confirm that the practice is completed or mostly completed",
    "replicable": "confirm that others could adopt or adapt the practice",
}
NO_CONFLICT = "none"
NO_CONFLICT_WORDS = {"none", "no", "no conflict", "no conflict of interest", "nothing"}
DEFAULT_PANEL = "one UN-system and two external reviewers"
DISAGREEMENT = "the reviewers disagree: another reviewer is needed"


# -- Helpers ----------------------------------------------------------------------------------


def _today() -> date:
    return now().date()


def _ref(ctx: Context, prefix: str, table: type[PracticeCall] | type[PracticeSubmission]) -> str:
    count = ctx.session.scalar(select(func.count()).select_from(table)) or 0
    return f"{prefix}-{now().year}-{count + 1:04d}-{secrets.token_hex(2)}"


def _ids(ctx: Context, field: str, scheme: str, names: Iterable[str]) -> list[str]:
    """Return the concept ids of codes or labels, refusing an unknown one with the field."""
    resolve = concept_resolver(ctx, scheme)
    found: list[str] = []
    for name in names:
        if not str(name).strip():
            continue
        try:
            concept = resolve(str(name))
        except InvalidInput as error:
            raise InvalidInput(f"{field}: {error}") from None
        if concept not in found:
            found.append(concept)
    return found


def _countries(ctx: Context, names: Iterable[str]) -> list[str]:
    return sorted(c.split(":", 1)[1] for c in _ids(ctx, "countries", "country", names))


def _objective_of(concept: str) -> str:
    """The objective an objective or action id belongs to ("objective:20a" -> "objective:20")."""
    found = re.match(r"objective:(\d+)", concept)
    return f"objective:{found.group(1)}" if found else concept


def _refs(ctx: Context, ids: Iterable[str]) -> list[ConceptRef]:
    closures = concept_closures(ctx)
    refs = []
    for concept in ids:
        closure = closures.get(concept)
        if closure is not None:
            refs.append(ConceptRef(id=concept, code=closure.code, label=closure.label))
    return refs


def _curator_ids(ctx: Context) -> list[int]:
    users = ctx.session.execute(select(User.id, User.roles).where(User.active))
    return [uid for uid, roles in users if {"curator", "admin"} & set(roles or [])]


def _get(ctx: Context, ref: str) -> PracticeSubmission:
    found = ctx.session.scalar(select(PracticeSubmission).where(PracticeSubmission.ref == ref))
    if found is None:
        raise NotFound(f"no practice submission '{ref}'")
    return found


def _reviews(ctx: Context, submission: PracticeSubmission) -> list[PracticeReview]:
    return list(
        ctx.session.scalars(
            select(PracticeReview)
            .where(PracticeReview.submission_id == submission.id)
            .order_by(PracticeReview.id)
        )
    )


def recused(review: PracticeReview) -> bool:
    """Whether a reviewer declared a conflict of interest (and so takes no further part)."""
    return review.conflict is not None and review.conflict != NO_CONFLICT


def scope_of(
    ctx: Context,
    submission: PracticeSubmission,
    target: str | None = None,
    answering: bool = False,
) -> PracticeScope:
    """Return what the rules look at for a submission."""
    reviews = _reviews(ctx, submission)
    submitter = ctx.session.get(User, submission.submitter_id) if submission.submitter_id else None
    return PracticeScope(
        countries=frozenset(submission.countries),
        submitter_id=submission.submitter_id,
        submitter_organization=submitter.organization if submitter else None,
        assigned=frozenset(r.reviewer_id for r in reviews if r.reviewer_id is not None),
        reviewing=frozenset(
            r.reviewer_id for r in reviews if r.reviewer_id is not None and not recused(r)
        ),
        target_state=target,
        answering=answering,
    )


def _role(ctx: Context, scope: PracticeScope) -> str:
    """How the history names the acting person's part in a submission."""
    uid = ctx.actor.user_id
    if uid is not None and uid == scope.submitter_id:
        return "submitter"
    if uid is not None and uid in scope.assigned:
        return "reviewer"
    if ctx.actor.is_system:
        return "system"
    return "curator"


def _event(
    ctx: Context,
    submission: PracticeSubmission,
    scope: PracticeScope,
    kind: str,
    text: str = "",
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    reply_to: int | None = None,
    internal: bool = False,
) -> PracticeEvent:
    event = PracticeEvent(
        submission_id=submission.id,
        at=now(),
        actor=ctx.actor.name,
        role=_role(ctx, scope),
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        text=text,
        reply_to=reply_to,
        internal=internal,
    )
    ctx.session.add(event)
    submission.updated_at = now()
    return event


def _move(
    ctx: Context, submission: PracticeSubmission, scope: PracticeScope, to: str, note: str = ""
) -> None:
    """Take a step the workflow allows (refused with the allowed steps otherwise)."""
    workflow = practice_workflow()
    workflow.check(submission.state, to)
    previous, stamp = submission.state, now()
    submission.state, submission.state_since = to, stamp
    submission.due_at = workflow.deadline(to, stamp)
    _event(ctx, submission, scope, "step", note, from_state=previous, to_state=to)


def _snapshot(submission: PracticeSubmission) -> dict[str, Any]:
    return {
        "state": submission.state,
        "title": submission.title,
        "objectives": submission.objectives,
        "countries": submission.countries,
        "needs_third_reviewer": submission.needs_third_reviewer,
        "item": submission.item_ref,
    }


def overdue(submission: PracticeSubmission, at: datetime | None = None) -> bool:
    """Whether a submission has stayed in its state past the state's deadline."""
    return submission.due_at is not None and (at or now()) > submission.due_at


def _link(submission: PracticeSubmission) -> str:
    return f"/practices/{submission.ref}"


# -- Calls for practices ----------------------------------------------------------------------


def _call_public(ctx: Context, call: PracticeCall) -> CallPublic:
    count = ctx.session.scalar(
        select(func.count())
        .select_from(PracticeSubmission)
        .where(PracticeSubmission.call_id == call.id)
    )
    today = _today()
    return CallPublic(
        id=call.ref,
        title=call.title,
        description=call.description,
        objectives=_refs(ctx, call.objectives),
        opens=call.opens,
        deadline=call.deadline,
        open=(call.opens is None or call.opens <= today) and today <= call.deadline,
        submissions=int(count or 0),
        created_at=call.created_at,
    )


def call_create(ctx: Context, data: CallWrite) -> CallPublic:
    """Open a thematic call for practices, with its objectives and deadline (curators)."""
    authorize(ctx, "call_write")
    objectives = _ids(ctx, "objectives", "objective", data.objectives)
    opens = data.opens or _today()
    if data.deadline < opens:
        raise InvalidInput(f"deadline: {data.deadline} is before the call opens ({opens})")
    if data.deadline < _today():
        raise InvalidInput(f"deadline: {data.deadline} has already passed")
    call = PracticeCall(
        ref=_ref(ctx, "C", PracticeCall),
        title=data.title.strip(),
        description=data.description.strip(),
        objectives=objectives,
        opens=opens,
        deadline=data.deadline,
        created_by=ctx.actor.user_id,
        created_at=now(),
    )
    ctx.session.add(call)
    ctx.session.flush()
    audit_record(
        ctx,
        "call_create",
        f"practice-call:{call.ref}",
        None,
        {"title": call.title, "objectives": objectives, "deadline": str(call.deadline)},
    )
    return _call_public(ctx, call)


def call_list(ctx: Context, open_only: bool = False) -> list[CallPublic]:
    """List calls for practices, the soonest deadline first (open ones only, if asked)."""
    query = select(PracticeCall).order_by(PracticeCall.deadline, PracticeCall.id)
    if open_only:
        query = query.where(PracticeCall.deadline >= _today())
    calls = [_call_public(ctx, call) for call in ctx.session.scalars(query)]
    return [c for c in calls if c.open] if open_only else calls


def _call(ctx: Context, ref: str) -> PracticeCall:
    found = ctx.session.scalar(select(PracticeCall).where(PracticeCall.ref == ref))
    if found is None:
        raise NotFound(f"no call for practices '{ref}'")
    return found


def call_show(ctx: Context, ref: str) -> CallPublic:
    """Return one call for practices."""
    return _call_public(ctx, _call(ctx, ref))


# -- Submitting -------------------------------------------------------------------------------


def _open_call(ctx: Context, ref: str) -> PracticeCall:
    call = ctx.session.scalar(select(PracticeCall).where(PracticeCall.ref == ref))
    if call is None:
        raise InvalidInput(f"call: no call for practices '{ref}'")
    today = _today()
    if today > call.deadline:
        raise Conflict(
            f"the call '{call.title}' closed on {call.deadline.isoformat()}; "
            "submit the practice without a call, or to an open call"
        )
    if call.opens is not None and today < call.opens:
        raise Conflict(f"the call '{call.title}' opens on {call.opens.isoformat()}")
    return call


def practice_submit(ctx: Context, data: PracticeWrite) -> PracticePublic:
    """Submit a practice through the one form, confirming the four criteria.

    A focal point submits practices about its own countries only. A submission to a call
    after the call's deadline is refused (409, naming the deadline); one that does not
    confirm the four criteria or names no objective is refused (422, naming the field).
    """
    countries = _countries(ctx, data.countries)
    authorize(ctx, "practice_submit", PracticeScope(countries=frozenset(countries)))
    call = _open_call(ctx, data.call) if data.call else None
    for name in CRITERIA:
        if not getattr(data.criteria, name):
            raise InvalidInput(f"criteria.{name}: {CRITERION_HELP[name]}")
    if not data.objectives:
        raise InvalidInput("objectives: name at least one objective of the Compact it relates to")
    objectives = _ids(ctx, "objectives", "objective", data.objectives)
    if not objectives:
        raise InvalidInput("objectives: name at least one objective of the Compact it relates to")
    if call is not None and call.objectives:
        wanted = set(call.objectives)
        if not wanted & {_objective_of(o) for o in objectives}:
            codes = ", ".join(o.split(":", 1)[1] for o in call.objectives)
            raise InvalidInput(f"objectives: the call '{call.title}' is for objectives {codes}")
    if data.status_completion == "ongoing":
        raise InvalidInput(
            "status_completion: a practice is submitted once it is completed or mostly "
            "completed, so that its results can be assessed"
        )
    if data.start and data.end and data.end < data.start:
        raise InvalidInput("end: the practice ends before it starts")
    principles = _ids(ctx, "principles", "principle", data.principles)
    stamp = now()
    workflow = practice_workflow()
    submission = PracticeSubmission(
        ref=_ref(ctx, "P", PracticeSubmission),
        call_id=call.id if call else None,
        title=data.title.strip(),
        summary=data.summary.strip(),
        body=data.body.strip(),
        objectives=objectives,
        principles=principles,
        countries=countries,
        level=data.level,
        implementing_entity=data.implementing_entity.strip(),
        partners=[p.strip() for p in data.partners if p.strip()],
        start_date=data.start,
        end_date=data.end,
        status_completion=data.status_completion,
        replicability=data.replicability.strip(),
        innovation=data.innovation.strip(),
        **dict.fromkeys(CRITERIA, True),
        submitter_id=ctx.actor.user_id,
        state=workflow.initial,
        state_since=stamp,
        due_at=workflow.deadline(workflow.initial, stamp),
        needs_third_reviewer=False,
        created_at=stamp,
        updated_at=stamp,
    )
    ctx.session.add(submission)
    ctx.session.flush()
    scope = scope_of(ctx, submission)
    _event(ctx, submission, scope, "step", "practice submitted", to_state=submission.state)
    audit_record(ctx, "practice_submit", f"practice:{submission.ref}", None, _snapshot(submission))
    notify(
        ctx,
        _curator_ids(ctx),
        f"New practice submitted: {submission.title}",
        "A practice was submitted for peer review. Assign its reviewers.",
        _link(submission),
    )
    return practice_show(ctx, submission.ref)


# -- Reading ----------------------------------------------------------------------------------


def _readable(ctx: Context, ref: str) -> tuple[PracticeSubmission, PracticeScope]:
    submission = _get(ctx, ref)
    scope = scope_of(ctx, submission)
    if submission.state != "published" and not allowed(ctx.actor, "practice_read", scope):
        raise NotFound(f"no practice submission '{ref}'")  # not confirmed to exist
    return submission, scope


def practice_show(ctx: Context, ref: str) -> PracticePublic:
    """Return a submission as the reader may see it.

    The public sees published practices only, with the review's outcome; the submitter, its
    reviewers and curators see it all along. Reviewers review blind to one another until
    their own review is in; the submitter sees the reviews once a decision is taken.
    """
    submission, scope = _readable(ctx, ref)
    return _public(ctx, submission, scope)


def _public(ctx: Context, submission: PracticeSubmission, scope: PracticeScope) -> PracticePublic:
    actor = ctx.actor
    staff = actor.has("curator")
    is_submitter = actor.user_id is not None and actor.user_id == submission.submitter_id
    reviews = _reviews(ctx, submission)
    mine = next((r for r in reviews if r.reviewer_id == actor.user_id), None)
    inside = staff or is_submitter or mine is not None
    decided = submission.decision is not None
    names = dict(
        ctx.session.execute(
            select(User.id, User.username).where(
                User.id.in_([r.reviewer_id for r in reviews if r.reviewer_id is not None])
            )
        ).all()
    )
    shown: list[ReviewPublic] = []
    for number, review in enumerate(reviews, start=1):
        own = mine is not None and review.id == mine.id
        if not inside and (recused(review) or review.submitted_at is None):
            continue  # the public sees the reviews that counted
        full = staff or own or (mine is not None and mine.submitted_at is not None)
        full = full or (is_submitter and decided)
        named = staff or own
        shown.append(
            ReviewPublic(
                reviewer=names.get(review.reviewer_id or 0, "deleted")
                if named
                else f"Reviewer {number}",
                un_system=review.un_system,
                added_on_disagreement=review.added_on_disagreement,
                conflict=review.conflict if named else None,
                declared=review.declared_at is not None,
                recused=recused(review),
                recommendation=review.recommendation if full or not inside else None,
                comments=review.comments if full else None,
                scores=review.scores if full else {},
                submitted_at=review.submitted_at,
            )
        )
    events = list(
        ctx.session.scalars(
            select(PracticeEvent)
            .where(PracticeEvent.submission_id == submission.id)
            .order_by(PracticeEvent.id)
        )
    )
    submitter = ctx.session.get(User, submission.submitter_id) if submission.submitter_id else None
    call = ctx.session.get(PracticeCall, submission.call_id) if submission.call_id else None
    return PracticePublic(
        id=submission.ref,
        call=call.ref if call else None,
        title=submission.title,
        summary=submission.summary,
        body=submission.body,
        objectives=_refs(ctx, submission.objectives),
        principles=_refs(ctx, submission.principles),
        countries=_refs(ctx, [f"country:{c}" for c in submission.countries]),
        level=submission.level,
        implementing_entity=submission.implementing_entity,
        partners=submission.partners,
        start=submission.start_date,
        end=submission.end_date,
        status_completion=submission.status_completion,
        replicability=submission.replicability,
        innovation=submission.innovation,
        criteria=Criteria(**{name: getattr(submission, name) for name in CRITERIA}),
        submitter=submitter.username if submitter and inside else None,
        state=submission.state,
        state_since=submission.state_since,
        due_at=submission.due_at,
        overdue=overdue(submission),
        needs_third_reviewer=submission.needs_third_reviewer,
        can=_can(ctx, submission, scope, mine),
        decision=_decision_public(submission.decision),
        item=submission.item_ref,
        reviews=shown,
        clarifications=_clarifications(events, staff) if inside else [],
        events=[
            EventPublic(
                at=e.at,
                actor=e.actor if staff else e.role,
                kind=e.kind,
                from_state=e.from_state,
                to_state=e.to_state,
                text=e.text,
            )
            for e in events
            if staff or (inside and not e.internal) or (not inside and e.kind == "step")
        ],
        created_at=submission.created_at,
        updated_at=submission.updated_at,
    )


def _clarifications(events: list[PracticeEvent], staff: bool) -> list[ClarificationPublic]:
    answers = {e.reply_to: e for e in events if e.kind == "answer" and e.reply_to is not None}
    found = []
    for event in events:
        if event.kind != "question":
            continue
        answer = answers.get(event.id)
        found.append(
            ClarificationPublic(
                id=event.id,
                asked_by=event.actor if staff else event.role,
                asked_at=event.at,
                question=event.text,
                answer=answer.text if answer else None,
                answered_at=answer.at if answer else None,
            )
        )
    return found


def _decision_public(record: dict[str, Any] | None) -> DecisionPublic | None:
    if not record:
        return None
    return DecisionPublic(
        decision=record["decision"],
        decided_at=datetime.fromisoformat(record["at"]),
        note=record.get("note", ""),
        reviewers=record["reviewers"],
        un_system=record["un_system"],
        external=record["external"],
        recommendations=record["recommendations"],
        summary=record["summary"],
    )


def _can(
    ctx: Context,
    submission: PracticeSubmission,
    scope: PracticeScope,
    mine: PracticeReview | None,
) -> list[str]:
    """What the acting person may do with a submission now (pages show these actions)."""
    actor, state = ctx.actor, submission.state
    if not actor.signed_in and not actor.is_system:
        return []
    workflow = practice_workflow()
    steps = workflow.allowed(state)
    can = []
    reviewing = state in REVIEWING
    if (state == "submitted" or reviewing) and allowed(actor, "practice_assign", scope):
        can.append("assign")
    if mine is not None and reviewing and allowed(actor, "practice_review", scope):
        if mine.submitted_at is None:
            can.append("declare_conflict")
        if mine.conflict == NO_CONFLICT:
            can.append("review")
    if reviewing and allowed(actor, "practice_clarify", scope):
        can.append("ask")
    answering = replace(scope, answering=True)
    if state == "clarification_requested" and allowed(actor, "practice_clarify", answering):
        can.append("answer")
    for step, name in (
        ("approved", "approve"),
        ("rejected", "reject"),
        ("published", "publish"),
        ("withdrawn", "withdraw"),
    ):
        if step in steps and allowed(actor, "practice_step", replace(scope, target_state=step)):
            can.append(name)
    return can


def practice_list(
    ctx: Context, state: str | None = None, call: str | None = None, limit: int = 200
) -> PracticePage:
    """List the submissions the reader may see, the oldest due first (the curators' queue).

    Curators see every submission; others their own, those they review and the published
    ones; the public the published ones.
    """
    if state is not None and state not in PRACTICE_STATES:
        raise BadParameter("state", f"state is one of {', '.join(PRACTICE_STATES)}")
    if not 1 <= limit <= 1000:
        raise BadParameter("limit", "limit must be between 1 and 1000")
    visible = select(PracticeSubmission)
    if not ctx.actor.has("curator"):
        mine = select(PracticeReview.submission_id).where(
            PracticeReview.reviewer_id == ctx.actor.user_id
        )
        visible = visible.where(
            or_(
                PracticeSubmission.state == "published",
                PracticeSubmission.submitter_id == ctx.actor.user_id,
                PracticeSubmission.id.in_(mine),
            )
            if ctx.actor.signed_in
            else PracticeSubmission.state == "published"
        )
    if call:
        found = ctx.session.scalar(select(PracticeCall.id).where(PracticeCall.ref == call))
        if found is None:
            raise BadParameter("call", f"no call for practices '{call}'")
        visible = visible.where(PracticeSubmission.call_id == found)
    rows = list(ctx.session.scalars(visible))
    by_state = dict.fromkeys(PRACTICE_STATES, 0)
    by_state.update(Counter(r.state for r in rows))
    chosen = [r for r in rows if state is None or r.state == state]
    chosen.sort(key=lambda r: (r.due_at is None, r.due_at or r.created_at, r.id))
    counts: dict[int, tuple[int, int]] = {}
    for review in ctx.session.scalars(
        select(PracticeReview).where(PracticeReview.submission_id.in_([r.id for r in chosen]))
    ):
        total, done = counts.get(review.submission_id, (0, 0))
        if not recused(review):
            counts[review.submission_id] = (total + 1, done + (review.submitted_at is not None))
    calls = dict(ctx.session.execute(select(PracticeCall.id, PracticeCall.ref)).all())
    return PracticePage(
        total=len(chosen),
        by_state=by_state,
        practices=[
            PracticeRow(
                id=r.ref,
                title=r.title,
                call=calls.get(r.call_id) if r.call_id else None,
                state=r.state,
                countries=r.countries,
                objectives=[o.split(":", 1)[1] for o in r.objectives],
                reviewers=counts.get(r.id, (0, 0))[0],
                reviews_in=counts.get(r.id, (0, 0))[1],
                needs_third_reviewer=r.needs_third_reviewer,
                due_at=r.due_at,
                overdue=overdue(r),
                item=r.item_ref,
                created_at=r.created_at,
            )
            for r in chosen[:limit]
        ],
    )


# -- Reviewing --------------------------------------------------------------------------------


def _settle(submission: PracticeSubmission, reviews: list[PracticeReview]) -> bool:
    """Flag a submission whose reviewers disagree; return whether it was newly flagged.

    Once every review that counts is in, approval against revise or reject is a
    disagreement: another reviewer is needed. After reviewers added on disagreement have
    reviewed, only a tie between approving and not approving needs yet another one.
    """
    active = [r for r in reviews if not recused(r)]
    complete = bool(active) and all(r.submitted_at is not None for r in active)
    approvals = sum(r.recommendation == "approve" for r in active)
    others = len(active) - approvals
    added = any(r.added_on_disagreement for r in active)
    flag = complete and approvals > 0 and others > 0 and (not added or approvals == others)
    newly = flag and not submission.needs_third_reviewer
    submission.needs_third_reviewer = flag
    return newly


def reviewers_assign(ctx: Context, ref: str, data: AssignWrite) -> PracticePublic:
    """Assign reviewers to a submission (curators); the first assignment starts the review.

    The panel is by default one UN-system and two external reviewers (refused otherwise
    unless `override`). The submitter, and anyone of the submitter's organization, has a
    conflict of interest and is refused. A reviewer added while the reviewers disagree is
    recorded as added on disagreement.
    """
    submission = _get(ctx, ref)
    scope = scope_of(ctx, submission)
    authorize(ctx, "practice_assign", scope)
    if submission.state == "submitted":
        practice_workflow().check(submission.state, "in_review")
    elif submission.state not in REVIEWING:
        raise Conflict(
            f"practice {ref} is {submission.state}; reviewers are assigned while it is "
            "submitted or in review"
        )
    reviews = _reviews(ctx, submission)
    taken = {r.reviewer_id for r in reviews}
    submitter = ctx.session.get(User, submission.submitter_id) if submission.submitter_id else None
    chosen: list[tuple[User, bool]] = []
    for wanted in data.reviewers:
        user = ctx.session.scalar(
            select(User).where(User.username == wanted.username.strip().lower(), User.active)
        )
        if user is None:
            raise InvalidInput(f"reviewers: no active account '{wanted.username}'")
        if user.id in taken:
            raise Conflict(f"reviewers: {user.username} is already a reviewer of {ref}")
        if submitter is not None and user.id == submitter.id:
            raise Conflict(f"reviewers: {user.username} submitted {ref} (conflict of interest)")
        if _same_organization(user, submitter):
            raise Conflict(
                f"reviewers: {user.username} belongs to the submitter's organization "
                "(conflict of interest)"
            )
        taken.add(user.id)
        chosen.append((user, wanted.un_system))
    panel = [r.un_system for r in reviews if not recused(r)] + [un for _, un in chosen]
    un_count = sum(panel)
    if (un_count < 1 or len(panel) - un_count < 2) and not data.override:
        raise InvalidInput(
            f"reviewers: the panel is by default {DEFAULT_PANEL} (this one: {un_count} UN "
            f"system, {len(panel) - un_count} external); send override: true to assign it anyway"
        )
    before = _snapshot(submission)
    on_disagreement = submission.needs_third_reviewer
    stamp = now()
    for user, un_system in chosen:
        ctx.session.add(
            PracticeReview(
                submission_id=submission.id,
                reviewer_id=user.id,
                un_system=un_system,
                added_on_disagreement=on_disagreement,
                assigned_at=stamp,
                comments="",
                scores={},
            )
        )
    ctx.session.flush()
    listed = ", ".join(f"{u.username} ({'UN system' if un else 'external'})" for u, un in chosen)
    scope = scope_of(ctx, submission)
    _event(
        ctx,
        submission,
        scope,
        "assign",
        f"reviewers assigned: {listed}" + (" (on disagreement)" if on_disagreement else ""),
        internal=True,
    )
    started = submission.state == "submitted"
    if started:
        _move(ctx, submission, scope, "in_review", "peer review started")
    _settle(submission, _reviews(ctx, submission))
    audit_record(
        ctx,
        "reviewers_assign",
        f"practice:{ref}",
        before,
        {
            **_snapshot(submission),
            "reviewers": [{"user": f"user:{u.id}", "un_system": un} for u, un in chosen],
            "override": data.override,
        },
    )
    notify(
        ctx,
        [u.id for u, _ in chosen],
        f"Please review the practice '{submission.title}'",
        "You are asked to peer review a practice. First declare any conflict of interest "
        "(or none), then give your recommendation.",
        _link(submission),
    )
    if started:
        notify(
            ctx,
            [submission.submitter_id],
            f"Your practice '{submission.title}' is in peer review",
            "Reviewers have been assigned; they may ask you for clarification.",
            _link(submission),
        )
    return practice_show(ctx, ref)


def _same_organization(user: User, submitter: User | None) -> bool:
    def folded(name: str | None) -> str:
        return " ".join((name or "").casefold().split())

    return (
        submitter is not None
        and bool(folded(user.organization))
        and (folded(user.organization) == folded(submitter.organization))
    )


def _my_review(ctx: Context, submission: PracticeSubmission) -> PracticeReview:
    review = ctx.session.scalar(
        select(PracticeReview).where(
            PracticeReview.submission_id == submission.id,
            PracticeReview.reviewer_id == ctx.actor.user_id,
        )
    )
    if review is None:  # the rule lets only assigned reviewers this far
        raise NotFound(f"{ctx.actor.name} is not a reviewer of {submission.ref}")
    return review


def review_declare_conflict(ctx: Context, ref: str, data: ConflictWrite) -> PracticePublic:
    """Declare conflicts of interest before reviewing: "none", or what the conflict is.

    A reviewer who declares a conflict is recused; the curators are asked for a replacement.
    """
    submission = _get(ctx, ref)
    scope = scope_of(ctx, submission)
    authorize(ctx, "practice_review", scope)
    if submission.state not in REVIEWING:
        raise Conflict(f"practice {ref} is {submission.state}; it is no longer in review")
    review = _my_review(ctx, submission)
    if review.submitted_at is not None:
        raise Conflict("the review is in; conflicts are declared before reviewing")
    statement = data.conflict.strip()
    none = statement.casefold().rstrip(".") in NO_CONFLICT_WORDS
    before = {"conflict": review.conflict}
    review.conflict = NO_CONFLICT if none else statement
    review.declared_at = now()
    text = (
        "declared no conflict of interest"
        if none
        else f"declared a conflict of interest and is recused: {statement}"
    )
    _event(ctx, submission, scope, "conflict", text, internal=True)
    flagged = _settle(submission, _reviews(ctx, submission))
    if flagged:
        _event(ctx, submission, scope, "flag", DISAGREEMENT, internal=True)
    audit_record(
        ctx,
        "review_declare_conflict",
        f"practice:{ref}",
        before,
        {"conflict": review.conflict, "reviewer": f"user:{ctx.actor.user_id}"},
    )
    if not none or flagged:
        notify(
            ctx,
            _curator_ids(ctx),
            f"A reviewer of '{submission.title}' declared a conflict of interest",
            f"{ctx.actor.name} is recused: {statement}\nAssign another reviewer.",
            _link(submission),
        )
    return practice_show(ctx, ref)


def review_submit(ctx: Context, ref: str, data: ReviewWrite) -> PracticePublic:
    """Give a recommendation (approve, revise or reject) with comments and optional scores.

    Only after declaring conflicts of interest. Once every review is in, reviewers who
    disagree (approve against revise or reject) flag the submission for another reviewer,
    and the curators are told.
    """
    submission = _get(ctx, ref)
    scope = scope_of(ctx, submission)
    authorize(ctx, "practice_review", scope)
    if submission.state not in REVIEWING:
        raise Conflict(f"practice {ref} is {submission.state}; reviews are taken while in review")
    review = _my_review(ctx, submission)
    if review.declared_at is None:
        raise Conflict(
            'declare conflicts of interest first ("none" if there are none), then review'
        )
    if recused(review):
        raise Conflict("you declared a conflict of interest, so you do not review this practice")
    for name, value in data.scores.items():
        if name not in SCORED:
            raise InvalidInput(f"scores: '{name}' is not scored; scored: {', '.join(SCORED)}")
        if not 1 <= value <= 5:
            raise InvalidInput(f"scores.{name}: a score is from 1 to 5")
    before = {"recommendation": review.recommendation}
    review.recommendation = data.recommendation
    review.comments = data.comments.strip()
    review.scores = dict(data.scores)
    review.submitted_at = now()
    _event(ctx, submission, scope, "review", f"recommends: {data.recommendation}", internal=True)
    reviews = _reviews(ctx, submission)
    flagged = _settle(submission, reviews)
    active = [r for r in reviews if not recused(r)]
    done = sum(r.submitted_at is not None for r in active)
    if flagged:
        _event(ctx, submission, scope, "flag", DISAGREEMENT, internal=True)
    audit_record(
        ctx,
        "review_submit",
        f"practice:{ref}",
        before,
        {
            "recommendation": review.recommendation,
            "scores": review.scores,
            "reviewer": f"user:{ctx.actor.user_id}",
            "needs_third_reviewer": submission.needs_third_reviewer,
        },
    )
    if flagged:
        notify(
            ctx,
            _curator_ids(ctx),
            f"Reviewers disagree on '{submission.title}'",
            "Every review is in and the recommendations differ. Assign another reviewer.",
            _link(submission),
        )
    elif done == len(active):
        notify(
            ctx,
            _curator_ids(ctx),
            f"Every review of '{submission.title}' is in",
            f"{done} of {len(active)} reviews are in. Decide on the practice.",
            _link(submission),
        )
    return practice_show(ctx, ref)


# -- Clarification ----------------------------------------------------------------------------


def clarification_ask(ctx: Context, ref: str, data: QuestionWrite) -> PracticePublic:
    """Ask the submitter for clarification (a reviewer or curator); the review waits."""
    submission = _get(ctx, ref)
    scope = scope_of(ctx, submission)
    authorize(ctx, "practice_clarify", scope)
    before = _snapshot(submission)
    if submission.state != "clarification_requested":  # more questions may follow the first
        _move(ctx, submission, scope, "clarification_requested", "clarification asked")
    _event(ctx, submission, scope, "question", data.question.strip())
    audit_record(ctx, "clarification_ask", f"practice:{ref}", before, _snapshot(submission))
    notify(
        ctx,
        [submission.submitter_id],
        f"A question about your practice '{submission.title}'",
        data.question.strip()[:500],
        _link(submission),
    )
    return practice_show(ctx, ref)


def _open_questions(ctx: Context, submission: PracticeSubmission) -> list[PracticeEvent]:
    events = list(
        ctx.session.scalars(
            select(PracticeEvent)
            .where(
                PracticeEvent.submission_id == submission.id,
                PracticeEvent.kind.in_(("question", "answer")),
            )
            .order_by(PracticeEvent.id)
        )
    )
    answered = {e.reply_to for e in events if e.kind == "answer"}
    return [e for e in events if e.kind == "question" and e.id not in answered]


def clarification_answer(ctx: Context, ref: str, data: AnswerWrite) -> PracticePublic:
    """Answer the open questions (the submitter); once none is open, the review resumes."""
    submission = _get(ctx, ref)
    scope = scope_of(ctx, submission, answering=True)
    authorize(ctx, "practice_clarify", scope)
    if submission.state != "clarification_requested":
        raise Conflict(f"practice {ref} is {submission.state}; no question awaits an answer")
    questions = _open_questions(ctx, submission)
    if data.question is not None:
        questions = [q for q in questions if q.id == data.question]
        if not questions:
            raise InvalidInput(f"question: no open question {data.question} on {ref}")
    before = _snapshot(submission)
    for question in questions:
        _event(ctx, submission, scope, "answer", data.answer.strip(), reply_to=question.id)
    ctx.session.flush()
    if not _open_questions(ctx, submission):
        _move(ctx, submission, scope, "in_review", "clarification answered")
    audit_record(ctx, "clarification_answer", f"practice:{ref}", before, _snapshot(submission))
    notify(
        ctx,
        [*scope.reviewing, *_curator_ids(ctx)],
        f"The submitter answered about '{submission.title}'",
        data.answer.strip()[:500],
        _link(submission),
    )
    return practice_show(ctx, ref)


# -- Deciding and publishing ------------------------------------------------------------------


def _record(
    ctx: Context, decision: str, note: str, reviews: list[PracticeReview]
) -> dict[str, Any]:
    """The decision with the reviewers' recommendations as they stand."""
    counted = [r for r in reviews if not recused(r) and r.submitted_at is not None]
    un_count = sum(r.un_system for r in counted)
    stamp = now()
    verb = "approved" if decision == "approve" else "rejected"
    if counted:
        summary = (
            f"Peer reviewed: {len(counted)} reviewer{'s' if len(counted) != 1 else ''} "
            f"({un_count} UN system, {len(counted) - un_count} external), "
            f"{verb} on {stamp.date().isoformat()}"
        )
    else:
        summary = f"{verb.capitalize()} on {stamp.date().isoformat()} before peer review"
    return {
        "decision": decision,
        "note": note,
        "at": stamp.isoformat(),
        "by": f"user:{ctx.actor.user_id}" if ctx.actor.user_id else ctx.actor.name,
        "reviewers": len(counted),
        "un_system": un_count,
        "external": len(counted) - un_count,
        "recommendations": dict(Counter(r.recommendation or "" for r in counted)),
        "reviews": [
            {
                "un_system": r.un_system,
                "recommendation": r.recommendation,
                "added_on_disagreement": r.added_on_disagreement,
                "scores": r.scores,
            }
            for r in counted
        ],
        "summary": summary,
    }


def practice_decide(ctx: Context, ref: str, data: DecisionWrite) -> PracticePublic:
    """Approve or reject a submission (curators), recording the reviewers' recommendations.

    Approval needs every review in and no open disagreement; approving against the
    reviewers' majority, and rejecting, need a note saying why.
    """
    target = "approved" if data.decision == "approve" else "rejected"
    submission = _get(ctx, ref)
    scope = scope_of(ctx, submission, target)
    authorize(ctx, "practice_step", scope)
    practice_workflow().check(submission.state, target)
    reviews = _reviews(ctx, submission)
    active = [r for r in reviews if not recused(r)]
    note = data.note.strip()
    if data.decision == "approve":
        done = [r for r in active if r.submitted_at is not None]
        if not active or len(done) < len(active):
            raise Conflict(
                f"{len(done)} of {len(active)} reviews are in; approve once every reviewer "
                "has reviewed"
            )
        if submission.needs_third_reviewer:
            raise Conflict("the reviewers disagree; assign another reviewer before deciding")
        approvals = sum(r.recommendation == "approve" for r in done)
        if approvals * 2 <= len(done) and not note:
            raise InvalidInput(
                "note: most reviewers did not recommend approval; say why it is approved"
            )
    elif not note:
        raise InvalidInput("note: say why the practice is rejected")
    before = _snapshot(submission)
    submission.decision = _record(ctx, data.decision, note, reviews)
    _move(ctx, submission, scope, target, submission.decision["summary"])
    audit_record(
        ctx,
        "practice_decide",
        f"practice:{ref}",
        before,
        {**_snapshot(submission), "decision": submission.decision},
    )
    notify(
        ctx,
        [submission.submitter_id, *scope.reviewing],
        f"The practice '{submission.title}' is {target}",
        submission.decision["summary"] + (f"\n{note}" if note else ""),
        _link(submission),
    )
    return practice_show(ctx, ref)


def _item_text(submission: PracticeSubmission, summary: str) -> str:
    period = " – ".join(str(d) for d in (submission.start_date, submission.end_date) if d)
    facts = [f"Implementing entity: {submission.implementing_entity}."]
    if submission.partners:
        facts.append(f"Partners: {', '.join(submission.partners)}.")
    facts.append(f"Level: {submission.level}.")
    if period:
        facts.append(f"Period: {period}.")
    facts.append(f"Completion: {submission.status_completion.replace('_', ' ')}.")
    parts = [submission.summary, submission.body, " ".join(facts)]
    parts.append(f"Replicability: {submission.replicability}")
    if submission.innovation:
        parts.append(f"Innovation: {submission.innovation}")
    parts.append(f"{summary}. Review record: {_link(submission)}")
    return "\n\n".join(parts)


def practice_publish(ctx: Context, ref: str) -> PracticePublic:
    """Publish an approved practice as a knowledge item of type "practice" (curators).

    The item carries the practice's objectives, countries, guiding principles and level,
    and its text ends with the review on record ("Peer reviewed: 3 reviewers (1 UN system,
    2 external), approved on DATE").
    """
    from gcmhub.knowledge.actions import item_index
    from gcmhub.knowledge.editing import item_create
    from gcmhub.knowledge.indexing import facet_values
    from gcmhub.knowledge.models import Item, ItemConcept
    from gcmhub.knowledge.schemas import ItemCreate
    from gcmhub.search.index import IndexRecord

    submission = _get(ctx, ref)
    scope = scope_of(ctx, submission, "published")
    authorize(ctx, "practice_step", scope)
    practice_workflow().check(submission.state, "published")
    record = submission.decision or {}
    summary = record.get("summary") or "Approved"
    before = _snapshot(submission)
    created = item_create(
        ctx,
        ItemCreate(
            title=submission.title,
            text=_item_text(submission, summary),
            type="practice",
            url=get_settings().public_url.rstrip("/") + _link(submission),
            publisher=submission.implementing_entity,
            date_published=_today(),
            countries=submission.countries,
            objectives=submission.objectives,
            status="published",
        ),
    )
    item = ctx.session.scalar(select(Item).where(Item.ref == created.id))
    assert item is not None
    item.implementing_entities = [submission.implementing_entity, *submission.partners]
    item.date_start, item.date_end = submission.start_date, submission.end_date
    for concept in [*submission.principles, f"level:{submission.level}"]:
        if ctx.session.get(ItemConcept, (item.id, concept)) is None and _refs(ctx, [concept]):
            ctx.session.add(
                ItemConcept(
                    item_id=item.id, concept_id=concept, origin="source", status="confirmed"
                )
            )
    ctx.session.flush()
    facets = facet_values(ctx, [item.id])
    item_index(ctx).upsert(
        [IndexRecord(item.id, item.title, item.text, item.language, facets.get(item.id, {}))]
    )
    submission.item_ref = item.ref
    _move(ctx, submission, scope, "published", f"published as knowledge item {item.ref}")
    audit_record(ctx, "practice_publish", f"practice:{ref}", before, _snapshot(submission))
    notify(
        ctx,
        [submission.submitter_id, *scope.reviewing],
        f"The practice '{submission.title}' is published",
        f"{summary}. It is now a knowledge item others can find.",
        f"/items/{item.ref}",
    )
    return practice_show(ctx, ref)


def practice_withdraw(ctx: Context, ref: str, data: WithdrawWrite) -> PracticePublic:
    """Withdraw a submission (its submitter), until it is approved."""
    submission = _get(ctx, ref)
    scope = scope_of(ctx, submission, "withdrawn")
    authorize(ctx, "practice_step", scope)
    before = _snapshot(submission)
    _move(ctx, submission, scope, "withdrawn", data.note.strip() or "withdrawn by its submitter")
    audit_record(ctx, "practice_withdraw", f"practice:{ref}", before, _snapshot(submission))
    notify(
        ctx,
        [*scope.reviewing, *_curator_ids(ctx)],
        f"The practice '{submission.title}' was withdrawn",
        data.note.strip() or "Its submitter withdrew it.",
        _link(submission),
    )
    return practice_show(ctx, ref)
