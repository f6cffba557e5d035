"""Consultations: numbered questions, a moderator, contributions in any language.

A contribution's language is detected and its objectives suggested by the objective tagger
(as for hub requests). Posting is for signed-in people while the consultation is open (a
closed one: 409 naming its close date) and at most `contribution_rate` a minute per person
(429, nothing stored). The moderator or curators hide, flag and restore contributions with a
reason on record; anyone signed in reports abuse, which reaches the curators as a notice. A
closed consultation's summary counts contributions per question, objective and language,
every contribution traceable by its id.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from sqlalchemy import func, select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.accounts.models import User
from gcmhub.accounts.notices import notify
from gcmhub.auth import allowed, authorize
from gcmhub.community.auth import ModeratorScope
from gcmhub.community.models import Consultation, Contribution
from gcmhub.community.organizations import curator_ids
from gcmhub.community.schemas import (
    ConsultationPublic,
    ConsultationSummary,
    ConsultationWrite,
    ContributionPublic,
    ContributionWrite,
    ModerationEvent,
    ModerationWrite,
    ReportWrite,
    Suggested,
    SummaryQuestion,
)
from gcmhub.context import Context
from gcmhub.errors import Conflict, InvalidInput, NotFound
from gcmhub.settings import get_settings
from gcmhub.text.language import detect_language
from gcmhub.web.limits import CONTRIBUTIONS

SUGGEST_MIN_SCORE = 0.2  # objective suggestions below this are not kept
SUGGEST_COUNT = 3
STATUS_AFTER = {"hide": "hidden", "flag": "flagged", "restore": "visible"}


def _suggest(ctx: Context, text: str) -> list[dict[str, Any]]:
    """Suggest objectives from a contribution's text (the objective tagger)."""
    from gcmhub.knowledge.actions import tag_suggest
    from gcmhub.knowledge.schemas import TagRequest

    found = tag_suggest(ctx, TagRequest(scheme="objective", texts=[text], k=SUGGEST_COUNT))
    return [
        {"concept": s.concept, "label": s.label, "score": round(s.score, 3)}
        for s in found.suggestions[0]
        if s.score >= SUGGEST_MIN_SCORE
    ]


def _today() -> date:
    return now().date()


def _state(row: Consultation) -> str:
    today = _today()
    if today < row.opens_on:
        return "upcoming"
    return "open" if today <= row.closes_on else "closed"


