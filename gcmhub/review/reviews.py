"""Voluntary GCM reviews: a structured review per country and period, a section per objective.

Each section says, for one objective, the progress made, the challenges, good practices and
the support needed. `review_draft` fills the sections from what the system already knows
about the country: its plan's commitments on the objective (status, lead institutions,
evidence), its indicator trends against their targets (`gcmhub.indicators`), its requests to
the connection hub (as the drafter may see them) and the fund's projects in it. A drafted
text keeps the list of records it drew on (`sources`); a field already written is left alone
unless `overwrite` is asked.

A section's good practices become a knowledge item through the knowledge part's own action
(`item_create`, type `practice`), and its support needed a request to the hub through the
hub's (`request_create`): each part checks its own rules too, and the section keeps the
reference of what it became. A review is a draft, read by its country and the secretariat,
until it is submitted; then everyone reads it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.auth import allowed, authorize
from gcmhub.context import Context
from gcmhub.errors import Conflict, GcmhubError, InvalidInput, NotFound
from gcmhub.review.auth import CountryScope
from gcmhub.review.common import (
    Objective,
    country_code,
    country_name,
    objective_resolver,
    objectives,
)
from gcmhub.review.models import ReviewSection, VoluntaryReview
from gcmhub.review.plans import commitments_current
from gcmhub.review.progress import country_trends
from gcmhub.review.schemas import (
    DraftWrite,
    IndicatorTrend,
    PracticeWrite,
    ReviewPublic,
    ReviewSummary,
    ReviewUpdate,
    ReviewWrite,
    SectionPublic,
    SectionSource,
    SectionWrite,
    SupportWrite,
)

TEXTS = ("progress", "challenges", "good_practices", "support_needed")
MAX_LISTED = 10  # records named in one drafted paragraph


def _filled(section: ReviewSection) -> bool:
    return any(getattr(section, name).strip() for name in TEXTS)


def _get(ctx: Context, review_id: int) -> VoluntaryReview:
    review = ctx.session.get(VoluntaryReview, review_id)
    if review is None or not _readable(ctx, review):
        raise NotFound(f"no review {review_id}")
    return review


def _readable(ctx: Context, review: VoluntaryReview) -> bool:
    return review.status != "draft" or allowed(
        ctx.actor, "voluntary_review_read", CountryScope(review.country)
    )


def _writable(ctx: Context, review_id: int) -> VoluntaryReview:
    review = _get(ctx, review_id)
    authorize(ctx, "voluntary_review_write", CountryScope(review.country))
    return review


def _sections(ctx: Context, review: VoluntaryReview) -> list[ReviewSection]:
    return list(
        ctx.session.scalars(
            select(ReviewSection)
            .where(ReviewSection.review_id == review.id)
            .order_by(ReviewSection.position)
        )
    )


def review_create(ctx: Context, data: ReviewWrite) -> ReviewPublic:
    """Open a country's review for a period, with an empty section per objective."""
    code = country_code(ctx, data.country)
    authorize(ctx, "voluntary_review_write", CountryScope(code))
    if "-" in data.period:
        first, last = (int(y) for y in data.period.split("-"))
        if last < first:
            raise InvalidInput("period: the period ends before it starts")
    taken = ctx.session.scalar(
        select(VoluntaryReview.id).where(
            VoluntaryReview.country == code, VoluntaryReview.period == data.period
        )
    )
    if taken is not None:
        raise Conflict(f"{code} has a review for {data.period} already: review {taken}")
    stamp = now()
    review = VoluntaryReview(
        country=code,
        period=data.period,
        title=" ".join(data.title.split())
        or f"Voluntary GCM review of {country_name(ctx, code)}, {data.period}",
        status="draft",
        created_by=ctx.actor.name,
        created_at=stamp,
        updated_at=stamp,
    )
    ctx.session.add(review)
    ctx.session.flush()
    for position, objective in enumerate(objectives(ctx)):
        ctx.session.add(
            ReviewSection(
                review_id=review.id,
                objective=objective.id,
                position=position,
                progress="",
                challenges="",
                good_practices="",
                support_needed="",
                sources=[],
            )
        )
    ctx.session.flush()
    audit_record(
        ctx,
        "voluntary_review_write",
        f"review:{review.id}",
        None,
        {"country": code, "period": data.period, "title": review.title},
    )
    return review_show(ctx, review.id)


