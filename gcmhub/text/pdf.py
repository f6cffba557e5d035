"""Read PDF files with pypdf."""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, PdfReadError

from .assemble import build_document
from .dates import parse_date
from .errors import UnreadableDocument, load_bytes
from .pdflayout import Line, layout_blocks
from .segments import Document, Problem

NO_TEXT = "no text found (scanned PDF without a text layer?)"
# Where the end-of-file marker must appear; some producers append a little padding after it.
_TAIL = 4096
_BOLD = re.compile(r"bold|black|heavy|semibold|demibold", re.I)


def read(path: Path, *, max_chars: int = 3000) -> Document:
    """Read a PDF into a Document, one block per rebuilt heading, paragraph or list item."""
    reader = _open(path, load_bytes(path))
    pages: list[list[Line]] = []
    problems: list[Problem] = []
    for number in range(1, len(reader.pages) + 1):
        try:
            pages.append(page_lines(reader.pages[number - 1], number))
        except Exception as exc:  # pypdf raises many types on damaged content streams
            problems.append(Problem(f"page {number}: text could not be extracted ({exc})"))
            pages.append([])
    if not any(line.text.strip() for page in pages for line in page):
        raise UnreadableDocument(path, NO_TEXT)
    title, author, created = _metadata(reader)
    return build_document(
        path,
        "pdf",
        layout_blocks(pages),
        title=title,
        author=author,
        created=created,
        problems=problems,
        max_chars=max_chars,
        empty_reason=NO_TEXT,
    )


def _open(path: Path, data: bytes) -> PdfReader:
    """Open and, if it needs no password, decrypt a PDF, or say precisely why not."""
    if b"%PDF-" not in data[:1024]:
        raise UnreadableDocument(path, "not a valid PDF (no %PDF header)")
    if b"%%EOF" not in data[-_TAIL:]:
        # pypdf recovers what it can from a cut-off file; that would silently lose text.
        raise UnreadableDocument(
            path, "not a valid PDF (no %%EOF marker at the end; the file looks truncated)"
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _decrypt(path, reader):
            raise UnreadableDocument(path, "PDF is encrypted")
        if len(reader.pages) == 0:
            raise UnreadableDocument(path, "not a valid PDF (it has no pages)")
    except UnreadableDocument:
        raise
    except Exception as exc:  # pypdf raises many types (PdfReadError, KeyError, ...) on damage
        detail = str(exc) or type(exc).__name__
        raise UnreadableDocument(path, f"not a valid PDF ({detail})") from None
    return reader


def _decrypt(path: Path, reader: PdfReader) -> bool:
    """Try the empty user password, which PDFs that only restrict printing or copying use."""
    try:
        return bool(reader.decrypt(""))
    except DependencyError:
        raise UnreadableDocument(
            path, "PDF is encrypted with AES, which needs the 'cryptography' package"
        ) from None
    except PdfReadError:
        return False


def page_lines(page: Any, number: int) -> list[Line]:
    """Extract the lines of one page with the position and font of their first text."""
    raw: list[list[tuple[str, tuple[float, float, float, bool]]]] = [[]]

    def visit(text: str, cm: Any, tm: Any, font: Any, font_size: Any) -> None:
        if not text:
            return
        style = _style(cm, tm, font, font_size)
        for i, part in enumerate(text.split("\n")):
            if i:
                raw.append([])
            if part:
                raw[-1].append((part, style))

    page.extract_text(visitor_text=visit)
    lines: list[Line] = []
    for parts in raw:
        text = "".join(part for part, _ in parts).strip()
        if not text:
            continue
        inked = [(part, style) for part, style in parts if part.strip()]
        x, y = inked[0][1][0], inked[0][1][1]
        sizes: Counter[float] = Counter()
        bold = 0
        for part, (_, _, size, is_bold) in inked:
            sizes[size] += len(part)
            bold += len(part) if is_bold else -len(part)
        size = sizes.most_common(1)[0][0]
        lines.append(Line(text, number, x, y, size if size > 0 else None, bold > 0))
    return lines


def _style(cm: Any, tm: Any, font: Any, font_size: Any) -> tuple[float, float, float, bool]:
    """Return x, y, effective font size and boldness from pypdf's text state."""
    a, b, c, d, e, f = (float(v) for v in cm)
    ta, tb, tc, td, te, tf = (float(v) for v in tm)
    x = te * a + tf * c + e
    y = te * b + tf * d + f
    scale = math.hypot(tc * a + td * c, tc * b + td * d)
    size = round(float(font_size or 0.0) * scale, 1)
    name = str(font.get("/BaseFont", "")) if font else ""
    return x, y, size, bool(_BOLD.search(name))


def _metadata(reader: PdfReader) -> tuple[str | None, str | None, date | None]:
    """Return title, author and creation date from the document information dictionary."""
    try:
        info = reader.metadata
    except Exception:  # a damaged info dictionary should not cost the text
        return None, None, None
    if info is None:
        return None, None, None
    return info.title, info.author, parse_date(info.creation_date_raw)
