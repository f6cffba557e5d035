"""Meaning: hybrid and semantic search across languages, automatic tags, curation, `gcmhub tag`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from gcmhub.knowledge.tagging import Tagger
from gcmhub.taxonomy.actions import ConceptText

RECORDS: list[dict[str, object]] = [
    {
        "id": "remit",
        "title": "Cheaper remittances",
        "language": "en",
        "text": "A price comparison website lowered the fees migrants pay to send money to their families back home.",
    },
    {
        "id": "recruit",
        "title": "Fair recruitment",
        "language": "en",
        "text": "The labour ministry banned recruitment agencies from charging placement fees to migrant workers.",
    },
    {
        "id": "ids",
        "title": "Consular identity documents",
        "language": "en",
        "text": "Consulates issue passports and identity cards to nationals abroad so that they can prove who they are.",
    },
    {
        "id": "return",
        "title": "Reintegration support",
        "language": "en",
        "text": "Returning migrants receive counselling, vocational training and small grants to start a business.",
    },
]


def ingest(cli, tmp_path: Path, records: list[dict[str, object]] = RECORDS) -> dict:  # type: ignore[no-untyped-def]
    path = tmp_path / "practices.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = cli("ingest", str(path), "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def search(cli, query: str, *args: str) -> dict:  # type: ignore[no-untyped-def]
    result = cli("search", query, "--json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def test_a_french_query_finds_the_english_item(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    report = ingest(cli, tmp_path)
    assert report["embedded"] == 4
    found = search(cli, "réduire le coût des envois d'argent vers la famille")
    assert found["mode"] == "hybrid"
    assert found["hits"][0]["id"] == "remit"
    assert found["hits"][0]["why"]["similarity"] > 0.8
    lexical = search(
        cli, "réduire le coût des envois d'argent vers la famille", "--mode", "lexical"
    )
    assert not lexical["hits"] or lexical["hits"][0]["id"] != "remit"


def test_a_spanish_query_finds_the_english_item_by_meaning_alone(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli, tmp_path)
    found = search(
        cli,
        "agencias que cobran comisiones de contratación a los trabajadores",
        "--mode",
        "semantic",
    )
    assert found["mode"] == "semantic"
    assert found["hits"][0]["id"] == "recruit"
    assert found["total"] == len(found["hits"]) or found["total"] >= len(found["hits"])


def test_hybrid_hits_say_which_words_matched(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli, tmp_path)
    hit = search(cli, "passports for nationals abroad")["hits"][0]
    assert hit["id"] == "ids"
    assert set(hit["why"]["terms"]) >= {"passports", "nationals"}
    assert hit["why"]["similarity"] is not None


def test_an_unknown_mode_is_refused(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli, tmp_path)
    result = cli("search", "fees", "--mode", "telepathic")
    assert result.code == 2 and "hybrid" in result.err


def test_every_item_gets_automatic_tags_with_scores(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli, tmp_path)
    item = json.loads(cli("show", "remit", "--json").out)
    auto = [t for t in item["tags"] if t["origin"] == "auto"]
    assert auto and all(t["status"] == "suggested" and 0 < t["score"] <= 1 for t in auto)
    assert auto[0]["concept"] == "objective:20" or "objective:20" in {t["concept"] for t in auto}


def test_reingesting_changed_text_embeds_only_that_item(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli, tmp_path)
    changed = [
        dict(RECORDS[0], text="Fees for sending money home fell below three per cent."),
        *RECORDS[1:],
    ]
    assert ingest(cli, tmp_path, changed)["embedded"] == 1


def test_confirming_a_tag_makes_it_count_in_facets(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli, tmp_path)
    assert cli("curate", "confirm", "return", "objective:21").code == 0
    found = search(cli, "", "--filter", "objective=21")
    assert "return" in {h["id"] for h in found["hits"]}
    assert cli("curate", "reject", "return", "objective:21").code == 0
    found = search(cli, "", "--filter", "objective=21")
    assert "return" not in {h["id"] for h in found["hits"]}


def test_curation_refuses_unknown_items_and_concepts(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli, tmp_path)
    assert cli("curate", "confirm", "nope", "objective:21").code == 2
    bad = cli("curate", "confirm", "remit", "objective:99")
    assert bad.code == 2 and "objective:99" in bad.err


def test_curate_queue_lists_suggestions(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli, tmp_path)
    queue = json.loads(cli("curate", "queue", "--scheme", "objective", "--json").out)
    assert queue and {"item", "concept", "score"} <= set(queue[0])
    assert [q["score"] for q in queue] == sorted((q["score"] for q in queue), reverse=True)


def test_the_tagger_learns_from_confirmed_examples(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    scheme = tmp_path / "topics.csv"
    scheme.write_text("id,label,definition,broader\nx,Topic X,,\ny,Topic Y,,\nz,Topic Z,,\n")
    assert cli("taxonomy", "load", str(scheme), "--scheme", "topics").code == 0
    probe = tmp_path / "probe.jsonl"
    probe.write_text(
        json.dumps({"id": "p", "text": "Seasonal farm workers get visas for the harvest."}) + "\n"
    )

    def score_of_x() -> float:
        lines = cli(
            "tag", "--scheme", "topics", "--top-k", "3", "--input", str(probe), "--json"
        ).out
        labels = json.loads(lines.splitlines()[0])["labels"]
        return next(label["score"] for label in labels if label["concept"] == "topics:x")

    before = score_of_x()
    harvest = [
        {"id": f"h{n}", "title": "Harvest visas", "text": text, "language": "en"}
        for n, text in enumerate(
            [
                "Orchards hire seasonal workers from abroad under a harvest visa scheme.",
                "A bilateral agreement lets farm labourers come for the fruit picking season.",
                "Temporary agricultural work permits are issued before each harvest.",
            ]
        )
    ]
    ingest(cli, tmp_path, harvest)
    for n in range(3):
        assert cli("curate", "confirm", f"h{n}", "topics:x").code == 0
    assert score_of_x() > before + 0.1


def test_tag_reads_json_lines_and_writes_labels(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "texts.jsonl"
    lines = [
        {"id": "a", "text": "Lower the transaction costs of remittances sent by migrant workers."},
        {"id": "b", "text": "   "},
        {
            "id": "c",
            "text": "Interdire aux agences de recrutement de faire payer des frais aux travailleurs migrants.",
        },
    ]
    path.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    result = cli("tag", "--scheme", "objective", "--top-k", "3", "--input", str(path), "--json")
    assert result.code == 0, result.err
    out = [json.loads(line) for line in result.out.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c"]
    assert out[0]["labels"][0]["concept"] == "objective:20"
    assert out[1]["labels"] == [] and "empty" in out[1]["reason"]
    assert "objective:6" in {label["concept"] for label in out[2]["labels"]}
    assert all(set(label) == {"concept", "label", "score"} for label in out[0]["labels"])


def test_tag_with_an_unknown_scheme_names_the_loaded_ones(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tag", "--scheme", "colours", "--input", "/dev/null")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "objective" in result.err and "country" in result.err


def test_a_one_megabyte_text_is_truncated_with_a_warning(
    tmp_path: Path, cli, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"id": "big", "text": "remittance fees " * 65_000}) + "\n")
    with caplog.at_level(logging.WARNING):
        result = cli("tag", "--scheme", "objective", "--input", str(path), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["labels"]
    assert any("truncated" in r.getMessage() for r in caplog.records)


def test_tagger_scores_sum_to_one_and_blank_vectors_get_no_labels() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 16))
    vectors = np.vstack([c + 0.1 * rng.normal(size=(5, 16)) for c in centres])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    classes = [ConceptText(f"s:{n}", f"C{n}", None, (), f"s:{n}") for n in range(3)]
    tagger = Tagger(classes, vectors, [n for n in range(3) for _ in range(5)], [1.0] * 15)
    probe = np.vstack([centres[2] / np.linalg.norm(centres[2]), np.zeros(16)])
    assert np.allclose(tagger.probabilities(probe[:1]).sum(), 1.0)
    first, blank = tagger.suggest(probe, k=2)
    assert first[0].concept == "s:2" and len(first) == 2
    assert blank == []
