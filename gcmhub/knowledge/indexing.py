"""What the search index keeps of a knowledge item: its text and its facet values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sqlalchemy import or_, select

from gcmhub.context import Context
from gcmhub.knowledge.models import Item, ItemConcept
from gcmhub.settings import get_settings
from gcmhub.taxonomy.actions import Closure, concept_closures

# Narrower concepts of these schemes get a facet of their own, so that the objective facet
# counts the 23 objectives and the action facet counts the 187 actions.
NARROWER_FACETS = {"objective": "action"}


def item_facets(
    *,
    type: str,
    language: str | None,
    when: date | None,
    concept_ids: Iterable[str],
    closures: Mapping[str, Closure],
) -> dict[str, list[str]]:
    """Return the facet values of an item; tags count for their broader concepts too."""
    facets: dict[str, list[str]] = {"type": [type]}
    if language:
        facets["language"] = [language]
    if when is not None:
        facets["year"] = [str(when.year)]
    pending = list(concept_ids)
    seen: set[str] = set()
    while pending:
        cid = pending.pop()
        closure = closures.get(cid)
        if closure is None or cid in seen:
            continue
        seen.add(cid)
        name = closure.scheme
        if closure.ancestors and name in NARROWER_FACETS:
            name = NARROWER_FACETS[name]
        facets.setdefault(name, []).append(closure.code)
        facets.setdefault(closure.scheme, []).extend(closure.ancestors)
        pending.extend(closure.related)
    return {name: list(dict.fromkeys(values)) for name, values in facets.items()}


def facet_values(ctx: Context, item_ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    """Return the facet values of stored items from their metadata and tags.

    A tag counts when its source gave it, a curator confirmed it, or the tagger's score
    reaches GCMHUB_AUTOTAG_FACET_MIN; rejected tags never count.
    """
    closures = concept_closures(ctx)
    minimum = get_settings().autotag_facet_min
    tags: dict[int, list[str]] = {i: [] for i in item_ids}
    for item_id, concept in ctx.session.execute(
        select(ItemConcept.item_id, ItemConcept.concept_id).where(
            ItemConcept.item_id.in_(item_ids),
            ItemConcept.status != "rejected",
            or_(ItemConcept.origin != "auto", ItemConcept.score >= minimum),
        )
    ):
        tags[item_id].append(concept)
    return {
        item_id: item_facets(
            type=kind, language=language, when=when, concept_ids=tags[item_id], closures=closures
        )
        for item_id, kind, language, when in ctx.session.execute(
            select(Item.id, Item.type, Item.language, Item.date_published).where(
                Item.id.in_(item_ids)
            )
        )
    }
