"""The GCM's own schemes: 23 objectives with their actions, and the 10 guiding principles."""

from __future__ import annotations

from typing import Any

from gcmhub.taxonomy.schemes import ConceptData

MAX_WORDS = 12
MIN_WORDS = 6
_WEAK_ENDINGS = {
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "including", "its", "of", "on",
    "or", "such", "that", "the", "their", "to", "with",
}  # fmt: skip


def objective_concepts(gcm: dict[str, Any]) -> list[ConceptData]:
    """Objectives "1".."23" (label = title) followed by their actions ("1a", ...) as narrower."""
    concepts: list[ConceptData] = []
    for objective in gcm["objectives"]:
        code = str(objective["number"])
        paragraph = int(objective["paragraph"])
        concepts.append(
            ConceptData(
                code=code,
                labels={"en": objective["title"]},
                definition=objective["commitment"],
                notation=f"para {paragraph}",
            )
        )
        for action in objective["actions"]:
            concepts.append(
                ConceptData(
                    code=f"{code}{action['letter']}",
                    labels={"en": short_label(action["text"])},
                    definition=action["text"],
                    broader=[code],
                    notation=f"para {paragraph}({action['letter']})",
                )
            )
    return concepts


def principle_concepts(gcm: dict[str, Any]) -> list[ConceptData]:
    """Guiding principles "a".."j" of para 15; the definition is the dataset's paraphrase."""
    return [
        ConceptData(
            code=item["letter"],
            labels={"en": item["name"]},
            definition=item["summary_paraphrase"],
            notation=item["paragraph"],
        )
        for item in gcm["guiding_principles"]
    ]


def short_label(text: str, max_words: int = MAX_WORDS, min_words: int = MIN_WORDS) -> str:
    """The action's first clause of min..max words, else its first words, with "…" when cut."""
    words = " ".join(text.split()).rstrip(" .;").split()
    if len(words) <= max_words:
        return " ".join(words)
    ends = [i for i, word in enumerate(words[:max_words], start=1) if word[-1] in ",;:"]
    cut = next((end for end in ends if end >= min_words), None)
    kept = words[: cut or max_words]
    while cut is None and len(kept) > min_words and kept[-1].lower() in _WEAK_ENDINGS:
        kept.pop()
    return " ".join(kept).rstrip(",;:") + "…"
