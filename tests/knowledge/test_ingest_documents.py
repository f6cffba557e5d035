"""Real documents through the command line: PDF, DOCX, HTML into items with provenance."""

from __future__ import annotations

import json
from pathlib import Path

from tests.text.builders import (
    ACTIONS_6,
    COMMITMENT_6,
    COMMITMENT_7,
    OBJECTIVE_6,
    OBJECTIVE_7,
    html_page,
    make_docx,
    make_encrypted_pdf,
    make_pdf,
)


def search(cli, query: str, *filters: str) -> dict:  # type: ignore[no-untyped-def]
    args = ["search", query, "--json"]
    for f in filters:
        args += ["--filter", f]
    result = cli(*args)
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def test_a_pdf_becomes_sections_and_actions_with_their_pages(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    pdf = make_pdf(
        tmp_path / "compact.pdf",
        [
            [("h1", OBJECTIVE_6), ("p", COMMITMENT_6), *[("li", a) for a in ACTIONS_6]],
            [("h1", OBJECTIVE_7), ("p", COMMITMENT_7)],
        ],
        title="Recruitment and vulnerability",
    )
    result = cli("ingest", str(pdf), "--json", "--objective", "6")
    assert result.code == 0, result.err
    added = json.loads(result.out)["added"][0]["added"]
    assert added >= 3
    found = search(cli, "vulnerability circumstances")
    hit = found["hits"][0]
    assert hit["title"] == OBJECTIVE_7
    assert hit["source"]["file"] == "compact.pdf"
    assert hit["source"]["page_start"] == 2
    fees = search(cli, "licensed agencies fees")["hits"][0]
    assert fees["source"]["page_start"] == 1
    assert fees["source"]["heading_path"] == [OBJECTIVE_6]
    assert search(cli, "", "objective=6")["total"] == added


def test_a_docx_keeps_its_heading_path_and_tables(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = make_docx(
        tmp_path / "plan.docx",
        [
            ("h1", "National implementation plan"),
            ("h2", "Consular support"),
            ("p", "Consulates will open hotlines for nationals working abroad in 2025."),
            ("table", [["Action", "Owner"], ["Hotline", "Ministry of Foreign Affairs"]]),
        ],
        author="Ministry of Labour",
    )
    assert cli("ingest", str(path), "--country", "Senegal").code == 0
    hit = search(cli, "hotline ministry")["hits"][0]
    assert hit["source"]["heading_path"] == ["National implementation plan", "Consular support"]
    assert search(cli, "", "country=SEN", "region=Western Africa")["total"] == 1


def test_html_navigation_is_left_out(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    body = "<h1>Diaspora bonds</h1><p>Bonds let the diaspora finance schools at home.</p>"
    path = tmp_path / "page.html"
    path.write_text(html_page(body, title="Diaspora finance"), encoding="utf-8")
    assert cli("ingest", str(path)).code == 0
    assert search(cli, "diaspora bonds")["total"] == 1
    assert search(cli, "cookie")["total"] == 0 or "cookie" not in path.read_text().lower()


def test_an_encrypted_pdf_is_skipped_with_its_name(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    locked = make_encrypted_pdf(tmp_path / "locked.pdf")
    report = json.loads(cli("ingest", str(locked), "--json").out)
    assert "locked.pdf" in report["failed"][0]["reason"]
    assert "encrypted" in report["failed"][0]["reason"]


def test_a_folder_is_walked_for_supported_files_with_a_summary(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "library"
    folder.mkdir()
    for n in range(3):
        (folder / f"note{n}.md").write_text(f"# Note {n}\n\nPeer exchange number {n} on returns.\n")
    (folder / "scan.tiff").write_bytes(b"II*\x00")
    result = cli("ingest", str(folder))
    assert result.code == 0, result.err
    assert "3 file(s): 3 added" in result.out
    assert search(cli, "peer exchange")["total"] == 3
