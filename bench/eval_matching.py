"""Evaluate the hub's matching on 60 requests and 311 providers, and time it at 10k providers.

The set (bench/data/matching/, see its README) was written from the GCM's actions and the
source documents, with graded judgments made before any ranking existed. Past engagement
outcomes are recorded through the real workflow (a request filed, a provider engaged, the
request closed with the provider's rating), so the "outcomes" signal is the one the hub uses.

It prints nDCG@10 (gains 2^grade - 1) for the lexical-only and vector-only baselines, the
hybrid ranking without and with past outcomes, by language; how well the integrated plan
covers multi-part requests; and the time of matching as a ratio of the query embedding
alone (measured in the same process), at the set's size and at 10,000 providers.

    .venv/bin/python bench/eval_matching.py
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).parent / "data" / "matching"
K = 10


def ndcg(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    """Return nDCG@k with gains 2^grade - 1."""
    dcg = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def read(name: str) -> list[dict[str, Any]]:
    """Read one JSON Lines file of the set."""
    return [json.loads(line) for line in (DATA / name).open(encoding="utf-8") if line.strip()]


def load_providers(ctx: Any) -> None:
    """Register every provider of the set (with consent: they are kinds of institutions)."""
    from gcmhub.hub.providers import provider_create
    from gcmhub.hub.schemas import ProviderWrite

    for record in read("providers.jsonl"):
        ref = record.pop("id")
        record["objectives"] = [str(o) for o in record["objectives"]]
        provider_create(ctx, ProviderWrite(**record, consent=True), ref=ref)


def record_outcomes() -> int:
    """Close one past request per outcome, rating the provider engaged on it."""
    from gcmhub.hub.requests import request_create, request_engage, request_step
    from gcmhub.hub.schemas import EngageWrite, RequestWrite, StepRequest
    from gcmhub.runtime import open_context

    outcomes = read("outcomes.jsonl")
    for n, outcome in enumerate(outcomes):
        with open_context() as ctx:
            ref = request_create(
                ctx,
                RequestWrite(
                    country="KEN",
                    institution="A past requester",
                    need=f"Past engagement {n}: {outcome['lessons']}",
                    objectives=["23"],
                    support_types=["technical_assistance"],
                ),
            ).id
            request_step(ctx, ref, StepRequest(to="triaged"))
            provider = outcome["provider"]
            request_engage(ctx, ref, EngageWrite(provider=provider, status="confirmed"))
            for state in ("matched", "in_progress", "resolved"):
                request_step(ctx, ref, StepRequest(to=state))
            request_step(
                ctx,
                ref,
                StepRequest(
                    to="closed",
                    rating=outcome["rating"],
                    lessons=outcome["lessons"],
                    provider_ratings={provider: outcome["rating"]},
                ),
            )
    return len(outcomes)


def need_from(ctx: Any, record: dict[str, Any]) -> Any:
    """Read a request of the set as the matcher's Need (objectives as confirmed)."""
    from gcmhub.hub.concepts import country_regions
    from gcmhub.hub.matching import Need

    return Need(
        text=record["need"],
        objectives=frozenset(f"objective:{o}" for o in record["objectives"]),
        support_types=frozenset(record["support_types"]),
        country=record["country"],
        regions=frozenset(country_regions(ctx, record["country"])),
        languages=frozenset(record.get("languages", [])),
        modalities=frozenset(record.get("modalities", [])),
    )


