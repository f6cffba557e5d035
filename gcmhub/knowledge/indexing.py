"""What the search index keeps of a knowledge item: its text and its facet values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from gcmhub.taxonomy.actions import Closure

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
