"""The vector index: exact cosine ranking, persistence, tombstones, compaction and HNSW."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gcmhub.errors import InvalidInput
from gcmhub.search import vectors
from gcmhub.search.vectors import VectorIndex, measure_recall

DIM = 384


def unit(rows: np.ndarray) -> np.ndarray:
    normalised: np.ndarray = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return normalised.astype(np.float32)


def random_unit(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    return unit(np.random.default_rng(seed).standard_normal((n, dim)))


def clustered(
    n: int, queries: int, clusters: int = 50, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points and queries around the same cluster centres, as real embeddings are."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, DIM))
    points = centres[rng.integers(0, clusters, n)] + 0.6 * rng.standard_normal((n, DIM))
    asks = centres[rng.integers(0, clusters, queries)] + 0.6 * rng.standard_normal((queries, DIM))
    return unit(points), unit(asks)


def brute_force(ids: np.ndarray, matrix: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    scores = matrix @ (query / np.linalg.norm(query))
    return [int(ids[i]) for i in np.argsort(-scores)[:k]]


def test_exact_search_returns_the_true_nearest_neighbours(tmp_path: Path) -> None:
    matrix = random_unit(2000)
    ids = np.arange(1000, 3000)
    index = VectorIndex(tmp_path, DIM)
    index.upsert(ids, matrix)
    assert len(index) == 2000
    for query in random_unit(20, seed=1):
        found = index.search(query, k=10)
        assert [i for i, _ in found] == brute_force(ids, matrix, query, 10)
        scores = [s for _, s in found]
        assert scores == sorted(scores, reverse=True)
        assert -1.0 <= scores[-1] <= scores[0] <= 1.0
    # a stored vector finds itself with cosine 1
    (best, score), *_ = index.search(matrix[7] * 3.0, k=1)
    assert best == 1007 and score == pytest.approx(1.0, abs=1e-5)


def test_upsert_overwrites_and_normalises(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path, DIM)
    first, second = random_unit(2, seed=2)
    index.upsert([5, 6], np.stack([first, second]))
    index.upsert([5], (second * 7.0)[None, :])
    assert len(index) == 2
    best = index.search(second, k=2)
    assert {i for i, _ in best} == {5, 6}
    assert all(score == pytest.approx(1.0, abs=1e-5) for _, score in best)
    # the last of repeated ids in one call wins
    index.upsert([9, 9], np.stack([first, second]))
    assert index.search(first, k=1)[0][0] != 9


def test_delete_removes_and_ignores_unknown_ids(tmp_path: Path) -> None:
    matrix = random_unit(50, seed=3)
    index = VectorIndex(tmp_path, DIM)
    index.upsert(range(50), matrix)
    index.delete([3, 4, 999])
    assert len(index) == 48
    assert 3 not in index.ids() and 4 not in index.ids()
    assert index.search(matrix[3], k=1)[0][0] != 3
    assert 3 not in {i for i, _ in index.search(matrix[3], k=100)}


def test_a_zero_vector_means_no_embedding_and_removes_the_id(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path, DIM)
    index.upsert([1, 2], random_unit(2, seed=4))
    index.upsert([1, 3], np.zeros((2, DIM), dtype=np.float32))
    assert index.ids().tolist() == [2]
    assert index.search(np.zeros(DIM), k=5) == []


def test_reopening_the_folder_sees_the_same_vectors(tmp_path: Path) -> None:
    matrix = random_unit(300, seed=5)
    index = VectorIndex(tmp_path, DIM)
    index.upsert(range(300), matrix)
    index.delete(range(10))
    index.upsert([20], random_unit(1, seed=6))
    query = random_unit(1, seed=7)[0]
    before = index.search(query, k=20)
    again = VectorIndex(tmp_path, DIM)
    assert len(again) == 290
    assert again.ids().tolist() == index.ids().tolist()
    assert again.search(query, k=20) == before
    assert (tmp_path / "items.f32").exists()
    with pytest.raises(InvalidInput, match="768-value|384-value"):
        VectorIndex(tmp_path, 768)


def test_allowed_restricts_the_result(tmp_path: Path) -> None:
    matrix = random_unit(1000, seed=8)
    ids = np.arange(1, 1001)
    index = VectorIndex(tmp_path, DIM)
    index.upsert(ids, matrix)
    allowed = np.arange(2, 1001, 7)
    query = random_unit(1, seed=9)[0]
    found = index.search(query, k=10, allowed=np.append(allowed, [5000, 5001]))
    expected = brute_force(allowed, matrix[allowed - 1], query, 10)
    assert [i for i, _ in found] == expected
    assert index.search(query, k=10, allowed=np.array([], dtype=np.int64)) == []
    assert [i for i, _ in index.search(query, k=10, allowed=np.array([3]))] == [3]


def test_compaction_keeps_results_identical(tmp_path: Path) -> None:
    matrix = random_unit(1000, seed=10)
    index = VectorIndex(tmp_path, DIM, compact_ratio=1.0)
    index.upsert(range(1000), matrix)
    index.delete(range(0, 1000, 3))
    index.upsert(range(1, 100, 3), random_unit(33, seed=11))  # updates leave dead rows too
    queries = random_unit(10, seed=12)
    before = [index.search(q, k=25) for q in queries]
    size = (tmp_path / "items.f32").stat().st_size
    assert size == 1033 * DIM * 4
    index.compact()
    assert (tmp_path / "items.f32").stat().st_size == len(index) * DIM * 4 < size
    after = [index.search(q, k=25) for q in queries]
    reopened = [VectorIndex(tmp_path, DIM).search(q, k=25) for q in queries]
    for old, new, again in zip(before, after, reopened, strict=True):
        assert [i for i, _ in new] == [i for i, _ in old] == [i for i, _ in again]
        np.testing.assert_allclose([s for _, s in new], [s for _, s in old], atol=1e-6)


def test_compaction_runs_by_itself_past_a_fifth_dead(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path, DIM)
    index.upsert(range(100), random_unit(100, seed=13))
    index.delete(range(15))
    assert (tmp_path / "items.f32").stat().st_size == 100 * DIM * 4
    index.delete(range(15, 25))
    assert (tmp_path / "items.f32").stat().st_size == 75 * DIM * 4
    assert len(VectorIndex(tmp_path, DIM)) == 75


def test_an_interrupted_write_is_repaired_on_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matrix = random_unit(40, seed=14)
    index = VectorIndex(tmp_path, DIM, compact_ratio=1.0)
    index.upsert(range(40), matrix)
    index.delete(range(10))
    query = matrix[20]
    expected = index.search(query, k=5)
    # rows appended by an upsert that crashed before its ids were committed
    with open(tmp_path / "items.f32", "ab") as handle:
        handle.write(random_unit(3, seed=15).tobytes())
    # a compaction that crashed before its commit marker
    (tmp_path / "items.f32.compact").write_bytes(b"partial")
    reopened = VectorIndex(tmp_path, DIM, compact_ratio=1.0)
    assert reopened.search(query, k=5) == expected
    assert (tmp_path / "items.f32").stat().st_size == 40 * DIM * 4
    assert not (tmp_path / "items.f32.compact").exists()
    # a compaction that crashed after its commit marker, before replacing the files
    with monkeypatch.context() as patch:
        patch.setattr(VectorIndex, "_finish_compaction", lambda self: None)
        reopened.compact()
    assert (tmp_path / "items.compact").exists()
    assert reopened.search(query, k=5) == expected  # still on the old files
    finished = VectorIndex(tmp_path, DIM)
    assert finished.search(query, k=5) == expected
    assert (tmp_path / "items.f32").stat().st_size == 30 * DIM * 4
    assert not (tmp_path / "items.compact").exists()


def test_ann_path_has_high_recall_and_follows_deletes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    points, queries = clustered(5000, 100)
    ids = np.arange(1, 5001)
    index = VectorIndex(tmp_path, DIM, ann_threshold=500, ef_construction=100)
    with pytest.raises(InvalidInput, match="no approximate index"):
        measure_recall(index, queries)
    index.upsert(ids, points)
    assert index.ann_active
    assert (tmp_path / "items.hnsw").exists()
    assert measure_recall(index, queries, k=10) >= 0.9

    gone = ids[::5]
    index.delete(gone)
    index.upsert(ids[1:50:5], unit(points[1:50:5] + 0.5 * points[100]))  # moved vectors
    gone_set = set(gone.tolist())
    for query in queries[:30]:
        found = index.search(query, k=10)
        assert len(found) == 10 and not gone_set & {i for i, _ in found}
    assert measure_recall(index, queries, k=10) >= 0.9

    # reopening loads the saved graph, which agrees with the matrix
    reopened = VectorIndex(tmp_path, DIM, ann_threshold=500)
    assert reopened.ann_active
    assert [reopened.search(q, k=10) for q in queries[:10]] == [
        index.search(q, k=10) for q in queries[:10]
    ]

    # a facet filter over-fetches from HNSW (forced here by a low exact limit) and
    # falls back to an exact scan when too few candidates survive
    monkeypatch.setattr(vectors, "EXACT_ALLOWED_MAX", 10)
    allowed = ids[(ids % 5 != 1) & (ids % 2 == 0)]
    live = set(reopened.ids().tolist())
    for query in queries[:10]:
        found = reopened.search(query, k=10, allowed=allowed)
        truth = reopened.search(query, k=10, allowed=allowed, exact=True)
        assert {i for i, _ in found} <= live & set(allowed.tolist())
        assert len({i for i, _ in found} & {i for i, _ in truth}) >= 8
    few = np.array([2, 4, 6])
    assert {i for i, _ in reopened.search(queries[0], k=10, allowed=few)} == {2, 4}
    monkeypatch.setattr(VectorIndex, "_ann", lambda self, vector, k: [])
    assert reopened.search(queries[0], k=10, allowed=allowed) == reopened.search(
        queries[0], k=10, allowed=allowed, exact=True
    )


def test_a_stale_hnsw_file_is_rebuilt(tmp_path: Path) -> None:
    points, queries = clustered(800, 5, seed=3)
    index = VectorIndex(tmp_path, DIM, ann_threshold=500, ef_construction=50)
    index.upsert(range(800), points)
    meta = json.loads((tmp_path / "items.hnsw.json").read_text())
    (tmp_path / "items.hnsw.json").write_text(json.dumps({**meta, "generation": -1}))
    reopened = VectorIndex(tmp_path, DIM, ann_threshold=500, ef_construction=50)
    assert reopened.ann_active
    assert (
        json.loads((tmp_path / "items.hnsw.json").read_text())["generation"] == meta["generation"]
    )
    assert measure_recall(reopened, queries) >= 0.9
    # dropping well below the threshold returns to the exact path and removes the graph
    reopened.delete(range(500))
    assert not reopened.ann_active
    assert not (tmp_path / "items.hnsw").exists()


def test_bad_input_is_refused(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path, DIM)
    with pytest.raises(InvalidInput):
        index.upsert([1, 2], random_unit(1))
    with pytest.raises(InvalidInput):
        index.upsert([1], np.full((1, DIM), np.nan, dtype=np.float32))
    with pytest.raises(InvalidInput):
        index.search(np.ones(DIM + 1))
    assert index.search(np.ones(DIM)) == []
    assert len(index) == 0 and index.ids().tolist() == []
