"""Read Word (.docx) files with python-docx."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from .assemble import build_document
from .dates import parse_date
from .errors import UnreadableDocument, load_bytes
from .rules import format_row
from .segments import Block, Document

# Encrypted .docx files and legacy .doc files are OLE2 compound files, not ZIP packages.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADING_STYLE = re.compile(r"^heading\s+(\d)$", re.I)
_TRAILING_DIGIT = re.compile(r"\s(\d)$")


def read(path: Path, *, max_chars: int = 3000) -> Document:
    """Read a DOCX file into a Document: headings, list items, paragraphs and table rows."""
    data = load_bytes(path)
    if data.startswith(_OLE2_MAGIC):
        raise UnreadableDocument(
            path, "not a DOCX package (a password-protected DOCX or a legacy .doc file)"
        )
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx lets zipfile, lxml and KeyError errors through
        raise UnreadableDocument(path, f"not a valid DOCX ({exc})") from None
    props = document.core_properties
    return build_document(
        path,
        "docx",
        list(_blocks(document)),
        title=props.title or _first_title(document),
        author=props.author,
        created=parse_date(props.created),
        max_chars=max_chars,
    )


def _blocks(document: Any) -> Iterator[Block]:
    """Yield the blocks of the document body in order; headers and footers are left out."""
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            yield _paragraph_block(item)
        elif isinstance(item, Table):
            yield from _table_blocks(item)


def _paragraph_block(paragraph: Paragraph) -> Block:
    """Classify a paragraph by its style chain and numbering."""
    text = paragraph.text
    styles = list(_style_chain(paragraph.style))
    for name in styles:
        if name.lower() == "title":
            return Block("heading", text, 1)
        match = _HEADING_STYLE.match(name)
        if match:
            return Block("heading", text, int(match.group(1)))
    numbered, level = _numbering(paragraph)
    list_style = next((name for name in styles if name.lower().startswith("list")), None)
    if not numbered and list_style is None:
        return Block("paragraph", text)
    if level is None and list_style is not None:
        # "List Bullet 2" is the second nesting level.
        match = _TRAILING_DIGIT.search(list_style)
        level = int(match.group(1)) - 1 if match else 0
    return Block("list_item", text, level or 0)


def _style_chain(style: Any) -> Iterator[str]:
    """Yield the names of a style and the styles it is based on."""
    seen = 0
    while style is not None and seen < 10:
        if style.name:
            yield str(style.name)
        style = style.base_style
        seen += 1


def _numbering(paragraph: Paragraph) -> tuple[bool, int | None]:
    """Say whether a paragraph is numbered, directly or through its style, and at what level."""
    elements: list[Any] = [paragraph._p]
    style = paragraph.style
    while style is not None and len(elements) < 10:
        elements.append(style.element)
        style = style.base_style
    for element in elements:
        num_ids = element.xpath("./w:pPr/w:numPr/w:numId/@w:val")
        levels = element.xpath("./w:pPr/w:numPr/w:ilvl/@w:val")
        if not num_ids and not levels:
            continue
        # numId 0 switches numbering off for a paragraph whose style would number it.
        if num_ids and num_ids[0] == "0":
            return False, None
        return True, int(levels[0]) if levels and str(levels[0]).isdigit() else None
    return False, None


def _table_blocks(table: Table) -> Iterator[Block]:
    """Yield each table row as a paragraph of its cells joined by " | "."""
    for row in table.rows:
        cells: list[str] = []
        previous: object = None
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans.
            if cell._tc is not previous:
                cells.append(cell.text)
            previous = cell._tc
        text = format_row(cells)
        if text:
            yield Block("paragraph", text)


def _first_title(document: Any) -> str | None:
    """Return the text of a leading Title-styled paragraph, if any."""
    for paragraph in document.paragraphs[:5]:
        if paragraph.style is not None and paragraph.style.name == "Title":
            return str(paragraph.text)
    return None
