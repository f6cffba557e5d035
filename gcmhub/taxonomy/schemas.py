"""What the taxonomy part returns to pages, the API and the command line."""

from __future__ import annotations

from pydantic import BaseModel


class SchemeSummary(BaseModel):
    """A scheme as listed."""

    id: str
    title: str
    concepts: int
    builtin: bool
    source: str
    licence: str


class ConceptRef(BaseModel):
    """A concept as named from elsewhere."""

    id: str
    code: str
    label: str


class ConceptPublic(BaseModel):
    """A concept with its labels, definition and neighbours."""

    id: str
    scheme: str
    code: str
    label: str
    labels: dict[str, str]
    alt_labels: dict[str, list[str]]
    definition: str | None
    notation: str | None
    examples: list[str]
    related: dict[str, list[str]]
    broader: list[ConceptRef]
    narrower: list[ConceptRef]


class SchemePublic(SchemeSummary):
    """A scheme with its top concepts."""

    description: str
    top_concepts: list[ConceptRef]


class ConceptRow(BaseModel):
    """A concept as listed and downloaded."""

    id: str
    scheme: str
    code: str
    label: str
    labels: dict[str, str]
    definition: str | None
    notation: str | None
    broader: list[str]


class ConceptPage(BaseModel):
    """One page of a scheme's concepts, in the scheme's order."""

    data: list[ConceptRow]
    count: int
    next: str | None