def review_update(ctx: Context, review_id: int, data: ReviewUpdate) -> ReviewPublic:
    """Change a review's title, or submit it (or take it back to draft)."""
    review = _writable(ctx, review_id)
    before = {"title": review.title, "status": review.status}
    if data.title is not None and data.title.strip():
        review.title = " ".join(data.title.split())
    if data.status is not None:
        review.status = data.status
    after = {"title": review.title, "status": review.status}
    if after != before:
        review.updated_at = now()
        ctx.session.flush()
        audit_record(ctx, "voluntary_review_write", f"review:{review.id}", before, after)
    return review_show(ctx, review.id)


def _summary(ctx: Context, review: VoluntaryReview, filled: int) -> dict[str, Any]:
    return {
        "id": review.id,
        "country": review.country,
        "country_name": country_name(ctx, review.country),
        "period": review.period,
        "title": review.title,
        "status": review.status,
        "filled": filled,
        "updated_at": review.updated_at,
    }


def review_list(ctx: Context, country: str | None = None) -> list[ReviewSummary]:
    """The reviews the reader may see, newest period first."""
    query = select(VoluntaryReview).order_by(VoluntaryReview.period.desc(), VoluntaryReview.country)
    if country:
        query = query.where(VoluntaryReview.country == country_code(ctx, country))
    out = []
    for review in ctx.session.scalars(query):
        if not _readable(ctx, review):
            continue
        filled = sum(_filled(s) for s in _sections(ctx, review))
        out.append(ReviewSummary(**_summary(ctx, review, filled)))
    return out


def _section_public(section: ReviewSection, objective: Objective | None) -> SectionPublic:
    return SectionPublic(
        objective=section.objective,
        code=objective.code if objective else section.objective.split(":", 1)[-1],
        label=objective.label if objective else section.objective,
        progress=section.progress,
        challenges=section.challenges,
        good_practices=section.good_practices,
        support_needed=section.support_needed,
        sources=[SectionSource(**s) for s in section.sources],
        practice_item=section.practice_item,
        support_request=section.support_request,
        updated_by=section.updated_by,
        updated_at=section.updated_at,
    )


def review_show(ctx: Context, review_id: int) -> ReviewPublic:
    """A review with its sections (a draft only to its country and the secretariat)."""
    review = _get(ctx, review_id)
    sections = _sections(ctx, review)
    named = {o.id: o for o in objectives(ctx)}
    return ReviewPublic(
        **_summary(ctx, review, sum(_filled(s) for s in sections)),
        created_by=review.created_by,
        created_at=review.created_at,
        sections=[_section_public(s, named.get(s.objective)) for s in sections],
    )


def _section(ctx: Context, review: VoluntaryReview, objective: str) -> ReviewSection:
    try:
        concept = objective_resolver(ctx)(objective)
    except InvalidInput:
        raise NotFound(
            f"review {review.id} has no section on objective '{objective[:40]}'"
        ) from None
    found = ctx.session.scalar(
        select(ReviewSection).where(
            ReviewSection.review_id == review.id, ReviewSection.objective == concept
        )
    )
    if found is None:
        raise NotFound(f"review {review.id} has no section on '{objective[:40]}'")
    return found


def section_write(
    ctx: Context, review_id: int, objective: str, data: SectionWrite
) -> SectionPublic:
    """Write a section's texts; the fields left out stay as they are."""
    review = _writable(ctx, review_id)
    section = _section(ctx, review, objective)
    before = {name: getattr(section, name) for name in TEXTS}
    for name in TEXTS:
        value = getattr(data, name)
        if value is not None:
            setattr(section, name, value.strip())
    _touched(ctx, review, section)
    audit_record(
        ctx,
        "voluntary_review_write",
        f"review:{review.id}/{section.objective}",
        before,
        {name: getattr(section, name) for name in TEXTS},
    )
    named = {o.id: o for o in objectives(ctx)}
    return _section_public(section, named.get(section.objective))


