"""Calls for proposals, proposals with their markers, appraisal and the pipeline.

A call has a budget, thematic areas (the "fund-area" scheme: the fund's five areas, shipped as
an editable scheme whose mapping to GCM objectives the fund manager sets), a deadline, its
eligibility rules (at least `min_un_entities` participating UN entities; the recipient
government's endorsement) and a rubric of weighted criteria.

A proposal, often opened as a draft from a hub request, is filled (call, area, amount with
budget lines summing to it, participating UN entities, markers for the guiding principles)
and submitted: the gender, human-rights and child-sensitivity markers (0-3) are required on
every proposal. Reviewers declare conflicts of interest (a declared conflict is a recusal); a
reviewer whose organization takes part in the proposal is refused. Reviews are aggregated with
their spread flagged, and the steering committee's decision is recorded. Approved proposals
with no transfer yet form the pipeline.
"""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.accounts.models import User
from gcmhub.auth import allowed, authorize
from gcmhub.context import Context
from gcmhub.errors import Conflict, Forbidden, InvalidInput, NotFound
from gcmhub.fund.ledger import base_currency
from gcmhub.fund.models import Call, Proposal, Review, Transaction
from gcmhub.fund.money import currency_code, parse_amount
from gcmhub.fund.schemas import (
    AppraisalPublic,
    AreaPublic,
    CallPublic,
    CallWrite,
    DecisionWrite,
    PipelineRow,
    ProposalPublic,
    ProposalUpdate,
    ReviewPublic,
    ReviewWrite,
    RulesIn,
    ShareIn,
)
from gcmhub.settings import get_settings
from gcmhub.taxonomy.actions import concept_resolver

AREA_SCHEME = "fund-area"
AREA_TITLE = "Thematic areas of the start-up fund"
MARKERS = ("gender_marker", "human_rights_marker", "child_marker")
MAX_SCORE = 5


# -- thematic areas ---------------------------------------------------------------------------


def fund_areas_ensure(ctx: Context) -> None:
    """Load the fund's thematic areas as the editable scheme "fund-area" unless it is there.

    The names are the five areas of the Migration MPTF as found in the research notes, tagged
    [M] (not verified against the fund's Terms of Reference); no objective mapping is shipped.
    """
    from gcmhub.taxonomy.actions import scheme_store
    from gcmhub.taxonomy.models import Scheme
    from gcmhub.taxonomy.tabular import scheme_from_csv

    if ctx.session.get(Scheme, AREA_SCHEME) is not None:
        return
    text = resources.files("gcmhub.fund").joinpath("data/thematic_areas.csv").read_text("utf-8")
    scheme_store(ctx, scheme_from_csv(text, AREA_SCHEME, AREA_TITLE))


def _area_concepts(ctx: Context) -> list[Any]:
    from gcmhub.taxonomy.models import Concept

    fund_areas_ensure(ctx)
    found = ctx.session.scalars(
        select(Concept).where(Concept.scheme_id == AREA_SCHEME).order_by(Concept.position)
    )
    return list(found)


def area_list(ctx: Context) -> list[AreaPublic]:
    """The fund's thematic areas with the GCM objectives each is mapped to."""
    return [
        AreaPublic(
            code=c.code,
            id=c.id,
            label=c.label,
            objectives=list((c.related or {}).get("objective", [])),
        )
        for c in _area_concepts(ctx)
    ]


