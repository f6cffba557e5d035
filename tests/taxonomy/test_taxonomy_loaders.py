"""Loading schemes from SKOS Turtle, SKOS JSON-LD, CSV and JSON files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gcmhub.taxonomy.loaders import load_scheme_file
from gcmhub.taxonomy.schemes import SchemeData, TaxonomyError

PREFIXES = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <http://example.org/voc/> .
"""

TURTLE = (
    PREFIXES
    + """
ex:scheme a skos:ConceptScheme ; dct:title "Return and reintegration"@en ;
    dct:license "CC BY 4.0" .
ex:return a skos:Concept ; skos:inScheme ex:scheme ;
    skos:prefLabel "Return"@en, "Retour"@fr ;
    skos:definition "Going back to the country of origin."@en ;
    skos:narrower ex:voluntary .
ex:voluntary a skos:Concept ; skos:inScheme ex:scheme ;
    skos:prefLabel "Voluntary return"@en, "Retour volontaire"@fr ;
    skos:altLabel "AVR"@en ;
    skos:example "Assisted voluntary return programme"@en .
ex:reintegration a skos:Concept ; skos:inScheme ex:scheme ;
    skos:prefLabel "Reintegration"@en, "Réintégration"@fr ;
    skos:notation "R1" ;
    skos:broader ex:voluntary .
"""
)