def quality() -> None:
    """Print nDCG@10 of each method, by language, and the plan's coverage."""
    from gcmhub.hub.cover import Candidate, set_cover
    from gcmhub.hub.matching import _parts, provider_profiles, rank
    from gcmhub.runtime import open_context

    requests = read("requests.jsonl")
    grades = {j["request"]: j["grades"] for j in read("judgments.jsonl")}
    methods = {
        "lexical only": {"method": "lexical"},
        "vector only": {"method": "vector"},
        "hybrid, no outcomes": {"method": "hybrid", "outcomes": False},
        "hybrid (the hub)": {"method": "hybrid", "outcomes": True},
    }
    scores: dict[str, dict[str, list[float]]] = {m: {} for m in methods}
    covered, sizes, greedy_sizes = [], [], []
    with open_context() as ctx:
        profiles = provider_profiles(ctx)
        for record in requests:
            need = need_from(ctx, record)
            for name, options in methods.items():
                ranked = rank(ctx, need, profiles, **options)
                value = ndcg([r.key for r in ranked], grades[record["id"]])
                scores[name].setdefault(record["language"], []).append(value)
                scores[name].setdefault("all", []).append(value)
                if name == "hybrid (the hub)" and len(need.parts) > 2:
                    pool = [r for r in ranked[:200] if _parts(need, r.row)][:50]
                    top = max(r.score for r in pool)
                    candidates = [
                        Candidate(r.key, frozenset(_parts(need, r.row)), r.score / top)
                        for r in pool
                    ]
                    cover = set_cover(need.parts, candidates)
                    covered.append(1 - len(cover.uncovered) / len(need.parts))
                    sizes.append(len(cover.chosen))
                    from gcmhub.hub.cover import _greedy

                    usable = [p for p in need.parts if p not in cover.uncovered]
                    greedy_sizes.append(len(_greedy(usable, candidates)))
    languages = ["all", "en", "fr", "es", "ar", "ru", "zh"]
    counts = {lang: len(scores["vector only"].get(lang, [])) for lang in languages}
    print(f"{'nDCG@10':<22}" + "".join(f"{lang} ({counts[lang]})".rjust(10) for lang in languages))
    for name in methods:
        cells = [statistics.mean(scores[name][lang]) for lang in languages if lang in scores[name]]
        print(f"{name:<22}" + "".join(f"{c:>10.3f}" for c in cells))
    print(
        f"\nIntegrated plans ({len(sizes)} requests with 3+ parts): "
        f"{statistics.mean(covered):.1%} of parts covered, "
        f"{statistics.mean(sizes):.2f} providers per plan (greedy cover: "
        f"{statistics.mean(greedy_sizes):.2f})"
    )


def speed(samples: int = 60) -> None:
    """Time matching against the query embedding alone, at 311 and at 10,000 providers."""
    from gcmhub.hub.matching import Profiles, _index, _plan, provider_profiles, rank
    from gcmhub.knowledge.semantic import embed_query
    from gcmhub.runtime import open_context

    requests = read("requests.jsonl")
    texts = [r["need"] for r in requests]
    with open_context() as ctx:
        real = provider_profiles(ctx)
        embed_query("warm-up")
        baseline = []
        for i in range(samples):
            started = time.perf_counter()
            embed_query(texts[i % len(texts)] + f" {i}")
            baseline.append(time.perf_counter() - started)
        rng = np.random.default_rng(7)
        n = 10_000
        picks = rng.integers(0, len(real.keys), n)
        noise = rng.normal(0, 0.02, (n, real.vectors.shape[1])).astype(np.float32)
        vectors = real.vectors[picks] + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        descriptions = [f"provider {i}" for i in range(n)]  # words: only the BM25 index size
        postings, lengths = _index(descriptions)
        rows = [{**real.rows[p], "id": -1} for p in picks]
        big = Profiles([f"x-{i}" for i in range(n)], rows, vectors, postings, lengths)
        for label, profiles in (("311 providers", real), ("10,000 providers", big)):
            took = []
            for i in range(samples):
                record = requests[i % len(requests)]
                need = need_from(ctx, {**record, "need": record["need"] + f" {i}"})
                started = time.perf_counter()
                ranked = rank(ctx, need, profiles)
                _plan(ctx, need, ranked)
                took.append(time.perf_counter() - started)
            p95 = float(np.percentile(took, 95))
            base = float(np.percentile(baseline, 95))
            print(
                f"{label:<17} matching (query embedding, scoring, plan) p95 {p95 * 1000:6.1f} ms"
                f" = {p95 / base:.2f}x the query embedding alone ({base * 1000:.1f} ms)"
            )


def main() -> None:
    """Build the set in a temporary folder, then measure quality and speed."""
    folder = tempfile.mkdtemp(prefix="gcmhub-matching-")
    os.environ["GCMHUB_DATA_DIR"] = folder
    from gcmhub.hub.matching import provider_profiles
    from gcmhub.runtime import open_context

    started = time.perf_counter()
    with open_context() as ctx:
        load_providers(ctx)
    with open_context() as ctx:
        provider_profiles(ctx)  # embeds every profile once
    past = record_outcomes()
    print(
        f"{len(read('providers.jsonl'))} providers embedded and {past} past outcomes recorded"
        f" in {time.perf_counter() - started:.0f} s\n"
    )
    quality()
    print()
    speed()
    print(f"\npython {sys.version.split()[0]}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
