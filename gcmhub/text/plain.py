"""Read plain-text files: paragraphs between blank lines, headings and lists by their look."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .assemble import build_document
from .encoding import decode_text
from .errors import load_bytes
from .rules import (
    has_heading_pattern,
    heading_rank,
    is_all_caps,
    join_lines,
    list_marker,
    looks_like_heading,
    strip_bullet,
)
from .segments import Block, Document

_BLANK = re.compile(r"\n[ \t\f\v]*\n")


def read(path: Path, *, max_chars: int = 3000) -> Document:
    """Read a UTF-8 (or UTF-16 with BOM) text file into a Document."""
    text = decode_text(load_bytes(path), path)
    blocks = list(text_blocks(text))
    title = blocks[0].text if blocks and blocks[0].kind == "heading" else None
    return build_document(path, "text", blocks, title=title, max_chars=max_chars)


def text_blocks(text: str) -> Iterator[Block]:
    """Yield the blocks of plain text in order."""
    chunks = [
        [line for line in chunk.split("\n") if line.strip()]
        for chunk in _BLANK.split(text.expandtabs(4))
    ]
    chunks = [chunk for chunk in chunks if chunk]
    for i, chunk in enumerate(chunks):
        first = chunk[0].strip()
        after = chunks[i + 1][0].strip() if i + 1 < len(chunks) else None
        before = chunks[i - 1][-1].strip() if i else None
        if len(chunk) == 1 and _is_heading(first, before, after):
            yield Block("heading", first, heading_rank(first))
            continue
        if len(chunk) > 1 and _is_leading_heading(first, chunk[1].strip()):
            yield Block("heading", first, heading_rank(first))
            chunk = chunk[1:]
        yield from _chunk_blocks(chunk)


def _is_heading(line: str, before: str | None, after: str | None) -> bool:
    """Say whether a line standing alone between blank lines is a heading."""
    marker = list_marker(line)
    if after is None or marker in ("bullet", "paren") or not looks_like_heading(line):
        return False
    # "1. Introduction" is a heading, but "1. Apples" among "2. Pears" is a list item.
    return marker is None or "decimal" not in (list_marker(after), _marker_or_none(before))


def _marker_or_none(line: str | None) -> str | None:
    """Return the list-marker family of an optional line."""
    return list_marker(line) if line is not None else None


def _is_leading_heading(line: str, second: str) -> bool:
    """Say whether a chunk's first line is a numbered or capitalised heading over its body."""
    return (
        list_marker(line) not in ("bullet", "paren")
        and (has_heading_pattern(line) or is_all_caps(line))
        and looks_like_heading(line)
        and list_marker(second) != "decimal"
        and second[:1].isupper()
    )


def _chunk_blocks(lines: list[str]) -> Iterator[Block]:
    """Yield a paragraph, or list items where lines start with markers."""
    indents = sorted({_indent(line) for line in lines if list_marker(line.strip())})
    current: list[str] = []
    current_depth: int | None = None
    for line in lines:
        stripped = line.strip()
        if list_marker(stripped):
            if current:
                yield _block(current, current_depth)
            current, current_depth = [stripped], indents.index(_indent(line))
        else:
            # A line without a marker continues the item or paragraph above it.
            current.append(stripped)
    if current:
        yield _block(current, current_depth)


def _block(lines: list[str], depth: int | None) -> Block:
    """Return joined lines as a paragraph, or as a list item when depth is given."""
    text = join_lines("\n".join(lines))
    if depth is None:
        return Block("paragraph", text)
    return Block("list_item", strip_bullet(text), depth)


def _indent(line: str) -> int:
    """Count a line's leading spaces."""
    return len(line) - len(line.lstrip())
