"""Read Markdown files with markdown-it-py."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .assemble import build_document
from .dates import parse_date
from .encoding import decode_text
from .errors import load_bytes
from .rules import format_row, join_lines, list_marker
from .segments import Block, Document

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_FIELD = re.compile(r"^(title|author|date)\s*:\s*(.*?)\s*$", re.M | re.I)
_parser = MarkdownIt("commonmark").enable("table")


def read(path: Path, *, max_chars: int = 3000) -> Document:
    """Read a Markdown file into a Document."""
    text = decode_text(load_bytes(path), path)
    meta, body = split_front_matter(text)
    blocks = list(_blocks(_parser.parse(body)))
    first_h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    return build_document(
        path,
        "markdown",
        blocks,
        title=meta.get("title") or first_h1,
        author=meta.get("author"),
        created=parse_date(meta.get("date")),
        max_chars=max_chars,
    )


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading "---" metadata block off text, reading its title, author and date."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    meta = {
        key.lower(): value.strip("\"'")
        for key, value in _FRONT_FIELD.findall(match.group(1))
        if value.strip("\"'")
    }
    return meta, text[match.end() :]


@dataclass
class _Item:
    """A list item being collected: its depth, text parts and ordered-list number."""

    depth: int
    parts: list[str] = field(default_factory=list)
    prefix: str = ""


def _blocks(tokens: Sequence[Token]) -> Iterator[Block]:
    """Yield blocks from markdown-it's token stream."""
    items: list[_Item] = []
    row: list[str] | None = None
    depth = -1
    for i, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            # Emit a parent item's own text before its nested items.
            if items and items[-1].parts:
                yield _item_block(items[-1])
                items[-1].parts.clear()
            depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif kind == "list_item_open":
            prefix = f"{token.info}{token.markup} " if token.info else ""
            items.append(_Item(max(depth, 0), prefix=prefix))
        elif kind == "list_item_close":
            item = items.pop()
            if item.parts:
                yield _item_block(item)
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            yield Block("paragraph", format_row(row))
            row = None
        elif kind == "inline":
            text = _inline_text(token)
            before = tokens[i - 1] if i else None
            if before is not None and before.type == "heading_open":
                yield Block("heading", text, int(before.tag[1:]))
            elif row is not None:
                row.append(text)
            elif items:
                items[-1].parts.append(text)
            else:
                yield from _paragraph_blocks(text)


def _item_block(item: _Item) -> Block:
    """Return a collected list item as a block."""
    return Block("list_item", item.prefix + join_lines(" ".join(item.parts)), item.depth)


def _paragraph_blocks(text: str) -> Iterator[Block]:
    """Yield a paragraph, or list items when it is a run of "(a) …" lines.

    CommonMark only knows "-", "*", "+" and "1." lists, so lettered actions pasted from a
    resolution arrive as one paragraph with a line per action.
    """
    lines = text.split("\n")
    if list_marker(lines[0]) != "paren":
        yield Block("paragraph", join_lines(text))
        return
    current: list[str] = []
    for line in lines:
        if current and list_marker(line) == "paren":
            yield Block("list_item", join_lines("\n".join(current)))
            current = []
        current.append(line)
    yield Block("list_item", join_lines("\n".join(current)))


def _inline_text(token: Token) -> str:
    """Return the plain text of an inline token: markup dropped, line breaks kept."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)
