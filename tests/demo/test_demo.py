"""The demo: the Compact's objectives and actions as searchable items, loaded once."""

from __future__ import annotations

import json


def test_the_demo_loads_the_objectives_and_actions_once(cli) -> None:  # type: ignore[no-untyped-def]
    first = cli("demo", "--json")
    assert first.code == 0, first.err
    report = json.loads(first.out)
    assert report["added"] == 23 + 187
    assert report["embedded"] == 23 + 187
    again = cli("demo")
    assert "already loaded" in again.out


def test_the_demo_answers_a_search_about_remittance_costs(cli) -> None:  # type: ignore[no-untyped-def]
    cli("demo")
    result = json.loads(cli("search", "remittance costs", "--json").out)
    assert result["mode"] == "hybrid"
    top = [hit["id"] for hit in result["hits"][:3]]
    assert "gcm-20a" in top and all(ref.startswith("gcm-20") for ref in top)
    assert {f["value"] for f in result["facets"]["objective"]} >= {"20"}
    actions = json.loads(
        cli(
            "search", "", "--filter", "objective=20", "--filter", "type=policy_option", "--json"
        ).out
    )
    assert actions["total"] == 9  # objective 20 has actions (a) to (i)


def test_show_prints_an_item_with_its_tags(cli) -> None:  # type: ignore[no-untyped-def]
    cli("demo")
    item = json.loads(cli("show", "gcm-20a", "--json").out)
    given = [t["concept"] for t in item["tags"] if t["origin"] == "source"]
    assert given == ["objective:20a"]
    assert any(t["origin"] == "auto" and t["concept"].startswith("cluster:") for t in item["tags"])
    assert item["licence"].startswith("Official UN document")
    missing = cli("show", "nope")
    assert missing.code == 2 and "nope" in missing.err
