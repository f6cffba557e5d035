"""Validation of schemes: codes, labels, broader links and cycles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gcmhub.taxonomy.schemes import (
    ConceptData,
    SchemeData,
    TaxonomyError,
    find_cycle,
    slugify,
    validate,
)


def scheme_of(links: dict[str, list[str]]) -> SchemeData:
    concepts = [
        ConceptData(code=code, labels={"en": code.upper()}, broader=b) for code, b in links.items()
    ]
    return SchemeData(id="test", title="Test", concepts=concepts)


@st.composite
def forests(draw: st.DrawFn) -> dict[str, list[str]]:
    """Random acyclic broader links: each concept's broader codes come from earlier concepts."""
    size = draw(st.integers(min_value=1, max_value=40))
    codes = [f"c{i}" for i in range(size)]
    order = draw(st.permutations(codes))
    links: dict[str, list[str]] = {}
    for index, code in enumerate(order):
        earlier = order[:index]
        parents = (
            draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True)) if earlier else []
        )
        links[code] = parents
    shuffled = draw(st.permutations(list(links)))
    return {code: links[code] for code in shuffled}


@given(forests())
def test_any_acyclic_forest_validates_and_ancestors_terminate(links: dict[str, list[str]]) -> None:
    scheme = scheme_of(links)
    validate(scheme)
    for code in links:
        ancestors = scheme.ancestors(code)
        assert code not in ancestors
        assert len(ancestors) == len(set(ancestors)) < len(links)
        assert set(links[code]) <= set(ancestors)


@given(forests(), st.data())
def test_one_back_edge_makes_a_named_cycle(
    links: dict[str, list[str]], data: st.DataObject
) -> None:
    scheme = scheme_of(links)
    with_ancestors = [code for code in links if scheme.ancestors(code)]
    if not with_ancestors:
        child = data.draw(st.sampled_from(list(links)))
        ancestor = child  # a self-loop is the shortest back edge
    else:
        child = data.draw(st.sampled_from(with_ancestors))
        ancestor = data.draw(st.sampled_from(scheme.ancestors(child)))
    scheme.concept(ancestor).broader.append(child)
    with pytest.raises(TaxonomyError, match="broader links form a cycle: ") as caught:
        validate(scheme)
    path = str(caught.value).split(": ", 1)[1].split(" -> ")
    assert path[0] == path[-1]
    for lower, upper in zip(path, path[1:], strict=False):
        assert upper in scheme.concept(lower).broader
    for code in links:
        scheme.ancestors(code)  # still terminates


def test_cycle_path_is_reported_from_where_it_is_entered() -> None:
    scheme = scheme_of({"x": ["a"], "a": ["b"], "b": ["c"], "c": ["a"]})
    assert find_cycle(scheme) == ["a", "b", "c", "a"]
    assert find_cycle(scheme_of({"a": ["a"]})) == ["a", "a"]
    assert find_cycle(scheme_of({"a": [], "b": ["a"]})) == []


@pytest.mark.parametrize(
    ("scheme", "message"),
    [
        (SchemeData(id="Bad Id", title="T"), "scheme id 'Bad Id' is not a slug"),
        (SchemeData(id="ok", title=" "), "scheme 'ok' has no title"),
        (
            SchemeData(id="ok", title="T", concepts=[ConceptData(code="a", labels={})]),
            "concept 'a' has no label",
        ),
        (
            SchemeData(id="ok", title="T", concepts=[ConceptData(code="a", labels={"fr": " "})]),
            "concept 'a' has an empty label for language 'fr'",
        ),
        (
            SchemeData(id="ok", title="T", concepts=[ConceptData(code="a|b", labels={"en": "A"})]),
            "contains '|'",
        ),
        (
            SchemeData(
                id="ok",
                title="T",
                concepts=[ConceptData("a", {"en": "A"}), ConceptData("a", {"en": "B"})],
            ),
            "duplicate concept id 'a' (#1 and #2)",
        ),
    ],
)
def test_validate_messages(scheme: SchemeData, message: str) -> None:
    with pytest.raises(TaxonomyError) as caught:
        validate(scheme)
    assert message in str(caught.value)


def test_labels_in_other_languages_only_are_enough() -> None:
    concept = ConceptData(code="a", labels={"fr": "Alpha"})
    validate(SchemeData(id="ok", title="T", concepts=[concept]))
    assert concept.label("en") == "Alpha"
    assert ConceptData(code="b", labels={"en": "B", "fr": "Bé"}).label("fr") == "Bé"


def test_ancestors_and_narrower_helpers() -> None:
    scheme = scheme_of({"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]})
    assert scheme.narrower("a") == ["b", "c"]
    assert scheme.ancestors("d") == ["b", "c", "a"]
    assert scheme.ancestors("unknown") == []
    assert scheme.top_concepts() == ["a"]


def test_slugify() -> None:
    assert slugify("Thematic Clusters (2017)") == "thematic-clusters-2017"
    assert slugify("Réintégration durable") == "reintegration-durable"
