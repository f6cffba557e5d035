"""Decode the bytes of text formats (plain text, Markdown, JSON Lines, HTML)."""

from __future__ import annotations

import codecs
from pathlib import Path

from .errors import UnreadableDocument

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def sniff_bom(data: bytes) -> tuple[str, int] | None:
    """Return the encoding announced by a byte-order mark and the mark's length."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def decode_text(data: bytes, path: Path, declared: str | None = None) -> str:
    """Decode UTF-8 (or a BOM-announced or declared encoding) with newlines normalised."""
    bom = sniff_bom(data)
    encoding, skip = "utf-8", 0
    if bom is not None:
        encoding, skip = bom
    elif declared:
        encoding = _known_encoding(declared, path)
    body = data[skip:]
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        label = "UTF-8" if encoding == "utf-8" else encoding
        raise UnreadableDocument(
            path,
            f"not valid {label} (byte 0x{data[offset]:02x} at offset {offset}); save it as UTF-8",
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        # Valid UTF-8 full of NULs is nearly always UTF-16 saved without a byte-order mark.
        raise UnreadableDocument(
            path,
            f"contains NUL characters (first at character {nul}) "
            "(UTF-16 without a byte-order mark, or a binary file?); save it as UTF-8",
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableDocument(path, "file is empty")
    return text


def _known_encoding(name: str, path: Path) -> str:
    """Return the codec name for a declared charset, refusing unknown ones."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UnreadableDocument(path, f"declares unknown charset '{name}'") from None
