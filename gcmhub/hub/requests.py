"""Requests for support: filing, reading, editing, and moving them through the workflow.

Every change is one transaction with its audit entry, its event on the request's history and
its notices (in the application, and by email once the transaction has committed).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.accounts.models import User
from gcmhub.accounts.notices import notify
from gcmhub.auth import allowed, authorize
from gcmhub.context import Context
from gcmhub.errors import Conflict, InvalidInput, NotFound
from gcmhub.hub.auth import RequestScope, request_follow
from gcmhub.hub.concepts import Names, concept_refs, country_regions
from gcmhub.hub.models import Attachment, Engagement, Provider, RequestEvent, SupportRequest
from gcmhub.hub.schemas import (
    AttachmentPublic,
    CommentWrite,
    EngagementPublic,
    EngageWrite,
    EventPublic,
    RequestPublic,
    RequestUpdate,
    RequestWrite,
    StepRequest,
    Suggested,
)
from gcmhub.hub.vocabulary import LANGUAGES, MODALITIES, SUPPORT_TYPES, checked
from gcmhub.hub.workflow import REQUEST_STATES, REQUESTER_STEPS, request_workflow
from gcmhub.mail import mail_compose
from gcmhub.settings import get_settings
from gcmhub.text.language import detect_language

SUGGEST_MIN_SCORE = 0.2  # objective suggestions below this are not shown
SUGGEST_COUNT = 3


def _ref(ctx: Context) -> str:
    year = now().year
    count = ctx.session.scalar(select(func.count()).select_from(SupportRequest)) or 0
    return f"R-{year}-{count + 1:04d}-{secrets.token_hex(2)}"


def _title(need: str) -> str:
    first = re.split(r"(?<=[.!?。])\s", need.strip(), maxsplit=1)[0]
    return first if len(first) <= 120 else first[:117].rstrip() + "…"


def _suggest(ctx: Context, need: str) -> list[dict[str, Any]]:
    """Suggest objectives from the need's text (the objective tagger on its embedding)."""
    from gcmhub.knowledge.actions import tag_suggest
    from gcmhub.knowledge.schemas import TagRequest

    found = tag_suggest(ctx, TagRequest(scheme="objective", texts=[need], k=SUGGEST_COUNT))
    return [
        {"concept": s.concept, "label": s.label, "score": round(s.score, 3)}
        for s in found.suggestions[0]
        if s.score >= SUGGEST_MIN_SCORE
    ]


def engaged_owners(ctx: Context, request_ids: list[int] | None = None) -> dict[int, set[int]]:
    """Return, per request, the accounts owning a provider engaged on it (one query)."""
    query = (
        select(Engagement.request_id, Provider.owner_id)
        .join(Provider, Provider.id == Engagement.provider_id)
        .where(Engagement.status != "dropped", Provider.owner_id.is_not(None))
    )
    if request_ids is not None:
        query = query.where(Engagement.request_id.in_(request_ids))
    found: dict[int, set[int]] = {}
    for request_id, owner in ctx.session.execute(query):
        if owner is not None:
            found.setdefault(request_id, set()).add(owner)
    return found


def scope_of(
    ctx: Context,
    request: SupportRequest,
    target: str | None = None,
    owners: set[int] | None = None,
) -> RequestScope:
    """Return what the rules look at for a request (`owners`: engaged owners, if known)."""
    if owners is None:
        owners = engaged_owners(ctx, [request.id]).get(request.id, set())
    return RequestScope(
        request.country,
        request.requester_id,
        request.confidentiality,
        frozenset(owners),
        target,
    )


def _get(ctx: Context, ref: str) -> SupportRequest:
    found = ctx.session.scalar(select(SupportRequest).where(SupportRequest.ref == ref))
    if found is None:
        raise NotFound(f"no request '{ref}'")
    return found


def _readable(ctx: Context, ref: str) -> tuple[SupportRequest, RequestScope]:
    request = _get(ctx, ref)
    scope = scope_of(ctx, request)
    if not allowed(ctx.actor, "request_read", scope):
        raise NotFound(f"no request '{ref}'")  # a private request is not confirmed to exist
    return request, scope


def _event(
    ctx: Context,
    request: SupportRequest,
    kind: str,
    text: str = "",
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    internal: bool = False,
) -> None:
    ctx.session.add(
        RequestEvent(
            request_id=request.id,
            at=now(),
            actor=ctx.actor.name,
            kind=kind,
            from_state=from_state,
            to_state=to_state,
            text=text,
            internal=internal,
        )
    )
    request.updated_at = now()


