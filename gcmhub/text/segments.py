"""Blocks, segments and documents, and the grouping of blocks into segments."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

from .rules import first_words, normalize_space, split_sentences

BlockKind = Literal["heading", "paragraph", "list_item"]
SegmentKind = Literal["section", "list", "record"]
Format = Literal["pdf", "docx", "html", "markdown", "text", "jsonl"]

# Items of a list longer than this on average are actions in their own right (the
# lettered paragraphs of a UN resolution), so each becomes its own segment.
LONG_ITEM_CHARS = 300


@dataclass(frozen=True)
class Block:
    """One heading, paragraph or list item, as a format reader yields it in reading order."""

    kind: BlockKind
    text: str
    level: int = 0
    page: int | None = None


@dataclass(frozen=True)
class Segment:
    """One knowledge item's worth of text, with where it came from."""

    ordinal: int
    title: str
    text: str
    heading_path: tuple[str, ...]
    kind: SegmentKind
    para_start: int
    para_end: int
    page_start: int | None = None
    page_end: int | None = None
    key: str = ""
    fields: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """A recoverable problem met while reading one part of a document."""

    reason: str
    line: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line is not None else self.reason


@dataclass
class Document:
    """A file read into segments, with its metadata."""

    path: Path
    format: Format
    title: str | None
    author: str | None
    created: date | None
    segments: list[Segment]
    problems: list[Problem] = field(default_factory=list)
    language: str | None = None

    @property
    def text(self) -> str:
        """Return the text of all segments, in order."""
        return "\n\n".join(segment.text for segment in self.segments)


@dataclass(frozen=True)
class _Unit:
    """A normalised paragraph or list item with its position in the document."""

    text: str
    para: int
    page: int | None
    depth: int = 0


Render = Callable[[_Unit], str]


def segment_blocks(blocks: Iterable[Block], *, max_chars: int = 3000) -> list[Segment]:
    """Group blocks into sections and lists under their headings, at most max_chars each."""
    if max_chars < 40:
        raise ValueError(f"max_chars must be at least 40, not {max_chars}")
    grouper = _Grouper(max_chars)
    for block in blocks:
        grouper.add(block)
    grouper.flush()
    return grouper.segments


class _Grouper:
    """Accumulate runs of paragraphs or list items and cut them into segments."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.headings: list[tuple[int, str]] = []
        self.run: list[_Unit] = []
        self.run_kind: SegmentKind = "section"
        self.paragraphs = 0
        self.per_path: Counter[tuple[str, ...]] = Counter()
        self.segments: list[Segment] = []

    def add(self, block: Block) -> None:
        """Take the next block in reading order."""
        text = normalize_space(block.text)
        if not text:
            return
        if block.kind == "heading":
            self.flush()
            level = min(max(block.level, 1), 6)
            while self.headings and self.headings[-1][0] >= level:
                self.headings.pop()
            self.headings.append((level, text))
            return
        kind: SegmentKind = "list" if block.kind == "list_item" else "section"
        if self.run and kind != self.run_kind:
            self.flush()
        self.paragraphs += 1
        self.run_kind = kind
        self.run.append(_Unit(text, self.paragraphs, block.page, max(block.level, 0)))

    def flush(self) -> None:
        """Turn the pending run into segments."""
        run, self.run = self.run, []
        if not run:
            return
        if self.run_kind == "section":
            groups = _pack([[u] for u in run], _plain, "\n\n", self.max_chars, alone=False)
            for group in groups:
                self._emit(group, "section", _plain, "\n\n")
            return
        base = min(unit.depth for unit in run)

        def render(unit: _Unit) -> str:
            return "  " * (unit.depth - base) + "- " + unit.text

        bundles = _bundles(run, base)
        # Sub-items count towards their parent: "(a) ...: (i) ...; (ii) ..." is one action.
        average = sum(len(u.text) for u in run) / len(bundles)
        alone = average > LONG_ITEM_CHARS
        for group in _pack(bundles, render, "\n", self.max_chars, alone=alone):
            self._emit(group, "list", render, "\n")

    def _emit(self, units: list[_Unit], kind: SegmentKind, render: Render, sep: str) -> None:
        """Append one segment made of units under the current heading path."""
        path = tuple(text for _, text in self.headings)
        self.per_path[path] += 1
        text = sep.join(render(unit) for unit in units)
        pages = [unit.page for unit in units if unit.page is not None]
        title = first_words(path[-1] if path else units[0].text)
        self.segments.append(
            Segment(
                ordinal=len(self.segments),
                title=title,
                text=text,
                heading_path=path,
                kind=kind,
                para_start=units[0].para,
                para_end=units[-1].para,
                page_start=min(pages) if pages else None,
                page_end=max(pages) if pages else None,
                key=f"{' > '.join(path)}#{self.per_path[path]}",
            )
        )


def _plain(unit: _Unit) -> str:
    """Render a paragraph as itself."""
    return unit.text


def _bundles(run: list[_Unit], base: int) -> list[list[_Unit]]:
    """Group each top-level list item with the nested items that follow it."""
    bundles: list[list[_Unit]] = []
    for unit in run:
        if unit.depth <= base or not bundles:
            bundles.append([unit])
        else:
            bundles[-1].append(unit)
    return bundles


def _pack(
    bundles: list[list[_Unit]], render: Render, sep: str, max_chars: int, *, alone: bool
) -> list[list[_Unit]]:
    """Pack bundles greedily into groups of at most max_chars; alone puts one per group."""
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    size = 0
    for bundle in bundles:
        length = len(sep.join(render(unit) for unit in bundle))
        if length > max_chars or alone:
            if current:
                groups.append(current)
                current, size = [], 0
            if length <= max_chars:
                groups.append(bundle)
            elif len(bundle) > 1:
                groups.extend(_pack([[u] for u in bundle], render, sep, max_chars, alone=False))
            else:
                limit = max(max_chars - (len(render(bundle[0])) - len(bundle[0].text)), 20)
                groups.extend([piece] for piece in _split_unit(bundle[0], limit))
            continue
        if current and size + len(sep) + length > max_chars:
            groups.append(current)
            current, size = [], 0
        size = size + len(sep) + length if current else length
        current.extend(bundle)
    if current:
        groups.append(current)
    return groups


def _split_unit(unit: _Unit, limit: int) -> list[_Unit]:
    """Split one over-long paragraph at sentence ends (or, failing that, at words)."""
    chunks: list[str] = []
    current = ""
    for sentence in split_sentences(unit.text):
        pieces = [sentence] if len(sentence) <= limit else textwrap.wrap(sentence, limit)
        for piece in pieces:
            if current and len(current) + 1 + len(piece) > limit:
                chunks.append(current)
                current = ""
            current = f"{current} {piece}" if current else piece
    if current:
        chunks.append(current)
    return [replace(unit, text=chunk) for chunk in chunks]
