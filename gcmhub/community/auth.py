"""Who may do what in the community.

Anyone signed in registers an organization (it waits, pending, for a curator) and
contributes to an open consultation or reports abuse on a contribution. Curators approve or
reject organizations and open consultations. A contribution is moderated (hidden, flagged,
restored) by its consultation's moderator or by curators. A pending or rejected organization
is read by whoever registered it and curators only (to anyone else: 404). An organization's
profile is edited, and its named contact removed, by the account that registered it and by
curators (the contact person may not have an account: they ask either of them, and withdrawal
takes effect at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gcmhub.auth import rule
from gcmhub.context import Actor


@dataclass(frozen=True)
class OwnerScope:
    """Who registered a record."""

    owner_id: int | None


@dataclass(frozen=True)
class ModeratorScope:
    """Who moderates a consultation."""

    moderator_id: int | None


def _owns(actor: Actor, scope: OwnerScope) -> bool:
    """Whether the actor registered the record."""
    return actor.user_id is not None and actor.user_id == scope.owner_id


@rule("organization_register", "anyone signed in registers an organization (curators approve it)")
def organization_register(actor: Actor, scope: Any) -> bool:
    return actor.signed_in


@rule("organization_review", "curators approve or reject organizations")
def organization_review(actor: Actor, scope: Any) -> bool:
    return actor.has("curator")


@rule(
    "organization_read_pending",
    "an organization not yet approved: whoever registered it and curators",
    scope="read",
)
def organization_read_pending(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, OwnerScope)
    return actor.has("curator") or _owns(actor, scope)


@rule("consultation_create", "curators open consultations")
def consultation_create(actor: Actor, scope: Any) -> bool:
    return actor.has("curator")


@rule("contribution_create", "anyone signed in contributes to an open consultation")
def contribution_create(actor: Actor, scope: Any) -> bool:
    return actor.signed_in


@rule("contribution_moderate", "the consultation's moderator and curators moderate")
def contribution_moderate(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, ModeratorScope)
    if actor.has("curator"):
        return True
    return actor.user_id is not None and actor.user_id == scope.moderator_id


@rule("contribution_report", "anyone signed in reports abuse to the curators")
def contribution_report(actor: Actor, scope: Any) -> bool:
    return actor.signed_in


@rule("organization_update", "whoever registered an organization and curators edit its profile")
def organization_update(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, OwnerScope)
    return actor.has("curator") or _owns(actor, scope)


@rule(
    "organization_consent_withdraw",
    "whoever registered an organization and curators remove its named contact",
)
def organization_consent_withdraw(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, OwnerScope)
    return actor.has("curator") or _owns(actor, scope)


# The rules of events and pledges, connections and follows, and messages live beside them.
import gcmhub.community.connection_auth  # noqa: E402, F401
import gcmhub.community.event_auth  # noqa: E402, F401
import gcmhub.community.message_auth  # noqa: E402, F401
