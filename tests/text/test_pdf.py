"""PDF reading: structure from fonts and layout, furniture removal, metadata, bad files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gcmhub.text import Document, UnreadableDocument, read_document
from gcmhub.text.pdflayout import Line, drop_furniture, layout_blocks

from .builders import (
    ACTIONS_6,
    COMMITMENT_6,
    COMMITMENT_7,
    ENGLISH,
    OBJECTIVE_6,
    OBJECTIVE_7,
    make_blank_pdf,
    make_encrypted_pdf,
    make_pdf,
)

PART = "Part II. Objectives and commitments"
HEADER = "A/RES/73/195 - Global Compact for Safe, Orderly and Regular Migration"
HYPHENATED = (
    "Cooperation between countries of origin, transit and destination is essential to make "
    "migra-\ntion safe, and it benefits from regional platforms such as the Asia-\nPacific "
    "consultations."
)


@pytest.fixture(scope="module")
def gcm_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "compact.pdf"
    return make_pdf(
        path,
        [
            [
                ("h1", PART),
                ("p", HYPHENATED),
                ("h2", OBJECTIVE_6),
                ("p", COMMITMENT_6),
                ("label", "Actions"),
                *[("li", action) for action in ACTIONS_6],
            ],
            [("h2", OBJECTIVE_7), ("p", COMMITMENT_7)],
        ],
        title="Global Compact for Migration",
        author="United Nations General Assembly",
        running_header=HEADER,
        page_footer=True,
    )


@pytest.fixture(scope="module")
def doc(gcm_pdf: Path) -> Document:
    return read_document(gcm_pdf)


def test_pdf_headings_set_in_larger_bold_type_form_the_heading_path(doc: Document) -> None:
    paths = [s.heading_path for s in doc.segments]

    assert paths == [
        (PART,),
        (PART, OBJECTIVE_6),
        (PART, OBJECTIVE_6, "Actions"),
        (PART, OBJECTIVE_7),
    ]
    assert [s.kind for s in doc.segments] == ["section", "section", "list", "section"]
    assert doc.format == "pdf"


def test_a_section_on_the_second_page_reports_page_two(doc: Document) -> None:
    pages = [(s.page_start, s.page_end) for s in doc.segments]

    assert pages == [(1, 1), (1, 1), (1, 1), (2, 2)]
    assert doc.segments[3].text == COMMITMENT_7


def test_running_headers_and_page_numbers_are_dropped(doc: Document) -> None:
    text = doc.text

    assert "A/RES/73/195" not in text
    assert "Page 1" not in text and "Page 2" not in text


def test_a_word_hyphenated_at_a_line_end_is_joined_but_a_compound_keeps_its_hyphen(
    doc: Document,
) -> None:
    text = doc.segments[0].text

    assert "make migration safe" in text
    assert "Asia-Pacific consultations" in text
    assert "\n" not in text


def test_lettered_actions_under_a_body_font_label_form_a_list(doc: Document) -> None:
    actions = doc.segments[2]

    assert actions.title == "Actions"
    assert actions.text == "\n".join(f"- {action}" for action in ACTIONS_6)
    assert actions.key == f"{PART} > {OBJECTIVE_6} > Actions#1"
    assert (actions.para_start, actions.para_end) == (3, 5)


def test_pdf_metadata_gives_title_author_creation_date_and_language(doc: Document) -> None:
    assert doc.title == "Global Compact for Migration"
    assert doc.author == "United Nations General Assembly"
    assert doc.created == date(2018, 12, 19)
    assert doc.language == "en"
    assert doc.problems == []


def test_keys_are_the_same_when_the_same_pdf_is_read_twice(gcm_pdf: Path, doc: Document) -> None:
    again = read_document(gcm_pdf)

    assert [s.key for s in again.segments] == [s.key for s in doc.segments]
    assert len({s.key for s in doc.segments}) == len(doc.segments)


def test_without_vertical_gaps_a_short_line_ending_a_sentence_ends_the_paragraph(
    tmp_path: Path,
) -> None:
    path = make_pdf(
        tmp_path / "tight.pdf",
        [[("p", ENGLISH), ("p", COMMITMENT_6), ("p", COMMITMENT_7)]],
        paragraph_gap=0,
    )

    segments = read_document(path).segments

    assert segments[0].text.split("\n\n") == [ENGLISH, COMMITMENT_6, COMMITMENT_7]


def test_a_paragraph_running_onto_the_next_page_stays_one_paragraph(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "runon.pdf",
        [
            [("h1", OBJECTIVE_6), ("p", "Member States will strengthen the capacity of")],
            [("p", "labour inspectors to detect abusive recruitment practices.")],
        ],
        running_header=HEADER,
        page_footer=True,
    )

    segments = read_document(path).segments

    assert [s.text for s in segments] == [
        "Member States will strengthen the capacity of labour inspectors to detect abusive "
        "recruitment practices."
    ]
    assert segments[0].page_start == 1


def test_a_pdf_that_needs_a_password_is_refused_as_encrypted(tmp_path: Path) -> None:
    path = make_encrypted_pdf(tmp_path / "locked.pdf")

    with pytest.raises(UnreadableDocument, match=r"^locked\.pdf: PDF is encrypted$"):
        read_document(path)


def test_a_pdf_encrypted_only_against_editing_is_read(tmp_path: Path) -> None:
    path = make_encrypted_pdf(tmp_path / "restricted.pdf", user_password="")

    doc = read_document(path)

    assert doc.segments[0].heading_path == (OBJECTIVE_6,)
    assert doc.segments[0].text == COMMITMENT_6


def test_a_truncated_pdf_is_refused_as_not_a_valid_pdf(gcm_pdf: Path, tmp_path: Path) -> None:
    data = gcm_pdf.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])

    with pytest.raises(UnreadableDocument, match=r"^cut\.pdf: not a valid PDF \(.*truncated"):
        read_document(cut)


def test_a_pdf_with_a_damaged_body_is_refused_as_not_a_valid_pdf(
    gcm_pdf: Path, tmp_path: Path
) -> None:
    data = gcm_pdf.read_bytes()
    damaged = tmp_path / "damaged.pdf"
    # Keep the header and the end-of-file marker but lose everything in between.
    damaged.write_bytes(data[:16] + b"\x00garbage" * 50 + data[-6:])

    with pytest.raises(UnreadableDocument, match=r"^damaged\.pdf: not a valid PDF \("):
        read_document(damaged)


def test_a_file_without_a_pdf_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_text("<html>Not found</html>")

    with pytest.raises(UnreadableDocument, match=r"not a valid PDF \(no %PDF header\)"):
        read_document(path)


def test_a_pdf_without_a_text_layer_is_refused_as_having_no_text(tmp_path: Path) -> None:
    path = make_blank_pdf(tmp_path / "scan.pdf", pages=2)

    with pytest.raises(UnreadableDocument, match=r"^scan\.pdf: no text found \(scanned PDF"):
        read_document(path)


def test_edge_lines_recurring_with_changing_numbers_are_running_headers() -> None:
    topics = ["data", "drivers", "information", "identity", "pathways", "recruitment"]
    bodies = [
        [f"Member States will act on {topic} with partners in the region." for topic in pair]
        for pair in zip(topics[::2], topics[1::2], strict=True)
    ]
    pages = [
        [Line(f"Chapter 2: Data {n + 4}", n), *(Line(t, n) for t in body)]
        + [Line(f"18-21683 {n + 4}/36", n)]
        for n, body in enumerate(bodies, start=1)
    ]

    kept = drop_furniture(pages)

    assert [[line.text for line in page] for page in kept] == bodies


def test_without_font_or_position_data_headings_and_lists_come_from_wording() -> None:
    lines = [
        Line("Objective 6: Facilitate fair and ethical recruitment", 1),
        Line(
            "We commit to review recruitment mechanisms so that they are fair and ethical, and", 1
        ),
        Line(
            "to protect all migrant workers against all forms of exploitation and abuse in the", 1
        ),
        Line("course of their recruitment.", 1),
        Line("(a) Promote ratification of the relevant international instruments on labour", 1),
        Line("migration and decent work;", 1),
        Line("(b) Publish the fees that licensed agencies may charge to employers.", 1),
    ]

    blocks = layout_blocks([lines])

    assert [b.kind for b in blocks] == ["heading", "paragraph", "list_item", "list_item"]
    assert blocks[0].text == "Objective 6: Facilitate fair and ethical recruitment"
    assert blocks[1].text.endswith("in the course of their recruitment.")
    assert blocks[2].text == (
        "(a) Promote ratification of the relevant international instruments on labour "
        "migration and decent work;"
    )
