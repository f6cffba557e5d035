"""Dispatch by suffix, and the errors every format shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmhub.text import SUPPORTED, UnreadableDocument, UnsupportedFileType, read_document

from .builders import (
    COMMITMENT_6,
    OBJECTIVE_6,
    html_page,
    make_docx,
    make_jsonl,
    make_markdown,
    make_pdf,
    write_text,
)


def build(path: Path) -> Path:
    """Write the same small GCM section in the format path's suffix names."""
    fmt = SUPPORTED[path.suffix.lower()]
    if fmt == "pdf":
        return make_pdf(path, [[("h1", OBJECTIVE_6), ("p", COMMITMENT_6)]])
    if fmt == "docx":
        return make_docx(path, [("h1", OBJECTIVE_6), ("p", COMMITMENT_6)])
    if fmt == "html":
        return write_text(path, html_page(f"<h1>{OBJECTIVE_6}</h1><p>{COMMITMENT_6}</p>"))
    if fmt == "markdown":
        return make_markdown(path, f"# {OBJECTIVE_6}\n\n{COMMITMENT_6}\n")
    if fmt == "text":
        return write_text(path, f"{OBJECTIVE_6}\n\n{COMMITMENT_6}\n")
    return make_jsonl(path, [{"id": "o6", "title": OBJECTIVE_6, "text": COMMITMENT_6}])


def test_supported_suffixes_cover_the_six_formats() -> None:
    assert set(SUPPORTED.values()) == {"pdf", "docx", "html", "markdown", "text", "jsonl"}
    assert {".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt", ".jsonl", ".ndjson"} == (
        set(SUPPORTED)
    )


@pytest.mark.parametrize("suffix", sorted(SUPPORTED))
def test_every_format_yields_the_section_text_under_its_title(tmp_path: Path, suffix: str) -> None:
    doc = read_document(build(tmp_path / f"objective6{suffix}"))

    assert doc.format == SUPPORTED[suffix]
    assert [s.text for s in doc.segments] == [COMMITMENT_6]
    assert doc.segments[0].title == OBJECTIVE_6
    assert doc.language == "en"


@pytest.mark.parametrize("suffix", sorted(SUPPORTED))
def test_keys_are_stable_across_two_reads_of_the_same_file(tmp_path: Path, suffix: str) -> None:
    path = build(tmp_path / f"objective6{suffix}")

    first, second = read_document(path), read_document(path)

    assert [s.key for s in first.segments] == [s.key for s in second.segments]
    assert first.segments[0].key in (f"{OBJECTIVE_6}#1", "o6")


def test_an_upper_case_suffix_is_recognised(tmp_path: Path) -> None:
    path = write_text(tmp_path / "NOTE.TXT", f"{OBJECTIVE_6}\n\n{COMMITMENT_6}\n")

    assert read_document(path).format == "text"


def test_an_unsupported_suffix_is_refused_listing_the_supported_types(tmp_path: Path) -> None:
    path = tmp_path / "report.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")

    with pytest.raises(UnsupportedFileType) as error:
        read_document(path)

    assert str(error.value) == (
        "report.xls: unsupported file type '.xls'; supported: "
        ".docx, .htm, .html, .jsonl, .markdown, .md, .ndjson, .pdf, .txt"
    )
    assert error.value.path == path


def test_a_file_without_a_suffix_is_refused_as_unsupported(tmp_path: Path) -> None:
    path = write_text(tmp_path / "README", "Text.")

    with pytest.raises(UnsupportedFileType, match=r"^README: unsupported file type \(no ext"):
        read_document(path)


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n"], ids=["zero-bytes", "whitespace"])
@pytest.mark.parametrize("suffix", sorted(SUPPORTED))
def test_an_empty_file_of_any_format_is_refused_as_empty(
    tmp_path: Path, suffix: str, content: bytes
) -> None:
    path = tmp_path / f"blank{suffix}"
    path.write_bytes(content)

    with pytest.raises(UnreadableDocument) as error:
        read_document(path)

    assert str(error.value) == f"blank{suffix}: file is empty"


def test_a_text_file_holding_only_a_byte_order_mark_is_empty(tmp_path: Path) -> None:
    path = write_text(tmp_path / "bom.md", "\n", bom=True)

    with pytest.raises(UnreadableDocument, match=r"^bom\.md: file is empty$"):
        read_document(path)


def test_a_missing_file_is_reported_as_not_found(tmp_path: Path) -> None:
    with pytest.raises(UnreadableDocument, match=r"^gone\.pdf: file not found$"):
        read_document(tmp_path / "gone.pdf")
