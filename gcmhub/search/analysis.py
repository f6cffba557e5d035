"""Text analysis shared by indexing and querying: tokens, stems, stop words, query terms."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

TOKEN = re.compile(r"\w+", re.UNICODE)
QUERY_PART = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')

# Languages with a Snowball stemmer; an item in another language is indexed unstemmed.
STEMMER_NAMES = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "pt": "portuguese",
    "de": "german",
    "it": "italian",
    "nl": "dutch",
    "ru": "russian",
    "ar": "arabic",
}
# A query is stemmed in these languages and the variants are ORed, so one query
# finds English, French and Spanish items alike.
QUERY_LANGUAGES = ("en", "fr", "es")

STOP_WORDS = frozenset(
    """
    a an and are as at be by for from has have in into is it its of on or that the their
    this to was were will with which who what how
    au aux avec ce ces dans de des du elle en et il ils la le les leur leurs ou par pour
    qui que sur un une est sont
    al como con de del el en es la las lo los para por que se su sus un una y o
    """.split()
)


@lru_cache(maxsize=16)
def stemmer(language: str | None) -> Stemmer.Stemmer | None:
    """Return the Snowball stemmer of a language, or None when it has none."""
    name = STEMMER_NAMES.get((language or "")[:2])
    return Stemmer.Stemmer(name) if name else None


@lru_cache(maxsize=262_144)
def fold(word: str) -> str:
    """Lower-case a word and strip its diacritics, as the FTS5 tokenizer does.

    FTS5's `unicode61 remove_diacritics 2` strips diacritics from Latin letters only, and
    folds no compatibility forms: so does this. (Decomposing everything turned "й" into "и",
    "أ" into "ا" and every Hangul syllable into jamo, which FTS5 then never matched.)
    """
    folded: list[str] = []
    for char in word.lower():
        if unicodedata.combining(char) and folded and folded[-1].isascii():
            continue  # a diacritic typed after its letter ("e" + U+0301)
        if (0xC0 <= ord(char) < 0x250 or 0x1E00 <= ord(char) < 0x1F00) and char not in "ǡ":
            base = unicodedata.normalize("NFD", char)  # FTS5 keeps "ǡ" (a table gap)
            if base[0].isascii() and all(unicodedata.combining(c) for c in base[1:]):
                char = base[0]
        folded.append(char)
    return "".join(folded)


def tokens(text: str) -> list[str]:
    """Split text into lower-case word tokens."""
    return TOKEN.findall(text.lower())


def analyze(text: str, language: str | None) -> str:
    """Return the text as space-separated stems in its language, ready for FTS5."""
    words = tokens(text)
    stem = stemmer(language)
    if stem is not None:
        words = stem.stemWords(words)
    return " ".join(words)


def variants(word: str) -> list[str]:
    """Return the folded forms under which a query word may be indexed, one per language."""
    lower = word.lower()
    found = {fold(lower)}
    for language in QUERY_LANGUAGES:
        stem = stemmer(language)
        if stem is not None:
            found.add(fold(stem.stemWord(lower)))
    return sorted(found)


@dataclass
class ParsedQuery:
    """A user's query: words that must match, quoted phrases, and excluded words."""

    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Tell whether nothing positive is asked for."""
        return not self.words and not self.phrases

    def all_words(self) -> list[str]:
        """Return every positive word, phrases included, for highlighting."""
        return self.words + [w for phrase in self.phrases for w in phrase]


def parse_query(text: str) -> ParsedQuery:
    """Parse `words "a phrase" -excluded` into its parts, dropping stop words."""
    parsed = ParsedQuery()
    for match in QUERY_PART.finditer(text):
        negative = bool(match.group(1) or match.group(3))
        if match.group(2) is not None:
            words = tokens(match.group(2))
            if words and not negative:
                parsed.phrases.append(words)
            elif words:
                parsed.excluded.extend(words)
            continue
        words = tokens(match.group(4) or "")
        (parsed.excluded if negative else parsed.words).extend(words)
    content = [w for w in parsed.words if w not in STOP_WORDS]
    if content or parsed.phrases:
        parsed.words = content
    return parsed


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _word_expr(word: str) -> str:
    forms = variants(word)
    if len(forms) == 1:
        return _quote(forms[0])
    return "(" + " OR ".join(_quote(f) for f in forms) + ")"


def _phrase_expr(words: list[str]) -> str:
    phrases = {" ".join(fold(w) for w in words)}
    for language in QUERY_LANGUAGES:
        stem = stemmer(language)
        if stem is not None:
            phrases.add(" ".join(fold(s) for s in stem.stemWords(words)))
    return "(" + " OR ".join(_quote(p) for p in sorted(phrases)) + ")"


def match_expression(query: ParsedQuery, *, any_word: bool = False) -> str:
    """Return the FTS5 MATCH expression: all words (or any word), phrases, exclusions."""
    parts = [_word_expr(w) for w in dict.fromkeys(query.words)]
    parts += [_phrase_expr(p) for p in query.phrases]
    expression = (" OR " if any_word else " AND ").join(parts)
    if query.excluded:
        excluded = " OR ".join(_word_expr(w) for w in dict.fromkeys(query.excluded))
        expression = f"({expression}) NOT ({excluded})"
    return expression
