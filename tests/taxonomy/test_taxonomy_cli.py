"""The taxonomy commands: list, show, load; a bad scheme loads nothing."""

from __future__ import annotations

import json
from pathlib import Path


def schemes(cli) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {s["id"]: s["concepts"] for s in json.loads(cli("taxonomy", "list", "--json").out)}


def test_the_builtin_schemes_are_loaded_on_first_use(cli) -> None:  # type: ignore[no-untyped-def]
    loaded = schemes(cli)
    assert loaded["objective"] == 23 + 187
    assert loaded["principle"] == 10 and loaded["cluster"] == 6
    assert loaded["country"] == 249 and loaded["level"] == 5
    assert {"sdg-target", "sdg-indicator", "stakeholder", "theme", "audience", "region"} <= set(
        loaded
    )


def test_show_gives_an_objective_with_its_actions(cli) -> None:  # type: ignore[no-untyped-def]
    shown = json.loads(cli("taxonomy", "show", "objective:19", "--json").out)
    assert shown["label"].startswith("Create conditions for migrants and diasporas")
    assert [n["code"] for n in shown["narrower"]][:3] == ["19a", "19b", "19c"]
    scheme = json.loads(cli("taxonomy", "show", "objective", "--json").out)
    assert len(scheme["top_concepts"]) == 23


def test_a_csv_scheme_loads_and_reloads_in_place(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "skills.csv"
    path.write_text("id,label,definition,broader\nskills,Skills,,\ncare,Care work,,skills\n")
    result = cli("taxonomy", "load", str(path), "--scheme", "skills", "--title", "Skills")
    assert result.code == 0, result.err
    assert schemes(cli)["skills"] == 2
    path.write_text(
        "id,label,definition,broader\nskills,Skills,,\ncare,Care work,,skills\nit,IT,,skills\n"
    )
    cli("taxonomy", "load", str(path), "--scheme", "skills", "--title", "Skills")
    assert schemes(cli)["skills"] == 3
    shown = json.loads(cli("taxonomy", "show", "skills:care", "--json").out)
    assert shown["broader"][0]["id"] == "skills:skills"


def test_a_cycle_is_refused_with_its_path_and_nothing_loads(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    before = schemes(cli)
    path = tmp_path / "loop.csv"
    path.write_text("id,label,definition,broader\na,A,,c\nb,B,,a\nc,C,,b\n")
    result = cli("taxonomy", "load", str(path), "--scheme", "loop")
    assert result.code == 2
    assert "cycle" in result.err and "->" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert schemes(cli) == before


def test_a_wrong_csv_header_is_refused(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.csv"
    path.write_text("code,name\nx,X\n")
    result = cli("taxonomy", "load", str(path))
    assert result.code == 2 and "label" in result.err


def test_a_builtin_scheme_cannot_be_replaced(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "objective.csv"
    path.write_text("id,label\n1,One\n")
    result = cli("taxonomy", "load", str(path), "--scheme", "objective")
    assert result.code == 2 and "built in" in result.err
    assert schemes(cli)["objective"] == 210


def test_an_unknown_concept_is_a_clear_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("taxonomy", "show", "objective:99")
    assert result.code == 2 and "objective:99" in result.err