def _touched(ctx: Context, review: VoluntaryReview, section: ReviewSection) -> None:
    stamp = now()
    section.updated_at = stamp
    section.updated_by = ctx.actor.name
    review.updated_at = stamp
    ctx.session.flush()


# -- drafting from what the system knows -------------------------------------------------------


def _listed(items: list[str]) -> str:
    shown = items[:MAX_LISTED]
    more = len(items) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _trend_text(trend: IndicatorTrend) -> tuple[str, bool]:
    """A sentence on a trend, and whether it is short of its target."""
    if not trend.points:
        return "", False
    first, last = trend.points[0], trend.points[-1]
    text = f"{trend.indicator} ({trend.label}): {last.value:g} {trend.unit} in {last.year}"
    if len(trend.points) > 1:
        text += f", from {first.value:g} in {first.year}"
    short = trend.meets_target is False
    if trend.target is not None:
        text += f"; target {trend.target:g} {trend.unit}: " + (
            "not met" if short else "met" if trend.meets_target else "no figure"
        )
    return text + ".", short


def review_draft(ctx: Context, review_id: int, data: DraftWrite) -> ReviewPublic:
    """Fill the sections from the country's plan, indicators, hub requests and fund projects."""
    from gcmhub.fund.projects import project_list
    from gcmhub.hub.listing import RequestFilter, request_list

    review = _writable(ctx, review_id)
    wanted = {objective_resolver(ctx)(o) for o in data.objectives} if data.objectives else None
    commitments = commitments_current(ctx, review.country)
    trends = country_trends(ctx, review.country)
    requests = request_list(ctx, RequestFilter(country=review.country), limit=1000).requests
    try:
        projects = project_list(ctx, country=review.country)
    except GcmhubError:
        projects = []
    named = {o.id: o for o in objectives(ctx)}
    changed: list[str] = []
    for section in _sections(ctx, review):
        objective = named.get(section.objective)
        if objective is None or (wanted is not None and objective.id not in wanted):
            continue
        texts: dict[str, list[str]] = {name: [] for name in TEXTS}
        sources: list[dict[str, str]] = []
        mine = [row for _, row in commitments if objective.id in row.objectives]
        if mine:
            status: dict[str, list[str]] = {}
            for row in mine:
                status.setdefault(row.status, []).append(f"{row.key} {row.title}")
                sources.append(
                    {"kind": "commitment", "ref": f"{review.country}/{row.key}", "text": row.title}
                )
            texts["progress"].append(
                f"The national implementation plan holds {len(mine)} commitment(s) on this "
                "objective: " + ", ".join(f"{len(v)} {k}" for k, v in sorted(status.items())) + "."
            )
            for state in ("completed", "ongoing"):
                if state in status:
                    texts["progress"].append(f"{state.capitalize()}: {_listed(status[state])}.")
            if "stalled" in status:
                texts["challenges"].append(f"Stalled commitments: {_listed(status['stalled'])}.")
            practices = [
                f"{row.title}"
                + (f" (led by {', '.join(row.lead_institutions)})" if row.lead_institutions else "")
                + (
                    ": " + "; ".join(e["text"] or e["url"] for e in row.evidence)
                    if row.evidence
                    else ""
                )
                for row in mine
                if row.status == "completed"
            ]
            if practices:
                texts["good_practices"].append(_listed(practices) + ".")
            alone = [
                f"{row.key} {row.title}"
                for row in mine
                if row.status == "stalled" and not row.partners
            ]
            if alone:
                texts["support_needed"].append(
                    f"Partners are sought for stalled commitments without any: {_listed(alone)}."
                )
        for trend in trends.get(objective.code, []):
            sentence, short = _trend_text(trend)
            if not sentence:
                continue
            texts["challenges" if short else "progress"].append(sentence)
            sources.append({"kind": "indicator", "ref": trend.indicator, "text": trend.source})
        asked = [r for r in requests if objective.code in r.objectives]
        if asked:
            open_ones = [
                f"{r.id} {r.title} ({r.state})"
                for r in asked
                if r.state in ("submitted", "triaged", "matched", "in_progress")
            ]
            done = [f"{r.id} {r.title}" for r in asked if r.state in ("resolved", "closed")]
            if done:
                texts["progress"].append(f"Support received through the hub: {_listed(done)}.")
            if open_ones:
                texts["support_needed"].append(
                    f"Requests to the connection hub under way: {_listed(open_ones)}."
                )
            for r in asked:
                sources.append({"kind": "request", "ref": r.id, "text": r.title})
        funded = [p for p in projects if objective.id in p.objectives]
        if funded:
            texts["progress"].append(
                "Start-up fund projects: "
                + _listed([f"{p.id} {p.title} ({p.status})" for p in funded])
                + "."
            )
            for p in funded:
                sources.append({"kind": "project", "ref": p.id, "text": p.title})
        wrote = False
        for name, parts in texts.items():
            if parts and (data.overwrite or not getattr(section, name).strip()):
                setattr(section, name, " ".join(parts))
                wrote = True
        if wrote:
            section.sources = sources
            _touched(ctx, review, section)
            changed.append(objective.code)
    audit_record(
        ctx,
        "voluntary_review_write",
        f"review:{review.id}",
        None,
        {"drafted": changed, "overwrite": data.overwrite},
    )
    return review_show(ctx, review.id)


