"""Query parsing and stemming: English, French and Spanish forms meet in one index."""

from __future__ import annotations

from gcmhub.search.analysis import analyze, match_expression, parse_query, variants


def test_query_keeps_phrases_and_exclusions_and_drops_stop_words() -> None:
    parsed = parse_query('rights of "domestic workers" -trafficking')
    assert parsed.words == ["rights"]
    assert parsed.phrases == [["domestic", "workers"]]
    assert parsed.excluded == ["trafficking"]


def test_a_query_of_stop_words_only_is_kept() -> None:
    assert parse_query("the of").words == ["the", "of"]


def test_french_and_spanish_plurals_stem_to_the_indexed_form() -> None:
    assert analyze("travailleurs migrants", "fr").split()[0] in variants("travailleur")
    assert analyze("trabajadores migrantes", "es").split()[1] in variants("migrante")
    assert analyze("remittances", "en") in variants("remittance")


def test_match_expression_ors_variants_and_ands_words() -> None:
    expression = match_expression(parse_query("workers costs"))
    assert " AND " in expression
    assert '"worker"' in expression
    assert match_expression(parse_query("workers costs"), any_word=True).count(" AND ") == 0


def test_quotes_in_a_query_cannot_break_the_expression() -> None:
    expression = match_expression(parse_query('"unbalanced quote'))
    assert expression.count('"') % 2 == 0
