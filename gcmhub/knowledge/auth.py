"""Who may write knowledge items and their tags.

Curators may change any item; a partner only the items it added; a country focal point only
items about its countries (every country of the item must be one of its own, also after the
change); the public reads published items only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gcmhub.auth import rule
from gcmhub.context import Actor


@dataclass(frozen=True)
class ItemScope:
    """What decides who may touch an item: who added it and which countries it is about."""

    owner_id: int | None
    countries: frozenset[str]


def _in_countries(actor: Actor, scope: ItemScope) -> bool:
    return bool(scope.countries) and scope.countries <= actor.countries


@rule("item_create", "partners, focal points (for their countries) and curators add items")
def item_create(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, ItemScope)
    if actor.has("curator", "partner"):
        return True
    return actor.has("focal_point") and _in_countries(actor, scope)


@rule("item_update", "curators, the item's author, or a focal point of all its countries")
def item_update(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, ItemScope)
    if actor.has("curator"):
        return True
    if actor.has("focal_point") and _in_countries(actor, scope):
        return True  # a focal point's scope is its countries, whoever added the item
    owner = actor.user_id is not None and scope.owner_id == actor.user_id
    return owner and actor.has("partner")


@rule("item_read_unpublished", "drafts are read by their author and curators", scope="read")
def item_read_unpublished(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, ItemScope)
    return item_update(actor, scope)


@rule("tag_confirm", "curators confirm tags")
def tag_confirm(actor: Actor, target: Any) -> bool:
    return actor.has("curator")


@rule("tag_reject", "curators reject tags")
def tag_reject(actor: Actor, target: Any) -> bool:
    return actor.has("curator")
