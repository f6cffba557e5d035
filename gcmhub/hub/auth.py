"""Who may do what in the connection hub.

Member States ask: a focal point files and follows requests for its own countries only (the
secretariat may file on a country's behalf). The secretariat (curators) triages, matches,
assigns and moves requests on; the requesting country withdraws a request or closes it with
its rating. Partners register providers and offers and edit only their own. A private
request is read by the secretariat, the country's focal points, the person who filed it and
the providers engaged on it; public and anonymised ones by everyone (anonymised without the
institution and contact).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gcmhub.auth import rule
from gcmhub.context import Actor
from gcmhub.hub.workflow import REQUESTER_STEPS


@dataclass(frozen=True)
class RequestScope:
    """What decides who may touch a request."""

    country: str
    requester_id: int | None = None
    confidentiality: str = "private"
    engaged_owners: frozenset[int] = field(default_factory=frozenset)
    target_state: str | None = None  # for a step: where the request would go


@dataclass(frozen=True)
class ProviderScope:
    """What decides who may touch a provider or its offers."""

    owner_id: int | None


def _country_side(actor: Actor, scope: RequestScope) -> bool:
    """The requesting country: its focal points, or the person who filed the request."""
    if actor.user_id is not None and actor.user_id == scope.requester_id:
        return True
    return "focal_point" in actor.roles and scope.country in actor.countries


def _secretariat(actor: Actor) -> bool:
    return actor.has("curator")


@rule("request_create", "focal points ask for their own countries; the secretariat for any")
def request_create(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, RequestScope)
    return _secretariat(actor) or (
        "focal_point" in actor.roles and scope.country in actor.countries
    )


@rule("request_read", "private requests: the secretariat, the country, engaged providers", "read")
def request_read(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, RequestScope)
    if scope.confidentiality in ("public", "anonymised"):
        return True
    return request_follow(actor, scope)


def request_follow(actor: Actor, scope: RequestScope) -> bool:
    """Whether an actor takes part in a request (sees everything on it, may comment)."""
    if _secretariat(actor) or _country_side(actor, scope):
        return True
    return actor.user_id is not None and actor.user_id in scope.engaged_owners


@rule("request_update", "the secretariat, or the requesting country, edit a request")
def request_update(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, RequestScope)
    return _secretariat(actor) or _country_side(actor, scope)


@rule("request_step", "the secretariat moves requests on; the country withdraws or closes")
def request_step(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, RequestScope)
    if _secretariat(actor):
        return True
    return scope.target_state in REQUESTER_STEPS and _country_side(actor, scope)


@rule("request_assign", "the secretariat assigns requests to its staff")
def request_assign(actor: Actor, scope: Any) -> bool:
    return _secretariat(actor)


@rule("request_engage", "the secretariat sets who does what in a request's plan")
def request_engage(actor: Actor, scope: Any) -> bool:
    return _secretariat(actor)


@rule("request_comment", "those taking part in a request comment and attach files")
def request_comment(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, RequestScope)
    return request_follow(actor, scope)


@rule("request_publish", "the secretariat publishes a resolved request as a solution")
def request_publish(actor: Actor, scope: Any) -> bool:
    return _secretariat(actor)


@rule("request_fund", "the secretariat or the country opens a fund proposal from a request")
def request_fund(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, RequestScope)
    return _secretariat(actor) or _country_side(actor, scope)


@rule("provider_create", "partners, focal points and the secretariat register providers")
def provider_create(actor: Actor, scope: Any) -> bool:
    return actor.has("partner", "focal_point", "curator")


@rule("provider_update", "a provider's owner or the secretariat")
def provider_update(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, ProviderScope)
    if _secretariat(actor):
        return True
    return actor.user_id is not None and scope.owner_id == actor.user_id


@rule("provider_read_hidden", "providers without consent: their owner and the secretariat", "read")
def provider_read_hidden(actor: Actor, scope: Any) -> bool:
    return provider_update(actor, scope)


@rule("offer_write", "a provider's owner or the secretariat publish and change its offers")
def offer_write(actor: Actor, scope: Any) -> bool:
    return provider_update(actor, scope)


@rule("notice_read", "each person marks their own notices read")
def notice_read(actor: Actor, scope: Any) -> bool:
    return actor.signed_in
