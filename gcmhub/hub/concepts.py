"""Naming concepts in the hub: codes or labels in, concept ids stored, references out."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from gcmhub.context import Context
from gcmhub.errors import InvalidInput
from gcmhub.taxonomy.actions import concept_closures, concept_resolver
from gcmhub.taxonomy.schemas import ConceptRef


class Names:
    """Resolve objectives, countries and regions named by code or label (one build per use)."""

    def __init__(self, ctx: Context):
        self._ctx = ctx
        self._resolvers: dict[str, Callable[[str], str]] = {}

    def ids(self, field: str, scheme: str, names: Iterable[str]) -> list[str]:
        """Return the concept ids of names, refusing an unknown one with the field named."""
        if scheme not in self._resolvers:
            self._resolvers[scheme] = concept_resolver(self._ctx, scheme)
        resolve = self._resolvers[scheme]
        found: list[str] = []
        for name in names:
            try:
                concept = resolve(str(name))
            except InvalidInput as error:
                raise InvalidInput(f"{field}: {error}") from None
            if concept not in found:
                found.append(concept)
        return found

    def objectives(self, names: Iterable[str]) -> list[str]:
        """Objective ids (`objective:5`) of numbers or titles."""
        return sorted(self.ids("objectives", "objective", names), key=_number)

    def countries(self, names: Iterable[str]) -> list[str]:
        """ISO3 codes of country codes or names in any loaded language."""
        return sorted(c.split(":", 1)[1] for c in self.ids("countries", "country", names))

    def country(self, name: str) -> str:
        """The ISO3 code of one country, with the field named `country` when unknown."""
        found = self.ids("country", "country", [name])
        return found[0].split(":", 1)[1]

    def regions(self, names: Iterable[str]) -> list[str]:
        """Region ids (`region:419`) of M49 codes or names."""
        return sorted(self.ids("regions", "region", names))


def _number(concept: str) -> int:
    code = concept.split(":", 1)[1]
    return int(code) if code.isdigit() else 0


def concept_refs(ctx: Context, ids: Iterable[str]) -> list[ConceptRef]:
    """Return references (id, code, label) of concept ids, skipping unknown ones."""
    closures = concept_closures(ctx)
    refs = []
    for concept in ids:
        found = closures.get(concept)
        if found is not None:
            refs.append(ConceptRef(id=concept, code=found.code, label=found.label))
    return refs


def country_regions(ctx: Context, iso3: str) -> list[str]:
    """Return the M49 region ids a country belongs to."""
    found = concept_closures(ctx).get(f"country:{iso3}")
    return [r for r in found.related if r.startswith("region:")] if found else []
