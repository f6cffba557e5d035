"""What the review's actions share: countries, objectives and actions named as people name them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gcmhub.context import Context
from gcmhub.errors import InvalidInput
from gcmhub.taxonomy.actions import concept_closures, concept_resolver

TOP_REGIONS = {  # M49 continental regions, for the region x objective matrix
    "002": "Africa",
    "019": "Americas",
    "142": "Asia",
    "150": "Europe",
    "009": "Oceania",
}


def country_code(ctx: Context, name: str, field: str = "country") -> str:
    """Return the ISO3 code of a country given by code or name (422 naming the field)."""
    try:
        return concept_resolver(ctx, "country")(name).split(":", 1)[1]
    except InvalidInput as error:
        raise InvalidInput(f"{field}: {error}") from None


def country_name(ctx: Context, code: str) -> str:
    """A country's name (its code when the taxonomy does not know it)."""
    found = concept_closures(ctx).get(f"country:{code}")
    return found.label if found else code


def country_region(ctx: Context, code: str) -> str | None:
    """A country's M49 continental region code (002, 019, 142, 150, 009)."""
    found = concept_closures(ctx).get(f"country:{code}")
    if found is None:
        return None
    return next((r for r in TOP_REGIONS if f"region:{r}" in found.related), None)


@dataclass(frozen=True)
class Objective:
    """An objective of the Compact with its actions."""

    id: str  # objective:6
    code: str  # 6
    label: str
    actions: tuple[str, ...]  # objective:6a, …


def objectives(ctx: Context) -> list[Objective]:
    """The 23 objectives in order, each with its actions."""
    closures = concept_closures(ctx)
    tops = [(cid, c) for cid, c in closures.items() if c.scheme == "objective" and not c.ancestors]
    out = []
    for cid, closure in sorted(tops, key=lambda pair: _number(pair[1].code)):
        actions = sorted(
            (
                a
                for a, c in closures.items()
                if c.scheme == "objective" and closure.code in c.ancestors
            ),
            key=lambda a: (len(a), a),
        )
        out.append(Objective(cid, closure.code, closure.label, tuple(actions)))
    return out


def _number(code: str) -> tuple[int, str]:
    digits = re.match(r"[0-9]+", code)
    return (int(digits.group()) if digits else 999, code)


def objective_resolver(ctx: Context):  # type: ignore[no-untyped-def]
    """Return a function naming the objective or action meant by `6`, `objective:6a` or a title."""
    resolve = concept_resolver(ctx, "objective")

    def named(text: str) -> str:
        value = text.strip()
        if value.casefold().startswith("objective:"):
            value = value.split(":", 1)[1]
        return resolve(value)

    return named


def is_action(ctx: Context, concept: str) -> bool:
    """Whether a concept of the objective scheme is an action (it has a broader objective)."""
    found = concept_closures(ctx).get(concept)
    return bool(found and found.ancestors)


def objective_of(ctx: Context, concept: str) -> str:
    """The objective an action belongs to (the objective itself for an objective)."""
    found = concept_closures(ctx).get(concept)
    if found is None or not found.ancestors:
        return concept
    return f"{concept.split(':', 1)[0]}:{found.ancestors[-1]}"  # the top of its broader chain


def concept_list(ctx: Context, names: list[str], scheme: str, field: str) -> list[str]:
    """Resolve names of one scheme to concept ids, refusing an unknown one (422 naming it)."""
    resolve = objective_resolver(ctx) if scheme == "objective" else concept_resolver(ctx, scheme)
    found: list[str] = []
    for index, name in enumerate(names):
        try:
            concept = resolve(name)
        except InvalidInput as error:
            raise InvalidInput(f"{field}.{index}: {error}") from None
        if concept not in found:
            found.append(concept)
    return found