def _snapshot(request: SupportRequest) -> dict[str, Any]:
    return {
        "state": request.state,
        "country": request.country,
        "objectives": request.objectives,
        "support_types": request.support_types,
        "confidentiality": request.confidentiality,
        "assignee_id": request.assignee_id,
        "rating": request.rating,
    }


def _secretariat_ids(ctx: Context) -> list[int]:
    users = ctx.session.execute(select(User.id, User.roles).where(User.active))
    return [uid for uid, roles in users if {"curator", "admin"} & set(roles or [])]


def _participant_ids(ctx: Context, request: SupportRequest, scope: RequestScope) -> list[int]:
    """People who follow a request: the requester, the country's focal points, the assignee,
    the engaged providers' owners."""
    ids = {request.requester_id, request.assignee_id, *scope.engaged_owners}
    for uid, roles, countries in ctx.session.execute(
        select(User.id, User.roles, User.countries).where(User.active)
    ):
        if "focal_point" in (roles or []) and request.country in (countries or []):
            ids.add(uid)
    return [i for i in ids if i is not None]


def _lists(names: Names, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if data.get("objectives") is not None:
        out["objectives"] = names.objectives(data["objectives"])
    if data.get("support_types") is not None:
        out["support_types"] = checked("support_types", data["support_types"], SUPPORT_TYPES)
    if data.get("languages") is not None:
        out["languages"] = checked("languages", data["languages"], LANGUAGES)
    if data.get("modalities") is not None:
        out["modalities"] = checked("modalities", data["modalities"], MODALITIES)
    return out


def _languages(data: RequestWrite, lists: dict[str, Any], detected: str | None) -> list[str]:
    """The languages given, or else the language the need is written in."""
    if "languages" in data.model_fields_set and lists.get("languages"):
        return list(lists["languages"])
    return [detected] if detected in LANGUAGES else []


def request_create(ctx: Context, data: RequestWrite) -> RequestPublic:
    """File a request for support; its objectives are suggested from the need's text.

    A focal point files for its own countries only (403 otherwise, nothing stored). Contact
    details are kept only with the contact person's consent.
    """
    names = Names(ctx)
    country = names.country(data.country)
    authorize(ctx, "request_create", RequestScope(country, ctx.actor.user_id))
    if (data.contact_name or data.contact_email) and not data.contact_consent:
        raise InvalidInput("contact: a contact person is stored only with their consent")
    if data.start and data.end and data.end < data.start:
        raise InvalidInput("end: the timeline ends before it starts")
    lists = _lists(names, data.model_dump())
    language = detect_language(data.need)
    stamp = now()
    workflow = request_workflow()
    request = SupportRequest(
        ref=_ref(ctx),
        title=(data.title or "").strip() or _title(data.need),
        country=country,
        institution=data.institution.strip(),
        contact_name=data.contact_name if data.contact_consent else None,
        contact_email=str(data.contact_email)
        if data.contact_consent and data.contact_email
        else None,
        contact_consent_at=stamp if data.contact_consent else None,
        need=data.need.strip(),
        language=language,
        suggested=_suggest(ctx, data.need),
        start=data.start,
        end=data.end,
        confidentiality=data.confidentiality,
        state=workflow.initial,
        state_since=stamp,
        due_at=workflow.deadline(workflow.initial, stamp),
        requester_id=ctx.actor.user_id,
        created_at=stamp,
        updated_at=stamp,
        **{"objectives": [], **lists, "languages": _languages(data, lists, language)},
    )
    ctx.session.add(request)
    ctx.session.flush()
    _event(ctx, request, "step", "request filed", to_state=request.state)
    audit_record(ctx, "request_create", f"request:{request.ref}", None, _snapshot(request))
    notify(
        ctx,
        _secretariat_ids(ctx),
        f"New request {request.ref} from {country}: {request.title}",
        "A Member State asked the hub for support. Assess and triage it.",
        f"/hub/requests/{request.ref}",
    )
    return request_show(ctx, request.ref)


def request_show(ctx: Context, ref: str) -> RequestPublic:
    """Return a request as the reader may see it; private ones only to those taking part."""
    request, scope = _readable(ctx, ref)
    inside = request_follow(ctx.actor, scope)
    return _public(ctx, request, scope, inside)


def _public(
    ctx: Context, request: SupportRequest, scope: RequestScope, inside: bool
) -> RequestPublic:
    anonymous = request.confidentiality == "anonymised" and not inside
    secretariat = ctx.actor.has("curator")
    workflow = request_workflow()
    steps = [
        s
        for s in workflow.allowed(request.state)
        if allowed(ctx.actor, "request_step", RequestScope(**{**scope.__dict__, "target_state": s}))
    ]
    events = ctx.session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == request.id).order_by(RequestEvent.id)
    )
    assignee = ctx.session.get(User, request.assignee_id) if request.assignee_id else None
    return RequestPublic(
        id=request.ref,
        title=request.title,
        country=None
        if anonymous
        else next(iter(concept_refs(ctx, [f"country:{request.country}"])), None),
        regions=concept_refs(ctx, country_regions(ctx, request.country)),
        institution=None if anonymous else request.institution,
        contact_name=request.contact_name if inside else None,
        contact_email=request.contact_email if inside else None,
        need=request.need,
        language=request.language,
        objectives=concept_refs(ctx, request.objectives),
        suggested=[Suggested(**s) for s in request.suggested],
        support_types=request.support_types,
        languages=request.languages,
        modalities=request.modalities,
        start=request.start,
        end=request.end,
        confidentiality=request.confidentiality,
        state=request.state,
        state_since=request.state_since,
        due_at=request.due_at,
        overdue=overdue(request),
        assignee=assignee.username if assignee and inside else None,
        steps=steps,
        rating=request.rating,
        lessons=request.lessons,
        solution=request.solution_ref,
        proposal=request.proposal_ref if inside else None,
        created_at=request.created_at,
        updated_at=request.updated_at,
        events=[
            # Outside readers see the steps only, without who took them (a requester's
            # account name could tell who asked).
            EventPublic.model_validate(e, from_attributes=True)
            if inside
            else EventPublic.model_validate(e, from_attributes=True).model_copy(
                update={"actor": ""}
            )
            for e in events
            if (inside and (secretariat or not e.internal)) or (not inside and e.kind == "step")
        ],
        attachments=[
            AttachmentPublic.model_validate(a, from_attributes=True)
            for a in ctx.session.scalars(
                select(Attachment).where(Attachment.request_id == request.id)
            )
        ]
        if inside
        else [],
        plan=request_plan(ctx, request),
    )


