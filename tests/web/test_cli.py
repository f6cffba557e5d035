"""`gcmhub serve` and `gcmhub export` from the command line."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from gcmhub.knowledge.actions import item_counts
from gcmhub.runtime import open_context


def test_export_writes_every_item_as_csv(demo_data: Path, cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "items.csv"
    result = cli("export", "items", "--format", "csv", "-o", str(target))
    assert result.code == 0, result.err
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 210 == len({r["id"] for r in rows})
    assert "210 items written" in result.err
    assert not list(tmp_path.glob("*.part"))


def test_export_filters_and_writes_json_ld(demo_data: Path, cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "objective-20.jsonld"
    result = cli("export", "items", "--format", "jsonld", "-f", "objective=20", "-o", str(target))
    assert result.code == 0, result.err
    graph = json.loads(target.read_text(encoding="utf-8"))["@graph"]
    assert 10 <= len(graph) < 210
    assert all(any("objective:20" in a["@id"] for a in node["about"]) for node in graph)


def test_export_to_standard_output_as_json(demo_data: Path, cli: Any) -> None:
    result = cli("export", "concepts", "objective", "--format", "json")
    assert result.code == 0, result.err
    assert len(json.loads(result.out)["data"]) == 210


def test_export_refuses_a_bad_format_or_filter_and_writes_nothing(
    demo_data: Path, cli: Any, tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    for args in (
        ("export", "items", "--format", "xlsx", "-o", str(target)),
        ("export", "items", "-f", "objective", "-o", str(target)),
        ("export", "items", "-f", "planet=Mars", "-o", str(target)),
        ("export", "concepts", "nothing", "-o", str(target)),
    ):
        result = cli(*args)
        assert result.code == 2, args
        assert result.err.startswith("gcmhub: error:") and result.err.count("\n") == 1
        assert not target.exists() and not list(tmp_path.glob("*.part"))


def test_serve_loads_the_demo_into_an_empty_database_first(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    monkeypatch.setenv("GCMHUB_SEMANTIC", "false")  # the demo's embedding is tested elsewhere
    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.update(kwargs))
    result = cli("serve", "--port", "8123")
    assert result.code == 0, result.err
    assert started["port"] == 8123 and started["host"] == "127.0.0.1"
    with open_context() as ctx:
        counts = item_counts(ctx)
    # The Compact's 210 objectives and actions, and the community demo's events and pledges,
    # each published as a knowledge item too.
    assert counts.total == 214 and counts.by_type["event"] == counts.by_type["pledge"] == 2
    again = cli("serve", "--port", "8123")
    assert "loading the demo" not in again.out


def test_serve_without_demo_leaves_an_empty_database_empty(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    assert cli("serve", "--no-demo").code == 0
    with open_context() as ctx:
        assert item_counts(ctx).total == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_over_http(demo_data: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "gcmhub.cli", "serve", "--no-demo", "--port", str(port)]
    env = {**os.environ, "GCMHUB_DATA_DIR": str(demo_data)}
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/items?limit=1") as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert json.loads(body)["count"] == 210
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as answer:
            assert answer.status == 200 and "GCM Hub" in answer.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_bad_setting_is_refused_in_one_line(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from gcmhub import runtime

    monkeypatch.setenv("GCMHUB_LANGUAGES", "en,xx")
    runtime.reset()
    result = cli("serve", "--no-demo")
    assert result.code == 2
    assert result.err == (
        "gcmhub: error: setting GCMHUB_LANGUAGES: "
        "Value error, 'xx' is not a language code (en, fr, es, ar…)\n"
    )
