"""What the knowledge part returns to pages, the API and the command line."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator

from gcmhub.types import UtcDateTime, no_nul


class Provenance(BaseModel):
    """Where an item's text was read from."""

    file: str | None
    format: str | None
    page_start: int | None
    page_end: int | None
    para_start: int | None
    para_end: int | None
    heading_path: list[str]
    content_hash: str


class Tag(BaseModel):
    """A concept an item is tagged with."""

    concept: str
    label: str
    origin: str
    status: str
    score: float | None


class Why(BaseModel):
    """Why an item matched: the query's words it holds, its closeness in meaning, shared tags."""

    terms: list[str]
    similarity: float | None
    tags: list[str]


class SearchHit(BaseModel):
    """One item in a result list, with why it matched."""

    id: str
    title: str
    type: str
    language: str | None
    score: float
    snippet: str
    why: Why
    url: str | None
    source: Provenance


class FacetValue(BaseModel):
    """One value of a facet and how many matching items carry it."""

    value: str
    label: str
    count: int


class SearchResults(BaseModel):
    """A page of search results with facet counts."""

    query: str
    mode: str
    total: int
    matched: str
    facets: dict[str, list[FacetValue]]
    facets_approximate: bool
    hits: list[SearchHit]


class ItemPublic(BaseModel):
    """A knowledge item with its metadata, tags and provenance."""

    id: str
    type: str
    title: str
    text: str
    url: str | None
    language: str | None
    languages: list[str]
    publisher: str | None
    implementing_entities: list[str]
    date_published: date | None
    status: str
    licence: str | None
    tags: list[Tag]
    source: Provenance


class ItemSummary(BaseModel):
    """A knowledge item as listed and exported: its metadata, the start of its text, its tags."""

    id: str
    type: str
    title: str
    summary: str
    url: str | None
    language: str | None
    publisher: str | None
    date_published: date | None
    licence: str | None
    concepts: list[str]
    source_file: str | None
    updated_at: UtcDateTime


class ItemPage(BaseModel):
    """One page of a list: the items, how many pass the filters, the cursor of the next page."""

    data: list[ItemSummary]
    count: int
    next: str | None


class RelatedItem(BaseModel):
    """An item close in meaning to another one."""

    id: str
    title: str
    type: str
    similarity: float


class TagRequest(BaseModel):
    """Texts to tag with the concepts of a scheme."""

    _clean = field_validator("scheme", mode="before")(no_nul)

    texts: list[str] = Field(min_length=1, max_length=100)
    scheme: str = "objective"
    k: int = Field(default=3, ge=1, le=20)


class Suggestion(BaseModel):
    """A concept proposed for a text, with the tagger's confidence (0 to 1)."""

    concept: str
    label: str
    score: float


class TagSuggestions(BaseModel):
    """The concepts proposed for each text, in the order the texts came."""

    scheme: str
    suggestions: list[list[Suggestion]]


class ItemCounts(BaseModel):
    """How many published items the platform holds, by type, and when it last changed."""

    total: int
    by_type: dict[str, int]
    updated: UtcDateTime | None


class ItemCreate(BaseModel):
    """A knowledge item written on the web or through the API."""

    _clean = field_validator("*", mode="before")(no_nul)

    title: str = Field(min_length=3, max_length=500)
    text: str = Field(min_length=1, max_length=50_000)
    type: str = "practice"
    url: str | None = Field(default=None, max_length=2000)
    language: str | None = Field(default=None, max_length=8)
    publisher: str | None = Field(default=None, max_length=500)
    licence: str | None = Field(default=None, max_length=200)
    date_published: date | None = None
    countries: list[str] = Field(default_factory=list, max_length=50)
    objectives: list[str] = Field(default_factory=list, max_length=50)
    status: str = Field(default="published", pattern="^(draft|published)$")


class ItemUpdate(BaseModel):
    """Changes to an item: only the fields given change."""

    _clean = field_validator("*", mode="before")(no_nul)

    title: str | None = Field(default=None, min_length=3, max_length=500)
    text: str | None = Field(default=None, min_length=1, max_length=50_000)
    url: str | None = Field(default=None, max_length=2000)
    publisher: str | None = Field(default=None, max_length=500)
    licence: str | None = Field(default=None, max_length=200)
    date_published: date | None = None
    countries: list[str] | None = Field(default=None, max_length=50)
    status: str | None = Field(default=None, pattern="^(draft|published)$")