def _username(ctx: Context, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return ctx.session.scalar(select(User.username).where(User.id == user_id))


def _public(ctx: Context, row: Consultation) -> ConsultationPublic:
    count = ctx.session.scalar(
        select(func.count())
        .select_from(Contribution)
        .where(Contribution.consultation_id == row.id, Contribution.status != "hidden")
    )
    return ConsultationPublic(
        id=row.id,
        title=row.title,
        description=row.description,
        questions=row.questions,
        moderator=_username(ctx, row.moderator_id),
        audience=row.audience,
        languages=row.languages,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        state=_state(row),  # type: ignore[arg-type]
        contributions=int(count or 0),
    )


def consultation_create(ctx: Context, data: ConsultationWrite) -> ConsultationPublic:
    """Open a consultation (curators)."""
    authorize(ctx, "consultation_create")
    if data.closes_on < data.opens_on:
        raise InvalidInput("closes_on: the consultation closes before it opens")
    moderator_id = ctx.actor.user_id
    if data.moderator:
        moderator_id = ctx.session.scalar(
            select(User.id).where(User.username == data.moderator, User.active)
        )
        if moderator_id is None:
            raise InvalidInput(f"moderator: no active user '{data.moderator}'")
    row = Consultation(
        title=" ".join(data.title.split()),
        description=data.description.strip(),
        questions=data.questions,
        moderator_id=moderator_id,
        audience=data.audience.strip(),
        languages=data.languages,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
        created_by=ctx.actor.name,
        created_at=now(),
    )
    ctx.session.add(row)
    ctx.session.flush()
    audit_record(
        ctx,
        "consultation_create",
        f"consultation:{row.id}",
        None,
        {"title": row.title, "opens_on": str(row.opens_on), "closes_on": str(row.closes_on)},
    )
    return _public(ctx, row)


def _get(ctx: Context, consultation_id: int) -> Consultation:
    row = ctx.session.get(Consultation, consultation_id)
    if row is None:
        raise NotFound(f"no consultation {consultation_id}")
    return row


def consultation_show(ctx: Context, consultation_id: int) -> ConsultationPublic:
    return _public(ctx, _get(ctx, consultation_id))


def consultation_list(ctx: Context) -> list[ConsultationPublic]:
    rows = ctx.session.scalars(
        select(Consultation).order_by(Consultation.closes_on.desc(), Consultation.id)
    )
    return [_public(ctx, r) for r in rows]


def _moderates(ctx: Context, consultation: Consultation) -> bool:
    return allowed(ctx.actor, "contribution_moderate", ModeratorScope(consultation.moderator_id))


def _contribution(row: Contribution, full: bool) -> ContributionPublic:
    hidden = row.status == "hidden" and not full
    return ContributionPublic(
        id=row.id,
        consultation_id=row.consultation_id,
        question=row.question,
        text="" if hidden else row.text,
        language=row.language,
        objectives=[Suggested(**s) for s in row.objectives],
        status=row.status,
        author=row.created_by if full else None,
        created_at=row.created_at,
        moderation=[ModerationEvent(**m) for m in row.moderation] if full else [],
    )


def contribution_create(
    ctx: Context, consultation_id: int, data: ContributionWrite
) -> ContributionPublic:
    """Contribute to an open consultation (409 once closed, 429 on a burst)."""
    authorize(ctx, "contribution_create")
    consultation = _get(ctx, consultation_id)
    state = _state(consultation)
    if state == "closed":
        raise Conflict(
            f"consultation {consultation_id} closed on {consultation.closes_on.isoformat()}"
        )
    if state == "upcoming":
        raise Conflict(
            f"consultation {consultation_id} opens on {consultation.opens_on.isoformat()}"
        )
    if data.question > len(consultation.questions):
        raise InvalidInput(
            f"question: consultation {consultation_id} has {len(consultation.questions)} questions"
        )
    if not ctx.actor.is_system:  # the command line (imports, the demo) is not a burst
        CONTRIBUTIONS.hit(
            f"user:{ctx.actor.user_id}", get_settings().contribution_rate, "contributions"
        )
    text = data.text.strip()
    row = Contribution(
        consultation_id=consultation.id,
        question=data.question,
        text=text,
        language=detect_language(text),
        objectives=_suggest(ctx, text),
        status="visible",
        moderation=[],
        author_id=ctx.actor.user_id,
        created_by=ctx.actor.name,
        created_at=now(),
    )
    ctx.session.add(row)
    ctx.session.flush()
    audit_record(
        ctx,
        "contribution_create",
        f"contribution:{row.id}",
        None,
        {"consultation": consultation.id, "question": row.question, "language": row.language},
    )
    return _contribution(row, False)


def contribution_list(ctx: Context, consultation_id: int) -> list[ContributionPublic]:
    """Contributions in order; hidden ones keep their text for the moderator and curators."""
    consultation = _get(ctx, consultation_id)
    full = _moderates(ctx, consultation)
    query = select(Contribution).where(Contribution.consultation_id == consultation_id)
    if not full:
        query = query.where(Contribution.status != "hidden")
    rows = ctx.session.scalars(query.order_by(Contribution.id))
    return [_contribution(r, full) for r in rows]


def _get_contribution(ctx: Context, contribution_id: int) -> tuple[Contribution, Consultation]:
    row = ctx.session.get(Contribution, contribution_id)
    if row is None:
        raise NotFound(f"no contribution {contribution_id}")
    return row, _get(ctx, row.consultation_id)


def _event(ctx: Context, action: str, reason: str) -> dict[str, Any]:
    return {
        "action": action,
        "reason": reason.strip(),
        "by": ctx.actor.name,
        "at": now().isoformat(),
    }


def contribution_moderate(
    ctx: Context, contribution_id: int, data: ModerationWrite
) -> ContributionPublic:
    """Hide, flag or restore a contribution, the reason on record."""
    row, consultation = _get_contribution(ctx, contribution_id)
    authorize(ctx, "contribution_moderate", ModeratorScope(consultation.moderator_id))
    before = {"status": row.status}
    row.status = STATUS_AFTER[data.action]
    row.moderation = [*row.moderation, _event(ctx, data.action, data.reason)]
    ctx.session.flush()
    audit_record(
        ctx,
        "contribution_moderate",
        f"contribution:{row.id}",
        before,
        {"status": row.status, "reason": data.reason.strip()},
    )
    return _contribution(row, True)


def contribution_report(ctx: Context, contribution_id: int, data: ReportWrite) -> dict[str, Any]:
    """Report abuse on a contribution: on record, and a notice to every curator."""
    authorize(ctx, "contribution_report")
    row, consultation = _get_contribution(ctx, contribution_id)
    if row.status == "hidden" and not _moderates(ctx, consultation):
        raise NotFound(f"no contribution {contribution_id}")
    row.moderation = [*row.moderation, _event(ctx, "report", data.reason)]
    ctx.session.flush()
    audit_record(
        ctx, "contribution_report", f"contribution:{row.id}", None, {"reason": data.reason}
    )
    sent = notify(
        ctx,
        {*curator_ids(ctx), consultation.moderator_id},
        f"Abuse reported on contribution {row.id} to '{consultation.title}'",
        f"{ctx.actor.name} reported: {data.reason.strip()}",
        f"/api/v1/community/consultations/{consultation.id}/contributions",
    )
    return {"contribution": row.id, "reported": True, "notified": sent}


def consultation_summary(ctx: Context, consultation_id: int) -> ConsultationSummary:
    """A closed consultation's counts per question, objective and language (409 while open)."""
    consultation = _get(ctx, consultation_id)
    if _state(consultation) != "closed":
        raise Conflict(
            f"consultation {consultation_id} is summarized once closed; it closes on "
            f"{consultation.closes_on.isoformat()}"
        )
    rows = list(
        ctx.session.scalars(
            select(Contribution)
            .where(Contribution.consultation_id == consultation_id)
            .order_by(Contribution.id)
        )
    )
    shown = [r for r in rows if r.status != "hidden"]
    objectives: dict[str, list[int]] = {}
    languages: dict[str, list[int]] = {}
    for r in shown:
        for s in r.objectives:
            objectives.setdefault(s["concept"], []).append(r.id)
        languages.setdefault(r.language or "und", []).append(r.id)
    questions = [
        SummaryQuestion(
            number=n,
            question=q,
            count=len(ids := [r.id for r in shown if r.question == n]),
            contributions=ids,
        )
        for n, q in enumerate(consultation.questions, start=1)
    ]
    return ConsultationSummary(
        consultation_id=consultation.id,
        title=consultation.title,
        closes_on=consultation.closes_on,
        total=len(shown),
        hidden=len(rows) - len(shown),
        questions=questions,
        objectives=dict(sorted(objectives.items())),
        languages=dict(sorted(languages.items())),
    )


def summary_csv(summary: ConsultationSummary) -> str:
    """The summary as CSV rows: dimension, value, count, contribution ids."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["dimension", "value", "count", "contributions"])
    for q in summary.questions:
        writer.writerow(["question", q.number, q.count, " ".join(map(str, q.contributions))])
    for concept, ids in summary.objectives.items():
        writer.writerow(["objective", concept, len(ids), " ".join(map(str, ids))])
    for language, ids in summary.languages.items():
        writer.writerow(["language", language, len(ids), " ".join(map(str, ids))])
    return out.getvalue()
