"""Who may do what in the review of implementation.

A country's plan, voluntary reviews and capacity assessments are the country's own: its focal
points write them for their own countries only (403 for another's, nothing stored); the
secretariat (curators) and the admin write any. Partners, focal points and the secretariat
register partnerships; a partnership is changed by whoever registered it, by focal points of
all its countries, or by the secretariat. Everyone reads plans, partnerships, assessments
and submitted reviews; a review still in draft is read by its country and the secretariat
only (to anyone else it does not exist: 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gcmhub.auth import rule
from gcmhub.context import Actor


@dataclass(frozen=True)
class CountryScope:
    """A record that belongs to one country."""

    country: str


@dataclass(frozen=True)
class PartnershipScope:
    """What decides who may change a partnership: who registered it and its countries."""

    owner_id: int | None
    countries: frozenset[str]


def country_side(actor: Actor, scope: Any) -> bool:
    """The secretariat, or a focal point of the record's country."""
    assert isinstance(scope, CountryScope)
    if actor.has("curator"):
        return True
    return "focal_point" in actor.roles and scope.country in actor.countries


@rule("plan_write", "focal points save their own countries' plans; the secretariat any")
def plan_write(actor: Actor, scope: Any) -> bool:
    return country_side(actor, scope)


@rule(
    "voluntary_review_write", "focal points write their own countries' reviews; the secretariat any"
)
def voluntary_review_write(actor: Actor, scope: Any) -> bool:
    return country_side(actor, scope)


@rule(
    "voluntary_review_read",
    "a draft review is read by its country's focal points and the secretariat",
    scope="read",
)
def voluntary_review_read(actor: Actor, scope: Any) -> bool:
    return country_side(actor, scope)


@rule(
    "capacity_write",
    "focal points record their own countries' capacity assessments; the secretariat any",
)
def capacity_write(actor: Actor, scope: Any) -> bool:
    return country_side(actor, scope)


@rule("partnership_create", "partners, focal points and the secretariat register partnerships")
def partnership_create(actor: Actor, scope: Any) -> bool:
    return actor.has("partner", "focal_point", "curator")


@rule(
    "partnership_update",
    "who registered a partnership, focal points of all its countries, or the secretariat",
)
def partnership_update(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, PartnershipScope)
    if actor.has("curator"):
        return True
    if actor.user_id is not None and actor.user_id == scope.owner_id:
        return True
    return (
        "focal_point" in actor.roles
        and bool(scope.countries)
        and scope.countries <= actor.countries
    )
