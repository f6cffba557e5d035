"""Build real test documents (PDF, DOCX, HTML, Markdown, text, JSON Lines) in a test run.

Other test folders may import these too: ``from tests.text.builders import make_pdf``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from fpdf import FPDF
from pypdf import PdfWriter

# Sample text in the register of GCM documents, written for these tests.
OBJECTIVE_6 = "Objective 6: Facilitate fair and ethical recruitment"
COMMITMENT_6 = (
    "We commit to review recruitment mechanisms so that they are fair and ethical, and to "
    "protect migrant workers against exploitation and abuse. Recruitment fees should never "
    "be charged to the workers themselves."
)
ACTIONS_6 = [
    "(a) Promote signature, ratification and implementation of the relevant international "
    "instruments on labour migration and decent work.",
    "(b) Build on the work of existing multi-stakeholder initiatives that bring recruiters, "
    "employers and workers together.",
    "(c) Publish the fees and conditions that licensed agencies may charge, in languages "
    "that migrant workers understand.",
]
OBJECTIVE_7 = "Objective 7: Address and reduce vulnerabilities in migration"
COMMITMENT_7 = (
    "We commit to respond to the needs of migrants who face situations of vulnerability, "
    "which may arise from the circumstances in which they travel or the conditions they face "
    "in countries of origin, transit and destination."
)
ENGLISH = (
    "Member States agreed that safe and regular pathways reduce the risks that migrants face "
    "and strengthen the contribution of migration to sustainable development."
)
FRENCH = (
    "Les États membres sont convenus que des voies de migration sûres et régulières réduisent "
    "les risques auxquels les migrants sont exposés."
)
SPANISH = (
    "Los Estados Miembros acordaron que las vías de migración seguras y regulares reducen los "
    "riesgos a los que se enfrentan los migrantes."
)

PdfItem = tuple[str, str]
# Font (style, size) per block kind; "label" is a heading set in the body font.
_PDF_FONTS = {
    "h1": ("B", 16.0),
    "h2": ("B", 13.0),
    "label": ("", 11.0),
    "p": ("", 11.0),
    "li": ("", 11.0),
}


class _Pdf(FPDF):
    """An FPDF with an optional running header and "Page N" footer."""

    running_header: str | None = None
    page_footer = False

    def header(self) -> None:
        if self.running_header:
            self.set_font("Helvetica", "", 8)
            self.cell(0, 6, self.running_header, new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

    def footer(self) -> None:
        if self.page_footer:
            self.set_y(-15)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 6, f"Page {self.page_no()}", align="C")


def make_pdf(
    path: Path,
    pages: Sequence[Sequence[PdfItem]],
    *,
    title: str | None = None,
    author: str | None = None,
    created: datetime | None = None,
    running_header: str | None = None,
    page_footer: bool = False,
    paragraph_gap: float = 3.0,
) -> Path:
    """Write a PDF with one list of (kind, text) items per page; kinds are in _PDF_FONTS.

    A "\\n" inside text forces a line break there (to set up hyphenated line ends). The core
    Helvetica font covers Latin-1 only, so keep to Latin-1 characters.
    """
    pdf = _Pdf(format="A4")
    pdf.running_header = running_header
    pdf.page_footer = page_footer
    pdf.set_auto_page_break(True, margin=20)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.set_creation_date(created or datetime(2018, 12, 19, tzinfo=UTC))
    for items in pages:
        pdf.add_page()
        for kind, text in items:
            style, size = _PDF_FONTS[kind]
            pdf.set_font("Helvetica", style, size)
            indent = 8.0 if kind == "li" else 0.0
            pdf.set_x(pdf.l_margin + indent)
            pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(paragraph_gap if kind not in ("h1", "h2") else 1.0)
    pdf.output(str(path))
    return path


def make_encrypted_pdf(path: Path, *, user_password: str = "secret") -> Path:
    """Write a small PDF that needs a password to open (RC4, so no crypto package is needed)."""
    plain = path.with_name(path.stem + "-plain.pdf")
    make_pdf(plain, [[("h1", OBJECTIVE_6), ("p", COMMITMENT_6)]])
    writer = PdfWriter(clone_from=plain)
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    with path.open("wb") as handle:
        writer.write(handle)
    plain.unlink()
    return path


def make_blank_pdf(path: Path, pages: int = 1) -> Path:
    """Write a PDF whose pages carry no text layer, like a scan without OCR."""
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(path))
    return path


DocxItem = tuple[str, str | Sequence[Sequence[str]]]


def make_docx(
    path: Path,
    blocks: Sequence[DocxItem],
    *,
    title: str | None = None,
    author: str | None = None,
    created: datetime | None = None,
) -> Path:
    """Write a DOCX from (kind, content) items.

    Kinds: "title", "h1".."h6", "p", "bullet", "bullet2", "number" (list styles),
    "numbered" (a Normal paragraph with direct w:numPr numbering), "table" (rows of cells).
    """
    document = docx.Document()
    for kind, content in blocks:
        if kind == "table":
            assert not isinstance(content, str)
            table = document.add_table(rows=len(content), cols=len(content[0]))
            for r, row in enumerate(content):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            continue
        assert isinstance(content, str)
        if kind == "title":
            document.add_heading(content, 0)
        elif kind.startswith("h"):
            document.add_heading(content, int(kind[1:]))
        elif kind in ("bullet", "bullet2", "number"):
            style = {"bullet": "List Bullet", "bullet2": "List Bullet 2", "number": "List Number"}
            document.add_paragraph(content, style=style[kind])
        elif kind == "numbered":
            _add_numbered(document, content)
        else:
            document.add_paragraph(content)
    props = document.core_properties
    props.title = title or ""
    props.author = author or ""
    props.created = created or datetime(2018, 12, 19, tzinfo=UTC)
    document.save(str(path))
    return path


def _add_numbered(document: docx.document.Document, text: str) -> None:
    """Add a Normal-style paragraph numbered through w:numPr, as Word does for ad-hoc lists."""
    paragraph = document.add_paragraph(text)
    num_pr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    num_id = OxmlElement("w:numId")
    num_id.set(qn("w:val"), "1")
    num_pr.append(ilvl)
    num_pr.append(num_id)
    paragraph._p.get_or_add_pPr().append(num_pr)


def html_page(body: str, *, title: str | None = None, head: str = "", chrome: bool = True) -> str:
    """Return an HTML page around body, with navigation, header, footer and script noise."""
    title_tag = f"<title>{title}</title>" if title else ""
    noise_top = (
        "<header><a href='/'>GCM Hub</a></header><nav><ul><li>Home</li><li>Network</li></ul></nav>"
        if chrome
        else ""
    )
    noise_bottom = (
        "<aside>Related: regional reviews</aside><footer>Copyright United Nations</footer>"
        "<script>var tracker = 'do not index';</script>"
        if chrome
        else ""
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{title_tag}{head}"
        f"<style>body {{ color: black; }}</style></head>"
        f"<body>{noise_top}{body}{noise_bottom}</body></html>"
    )


def write_text(path: Path, text: str, *, encoding: str = "utf-8", bom: bool = False) -> Path:
    """Write text in an encoding, optionally behind a UTF-8 byte-order mark."""
    data = text.encode(encoding)
    path.write_bytes(b"\xef\xbb\xbf" + data if bom else data)
    return path


def make_markdown(path: Path, body: str, *, front_matter: Mapping[str, str] | None = None) -> Path:
    """Write a Markdown file, with a "---" front-matter block if given."""
    head = ""
    if front_matter:
        head = "---\n" + "".join(f"{k}: {v}\n" for k, v in front_matter.items()) + "---\n"
    return write_text(path, head + body)


def make_jsonl(path: Path, records: Sequence[Mapping[str, object] | str]) -> Path:
    """Write JSON Lines; a str item is written verbatim (to plant a broken line)."""
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    return write_text(path, "\n".join(lines) + "\n")
