"""Concept schemes (controlled vocabularies) held in memory, and their validation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class TaxonomyError(ValueError):
    """A scheme or taxonomy file that cannot be used; the message is one line."""


@dataclass
class ConceptData:
    """One concept of a scheme: a code, labels per language and links to broader concepts."""

    code: str
    labels: dict[str, str]
    definition: str | None = None
    broader: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    alt_labels: dict[str, list[str]] = field(default_factory=dict)
    notation: str | None = None
    related: dict[str, list[str]] = field(default_factory=dict)

    def label(self, lang: str = "en") -> str:
        """Preferred label in `lang`, else English, else the first one, else the code."""
        for key in (lang, "en"):
            if self.labels.get(key):
                return self.labels[key]
        return next((text for text in self.labels.values() if text), self.code)


@dataclass
class SchemeData:
    """A concept scheme: id (slug used in filters), title, attribution and its concepts."""

    id: str
    title: str
    description: str = ""
    source: str = ""
    licence: str = ""
    concepts: list[ConceptData] = field(default_factory=list)

    def concept(self, code: str) -> ConceptData:
        """The concept with this code; KeyError if there is none."""
        for item in self.concepts:
            if item.code == code:
                return item
        raise KeyError(code)

    def codes(self) -> list[str]:
        """All concept codes, in scheme order."""
        return [item.code for item in self.concepts]

    def top_concepts(self) -> list[str]:
        """Codes of the concepts that have no broader concept."""
        return [item.code for item in self.concepts if not item.broader]

    def narrower(self, code: str) -> list[str]:
        """Codes of the concepts whose broader list names `code`, in scheme order."""
        return [item.code for item in self.concepts if code in item.broader]

    def ancestors(self, code: str) -> list[str]:
        """All broader codes of `code`, nearest first; stops on cycles and unknown codes."""
        parents = {item.code: item.broader for item in self.concepts}
        seen: list[str] = []
        queue = list(parents.get(code, []))
        while queue:
            current = queue.pop(0)
            if current == code or current in seen:
                continue
            seen.append(current)
            queue.extend(parents.get(current, []))
        return seen


def slugify(text: str) -> str:
    """Lower-case ASCII slug of `text` ("Thematic Clusters 2017" -> "thematic-clusters-2017")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def validate(scheme: SchemeData, where: Sequence[str] | None = None) -> None:
    """Raise TaxonomyError for a bad id, code or label, an unknown broader code or a cycle."""
    if not _SLUG.fullmatch(scheme.id):
        raise TaxonomyError(
            f"scheme id {scheme.id!r} is not a slug (lower-case letters, digits and '-')"
        )
    if not scheme.title.strip():
        raise TaxonomyError(f"scheme {scheme.id!r} has no title")
    places = (
        list(where) if where is not None else [f"#{i + 1}" for i in range(len(scheme.concepts))]
    )
    first_place: dict[str, str] = {}
    for index, item in enumerate(scheme.concepts):
        _check_concept(item, places[index])
        if item.code in first_place:
            both = _both(first_place[item.code], places[index])
            raise TaxonomyError(f"duplicate concept id {item.code!r} ({both})")
        first_place[item.code] = places[index]
    for item in scheme.concepts:
        for parent in item.broader:
            if parent not in first_place:
                raise TaxonomyError(
                    f"concept {item.code!r} has broader {parent!r}, which is not in the scheme"
                )
    cycle = find_cycle(scheme)
    if cycle:
        raise TaxonomyError("broader links form a cycle: " + " -> ".join(cycle))


def _check_concept(item: ConceptData, place: str) -> None:
    """Raise TaxonomyError if the concept's code or labels are unusable."""
    if not item.code or item.code != item.code.strip():
        raise TaxonomyError(f"concept {place} has an empty id or spaces around it: {item.code!r}")
    if "|" in item.code:
        raise TaxonomyError(f"concept id {item.code!r} contains '|', which separates ids")
    if not item.labels:
        raise TaxonomyError(f"concept {item.code!r} has no label")
    for lang, text in item.labels.items():
        if not lang or not text.strip():
            raise TaxonomyError(f"concept {item.code!r} has an empty label for language {lang!r}")


def _both(first: str, second: str) -> str:
    """Name two places: "rows 4 and 9" or "#2 and #5"."""
    if first.startswith("row ") and second.startswith("row "):
        return f"rows {first[4:]} and {second[4:]}"
    return f"{first} and {second}"


def find_cycle(scheme: SchemeData) -> list[str]:
    """The first broader cycle found as a closed path of codes (["a", "b", "a"]), or []."""
    parents = {item.code: item.broader for item in scheme.concepts}
    done: set[str] = set()
    for start in parents:
        if start in done:
            continue
        path = [start]
        stack = [iter(parents[start])]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                done.add(path.pop())
            elif nxt in path:
                return path[path.index(nxt) :] + [nxt]
            elif nxt in parents and nxt not in done:
                path.append(nxt)
                stack.append(iter(parents[nxt]))
    return []
