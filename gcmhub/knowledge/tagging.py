"""Automatic tagging: a ridge classifier over embeddings of each concept's own words.

A scheme's top concepts are the classes (the 23 objectives, the 10 principles…). Each class
learns from its label and definition (weighted up), its examples, every narrower concept
(an objective's actions) and the items a curator confirmed for it. With no curated items
this is zero-shot: only the scheme's own text is used. Scores are a softmax over the
classes whose temperature was fitted on the 187 actions left out one at a time
(bench/eval_tagging.py), so a score near 0.8 is right about four times in five.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from gcmhub.context import Context
from gcmhub.knowledge.models import Item, ItemConcept
from gcmhub.taxonomy.actions import ConceptText, scheme_concept_texts

Embed = Callable[[Sequence[str]], np.ndarray]

RIDGE = 0.3  # regularisation; bench/eval_tagging.py shows 0.2-0.5 within a point of accuracy
CONCEPT_WEIGHT = 3.0  # a concept's own label and definition count three examples each
TEMPERATURE = 0.06  # fitted by log-loss on the leave-one-out actions


@dataclass(frozen=True)
class Suggestion:
    """A concept proposed for a text, with the tagger's confidence."""

    concept: str
    label: str
    score: float


@dataclass
class TrainingSet:
    """Texts (or vectors) with the class each one teaches, and its weight."""

    texts: list[str]
    classes: list[int]
    weights: list[float]


class Tagger:
    """Scores texts against the classes of one scheme."""

    def __init__(
        self,
        classes: Sequence[ConceptText],
        vectors: np.ndarray,
        targets: Sequence[int],
        weights: Sequence[float],
        ridge: float = RIDGE,
        temperature: float = TEMPERATURE,
    ):
        self.classes = list(classes)
        self.temperature = temperature
        weight = np.asarray(weights, dtype=np.float64)[:, None]
        x = vectors.astype(np.float64)
        self.mean = x.mean(axis=0)
        centred = x - self.mean
        onehot = np.eye(len(self.classes))[np.asarray(targets)]
        onehot -= onehot.mean(axis=0)
        gram = (centred * weight).T @ centred + ridge * np.eye(x.shape[1])
        self.weights = np.linalg.solve(gram, (centred * weight).T @ onehot)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Return an (n, classes) matrix of scores that sum to one per text."""
        raw = (vectors.astype(np.float64) - self.mean) @ self.weights / self.temperature
        raw -= raw.max(axis=1, keepdims=True)
        exp = np.exp(raw)
        probabilities: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
        return probabilities

    def suggest(
        self, vectors: np.ndarray, k: int = 3, min_score: float = 0.0
    ) -> list[list[Suggestion]]:
        """Return the k best classes of each text; an all-zero vector (no text) gets none."""
        probabilities = self.probabilities(vectors)
        empty = [not bool(vector.any()) for vector in vectors]
        result: list[list[Suggestion]] = []
        for row, blank in zip(probabilities, empty, strict=True):
            if blank:
                result.append([])
                continue
            best = np.argsort(-row)[:k]
            result.append(
                [
                    Suggestion(self.classes[i].id, self.classes[i].label, round(float(row[i]), 4))
                    for i in best
                    if row[i] >= min_score
                ]
            )
        return result


def concept_training(concepts: Sequence[ConceptText]) -> tuple[list[ConceptText], TrainingSet]:
    """Return the classes of a scheme and what its own text teaches about them."""
    classes = [c for c in concepts if c.top == c.id] or list(concepts)
    index = {c.id: n for n, c in enumerate(classes)}
    training = TrainingSet([], [], [])

    def add(text: str, target: int, weight: float) -> None:
        training.texts.append(text)
        training.classes.append(target)
        training.weights.append(weight)

    for concept in concepts:
        target = index.get(concept.top, index.get(concept.id))
        if target is None:
            continue
        own = concept.id == classes[target].id
        if own:
            add(concept.label, target, CONCEPT_WEIGHT)
            if concept.definition:
                add(f"{concept.label}. {concept.definition}", target, CONCEPT_WEIGHT)
        else:
            add(concept.definition or concept.label, target, 1.0)
        for example in concept.examples:
            add(example, target, 1.0)
    return classes, training


def curated_examples(ctx: Context, concepts: Sequence[ConceptText]) -> list[tuple[str, str]]:
    """Return (text, top concept) of every item a curator confirmed for the scheme."""
    top = {c.id: c.top for c in concepts}
    rows = ctx.session.execute(
        select(Item.title, Item.text, ItemConcept.concept_id)
        .join(Item, Item.id == ItemConcept.item_id)
        .where(
            ItemConcept.concept_id.in_(list(top)),
            ItemConcept.origin == "curator",
            ItemConcept.status == "confirmed",
        )
        .order_by(ItemConcept.item_id)
    ).all()
    return [(f"{title}. {text}", top[concept]) for title, text, concept in rows]


def build_tagger(ctx: Context, scheme_id: str, embed: Embed) -> Tagger:
    """Train the tagger of a scheme from its concepts and the curators' confirmations."""
    concepts = scheme_concept_texts(ctx, scheme_id)
    classes, training = concept_training(concepts)
    index = {c.id: n for n, c in enumerate(classes)}
    for text, concept in curated_examples(ctx, concepts):
        training.texts.append(text)
        training.classes.append(index[concept])
        training.weights.append(1.0)
    vectors = embed(training.texts)
    return Tagger(classes, vectors, training.classes, training.weights)