JSON_LD = {
    "@context": {
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "dct": "http://purl.org/dc/terms/",
        "ex": "http://example.org/voc/",
        "prefLabel": {"@id": "skos:prefLabel", "@container": "@language"},
        "broader": {"@id": "skos:broader", "@type": "@id"},
        "narrower": {"@id": "skos:narrower", "@type": "@id"},
        "definition": {"@id": "skos:definition", "@language": "en"},
        "example": {"@id": "skos:example", "@language": "en"},
        "altLabel": {"@id": "skos:altLabel", "@language": "en"},
        "notation": "skos:notation",
        "title": {"@id": "dct:title", "@language": "en"},
    },
    "@graph": [
        {"@id": "ex:scheme", "@type": "skos:ConceptScheme", "title": "Return and reintegration"},
        {
            "@id": "ex:return",
            "@type": "skos:Concept",
            "prefLabel": {"en": "Return", "fr": "Retour"},
            "definition": "Going back to the country of origin.",
            "narrower": "ex:voluntary",
        },
        {
            "@id": "ex:voluntary",
            "@type": "skos:Concept",
            "prefLabel": {"en": "Voluntary return", "fr": "Retour volontaire"},
            "altLabel": "AVR",
            "example": "Assisted voluntary return programme",
        },
        {
            "@id": "ex:reintegration",
            "@type": "skos:Concept",
            "prefLabel": {"en": "Reintegration", "fr": "Réintégration"},
            "notation": "R1",
            "broader": "ex:voluntary",
        },
    ],
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check_return_scheme(scheme: SchemeData) -> None:
    """The three-concept scheme of TURTLE / JSON_LD, whichever syntax it came in."""
    assert scheme.id == "return-and-reintegration"
    assert scheme.title == "Return and reintegration"
    assert sorted(scheme.codes()) == ["R1", "return", "voluntary"]
    back = scheme.concept("return")
    assert back.labels == {"en": "Return", "fr": "Retour"}
    assert back.definition == "Going back to the country of origin."
    assert back.broader == []
    voluntary = scheme.concept("voluntary")
    assert voluntary.broader == ["return"]  # from skos:narrower on the broader concept
    assert voluntary.examples == ["Assisted voluntary return programme"]
    assert voluntary.alt_labels == {"en": ["AVR"]}
    reintegration = scheme.concept("R1")  # skos:notation wins over the URI
    assert reintegration.broader == ["voluntary"]
    assert reintegration.labels["fr"] == "Réintégration"
    assert reintegration.notation == "R1"
    assert scheme.ancestors("R1") == ["voluntary", "return"]
    assert scheme.narrower("return") == ["voluntary"]


def test_skos_turtle(tmp_path: Path) -> None:
    scheme = load_scheme_file(write(tmp_path, "return.ttl", TURTLE))
    check_return_scheme(scheme)
    assert scheme.licence == "CC BY 4.0"


@pytest.mark.parametrize("name", ["return.jsonld", "return.json"])
def test_skos_json_ld(tmp_path: Path, name: str) -> None:
    check_return_scheme(load_scheme_file(write(tmp_path, name, json.dumps(JSON_LD))))


def test_id_and_title_arguments_win(tmp_path: Path) -> None:
    path = write(tmp_path, "return.ttl", TURTLE)
    scheme = load_scheme_file(path, scheme_id="returns", title="Returns")
    assert (scheme.id, scheme.title) == ("returns", "Returns")


def test_turtle_without_scheme_uses_file_stem(tmp_path: Path) -> None:
    text = PREFIXES + 'ex:a a skos:Concept ; skos:prefLabel "A" .\n'
    scheme = load_scheme_file(write(tmp_path, "My Vocabulary.ttl", text))
    assert (scheme.id, scheme.title) == ("my-vocabulary", "My Vocabulary")
    assert scheme.concept("a").labels == {"en": "A"}


def test_csv_with_definition_broader_and_languages(tmp_path: Path) -> None:
    text = (
        "\ufeffid,label,definition,broader,label_fr,examples\n"
        "return,Return,Going back,,Retour,\n"
        'voluntary,Voluntary return,,return,Retour volontaire,"AVR | Assisted return"\n'
        "reintegration,Reintegration,,return|voluntary,,\n"
    )
    scheme = load_scheme_file(write(tmp_path, "returns.csv", text), title="Returns")
    assert (scheme.id, scheme.title) == ("returns", "Returns")
    assert scheme.codes() == ["return", "voluntary", "reintegration"]
    assert scheme.concept("return").definition == "Going back"
    assert scheme.concept("voluntary").labels == {
        "en": "Voluntary return",
        "fr": "Retour volontaire",
    }
    assert scheme.concept("voluntary").examples == ["AVR", "Assisted return"]
    assert scheme.concept("reintegration").broader == ["return", "voluntary"]
    assert scheme.concept("reintegration").labels == {"en": "Reintegration"}


def test_json_list_and_json_object(tmp_path: Path) -> None:
    items = [
        {"id": "return", "label": "Return", "label_fr": "Retour"},
        {"id": "voluntary", "label": "Voluntary return", "broader": ["return"]},
        {"id": 3, "labels": {"en": "Other"}, "broader": "return|voluntary"},
    ]
    listed = load_scheme_file(write(tmp_path, "returns.json", json.dumps(items)))
    assert listed.id == "returns"
    assert listed.concept("return").labels == {"en": "Return", "fr": "Retour"}
    assert listed.concept("3").broader == ["return", "voluntary"]
    wrapped = {"id": "ret", "title": "Returns", "licence": "CC0", "concepts": items}
    scheme = load_scheme_file(write(tmp_path, "x.json", json.dumps(wrapped)))
    assert (scheme.id, scheme.title, scheme.licence) == ("ret", "Returns", "CC0")
    assert scheme.codes() == ["return", "voluntary", "3"]


def test_wrong_csv_header_names_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "code,name,definition\nA,Alpha,\n")
    with pytest.raises(TaxonomyError) as caught:
        load_scheme_file(path)
    message = str(caught.value)
    assert "'id', 'label'" in message
    assert "expected id,label,definition,broader" in message
    path = write(tmp_path, "bad2.csv", "id,title\nA,Alpha\n")
    with pytest.raises(TaxonomyError, match=r"missing column\(s\) 'label' in CSV header"):
        load_scheme_file(path)


def test_csv_cycle_is_named(tmp_path: Path) -> None:
    text = "id,label,broader\na,A,b\nb,B,c\nc,C,a\nd,D,\n"
    with pytest.raises(TaxonomyError, match="broader links form a cycle: a -> b -> c -> a$"):
        load_scheme_file(write(tmp_path, "cycle.csv", text))


