"""Lexical index on PostgreSQL: weighted tsvectors under a GIN index, BM25-like ranking.

The text is analysed in Python exactly as for SQLite (gcmhub/search/analysis.py: Snowball
stems in the item's language), then folded and split as FTS5's `unicode61 remove_diacritics
2` tokenizer would, and written as a tsvector literal: PostgreSQL's own parser and
dictionaries never see it (the 'simple' configuration would only lower-case it again), so a
word is found on PostgreSQL exactly when SQLite finds it. Title words carry weight A and
body words weight B; the body's positions start two after the title's last one, so a phrase
never spans the two, as it cannot across FTS5 columns.

A query becomes a tsquery with the same shape as the FTS5 expression: each word the OR of
its English, French and Spanish stems, words ANDed (or ORed when no record holds them all),
phrases with `<->`, excluded words under `!`.

Ranking is BM25-like: the sum over the query's words (and phrases) of
idf(word) x ts_rank(document, word), where ts_rank weighs a title occurrence twice a body
one (weights A=1, B=0.5), saturates with repeated occurrences and divides by the log of the
document's length (normalization 1), and idf = ln(1 + (N - n + 0.5) / (n + 0.5)) over the
N records, n of which hold the word, as in BM25 (counted; on a large index, common words'
n and N come from the column's statistics instead, see `_weights`). ts_rank averages over
the lexemes of its query; each word's weight undoes that, so a word with three stems weighs
as one with one. On bench/data's queries this ranks within 0.02 nDCG@10 of SQLite's BM25.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gcmhub.search.analysis import QUERY_LANGUAGES, ParsedQuery, analyze, fold, parse_query
from gcmhub.search.analysis import stemmer as stemmer_of
from gcmhub.search.analysis import variants as variants_of
from gcmhub.search.facets import FacetIndex, Matches
from gcmhub.search.index import Filters, Hit, IndexRecord, Ranking

# What FTS5's unicode61 tokenizer keeps of a token: letters and digits (not "_").
LEXEME = re.compile(r"[^\W_]+")
MAX_POSITION = 16383  # tsvector positions stop there (later ones are stored as 16383)
MAX_LEXEME_BYTES = 2046  # PostgreSQL refuses longer lexemes; nobody searches for them
TITLE, BODY = "A", "B"
# ts_rank's weights, in the order D, C, B, A: a title word counts twice a body word.
RANK_WEIGHTS = "'{0, 0, 0.5, 1}'"
RANK_NORMALIZATION = 1  # divide by 1 + log(document length)
STATS_MIN_RECORDS = 10_000  # below this, idf counts records exactly (see _weights)
# ts_rank_cd (cover density) and other normalizations ranked worse on bench/data's queries.
RANK_FUNCTION = "ts_rank"


def lexemes(text: str, language: str | None) -> list[str]:
    """Return the indexed terms of a text in order: stems, folded, split like FTS5 tokens."""
    found: list[str] = []
    for stem in analyze(text, language).split():
        found.extend(
            part
            for part in LEXEME.findall(fold(stem))
            if len(part.encode("utf-8")) <= MAX_LEXEME_BYTES
        )
    return found


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def document_vector(title: str, body: str, language: str | None) -> str:
    """Return the tsvector literal of a record: title lexemes weight A, body weight B."""
    positions: dict[str, list[str]] = {}
    at = 0
    for lexeme in lexemes(title, language):
        at += 1
        positions.setdefault(lexeme, []).append(f"{min(at, MAX_POSITION)}{TITLE}")
    at += 1  # a gap: `a <-> b` never joins the title's last word to the body's first
    for lexeme in lexemes(body, language):
        at += 1
        positions.setdefault(lexeme, []).append(f"{min(at, MAX_POSITION)}{BODY}")
    return " ".join(f"{_quote(lexeme)}:{','.join(at)}" for lexeme, at in positions.items())


@dataclass(frozen=True)
class Unit:
    """One word or phrase of a query as a tsquery, and what ts_rank divides its score by."""

    query: str
    divisor: int
    forms: tuple[tuple[str, ...], ...] = ()  # each form's lexemes (several: a phrase)

    def holding(
        self, common: Mapping[str, float], counted: Mapping[tuple[str, ...], float]
    ) -> float:
        """Return how many records hold the unit: the sum over its forms of their exact
        counts or, for a form of common lexemes only, the records holding its least common
        lexeme (an estimate: every lexeme of a phrase, or the word, is in them)."""
        return sum(
            counted[form] if form in counted else min(common[lexeme] for lexeme in form)
            for form in self.forms
        )


def _form_query(lexemes: tuple[str, ...]) -> str:
    if len(lexemes) == 1:
        return _quote(lexemes[0])
    return "(" + " <-> ".join(_quote(p) for p in lexemes) + ")"


def _sequence(form: str) -> tuple[str, ...]:
    """Return the lexemes of a folded form (several make a phrase)."""
    return tuple(LEXEME.findall(form))


def _either(forms: Iterable[str]) -> Unit | None:
    """Return the OR of forms. ts_rank scores an OR by the mean over its distinct lexemes
    (a phrase alone by the proximity of its lexemes, undivided)."""
    found = sorted({s for s in (_sequence(f) for f in forms) if s})
    if not found:
        return None
    queries = [_form_query(s) for s in found]
    if len(found) == 1:
        return Unit(queries[0], 1, tuple(found))
    distinct = {lexeme for s in found for lexeme in s}
    return Unit("(" + " | ".join(queries) + ")", len(distinct), tuple(found))


def word_unit(word: str) -> Unit | None:
    """Return a query word as the OR of the forms it may be indexed under."""
    return _either(variants_of(word))


def phrase_unit(words: list[str]) -> Unit | None:
    """Return a quoted phrase as the OR of its unstemmed and stemmed sequences."""
    phrases = {" ".join(fold(w) for w in words)}
    for language in QUERY_LANGUAGES:
        stem = stemmer_of(language)
        if stem is not None:
            phrases.add(" ".join(fold(s) for s in stem.stemWords(words)))
    return _either(phrases)


def query_units(parsed: ParsedQuery) -> list[Unit]:
    """Return the positive words and phrases of a query, each as a tsquery."""
    units = [word_unit(w) for w in dict.fromkeys(parsed.words)]
    units += [phrase_unit(p) for p in parsed.phrases]
    return [u for u in units if u is not None]


def tsquery(parsed: ParsedQuery, *, any_word: bool = False) -> str | None:
    """Return the tsquery of all words (or any word), phrases and exclusions; None if empty."""
    units = query_units(parsed)
    if not units:
        return None
    expression = (" | " if any_word else " & ").join(u.query for u in units)
    excluded = [word_unit(w) for w in dict.fromkeys(parsed.excluded)]
    excluded_queries = [u.query for u in excluded if u is not None]
    if excluded_queries:
        expression = f"({expression}) & !({' | '.join(excluded_queries)})"
    return expression


def idf(records: float, holding: float) -> float:
    """Return BM25's inverse document frequency (the always-positive form)."""
    return math.log(1.0 + (records - holding + 0.5) / (holding + 0.5))


