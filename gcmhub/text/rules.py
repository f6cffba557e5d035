"""Text heuristics shared by the readers: whitespace, hyphenation, markers, headings."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SPACE = re.compile(r"\s+")
# A word broken at a line end: "migra-\ntion". Only a lower-case continuation is joined,
# so "Asia-\nPacific" keeps its hyphen.
_HYPHEN_BREAK = re.compile(r"(\w)[-\u00ad]\n[ \t]*(?=[a-zà-öø-ÿа-яё])")
_HYPHEN_COMPOUND = re.compile(r"(\w)-\n[ \t]*(?=\w)")

BULLET = re.compile(r"^[-*•‣◦▪▫●○–—·]\s+")
# "(a) ", "a) ", "(iv) ", "iv) ", "(1) ", "1) ", "1. " — the enumerators of UN resolutions
# and reports. Letters are limited to one (or a roman numeral) so "(see) " is not a marker.
ENUMERATOR = re.compile(
    r"^(?:\((?:[a-zA-Z]|[ivxlc]{1,6}|\d{1,3})\)|(?:[a-zA-Z]|[ivxlc]{1,6}|\d{1,3})\)|\d{1,3}\.(?!\d))\s+"
)
_TERMINAL = re.compile(r"[.!?;,:。！？؟…][\"'”’»)\]]*$")
_SENTENCE_END = re.compile(r"[.!?。！？؟…][\"'”’»)\]]*$")
_ROMAN = re.compile(r"^[IVXLC]{1,7}\.\s+\S")
_LETTER = re.compile(r"^[A-Z]\.\s+\S")
_DECIMAL = re.compile(r"^(\d{1,2}\.(?:\d{1,2}\.?)*)\s+\S")
_TOP_WORDS = re.compile(
    r"^(?:part|chapter|annex|appendix|partie|chapitre|parte|capítulo)\s+\w", re.I
)
_MID_WORDS = re.compile(
    r"^(?:objective|objectif|objetivo|section|sección|article|artículo|goal|target|"
    r"principle|theme|pillar)\s+[\dIVXLC]+\b",
    re.I,
)
# A sentence ends at a terminator (plus closing quotes) followed by space and a capital;
# CJK full stops need no space.
_BOUNDARY = re.compile(
    r"(?<![\s.][A-Za-z])[.!?…][\"'”’»)\]]*(\s+)(?=[\"'“‘«(\[]?[A-Z0-9À-ÖØ-ÞА-Я])|[。！？](\s*)"
)
# Abbreviations after which a full stop does not end the sentence.
_ABBREVIATIONS = frozenset(
    "no nos para paras art arts mr mrs ms dr st vol pp cf op cit ibid rev add corr".split()
)


# PDF fonts often encode "fi", "fl", ... as one ligature glyph, which search would miss.
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)


def normalize_space(text: str) -> str:
    """Collapse all runs of whitespace to single spaces and spell out ligatures."""
    return _SPACE.sub(" ", text.translate(_LIGATURES)).strip()


def join_lines(text: str) -> str:
    """Join wrapped lines into one, mending words hyphenated at a line end."""
    return normalize_space(_HYPHEN_COMPOUND.sub(r"\1-", _HYPHEN_BREAK.sub(r"\1", text)))


def strip_bullet(text: str) -> str:
    """Drop a leading bullet character; enumerators like "(a)" are kept as identity."""
    return BULLET.sub("", text, count=1)


def list_marker(line: str) -> str | None:
    """Return the marker family ("bullet", "paren", "decimal") starting the line, if any."""
    if BULLET.match(line):
        return "bullet"
    match = ENUMERATOR.match(line)
    if match is None:
        return None
    return "decimal" if match.group(0).rstrip().endswith(".") else "paren"


def ends_sentence(text: str) -> bool:
    """Say whether text ends with sentence punctuation."""
    return bool(_SENTENCE_END.search(text.rstrip()))


def ends_with_punctuation(text: str) -> bool:
    """Say whether text ends like running text rather than a title."""
    return bool(_TERMINAL.search(text.rstrip()))


def has_title_pattern(text: str) -> bool:
    """Say whether text starts like a labelled heading ("II.", "A.", "Objective 3", "Annex")."""
    return any(p.match(text) for p in (_ROMAN, _LETTER, _TOP_WORDS, _MID_WORDS))


def has_heading_pattern(text: str) -> bool:
    """Say whether text starts like a labelled or decimal-numbered heading ("1.2 Scope")."""
    return has_title_pattern(text) or bool(_DECIMAL.match(text))


def is_all_caps(text: str) -> bool:
    """Say whether text is written in capitals (at least four letters)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def looks_like_heading(text: str, max_len: int = 120) -> bool:
    """Say whether a line could be a title: short, capitalised, no final punctuation."""
    text = text.strip()
    if not text or len(text) > max_len or len(text.split()) > 16:
        return False
    if ends_with_punctuation(text):
        return False
    first = text.lstrip("\"'“‘«(")[:1]
    return first.isupper() or first.isdigit() or not first.isalpha()


def heading_rank(text: str) -> int:
    """Return a nesting rank for a heading from its wording: 1 is outermost."""
    if _TOP_WORDS.match(text) or _ROMAN.match(text) or is_all_caps(text):
        return 1
    if _LETTER.match(text):
        return 2
    if _MID_WORDS.match(text):
        return 3
    decimal = _DECIMAL.match(text)
    if decimal:
        return min(2 + len(re.findall(r"\d+", decimal.group(1))), 5)
    # An unnumbered heading usually subdivides the numbered section above it ("Actions").
    return 6


def split_sentences(text: str) -> list[str]:
    """Split running text at sentence ends."""
    parts: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        gap = 1 if match.group(1) is not None else 2
        word = text[start : match.start()].rsplit(None, 1)[-1:] or [""]
        if gap == 1 and word[0].lower().lstrip("(") in _ABBREVIATIONS:
            continue
        parts.append(text[start : match.start(gap)])
        start = match.end(gap)
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def first_words(text: str, limit: int = 120) -> str:
    """Return the start of text cut at a word boundary to at most limit characters."""
    text = normalize_space(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def format_row(cells: Iterable[str]) -> str:
    """Return a table row as one paragraph: non-empty cells joined by " | "."""
    return " | ".join(text for cell in cells if (text := normalize_space(cell)))