def test_turtle_cycle_is_named(tmp_path: Path) -> None:
    text = PREFIXES + (
        'ex:a a skos:Concept ; skos:prefLabel "A" ; skos:broader ex:b .\n'
        'ex:b a skos:Concept ; skos:prefLabel "B" ; skos:broader ex:c .\n'
        'ex:c a skos:Concept ; skos:prefLabel "C" ; skos:broader ex:a .\n'
    )
    with pytest.raises(TaxonomyError, match="cycle: a -> b -> c -> a$"):
        load_scheme_file(write(tmp_path, "cycle.ttl", text))


def test_turtle_cycle_through_narrower(tmp_path: Path) -> None:
    text = PREFIXES + (
        'ex:a a skos:Concept ; skos:prefLabel "A" ; skos:narrower ex:b .\n'
        'ex:b a skos:Concept ; skos:prefLabel "B" ; skos:narrower ex:a .\n'
    )
    with pytest.raises(TaxonomyError, match="cycle: a -> b -> a$"):
        load_scheme_file(write(tmp_path, "cycle.ttl", text))


def test_unknown_broader(tmp_path: Path) -> None:
    with pytest.raises(
        TaxonomyError, match="concept 'b' has broader 'zz', which is not in the scheme"
    ):
        load_scheme_file(write(tmp_path, "s.csv", "id,label,broader\na,A,\nb,B,zz\n"))
    text = PREFIXES + 'ex:a a skos:Concept ; skos:prefLabel "A" ; skos:broader ex:gone .\n'
    with pytest.raises(TaxonomyError, match="broader 'gone', which is not in the scheme"):
        load_scheme_file(write(tmp_path, "s.ttl", text))


def test_duplicate_id_names_both_rows(tmp_path: Path) -> None:
    text = "id,label\na,A\nb,B\n\na,Again\n"  # the blank line still counts as row 4
    with pytest.raises(TaxonomyError, match=r"duplicate concept id 'a' \(rows 2 and 5\)"):
        load_scheme_file(write(tmp_path, "dup.csv", text))
    items = [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]
    with pytest.raises(TaxonomyError, match=r"duplicate concept id 'a' \(entry 1 and entry 2\)"):
        load_scheme_file(write(tmp_path, "dup.json", json.dumps(items)))


def test_duplicate_notation_in_turtle(tmp_path: Path) -> None:
    text = PREFIXES + (
        'ex:a a skos:Concept ; skos:prefLabel "A" ; skos:notation "1" .\n'
        'ex:b a skos:Concept ; skos:prefLabel "B" ; skos:notation "1" .\n'
    )
    with pytest.raises(TaxonomyError, match="duplicate concept id '1'"):
        load_scheme_file(write(tmp_path, "dup.ttl", text))


BAD_FILES = [
    ("empty.csv", "", "CSV file is empty"),
    ("huge.csv", "id,label\na," + "x" * 200_000 + "\n", "not a readable CSV file"),
    ("blank.csv", "id,label\na,\n", "concept 'a' has no label"),
    ("noid.csv", "id,label\n,A\n", "concept row 2 has an empty id"),
    ("wide.csv", "id,label\na,A,extra\n", "row 2 has 3 values but the header has 2 columns"),
    ("bad.ttl", "this is not turtle", "cannot read Turtle"),
    ("bad.jsonld", '{"@context": ', "not valid JSON"),
    ("bad.json", '{"concepts": 3}', 'a "concepts" list'),
    ("bad.json", '[{"id": "a", "label": ["x"]}]', "entry 1: 'label' must be text"),
    ("vocab.xlsx", "", "unsupported file type '.xlsx'"),
]


@pytest.mark.parametrize(
    ("name", "text", "message"), BAD_FILES, ids=[case[0] for case in BAD_FILES]
)
def test_bad_files_give_one_line_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(TaxonomyError) as caught:
        load_scheme_file(write(tmp_path, name, text))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_scheme_file(tmp_path / "absent.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,label\na,Bogotá\n".encode("latin-1"))
    with pytest.raises(TaxonomyError, match="not UTF-8"):
        load_scheme_file(path)


def test_two_schemes_in_one_file_are_refused(tmp_path: Path) -> None:
    text = PREFIXES + "ex:s1 a skos:ConceptScheme .\nex:s2 a skos:ConceptScheme .\n"
    with pytest.raises(TaxonomyError, match="holds 2 concept schemes"):
        load_scheme_file(write(tmp_path, "two.ttl", text))
