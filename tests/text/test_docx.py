"""DOCX reading: heading and list styles, numbering, tables, core properties, bad files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest

from gcmhub.text import Document, UnreadableDocument, read_document

from .builders import ACTIONS_6, COMMITMENT_6, COMMITMENT_7, OBJECTIVE_6, OBJECTIVE_7, make_docx


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = tmp_path_factory.mktemp("docx") / "pledges.docx"
    make_docx(
        path,
        [
            ("title", "Pledges to the Global Compact"),
            ("p", "This note lists pledges made at the first review forum."),
            ("h1", OBJECTIVE_6),
            ("p", COMMITMENT_6),
            ("h2", "Actions"),
            *[("bullet", action) for action in ACTIONS_6],
            ("bullet2", "including domestic workers"),
            ("h1", OBJECTIVE_7),
            ("p", COMMITMENT_7),
            ("numbered", "Map the situations of vulnerability along migration routes."),
            ("numbered", "Train consular staff to recognise them."),
            ("h1", "Pledges by country"),
            ("table", [["Country", "Pledge"], ["Ghana", "Ethical recruitment"]]),
        ],
        title="Review forum pledges",
        author="GCM Hub",
    )
    return read_document(path)


def test_docx_heading_styles_give_the_heading_paths(doc: Document) -> None:
    assert [s.heading_path for s in doc.segments] == [
        ("Pledges to the Global Compact",),
        (OBJECTIVE_6,),
        (OBJECTIVE_6, "Actions"),
        (OBJECTIVE_7,),
        (OBJECTIVE_7,),
        ("Pledges by country",),
    ]


def test_docx_list_styles_make_a_list_with_nested_items_indented(doc: Document) -> None:
    actions = doc.segments[2]

    assert actions.kind == "list"
    assert actions.text.split("\n") == [
        *[f"- {action}" for action in ACTIONS_6],
        "  - including domestic workers",
    ]
    assert (actions.para_start, actions.para_end) == (3, 6)


def test_docx_paragraphs_numbered_through_numbering_properties_are_list_items(
    doc: Document,
) -> None:
    numbered = doc.segments[4]

    assert numbered.kind == "list"
    assert numbered.text == (
        "- Map the situations of vulnerability along migration routes.\n"
        "- Train consular staff to recognise them."
    )
    assert numbered.key == f"{OBJECTIVE_7}#2"


def test_docx_table_rows_become_paragraphs_with_cells_joined_by_bars(doc: Document) -> None:
    table = doc.segments[5]

    assert table.kind == "section"
    assert table.text == "Country | Pledge\n\nGhana | Ethical recruitment"


def test_docx_core_properties_give_title_author_and_created_date(doc: Document) -> None:
    assert doc.title == "Review forum pledges"
    assert doc.author == "GCM Hub"
    assert doc.created == date(2018, 12, 19)
    assert doc.language == "en"
    assert doc.format == "docx"


def test_docx_segments_have_no_page_numbers(doc: Document) -> None:
    assert {(s.page_start, s.page_end) for s in doc.segments} == {(None, None)}


def test_a_docx_without_a_title_property_takes_the_title_styled_paragraph(
    tmp_path: Path,
) -> None:
    path = make_docx(tmp_path / "untitled.docx", [("title", "Country report"), ("p", "Text.")])

    assert read_document(path).title == "Country report"


def test_a_docx_that_is_not_a_zip_package_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_text("These notes were saved as plain text with the wrong extension.")

    with pytest.raises(UnreadableDocument, match=r"^notes\.docx: not a valid DOCX \("):
        read_document(path)


def test_an_ole2_file_is_refused_as_password_protected_or_legacy_word(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)

    with pytest.raises(UnreadableDocument, match="password-protected DOCX or a legacy .doc"):
        read_document(path)


def test_a_merged_docx_table_cell_is_read_once(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Pledges made at the regional review"
    for column, text in enumerate(["Ghana", "Objective 6", "Ethical recruitment"]):
        table.cell(1, column).text = text
    path = tmp_path / "merged.docx"
    document.save(str(path))

    assert read_document(path).segments[0].text == (
        "Pledges made at the regional review\n\nGhana | Objective 6 | Ethical recruitment"
    )
