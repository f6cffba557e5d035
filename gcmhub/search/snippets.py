"""Highlighted snippets: the passage of a text where the query's words stand closest."""

from __future__ import annotations

import html
import re

from gcmhub.search.analysis import fold, stemmer, variants

WORD = re.compile(r"\w+", re.UNICODE)


def snippet(
    text: str, language: str | None, words: list[str], *, width: int = 32
) -> tuple[str, list[str]]:
    """Return an HTML-safe window of about `width` words with matches in <mark>, and the terms."""
    stem = stemmer(language)
    wanted: dict[str, str] = {}
    for word in words:
        for form in variants(word):
            wanted.setdefault(form, word)
    spans = list(WORD.finditer(text))
    lowered = [span.group().lower() for span in spans]
    stems = stem.stemWords(lowered) if stem is not None else lowered
    hits: list[tuple[int, str]] = []
    for index, (token, stemmed) in enumerate(zip(lowered, stems, strict=True)):
        term = wanted.get(fold(token)) or wanted.get(fold(stemmed))
        if term is not None:
            hits.append((index, term))
    if not spans:
        return "", []
    start = _best_window(hits, len(spans), width)
    end = min(len(spans), start + width)
    first = spans[start].start()
    last = spans[end - 1].end()
    marked = {index for index, _ in hits if start <= index < end}
    pieces: list[str] = []
    cursor = first
    for index in range(start, end):
        span = spans[index]
        pieces.append(html.escape(text[cursor : span.start()]))
        word = html.escape(span.group())
        pieces.append(f"<mark>{word}</mark>" if index in marked else word)
        cursor = span.end()
    body = "".join(pieces).replace("\n", " ")
    body = re.sub(r"\s+", " ", body).strip()
    prefix = "… " if first > 0 else ""
    suffix = " …" if last < len(text.rstrip()) else ""
    terms = sorted({term for _, term in hits})
    return prefix + body + suffix, terms


def _best_window(hits: list[tuple[int, str]], count: int, width: int) -> int:
    """Return the start of the window holding the most distinct matched terms."""
    if not hits:
        return 0
    best_start, best_score = 0, -1
    for index, _ in hits:
        start = max(0, min(index - width // 4, count - width))
        inside = {term for i, term in hits if start <= i < start + width}
        score = len(inside) * 1000 + sum(1 for i, _ in hits if start <= i < start + width)
        if score > best_score:
            best_start, best_score = start, score
    return best_start