def area_map(ctx: Context, code: str, objectives: list[int | str]) -> AreaPublic:
    """Set which GCM objectives (numbers 1-23) a thematic area covers (fund managers)."""
    from gcmhub.taxonomy import actions as taxonomy

    authorize(ctx, "area_map")
    concepts = {c.code.casefold(): c for c in _area_concepts(ctx)}
    concept = concepts.get(str(code).strip().casefold())
    if concept is None:
        known = ", ".join(c.code for c in concepts.values())
        raise NotFound(f"no thematic area '{str(code)[:20]}' (areas: {known})")
    numbers: list[int] = []
    for value in objectives:
        text = str(value).strip().removeprefix("objective:")
        if not text.isdigit() or not 1 <= int(text) <= 23:
            raise InvalidInput(f"objectives: '{str(value)[:20]}' is not a GCM objective (1-23)")
        if int(text) not in numbers:
            numbers.append(int(text))
    ids = [f"objective:{n}" for n in sorted(numbers)]
    before = list((concept.related or {}).get("objective", []))
    related = {k: v for k, v in (concept.related or {}).items() if k != "objective"}
    if ids:
        related["objective"] = ids
    concept.related = related
    ctx.session.flush()
    taxonomy._CLOSURES.pop(ctx.session.get_bind().engine.url.render_as_string(), None)
    audit_record(
        ctx, "area_map", f"concept:{concept.id}", {"objectives": before}, {"objectives": ids}
    )
    return AreaPublic(code=concept.code, id=concept.id, label=concept.label, objectives=ids)


# -- calls ------------------------------------------------------------------------------------


def _call(ctx: Context, ref: str) -> Call:
    found = ctx.session.scalar(select(Call).where(Call.ref == str(ref).strip().upper()))
    if found is None:
        raise NotFound(f"no call for proposals '{str(ref)[:20]}'")
    return found


def _call_public(ctx: Context, call: Call) -> CallPublic:
    count = ctx.session.scalar(
        select(func.count()).select_from(Proposal).where(Proposal.call_id == call.id)
    )
    return CallPublic(
        id=call.ref,
        title=call.title,
        description=call.description,
        budget=call.budget,
        currency=base_currency(),
        areas=list(call.areas),
        opens=call.opens,
        deadline=call.deadline,
        min_un_entities=call.min_un_entities,
        endorsement_required=call.endorsement_required,
        rubric=list(call.rubric),
        rules=dict(call.rules or {}),
        status=call_status(call),
        proposals=int(count or 0),
    )


def call_status(call: Call) -> str:
    """open, closed (its deadline is past) or decided (its money is allocated)."""
    if call.status == "open" and now().date() > call.deadline:
        return "closed"
    return call.status


def _fund_currency(value: str | None, field: str = "currency") -> str:
    base = base_currency()
    if value is None:
        return base
    code = currency_code(value, field)
    if code != base:
        raise InvalidInput(f"{field}: amounts of calls and proposals are in the fund's {base}")
    return code


def call_create(ctx: Context, data: CallWrite) -> CallPublic:
    """Open a call for proposals (fund managers)."""
    authorize(ctx, "fund_call_write")
    base = _fund_currency(data.currency)
    budget = parse_amount(data.budget, "budget", base)
    known = [a.code for a in area_list(ctx)]
    areas: list[str] = []
    for value in data.areas or known:
        match = next((k for k in known if k.casefold() == value.strip().casefold()), None)
        if match is None:
            raise InvalidInput(f"areas: '{value[:20]}' is not a thematic area ({', '.join(known)})")
        if match not in areas:
            areas.append(match)
    opens = data.opens or now().date()
    if data.deadline < opens:
        raise InvalidInput(f"deadline: {data.deadline} is before the call opens ({opens})")
    criteria = [c.criterion for c in data.rubric]
    if len(set(criteria)) != len(criteria):
        raise InvalidInput("rubric: a criterion is named twice")
    year = opens.year
    taken = ctx.session.scalar(
        select(func.count()).select_from(Call).where(Call.ref.like(f"CFP-{year}-%"))
    )
    call = Call(
        ref=f"CFP-{year}-{int(taken or 0) + 1:02d}",
        title=data.title.strip(),
        description=data.description.strip(),
        budget=budget,
        areas=areas,
        opens=opens,
        deadline=data.deadline,
        min_un_entities=data.min_un_entities,
        endorsement_required=data.endorsement_required,
        rubric=[c.model_dump() for c in data.rubric],
        rules=call_rules(ctx, data.rules) if data.rules is not None else {},
        status="open",
        created_by=ctx.actor.name,
        created_at=now(),
    )
    ctx.session.add(call)
    ctx.session.flush()
    audit_record(
        ctx,
        "call_create",
        f"fund_call:{call.ref}",
        None,
        {"budget": str(budget), "areas": areas, "deadline": call.deadline.isoformat()},
    )
    return _call_public(ctx, call)


