"""Measure the semantic layer's speed: embedding throughput and hybrid search at 100k items.

Embedding: real prose of about 135 words (three consecutive actions of the Compact, from a
random start), through the bundled e5 model, in the batches ingestion uses.

Search: 100k items are ingested lexically (as bench/ingest_search.py does); above
GCMHUB_ANN_THRESHOLD (50k) vectors the index is HNSW, and its recall against exact search is
printed for queries embedded like users' queries. Embedding 100k
passages would take hours on two cores, so the vector index holds the real embeddings of
2,000 distinct passages of real prose, each reused for 50 items with a little noise (exact cosine
search costs the same whatever the vectors hold). Hybrid, semantic and lexical p50/p95 are
measured in the same run; the ratio to lexical is the figure.

    .venv/bin/python bench/semantic_speed.py [--items 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from ingest_search import corpus, percentile, queries  # noqa: E402


def real_passages(count: int, seed: int = 5) -> list[str]:
    """Return passages of three consecutive actions of the Compact, from random starts."""
    from gcmhub.taxonomy import builtin

    data = json.loads((Path(builtin.__file__).parent / "data" / "gcm.json").read_text())
    actions = [a["text"] for o in data["objectives"] for a in o["actions"]]
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(actions) - 3, size=count)
    return [". ".join(actions[s : s + 3]) + "." for s in starts]


def main() -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--distinct", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gcmhub-speed-"))
    os.environ["GCMHUB_DATA_DIR"] = str(folder)
    os.environ["GCMHUB_SEMANTIC"] = "false"
    from gcmhub.knowledge.actions import item_search, knowledge_ingest
    from gcmhub.knowledge.ingest import IngestOptions
    from gcmhub.knowledge.semantic import item_vectors
    from gcmhub.runtime import open_context
    from gcmhub.search.embedder import get_embedder

    records = corpus(args.items)
    embedder = get_embedder()
    passages = real_passages(args.distinct)
    saved = Path(__file__).parent / "out" / f"passages-{embedder.name}-{args.distinct}.npz"
    started = time.perf_counter()
    if saved.exists():  # the rate printed is then that of the run that saved them
        cached = np.load(saved)
        distinct, rate = cached["vectors"], float(cached["rate"])
    else:
        distinct = embedder.embed_passages(passages)
        rate = len(passages) / (time.perf_counter() - started)
        saved.parent.mkdir(exist_ok=True)
        np.savez(saved, vectors=distinct, rate=rate)
    words = np.mean([len(p.split()) for p in passages])
    print(f"embedding: {rate:,.1f} passages/s ({words:.0f} words each, {embedder.name})")

    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
    with open_context() as ctx:
        knowledge_ingest(ctx, path, IngestOptions())
    rng = np.random.default_rng(3)
    index = item_vectors()
    for start in range(0, args.items, 10_000):
        ids = np.arange(start + 1, min(start + 10_001, args.items + 1))
        rows = distinct[(ids - 1) % len(distinct)] + rng.normal(0, 0.01, (len(ids), 384))
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        index.upsert(ids.tolist(), rows.astype(np.float32))
    print(f"index: {len(index):,} vectors, approximate (HNSW) = {index.ann_active}")
    if index.ann_active:
        # Items share passages 50 by 50, so recall is counted in distinct passages: an
        # item swapped for a near-copy of the same passage is the same answer.
        probes = embedder.embed_queries(queries(100, seed=29))
        for k in (10, 100):
            shares = []
            for probe in probes:
                exact = {(i - 1) % len(distinct) for i, _ in index.search(probe, k, exact=True)}
                approximate = {(i - 1) % len(distinct) for i, _ in index.search(probe, k)}
                shares.append(len(exact & approximate) / len(exact))
            print(
                f"HNSW recall@{k} against exact search (distinct passages): {np.mean(shares):.3f}"
            )

    qs = queries(args.queries)
    latencies: dict[str, list[float]] = {"lexical": [], "semantic": [], "hybrid": []}
    with open_context() as ctx:
        for q in qs[:10]:
            item_search(ctx, q, mode="hybrid")
        for q in qs:
            for mode, values in latencies.items():
                t = time.perf_counter()
                item_search(ctx, q, mode=mode)
                values.append(time.perf_counter() - t)
    lexical95 = percentile(latencies["lexical"], 95)
    print(f"{'mode':<9} {'p50 ms':>7} {'p95 ms':>7} {'p95 / lexical':>14}   ({args.items:,} items)")
    for mode, values in latencies.items():
        p95 = percentile(values, 95)
        print(f"{mode:<9} {percentile(values, 50):>7.1f} {p95:>7.1f} {p95 / lexical95:>13.2f}x")
    print("target: hybrid p95 <= 50 ms at 100k items")


if __name__ == "__main__":
    main()
