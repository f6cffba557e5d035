"""Find a country's ISO alpha-3 code from a code, number or name in any UN language."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from gcmhub.taxonomy.builtin import shared_scheme


def resolve_country(text: str) -> str | None:
    """ISO alpha-3 code for "MEX", "MX", "484", "Mexico", "mexique", ...; None if unknown."""
    key = normalize(text)
    if key.isdigit() and len(key) < 3:
        key = key.zfill(3)
    return _index().get(key) if key else None


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-free form of a name ("Côte d'Ivoire" -> "cote divoire")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = re.sub(r"[\W_]+", " ", re.sub(r"['’ʼ`]", "", bare)).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


@cache
def _index() -> dict[str, str]:
    """Normalized name or code -> alpha-3; codes win over English names, which win over others."""
    scheme = shared_scheme("country")
    passes: list[list[tuple[str, str]]] = [
        [(item.code, item.code) for item in scheme.concepts],
        [(alt, item.code) for item in scheme.concepts for alt in item.alt_labels.get("en", [])[:2]],
        [(item.labels["en"], item.code) for item in scheme.concepts],
        [(alt, item.code) for item in scheme.concepts for alt in item.alt_labels.get("en", [])[2:]],
        [(label, item.code) for item in scheme.concepts for label in item.labels.values()],
        [
            (alt, item.code)
            for item in scheme.concepts
            for alts in item.alt_labels.values()
            for alt in alts
        ],
    ]
    index: dict[str, str] = {}
    for names in passes:
        for name, code in names:
            index.setdefault(normalize(name), code)
    index.pop("", None)
    return index
