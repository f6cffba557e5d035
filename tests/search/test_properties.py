"""Properties of query parsing, checked with hypothesis against a real SQLite FTS5 table.

Whatever a person types, `parse_query` gives lower-case word tokens, and `match_expression`
gives an expression FTS5 accepts (in both the all-words and the any-word form), which finds
an indexed text holding the query's words.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from gcmhub.search.analysis import (
    QUERY_LANGUAGES,
    TOKEN,
    analyze,
    match_expression,
    parse_query,
)

PROPERTIES = settings(max_examples=300, deadline=None)
# Characters that mean something to the query syntax or to FTS5, among ordinary letters.
SYNTAX = st.sampled_from(
    list("\"-*^:()+{}[]NEARORANDNOT \t\n.,;'") + ["AND", "OR", "NOT", "NEAR", "NEAR(", "col:"]
)
QUERY = st.one_of(
    st.text(),
    st.lists(st.one_of(SYNTAX, st.text(min_size=1, max_size=8)), max_size=12).map("".join),
)


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    """An in-memory FTS5 table configured as the items index (migrations/versions/0001)."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    connection.execute("INSERT INTO t(t, rank) VALUES ('rank', 'bm25(2.0, 1.0)')")
    connection.execute(
        "CREATE VIRTUAL TABLE probe USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    connection.execute("CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, 'row')")
    yield connection
    connection.close()


def fts5_tokens(fts: sqlite3.Connection, text: str) -> list[str]:
    """Return the tokens FTS5 makes of a text."""
    with fts:
        fts.execute("DELETE FROM probe")
        fts.execute("INSERT INTO probe(body) VALUES (?)", (text,))
    return [row[0] for row in fts.execute("SELECT term FROM probe_terms")]


def search(fts: sqlite3.Connection, expression: str) -> list[int]:
    rows = fts.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank", (expression,))
    return [row[0] for row in rows]


@PROPERTIES
@given(QUERY)
@example('"')
@example('-"')
@example('"" - -- ---')
@example("-excluded only")
@example("NEAR(a b) OR AND NOT")
@example("col:word title:x")
@example("a*b ^c")
@example("\u0300\u0301 ǅ ß ﬁ Ⅻ ١٢٣ _")
@example("l'été c'est « entre guillemets »")
def test_every_query_gives_an_expression_fts5_accepts(fts: sqlite3.Connection, query: str) -> None:
    parsed = parse_query(query)
    for word in [*parsed.words, *parsed.excluded, *parsed.all_words()]:
        assert TOKEN.fullmatch(word) and word == word.lower()
    if parsed.is_empty:  # only exclusions, or nothing: the index lists instead of matching
        return
    for any_word in (False, True):
        search(fts, match_expression(parsed, any_word=any_word))  # raises on a syntax error


LETTER = st.characters(categories=["L", "N"])


@PROPERTIES
@given(
    st.lists(st.text(LETTER, min_size=1, max_size=10), min_size=1, max_size=6),
    st.sampled_from([*QUERY_LANGUAGES, None]),  # a query is stemmed in these
)
@example(["мой", "ёлка"], None)  # й and ё are letters of their own to FTS5
@example(["أمن", "إدارة"], None)  # so are the alef forms with hamza
@example(["이주", "노동자"], None)  # Hangul syllables are not decomposed
@example(["ガイド", "ά", "豈"], None)
@example(["éducation", "Ǡ", "ệ"], "fr")
def test_a_text_is_found_by_each_of_its_words(
    fts: sqlite3.Connection, words: list[str], language: str | None
) -> None:
    text = " ".join(words)
    # A few letters of newer Unicode than SQLite's tables (New Tai Lue vowels) are no tokens.
    assume(all(fts5_tokens(fts, word) for word in TOKEN.findall(text.lower())))
    with fts:
        fts.execute("DELETE FROM t")
        fts.execute(
            "INSERT INTO t(rowid, title, body) VALUES (1, '', ?)", (analyze(text, language),)
        )
    for word in TOKEN.findall(text):
        parsed = parse_query(word)
        if not parsed.is_empty:
            assert search(fts, match_expression(parsed)) == [1], word