def call_rules(ctx: Context, rules: RulesIn) -> dict[str, Any]:
    """Check a call's allocation rules and return them as stored: area codes as the fund
    names them, regions as M49 concept ids, amounts as text."""
    known = {a.code.casefold(): a.code for a in area_list(ctx)}
    areas: dict[str, dict[str, float | None]] = {}
    for code, share in rules.area_shares.items():
        match = known.get(code.strip().casefold())
        if match is None:
            raise InvalidInput(
                f"rules.area_shares: '{code[:20]}' is not a thematic area "
                f"({', '.join(known.values())})"
            )
        areas[match] = _share(f"rules.area_shares.{match}", share)
    regions: dict[str, dict[str, float | None]] = {}
    resolve = concept_resolver(ctx, "region")
    for name, share in rules.region_shares.items():
        try:
            region = resolve(name)
        except InvalidInput:
            raise InvalidInput(f"rules.region_shares: unknown region '{name[:40]}'") from None
        regions[region.removeprefix("region:")] = _share(f"rules.region_shares.{name}", share)
    return {
        "area_shares": areas,
        "region_shares": regions,
        "project_cap": str(rules.project_cap) if rules.project_cap is not None else None,
        "gender_min_share": rules.gender_min_share,
        "one_per_country": rules.one_per_country,
        "min_score": rules.min_score,
    }


def _share(field: str, share: ShareIn) -> dict[str, float | None]:
    if share.min is not None and share.max is not None and share.min > share.max:
        raise InvalidInput(f"{field}: the minimum share {share.min} is above the maximum")
    return {"min": share.min, "max": share.max}


def call_list(ctx: Context) -> list[CallPublic]:
    """Every call for proposals, the latest first."""
    calls = ctx.session.scalars(select(Call).order_by(Call.id.desc()))
    return [_call_public(ctx, c) for c in calls]


def call_show(ctx: Context, ref: str) -> CallPublic:
    """One call for proposals."""
    return _call_public(ctx, _call(ctx, ref))


# -- proposals --------------------------------------------------------------------------------


def _proposal(ctx: Context, ref: str) -> Proposal:
    found = ctx.session.scalar(select(Proposal).where(Proposal.ref == str(ref).strip()))
    if found is None:
        raise NotFound(f"no fund proposal '{str(ref)[:40]}'")
    return found


def proposal_public(ctx: Context, proposal: Proposal) -> ProposalPublic:
    """A proposal as shown."""
    from gcmhub.hub.models import SupportRequest

    call = ctx.session.get(Call, proposal.call_id) if proposal.call_id else None
    request = ctx.session.get(SupportRequest, proposal.request_id) if proposal.request_id else None
    return ProposalPublic(
        id=proposal.ref,
        title=proposal.title,
        summary=proposal.summary,
        country=proposal.country,
        call=call.ref if call else None,
        area=proposal.area,
        amount=proposal.amount,
        currency=base_currency(),
        budget_lines=list(proposal.budget_lines or []),
        participating=list(proposal.participating or []),
        partners=list(proposal.partners or []),
        objectives=list(proposal.objectives or []),
        endorsed=proposal.endorsed,
        gender_marker=proposal.gender_marker,
        human_rights_marker=proposal.human_rights_marker,
        child_marker=proposal.child_marker,
        whole_of_government=proposal.whole_of_government,
        whole_of_society=proposal.whole_of_society,
        status=proposal.status,
        submitted_at=proposal.submitted_at,
        decision=proposal.decision,
        decision_note=proposal.decision_note,
        decided_at=proposal.decided_at,
        decided_by=proposal.decided_by,
        request=getattr(request, "ref", None),
    )


def proposal_list(
    ctx: Context, call: str | None = None, status: str | None = None
) -> list[ProposalPublic]:
    """Proposals, perhaps of one call or in one status."""
    query = select(Proposal).order_by(Proposal.id)
    if call:
        query = query.where(Proposal.call_id == _call(ctx, call).id)
    if status:
        query = query.where(Proposal.status == status)
    return [proposal_public(ctx, p) for p in ctx.session.scalars(query) if _readable(ctx, p)]


