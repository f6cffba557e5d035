"""Grouping blocks into segments: headings, sections, lists, splitting, keys."""

from __future__ import annotations

import pytest

from gcmhub.text import Block, segment_blocks
from gcmhub.text.segments import LONG_ITEM_CHARS

from .builders import ACTIONS_6, COMMITMENT_6, COMMITMENT_7, OBJECTIVE_6, OBJECTIVE_7


def heading(text: str, level: int = 1) -> Block:
    return Block("heading", text, level)


def para(text: str, page: int | None = None) -> Block:
    return Block("paragraph", text, page=page)


def item(text: str, depth: int = 0) -> Block:
    return Block("list_item", text, depth)


def test_a_lower_level_heading_nests_under_the_heading_above_it() -> None:
    segments = segment_blocks(
        [heading("Objectives", 1), heading(OBJECTIVE_6, 2), para(COMMITMENT_6)]
    )

    assert [s.heading_path for s in segments] == [("Objectives", OBJECTIVE_6)]
    assert segments[0].title == OBJECTIVE_6


def test_a_heading_of_the_same_level_replaces_its_sibling_in_the_path() -> None:
    segments = segment_blocks(
        [
            heading("Objectives", 1),
            heading(OBJECTIVE_6, 2),
            para(COMMITMENT_6),
            heading(OBJECTIVE_7, 2),
            para(COMMITMENT_7),
            heading("Implementation", 1),
            para("Member States will implement the compact at all levels."),
        ]
    )

    assert [s.heading_path for s in segments] == [
        ("Objectives", OBJECTIVE_6),
        ("Objectives", OBJECTIVE_7),
        ("Implementation",),
    ]


def test_paragraphs_under_one_heading_form_one_section_joined_by_blank_lines() -> None:
    segments = segment_blocks([heading(OBJECTIVE_6), para(COMMITMENT_6), para(COMMITMENT_7)])

    assert len(segments) == 1
    assert segments[0].kind == "section"
    assert segments[0].text == f"{COMMITMENT_6}\n\n{COMMITMENT_7}"
    assert (segments[0].para_start, segments[0].para_end) == (1, 2)


def test_headings_without_body_produce_no_segment() -> None:
    segments = segment_blocks(
        [heading("Part I"), heading("Vision", 2), heading(OBJECTIVE_6, 2), para(COMMITMENT_6)]
    )

    assert len(segments) == 1
    assert segments[0].heading_path == ("Part I", OBJECTIVE_6)


def test_blank_paragraphs_are_dropped_and_whitespace_is_collapsed() -> None:
    segments = segment_blocks(
        [para("  \n\t "), para("Safe   and\n regular\tmigration."), para(""), para("Second.")]
    )

    assert segments[0].text == "Safe and regular migration.\n\nSecond."
    assert (segments[0].para_start, segments[0].para_end) == (1, 2)


def test_a_long_section_splits_at_paragraph_boundaries_keeping_heading_and_title() -> None:
    paragraphs = [f"Paragraph {n} says that {COMMITMENT_6}" for n in range(6)]
    segments = segment_blocks([heading(OBJECTIVE_6), *map(para, paragraphs)], max_chars=600)

    assert len(segments) > 1
    assert all(len(s.text) <= 600 for s in segments)
    assert {s.title for s in segments} == {OBJECTIVE_6}
    assert {s.heading_path for s in segments} == {(OBJECTIVE_6,)}
    assert [s.key for s in segments] == [f"{OBJECTIVE_6}#{n}" for n in range(1, len(segments) + 1)]
    # Nothing is cut mid-paragraph: the parts put back together are the paragraphs.
    assert "\n\n".join(s.text for s in segments).split("\n\n") == paragraphs
    assert segments[1].para_start == segments[0].para_end + 1


def test_a_paragraph_longer_than_max_chars_splits_at_sentence_ends() -> None:
    sentences = [f"Sentence number {n} describes a commitment of the compact." for n in range(20)]
    segments = segment_blocks([heading("Vision"), para(" ".join(sentences))], max_chars=200)

    assert len(segments) > 1
    assert all(len(s.text) <= 200 for s in segments)
    assert all(s.text.endswith("compact.") for s in segments)
    assert " ".join(s.text for s in segments) == " ".join(sentences)
    assert {(s.para_start, s.para_end) for s in segments} == {(1, 1)}


def test_a_run_of_short_list_items_forms_one_list_segment_of_dash_lines() -> None:
    segments = segment_blocks(
        [heading("Actions", 2), item("(a) Publish fees."), item("(b) License recruiters.")]
    )

    assert len(segments) == 1
    assert segments[0].kind == "list"
    assert segments[0].text == "- (a) Publish fees.\n- (b) License recruiters."
    assert (segments[0].para_start, segments[0].para_end) == (1, 2)


def test_long_list_items_become_one_segment_each() -> None:
    long_items = [f"({letter}) {COMMITMENT_6} {COMMITMENT_7}" for letter in "abc"]
    assert min(map(len, long_items)) > LONG_ITEM_CHARS

    segments = segment_blocks([heading("Actions"), *map(item, long_items)])

    assert [s.text for s in segments] == [f"- {text}" for text in long_items]
    assert [s.kind for s in segments] == ["list"] * 3
    assert [(s.para_start, s.para_end) for s in segments] == [(1, 1), (2, 2), (3, 3)]
    assert [s.key for s in segments] == ["Actions#1", "Actions#2", "Actions#3"]


def test_nested_list_items_are_indented_and_stay_with_their_parent_item() -> None:
    parent = f"(a) {COMMITMENT_6} {COMMITMENT_7}"
    segments = segment_blocks(
        [item(parent), item("(i) in law;", 1), item("(ii) in practice.", 1), item(parent)]
    )

    assert segments[0].text == f"- {parent}\n  - (i) in law;\n  - (ii) in practice."
    assert segments[1].text == f"- {parent}"


def test_a_paragraph_and_the_list_after_it_are_separate_segments() -> None:
    segments = segment_blocks([heading(OBJECTIVE_6), para(COMMITMENT_6), *map(item, ACTIONS_6)])

    assert [s.kind for s in segments] == ["section", "list"]
    assert [s.key for s in segments] == [f"{OBJECTIVE_6}#1", f"{OBJECTIVE_6}#2"]


def test_keys_stay_unique_when_a_heading_recurs() -> None:
    segments = segment_blocks(
        [heading("Actions"), para("First."), heading("Actions"), para("Second.")]
    )

    assert [s.key for s in segments] == ["Actions#1", "Actions#2"]


def test_text_without_a_heading_is_titled_by_its_first_words_cut_at_a_word() -> None:
    segments = segment_blocks([para(COMMITMENT_6 + " " + COMMITMENT_7)])

    title = segments[0].title
    assert len(title) <= 120
    assert title.endswith("…")
    assert COMMITMENT_6.startswith(title[:-1])
    assert COMMITMENT_6[len(title) - 1] == " "
    assert segments[0].heading_path == ()
    assert segments[0].key == "#1"


def test_a_segment_spans_the_pages_of_its_paragraphs() -> None:
    segments = segment_blocks([heading("Vision"), para("One.", page=2), para("Two.", page=3)])

    assert (segments[0].page_start, segments[0].page_end) == (2, 3)


def test_a_max_chars_too_small_to_hold_a_sentence_is_refused() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        segment_blocks([para("Text.")], max_chars=10)
