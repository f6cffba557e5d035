"""Benchmark lexical ingest and search at 10k and 100k items against raw SQLite FTS5.

Corpora are built from the real vocabulary of the Global Compact (word frequencies of its
objectives and actions, shipped in the package) plus real country codes. Each size is run
twice in the same process: through GCM Hub (JSON Lines file -> items, tags, stemmed FTS5
index, facets; search with parsing, stemming variants, BM25, count, facets, snippets) and as
raw SQLite FTS5 doing the same work by hand (Porter-stemmed title/body, the same facet rows: type,
language, year, objective, country and its M49 regions; MATCH ranked top 10 with title and
FTS5 snippet(), count and facet GROUP BY). "rank-only" is the bare
ranked MATCH, for scale. The ratio is the figure; absolute times vary by machine.

    .venv/bin/python bench/ingest_search.py [--sizes 10000,100000] [--queries 300]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

WORD = re.compile(r"[a-z]+")


def vocabulary() -> tuple[list[str], list[float]]:
    """Return the Compact's words and their frequencies, most common first."""
    from gcmhub.taxonomy import builtin

    data = json.loads((Path(builtin.__file__).parent / "data" / "gcm.json").read_text())
    text = json.dumps(data).lower()
    counts = Counter(WORD.findall(text))
    words = [w for w, _ in counts.most_common() if len(w) > 1]
    return words, [float(counts[w]) for w in words]


def corpus(size: int, seed: int = 7) -> list[dict[str, object]]:
    """Return `size` JSON Lines records of Compact-like text (about 135 words each)."""
    words, weights = vocabulary()
    rng = random.Random(seed)
    countries = ["MEX", "PHL", "SEN", "DEU", "IND", "MAR", "GTM", "NPL", "ITA", "KEN", "BGD", "ECU"]
    records = []
    for n in range(size):
        length = max(20, int(rng.lognormvariate(4.8, 0.4)))
        body = rng.choices(words, weights, k=length)
        title = " ".join(rng.choices(words[50:2000], k=6)).capitalize()
        records.append(
            {
                "id": f"bench-{n}",
                "title": title,
                "text": " ".join(body) + ".",
                "type": rng.choice(["practice", "resource", "project", "policy_option"]),
                "language": "en",
                "date": f"{rng.randint(2010, 2025)}-01-01",
                "countries": rng.sample(countries, k=rng.randint(0, 2)),
                "objectives": [str(rng.randint(1, 23))],
            }
        )
    return records


def country_regions() -> dict[str, list[str]]:
    """Return each country's M49 regions, as GCM Hub's facets count them."""
    from gcmhub.taxonomy.builtin import builtin_scheme

    return {c.code: c.related.get("region", []) for c in builtin_scheme("country").concepts}


def queries(count: int, seed: int = 11) -> list[str]:
    """Return queries: 70% two mid-frequency words, 30% three words with a common one."""
    words, _ = vocabulary()
    rng = random.Random(seed)
    middle = words[100:1500]
    common = [w for w in words[:100] if len(w) > 3]
    result = []
    for _ in range(count):
        if rng.random() < 0.7:
            result.append(" ".join(rng.sample(middle, 2)))
        else:
            result.append(" ".join([*rng.sample(middle, 2), rng.choice(common)]))
    return result


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def run_gcmhub(path: Path, qs: list[str], folder: Path) -> tuple[float, list[float]]:
    """Ingest the file through GCM Hub and time searches; return (seconds, latencies)."""
    os.environ["GCMHUB_DATA_DIR"] = str(folder)
    from gcmhub.knowledge.actions import item_search, knowledge_ingest
    from gcmhub.knowledge.ingest import IngestOptions
    from gcmhub.runtime import open_context
    from gcmhub.settings import get_settings

    get_settings.cache_clear()
    with open_context():
        pass  # schema and built-in taxonomy, outside the timing
    started = time.perf_counter()
    with open_context() as ctx:
        report = knowledge_ingest(ctx, path, IngestOptions())
    seconds = time.perf_counter() - started
    assert report.added > 0 and not report.problems, report
    latencies = []
    with open_context() as ctx:
        for q in qs[:20]:
            item_search(ctx, q)
        for q in qs:
            t = time.perf_counter()
            item_search(ctx, q)
            latencies.append(time.perf_counter() - t)
    return seconds, latencies


