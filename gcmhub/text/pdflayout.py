"""Rebuild headings, paragraphs and list items from the text lines of PDF pages."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .rules import (
    ends_sentence,
    has_heading_pattern,
    has_title_pattern,
    heading_rank,
    is_all_caps,
    join_lines,
    list_marker,
    looks_like_heading,
    normalize_space,
    strip_bullet,
)
from .segments import Block

# Running headers and footers sit in the first or last few lines of a page.
_EDGE_LINES = 3
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|página|pagina|seite|p\.)\s*)?[-–—(]?\s*\d{1,4}\s*[-–—)]?"
    r"(?:\s*(?:/|of|de|sur|von)\s*\d{1,4})?$|^[ivxlc]{1,7}$",
    re.I,
)
# "2.1 Syntax . . . . . . 12": a table-of-contents entry, navigation rather than content.
_TOC_ENTRY = re.compile(r"(?:\.\s?){5,}\s*\d+\s*$")


@dataclass(frozen=True)
class Line:
    """One line of text on a PDF page, with its position and font where known."""

    text: str
    page: int
    x: float | None = None
    y: float | None = None
    size: float | None = None
    bold: bool = False


@dataclass(frozen=True)
class _Stats:
    """Typical body-text measures of a document, against which lines are judged."""

    body_size: float | None
    body_bold: bool
    spacing: float | None
    full_len: int

    @classmethod
    def of(cls, lines: Sequence[Line]) -> _Stats:
        """Measure the prevailing font size, line spacing and line length of lines."""
        sizes: Counter[float] = Counter()
        bold_chars = 0
        for line in lines:
            if line.size is not None:
                sizes[_round_size(line.size)] += len(line.text)
            bold_chars += len(line.text) if line.bold else 0
        body_size = sizes.most_common(1)[0][0] if sizes else None
        body = [line for line in lines if _same_size(line.size, body_size)]
        gaps = [
            a.y - b.y
            for a, b in zip(body, body[1:], strict=False)
            if a.page == b.page and a.y is not None and b.y is not None and a.y > b.y
        ]
        lengths = sorted(len(line.text) for line in body) or [80]
        return cls(
            body_size=body_size,
            body_bold=bold_chars > sum(len(line.text) for line in lines) / 2,
            spacing=statistics.median(gaps) if gaps else None,
            full_len=max(lengths[int(0.9 * (len(lengths) - 1))], 40),
        )


def layout_blocks(pages: Sequence[Sequence[Line]]) -> list[Block]:
    """Turn the lines of each page into blocks in reading order."""
    lines = [line for page in drop_furniture(pages) for line in page]
    if not lines:
        return []
    stats = _Stats.of(lines)
    return _classify(_assemble(lines, stats), stats)


def drop_furniture(pages: Sequence[Sequence[Line]]) -> list[list[Line]]:
    """Remove page numbers, table-of-contents entries, and running headers and footers."""
    counts: Counter[str] = Counter()
    variants: dict[str, set[str]] = {}
    for page in pages:
        keys = {_furniture_key(line.text): line.text.strip() for line in _edges(page)}
        counts.update(keys.keys())
        for key, text in keys.items():
            variants.setdefault(key, set()).add(text)
    threshold = max(2, math.ceil(0.5 * len(pages)))
    # A line that recurs with only its numbers changed ("Chapter 2: Scope 7") is a running
    # header with a page number even if it spans only a few pages.
    repeated = {
        key
        for key, count in counts.items()
        if count >= threshold or (count >= 2 and len(variants[key]) > 1)
    }

    def furniture(line: Line, edges: set[int]) -> bool:
        if _TOC_ENTRY.search(line.text):
            return True
        if id(line) not in edges:
            return False
        return bool(_PAGE_NUMBER.match(line.text.strip())) or _furniture_key(line.text) in repeated

    kept: list[list[Line]] = []
    for page in pages:
        edges = {id(line) for line in _edges(page)}
        kept.append([line for line in page if not furniture(line, edges)])
    return kept


def _edges(page: Sequence[Line]) -> list[Line]:
    """Return the lines nearest the top and bottom of a page, by stream order and by height."""
    edges = list(page[:_EDGE_LINES]) + list(page[-_EDGE_LINES:])
    placed = sorted((line for line in page if line.y is not None), key=lambda ln: ln.y or 0.0)
    return edges + placed[:_EDGE_LINES] + placed[-_EDGE_LINES:]


def _furniture_key(text: str) -> str:
    """Return the form in which a running header or footer recurs from page to page."""
    # Digits vary from page to page in "Page 3 of 12" or "18-21683 5/36".
    return re.sub(r"\d+", "#", normalize_space(text).lower())


def _round_size(size: float) -> float:
    """Round a font size to half points, absorbing rounding noise between lines."""
    return round(size * 2) / 2


def _same_size(size: float | None, other: float | None) -> bool:
    """Say whether two font sizes are within ten per cent of each other."""
    if size is None or other is None:
        return size is other
    return abs(size - other) <= 0.1 * max(size, other)


def _starts_capital(text: str) -> bool:
    """Say whether text starts like a sentence: a capital or a digit."""
    first = text.lstrip("\"'“‘«([")[:1]
    return first.isupper() or first.isdigit()


def _assemble(lines: list[Line], stats: _Stats) -> list[list[Line]]:
    """Group consecutive lines into paragraphs."""
    paragraphs: list[list[Line]] = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else None
        if not paragraphs or _breaks(paragraphs[-1], line, following, stats):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return paragraphs


def _breaks(current: list[Line], line: Line, following: Line | None, stats: _Stats) -> bool:
    """Say whether line starts a new paragraph after the lines of the current one."""
    prev = current[-1]
    text = line.text.strip()
    if list_marker(text) or not _same_size(prev.size, line.size) or prev.bold != line.bold:
        return True
    if line.page != prev.page:
        # A paragraph runs on over a page break unless its last line ended a sentence; a
        # heading (set apart by its font) does not run on.
        body_style = _same_size(prev.size, stats.body_size) and prev.bold == stats.body_bold
        return (ends_sentence(prev.text) or not body_style) and _starts_capital(text)
    if prev.y is not None and line.y is not None and stats.spacing and stats.body_size:
        expected = stats.spacing * (line.size or stats.body_size) / stats.body_size
        if prev.y - line.y > 1.4 * expected:
            return True
    short = len(prev.text.strip()) < 0.75 * stats.full_len
    if ends_sentence(prev.text) and _starts_capital(text):
        if short or _indented(current, line, following):
            return True
        # A title line between two paragraphs that no gap or font sets apart.
        if looks_like_heading(text) and len(text) < 0.6 * stats.full_len:
            return following is None or _starts_capital(following.text.strip())
    # The line after a short title line that ended without punctuation; a labelled title
    # ("Objective 6: ...") may be longer, but a full-width line is a paragraph's first.
    limit = 0.75 if has_title_pattern(prev.text) else 0.6
    return (
        len(current) == 1
        and looks_like_heading(prev.text)
        and len(prev.text.strip()) < limit * stats.full_len
        and _starts_capital(text)
    )


def _indented(current: list[Line], line: Line, following: Line | None) -> bool:
    """Say whether line is a first-line indent: further right than the lines around it."""
    if following is None or list_marker(current[0].text.strip()):
        return False
    prev = current[-1]
    if prev.x is None or line.x is None or following.x is None or following.page != line.page:
        return False
    em = line.size or 10.0
    return line.x - prev.x > 0.8 * em and abs(following.x - prev.x) < 0.3 * em


@dataclass(frozen=True)
class _Para:
    """A rebuilt paragraph with its prevailing font."""

    text: str
    lines: list[Line]
    size: float | None
    bold: bool
    marker: str | None


def _classify(paragraphs: list[list[Line]], stats: _Stats) -> list[Block]:
    """Label each paragraph as heading, list item or paragraph and give levels."""
    paras = [_para(lines) for lines in paragraphs]
    kinds = [_kind(i, paras, stats) for i in range(len(paras))]
    levels = _heading_levels([p for p, k in zip(paras, kinds, strict=True) if k == "heading"])
    depths = _list_depths(paras, kinds)
    blocks: list[Block] = []
    for i, (para, kind) in enumerate(zip(paras, kinds, strict=True)):
        page = para.lines[0].page
        if kind == "heading":
            blocks.append(Block("heading", para.text, levels[id(para)], page))
        elif kind == "list_item":
            blocks.append(Block("list_item", strip_bullet(para.text), depths.get(i, 0), page))
        else:
            blocks.append(Block("paragraph", para.text, 0, page))
    return blocks


def _para(lines: list[Line]) -> _Para:
    """Join lines into a paragraph and find its prevailing font size and weight."""
    text = join_lines("\n".join(line.text for line in lines))
    sizes: Counter[float] = Counter()
    bold = 0
    for line in lines:
        if line.size is not None:
            sizes[_round_size(line.size)] += len(line.text)
        bold += len(line.text) if line.bold else -len(line.text)
    size = sizes.most_common(1)[0][0] if sizes else None
    return _Para(text, lines, size, bold > 0, list_marker(text))


def _kind(i: int, paras: list[_Para], stats: _Stats) -> str:
    """Say whether paragraph i is a heading, a list item or a paragraph."""
    para = paras[i]
    after = paras[i + 1] if i + 1 < len(paras) else None
    before = paras[i - 1] if i else None
    candidate = (
        len(para.lines) <= 3
        and para.marker not in ("bullet", "paren")
        and looks_like_heading(para.text, max_len=200)
        # "1. Introduction" is a heading, but not inside a run of numbered items.
        and not (
            para.marker == "decimal"
            and any(p is not None and p.marker == "decimal" for p in (before, after))
        )
    )
    if candidate:
        size = para.size or 0.0
        if stats.body_size and size >= 1.15 * stats.body_size:
            return "heading"
        if para.bold and not stats.body_bold:
            return "heading"
        if len(para.lines) == 1 and (has_heading_pattern(para.text) or is_all_caps(para.text)):
            return "heading"
        if (
            len(para.lines) == 1
            and len(para.text) < 0.6 * stats.full_len
            and after is not None
            and len(after.text) > len(para.text)
        ):
            return "heading"
    return "list_item" if para.marker else "paragraph"


def _heading_levels(headings: list[_Para]) -> dict[int, int]:
    """Rank headings by font size, then weight, then wording: biggest is level 1."""

    def style(para: _Para) -> tuple[float, int, int]:
        return (-(para.size or 0.0), -int(para.bold), heading_rank(para.text))

    order = sorted({style(para) for para in headings})
    return {id(para): min(order.index(style(para)) + 1, 6) for para in headings}


def _list_depths(paras: list[_Para], kinds: list[str]) -> dict[int, int]:
    """Give list items a nesting depth from how far right they start within their run."""
    depths: dict[int, int] = {}
    run: list[int] = []
    for i in [*range(len(paras)), len(paras)]:
        if i < len(paras) and kinds[i] == "list_item":
            run.append(i)
            continue
        xs = sorted({round(x / 4) for j in run if (x := paras[j].lines[0].x) is not None})
        for j in run:
            x = paras[j].lines[0].x
            depths[j] = xs.index(round(x / 4)) if x is not None else 0
        run = []
    return depths
