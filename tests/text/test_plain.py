"""Plain-text reading: paragraphs, headings and lists by their look; encodings."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmhub.text import Document, UnreadableDocument, read_document

from .builders import COMMITMENT_6, ENGLISH, FRENCH, OBJECTIVE_6, write_text

TEXT = f"""GLOBAL COMPACT REVIEW

1. Introduction

{ENGLISH}
This sentence was wrapped onto a second line by the author's editor, which also split migra-
tion across two lines.

{OBJECTIVE_6}
{COMMITMENT_6}

Actions

To realize this commitment, we will draw from the following actions:
(a) Promote fair recruitment standards in
    every sector;
b) Build partnerships with employers;
  - including small enterprises
  * and cooperatives
• Share good practice.

1. Apples

2. Pears
"""


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> Document:
    return read_document(write_text(tmp_path_factory.mktemp("txt") / "review.txt", TEXT))


def test_plain_text_headings_come_from_capitals_numbering_and_short_lines(doc: Document) -> None:
    assert [s.heading_path for s in doc.segments] == [
        ("GLOBAL COMPACT REVIEW", "1. Introduction"),
        ("GLOBAL COMPACT REVIEW", OBJECTIVE_6),
        ("GLOBAL COMPACT REVIEW", OBJECTIVE_6, "Actions"),
        ("GLOBAL COMPACT REVIEW", OBJECTIVE_6, "Actions"),
    ]
    assert doc.title == "GLOBAL COMPACT REVIEW"


def test_plain_text_lines_of_a_paragraph_are_joined_and_hyphenation_mended(
    doc: Document,
) -> None:
    assert doc.segments[0].text == (
        f"{ENGLISH} This sentence was wrapped onto a second line by the author's editor, which "
        "also split migration across two lines."
    )


def test_a_numbered_heading_line_directly_above_its_body_is_a_heading(doc: Document) -> None:
    assert doc.segments[1].text == COMMITMENT_6


def test_plain_text_list_markers_make_list_items_with_nesting_by_indent(doc: Document) -> None:
    intro, actions = doc.segments[2], doc.segments[3]

    assert intro.text == "To realize this commitment, we will draw from the following actions:"
    assert actions.kind == "list"
    assert actions.text.split("\n") == [
        "- (a) Promote fair recruitment standards in every sector;",
        "- b) Build partnerships with employers;",
        "  - including small enterprises",
        "  - and cooperatives",
        "- Share good practice.",
        "- 1. Apples",
        "- 2. Pears",
    ]


def test_a_utf8_file_with_a_byte_order_mark_is_read_without_it(tmp_path: Path) -> None:
    path = write_text(tmp_path / "bom.txt", FRENCH, bom=True)

    doc = read_document(path)

    assert doc.text == FRENCH
    assert doc.language == "fr"


def test_a_utf16_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = write_text(tmp_path / "utf16.txt", FRENCH, encoding="utf-16")

    assert read_document(path).text == FRENCH


def test_a_cp1252_file_is_refused_naming_the_byte_and_its_offset(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "legacy.txt", "Migration safe.\nCafé des migrants.", encoding="cp1252"
    )

    with pytest.raises(UnreadableDocument) as error:
        read_document(path)

    assert str(error.value) == (
        "legacy.txt: not valid UTF-8 (byte 0xe9 at offset 19); save it as UTF-8"
    )


def test_utf16_without_a_byte_order_mark_is_refused_as_such(tmp_path: Path) -> None:
    path = write_text(tmp_path / "nobom.txt", ENGLISH, encoding="utf-16-le")

    with pytest.raises(UnreadableDocument, match="UTF-16 without a byte-order mark"):
        read_document(path)
