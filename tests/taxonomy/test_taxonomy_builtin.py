"""The schemes shipped with GCM Hub."""

from __future__ import annotations

import re

import pytest

from gcmhub.taxonomy.builtin import builtin_scheme, builtin_schemes
from gcmhub.taxonomy.schemes import SchemeData, validate

EXPECTED_IDS = {
    "objective",
    "principle",
    "cluster",
    "sdg-target",
    "sdg-indicator",
    "stakeholder",
    "theme",
    "audience",
    "level",
    "region",
    "country",
}


def test_every_expected_scheme_is_shipped_once() -> None:
    ids = [scheme.id for scheme in builtin_schemes()]
    assert sorted(ids) == sorted(EXPECTED_IDS)


@pytest.mark.parametrize("scheme", builtin_schemes(), ids=lambda scheme: scheme.id)
def test_every_scheme_validates_and_is_attributed(scheme: SchemeData) -> None:
    validate(scheme)
    assert scheme.title and scheme.source and scheme.licence
    assert all(concept.labels.get("en") for concept in scheme.concepts)


def test_23_objectives_and_187_actions_each_under_its_objective() -> None:
    scheme = builtin_scheme("objective")
    objectives = [c for c in scheme.concepts if not c.broader]
    actions = [c for c in scheme.concepts if c.broader]
    assert [c.code for c in objectives] == [str(n) for n in range(1, 24)]
    assert len(actions) == 187
    for action in actions:
        objective, letter = re.fullmatch(r"(\d+)([a-z])", action.code).groups()  # type: ignore[union-attr]
        assert action.broader == [objective]
        assert action.notation == f"para {16 + int(objective)}({letter})"
        assert action.definition and len(action.definition) >= len(action.labels["en"]) - 1
    assert scheme.concept("19").notation == "para 35"
    assert scheme.narrower("19")[:3] == ["19a", "19b", "19c"]
    assert scheme.ancestors("19c") == ["19"]


def test_objective_titles_and_commitments_are_the_official_text() -> None:
    objective = builtin_scheme("objective").concept("1")
    assert objective.labels["en"].startswith("Collect and utilize accurate and disaggregated data")
    assert objective.definition and objective.definition.startswith("We commit to")


def test_action_labels_are_short_and_cut_with_an_ellipsis() -> None:
    actions = [c for c in builtin_scheme("objective").concepts if c.broader]
    for action in actions:
        label = action.labels["en"]
        assert len(label.removesuffix("…").split()) <= 12
        assert label.endswith("…") or label == action.definition
    assert len({a.labels["en"] for a in actions}) == len(actions)


def test_ten_guiding_principles_a_to_j() -> None:
    scheme = builtin_scheme("principle")
    assert scheme.codes() == list("abcdefghij")
    assert scheme.concept("a").labels["en"] == "People-centred"
    assert scheme.concept("j").labels["en"] == "Whole-of-society approach"
    assert scheme.concept("d").notation == "15(d)"


def test_six_clusters_and_sdg_facets() -> None:
    assert builtin_scheme("cluster").codes() == ["1", "2", "3", "4", "5", "6"]
    targets = builtin_scheme("sdg-target")
    assert set(targets.codes()) == {
        "10.7", "10.c", "8.8", "8.7", "5.2", "16.2", "16.9", "17.18", "3.c", "4.b",
    }  # fmt: skip
    assert (
        targets.concept("10.c").labels["en"].startswith("By 2030, reduce to less than 3 per cent")
    )
    indicators = builtin_scheme("sdg-indicator")
    assert len(indicators.concepts) == 12
    assert all(not c.broader for c in indicators.concepts)
    assert all(c.notation in targets.codes() for c in indicators.concepts)
    assert indicators.concept("10.7.2").notation == "10.7"


def test_small_facets() -> None:
    stakeholders = builtin_scheme("stakeholder").codes()
    assert {"migrants", "diasporas", "trade-unions", "government"} <= set(stakeholders)
    assert builtin_scheme("level").codes() == [
        "local",
        "national",
        "bilateral",
        "regional",
        "global",
    ]
    assert len(builtin_scheme("audience").concepts) == 6
    assert "child-sensitive" in builtin_scheme("theme").codes()


def test_249_countries_with_codes_names_and_un_languages() -> None:
    countries = builtin_scheme("country")
    assert len(countries.concepts) == 249
    mexico = countries.concept("MEX")
    assert mexico.labels["en"] == "Mexico"
    assert mexico.labels["es"] == "México"
    assert mexico.labels["fr"] == "Mexique"
    assert {"MX", "484"} <= set(mexico.alt_labels["en"])
    assert mexico.notation == "484"
    assert countries.concept("FRA").labels["fr"] == "France"
    assert countries.concept("ESP").labels["es"] == "España"
    assert countries.concept("ESP").labels["fr"] == "Espagne"
    assert all(not c.broader for c in countries.concepts)


def test_region_hierarchy_and_country_regions() -> None:
    regions = builtin_scheme("region")
    assert regions.top_concepts() == ["001"]
    assert regions.concept("002").labels["en"] == "Africa"
    assert regions.ancestors("014") == ["202", "002", "001"]
    assert regions.ancestors("015") == ["002", "001"]
    assert regions.concept("419").broader == ["019"]
    mexico = builtin_scheme("country").concept("MEX")
    assert mexico.related == {"region": ["013", "419", "019"]}
    codes = set(regions.codes())
    for country in builtin_scheme("country").concepts:
        assert set(country.related.get("region", [])) <= codes


def test_builtin_schemes_are_copies_of_one_cached_build() -> None:
    first = builtin_scheme("level")
    first.concepts.clear()
    assert builtin_scheme("level").codes() == [
        "local",
        "national",
        "bilateral",
        "regional",
        "global",
    ]
    assert builtin_schemes() == builtin_schemes()
    with pytest.raises(KeyError):
        builtin_scheme("nope")