class PostgresIndex(FacetIndex):
    """The index on PostgreSQL: a table of tsvectors (`{name}_fts`) and the facet table."""

    def __init__(
        self,
        session: Session,
        name: str = "items",
        facet_max_rows: int = 50_000,
        total_facet: str | None = None,
    ):
        super().__init__(session, name, facet_max_rows, total_facet)
        self.fts = f"{name}_fts"
        self.fts_key = "doc_id"

    def upsert(self, records: Iterable[IndexRecord]) -> int:
        """Add or replace records in one batch."""
        batch = list(records)
        if not batch:
            return 0
        self.delete([r.id for r in batch])
        self.session.execute(
            text(
                f"INSERT INTO {self.fts}(doc_id, document) "
                "VALUES (:id, CAST(:document AS tsvector))"
            ),
            [{"id": r.id, "document": document_vector(r.title, r.text, r.language)} for r in batch],
        )
        self._insert_facets({r.id: r.facets for r in batch})
        return len(batch)

    def rank(
        self, query: str, filters: Filters | None = None, limit: int = 10, offset: int = 0
    ) -> Ranking:
        """Rank matches BM25-like; all words must match, or any word when none holds them all.

        An empty query lists the records that pass the filters, newest first.
        """
        parsed = parse_query(query)
        where, params = self.filter_sql(filters or {})
        if parsed.is_empty:
            return self._browse(where or f"SELECT doc_id FROM {self.fts}", params, limit, offset)
        units = query_units(parsed)
        every = tsquery(parsed)
        if every is None:  # only punctuation: nothing can match, as on FTS5
            return Ranking([], "all", Matches(self._nothing(), {}))
        weights = self._weights(units)
        ranking = self._ranked(every, units, weights, where, params, limit, offset)
        if not ranking.hits and len(units) > 1:
            if offset == 0 or not self._exists(ranking):
                some = tsquery(parsed, any_word=True)
                assert some is not None
                ranking = self._ranked(some, units, weights, where, params, limit, offset)
                ranking.matched = "any"
        return ranking

    def _nothing(self) -> str:
        return f"SELECT doc_id FROM {self.fts} WHERE false"

    def _weights(self, units: list[Unit]) -> list[float]:
        """Return each unit's weight: its idf, times the lexemes ts_rank divides by.

        Counting the records that hold a common word reads much of the index (57 of 74 ms a
        query at 100k records of bench/ingest_search.py's corpus), so common lexemes are
        estimated from the column's statistics (`pg_stats.most_common_elems`, kept by ANALYZE
        and autovacuum), as is the number of records above STATS_MIN_RECORDS; a rare word's
        exact count is cheap.
        Without statistics yet (a new or small index), everything is counted.
        """
        lexemes = sorted({lexeme for unit in units for form in unit.forms for lexeme in form})
        stats = self.session.execute(
            text(
                "SELECT (SELECT reltuples FROM pg_class WHERE oid = to_regclass(:table)), "
                "(SELECT json_object_agg(m.lexeme, m.share) FROM pg_stats AS s, "
                "unnest(CAST(CAST(s.most_common_elems AS text) AS text[]), "
                "s.most_common_elem_freqs) AS m(lexeme, share) "
                "WHERE s.schemaname = current_schema() AND s.tablename = :table "
                "AND s.attname = 'document' AND m.lexeme = ANY(CAST(:lexemes AS text[])))"
            ),
            {"table": self.fts, "lexemes": lexemes},
        ).one()
        estimated = float(stats[0] or -1)
        share: dict[str, float] = dict(stats[1] or {})
        if estimated < STATS_MIN_RECORDS:  # a new or small index: count everything, exactly
            row = self._counts([unit.query for unit in units], total=True)
            records = float(row[0])
            holding = [float(n) for n in row[1:]]
        else:  # count only the forms with a rare lexeme; estimate the others
            records = estimated
            common = {lexeme: fraction * records for lexeme, fraction in share.items()}
            rare = sorted({f for unit in units for f in unit.forms if not set(f) <= set(common)})
            row = self._counts([_form_query(form) for form in rare], total=False)
            counted = dict(zip(rare, (float(n) for n in row), strict=True))
            holding = [min(records, unit.holding(common, counted)) for unit in units]
        return [
            idf(max(records, found), found) * unit.divisor
            for unit, found in zip(units, holding, strict=True)
        ]

    def _counts(self, queries: list[str], *, total: bool) -> Sequence[Any]:
        """Count the records matching each tsquery (first all records, if `total`)."""
        parts = [f"(SELECT count(*) FROM {self.fts})"] if total else []
        parts += [
            f"(SELECT count(*) FROM {self.fts} WHERE document @@ CAST(:c{n} AS tsquery))"
            for n in range(len(queries))
        ]
        if not parts:
            return []
        return tuple(
            self.session.execute(
                text(f"SELECT {', '.join(parts)}"), {f"c{n}": q for n, q in enumerate(queries)}
            ).one()
        )

    def _ranked(
        self,
        expression: str,
        units: list[Unit],
        weights: list[float],
        where: str,
        params: dict[str, Any],
        limit: int,
        offset: int,
    ) -> Ranking:
        params = {**params, "q": expression}
        restrict = f" AND doc_id IN ({where})" if where else ""
        matches = f"SELECT doc_id FROM {self.fts} WHERE document @@ CAST(:q AS tsquery){restrict}"
        score = " + ".join(
            f"CAST(:w{n} AS float8) * {RANK_FUNCTION}({RANK_WEIGHTS}, document, "
            f"CAST(:u{n} AS tsquery), {RANK_NORMALIZATION})"
            for n in range(len(units))
        )
        terms: dict[str, Any] = {f"u{n}": unit.query for n, unit in enumerate(units)}
        terms.update({f"w{n}": weight for n, weight in enumerate(weights)})
        rows = self.session.execute(
            text(
                f"SELECT doc_id, {score} AS score FROM {self.fts} "
                f"WHERE document @@ CAST(:q AS tsquery){restrict} "
                "ORDER BY score DESC, doc_id LIMIT :limit OFFSET :offset"
            ),
            {**params, **terms, "limit": limit, "offset": offset},
        ).all()
        hits = [Hit(id=row[0], score=round(float(row[1]), 4)) for row in rows]
        return Ranking(hits, "all", Matches(matches, params))
