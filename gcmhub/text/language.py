"""Language detection over a document's text with py3langid."""

from __future__ import annotations

import threading
from typing import Any

# The six UN official languages plus the other languages GCM material commonly uses;
# restricting the model keeps short texts from being labelled as unrelated languages.
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh", "pt", "de", "it", "nl")
MIN_LETTERS = 20
# Beyond this many characters, evenly spaced slices stand in for the whole text.
_SAMPLE_CHARS = 100_000
_SLICES = 10
_lock = threading.Lock()
_model: Any = None


def detect_language(text: str) -> str | None:
    """Return the ISO 639-1 code of text's language, or None if too short to tell."""
    sample = _sample(text)
    if _letter_weight(sample) < MIN_LETTERS:
        return None
    language, _confidence = _identifier().classify(sample)
    return str(language)


def _identifier() -> Any:
    """Return the py3langid model restricted to LANGUAGES, loading it on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _load_model()
    return _model


def _load_model() -> Any:
    """Load the py3langid model (about half a second, so only once per process)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    # py3langid 0.4 renamed the loader; 0.3 only has from_pickled_model.
    load = getattr(LanguageIdentifier, "from_model_file", None)
    if load is None:
        load = LanguageIdentifier.from_pickled_model
    identifier = load(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def _sample(text: str) -> str:
    """Return text, or evenly spaced slices of it when it is very long."""
    if len(text) <= _SAMPLE_CHARS:
        return text
    width = _SAMPLE_CHARS // _SLICES
    step = len(text) // _SLICES
    return "\n".join(text[i * step : i * step + width] for i in range(_SLICES))


def _letter_weight(text: str) -> int:
    """Count letters, a CJK character standing for several Latin ones."""
    weight = 0
    for char in text:
        if "\u3400" <= char <= "\u9fff" or "\u3040" <= char <= "\u30ff":
            weight += 3
        elif char.isalpha():
            weight += 1
        if weight >= MIN_LETTERS:
            break
    return weight