def run_raw(path: Path, qs: list[str], folder: Path) -> tuple[float, list[float], list[float]]:
    """Do the same work with raw FTS5; return (seconds, full latencies, rank-only latencies)."""
    db = sqlite3.connect(folder / "raw.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    # FTS5's own Porter stemmer: the raw way to match word forms as GCM Hub does.
    db.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(title, body, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    db.execute(
        "CREATE TABLE facets(facet TEXT, value TEXT, doc_id INTEGER, "
        "PRIMARY KEY(facet, value, doc_id)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX facets_doc ON facets(doc_id)")
    regions = country_regions()
    started = time.perf_counter()
    rows, facet_rows = [], []
    with path.open(encoding="utf-8") as lines:
        for n, line in enumerate(lines, start=1):
            r = json.loads(line)
            rows.append((n, r["title"], r["text"]))
            facet_rows += [("type", r["type"], n), ("language", r["language"], n)]
            facet_rows.append(("year", r["date"][:4], n))
            facet_rows += [("country", c, n) for c in r["countries"]]
            facet_rows += [("objective", o, n) for o in r["objectives"]]
            in_regions = {code for c in r["countries"] for code in regions[c]}
            facet_rows += [("region", code, n) for code in in_regions]
    with db:
        db.executemany("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", rows)
        db.executemany("INSERT INTO facets VALUES (?, ?, ?)", facet_rows)
    seconds = time.perf_counter() - started
    full, rank_only = [], []
    match = "SELECT rowid FROM fts WHERE fts MATCH ?"
    for q in qs:
        t = time.perf_counter()
        db.execute(f"{match} ORDER BY rank LIMIT 10", (q,)).fetchall()
        rank_only.append(time.perf_counter() - t)
        t = time.perf_counter()
        db.execute(
            "SELECT rowid, title, snippet(fts, 1, '<mark>', '</mark>', '…', 32) "
            "FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 10",
            (q,),
        ).fetchall()
        db.execute(f"SELECT count(*) FROM ({match})", (q,)).fetchone()
        db.execute(
            f"SELECT f.facet, f.value, count(*) FROM ({match}) AS m "
            "JOIN facets AS f ON f.doc_id = m.rowid GROUP BY f.facet, f.value",
            (q,),
        ).fetchall()
        full.append(time.perf_counter() - t)
    db.close()
    return seconds, full, rank_only


def main() -> None:
    """Run the benchmark and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    qs = queries(args.queries)
    print(
        f"{'items':>7} | {'ingest/s gcmhub':>15} {'raw':>8} {'ratio':>6} | "
        f"{'p50 ms':>7} {'p95 ms':>7} | {'raw p50':>7} {'raw p95':>7} {'ratio95':>7} | "
        f"{'rank-only p95':>13}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            path = folder / "corpus.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for record in corpus(size):
                    out.write(json.dumps(record) + "\n")
            raw_s, raw_lat, rank_lat = run_raw(path, qs, folder)
            ours_s, ours_lat = run_gcmhub(path, qs, folder / "hub")
        ours_rate, raw_rate = size / ours_s, size / raw_s
        p95, raw95 = percentile(ours_lat, 95), percentile(raw_lat, 95)
        print(
            f"{size:>7} | {ours_rate:>15,.0f} {raw_rate:>8,.0f} {raw_rate / ours_rate:>5.2f}x | "
            f"{percentile(ours_lat, 50):>7.2f} {p95:>7.2f} | "
            f"{percentile(raw_lat, 50):>7.2f} {raw95:>7.2f} {p95 / raw95:>6.2f}x | "
            f"{percentile(rank_lat, 95):>13.2f}",
            flush=True,
        )
    print("ratio: raw FTS5 ingest rate / GCM Hub rate, and GCM Hub p95 / raw FTS5 p95 (same work).")
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")


if __name__ == "__main__":
    main()
