"""The colours of the stylesheet meet WCAG 2.1 AA contrast (4.5:1 for text, 3:1 for focus)."""

from __future__ import annotations

import re
from pathlib import Path

import gcmhub.web

STYLE = (Path(gcmhub.web.__file__).parent / "static" / "style.css").read_text(encoding="utf-8")
COLOURS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", STYLE))


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    bright, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (bright + 0.05) / (dark + 0.05)


def test_contrast_is_computed_the_wcag_way() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # the classic near miss


def test_text_colours_reach_aa_on_every_background_they_are_used_on() -> None:
    pairs = [
        ("ink", "paper"),
        ("muted", "paper"),
        ("link", "paper"),
        ("ink", "tint"),
        ("muted", "tint"),
        ("link", "tint"),
        ("brand-ink", "brand"),
        ("ink", "mark"),
    ]
    for text, background in pairs:
        ratio = contrast(COLOURS[text], COLOURS[background])
        assert ratio >= 4.5, (text, background, round(ratio, 2))


def test_the_focus_outline_stands_out_from_the_page_and_the_header() -> None:
    assert contrast(COLOURS["focus"], COLOURS["paper"]) >= 3
    assert contrast(COLOURS["focus-on-brand"], COLOURS["brand"]) >= 3
