"""What a request hands on: a solution to the knowledge platform, a proposal to the fund."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.auth import authorize
from gcmhub.context import Context
from gcmhub.errors import Conflict
from gcmhub.fund.models import Proposal
from gcmhub.hub.concepts import concept_refs, country_regions
from gcmhub.hub.requests import _event, _get, request_plan, request_show, scope_of
from gcmhub.hub.schemas import RequestPublic
from gcmhub.hub.vocabulary import SUPPORT_TYPES
from gcmhub.knowledge.schemas import ItemCreate


def request_publish(ctx: Context, ref: str) -> RequestPublic:
    """Publish a resolved or closed request as a knowledge item of type "solution".

    A private or anonymised request is published anonymised: the region instead of the
    country, no institution and no contact; the need, the plan and the lessons remain.
    """
    from gcmhub.knowledge.editing import item_create

    request = _get(ctx, ref)
    authorize(ctx, "request_publish", scope_of(ctx, request))
    if request.state not in ("resolved", "closed"):
        raise Conflict(f"request {ref} is {request.state}; only a resolved request is published")
    if request.solution_ref:
        raise Conflict(f"request {ref} is published already as {request.solution_ref}")
    anonymous = request.confidentiality != "public"
    if anonymous:
        regions = concept_refs(ctx, country_regions(ctx, request.country))
        where = regions[0].label if regions else "a Member State"
        who = f"A government institution in {where}"
    else:
        country = concept_refs(ctx, [f"country:{request.country}"])
        who = f"{request.institution}, {country[0].label if country else request.country}"
    plan = request_plan(ctx, request)
    lines = [
        f"Need ({who}): {request.need}",
        "Support asked: " + ", ".join(SUPPORT_TYPES[s] for s in request.support_types) + ".",
    ]
    if plan:
        lines.append(
            "Who did what: "
            + "; ".join(f"{e.provider_name}" + (f" ({e.role})" if e.role else "") for e in plan)
            + "."
        )
    if request.lessons:
        lines.append(f"Lessons: {request.lessons}")
    if request.rating:
        lines.append(f"The requester rated the support {request.rating} out of 5.")
    item = item_create(
        ctx,
        ItemCreate(
            title=f"Solution: {request.title}",
            text="\n\n".join(lines),
            type="solution",
            publisher="GCM Hub connection hub",
            countries=[] if anonymous else [request.country],
            objectives=[o.split(":", 1)[1] for o in request.objectives],
        ),
    )
    request.solution_ref = item.id
    _event(ctx, request, "publish", f"published as knowledge item {item.id}")
    audit_record(ctx, "request_publish", f"request:{ref}", None, {"item": item.id})
    return request_show(ctx, ref)


def request_fund(ctx: Context, ref: str) -> RequestPublic:
    """Open a draft start-up fund proposal from a matched request (paragraph 43(a)(v))."""
    request = _get(ctx, ref)
    authorize(ctx, "request_fund", scope_of(ctx, request))
    if request.state not in ("matched", "in_progress"):
        raise Conflict(
            f"request {ref} is {request.state}; a fund proposal is opened once it is matched"
        )
    if request.proposal_ref:
        raise Conflict(f"request {ref} opened fund proposal {request.proposal_ref} already")
    taken = set(ctx.session.scalars(select(Proposal.ref)))
    proposal_ref = f"P-{now().year}-{len(taken) + 1:04d}-{secrets.token_hex(2)}"
    proposal = Proposal(
        ref=proposal_ref,
        title=request.title,
        summary=request.need,
        country=request.country,
        objectives=request.objectives,
        partners=[e.provider_name for e in request_plan(ctx, request) if e.status != "dropped"],
        request_id=request.id,
        status="draft",
        created_by=ctx.actor.name,
        created_at=now(),
    )
    ctx.session.add(proposal)
    request.proposal_ref = proposal_ref
    _event(ctx, request, "fund", f"draft fund proposal {proposal_ref} opened")
    audit_record(
        ctx, "request_fund", f"request:{ref}", None, {"proposal": proposal_ref, "status": "draft"}
    )
    return request_show(ctx, ref)
