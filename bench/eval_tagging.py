"""Evaluate automatic tagging to the 23 GCM objectives, on public text, with baselines.

1. Leave-one-out over the Compact's 187 actions: each action is tagged by a tagger trained
   on the scheme without that action (it never sees itself). Top-1, top-3 and macro-F1 for
   a lexical baseline (TF-IDF cosine to each objective's words), a vector baseline (cosine to
   each objective's mean embedding) and GCM Hub's tagger (ridge over embeddings).
2. Learning from curators: each objective starts from its title and commitment only; a
   curator confirms m items per objective (actions stand in for curated items) and the
   tagger is scored on the actions nobody confirmed, m = 0, 1, 2, 4, 8, five draws each.
3. The 46 practice descriptions of bench/data/tagging_examples.jsonl (English, French,
   Spanish; written for this project) tagged zero-shot, then with the other half confirmed
   by a curator (two-fold), as `gcmhub curate confirm` would add them.

    .venv/bin/python bench/eval_tagging.py
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from gcmhub.knowledge.tagging import Tagger, TrainingSet, concept_training
from gcmhub.search.analysis import STOP_WORDS, analyze
from gcmhub.search.embedder import get_embedder
from gcmhub.taxonomy.actions import ConceptText
from gcmhub.taxonomy.builtin import builtin_scheme

DATA = Path(__file__).parent / "data"
Scores = Callable[[int], np.ndarray]


def objective_concepts() -> list[ConceptText]:
    """Return the objective scheme as the tagger reads it."""
    scheme = builtin_scheme("objective")
    texts = []
    for concept in scheme.concepts:
        ancestors = scheme.ancestors(concept.code)
        top = f"objective:{ancestors[-1]}" if ancestors else f"objective:{concept.code}"
        texts.append(
            ConceptText(
                f"objective:{concept.code}",
                concept.label("en"),
                concept.definition,
                tuple(concept.examples),
                top,
            )
        )
    return texts


class Embeddings:
    """Embeds each distinct text once."""

    def __init__(self) -> None:
        self.embedder = get_embedder()
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            for text, vector in zip(missing, self.embedder.embed_passages(missing), strict=True):
                self.cache[text] = vector
        return np.stack([self.cache[t] for t in texts])


def metrics(scores: Sequence[np.ndarray], truth: Sequence[int], classes: int) -> tuple[float, ...]:
    """Return top-1, top-3 and macro-F1 of score rows against true class indexes."""
    ranked = [np.argsort(-s) for s in scores]
    top1 = np.mean([r[0] == t for r, t in zip(ranked, truth, strict=True)])
    top3 = np.mean([t in r[:3] for r, t in zip(ranked, truth, strict=True)])
    predicted = np.array([r[0] for r in ranked])
    actual = np.array(truth)
    f1 = []
    for c in range(classes):
        tp = np.sum((predicted == c) & (actual == c))
        fp = np.sum((predicted == c) & (actual != c))
        fn = np.sum((predicted != c) & (actual == c))
        f1.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(top1), float(top3), float(np.mean(f1))


def tfidf_scores(query: str, documents: Sequence[str]) -> np.ndarray:
    """Return the TF-IDF cosine of a text to each document (stems, stop words dropped)."""
    bags = [Counter(w for w in analyze(d, "en").split() if w not in STOP_WORDS) for d in documents]
    df = Counter(w for bag in bags for w in bag)
    idf = {w: math.log((len(bags) + 1) / (n + 0.5)) for w, n in df.items()}

    def vector(bag: Counter[str]) -> dict[str, float]:
        weights = {w: (1 + math.log(c)) * idf.get(w, 0.0) for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        return {w: v / norm for w, v in weights.items()}

    q = vector(Counter(w for w in analyze(query, "en").split() if w not in STOP_WORDS))
    return np.array([sum(q.get(w, 0.0) * v for w, v in vector(b).items()) for b in bags])


def leave_one_out(embed: Embeddings) -> None:
    """Tag each action with a tagger that never saw it; print the three methods."""
    concepts = objective_concepts()
    actions = [c for c in concepts if c.top != c.id]
    classes = [c for c in concepts if c.top == c.id]
    index = {c.id: n for n, c in enumerate(classes)}
    truth = [index[a.top] for a in actions]
    results: dict[str, list[np.ndarray]] = {"lexical": [], "vector": [], "tagger": []}
    started = time.perf_counter()
    for held in actions:
        rest = [c for c in concepts if c.id != held.id]
        _, training = concept_training(rest)
        vectors = embed(training.texts)
        target = embed([held.definition or held.label])
        tagger = Tagger(classes, vectors, training.classes, training.weights)
        results["tagger"].append(tagger.probabilities(target)[0])
        results["vector"].append(_centroid_scores(vectors, training, len(classes)) @ target[0])
        documents = [
            " ".join(t for t, k in zip(training.texts, training.classes, strict=True) if k == n)
            for n in range(len(classes))
        ]
        results["lexical"].append(tfidf_scores(held.definition or held.label, documents))
    print(
        f"Leave-one-out over {len(actions)} actions, 23 objectives "
        f"({time.perf_counter() - started:.0f} s)"
    )
    print(f"{'method':<34} {'top-1':>6} {'top-3':>6} {'macro-F1':>9}")
    names = {
        "lexical": "lexical baseline (TF-IDF)",
        "vector": "vector baseline (centroid cosine)",
        "tagger": "GCM Hub tagger (ridge, embeddings)",
    }
    for key, label in names.items():
        top1, top3, f1 = metrics(results[key], truth, len(classes))
        print(f"{label:<34} {top1:>6.3f} {top3:>6.3f} {f1:>9.3f}")
    print("targets: top-1 >= 0.75, top-3 >= 0.92 (tagger)\n")


def _centroid_scores(vectors: np.ndarray, training: TrainingSet, classes: int) -> np.ndarray:
    weights = np.asarray(training.weights)[:, None]
    targets = np.asarray(training.classes)
    centroids = np.stack(
        [(vectors[targets == c] * weights[targets == c]).sum(axis=0) for c in range(classes)]
    )
    normalised: np.ndarray = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)
    return normalised


def curated_learning(embed: Embeddings) -> None:
    """Zero-shot against two-fold curated examples on practice descriptions."""
    concepts = objective_concepts()
    classes, base = concept_training(concepts)
    index = {c.id: n for n, c in enumerate(classes)}
    records = [json.loads(line) for line in (DATA / "tagging_examples.jsonl").open()]
    texts = [r["text"] for r in records]
    truth = [index[f"objective:{r['objectives'][0]}"] for r in records]
    vectors = embed(texts)
    base_vectors = embed(base.texts)
    zero = Tagger(classes, base_vectors, base.classes, base.weights).probabilities(vectors)
    folds = [list(range(0, len(records), 2)), list(range(1, len(records), 2))]
    curated = np.zeros_like(zero)
    for train, test in (folds, folds[::-1]):
        extra = np.stack([vectors[i] for i in train])
        tagger = Tagger(
            classes,
            np.vstack([base_vectors, extra]),
            [*base.classes, *(truth[i] for i in train)],
            [*base.weights, *([1.0] * len(train))],
        )
        curated[test] = tagger.probabilities(vectors[test])
    languages = Counter(r.get("language", "en") for r in records)
    print(f"Practice descriptions: {len(records)} ({dict(languages)}), first objective is truth")
    print(f"{'tagger':<34} {'top-1':>6} {'top-3':>6} {'macro-F1':>9}")
    for label, scores in (("zero-shot", zero), ("with curated examples (2-fold)", curated)):
        top1, top3, f1 = metrics(list(scores), truth, len(classes))
        print(f"{label:<34} {top1:>6.3f} {top3:>6.3f} {f1:>9.3f}")


def learning_curve(embed: Embeddings, draws: int = 5) -> None:
    """Score the tagger as a curator confirms more items per objective."""
    concepts = objective_concepts()
    classes = [c for c in concepts if c.top == c.id]
    index = {c.id: n for n, c in enumerate(classes)}
    actions = [c for c in concepts if c.top != c.id]
    _, own = concept_training(classes)
    own_vectors = embed(own.texts)
    action_vectors = embed([a.definition or a.label for a in actions])
    by_class: dict[int, list[int]] = {}
    for n, action in enumerate(actions):
        by_class.setdefault(index[action.top], []).append(n)
    print("Learning from curators: confirmed items per objective -> accuracy on the others")
    print(f"{'confirmed':>9} {'top-1':>6} {'top-3':>6} {'macro-F1':>9}")
    for confirmed in (0, 1, 2, 4, 8):
        totals = np.zeros(3)
        for draw in range(draws):
            rng = np.random.default_rng(draw)
            chosen = [
                int(i)
                for members in by_class.values()
                for i in rng.permutation(members)[: min(confirmed, len(members) - 1)]
            ]
            rest = [n for n in range(len(actions)) if n not in set(chosen)]
            tagger = Tagger(
                classes,
                np.vstack([own_vectors, action_vectors[chosen]]) if chosen else own_vectors,
                [*own.classes, *(index[actions[i].top] for i in chosen)],
                [*own.weights, *([1.0] * len(chosen))],
            )
            scores = tagger.probabilities(action_vectors[rest])
            truth = [index[actions[i].top] for i in rest]
            totals += metrics(list(scores), truth, len(classes))
        top1, top3, f1 = totals / draws
        print(f"{confirmed:>9} {top1:>6.3f} {top3:>6.3f} {f1:>9.3f}")
    print()


def main() -> None:
    """Run the three evaluations."""
    embed = Embeddings()
    leave_one_out(embed)
    learning_curve(embed)
    curated_learning(embed)


if __name__ == "__main__":
    main()
