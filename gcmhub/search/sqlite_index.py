"""Lexical index on SQLite FTS5: BM25 ranking over stemmed text, facets as rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gcmhub.search.analysis import analyze, match_expression, parse_query
from gcmhub.search.facets import FACET_LIMIT, FacetIndex, Matches
from gcmhub.search.index import Filters, Hit, IndexRecord, Ranking

__all__ = ["FACET_LIMIT", "Matches", "SqliteIndex"]


class SqliteIndex(FacetIndex):
    """The default index: an FTS5 table and a facet table named after the index.

    Its facet operations (`update_facets`, `allowed`, `facets_of`, `filter_sql`) run on
    PostgreSQL too; its text operations need FTS5.
    """

    def __init__(
        self,
        session: Session,
        name: str = "items",
        facet_max_rows: int = 50_000,
        total_facet: str | None = None,
    ):
        super().__init__(session, name, facet_max_rows, total_facet)
        self.fts = f"{name}_fts"
        self.fts_key = "rowid"

    def upsert(self, records: Iterable[IndexRecord]) -> int:
        """Add or replace records in one batch."""
        batch = list(records)
        if not batch:
            return 0
        ids = [r.id for r in batch]
        self.delete(ids)
        self.session.execute(
            text(f"INSERT INTO {self.fts}(rowid, title, body) VALUES (:id, :title, :body)"),
            [
                {
                    "id": r.id,
                    "title": analyze(r.title, r.language),
                    "body": analyze(r.text, r.language),
                }
                for r in batch
            ],
        )
        self._insert_facets({r.id: r.facets for r in batch})
        return len(batch)

    def rank(
        self, query: str, filters: Filters | None = None, limit: int = 10, offset: int = 0
    ) -> Ranking:
        """Rank matches by BM25; all words must match, or any word when none holds them all.

        An empty query lists the records that pass the filters, newest first.
        """
        parsed = parse_query(query)
        where, params = self.filter_sql(filters or {})
        if parsed.is_empty:
            return self._browse(
                where or f"SELECT rowid AS doc_id FROM {self.fts}", params, limit, offset
            )
        ranking = self._ranked(match_expression(parsed), where, params, limit, offset)
        if not ranking.hits and len(parsed.words) + len(parsed.phrases) > 1:
            if offset == 0 or not self._exists(ranking):
                ranking = self._ranked(
                    match_expression(parsed, any_word=True), where, params, limit, offset
                )
                ranking.matched = "any"
        return ranking

    def _ranked(
        self, expression: str, where: str, params: dict[str, Any], limit: int, offset: int
    ) -> Ranking:
        params = {**params, "q": expression}
        restrict = f" AND rowid IN ({where})" if where else ""
        matches = f"SELECT rowid AS doc_id FROM {self.fts} WHERE {self.fts} MATCH :q{restrict}"
        rows = self.session.execute(
            text(
                f"SELECT rowid, rank FROM {self.fts} WHERE {self.fts} MATCH :q{restrict} "
                "ORDER BY rank LIMIT :limit OFFSET :offset"
            ),
            {**params, "limit": limit, "offset": offset},
        ).all()
        hits = [Hit(id=row[0], score=round(-float(row[1]), 4)) for row in rows]
        return Ranking(hits, "all", Matches(matches, params))