# -- hand-offs to the knowledge platform and the hub -------------------------------------------


def section_practice(
    ctx: Context, review_id: int, objective: str, data: PracticeWrite
) -> SectionPublic:
    """Turn a section's good practices into a knowledge item (the knowledge part's action)."""
    from gcmhub.knowledge.editing import item_create
    from gcmhub.knowledge.schemas import ItemCreate

    review = _writable(ctx, review_id)
    section = _section(ctx, review, objective)
    if section.practice_item:
        raise Conflict(f"this section's good practices are item {section.practice_item} already")
    if not section.good_practices.strip():
        raise InvalidInput("good_practices: the section has no good practice to publish")
    named = {o.id: o for o in objectives(ctx)}
    label = named[section.objective].label if section.objective in named else section.objective
    title = data.title or f"{country_name(ctx, review.country)}: {label[:200]} ({review.period})"
    item = item_create(
        ctx,
        ItemCreate(
            title=title,
            text=section.good_practices
            + f"\n\nFrom the voluntary GCM review of {country_name(ctx, review.country)}, "
            f"{review.period}.",
            type="practice",
            countries=[review.country],
            objectives=[section.objective.split(":", 1)[1]],
            status=data.status,
        ),
    )
    section.practice_item = item.id
    _touched(ctx, review, section)
    audit_record(
        ctx,
        "voluntary_review_write",
        f"review:{review.id}/{section.objective}",
        None,
        {"practice_item": item.id},
    )
    return _section_public(section, named.get(section.objective))


def section_request(
    ctx: Context, review_id: int, objective: str, data: SupportWrite
) -> SectionPublic:
    """Turn a section's support needed into a request to the hub (the hub's own action)."""
    from gcmhub.hub.requests import request_create
    from gcmhub.hub.schemas import RequestWrite

    review = _writable(ctx, review_id)
    section = _section(ctx, review, objective)
    if section.support_request:
        raise Conflict(
            f"this section's support needed is request {section.support_request} already"
        )
    need = section.support_needed.strip()
    if len(need) < 20:
        raise InvalidInput("support_needed: say what support is needed (20 characters at least)")
    request = request_create(
        ctx,
        RequestWrite(
            country=review.country,
            institution=data.institution,
            need=need[:20_000],
            objectives=[section.objective.split(":", 1)[1]],
            support_types=data.support_types,
            confidentiality=data.confidentiality,
        ),
    )
    section.support_request = request.id
    _touched(ctx, review, section)
    audit_record(
        ctx,
        "voluntary_review_write",
        f"review:{review.id}/{section.objective}",
        None,
        {"support_request": request.id},
    )
    named = {o.id: o for o in objectives(ctx)}
    return _section_public(section, named.get(section.objective))
