"""Lexical search (mode="lexical"): BM25 ranking, filters, facet counts, snippets, French and Spanish stems."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from gcmhub.context import Context
from gcmhub.errors import InvalidInput
from gcmhub.knowledge.actions import item_search, knowledge_ingest
from gcmhub.knowledge.ingest import IngestOptions
from gcmhub.runtime import open_context

RECORDS: list[dict[str, object]] = [
    {
        "id": "r-title",
        "title": "Remittance costs",
        "text": "Sending money home is expensive.",
        "type": "practice",
        "countries": ["MEX"],
        "objectives": ["20a"],
        "date": "2020",
        "language": "en",
    },
    {
        "id": "r-body",
        "title": "Financial inclusion",
        "text": "Banks and remittance providers cut costs for migrants.",
        "type": "resource",
        "countries": ["PHL"],
        "objectives": ["20"],
        "date": "2021",
        "language": "en",
    },
    {
        "id": "fr-1",
        "title": "Travailleurs migrants saisonniers",
        "text": "Les travailleurs migrants bénéficient de contrats saisonniers et d'une protection sociale.",
        "type": "practice",
        "countries": ["FRA"],
        "objectives": ["6"],
        "language": "fr",
    },
    {
        "id": "es-1",
        "title": "Remesas y desarrollo",
        "text": "Las remesas de los trabajadores migrantes financian la educación en las comunidades de origen.",
        "type": "project",
        "countries": ["GTM", "MEX"],
        "objectives": ["19", "20"],
        "language": "es",
    },
    {
        "id": "en-2",
        "title": "Skills recognition",
        "text": "Recognition of skills and qualifications helps migrant workers find decent work.",
        "type": "policy_option",
        "countries": ["DEU"],
        "objectives": ["18"],
        "date": "2019",
        "language": "en",
    },
]


@pytest.fixture
def loaded(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    with open_context() as ctx:
        knowledge_ingest(ctx, path, IngestOptions())
    return RECORDS


def ids(ctx: Context, query: str, **filters: list[str]) -> list[str]:
    return [h.id for h in item_search(ctx, query, filters, limit=20, mode="lexical").hits]


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_body(loaded, ctx) -> None:  # type: ignore[no-untyped-def]
    assert ids(ctx, "remittance costs")[:2] == ["r-title", "r-body"]


def test_all_words_must_match_and_any_word_is_the_fallback(loaded, ctx) -> None:  # type: ignore[no-untyped-def]
    results = item_search(ctx, "remittance qualifications", mode="lexical")
    assert results.matched == "any"
    assert {"r-title", "en-2"} <= {h.id for h in results.hits}
    assert item_search(ctx, "remittance costs", mode="lexical").matched == "all"


def test_french_plurals_and_accents_find_the_french_item(loaded, ctx) -> None:  # type: ignore[no-untyped-def]
    assert ids(ctx, "travailleur saisonnier") == ["fr-1"]
    assert ids(ctx, "educacion") == ["es-1"]
    assert ids(ctx, "remesa") == ["es-1"]


def test_objective_filter_includes_items_tagged_with_its_actions(loaded, ctx) -> None:  # type: ignore[no-untyped-def]
    assert set(ids(ctx, "", objective=["20"])) == {"r-title", "r-body", "es-1"}
    assert ids(ctx, "", action=["20a"]) == ["r-title"]


def test_filters_accept_labels_and_combine(loaded, ctx) -> None:  # type: ignore[no-untyped-def]
    assert set(ids(ctx, "", country=["Mexico"])) == {"r-title", "es-1"}
    assert ids(ctx, "", country=["Mexico"], type=["project"]) == ["es-1"]
    assert set(ids(ctx, "", region=["Latin America and the Caribbean"])) == {"r-title", "es-1"}


def test_facet_counts_equal_a_count_of_the_matching_records(loaded, ctx) -> None:  # type: ignore[no-untyped-def]
    results = item_search(ctx, "migrants", mode="lexical")
    matching = [r for r in RECORDS if r["id"] in {h.id for h in results.hits}]
    assert results.total == len(matching) == 4
    expected = Counter(str(r["type"]) for r in matching)
    assert {f.value: f.count for f in results.facets["type"]} == expected
    countries = Counter(c for r in matching for c in r["countries"])  # type: ignore[attr-defined]
    assert {f.value: f.count for f in results.facets["country"]} == countries
    labels = {f.value: f.label for f in results.facets["objective"]}
    assert labels["20"].startswith("Promote faster, safer and cheaper transfer of remittances")


def test_snippets_mark_the_matched_words_and_say_which_matched(loaded, ctx) -> None:  # type: ignore[no-untyped-def]
    hit = item_search(ctx, "money home", mode="lexical").hits[0]
    assert "<mark>money</mark>" in hit.snippet and "<mark>home</mark>" in hit.snippet
    assert hit.why.terms == ["home", "money"]


def test_an_unknown_filter_is_refused_with_the_known_ones(loaded, ctx) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="unknown filter 'colour'.*objective"):
        item_search(ctx, "migrants", {"colour": ["red"]}, mode="lexical")


def test_search_json_has_total_facets_and_hits(loaded, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "", "--filter", "country=MEX", "--json")
    body = json.loads(result.out)
    assert body["total"] == 2
    assert set(body["hits"][0]) >= {"id", "title", "score", "snippet", "source"}
    assert body["facets"]["country"][0] == {"value": "MEX", "label": "Mexico", "count": 2}


def test_a_malformed_filter_exits_2_with_one_line(loaded, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "remittances", "--filter", "country")
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
