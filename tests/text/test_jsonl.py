"""JSON Lines reading: one record per line, problems reported per line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmhub.text import Document, Problem, UnreadableDocument, read_document

from .builders import COMMITMENT_6, ENGLISH, FRENCH, make_jsonl

PRACTICE = {
    "id": "gp-0001",
    "title": "Zero recruitment fees in the garment sector",
    "text": f"{COMMITMENT_6}\n\n  Employers   paid the fees instead.",
    "type": "good_practice",
    "url": "https://example.org/practices/1",
    "language": "EN",
    "date": "2021-06-30",
    "countries": ["Bangladesh", "Jordan"],
    "objectives": [6, "7", "6a"],
    "publisher": "ILO",
    "license": "CC-BY-4.0",
}


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = tmp_path_factory.mktemp("jsonl") / "practices.jsonl"
    make_jsonl(
        path,
        [
            PRACTICE,
            {"id": 42, "text": ENGLISH, "countries": "Mexico, Guatemala", "objectives": "2, 23"},
            {"id": "gp-0003", "title": "Empty"},
            "",
            '{"id": "gp-0004", "text": "unterminated',
            '["not", "an", "object"]',
            {"text": "A record nobody can refer to."},
            {"id": "gp-0001", "text": "A second record under an id already used."},
            {"id": "gp-0008", "text": FRENCH, "objectives": ["Objective 5", {}], "date": "soon"},
        ],
    )
    return read_document(path)


def test_each_valid_record_becomes_a_record_segment_keyed_by_its_id(doc: Document) -> None:
    assert [s.key for s in doc.segments] == ["gp-0001", "42", "gp-0008"]
    assert {s.kind for s in doc.segments} == {"record"}
    assert [s.ordinal for s in doc.segments] == [0, 1, 2]
    assert [(s.para_start, s.para_end) for s in doc.segments] == [(1, 1), (2, 2), (9, 9)]


def test_a_record_keeps_its_title_text_and_metadata_fields(doc: Document) -> None:
    record = doc.segments[0]

    assert record.title == PRACTICE["title"]
    assert record.text == f"{COMMITMENT_6}\n\nEmployers paid the fees instead."
    assert dict(record.fields) == {
        "type": "good_practice",
        "url": "https://example.org/practices/1",
        "language": "en",
        "date": "2021-06-30",
        "countries": ["Bangladesh", "Jordan"],
        "objectives": ["6", "7", "6a"],
        "publisher": "ILO",
        "licence": "CC-BY-4.0",
    }


def test_comma_separated_countries_and_objectives_are_split_and_kept_as_written(
    doc: Document,
) -> None:
    record = doc.segments[1]

    assert record.fields["countries"] == ["Mexico", "Guatemala"]
    assert record.fields["objectives"] == ["2", "23"]
    assert ENGLISH.startswith(record.title.rstrip("…"))


def test_bad_lines_are_reported_with_their_line_numbers_and_the_rest_kept(doc: Document) -> None:
    assert doc.problems[:5] == [
        Problem("record 'gp-0003' has no text", 3),
        Problem("not valid JSON (Unterminated string starting at column 27)", 5),
        Problem("expected a JSON object, found an array", 6),
        Problem("record has no 'id'", 7),
        Problem("duplicate id 'gp-0001' (first on line 1)", 8),
    ]


def test_a_problem_reads_as_its_line_number_and_reason(doc: Document) -> None:
    assert str(doc.problems[0]) == "line 3: record 'gp-0003' has no text"
    assert str(Problem("page 2: text could not be extracted")) == (
        "page 2: text could not be extracted"
    )


def test_malformed_fields_are_reported_and_dropped_but_the_record_kept(doc: Document) -> None:
    record = doc.segments[2]

    assert record.fields == {"objectives": ["Objective 5"]}
    assert [str(p) for p in doc.problems[5:]] == [
        "line 9: record 'gp-0008': 'date' \"soon\" is not an ISO date "
        "(YYYY, YYYY-MM or YYYY-MM-DD)",
        "line 9: record 'gp-0008': 'objectives' must be a list of names or numbers, or a "
        "comma-separated string",
    ]


def test_a_duplicate_id_keeps_the_first_record(doc: Document) -> None:
    assert doc.segments[0].text.startswith(COMMITMENT_6)


def test_a_jsonl_file_without_any_valid_record_is_refused(tmp_path: Path) -> None:
    path = make_jsonl(tmp_path / "bad.ndjson", [{"id": "x"}, "nonsense"])

    with pytest.raises(UnreadableDocument) as error:
        read_document(path)

    assert str(error.value) == (
        "bad.ndjson: no valid records (2 problems; first: line 1: record 'x' has no text)"
    )


def test_jsonl_documents_have_no_title_and_detect_language_over_all_records(
    doc: Document,
) -> None:
    assert doc.title is None
    assert doc.format == "jsonl"
    assert doc.language == "en"