def _readable(ctx: Context, proposal: Proposal) -> bool:
    """Drafts (perhaps from a private hub request) only for those working on them."""
    return proposal.status != "draft" or allowed(ctx.actor, "proposal_read_draft", proposal)


def proposal_show(ctx: Context, ref: str) -> ProposalPublic:
    """One proposal; a draft is not confirmed to exist to those who may not read it."""
    proposal = _proposal(ctx, ref)
    if not _readable(ctx, proposal):
        raise NotFound(f"no proposal '{ref}'")
    return proposal_public(ctx, proposal)


def _entities(values: list[str], field: str) -> list[str]:
    found: list[str] = []
    for value in values:
        text = " ".join(value.split())
        if not text:
            raise InvalidInput(f"{field}: an empty name")
        if text.casefold() not in {f.casefold() for f in found}:
            found.append(text)
    return found


def proposal_update(ctx: Context, ref: str, data: ProposalUpdate) -> ProposalPublic:
    """Fill a draft proposal: fields given replace what was there; the rest is kept."""
    proposal = _proposal(ctx, ref)
    authorize(ctx, "proposal_write", proposal)
    if proposal.status != "draft":
        raise Conflict(f"proposal {proposal.ref} is {proposal.status}; only a draft is changed")
    base = base_currency()
    _fund_currency(data.currency)
    given = data.model_dump(mode="json", exclude_unset=True)
    call = ctx.session.get(Call, proposal.call_id) if proposal.call_id else None
    if data.call is not None:
        call = _call(ctx, data.call)
        if call.status != "open":
            raise Conflict(f"call {call.ref} is {call.status}; proposals go to an open call")
        proposal.call_id = call.id
    if "amount" in given:
        proposal.amount = None if data.amount is None else parse_amount(data.amount, "amount", base)
    if data.budget_lines is not None:
        proposal.budget_lines = [
            {"item": line.item.strip(), "amount": str(parse_amount(line.amount, "amount", base))}
            for line in data.budget_lines
        ]
    area = data.area if data.area is not None else proposal.area
    if area is not None and call is not None:
        match = next((a for a in call.areas if a.casefold() == area.strip().casefold()), None)
        if match is None:
            raise InvalidInput(
                f"area: '{area[:20]}' is not one of call {call.ref}'s areas "
                f"({', '.join(call.areas)})"
            )
        proposal.area = match
    elif data.area is not None:
        raise InvalidInput("area: choose the proposal's call first (`call`)")
    if proposal.amount is not None and proposal.budget_lines:
        total = sum((Decimal(line["amount"]) for line in proposal.budget_lines), Decimal(0))
        if total != proposal.amount:
            raise InvalidInput(
                f"budget_lines: the lines sum to {total}, the amount is {proposal.amount} {base}"
            )
    if data.title is not None:
        proposal.title = data.title.strip()
    if data.summary is not None:
        proposal.summary = data.summary.strip()
    if data.participating is not None:
        proposal.participating = _entities(data.participating, "participating")
    if data.partners is not None:
        proposal.partners = _entities(data.partners, "partners")
    if data.objectives is not None:
        from gcmhub.hub.concepts import Names

        proposal.objectives = Names(ctx).objectives(data.objectives)
    for name in (*MARKERS, "endorsed", "whole_of_government", "whole_of_society"):
        if name in given:
            setattr(proposal, name, given[name])
    ctx.session.flush()
    audit_record(
        ctx,
        "proposal_update",
        f"fund_proposal:{proposal.ref}",
        None,
        given,
    )
    return proposal_public(ctx, proposal)


