"""Read HTML pages with selectolax (lexbor), keeping the main text and dropping chrome."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .assemble import build_document
from .dates import parse_date
from .encoding import decode_text, sniff_bom
from .errors import UnreadableDocument, load_bytes
from .rules import format_row
from .segments import Block, Document

# Page chrome and non-text elements; a <header> is kept only inside an article or main.
_SKIP = frozenset(
    "script style nav footer aside noscript template svg iframe button select form head "
    "object canvas math".split()
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_PARAGRAPHS = frozenset({"p", "pre", "figcaption", "caption", "address", "dt"})
_BLOCKS = (
    frozenset(
        "div section article main blockquote ul ol li dl dd table thead tbody tfoot tr td th "
        "figure body html center details summary fieldset legend hgroup header search menu".split()
    )
    | _PARAGRAPHS
    | _HEADINGS.keys()
)
_BLOCK_SELECTOR = ",".join(sorted(_BLOCKS - {"html", "body"}))
# Content that makes a table cell a layout container rather than a data value.
_CELL_CONTENT = "p,div,ul,ol,li,table,h1,h2,h3,h4,h5,h6,blockquote,section,article,pre,dl"
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_DATE_META = (
    "date",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "citation_publication_date",
    "article:published_time",
)


def read(path: Path, *, max_chars: int = 3000) -> Document:
    """Read an HTML file into a Document."""
    data = load_bytes(path)
    text = decode_text(data, path, declared=None if sniff_bom(data) else _declared_charset(data))
    tree = LexborHTMLParser(text)
    title = _text_of(tree.css_first("title")) or _text_of(tree.css_first("h1"))
    walker = _Walker()
    if tree.body is not None:
        try:
            walker.walk(tree.body)
        except RecursionError:
            raise UnreadableDocument(path, "HTML is nested too deeply to read") from None
    return build_document(
        path,
        "html",
        walker.blocks,
        title=title,
        author=_meta(tree, ("author", "dc.creator", "dcterms.creator")),
        created=parse_date(_meta(tree, _DATE_META)),
        max_chars=max_chars,
    )


def _declared_charset(data: bytes) -> str | None:
    """Return the charset a <meta> tag near the top declares."""
    match = _CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _meta(tree: LexborHTMLParser, names: tuple[str, ...]) -> str | None:
    """Return the content of the first <meta> whose name or property is one of names."""
    for node in tree.css("meta"):
        name = (node.attributes.get("name") or node.attributes.get("property") or "").lower()
        content = node.attributes.get("content")
        if name in names and content:
            return content
    return None


def _text_of(node: LexborNode | None) -> str | None:
    """Return the normalised text of node, or None when it is missing or blank."""
    if node is None:
        return None
    return " ".join(_inline_text(node).split()) or None


def _inline_text(node: LexborNode) -> str:
    """Return the text inside node, with spaces where block elements and <br> break it."""
    parts: list[str] = []
    for child in node.iter(include_text=True):
        tag = child.tag or ""
        if tag == "-text":
            parts.append(child.text_content or "")
        elif tag == "br":
            parts.append(" ")
        elif tag in _SKIP or tag.startswith(("-", "_")):
            continue
        elif tag in _BLOCKS:
            parts.append(f" {_inline_text(child)} ")
        else:
            parts.append(_inline_text(child))
    return "".join(parts)


class _Walker:
    """Walk the DOM in document order, collecting blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def walk(self, node: LexborNode, depth: int = 0, in_article: bool = False) -> None:
        """Emit blocks for node's children; loose inline text becomes paragraphs."""
        loose: list[str] = []
        for child in node.iter(include_text=True):
            tag = child.tag or ""
            if tag == "-text":
                loose.append(child.text_content or "")
            elif tag == "br":
                loose.append(" ")
            elif tag.startswith(("-", "_")) or tag in _SKIP:
                continue
            elif tag == "header" and not in_article:
                continue
            elif tag in _BLOCKS or child.css_first(_BLOCK_SELECTOR) is not None:
                self._paragraph(loose)
                self._block(child, tag, depth, in_article or tag in ("article", "main"))
            else:
                loose.append(_inline_text(child))
        self._paragraph(loose)

    def _paragraph(self, loose: list[str]) -> None:
        """Emit collected loose text as a paragraph and clear it."""
        text = "".join(loose)
        loose.clear()
        if text.strip():
            self.blocks.append(Block("paragraph", text))

    def _block(self, node: LexborNode, tag: str, depth: int, in_article: bool) -> None:
        """Emit the blocks of one block-level element."""
        if tag in _HEADINGS:
            self.blocks.append(Block("heading", _inline_text(node), _HEADINGS[tag]))
        elif tag in _PARAGRAPHS:
            self.blocks.append(Block("paragraph", _inline_text(node)))
        elif tag == "li":
            self._list_item(node, depth, in_article)
        elif tag in ("ul", "ol", "menu"):
            self.walk(node, depth + 1, in_article)
        elif tag == "tr" and not _has_blocks_in_cells(node):
            row = format_row(_inline_text(cell) for cell in _cells(node))
            if row:
                self.blocks.append(Block("paragraph", row))
        else:
            self.walk(node, depth, in_article)

    def _list_item(self, node: LexborNode, depth: int, in_article: bool) -> None:
        """Emit the item's own text at its depth, then any lists nested in it."""
        nested = [child for child in node.iter() if child.tag in ("ul", "ol")]
        own = "".join(
            _inline_text(child) if child.tag != "-text" else child.text_content or ""
            for child in node.iter(include_text=True)
            if child.tag not in ("ul", "ol") and child.tag not in _SKIP
        )
        self.blocks.append(Block("list_item", own, max(depth - 1, 0)))
        for child in nested:
            self.walk(child, depth + 1, in_article)


def _cells(row: LexborNode) -> Iterator[LexborNode]:
    """Yield the td and th cells of a table row."""
    return (child for child in row.iter() if child.tag in ("td", "th"))


def _has_blocks_in_cells(row: LexborNode) -> bool:
    """Say whether a table row is layout (cells holding paragraphs or lists), not data."""
    return any(cell.css_first(_CELL_CONTENT) is not None for cell in _cells(row))
