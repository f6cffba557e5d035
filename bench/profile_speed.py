"""The speed of a country profile: p95 of GET /api/v1/data/countries/MEX (the open API) and of
GET /data/countries/MEX (the HTML page, with its charts, tables, knowledge items, requests and
projects) over 200 requests each (FastAPI's TestClient, every shipped dataset loaded into a
fresh SQLite database), against GET /api/v1/data/datasets in the same process as the baseline.

    .venv/bin/python bench/profile_speed.py [--requests 200] [--country MEX]

Prints p50 and p95 of each and the ratio of each p95 to the baseline's; the issue's limit is
200 ms p95 for a country profile page. Each request sends no If-None-Match, so every one is
computed in full.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIMIT_MS = 200.0


def timings(client: object, url: str, count: int) -> list[float]:
    """Return the milliseconds of `count` GETs of a URL (after two warm-up requests)."""
    get = client.get  # type: ignore[attr-defined]
    for _ in range(2):
        assert get(url).status_code == 200
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        answer = get(url)
        spent.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
    return spent


def p95(values: list[float]) -> float:
    """Return the 95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--country", default="MEX")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gcmhub-bench-profile-")
    os.environ["GCMHUB_DATA_DIR"] = folder
    os.environ.pop("DATABASE_URL", None)
    from fastapi.testclient import TestClient

    from gcmhub.indicators.loading import shipped_load_all
    from gcmhub.runtime import open_context, reset
    from gcmhub.web.app import create_app

    started = time.perf_counter()
    with open_context() as ctx:
        stored = sum(r.rows for r in shipped_load_all(ctx))
    print(f"loaded {stored} rows in {time.perf_counter() - started:.1f} s")
    try:
        with TestClient(create_app()) as client:
            base = timings(client, "/api/v1/data/datasets", args.requests)
            profile = timings(client, f"/api/v1/data/countries/{args.country}", args.requests)
            page = timings(client, f"/data/countries/{args.country}", args.requests)
    finally:
        reset()
        shutil.rmtree(folder, ignore_errors=True)
    for label, values in (
        ("/api/v1/data/datasets (baseline)", base),
        (f"/api/v1/data/countries/{args.country}", profile),
        (f"/data/countries/{args.country} (page)", page),
    ):
        print(
            f"GET {label}: p50 {statistics.median(values):.1f} ms, p95 {p95(values):.1f} ms "
            f"over {len(values)} requests"
        )
    print(f"ratio API profile / baseline p95: {p95(profile) / p95(base):.1f}x")
    print(f"ratio profile page / baseline p95: {p95(page) / p95(base):.1f}x")
    for label, values in (("API profile", profile), ("profile page", page)):
        verdict = "within" if p95(values) <= LIMIT_MS else "OVER"
        print(f"country {label} p95 {p95(values):.1f} ms: {verdict} the {LIMIT_MS:.0f} ms limit")


if __name__ == "__main__":
    main()
