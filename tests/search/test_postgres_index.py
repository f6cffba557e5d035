"""The PostgreSQL index: tsvectors as FTS5 would tokenise, tsqueries of the same shape, and
the same results as SQLite on the same records.

The literal-building tests run everywhere; the others need GCMHUB_TEST_DATABASE=postgresql
(they compare a PostgreSQL database with a SQLite one made beside it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from gcmhub import runtime
from gcmhub.knowledge.actions import item_index, item_search, knowledge_ingest
from gcmhub.knowledge.ingest import IngestOptions
from gcmhub.runtime import open_context
from gcmhub.search import postgres_index
from gcmhub.search.analysis import parse_query
from gcmhub.search.facets import id_rows
from gcmhub.search.postgres_index import (
    PostgresIndex,
    document_vector,
    idf,
    lexemes,
    tsquery,
)
from tests.search.test_search import RECORDS

POSTGRES = os.environ.get("GCMHUB_TEST_DATABASE") == "postgresql"
postgresql_only = pytest.mark.skipif(
    not POSTGRES, reason="needs PostgreSQL (GCMHUB_TEST_DATABASE=postgresql)"
)

MORE: list[dict[str, object]] = [
    {
        "id": "phrase",
        "title": "Decent work",
        "text": "Fair recruitment and decent work for migrant domestic workers; no work permit fees.",
        "type": "resource",
        "language": "en",
    },
    {
        "id": "split",
        "title": "COVID_19 response",
        "text": "Migrants in the covid-19 response: e-mail hotlines, cheaper SIM cards.",
        "type": "practice",
        "language": "en",
    },
    {
        "id": "across",
        "title": "Work permits",
        "text": "Decent housing for seasonal workers.",
        "type": "policy_option",
        "language": "en",
    },
]
QUERIES = [
    "remittance costs",
    "remittance qualifications",
    "travailleur saisonnier",
    "educacion",
    "remesa",
    "migrants",
    "migrant -remittance",
    '"decent work"',
    '"permits decent"',  # a phrase never spans the title and the body
    '"work permit"',
    "covid 19",
    "covid_19",
    "e-mail",
    "saisonniers protection sociale",
    "nothing matches this",
    "the of and",
    "Bénéficient",
]


def test_the_document_weights_the_title_and_folds_like_fts5() -> None:
    vector = document_vector("Travailleurs saisonniers", "Les travailleurs étrangers.", "fr")
    # title words weigh A, body words B; the body starts after a gap (position 3 is empty),
    # so a phrase never joins the title's last word to the body's first
    assert vector == "'travailleur':1A,5B 'saisonni':2A 'le':4B 'etranger':6B"
    assert lexemes("COVID_19 e-mail", "en") == ["covid", "19", "e", "mail"]


def test_queries_keep_the_fts5_shape() -> None:
    words = "('remitt' | 'remittanc' | 'remittance') {} ('cost' | 'costs')"
    assert tsquery(parse_query("remittance costs")) == words.format("&")
    assert tsquery(parse_query("remittance costs"), any_word=True) == words.format("|")
    assert tsquery(parse_query('"decent work" -fees')) == (
        "(('decent' <-> 'work')) & !(('fe' | 'fee' | 'fees'))"
    )
    assert tsquery(parse_query("covid_19")) == "('covid' <-> '19')"
    assert tsquery(parse_query("_")) is None  # nothing FTS5 would index either


def test_idf_is_positive_and_falls_as_more_records_hold_the_word() -> None:
    assert idf(100, 1) > idf(100, 50) > idf(100, 100) > 0


def test_id_lists_are_one_parameter_on_either_database() -> None:
    sql, params = id_rows("sqlite", "ids", range(100_000))
    assert "json_each(:ids)" in sql and json.loads(params["ids"])[-1] == 99_999
    sql, params = id_rows("postgresql", "ids", [3, 1])
    assert "unnest(CAST(:ids AS integer[]))" in sql and params == {"ids": [3, 1]}


def _write(path: Path) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS + MORE),
        encoding="utf-8",
    )
    return path


def _results(query: str) -> tuple[str, list[str], dict[str, dict[str, int]]]:
    with open_context() as ctx:
        found = item_search(ctx, query, limit=50, mode="lexical")
    facets = {name: {f.value: f.count for f in values} for name, values in found.facets.items()}
    return found.matched, sorted(h.id for h in found.hits), facets


@postgresql_only
def test_postgresql_finds_what_sqlite_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _write(tmp_path / "records.jsonl")
    with open_context() as ctx:
        assert isinstance(item_index(ctx), PostgresIndex)
        knowledge_ingest(ctx, records, IngestOptions())
    on_postgres = {q: _results(q) for q in QUERIES}

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'side.db'}")
    runtime.reset()
    with open_context() as ctx:
        assert not isinstance(item_index(ctx), PostgresIndex)
        knowledge_ingest(ctx, records, IngestOptions())
    on_sqlite = {q: _results(q) for q in QUERIES}

    assert on_postgres == on_sqlite
    assert on_postgres['"decent work"'][1] == ["en-2", "phrase"]
    assert on_postgres['"permits decent"'][1] == []
    assert on_postgres["covid_19"][1] == ["split"]
    assert on_postgres["remittance qualifications"][0] == "any"


@postgresql_only
def test_a_title_word_ranks_above_a_body_word_and_rare_words_weigh_more(
    tmp_path: Path,
) -> None:
    with open_context() as ctx:
        knowledge_ingest(ctx, _write(tmp_path / "records.jsonl"), IngestOptions())
        hits = item_search(ctx, "remittance costs", limit=5, mode="lexical").hits
        assert [h.id for h in hits[:2]] == ["r-title", "r-body"]
        assert hits[0].score > hits[1].score > 0
        # "any word": the one record holding the rare word ("housing") ranks above the six
        # holding the common one ("migrants"), even one with "migrants" in its title
        anyway = item_search(ctx, "migrants housing", limit=10, mode="lexical")
        assert anyway.matched == "any" and anyway.total == 7
        assert anyway.hits[0].id == "across"


@postgresql_only
def test_the_index_is_a_gin_indexed_tsvector_used_by_searches(tmp_path: Path) -> None:
    with open_context() as ctx:
        knowledge_ingest(ctx, _write(tmp_path / "records.jsonl"), IngestOptions())
        kinds = dict(
            ctx.session.execute(
                text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = 'items_fts'"
                )
            ).all()
        )
        assert kinds == {"doc_id": "integer", "document": "tsvector"}
        ctx.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            ctx.session.scalars(
                text(
                    "EXPLAIN SELECT doc_id FROM items_fts "
                    "WHERE document @@ CAST('remitt' AS tsquery)"
                )
            )
        )
        assert "ix_items_fts_document" in plan


@postgresql_only
def test_connections_keep_time_in_utc() -> None:
    with open_context() as ctx:
        assert ctx.session.execute(text("SHOW timezone")).scalar_one() == "UTC"


@postgresql_only
def test_common_words_are_estimated_from_the_statistics_with_the_same_ranking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ranked() -> dict[str, list[tuple[str, float]]]:
        with open_context() as ctx:
            return {
                q: [(h.id, h.score) for h in item_search(ctx, q, limit=50, mode="lexical").hits]
                for q in QUERIES
            }

    with open_context() as ctx:
        knowledge_ingest(ctx, _write(tmp_path / "records.jsonl"), IngestOptions())
    counted = ranked()
    with open_context() as ctx:
        ctx.session.execute(text("ANALYZE items_fts"))  # what autovacuum does in production
    monkeypatch.setattr(postgres_index, "STATS_MIN_RECORDS", 0)
    totals: list[bool] = []
    counts = PostgresIndex._counts

    def spy(self: PostgresIndex, queries: list[str], *, total: bool) -> object:
        totals.append(total)
        return counts(self, queries, total=total)

    monkeypatch.setattr(PostgresIndex, "_counts", spy)
    estimated = ranked()
    assert totals and not any(totals)  # the records and common words came from statistics
    assert {q: [i for i, _ in hits] for q, hits in estimated.items()} == {
        q: [i for i, _ in hits] for q, hits in counted.items()
    }
    for query, hits in estimated.items():
        for (_, score), (_, exact) in zip(hits, counted[query], strict=True):
            assert score == pytest.approx(exact, rel=0.35), query
