"""Properties of the taxonomy file loaders (loaders.py, tabular.py), checked with hypothesis.

test_taxonomy_validate.py checks `validate` on schemes built in memory; these check the files:
- any CSV rows, any JSON value and any bytes load as a validated scheme or raise TaxonomyError
  (one line), never another exception;
- a scheme written as CSV or JSON loads back the same;
- one broader link that closes a loop is refused with the cycle named, from either format.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gcmhub.taxonomy.loaders import load_scheme_file
from gcmhub.taxonomy.schemes import SchemeData, TaxonomyError, validate
from gcmhub.taxonomy.tabular import scheme_from_csv, scheme_from_json

PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COLUMNS = ["id", "label", "definition", "broader", "label_fr", "alt_labels_es", "examples"]
CELL = st.one_of(st.text(max_size=12), st.sampled_from(["", " ", "a", "b", "a|b", "|", "c0", "c1"]))
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from([*COLUMNS, "labels", "related", "code", "x"]), inner)
    ),
    max_leaves=12,
)


@contextmanager
def written(data: bytes, suffix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"scheme{suffix}"
        path.write_bytes(data)
        yield path


def load_or_refuse(data: bytes, suffix: str) -> SchemeData | None:
    """Load a scheme file; None when refused with a one-line TaxonomyError."""
    with written(data, suffix) as path:
        try:
            scheme = load_scheme_file(path, "test")
        except TaxonomyError as refusal:
            assert str(refusal) and "\n" not in str(refusal)
            return None
    validate(scheme)  # what loads is valid
    return scheme


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


@PROPERTIES
@given(
    st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6),
    st.lists(st.lists(CELL, max_size=7), max_size=8),
)
@example(["id", "label", "broader"], [["a", "A", "b"], ["b", "B", "a"]])
@example(["id", "label", "broader"], [["a", "A", "a"]])
@example(["id", "label"], [["a", "A", "extra"]])
def test_any_csv_rows_load_or_are_refused(header: list[str], rows: list[list[str]]) -> None:
    load_or_refuse(csv_text([header, *rows]).encode(), ".csv")


@PROPERTIES
@given(JSON_VALUE | st.lists(st.dictionaries(st.sampled_from(COLUMNS), JSON_VALUE)))
@example([{"id": "a", "label": "A", "broader": ["a"]}])
@example({"concepts": [{"id": 1.5, "label": 10**20}], "title": 7})
@example([{"id": "a", "labels": {"": "x"}}])
@example([{"id": "a", "label": "A", "alt_labels": {"es": "x|y"}, "related": {"r": [1]}}])
def test_any_json_loads_or_is_refused(value: object) -> None:
    load_or_refuse(json.dumps(value).encode(), ".json")


@PROPERTIES
@given(st.binary(max_size=300), st.sampled_from([".csv", ".json", ".jsonld", ".ttl"]))
@example(b"\xef\xbb\xbf", ".csv")
@example(b"[" * 100_000, ".json")
@example(b'[{"id": "a", "label": ' + b"1" * 5000 + b"}]", ".json")
@example(b'{"@context": {}, "@graph": [{"@id": "x"}]}', ".json")
@example(b"id,label\n\x00,A\n", ".csv")
def test_any_bytes_load_or_are_refused(data: bytes, suffix: str) -> None:
    load_or_refuse(data, suffix)


@st.composite
def forests(draw: st.DrawFn) -> list[tuple[str, str, list[str]]]:
    """Concepts (code, label, broader codes) whose broader links form no cycle."""
    size = draw(st.integers(min_value=1, max_value=25))
    codes = draw(
        st.lists(
            st.text("abcdefghijklmnopqrstuvwxyz0123456789-_.:", min_size=1, max_size=6),
            min_size=size,
            max_size=size,
            unique=True,
        )
    )
    concepts = []
    for index, code in enumerate(codes):
        earlier = codes[:index]
        parents = (
            draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
        )
        label = draw(st.text(min_size=1, max_size=20).filter(lambda t: t.strip() == t != ""))
        concepts.append((code, label, parents))
    return concepts


def as_csv(concepts: list[tuple[str, str, list[str]]]) -> str:
    return csv_text(
        [["id", "label", "broader"]] + [[c, lab, "|".join(b)] for c, lab, b in concepts]
    )


def as_json(concepts: list[tuple[str, str, list[str]]]) -> str:
    return json.dumps([{"id": c, "label": lab, "broader": b} for c, lab, b in concepts])


def shape(scheme: SchemeData) -> list[tuple[str, str, list[str]]]:
    return [(c.code, c.labels["en"], c.broader) for c in scheme.concepts]


@PROPERTIES
@given(forests())
def test_a_scheme_written_as_csv_or_json_loads_back_the_same(
    concepts: list[tuple[str, str, list[str]]],
) -> None:
    assert shape(scheme_from_csv(as_csv(concepts), "test", "Test")) == concepts
    assert shape(scheme_from_json(json.loads(as_json(concepts)), "test", "Test", "x")) == concepts


@PROPERTIES
@given(forests().filter(lambda concepts: any(b for _, _, b in concepts)), st.data())
def test_a_loop_of_broader_links_is_refused_with_the_cycle_named(
    concepts: list[tuple[str, str, list[str]]], data: st.DataObject
) -> None:
    child = data.draw(st.sampled_from([c for c in concepts if c[2]]))
    parent = data.draw(st.sampled_from(child[2]))
    looped = [
        (code, label, [*broader, child[0]] if code == parent else broader)
        for code, label, broader in concepts
    ]
    for text, suffix in ((as_csv(looped), ".csv"), (as_json(looped), ".json")):
        with written(text.encode(), suffix) as path:
            try:
                load_scheme_file(path, "test")
            except TaxonomyError as refusal:
                message = str(refusal)
            else:
                raise AssertionError("a cycle was loaded")
        assert message.startswith("broader links form a cycle: ")
        cycle = message.removeprefix("broader links form a cycle: ").split(" -> ")
        assert cycle[0] == cycle[-1] and len(cycle) >= 2
        assert {child[0], parent} & set(cycle)
