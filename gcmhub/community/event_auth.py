"""Who may record events and pledges, and change them.

Anyone signed in records an event; its owner (who recorded it) or curators edit it, record
its outcomes and cancel it. A pledge is made by a country's focal point for their own
countries (member_state pledges), by whoever registered an approved organization of the
directory for that organization, or by curators for anyone. Progress on a pledge is reported
by its owner, the pledging country's focal points and curators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gcmhub.auth import rule
from gcmhub.context import Actor


@dataclass(frozen=True)
class EventScope:
    """Who recorded an event."""

    owner_id: int | None


@dataclass(frozen=True)
class PledgeScope:
    """Who pledges: the pledging State (member_state pledges) or the organization's registrant,
    and who recorded the pledge (None while it is being made)."""

    owner_id: int | None
    country: str | None
    organization_owner_id: int | None = None


def _focal_point_of(actor: Actor, country: str | None) -> bool:
    return "focal_point" in actor.roles and country is not None and country in actor.countries


@rule("event_create", "anyone signed in records an event")
def event_create(actor: Actor, scope: Any) -> bool:
    return actor.signed_in


@rule("event_edit", "who recorded the event and curators edit it, add outcomes or cancel it")
def event_edit(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, EventScope)
    if actor.has("curator"):
        return True
    return actor.user_id is not None and actor.user_id == scope.owner_id


@rule(
    "community_pledge_create",
    "focal points pledge for their own countries, an organization's registrant for it; "
    "curators for anyone",
)
def community_pledge_create(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, PledgeScope)
    if actor.has("curator"):
        return True
    if scope.organization_owner_id is not None:
        return actor.user_id is not None and actor.user_id == scope.organization_owner_id
    return _focal_point_of(actor, scope.country)


@rule(
    "community_pledge_update",
    "who recorded the pledge, the pledging country's focal points and curators report progress",
)
def community_pledge_update(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, PledgeScope)
    if actor.has("curator") or _focal_point_of(actor, scope.country):
        return True
    return actor.user_id is not None and actor.user_id == scope.owner_id
