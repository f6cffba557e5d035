"""Follows: a person follows an objective, an area, both ("objective 6 in Western Africa"),
or an organization, and receives a digest of what is new there (gcmhub/community/digests.py).

Each follow has a canonical `key` (`objective=6;area=202`, `organization=12`), one per person
and topic, so following the same thing twice is a 409 however it was named (`6`,
`objective:6` or the objective's title; `SEN` or `Senegal`). Only the person who follows
something sees or removes that follow: another person's follow is a 404 to them.

The follow button on other pages
--------------------------------
A page that wants a Follow button (an organization's page, an objective's page) calls::

    from gcmhub.community.follows import follow_context
    follow = follow_context(ctx, organization_id=organization.id)   # or objective=, area=
    return render(request, "their_page.html", ..., follow=follow)

and includes the snippet where the button goes::

    {% include "community_follow_button.html" %}

`follow_context` returns a dict with `signed_in` (bool), `following` (the follow's id, or
None), `label` (what is followed, in words), `fields` (the hidden form fields: objective,
area or organization) and `link` (the topic's page). The snippet shows "Follow" (a form
posting to `/community/follows`), "Following (unfollow)" (a form posting to
`/community/follows/{id}/delete`), or "Sign in to follow" for the public; either form
returns to the page it was sent from. It needs `request` and `session_csrf`, which
`gcmhub.web.templating.render` provides. A bad objective, area or organization raises
InvalidInput / NotFound, as the follow itself would.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.auth import authorize
from gcmhub.community.connection_schemas import AreaRef, FollowPublic, FollowWrite, ObjectiveRef
from gcmhub.community.connections import (
    Topic,
    area_resolve,
    objective_resolve,
    topic_label,
    topic_link,
)
from gcmhub.community.models import Follow, Organization
from gcmhub.community.organizations import organization_show
from gcmhub.context import Context
from gcmhub.errors import Conflict, InvalidInput, NotFound, Unauthorized
from gcmhub.taxonomy.actions import concept_closures


def follow_key(topic: Topic) -> str:
    """The canonical form of a topic: one follow per person and key."""
    if topic.organization_id is not None:
        return f"organization={topic.organization_id}"
    parts = []
    if topic.objective:
        parts.append(f"objective={topic.objective.code}")
    if topic.area:
        parts.append(f"area={topic.area.code}")
    return ";".join(parts)


def _topic(
    ctx: Context, objective: str | None, area: str | None, organization_id: int | None
) -> tuple[Topic, str | None]:
    """Resolve what is to be followed; return the topic and the organization's name."""
    objective = (objective or "").strip() or None
    area = (area or "").strip() or None
    if organization_id is not None:
        if objective or area:
            raise InvalidInput(
                "organization: follow an organization alone, without an objective or an area"
            )
        found = organization_show(ctx, organization_id)  # 404 unless the reader may see it
        if found.status != "approved":
            raise InvalidInput(
                f"organization: {found.name} is {found.status}; follow it once approved"
            )
        return Topic(organization_id=organization_id), found.name
    if not objective and not area:
        raise InvalidInput("objective, area, organization: say what to follow")
    return Topic(
        objective=objective_resolve(ctx, objective) if objective else None,
        area=area_resolve(ctx, area) if area else None,
    ), None


def _area_ref(ctx: Context, code: str) -> AreaRef:
    closures = concept_closures(ctx)
    kind = "region" if code.isdigit() else "country"
    found = closures.get(f"{kind}:{code}")
    return AreaRef(code=code, kind=kind, label=found.label if found else code)


def follow_topic(ctx: Context, row: Follow) -> Topic:
    """The topic a stored follow is about."""
    objective = None
    if row.objective:
        found = concept_closures(ctx).get(row.objective)
        code = row.objective.split(":", 1)[1]
        objective = ObjectiveRef(id=row.objective, code=code, label=found.label if found else code)
    return Topic(
        objective=objective,
        area=_area_ref(ctx, row.area) if row.area else None,
        organization_id=row.organization_id,
    )


def follow_public(ctx: Context, row: Follow) -> FollowPublic:
    """A follow as its person sees it."""
    topic = follow_topic(ctx, row)
    name = None
    if row.organization_id is not None:
        organization = ctx.session.get(Organization, row.organization_id)
        name = organization.name if organization else None
    return FollowPublic(
        id=row.id,
        key=row.key,
        label=topic_label(topic, name),
        objective=topic.objective,
        area=topic.area,
        organization=row.organization_id,
        organization_name=name,
        link=topic_link(topic),
        created_at=row.created_at,
        digest_from=row.digest_from,
    )


def _mine(ctx: Context, key: str) -> Follow | None:
    return ctx.session.scalar(
        select(Follow).where(Follow.user_id == ctx.actor.user_id, Follow.key == key)
    )


def follow_create(ctx: Context, data: FollowWrite) -> FollowPublic:
    """Follow an objective, an area, both, or an organization (409 when already followed)."""
    authorize(ctx, "follow_create")
    topic, name = _topic(ctx, data.objective, data.area, data.organization)
    key = follow_key(topic)
    if _mine(ctx, key) is not None:
        raise Conflict(f"already followed: {topic_label(topic, name)}")
    stamp = now()
    row = Follow(
        user_id=ctx.actor.user_id,
        key=key,
        objective=topic.objective.id if topic.objective else None,
        area=topic.area.code if topic.area else None,
        organization_id=topic.organization_id,
        created_at=stamp,
        # Whole seconds: some news carry times stored to the second (items), and one made in
        # the same second as the follow is news for it.
        digest_from=stamp.replace(microsecond=0),
    )
    ctx.session.add(row)
    ctx.session.flush()
    audit_record(ctx, "follow_create", f"follow:{row.id}", None, {"key": key})
    return follow_public(ctx, row)


def follow_list(ctx: Context) -> list[FollowPublic]:
    """What the acting person follows, in the order they followed it."""
    if ctx.actor.user_id is None:
        raise Unauthorized("sign in to see what you follow")
    rows = ctx.session.scalars(
        select(Follow).where(Follow.user_id == ctx.actor.user_id).order_by(Follow.id)
    )
    return [follow_public(ctx, row) for row in rows]


def follow_delete(ctx: Context, follow_id: int) -> None:
    """Unfollow: only one's own follows (another person's is a 404)."""
    authorize(ctx, "follow_delete")
    row = ctx.session.get(Follow, follow_id)
    if row is None or row.user_id != ctx.actor.user_id:
        raise NotFound(f"no follow {follow_id} of yours")
    audit_record(ctx, "follow_delete", f"follow:{row.id}", {"key": row.key}, None)
    ctx.session.delete(row)
    ctx.session.flush()


def follow_context(
    ctx: Context,
    objective: str | None = None,
    area: str | None = None,
    organization_id: int | None = None,
) -> dict[str, Any]:
    """What the follow button snippet needs for a topic (see the module's docstring)."""
    topic, name = _topic(ctx, objective, area, organization_id)
    fields: dict[str, str] = {}
    if topic.objective:
        fields["objective"] = topic.objective.code
    if topic.area:
        fields["area"] = topic.area.code
    if topic.organization_id is not None:
        fields["organization"] = str(topic.organization_id)
    mine = _mine(ctx, follow_key(topic)) if ctx.actor.user_id is not None else None
    return {
        "signed_in": ctx.actor.user_id is not None,
        "following": mine.id if mine else None,
        "label": topic_label(topic, name),
        "fields": fields,
        "link": topic_link(topic),
    }
