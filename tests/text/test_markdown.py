"""Markdown reading: headings, paragraphs, lists, tables and front matter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gcmhub.text import Document, read_document

from .builders import ACTIONS_6, COMMITMENT_6, ENGLISH, OBJECTIVE_6, make_markdown

BODY = f"""# Good practices on recruitment

{ENGLISH}
The second line belongs to the same paragraph, see [the portal](https://example.org).

## {OBJECTIVE_6}

{COMMITMENT_6}

### Actions

{ACTIONS_6[0]}
{ACTIONS_6[1]}

### Partners

1. Employers' organisations
   - in agriculture
2. **Trade unions**

| Country | Pledge |
|---------|--------|
| Chile   | Data   |
"""


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = tmp_path_factory.mktemp("md") / "practices.md"
    make_markdown(
        path, BODY, front_matter={"title": '"Recruitment practices"', "date": "2021-03-04"}
    )
    return read_document(path)


def test_markdown_headings_give_heading_paths_and_kinds(doc: Document) -> None:
    top = "Good practices on recruitment"

    assert [(s.heading_path, s.kind) for s in doc.segments] == [
        ((top,), "section"),
        ((top, OBJECTIVE_6), "section"),
        ((top, OBJECTIVE_6, "Actions"), "list"),
        ((top, OBJECTIVE_6, "Partners"), "list"),
        ((top, OBJECTIVE_6, "Partners"), "section"),
    ]


def test_markdown_inline_markup_is_dropped_and_soft_breaks_become_spaces(doc: Document) -> None:
    assert doc.segments[0].text == (
        f"{ENGLISH} The second line belongs to the same paragraph, see the portal."
    )


def test_lettered_lines_in_one_markdown_paragraph_become_list_items(doc: Document) -> None:
    assert doc.segments[2].text == f"- {ACTIONS_6[0]}\n- {ACTIONS_6[1]}"


def test_markdown_ordered_lists_keep_their_numbers_and_nesting(doc: Document) -> None:
    assert doc.segments[3].text == (
        "- 1. Employers' organisations\n  - in agriculture\n- 2. Trade unions"
    )


def test_markdown_table_rows_become_paragraphs_with_cells_joined_by_bars(doc: Document) -> None:
    assert doc.segments[4].text == "Country | Pledge\n\nChile | Data"


def test_markdown_front_matter_gives_title_and_date_and_is_not_text(doc: Document) -> None:
    assert doc.title == "Recruitment practices"
    assert doc.created == date(2021, 3, 4)
    assert "title:" not in doc.text
    assert doc.format == "markdown"


def test_markdown_without_front_matter_is_titled_by_its_first_h1(tmp_path: Path) -> None:
    path = make_markdown(tmp_path / "n.markdown", f"Intro.\n\n# Main title\n\n{ENGLISH}\n")

    doc = read_document(path)

    assert doc.title == "Main title"
    assert doc.segments[0].heading_path == ()
    assert doc.segments[0].title == "Intro."
