"""Properties of the text readers that must hold for any input, checked with hypothesis.

- Any text or bytes read as plain text, Markdown, HTML or JSON Lines gives a Document or an
  UnreadableDocument, never another exception.
- Segments are numbered in reading order, their paragraph ranges run forwards, their keys are
  unique, and their text is non-empty, trimmed and at most `max_chars` long.
- Nothing is made up: the characters of the segments (less the list markers they add) are a
  subsequence of the document's; and running text (lines ending in punctuation, which no
  heading does) comes out whole: every character of it, in order.
"""

from __future__ import annotations

import html
import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gcmhub.text import Document, UnreadableDocument, read_document

MAX_CHARS = 300  # the least GCMHUB_SEGMENT_MAX_CHARS allows, so that long inputs are cut
LIST_PREFIX = re.compile(r"^ *- ", re.M)
PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words and lines of a document: letters (accented too) and digits, sentence punctuation.
# A word starts with a letter, so that no line starts like a list item ("1." or "a)").
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèçñüàÉ"
WORD = st.builds(
    str.__add__,
    st.sampled_from(LETTERS),
    st.text(st.sampled_from(LETTERS + "0123456789"), max_size=11),
)
WORDS = st.lists(WORD, min_size=1, max_size=14).map(" ".join)
# Running text ends its lines with punctuation, which no heading does (rules.looks_like_heading).
LINE = st.builds(str.__add__, WORDS, st.sampled_from([".", ",", ";", ":", "!", "?"]))
PARAGRAPH = st.lists(LINE, min_size=1, max_size=5).map("\n".join)
# Lines that may look like headings too.
ANY_LINE = st.builds(str.__add__, WORDS, st.sampled_from(["", ".", ",", ":"]))


@contextmanager
def written(data: bytes, suffix: str) -> Iterator[Path]:
    """Write bytes to a file with a suffix (tmp_path is per test, not per example)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"doc{suffix}"
        path.write_bytes(data)
        yield path


def read_or_refuse(data: bytes, suffix: str) -> Document | None:
    """Read bytes as a document; None when refused with UnreadableDocument."""
    with written(data, suffix) as path:
        try:
            return read_document(path, max_chars=MAX_CHARS)
        except UnreadableDocument as refusal:
            assert refusal.reason and "\n" not in refusal.reason
            return None


def check_segments(document: Document) -> None:
    """The invariants every reader's segments keep."""
    assert document.segments
    assert [s.ordinal for s in document.segments] == list(range(len(document.segments)))
    keys = [s.key for s in document.segments]
    assert len(keys) == len(set(keys))
    previous = 0
    for segment in document.segments:
        assert segment.text and segment.text == segment.text.strip()
        assert segment.title and len(segment.title) <= 120
        assert previous <= segment.para_start <= segment.para_end
        previous = segment.para_start
        if document.format != "jsonl":  # a record is never split
            assert len(segment.text) <= MAX_CHARS, segment


def visible(text: str) -> str:
    """Return the characters of a text without whitespace."""
    return "".join(text.split())


def is_subsequence(part: str, whole: str) -> bool:
    letters = iter(whole)
    return all(char in letters for char in part)


def segment_body(document: Document) -> str:
    """Return every segment's text in order, without the "- " the list renderer adds."""
    return "".join(
        visible(LIST_PREFIX.sub("", s.text) if s.kind == "list" else s.text)
        for s in document.segments
    )


def check_words_kept(document: Document, source: str) -> None:
    """No word of the source is lost: each is in a segment's text or its heading path."""
    held = " ".join(
        [s.text for s in document.segments] + [h for s in document.segments for h in s.heading_path]
    )
    for word in re.findall(r"[^\W\d_]+", source):
        assert word in held, (word, held)


# -- Any input: a document or a refusal -----------------------------------------------------


