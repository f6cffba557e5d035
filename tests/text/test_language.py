"""Language detection restricted to the languages GCM material uses."""

from __future__ import annotations

import pytest

from gcmhub.text import detect_language
from gcmhub.text.language import LANGUAGES

from .builders import ENGLISH, FRENCH, SPANISH


@pytest.mark.parametrize(("text", "expected"), [(ENGLISH, "en"), (FRENCH, "fr"), (SPANISH, "es")])
def test_a_paragraph_is_detected_as_its_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_chinese_is_detected_from_a_short_sentence() -> None:
    assert detect_language("各国承诺促进安全、有序和正常的移民。") == "zh"


@pytest.mark.parametrize("text", ["", "Migration", "Article 23 (2018)", "12 345 678 - 2019/2020"])
def test_text_too_short_to_tell_gives_none(text: str) -> None:
    assert detect_language(text) is None


def test_a_language_outside_the_set_is_reported_as_one_inside_it() -> None:
    swedish = "Medlemsstaterna kom överens om att säkra och reguljära vägar minskar riskerna."

    assert detect_language(swedish) in LANGUAGES


def test_a_very_long_text_is_detected_from_samples_across_it() -> None:
    text = (ENGLISH + " ") * 200 + (FRENCH + " ") * 2000

    assert detect_language(text) == "fr"
