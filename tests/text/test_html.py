"""HTML reading: main text without page chrome, structure, title, charset."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gcmhub.text import Document, UnreadableDocument, read_document

from .builders import ACTIONS_6, COMMITMENT_6, ENGLISH, OBJECTIVE_6, html_page, write_text

BODY = f"""
<main>
  <h1>Regional review of the Global Compact</h1>
  <p>{ENGLISH}</p>
  <div>Text placed directly in a <b>div</b>,<br>without a paragraph element.</div>
  <h2>{OBJECTIVE_6}</h2>
  <p>{COMMITMENT_6}</p>
  <ol>
    {"".join(f"<li>{action}</li>" for action in ACTIONS_6)}
    <li>(d) Protect workers in specific sectors:
      <ul><li>domestic work</li><li>agriculture</li></ul>
    </li>
  </ol>
  <h2>Pledges</h2>
  <table>
    <tr><th>Country</th><th>Pledge</th></tr>
    <tr><td>Ghana</td><td>Ethical <em>recruitment</em></td></tr>
  </table>
  <blockquote>No one should pay to work.</blockquote>
</main>
"""


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> Document:
    head = "<meta name='author' content='IOM'><meta name='date' content='2022-05-20'>"
    page = html_page(BODY, title="Review page | GCM Hub", head=head)
    return read_document(write_text(tmp_path_factory.mktemp("html") / "review.html", page))


def test_html_navigation_header_footer_aside_and_scripts_are_dropped(doc: Document) -> None:
    text = doc.text

    for noise in ("GCM Hub", "Home", "Network", "Related", "Copyright", "tracker", "color"):
        assert noise not in text


def test_html_headings_give_the_heading_paths(doc: Document) -> None:
    review = "Regional review of the Global Compact"

    assert [(s.heading_path, s.kind) for s in doc.segments] == [
        ((review,), "section"),
        ((review, OBJECTIVE_6), "section"),
        ((review, OBJECTIVE_6), "list"),
        ((review, "Pledges"), "section"),
    ]


def test_html_loose_text_in_a_div_becomes_a_paragraph(doc: Document) -> None:
    assert doc.segments[0].text == (
        f"{ENGLISH}\n\nText placed directly in a div, without a paragraph element."
    )


def test_html_list_items_keep_their_nesting(doc: Document) -> None:
    assert doc.segments[2].text.split("\n") == [
        *[f"- {action}" for action in ACTIONS_6],
        "- (d) Protect workers in specific sectors:",
        "  - domestic work",
        "  - agriculture",
    ]


def test_html_table_rows_become_paragraphs_with_cells_joined_by_bars(doc: Document) -> None:
    assert doc.segments[3].text == (
        "Country | Pledge\n\nGhana | Ethical recruitment\n\nNo one should pay to work."
    )


def test_html_metadata_comes_from_title_and_meta_tags(doc: Document) -> None:
    assert doc.title == "Review page | GCM Hub"
    assert doc.author == "IOM"
    assert doc.created == date(2022, 5, 20)
    assert doc.format == "html"


def test_an_html_page_without_a_title_element_is_titled_by_its_first_h1(tmp_path: Path) -> None:
    page = html_page("<h1>Migration data portal</h1><p>Figures.</p>", chrome=False)

    assert read_document(write_text(tmp_path / "p.htm", page)).title == "Migration data portal"


def test_a_header_inside_an_article_is_content_and_kept(tmp_path: Path) -> None:
    body = f"<article><header><h1>News</h1></header><p>{ENGLISH}</p></article>"

    doc = read_document(write_text(tmp_path / "news.html", html_page(body)))

    assert doc.segments[0].heading_path == ("News",)


def test_html_declared_as_windows_1252_is_decoded_with_that_charset(tmp_path: Path) -> None:
    page = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>"
        "</head><body><p>Les États membres coopèrent — ensemble.</p></body></html>"
    )
    path = write_text(tmp_path / "fr.html", page, encoding="cp1252")

    assert read_document(path).text == "Les États membres coopèrent — ensemble."


def test_html_with_undeclared_non_utf8_bytes_is_refused_with_byte_and_offset(
    tmp_path: Path,
) -> None:
    path = write_text(tmp_path / "old.html", "<p>Migración segura</p>", encoding="cp1252")

    with pytest.raises(
        UnreadableDocument,
        match=r"^old\.html: not valid UTF-8 \(byte 0xf3 at offset 10\); save it as UTF-8$",
    ):
        read_document(path)


def test_html_with_only_page_chrome_is_refused_as_having_no_text(tmp_path: Path) -> None:
    path = write_text(tmp_path / "menu.html", html_page("<nav>Menu</nav>"))

    with pytest.raises(UnreadableDocument, match=r"^menu\.html: no text found$"):
        read_document(path)