def overdue(request: SupportRequest, at: datetime | None = None) -> bool:
    """Whether a request has stayed in its state past the state's deadline."""
    return request.due_at is not None and (at or now()) > request.due_at


def request_plan(ctx: Context, request: SupportRequest) -> list[EngagementPublic]:
    """Return who does what in answering a request (engagements not dropped)."""
    rows = ctx.session.execute(
        select(Engagement, Provider)
        .join(Provider, Provider.id == Engagement.provider_id)
        .where(Engagement.request_id == request.id, Engagement.status != "dropped")
        .order_by(Engagement.id)
    )
    return [
        EngagementPublic(
            provider=p.ref,
            provider_name=p.name,
            parts=e.parts,
            role=e.role,
            status=e.status,
            score=e.score,
            rating=e.rating,
        )
        for e, p in rows
    ]


def request_update(ctx: Context, ref: str, changes: RequestUpdate) -> RequestPublic:
    """Change a request: confirm its objectives, refine the need, timeline or confidentiality.

    The requesting country changes it until it is matched; the secretariat at any time
    before it is closed.
    """
    request = _get(ctx, ref)
    scope = scope_of(ctx, request)
    authorize(ctx, "request_update", scope)
    if request_workflow().terminal(request.state):
        raise Conflict(f"request {ref} is {request.state}; it can no longer change")
    if not ctx.actor.has("curator") and request.state not in ("submitted", "triaged"):
        raise Conflict(f"request {ref} is {request.state}; ask the secretariat to change it")
    before = _snapshot(request)
    data = changes.model_dump(exclude_unset=True)
    for name, value in _lists(Names(ctx), data).items():
        setattr(request, name, value)
    for name in ("title", "start", "end", "confidentiality"):
        if data.get(name) is not None:
            setattr(request, name, data[name])
    if data.get("need"):
        request.need = data["need"].strip()
        request.suggested = _suggest(ctx, request.need)
        request.language = detect_language(request.need)
    if request.start and request.end and request.end < request.start:
        raise InvalidInput("end: the timeline ends before it starts")
    _event(ctx, request, "edit", "changed: " + ", ".join(sorted(data)))
    audit_record(ctx, "request_update", f"request:{ref}", before, _snapshot(request))
    return request_show(ctx, ref)