def proposal_submit(ctx: Context, ref: str) -> ProposalPublic:
    """Submit a filled proposal to its call, refusing it unless it is complete and eligible."""
    proposal = _proposal(ctx, ref)
    authorize(ctx, "proposal_write", proposal)
    if proposal.status != "draft":
        raise Conflict(f"proposal {proposal.ref} is {proposal.status} already")
    if proposal.call_id is None:
        raise InvalidInput("call: the proposal answers no call yet")
    call = ctx.session.get(Call, proposal.call_id)
    assert call is not None
    today = now().date()
    if call.status != "open" or today > call.deadline:
        raise Conflict(f"call {call.ref} closed: its deadline was {call.deadline.isoformat()}")
    for name in MARKERS:
        if getattr(proposal, name) is None:
            raise InvalidInput(f"{name}: required on every proposal (0-3)")
    if proposal.area is None:
        raise InvalidInput(f"area: choose one of the call's areas ({', '.join(call.areas)})")
    if proposal.amount is None:
        raise InvalidInput("amount: give the amount asked for")
    if not proposal.budget_lines:
        raise InvalidInput("budget_lines: give the budget lines summing to the amount")
    entities = len(proposal.participating or [])
    if entities < call.min_un_entities:
        raise InvalidInput(
            f"participating: call {call.ref} funds joint proposals of at least "
            f"{call.min_un_entities} UN entities; this one has {entities}"
        )
    if call.endorsement_required and not proposal.endorsed:
        raise InvalidInput("endorsed: the recipient government's endorsement is required")
    proposal.status = "submitted"
    proposal.submitted_at = now()
    ctx.session.flush()
    audit_record(
        ctx,
        "proposal_submit",
        f"fund_proposal:{proposal.ref}",
        {"status": "draft"},
        {"status": "submitted", "call": call.ref},
    )
    return proposal_public(ctx, proposal)


# -- appraisal --------------------------------------------------------------------------------


def _weighted_total(call: Call, scores: dict[str, int]) -> float:
    weights = {str(c["criterion"]): int(c["weight"]) for c in call.rubric}
    total = sum(weights[name] * scores[name] for name in weights)
    return round(total / (sum(weights.values()) * MAX_SCORE) * 100, 2)


def review_submit(ctx: Context, ref: str, data: ReviewWrite) -> ReviewPublic:
    """Record a reviewer's appraisal, or their recusal when they declare a conflict."""
    proposal = _proposal(ctx, ref)
    authorize(ctx, "review_write", proposal)
    user = ctx.session.get(User, ctx.actor.user_id) if ctx.actor.user_id else None
    if user is None:
        raise Forbidden("a review is given by a signed-in reviewer")
    organization = (user.organization or "").strip()
    theirs = {o.casefold() for o in [*(proposal.participating or []), *(proposal.partners or [])]}
    if organization and organization.casefold() in theirs:
        raise Forbidden(
            f"{user.username} may not review a proposal of their own organization ({organization})"
        )
    if proposal.status != "submitted":
        raise Conflict(f"proposal {proposal.ref} is {proposal.status}; reviews are of submitted")
    done = ctx.session.scalar(
        select(Review).where(Review.proposal_id == proposal.id, Review.reviewer_id == user.id)
    )
    if done is not None:
        raise Conflict(f"{user.username} reviewed proposal {proposal.ref} already")
    call = ctx.session.get(Call, proposal.call_id) if proposal.call_id else None
    assert call is not None  # a submitted proposal answers a call
    conflict = " ".join(data.conflict.split()) or "none"
    recused = conflict.casefold() != "none"
    scores: dict[str, int] = {}
    total: float | None = None
    if not recused:
        criteria = [str(c["criterion"]) for c in call.rubric]
        for name in criteria:
            if name not in data.scores:
                raise InvalidInput(f"scores.{name}: score every criterion of the rubric (0-5)")
            value = data.scores[name]
            if not 0 <= value <= MAX_SCORE:
                raise InvalidInput(f"scores.{name}: a score is from 0 to 5, not {value}")
        unknown = [k for k in data.scores if k not in criteria]
        if unknown:
            raise InvalidInput(f"scores.{unknown[0][:60]}: not a criterion of call {call.ref}")
        scores = {name: data.scores[name] for name in criteria}
        total = _weighted_total(call, scores)
    review = Review(
        proposal_id=proposal.id,
        reviewer_id=user.id,
        reviewer=user.username,
        organization=organization or None,
        conflict="none" if not recused else conflict,
        scores=scores,
        total=total,
        comment=data.comment.strip(),
        submitted_at=now(),
    )
    ctx.session.add(review)
    ctx.session.flush()
    audit_record(
        ctx,
        "review_submit",
        f"fund_proposal:{proposal.ref}",
        None,
        {"reviewer": user.username, "recused": recused, "total": total},
    )
    return _review_public(review)


