"""The demo: the Compact's objectives and actions as searchable items, loaded once."""

from __future__ import annotations

import json


def test_the_demo_loads_the_objectives_and_actions_once(cli) -> None:  # type: ignore[no-untyped-def]
    first = cli("demo", "--json")
    assert first.code == 0, first.err
    assert json.loads(first.out)["added"] == 23 + 187
    again = cli("demo")
    assert "already loaded" in again.out


def test_the_demo_answers_a_search_about_remittance_costs(cli) -> None:  # type: ignore[no-untyped-def]
    cli("demo")
    result = json.loads(cli("search", "remittance costs", "--json").out)
    assert result["hits"][0]["id"] == "gcm-20a"
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
    assert item["tags"][0]["concept"] == "objective:20a"
    assert item["licence"].startswith("Official UN document")
    missing = cli("show", "nope")
    assert missing.code == 2 and "nope" in missing.err