def request_step(ctx: Context, ref: str, step: StepRequest) -> RequestPublic:
    """Move a request to another state, if the workflow and the actor's role allow it.

    Matching needs a provider in the plan, starting work a confirmed one; closing records
    the requester's rating (1-5), lessons and a rating per engaged provider, which later
    rankings use.
    """
    request = _get(ctx, ref)
    if step.to not in REQUEST_STATES:
        raise InvalidInput(f"to: '{step.to}' is not a state; states: {', '.join(REQUEST_STATES)}")
    scope = scope_of(ctx, request, step.to)
    if not allowed(ctx.actor, "request_read", scope):
        raise NotFound(f"no request '{ref}'")
    workflow = request_workflow()
    workflow.check(request.state, step.to)
    authorize(ctx, "request_step", scope)
    plan = request_plan(ctx, request)
    if step.to == "matched" and not plan:
        raise Conflict(f"request {ref} has no provider in its plan yet; add one, then match")
    if step.to == "in_progress" and not any(e.status == "confirmed" for e in plan):
        raise Conflict(f"request {ref}: confirm at least one provider before work starts")
    if step.to in ("declined", "withdrawn") and not step.note.strip():
        raise InvalidInput(f"note: say why the request is {step.to}")
    before = _snapshot(request)
    if step.to == "closed":
        _close(ctx, request, step)
    previous, stamp = request.state, now()
    request.state, request.state_since = step.to, stamp
    request.due_at = workflow.deadline(step.to, stamp)
    _event(ctx, request, "step", step.note, from_state=previous, to_state=step.to)
    audit_record(ctx, "request_step", f"request:{ref}", before, _snapshot(request))
    subject = f"Request {ref} is now {step.to.replace('_', ' ')}"
    body = f"{request.title}\n{previous} -> {step.to}" + (f"\n{step.note}" if step.note else "")
    notify(ctx, _participant_ids(ctx, request, scope), subject, body, f"/hub/requests/{ref}")
    if request.contact_email and request.contact_consent_at:  # the contact person, by email
        link = get_settings().public_url.rstrip("/") + f"/hub/requests/{ref}"
        ctx.outbox.append(mail_compose(request.contact_email, subject, f"{body}\n\n{link}\n"))
    return request_show(ctx, ref)


def _close(ctx: Context, request: SupportRequest, step: StepRequest) -> None:
    country_side = step.to in REQUESTER_STEPS and not ctx.actor.has("curator")
    if step.rating is None and (country_side or not step.note.strip()):
        raise InvalidInput("rating: rate the support from 1 to 5 to close the request")
    engaged = {
        p.ref: e
        for e, p in ctx.session.execute(
            select(Engagement, Provider)
            .join(Provider, Provider.id == Engagement.provider_id)
            .where(Engagement.request_id == request.id, Engagement.status != "dropped")
        )
    }
    unknown = set(step.provider_ratings) - set(engaged)
    if unknown:
        raise InvalidInput(
            f"provider_ratings: not engaged on this request: {', '.join(sorted(unknown))}"
        )
    for value in step.provider_ratings.values():
        if not 1 <= value <= 5:
            raise InvalidInput("provider_ratings: each rating is from 1 to 5")
    for provider_ref, engagement in engaged.items():
        engagement.status = "done"
        if provider_ref in step.provider_ratings:
            engagement.rating = step.provider_ratings[provider_ref]
        elif step.rating is not None and engagement.rating is None:
            engagement.rating = step.rating  # the overall rating stands for each provider
    request.rating, request.lessons = step.rating, step.lessons


def request_assign(ctx: Context, ref: str, username: str | None) -> RequestPublic:
    """Assign a request to a member of the secretariat (or to nobody)."""
    request = _get(ctx, ref)
    authorize(ctx, "request_assign", scope_of(ctx, request))
    before = _snapshot(request)
    if username:
        user = ctx.session.scalar(select(User).where(User.username == username, User.active))
        if user is None or not {"curator", "admin"} & set(user.roles):
            raise InvalidInput(f"assignee: '{username}' is not an active member of the secretariat")
        request.assignee_id = user.id
    else:
        request.assignee_id = None
    _event(ctx, request, "assign", f"assigned to {username or 'nobody'}", internal=True)
    audit_record(ctx, "request_assign", f"request:{ref}", before, _snapshot(request))
    notify(
        ctx,
        [request.assignee_id],
        f"Request {ref} is assigned to you",
        request.title,
        f"/hub/requests/{ref}",
    )
    return request_show(ctx, ref)