def _review_public(review: Review) -> ReviewPublic:
    return ReviewPublic(
        reviewer=review.reviewer,
        organization=review.organization,
        conflict=review.conflict,
        recused=review.conflict != "none",
        scores=dict(review.scores or {}),
        total=review.total,
        comment=review.comment,
        submitted_at=review.submitted_at,
    )


def appraisal(ctx: Context, ref: str) -> AppraisalPublic:
    """The reviews of a proposal, their mean and range, the spread flagged when too wide.

    Reviews and comments are the secretariat's and the fund manager's to read.
    """
    authorize(ctx, "appraisal_read", _proposal(ctx, ref))
    return _appraise(ctx, ref)


def _appraise(ctx: Context, ref: str) -> AppraisalPublic:
    proposal = _proposal(ctx, ref)
    reviews = list(
        ctx.session.scalars(
            select(Review).where(Review.proposal_id == proposal.id).order_by(Review.id)
        )
    )
    totals = [r.total for r in reviews if r.total is not None]
    limit = get_settings().fund_spread
    low = min(totals) if totals else None
    high = max(totals) if totals else None
    spread = round(high - low, 2) if high is not None and low is not None else None
    return AppraisalPublic(
        proposal=proposal.ref,
        scored=len(totals),
        recused=len(reviews) - len(totals),
        mean=round(sum(totals) / len(totals), 2) if totals else None,
        min=low,
        max=high,
        spread=spread,
        spread_limit=limit,
        spread_flagged=spread is not None and spread > limit,
        reviews=[_review_public(r) for r in reviews],
    )


def proposal_decide(ctx: Context, ref: str, data: DecisionWrite) -> ProposalPublic:
    """Record the steering committee's decision on a submitted proposal."""
    proposal = _proposal(ctx, ref)
    authorize(ctx, "proposal_decide", proposal)
    if proposal.status != "submitted":
        raise Conflict(f"proposal {proposal.ref} is {proposal.status}; decisions are on submitted")
    if data.decision == "approved" and _appraise(ctx, ref).scored == 0:
        raise Conflict(f"proposal {proposal.ref} has no review yet; approval follows appraisal")
    proposal.status = data.decision
    proposal.decision = data.decision
    proposal.decision_note = data.note.strip()
    proposal.decided_at = now()
    proposal.decided_by = ctx.actor.name
    ctx.session.flush()
    audit_record(
        ctx,
        "proposal_decide",
        f"fund_proposal:{proposal.ref}",
        {"status": "submitted"},
        {"status": data.decision, "note": proposal.decision_note},
    )
    return proposal_public(ctx, proposal)


def pipeline(ctx: Context) -> list[PipelineRow]:
    """Approved proposals with no transfer yet: the pipeline waiting for money."""
    funded = set(
        ctx.session.scalars(
            select(Transaction.reference).where(
                Transaction.kind == "transfer", Transaction.reference.is_not(None)
            )
        )
    )
    rows: list[PipelineRow] = []
    query = select(Proposal).where(Proposal.status == "approved").order_by(Proposal.decided_at)
    # "approved" and not "funded": no money allocated yet (a transfer outside any allocation
    # also takes a proposal off the pipeline)
    for proposal in ctx.session.scalars(query):
        if proposal.ref in funded:
            continue
        call = ctx.session.get(Call, proposal.call_id) if proposal.call_id else None
        rows.append(
            PipelineRow(
                id=proposal.ref,
                title=proposal.title,
                call=call.ref if call else None,
                area=proposal.area,
                country=proposal.country,
                amount=proposal.amount,
                currency=base_currency(),
                score=_appraise(ctx, proposal.ref).mean,
                gender_marker=proposal.gender_marker,
                human_rights_marker=proposal.human_rights_marker,
                child_marker=proposal.child_marker,
                decided_at=proposal.decided_at,
            )
        )
    return rows
