"""Turn a reader's blocks and metadata into a Document."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from .errors import UnreadableDocument
from .language import detect_language
from .segments import Block, Document, Format, Problem, segment_blocks


def build_document(
    path: Path,
    fmt: Format,
    blocks: Iterable[Block],
    *,
    title: str | None = None,
    author: str | None = None,
    created: date | None = None,
    problems: Iterable[Problem] = (),
    max_chars: int = 3000,
    empty_reason: str = "no text found",
) -> Document:
    """Segment blocks into a Document, refusing one without any body text."""
    segments = segment_blocks(blocks, max_chars=max_chars)
    if not segments:
        raise UnreadableDocument(path, empty_reason)
    document = Document(
        path=path,
        format=fmt,
        title=clean_meta(title),
        author=clean_meta(author),
        created=created,
        segments=segments,
        problems=list(problems),
    )
    document.language = detect_language(document.text)
    return document


def clean_meta(value: str | None) -> str | None:
    """Return a metadata string with whitespace normalised, or None when blank."""
    if value is None:
        return None
    cleaned = " ".join(value.split())
    return cleaned or None
