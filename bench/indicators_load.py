"""Loading every shipped indicators file into a fresh database, against reading the same files
with the csv module in the same process (the floor any loader stands on).

    .venv/bin/python bench/indicators_load.py

Prints both times and their ratio; the issue's limit is 30 s for the load.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    folder = tempfile.mkdtemp(prefix="gcmhub-bench-indicators-")
    os.environ["GCMHUB_DATA_DIR"] = folder
    os.environ.pop("DATABASE_URL", None)
    from gcmhub.indicators.loading import shipped_load_all
    from gcmhub.indicators.shipped import SHIPPED
    from gcmhub.runtime import open_context

    with open_context():  # schema and taxonomy first: not part of the load
        pass
    paths = [path for shipped in SHIPPED.values() for path in shipped.paths]
    started = time.perf_counter()
    rows = 0
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            rows += sum(1 for _ in csv.DictReader(handle))
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    with open_context() as ctx:
        stored = sum(r.rows for r in shipped_load_all(ctx))
    loaded = time.perf_counter() - started
    print(f"csv read of {len(paths)} files: {rows} rows in {baseline:.2f} s")
    print(f"gcmhub data load --all: {stored} rows stored in {loaded:.2f} s (limit 30 s)")
    print(f"ratio load / csv read: {loaded / baseline:.1f}x")
    from gcmhub.runtime import reset

    reset()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
