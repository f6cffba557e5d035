"""Evaluate search quality on the demo knowledge base: lexical, semantic and hybrid.

The demo holds the Compact's 23 objectives and 187 actions as items (the real pipeline:
JSON Lines ingest, embeddings, tags). Queries were written for this project
(bench/data/README.md): 46 in English from the objectives and actions, and 40 in French
and Spanish whose relevant items are English. For each mode it prints nDCG@10 (graded
relevance) and recall@50; lexical and semantic are the baselines of the hybrid.

    .venv/bin/python bench/eval_search.py
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).parent / "data"
MODES = ("lexical", "semantic", "hybrid")


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    """Return nDCG@k with gains 2^grade - 1."""
    dcg = sum(
        (2 ** grades.get(doc, 0) - 1) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k])
    )
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(ranked: list[str], relevant: list[str], k: int = 50) -> float:
    """Return the share of relevant items found in the top k."""
    return len(set(ranked[:k]) & set(relevant)) / len(relevant)


def load_queries() -> dict[str, list[dict[str, object]]]:
    """Return the query sets by name."""
    sets: dict[str, list[dict[str, object]]] = {"English": [], "French": [], "Spanish": []}
    names = {"en": "English", "fr": "French", "es": "Spanish"}
    for file in ("queries_english.jsonl", "queries_crosslingual.jsonl"):
        for line in (DATA / file).open(encoding="utf-8"):
            record = json.loads(line)
            sets[names[record["language"]]].append(record)
    return sets


def main() -> None:
    """Load the demo in a temporary folder and score every query set in every mode."""
    folder = tempfile.mkdtemp(prefix="gcmhub-eval-")
    os.environ["GCMHUB_DATA_DIR"] = folder
    from gcmhub.demo.actions import demo_load
    from gcmhub.knowledge.actions import item_search
    from gcmhub.knowledge.semantic import knowledge_embed_pending
    from gcmhub.runtime import open_context

    started = time.perf_counter()
    with open_context() as ctx:
        demo_load(ctx, Path(folder) / "demo")
    with open_context() as ctx:
        knowledge_embed_pending(ctx)
    print(f"demo loaded and embedded in {time.perf_counter() - started:.0f} s\n")
    print(f"{'queries':<14} {'n':>3} | " + " | ".join(f"{m:^19}" for m in MODES))
    print(f"{'':<14} {'':>3} | " + " | ".join(f"{'nDCG@10':>9} {'R@50':>9}" for _ in MODES))
    for name, queries in load_queries().items():
        cells = []
        for mode in MODES:
            scores, recalls = [], []
            with open_context() as ctx:
                for q in queries:
                    hits = item_search(ctx, str(q["query"]), limit=50, mode=mode).hits
                    ranked = [h.id for h in hits]
                    relevant = list(q["relevant"])  # type: ignore[call-overload]
                    grades = dict(q.get("grades") or dict.fromkeys(relevant, 1))  # type: ignore[call-overload]
                    scores.append(ndcg(ranked, grades))
                    recalls.append(recall(ranked, relevant))
            cells.append(f"{sum(scores) / len(scores):>9.3f} {sum(recalls) / len(recalls):>9.3f}")
        print(f"{name:<14} {len(queries):>3} | " + " | ".join(cells), flush=True)
    print("\nTarget: hybrid above both baselines.")
    print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
