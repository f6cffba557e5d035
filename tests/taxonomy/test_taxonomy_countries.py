"""Resolving country codes and names to ISO alpha-3."""

from __future__ import annotations

import pytest

from gcmhub.taxonomy.countries import normalize, resolve_country


@pytest.mark.parametrize(
    "text",
    ["MEX", "mex", "MX", "484", " Mexico ", "MEXICO", "méxico", "mexique", "Mexique", "墨西哥"],
)
def test_mexico_in_every_form(text: str) -> None:
    assert resolve_country(text) == "MEX"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Côte d'Ivoire", "CIV"),
        ("cote d’ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("United Kingdom", "GBR"),
        ("UK", "GBR"),
        ("USA", "USA"),
        ("United States of America", "USA"),
        ("The Gambia", "GMB"),
        ("Bolivia", "BOL"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Allemagne", "DEU"),
        ("Alemania", "DEU"),
        ("4", "AFG"),
        ("004", "AFG"),
        ("Niger", "NER"),
        ("Nigeria", "NGA"),
    ],
)
def test_names_codes_and_other_languages(text: str, code: str) -> None:
    assert resolve_country(text) == code


@pytest.mark.parametrize("text", ["", "   ", "Atlantis", "XX", "9999", "Africa"])
def test_unknown_text_gives_none(text: str) -> None:
    assert resolve_country(text) is None


def test_normalize_ignores_case_accents_and_punctuation() -> None:
    assert normalize("  Côte d'Ivoire ") == "cote divoire"
    assert normalize("SAINT-MARTIN (French part)") == "saint martin french part"
