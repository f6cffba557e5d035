"""The search index seam: what every index implementation accepts and returns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class IndexRecord:
    """What the index keeps of one searchable thing."""

    id: int
    title: str
    text: str
    language: str | None
    facets: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """One ranked result, before the owner of the records renders it."""

    id: int
    score: float


@dataclass
class FacetCount:
    """How many matches carry one value of a facet."""

    value: str
    count: int


@dataclass
class SearchPage:
    """Ranked hits, the total and the facet counts of one query."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    matched: str = "all"  # "all" words, or "any" word when no item held them all
    facets_approximate: bool = False


@dataclass
class Ranking:
    """Ranked hits of a query, before they are counted; `state` is the index's own."""

    hits: list[Hit]
    matched: str
    state: object = None


Filters = Mapping[str, Sequence[str]]


class Index(Protocol):
    """Add, remove and rank records; the SQLite and PostgreSQL indexes implement this."""

    def upsert(self, records: Iterable[IndexRecord]) -> int:
        """Add or replace records; return how many were written."""
        ...

    def delete(self, ids: Iterable[int]) -> None:
        """Remove records by id."""
        ...

    def update_facets(self, facets: Mapping[int, Mapping[str, Sequence[str]]]) -> None:
        """Replace the facet values of records whose text did not change."""
        ...

    def allowed(self, filters: Filters) -> list[int] | None:
        """Return the ids that pass the filters, or None when there are no filters."""
        ...

    def facets_of(self, ids: Sequence[int]) -> tuple[int, dict[str, list[FacetCount]], bool]:
        """Return the total and facet counts of a given set of records."""
        ...

    def rank(
        self, query: str, filters: Filters | None = None, limit: int = 10, offset: int = 0
    ) -> Ranking:
        """Rank the records that match the query and the filters, without counting them."""
        ...

    def count(self, ranking: Ranking, extra: Sequence[int] = ()) -> SearchPage:
        """Count a ranking's matches and `extra` ids, with facet values."""
        ...

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        limit: int = 10,
        offset: int = 0,
        extra: Sequence[int] = (),
    ) -> SearchPage:
        """Rank the records that match the query and the filters; `extra` ids count too."""
        ...