@PROPERTIES
@given(st.text())
@example("\ufeff")
@example("\x00abc")
@example("1.\n\n2.\n\n3.")
@example("(a)\n\n- \n\n#")
def test_any_text_reads_as_plain_text_or_is_refused(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    document = read_or_refuse(data, ".txt")
    if document is not None:
        check_segments(document)


@PROPERTIES
@given(st.text())
@example("---\ntitle: x\n---\n")
@example("| a |\n|---|\n| b |")
@example("* * *\n> quote\n    code\n")
def test_any_text_reads_as_markdown_or_is_refused(text: str) -> None:
    document = read_or_refuse(text.encode("utf-8", "surrogatepass"), ".md")
    if document is not None:
        check_segments(document)


@PROPERTIES
@given(st.text())
@example("<meta charset='klingon'><p>x</p>")
@example("<table><tr><td><p>a</p></td></tr></table>")
@example("<ul><li><ul><li>deep</li></ul></li></ul>")
def test_any_text_reads_as_html_or_is_refused(text: str) -> None:
    document = read_or_refuse(text.encode("utf-8", "surrogatepass"), ".html")
    if document is not None:
        check_segments(document)


@PROPERTIES
@given(st.binary(max_size=2000))
@example(b"\xff\xfe\x00\x00")
@example(b'{"id": 1, "text": "x"}\n{"id": 1, "text": "y"}')
@example(b'{"id": true, "text": "x"}\n[1]\n"s"\n{"id": "a", "text": "\\u0000"}')
@example(b'{"id": "a", "text": "x", "n": ' + b"1" * 5000 + b'}\n{"id": "b", "text": "y"}')
@example(b"[" * 100_000 + b'\n{"id": "b", "text": "y"}')
@example(b'{"id": "a", "text": "half \\ud800 a pair"}\n{"id": "b", "text": "y"}')
def test_any_bytes_read_as_json_lines_or_are_refused(data: bytes) -> None:
    document = read_or_refuse(data, ".jsonl")
    if document is None:
        return
    check_segments(document)
    lines = data.count(b"\n") + data.count(b"\r") + 1
    assert all(1 <= p.line <= lines for p in document.problems if p.line is not None)


@PROPERTIES
@given(st.binary(max_size=2000), st.sampled_from([".txt", ".md", ".html"]))
def test_any_bytes_read_as_text_or_are_refused(data: bytes, suffix: str) -> None:
    document = read_or_refuse(data, suffix)
    if document is not None:
        check_segments(document)


# -- Text of known shape: nothing made up, nothing lost -------------------------------------


@PROPERTIES
@given(st.lists(PARAGRAPH, min_size=1, max_size=12))
def test_plain_text_segments_keep_every_word_in_order(paragraphs: list[str]) -> None:
    source = "\n\n".join(paragraphs)
    document = read_or_refuse(source.encode(), ".txt")
    assert document is not None
    check_segments(document)
    check_words_kept(document, source)


@PROPERTIES
@given(st.lists(st.lists(ANY_LINE, min_size=1, max_size=4).map("\n".join), max_size=12))
def test_plain_text_segments_make_nothing_up(paragraphs: list[str]) -> None:
    source = "\n\n".join(["Opening words.", *paragraphs])
    document = read_or_refuse(source.encode(), ".txt")
    assert document is not None
    check_segments(document)
    assert is_subsequence(segment_body(document), visible(source))


@st.composite
def markdown_documents(draw: st.DrawFn) -> tuple[str, str]:
    """Markdown of headings, paragraphs and bullet lists with no inline markup, and its text."""
    parts, body = [], []
    for kind in draw(st.lists(st.sampled_from(["h", "p", "ul"]), min_size=1, max_size=10)):
        if kind == "h":
            parts.append("#" * draw(st.integers(1, 4)) + " " + draw(ANY_LINE))
        elif kind == "p":
            parts.append(draw(PARAGRAPH))
            body.append(parts[-1])
        else:
            items = draw(st.lists(LINE, min_size=1, max_size=6))
            parts.append("\n".join("- " + item for item in items))
            body.extend(items)
    return "\n\n".join(parts) + "\n", "\n".join(body)


@PROPERTIES
@given(markdown_documents())
def test_markdown_segments_keep_every_word_in_order(source_and_body: tuple[str, str]) -> None:
    source, body = source_and_body
    document = read_or_refuse(source.encode(), ".md")
    if document is None:  # headings only: no body text
        assert not body
        return
    check_segments(document)
    check_words_kept(document, body)


@st.composite
def html_documents(draw: st.DrawFn) -> tuple[str, str]:
    """An HTML page of headings, paragraphs and lists, and its text."""
    body, words = [], []
    for kind in draw(st.lists(st.sampled_from(["h", "p", "ul"]), min_size=1, max_size=10)):
        if kind == "h":
            level, line = draw(st.integers(1, 4)), draw(ANY_LINE)
            body.append(f"<h{level}>{html.escape(line)}</h{level}>")
        elif kind == "p":
            paragraph = draw(PARAGRAPH)
            body.append(f"<p>{html.escape(paragraph)}</p>")
            words.append(paragraph)
        else:
            items = draw(st.lists(LINE, min_size=1, max_size=6))
            body.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")
            words.extend(items)
    page = f"<!doctype html><html><body>{''.join(body)}</body></html>"
    return page, "\n".join(words)


@PROPERTIES
@given(html_documents())
def test_html_segments_keep_every_word_in_order(page_and_text: tuple[str, str]) -> None:
    page, source = page_and_text
    document = read_or_refuse(page.encode(), ".html")
    if document is None:  # headings only: no body text
        assert not source
        return
    check_segments(document)
    check_words_kept(document, source)


# Text of JSON strings, now and then with a lone surrogate ("\ud800" escapes one).
JSON_TEXT = st.text(st.characters() | st.sampled_from(["\ud800", "\udfff"]) | st.just("é"))
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | JSON_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(JSON_TEXT, inner, max_size=3),
    max_leaves=8,
)
RECORD = st.fixed_dictionaries(
    {"id": JSON_TEXT.filter(bool) | st.integers(), "text": JSON_TEXT.filter(bool)},
    optional=dict.fromkeys(
        ("title", "type", "url", "language", "publisher", "date", "countries", "objectives"),
        JSON_VALUE,
    ),
)


def is_text(value: object) -> bool:
    """Tell whether a JSON value's strings are all text (no lone surrogate)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@PROPERTIES
@given(st.lists(RECORD | JSON_VALUE, min_size=1, max_size=8))
@example([{"id": "a", "title": "Half \ud800 a pair", "text": "x"}, {"id": "b", "text": "y"}])
@example([{"id": "a\udc00", "text": "x"}, {"id": "b", "text": "😀", "url": ["\udfff"]}])
def test_json_lines_keep_each_valid_record_and_report_each_invalid_line(
    values: list[object],
) -> None:
    lines = [json.dumps(value) for value in values]
    document = read_or_refuse("\n".join(lines).encode(), ".jsonl")
    kept: dict[str, int] = {}
    for number, value in enumerate(values, start=1):
        if not isinstance(value, dict) or isinstance(value.get("id"), bool):
            continue
        if not is_text(value):
            continue
        ident, text = value.get("id"), value.get("text")
        if not isinstance(ident, (str, int, float)) or not isinstance(text, str):
            continue
        key = str(ident).strip()
        if key and text.strip() and key not in kept:
            kept[key] = number
    if document is None:
        assert not kept
        return
    check_segments(document)
    assert {s.key: s.para_start for s in document.segments} == kept
    refused = {p.line for p in document.problems} - set(kept.values())
    assert refused == set(range(1, len(values) + 1)) - set(kept.values())