def request_comment(ctx: Context, ref: str, comment: CommentWrite) -> RequestPublic:
    """Add a comment; an internal one is seen by the secretariat only."""
    request = _get(ctx, ref)
    scope = scope_of(ctx, request)
    if not allowed(ctx.actor, "request_read", scope):
        raise NotFound(f"no request '{ref}'")
    authorize(ctx, "request_comment", scope)
    if comment.internal and not ctx.actor.has("curator"):
        raise InvalidInput("internal: only the secretariat writes internal notes")
    _event(ctx, request, "comment", comment.text.strip(), internal=comment.internal)
    audit_record(ctx, "request_comment", f"request:{ref}", None, {"internal": comment.internal})
    readers = _secretariat_ids(ctx) if comment.internal else _participant_ids(ctx, request, scope)
    if comment.internal and request.assignee_id:
        readers = [request.assignee_id]
    notify(
        ctx,
        readers,
        f"New comment on request {ref}",
        comment.text[:500],
        f"/hub/requests/{ref}",
    )
    return request_show(ctx, ref)


def request_engage(ctx: Context, ref: str, data: EngageWrite) -> RequestPublic:
    """Put a provider in a request's plan, change its part, confirm or drop it."""
    request = _get(ctx, ref)
    authorize(ctx, "request_engage", scope_of(ctx, request))
    if request_workflow().terminal(request.state) or request.state == "resolved":
        raise Conflict(f"request {ref} is {request.state}; its plan can no longer change")
    provider = ctx.session.scalar(select(Provider).where(Provider.ref == data.provider))
    if provider is None:
        raise InvalidInput(f"provider: no provider '{data.provider}'")
    if data.status in ("proposed", "confirmed") and (
        not provider.active or provider.consent_at is None
    ):
        raise Conflict(
            f"provider {provider.ref} is not available to be engaged (no consent or inactive)"
        )
    parts = _parts_checked(request, data.parts) if data.parts is not None else None
    engagement = ctx.session.scalar(
        select(Engagement).where(
            Engagement.request_id == request.id, Engagement.provider_id == provider.id
        )
    )
    before = None
    if engagement is None:
        engagement = Engagement(
            request_id=request.id, provider_id=provider.id, created_at=now(), status=data.status
        )
        ctx.session.add(engagement)
    else:
        before = {"status": engagement.status, "parts": engagement.parts}
    if parts is not None or before is None:
        engagement.parts = parts or []
    if data.role is not None or before is None:
        engagement.role = data.role or ""
    engagement.status = data.status
    ctx.session.flush()
    _event(
        ctx,
        request,
        "engage",
        f"{provider.name}: {data.status}" + (f" ({engagement.role})" if engagement.role else ""),
    )
    audit_record(
        ctx,
        "request_engage",
        f"request:{ref}",
        before,
        {"provider": provider.ref, "status": data.status, "parts": engagement.parts},
    )
    notify(
        ctx,
        [provider.owner_id],
        f"{provider.name} is {data.status} for request {ref}",
        f"{request.title}\n{engagement.role}",
        f"/hub/requests/{ref}",
    )
    return request_show(ctx, ref)


def request_parts(request: SupportRequest) -> list[str]:
    """The parts a full answer must cover: each objective and each kind of support."""
    objectives = request.objectives or [s["concept"] for s in request.suggested]
    return [*objectives, *request.support_types]


def _parts_checked(request: SupportRequest, parts: list[str]) -> list[str]:
    known = request_parts(request)
    wrong = [p for p in parts if p not in known]
    if wrong:
        raise InvalidInput(
            f"parts: not parts of this request: {', '.join(wrong)}; parts: {', '.join(known)}"
        )
    return parts


def request_stats(ctx: Context) -> dict[str, int]:
    """Count requests by state."""
    rows = ctx.session.execute(
        select(SupportRequest.state, func.count()).group_by(SupportRequest.state)
    )
    counts = dict.fromkeys(REQUEST_STATES, 0)
    counts.update({state: int(n) for state, n in rows})
    return counts


def request_remind(ctx: Context) -> list[str]:
    """Remind the assignee (or the whole secretariat) of each overdue request, once per state.

    Meant for a daily timer (`gcmhub hub remind`); returns the requests reminded about.
    """
    stamp = now()
    reminded = []
    for request in ctx.session.scalars(
        select(SupportRequest).where(
            SupportRequest.due_at.is_not(None), SupportRequest.due_at < stamp
        )
    ):
        already = ctx.session.scalar(
            select(func.count()).where(
                RequestEvent.request_id == request.id,
                RequestEvent.kind == "remind",
                RequestEvent.at >= request.state_since,
            )
        )
        if already:
            continue
        days = (stamp - request.state_since).days
        _event(ctx, request, "remind", f"overdue: {days} days {request.state}", internal=True)
        notify(
            ctx,
            [request.assignee_id] if request.assignee_id else _secretariat_ids(ctx),
            f"Overdue: request {request.ref} has been {request.state} for {days} days",
            request.title,
            f"/hub/requests/{request.ref}",
        )
        reminded.append(request.ref)
    return reminded
