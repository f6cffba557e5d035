"""Dispatch a file to the reader for its format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import docx, html, jsonl, markdown, pdf, plain
from .errors import UnreadableDocument, UnsupportedFileType
from .segments import Document

__all__ = ["SUPPORTED", "UnreadableDocument", "UnsupportedFileType", "read_document"]

SUPPORTED: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

_READERS: dict[str, Callable[..., Document]] = {
    "pdf": pdf.read,
    "docx": docx.read,
    "html": html.read,
    "markdown": markdown.read,
    "text": plain.read,
    "jsonl": jsonl.read,
}


def read_document(path: Path, *, max_chars: int = 3000) -> Document:
    """Read a supported file into a Document, choosing the reader by the file's suffix."""
    path = Path(path)
    fmt = SUPPORTED.get(path.suffix.lower())
    if fmt is None:
        raise UnsupportedFileType.for_path(path, SUPPORTED)
    return _READERS[fmt](path, max_chars=max_chars)
